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
/// every code in grammar.md's table is exercised by some test.
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

  /// Every code listed in grammar.md appears in some test (F001 is a self-check that should never
  /// fire, and retired codes are never emitted: both exempt).
  @Test func everyDocumentedCodeIsTested() throws {
    let grammar = try String(contentsOf: repositoryRoot.appendingPathComponent("grammar.md"), encoding: .utf8)
    let documented = grammar.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("| "), line.count > 6, !line.contains("| retired") else { return nil }
      let code = line.dropFirst(2).prefix(4)
      return code.first!.isUppercase && code.dropFirst().allSatisfy(\.isNumber) ? String(code) : nil
    }
    #expect(documented.count > 80)
    let testsDir = repositoryRoot.appendingPathComponent("Tests/CovenantKitTests")
    var text = ""
    for name in try FileManager.default.contentsOfDirectory(atPath: testsDir.path) where name.hasSuffix(".swift") {
      text += try String(contentsOf: testsDir.appendingPathComponent(name), encoding: .utf8)
    }
    for code in documented where code != "F001" {
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
