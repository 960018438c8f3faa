import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning
import CovenantData
import CovenantEvaluation
import CovenantDriver
import CovenantReporting

public struct TestOutcome: Sendable {
  public var file: String
  public var name: String
  public var line: Int
  public var passed: Bool
  /// What was expected and what came out, one line per unmet expectation.
  public var failures: [String]
  /// The report lines of the clauses that failed, so the figures are at hand.
  public var details: String
  /// The failing expectations' lines in the test file, for CI annotations.
  public var failureLines: [Int]
}

public struct TestRun: Sendable {
  public var outcomes: [TestOutcome] = []
  /// Test files, covenants or data that could not be read: the run is invalid (exit 2).
  public var diagnostics: [Diagnostic] = []
  public var sources: [String: SourceFile] = [:]
  public var passed: Int { outcomes.filter(\.passed).count }
  public var failed: Int { outcomes.count - passed }
}

/// Finds `*.covtest` files and runs them: each test checks its portfolio (and deal) against the
/// covenant and compares verdicts and figures with what it expects.
public enum TestRunner {
  /// Paths are shown as given and read relative to `directory` (nil: the current directory).
  public static func discover(_ paths: [String], in directory: String? = nil) -> (files: [String], missing: [Diagnostic]) {
    var files: [String] = []
    var missing: [Diagnostic] = []
    for path in paths {
      let resolved = WorkingDirectory.resolve(path, in: directory)
      guard let kind = FileSystem.kind(of: resolved) else {
        missing.append(Diagnostic(CommandDiagnostics.unreadableFile(.noSuchPath), file: path))
        continue
      }
      if kind != .directory {
        files.append(path)
        continue
      }
      var found: [String] = []
      for rel in FileSystem.walk(resolved) {
        if rel.hasSuffix(".covtest") && !rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
          found.append(FileSystem.appending(rel, to: path))
        }
      }
      files += found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
    return (files, missing)
  }

