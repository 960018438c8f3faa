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

/// A small fund schema shared by evaluation tests; each test appends its own clauses.
let prelude = """
  covenant "Test Fund" version 2026-01-01
  base currency USD
  kind sector = power | logistics | ai_datacenter
  record holding
    id       : text
    sector   : sector
    domicile : country
    value    : money
    debt     : money optional default $0
  data fund from snapshot
    as_of    : date
    equity   : money
    debt     : money
    holdings : list of holding
  data deal from deal
    id       : text
    sector   : sector
    domicile : country
    amount   : money
    debt     : money default $0
  pro forma: deal joins holdings with id = deal.id, sector = deal.sector, domicile = deal.domicile, value = deal.amount, debt = deal.debt
  define nav = sum of holdings.value

  """

func compile(_ source: String, name: String = "test.cov") -> Checker.Result {
  Checker.compile(SourceFile(name: name, text: source))
}

/// The diagnostic codes a covenant produces, errors only, in order.
func errorCodes(_ source: String) -> [String] {
  compile(source).diagnostics.filter(\.isError).map(\.code)
}

func snapshotJSON(equity: String = "1000", debt: String = "0", asOf: String = "2026-06-30", _ holdings: [(String, String, String, String)]) -> String {
  let items = holdings.map { h in "{\"id\": \"\(h.0)\", \"sector\": \"\(h.1)\", \"domicile\": \"\(h.2)\", \"value\": \(h.3)}" }
  return "{\"as_of\": \"\(asOf)\", \"equity\": \(equity), \"debt\": \(debt), \"holdings\": [\(items.joined(separator: ", "))]}"
}

struct RunFailure: Error, CustomStringConvertible {
  var description: String
}

/// Compiles `covenant`, loads the JSON texts and checks; failures carry their diagnostics.
func run(_ covenant: String, snapshot: String, deal: String? = nil) throws -> (CheckResult, CheckedCovenant) {
  let compiled = compile(covenant)
  guard let c = compiled.covenant else {
    throw RunFailure(description: compiled.diagnostics.map { "\($0.code) \($0.message)" }.joined(separator: "\n"))
  }
  func load(_ text: String, _ record: Int?, _ file: String) throws -> (Value, JSONDocument) {
    guard let record else { throw RunFailure(description: "no record") }
    switch DataLoader.parseJSON(Array(text.utf8), file: file) {
    case .failure(let d): throw RunFailure(description: "\(d.code) \(d.message)")
    case .success(let doc):
      switch DataLoader.load(doc, record: record, schema: c.schema, file: file) {
      case .failure(let ds): throw RunFailure(description: ds.list.map { "\($0.code) \($0.path ?? ""): \($0.message)" }.joined(separator: "\n"))
      case .success(let v): return (v, doc)
      }
    }
  }
  let (snap, snapDoc) = try load(snapshot, c.schema.snapshot, "portfolio.json")
  var dealValue: Value?
  var gov: DealGovernance?
  if let deal {
    let (d, doc) = try load(deal, c.schema.deal, "deal.json")
    dealValue = d
    switch DataLoader.governance(deal: doc, dealFile: "deal.json", snapshot: snapDoc, covenant: c) {
    case .failure(let ds): throw RunFailure(description: ds.list.map { "\($0.code) \($0.path ?? ""): \($0.message)" }.joined(separator: "\n"))
    case .success(let g): gov = g
    }
  } else if let g = DataLoader.snapshotGovernance(snapshot: snapDoc, snapshotFile: "portfolio.json", covenant: c) {
    switch g {
    case .failure(let ds): throw RunFailure(description: ds.list.map { "\($0.code) \($0.path ?? ""): \($0.message)" }.joined(separator: "\n"))
    case .success(let g): gov = g
    }
  }
  var runner = CovenantRunner(covenant: c, snapshot: snap)
  return (try runner.check(deal: dealValue, dealData: gov), c)
}

func verdict(_ result: CheckResult, _ id: String) -> Verdict? {
  result.clauses.first { $0.id == id }?.verdict
}

/// The repository's root, found from this file's path so tests run from any directory.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

extension CovenantRunner {
  /// Tests hold checked covenants: plan them as the driver does before running.
  init(covenant: CheckedCovenant, snapshot: Value) {
    self.init(plan: CovenantSession.plan(covenant), snapshot: snapshot)
  }
}

/// A batch test's covenant compiled and its snapshot loaded: the runner a batch starts from.
func batchFixture(_ text: String, covenantFile: String, snapshotJSON: String, snapshotFile: String) throws -> (CovenantRunner, CheckedCovenant, JSONDocument) {
  let c = try #require(Checker.compile(SourceFile(name: covenantFile, bytes: Array(text.utf8))).covenant)
  let doc = try DataLoader.parseJSON(Array(snapshotJSON.utf8), file: snapshotFile).get()
  let snap = try DataLoader.load(doc, record: try #require(c.schema.snapshot), schema: c.schema, file: snapshotFile).get()
  return (CovenantRunner(covenant: c, snapshot: snap), c, doc)
}

/// Deals given one JSON object a line, read as `--deals` reads a `.jsonl` file.
func dealInputs(_ lines: [String], prefix: String) throws -> [DealInput] {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString).jsonl")
  try Data(lines.joined(separator: "\n").utf8).write(to: path)
  defer { try? FileManager.default.removeItem(at: path) }
  return try DealSource.read(path.path).get()
}

/// One deal of a batch checked alone by a fresh, naive runner (no caches, no reuse across
/// deals): what every shortcut of a batch must agree with.
func naiveFullCheck(_ runner: CovenantRunner, _ c: CheckedCovenant, _ doc: JSONDocument, _ input: DealInput) throws -> CheckResult {
  var fresh = runner
  fresh.naive = true
  let deal = try DataLoader.load(input.document, record: try #require(c.schema.deal), schema: c.schema, file: input.source, node: input.node, path: input.path).get()
  let gov = try DataLoader.governance(deal: input.document, dealFile: input.source, snapshot: doc, covenant: c, node: input.node, path: input.path).get()
  return try fresh.check(deal: deal, dealData: gov, bounds: true)
}

/// Delivers a command's output as the executable does, to a pipe whose reader has already left
/// (`covenant … | head` that read nothing): the exit code and what reached standard error.
func deliverToClosedPipe(_ out: CommandOutput) throws -> (code: Int32, stderr: String) {
  signal(SIGPIPE, SIG_IGN)
  var pipeFDs: [Int32] = [0, 0]
  try #require(pipe(&pipeFDs) == 0)
  close(pipeFDs[0])
  var errFDs: [Int32] = [0, 0]
  try #require(pipe(&errFDs) == 0)
  let code = Commands.deliver(out, stdoutFD: pipeFDs[1], stderrFD: errFDs[1])
  close(pipeFDs[1])
  close(errFDs[1])
  let stderr = String(decoding: OutputChannel.readAll(errFDs[0]) ?? [], as: UTF8.self)
  close(errFDs[0])
  return (code, stderr)
}
