import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

/// Codes not triggered elsewhere, each by the input that should produce it; and a check that
/// every code in grammar.md's table is emitted by the pipeline (`everyDocumentedCodeIsEmitted`).
@Suite(.serialized) struct CodeCoverageTests {
  func temp(_ name: String, _ text: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
  }

  @Test func invalidUTF8InACovenant() {
    var bytes = Array("define a = \"x".utf8)
    bytes += [0xFF, 0xFE]
    bytes += Array("\"\n".utf8)
    let r = Parser.parse(SourceFile(name: "t.cov", bytes: bytes))
    #expect(r.diagnostics.map(\.code) == ["L001"])
  }

  @Test func parserStopsAfterTooManyErrors() {
    let src = (0..<80).map { "define a\($0) = (" }.joined(separator: "\n")
    let r = Parser.parse(SourceFile(name: "t.cov", text: src))
    #expect(r.diagnostics.filter(\.isError).count == Parser.maxErrors)
    #expect(r.diagnostics.last?.code == "P009")
  }

  @Test func dataFileProblems() throws {
    #expect(DataLoader.readJSON(path: "/nonexistent/p.json").failureCode == "D010")
    #expect(DataLoader.readJSON(path: FileManager.default.temporaryDirectory.path).failureCode == "D010")
    let compiled = try #require(compile(prelude).covenant)
    let doc = try DataLoader.parseJSON(Array(#"{"as_of": "2026-13-01", "equity": 1, "debt": 0, "holdings": []}"#.utf8), file: "p.json").get()
    guard case .failure(let ds) = DataLoader.load(doc, record: compiled.schema.snapshot!, schema: compiled.schema, file: "p.json") else {
      Issue.record("expected D106")
      return
    }
    #expect(ds.list.first?.code == "D106")
    #expect(ds.list.first?.path == "as_of")
    // Thirty bad holdings: reading stops after the limit with a note.
    let many = (0..<30).map { _ in #"{"id": "x", "sector": "power", "domicile": "US", "value": -1}"# }.joined(separator: ",")
    let doc2 = try DataLoader.parseJSON(Array(#"{"as_of": "2026-01-01", "equity": 1, "debt": 0, "holdings": [\#(many)]}"#.utf8), file: "p.json").get()
    guard case .failure(let ds2) = DataLoader.load(doc2, record: compiled.schema.snapshot!, schema: compiled.schema, file: "p.json") else {
      Issue.record("expected errors")
      return
    }
    #expect(ds2.list.last?.code == "D199")
    #expect(ds2.list.filter { $0.code == "D103" }.count == DataLoader.maxErrors)
  }

  @Test func durationsInDifferentUnitsDoNotCompare() throws {
    let cov = """
      covenant "D"
      data fund from snapshot
        tenor : duration
      §1 "x"
        fund.tenor <= 360 days

      """
    #expect {
      try run(cov, snapshot: #"{"tenor": "12 months"}"#)
    } throws: { e in (e as? EvaluationError)?.code == "E004" }
  }

  @Test func commandLineCodes() throws {
    #expect(Commands.run(["bogus"]).stderr.contains("error[A001]"))
    let missing = Commands.run(["validate", "/nonexistent/c.cov"])
    #expect(missing.exitCode == 2 && missing.stderr.contains("A002"))
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let none = Commands.run(["test", empty.path])
    #expect(none.exitCode == 2 && none.stderr.contains("A003"))
  }

  /// `fmt --write` into a directory that cannot be written reports A004 and keeps the file.
  /// A004 must be provable as root (CI runs as root, and root writes into read-only directories):
  /// a path under a regular file cannot be created by anyone.
  @Test func unwritablePathIsA004() throws {
    let url = try temp("c.cov", "covenant \"T\"\ndata fund from snapshot\n  x:money\n§1 \"x\"\n  fund.x>$0\n")
    defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
    let before = try Data(contentsOf: url)
    let target = url.appendingPathComponent("report.txt").path
    let out = Commands.run(["validate", url.path, "-o", target])
    #expect(out.exitCode == 2 && out.stderr.contains("A004"), "\(out.exitCode) \(out.stderr)")
    #expect(try Data(contentsOf: url) == before)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
    #expect(leftovers == ["c.cov"], "a temporary file was left behind: \(leftovers)")
  }

  struct TestFileCase: CustomStringConvertible, Sendable {
    var code: String
    var text: String
    var description: String { code }
  }

  static let testFileCases: [TestFileCase] = [
    .init(code: "T001", text: "covenant \"c.cov\"\nassert true\n"),
    .init(code: "T002", text: "covenant c.cov\n"),
    .init(code: "T003", text: "covenant \"c.cov\"\ntest \"empty\"\n"),
    .init(code: "T004", text: "covenant \"c.cov\"\ntest \"x\"\n  deal {\"id\": \"a\"\n  expect result compliant\n"),
    .init(code: "T005", text: "covenant \"c.cov\"\ntest \"x\"\n  deal \"d.json\" with amount = twelve\n  expect result compliant\n"),
    .init(code: "T006", text: "covenant \"c.cov\"\ntest \"x\"\n  expect §1 fabulous\n"),
    .init(code: "T007", text: "covenant \"missing.cov\"\ntest \"x\"\n  expect result compliant\n"),
    .init(code: "T008", text: "covenant \"c.cov\"\nportfolio \"p.json\"\ntest \"x\"\n  portfolio with holdings[5].value = 1\n  expect result compliant\n"),
  ]

  @Test(arguments: testFileCases) func testFileCodes(_ c: TestFileCase) throws {
    let url = try temp("t.covtest", c.text)
    let dir = url.deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("covenant \"T\"\nrecord h\n  value : money\ndata fund from snapshot\n  holdings : list of h\n§1 \"x\"\n  count of holdings >= 0\n".utf8)
      .write(to: dir.appendingPathComponent("c.cov"))
    try Data(#"{"holdings": [{"value": 1}]}"#.utf8).write(to: dir.appendingPathComponent("p.json"))
    let out = Commands.run(["test", url.path])
    #expect(out.exitCode == 2)
    #expect(out.stderr.contains("[\(c.code)]"), "\(out.stderr)")
  }

  /// The codes grammar.md's table documents, retired ones left out.
  static func documentedCodes() throws -> [String] {
    let grammar = try String(contentsOf: repositoryRoot.appendingPathComponent("grammar.md"), encoding: .utf8)
    return grammar.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("| "), line.count > 6, !line.contains("| retired") else { return nil }
      let code = line.dropFirst(2).prefix(4)
      return code.first!.isUppercase && code.dropFirst().allSatisfy(\.isNumber) ? String(code) : nil
    }
  }

  /// `X123` codes in rendered output: `error[X123]`, `warning[X123]`, `"code": "X123"`, or a
  /// line starting with the code (the test helpers' failure descriptions).
  static func codes(in text: String) -> Set<String> {
    var found = Set<String>()
    let chars = Array(text.unicodeScalars)
    for i in chars.indices where i + 4 <= chars.count {
      let before = i == 0 ? "\n" : chars[i - 1]
      guard before == "[" || before == "\n" || before == "\"" else { continue }
      let c = chars[i..<(i + 4)]
      guard ("A"..."Z").contains(c.first!), c.dropFirst().allSatisfy({ ("0"..."9").contains($0) }) else { continue }
      if i + 4 < chars.count, ("0"..."9").contains(chars[i + 4]) || ("A"..."Z").contains(chars[i + 4]) { continue }
      found.insert(String(String.UnicodeScalarView(c)))
    }
    return found
  }

  /// Drives the real pipeline (parser, checker, drafting checker, data loader, evaluator, test-file
  /// parser, command line) with inputs meant to produce the documented codes, and returns every
  /// code that actually came out.
  func emittedCodes() throws -> Set<String> {
    var emitted = Set<String>()
    // Covenants: the checker's table (CheckerTests.cases) and more, each compiled in full.
    var covenants = CheckerTests.cases.map { prelude + $0.clause + "\n" }
    covenants += [
      "covenant \"x\"\ndefine a = \"\u{0}\"\n",                          // L002
      "covenant \"x\"\ndefine a = $1 @ $2\n",                                 // L003
      "covenant \"x\"\ndefine a = \"abc\n",                                  // L004
      "covenant \"x\"\n§ \"x\"\n  $1 > $0\n",                              // L005
      prelude + "§1 \"x\"\n  nav > \n",                                       // P001
      prelude + "§1 \"x\"\n  nav > $0 and nav > $1 or nav > $2\n",            // P002
      prelude + "define deep = " + String(repeating: "(", count: 600) + "$1" + String(repeating: ")", count: 600) + "\n", // P003
      "base currency USD\ncovenant \"x\"\n",                                   // P004
      prelude + "§1 \"x\"\n§2 \"y\"\n  nav > $0\n",                         // P005
      prelude + "§1 \"x\"\n  $0 < nav < $5\n",                                // P006
      prelude + "§1 \"x\"\n  effective from 2026-13-45\n  nav > $0\n",        // P007
      prelude + "§1 \"x\"\n  nav > 5xyz%\n",                                  // P008
      (0..<80).map { "define a\($0) = (" }.joined(separator: "\n"),           // P009
      prelude + "define and = $1\n",                                           // P010
      "# only a comment\n",                                                    // C036
      prelude + "§1 \"x\"\n  share of holdings.value where sector = power <= 99999999999999999999999%\n", // C037
      prelude + "§1 \"x\"\n  sum of holdings.value where sector = power <= 135% of nav\n", // C070
      prelude + "§1 \"x\"\n  nav >= -$5\n",                                   // C071
      prelude + "§1 \"x\"\n  applies when deal.amount > $10bn and deal.amount < $5bn\n  nav <= $5bn\n", // C072
      prelude + "§1 \"x\"\n  applies when deal.amount >= $0\n  nav <= $5bn\n",  // C073
      prelude + "§1 \"x\"\n  nav >= $10\n§2 \"y\"\n  nav <= $5\n",           // C074
      prelude + "§1 \"x\"\n  nav <= $10\n§2 \"y\"\n  nav <= $5\n",           // C075
      prelude + "define unused = $1\n§1 \"x\"\n  nav > $0\n",                 // C076
      prelude + "§1 \"x\"\n  nav > $0\n  notwithstanding §9\n",               // C080
      prelude + "§1 \"x\"\n  nav > $0\n  notwithstanding §1\n",               // C081
      prelude + "§1 \"x\"\n  nav > $0\n  notwithstanding §2\n§2 \"y\"\n  nav > $1\n  notwithstanding §1\n", // C082
      prelude + "party a \"A\" weight 30%\nparty b \"B\" weight 30%\n§1 \"x\"\n  nav > $0\n", // C032
      prelude + "§1 \"x\"\n  nav > $0\n  report holdings\n",                  // C060
    ]
    for text in covenants {
      emitted.formUnion(compile(text).diagnostics.map(\.code))
    }
    // Governance declarations, voting bodies, functions of arguments and dated periods.
    let periodsBase = PeriodsTests.cov.components(separatedBy: "define ebitda_ltm")[0]
    let bodies = BodiesTests.head + BodiesTests.lps + BodiesTests.lpac
    for text in [
      prelude + "§1 \"x\"\n  share of holdings.value where sector = power <= 0.\(String(repeating: "1", count: 1232))%\n", // C037
      prelude + "governance votes from deal \"v\" with voter = \"member\"\n",                 // C038
      LanguageFeatureTests.grid + "§1 \"x\"\n  zone_capex <= $1\n",                           // C040
      periodsBase + "§1 \"x\"\n  sum of periods.ebitda over the last 0 periods >= $0\n",      // C050
      bodies + "§6.1 \"x\"\n  sum of stakes.cost <= $1\n  without consent of lpca\n",          // C090
      BodiesTests.head + "body x \"X\"\n  one vote each\n",                                    // C091
      bodies + "§6.1 \"x\"\n  sum of stakes.cost <= $1\n  without consent of proposal.cost\n", // C092
    ] {
      emitted.formUnion(compile(text).diagnostics.map(\.code))
    }
    // Governance data: votes, approvals and waivers of a deal (D201–D206), consents on file (D210).
    let governance = GovernanceTests()
    for c in GovernanceTests.dataCases {
      do { _ = try run(governance.covenant("approved by a"), snapshot: governance.snap, deal: governance.deal(c.governance)) } catch {
        emitted.formUnion(Self.codes(in: "\(error)"))
      }
    }
    emitted.formUnion(try BodiesTests().governanceErrors(BodiesTests.snapshot(consents: #"[{"clause_ref": "6.2", "given_by": "LPAK"}]"#), BodiesTests.deal()).map(\.code))
    // Periods with a gap (E006).
    var gapped = PeriodsTests.calendar
    gapped.remove(at: 4)
    do { _ = try run(PeriodsTests.cov, snapshot: PeriodsTests.snapshot(asAt: "2025-07-05", gapped)) } catch {
      if let e = error as? EvaluationError { emitted.insert(e.code) }
    }
    // Invalid UTF-8 in a covenant.
    emitted.formUnion(Parser.parse(SourceFile(name: "t.cov", bytes: Array("define a = \"x".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8))).diagnostics.map(\.code))
    // JSON syntax.
    let json: [[UInt8]] = [
      Array("{x}".utf8), Array("{".utf8), [0x22, 0xFF, 0x22], Array(#"{"a": 1, "a": 2}"#.utf8),
      Array(String(repeating: "[", count: 600).utf8), Array("01".utf8), Array(#""\q""#.utf8), [],
      Array("{} x".utf8),
    ]
    for bytes in json {
      if case .failure(let d) = DataLoader.parseJSON(bytes, file: "p.json") { emitted.insert(d.code) }
    }
    // Data read against the schema, and evaluation.
    let snapshots = [
      #"{"as_of": "2026-06-30", "equity": 1, "debt": 0}"#,                                   // D101
      #"{"as_of": "2026-06-30", "equity": "x", "debt": 0, "holdings": []}"#,                 // D102
      snapshotJSON([("a", "power", "US", "-1")]),                                            // D103
      snapshotJSON([("a", "nuclear", "US", "1")]),                                           // D104
      snapshotJSON([("a", "power", "XX", "1")]),                                             // D105
      snapshotJSON(asOf: "2026-02-30", [("a", "power", "US", "1")]),                          // D106
      snapshotJSON([("a", "power", "US", "1e4000")]),                                        // D107
      snapshotJSON([("a", "power", "US", #"{"amount": 5, "currency": "XYZ"}"#)]),            // D108
      "{\"as_of\": \"2026-01-01\", \"equity\": 1, \"debt\": 0, \"holdings\": [" + (0..<30).map { _ in #"{"id": "x", "sector": "power", "domicile": "US", "value": -1}"# }.joined(separator: ",") + "]}", // D199
    ]
    for s in snapshots {
      do { _ = try run(prelude + "§1 \"x\"\n  nav >= $0\n", snapshot: s) } catch { emitted.formUnion(Self.codes(in: "\(error)")) }
    }
    let big = "1" + String(repeating: "0", count: 700)
    let fxCovenant = "covenant \"FX\" base currency USD\nrecord holding\n  value : money\ndata fund from snapshot\n  fx : fx quoted USD per currency\n  holdings : list of holding\n§1 \"x\"\n  sum of holdings.value in USD <= $8.34\n"
    let evaluations: [(String, String)] = [
      (prelude + "§1 \"x\"\n  nav * \(big) * \(big) > $0\n", snapshotJSON([("H1", "power", "US", "100000000000000000000")])),            // E001
      (prelude + "§1 \"x\"\n  fund.debt / (count of holdings where sector = logistics) <= $2\n", snapshotJSON(equity: "0", debt: "5", [("H1", "power", "US", "1")])), // E002
      (prelude + "§1 \"x\"\n  nav > $0\n", #"{"as_of": "2026-06-30", "equity": 1, "debt": 0, "holdings": [{"id": "a", "sector": "power", "domicile": "US", "value": 5}, {"id": "b", "sector": "power", "domicile": "JP", "value": {"amount": "500", "currency": "JPY"}}]}"#), // E003
      ("covenant \"D\"\ndata fund from snapshot\n  tenor : duration\n§1 \"x\"\n  fund.tenor <= 360 days\n", #"{"tenor": "12 months"}"#), // E004
      (fxCovenant, #"{"fx": {}, "holdings": [{"value": {"amount": "500", "currency": "JPY"}}]}"#), // E005
    ]
    for (covenant, snapshot) in evaluations {
      do { _ = try run(covenant, snapshot: snapshot) } catch {
        if let e = error as? EvaluationError { emitted.insert(e.code) } else { emitted.formUnion(Self.codes(in: "\(error)")) }
      }
    }
    // Test files: the cases of `testFileCodes`, run by `covenant test`.
    for c in Self.testFileCases {
      let url = try temp("t.covtest", c.text)
      let dir = url.deletingLastPathComponent()
      defer { try? FileManager.default.removeItem(at: dir) }
      try Data("covenant \"T\"\nrecord h\n  value : money\ndata fund from snapshot\n  holdings : list of h\n§1 \"x\"\n  count of holdings >= 0\n".utf8)
        .write(to: dir.appendingPathComponent("c.cov"))
      try Data(#"{"holdings": [{"value": 1}]}"#.utf8).write(to: dir.appendingPathComponent("p.json"))
      let out = Commands.run(["test", url.path])
      emitted.formUnion(Self.codes(in: out.stdout + out.stderr))
    }
    // The command line.
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("codes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let cov = "examples/us-japan-fund/covenant.cov"
    for args in [
      ["bogus"], ["validate", "/nonexistent/c.cov"], ["test", empty.path], ["check", cov, "-p", "/nonexistent/p.json"],
      ["validate", cov, "-o", "README.md/x"],
    ] {
      let out = runCommand(args)
      emitted.formUnion(Self.codes(in: out.stdout + out.stderr))
    }
    // Standard output that fails (A005): the report delivered to /dev/full, standard error to a file.
    let full = open("/dev/full", O_WRONLY)
    let errURL = empty.appendingPathComponent("stderr.txt")
    try #require(FileManager.default.createFile(atPath: errURL.path, contents: nil))
    let errFD = open(errURL.path, O_WRONLY)
    if full >= 0, errFD >= 0 {
      var out = CommandOutput()
      out.stdout = "a report\n"
      let code = Commands.deliver(out, stdoutFD: full, stderrFD: errFD)
      #expect(code == ExitCode.invalid)
      close(errFD)
      emitted.formUnion(Self.codes(in: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""))
    }
    if full >= 0 { close(full) }
    return emitted
  }

  /// Codes the table above does not (yet) make the pipeline emit. For these only, the old check
  /// remains: some test names the code (a test asserting it, in most cases). Shrink this list by
  /// adding an input above; the test fails when a listed code is emitted, so the list stays true.
  /// F001 is the formatter's self-check (the layout would change the meaning), which no input
  /// should reach: a covenant that gave it would be a formatter bug to fix.
  static let provedByGrepOnly: Set<String> = ["F001"]

  /// Every documented code is emitted by the real pipeline for some input (the table in
  /// `emittedCodes`), except the few listed in `provedByGrepOnly`, which a test must still name.
  @Test func everyDocumentedCodeIsEmitted() throws {
    let documented = try Self.documentedCodes()
    #expect(documented.count > 80)
    let emitted = try emittedCodes()
    let notEmitted = Set(documented).subtracting(emitted)
    #expect(notEmitted == Self.provedByGrepOnly, "not emitted: \(notEmitted.sorted()); listed: \(Self.provedByGrepOnly.sorted())")
    // Nothing comes out that the table does not document.
    #expect(emitted.subtracting(documented).isEmpty, "undocumented: \(emitted.subtracting(documented).sorted())")
    // The rest: the weaker check, a test names the code.
    let testsDir = repositoryRoot.appendingPathComponent("Tests/CovenantKitTests")
    var text = ""
    for name in try FileManager.default.contentsOfDirectory(atPath: testsDir.path) where name.hasSuffix(".swift") {
      text += try String(contentsOf: testsDir.appendingPathComponent(name), encoding: .utf8)
    }
    for code in Self.provedByGrepOnly.sorted() where code != "F001" {
      #expect(text.contains("\"\(code)\"") || text.contains("[\(code)]") || text.contains("code: \"\(code)\""), "no test mentions \(code)")
    }
  }
}

extension Result where Failure == Diagnostic {
  var failureCode: String? {
    if case .failure(let d) = self { return d.code }
    return nil
  }
}