  public static func run(paths: [String], in directory: String? = nil) -> TestRun {
    var run = TestRun()
    let (files, missing) = discover(paths.isEmpty ? ["."] : paths, in: directory)
    run.diagnostics += missing
    // One compile per covenant, however many test files name it.
    var sessions: [String: CovenantSession] = [:]
    for path in files {
      guard let data = FileSystem.contents(of: WorkingDirectory.resolve(path, in: directory)) else {
        run.diagnostics.append(Diagnostic(CommandDiagnostics.unreadableFile(.unreadableTestFile), file: path))
        continue
      }
      let source = SourceFile(name: path, bytes: data)
      run.sources[path] = source
      let (file, diags) = TestFileParser.parse(source)
      if !diags.isEmpty {
        run.diagnostics += diags
        continue
      }
      let dir = FileSystem.deletingLastComponent(path)
      func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : FileSystem.appending(p, to: dir) }
      guard let covRef = file.covenant else { continue }
      let covPath = FileSystem.standardizing(resolve(covRef.value))
      var session = sessions[covPath]
      if session == nil {
        guard let bytes = FileSystem.contents(of: WorkingDirectory.resolve(covPath, in: directory)) else {
          run.diagnostics.append(Diagnostic(TestingDiagnostics.notFound(.covenant(covRef.value)), file: path,
            dataLocation: .init(line: covRef.line, column: covRef.column)))
          continue
        }
        let cf = SourceFile(name: covPath, bytes: bytes)
        run.sources[covPath] = cf
        switch CovenantSession.compile(cf) {
        case .failure(let ds):
          run.diagnostics += ds.list
          continue
        case .success(let s):
          session = s
          sessions[covPath] = s
        }
      }
      guard let session else { continue }
      for test in file.tests {
        switch runTest(test, file: file, session: session, resolve: resolve, directory: directory) {
        case .success(let o): run.outcomes.append(o)
        case .failure(let ds): run.diagnostics += ds.list
        }
      }
    }
    return run
  }

  /// The data of a spec as JSON bytes, overrides applied.
  static func data(_ spec: TestFile.DataSpec, testFile: String, resolve: (String) -> String, directory: String? = nil) -> Result<(bytes: [UInt8], name: String), Diagnostics> {
    var bytes: [UInt8]
    var name: String
    if let inline = spec.inline {
      bytes = Array(inline.value.utf8)
      name = "\(testFile):\(inline.line)"
    } else if let f = spec.file {
      let p = resolve(f.value)
      guard let d = FileSystem.contents(of: WorkingDirectory.resolve(p, in: directory)) else {
        return .failure(Diagnostics([Diagnostic(TestingDiagnostics.notFound(.dataFile(f.value)), file: testFile,
          dataLocation: .init(line: f.line, column: f.column))]))
      }
      bytes = d
      name = f.value
    } else {
      return .failure(Diagnostics([Diagnostic(TestingDiagnostics.unusableData(.overridesWithoutData), file: testFile,
        dataLocation: .init(line: spec.overrides.first?.line ?? 1, column: 1))]))
    }
    guard !spec.overrides.isEmpty else { return .success((bytes, name)) }
    guard case .success(let doc) = JSONParser.parse(bytes) else { return .success((bytes, name)) }
    var tree = JSONTree(doc, doc.root)
    for o in spec.overrides {
      guard case .success(let vdoc) = JSONParser.parse(Array(o.json.utf8)) else { continue }
      if !tree.set(o.path, JSONTree(vdoc, vdoc.root)) {
        return .failure(Diagnostics([Diagnostic(TestingDiagnostics.unusableData(.noSuchPlace(o.pathText)), file: testFile,
          dataLocation: .init(line: o.line, column: 1))]))
      }
    }
    return .success((Array(tree.json.render(pretty: false).utf8), name + " (with overrides)"))
  }

  /// Runs one test through the driver: the compiled covenant's session, the test's snapshot, its
  /// deal (or the snapshot's own governance data), the check; the first failing stage's
  /// diagnostics make the run invalid.
  static func runTest(_ test: TestFile.TestCase, file: TestFile, session compiled: CovenantSession, resolve: (String) -> String, directory: String? = nil) -> Result<TestOutcome, Diagnostics> {
    let covenant = compiled.covenant
    guard covenant.schema.snapshot != nil else {
      return .failure(Diagnostics([Diagnostic(TestingDiagnostics.notFound(.noSnapshot), file: file.path)]))
    }
    var portfolio = file.portfolio
    if let p = test.portfolio {
      portfolio = portfolio.map { base in
        var m = base
        if p.file != nil || p.inline != nil { m.file = p.file; m.inline = p.inline }
        m.overrides += p.overrides
        return m
      } ?? p
    }
    guard let portfolio else {
      return .failure(Diagnostics([Diagnostic(TestingDiagnostics.unusableData(.noPortfolio(test: test.name)), file: file.path,
        dataLocation: .init(line: test.line, column: 1))]))
    }
    func bytes(_ spec: TestFile.DataSpec) -> Result<(bytes: [UInt8], name: String), Diagnostics> {
      data(spec, testFile: file.path, resolve: resolve, directory: directory)
    }
    var session = compiled
    switch bytes(portfolio).flatMap({ session.loadSnapshot(bytes: $0.bytes, file: $0.name) }) {
    case .failure(let d): return .failure(d)
    case .success: break
    }
    var deal: Deal?
    var gov: DealGovernance?
    if let spec = test.deal {
      guard covenant.schema.deal != nil else {
        return .failure(Diagnostics([Diagnostic(TestingDiagnostics.notFound(.noDeal), file: file.path, dataLocation: .init(line: test.line, column: 1))]))
      }
      switch bytes(spec).flatMap({ session.loadDeal(bytes: $0.bytes, file: $0.name) }) {
      case .failure(let d): return .failure(d)
      case .success(let d): deal = d
      }
    } else if let g = session.snapshotGovernance() {
      switch g {
      case .failure(let d): return .failure(d)
      case .success(let g): gov = g
      }
    }
    session.releaseSnapshotDocument()
    let result: CheckResult
    switch session.check(deal, governance: gov) {
    case .failure(let d): return .failure(d)
    case .success(let r): result = r
    }
    var failures: [String] = []
    var lines: [Int] = []
    var failedClauses: [String] = []
    for e in test.expectations {
      if let problem = check(e, result, covenant) {
        failures.append(problem.message)
        lines.append(e.line)
        if let c = problem.clause, !failedClauses.contains(c) { failedClauses.append(c) }
      }
    }
    var details = ""
    for id in failedClauses {
      guard let c = result.clauses.first(where: { $0.id == id }) else { continue }
      details += "§\(c.id) \(c.title ?? ""): \(CheckReport.label(c.verdict))\(c.note.map { " — \($0)" } ?? "")\n"
      details += CheckReport.requirementLines(c, schema: covenant.schema, indent: "  ")
      for l in c.governance.map(GovernanceWording.lines) ?? [] { details += "  " + l + "\n" }
    }
    return .success(TestOutcome(file: file.path, name: test.name, line: test.line, passed: failures.isEmpty, failures: failures, details: details, failureLines: lines))
  }

  static func check(_ e: TestFile.Expectation, _ r: CheckResult, _ covenant: CheckedCovenant) -> (message: String, clause: String?)? {
    func clause(_ id: String) -> ClauseResult? { r.clauses.first { $0.id == CheckedClause.normalizedID(id) } }
    func unknown(_ id: String) -> (String, String?) {
      let near = closestMatch(id, in: r.clauses.map(\.id)).map { " (did you mean §\($0)?)" } ?? ""
      return ("\(e.text): the covenant has no clause §\(id)\(near)", nil)
    }
    switch e.kind {
    case .result(let compliant):
      return r.compliant == compliant ? nil : ("expected the result \(compliant ? "compliant" : "breach"), got \(r.compliant ? "compliant" : "breach") (\(CheckReport.summary(r)))", nil)
    case .verdict(let id, let v):
      guard let c = clause(id) else { return unknown(id) }
      return c.verdict == v ? nil : ("expected §\(c.id) \(v.rawValue), got \(c.verdict.rawValue)", c.id)
    case .figure(let id, let context, let group, let figure, let expected):
      guard let c = clause(id) else { return unknown(id) }
      let shown: String
      let exact: Value?
      if figure == .largestAmount {
        switch c.largestAmount {
        case .atMost(let x, let cur)?: exact = .money(x, currency: cur)
        case .lessThan(let x, let cur)?: exact = .money(x, currency: cur)
        default: exact = nil
        }
        shown = c.largestAmount.flatMap(CheckReport.boundText) ?? "none"
      } else {
        let eval: ClauseEvaluation?
        switch context {
        case .snapshot?: eval = c.snapshot
        case .proForma?: eval = c.proForma
        case nil: eval = c.proForma ?? c.snapshot
        }
        // Matched by the group's words (`for "sector power"`); only the matching outcome is read whole.
        let outcomes = eval?.outcomes ?? []
        guard let at = outcomes.indices.first(where: { group == nil || outcomes.group(at: $0)?.text == group }) else {
          let groups = outcomes.indices.compactMap { outcomes.group(at: $0)?.text }.map { "\"\($0)\"" }.joined(separator: ", ")
          return ("\(e.text): no such figure\(groups.isEmpty ? "" : "; groups are \(groups)")", c.id)
        }
        let outcome = outcomes[at]
        let v: Value? = switch figure {
        case .value: outcome.value
        case .limit: outcome.limit
        case .headroom: outcome.headroom
        case .largestAmount: nil
        }
        exact = v
        shown = v.map { Format.value($0, covenant.schema, style: outcome.style) } ?? "undefined"
      }
      switch expected {
      case .shows(let text):
        let got = figure == .largestAmount ? shown : shown
        return got.contains(text) ? nil : ("\(e.text): got \(got)", c.id)
      case .exact(let constant):
        guard let want = constantValue(constant) else {
          return ("\(e.text): `\(constant)` is not a fixed value in covenant syntax", c.id)
        }
        guard let exact else { return ("\(e.text): got \(shown)", c.id) }
        let equal: Bool
        switch (exact, want) {
        case (.money(let a, let x), .money(let b, let y)): equal = a == b && x == y
        case (.number(let a), .number(let b)): equal = a == b
        default: equal = exact == want
        }
        return equal ? nil : ("\(e.text): got \(shown) (exactly \(Self.exactText(exact)))", c.id)
      }
    }
  }

  static func exactText(_ v: Value) -> String {
    switch v {
    case .money(let x, let c): "\(c) \(x)"
    case .number(let x): x.description
    default: "\(v)"
    }
  }

  /// A fixed value written in covenant syntax (`111/312`, `$40`, `35%`), folded exactly.
  static func constantValue(_ text: String) -> Value? {
    let compiled = Checker.compile(SourceFile(name: "expect", text: "define x = " + text))
    guard let d = compiled.covenant?.definitions.first, case .constant(let v) = d.value.kind else { return nil }
    return v
  }
}

/// A JSON value as a tree, for applying a test's overrides to its data.
struct JSONTree {
  var json: JSONOut

  init(_ doc: JSONDocument, _ n: JSONNode) {
    switch doc.kind(n) {
    case .object: json = .object(doc.members(n).map { ($0.key, JSONTree(doc, $0.value).json) })
    case .array: json = .array(doc.elements(n).map { JSONTree(doc, $0).json })
    case .string:
      var s = ""
      JSONOut.escape(doc.string(n) ?? "", into: &s)
      json = .number(s)
    case .number: json = .number(String(doc.numberText(n) ?? "0"))
    case .bool: json = .bool(doc.bool(n) ?? false)
    case .null: json = .null
    }
  }

  mutating func set(_ path: [TestFile.PathStep], _ value: JSONTree) -> Bool {
    func go(_ node: inout JSONOut, _ rest: ArraySlice<TestFile.PathStep>) -> Bool {
      guard let step = rest.first else {
        node = value.json
        return true
      }
      switch (step, node) {
      case (.key(let k), .object(var members)):
        if let i = members.firstIndex(where: { $0.0 == k }) {
          guard go(&members[i].1, rest.dropFirst()) else { return false }
        } else {
          var fresh = JSONOut.object([])
          guard go(&fresh, rest.dropFirst()) else { return false }
          members.append((k, fresh))
        }
        node = .object(members)
        return true
      case (.index(let i), .array(var items)):
        guard items.indices.contains(i), go(&items[i], rest.dropFirst()) else { return false }
        node = .array(items)
        return true
      default:
        return false
      }
    }
    return go(&json, path[...])
  }
}
