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

/// Batch checking reuses the snapshot's aggregates across deals; it must give exactly what a
/// full re-evaluation gives.
@Suite(.serialized) struct BatchTests {
  func exampleRunner() throws -> (CovenantRunner, CheckedCovenant, JSONDocument) {
    let dir = repositoryRoot.appendingPathComponent("examples/us-japan-fund")
    let source = SourceFile(name: "covenant.cov", bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("covenant.cov"))))
    let c = try #require(Checker.compile(source).covenant)
    let doc = try DataLoader.parseJSON([UInt8](try Data(contentsOf: dir.appendingPathComponent("portfolio.json"))), file: "portfolio.json").get()
    let snap = try DataLoader.load(doc, record: try #require(c.schema.snapshot), schema: c.schema, file: "portfolio.json").get()
    return (CovenantRunner(covenant: c, snapshot: snap), c, doc)
  }

  func randomDeals(_ n: Int) -> [UInt8] {
    var rng = SplitMix(seed: 20261122)
    let sectors = ["ai_datacenter", "power", "semiconductor_backend", "logistics", "other"]
    let issuers = ["Abilene AI Campus LLC", "Prairie Compute Holdings", "New Issuer A", "New Issuer B"]
    let parties = ["treasury", "mof", "dfc", "jbic"]
    let votes = ["for", "against", "abstain"]
    var lines: [String] = []
    for i in 0..<n {
      let amount = rng.next(50) * 500_000_000
      let debt = rng.next(100) * 1_000_000_000
      let spread = 80 + rng.next(50)
      var voteText: [String] = []
      for p in parties where rng.next(4) > 0 { voteText.append("\"\(p)\": \"\(votes[rng.next(3)])\"") }
      let approvals = parties.prefix(rng.next(3)).map { "\"\($0)\"" }.joined(separator: ", ")
      lines.append("""
        {"id": "R\(i)", "target": "\(issuers[rng.next(issuers.count)])", "sector": "\(sectors[rng.next(sectors.count)])", "domicile": "\(rng.next(10) == 0 ? "JP" : "US")", "amount": \(amount), "debt": \(debt), "project_value": \(amount * 3), "tranches": [{"name": "A", "amount": \(amount), "spread_bps": \(spread)}], "tenor": "\(10 + rng.next(30)) years", "votes": {\(voteText.joined(separator: ", "))}, "approvals": [\(approvals)]}
        """)
    }
    return Array(lines.joined(separator: "\n").utf8)
  }

  @Test func batchEqualsFullReevaluationOnExampleAndRandomDeals() throws {
    let (runner, c, snapDoc) = try exampleRunner()
    var inputs: [DealInput] = []
    let dir = repositoryRoot.appendingPathComponent("examples/us-japan-fund/deals").path
    inputs += try DealSource.read(dir).get()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("random-\(UUID().uuidString).jsonl")
    try Data(randomDeals(200)).write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    inputs += try DealSource.read(path.path).get()
    var incremental = runner
    let batch = incremental.checkBatch(inputs, snapshotDocument: snapDoc)
    #expect(batch.allSatisfy { $0.result != nil }, "\(batch.flatMap(\.diagnostics).map(\.message))")
    var verdicts = Set<Bool>()
    for (input, entry) in zip(inputs, batch) {
      var fresh = runner
      fresh.naive = true
      let deal = try DataLoader.load(input.document, record: try #require(c.schema.deal), schema: c.schema, file: input.source, node: input.node, path: input.path).get()
      let gov = try DataLoader.governance(deal: input.document, dealFile: input.source, snapshot: snapDoc, covenant: c, node: input.node, path: input.path).get()
      let full = try fresh.check(deal: deal, dealData: gov, bounds: true)
      #expect(full.capacity == entry.result?.capacity, "\(input.source): capacity differs")
      #expect(full.clauses.map(\.largestAmount) == entry.result?.clauses.map(\.largestAmount), "\(input.source): bounds differ")
      #expect(full == entry.result, "\(input.source) differs")
      verdicts.insert(full.compliant)
    }
    #expect(verdicts.count == 2)  // both compliant and breaching deals were exercised
  }

  @Test func batchCommandReportsEachDealAndExitsOneOnBreach() {
    let out = runCommand(["check", "examples/us-japan-fund/covenant.cov", "--portfolio", "examples/us-japan-fund/portfolio.json", "--deals", "examples/us-japan-fund/deals"])
    #expect(out.exitCode == 1)
    assertGolden(out.stdout, "check/batch.txt")
    let json = runCommand(["check", "examples/us-japan-fund/covenant.cov", "--portfolio", "examples/us-japan-fund/portfolio.json", "--deals", "examples/us-japan-fund/deals", "--format", "json"])
    let array = (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [[String: Any]] ?? []
    #expect(array.count == 9)
    #expect(array.allSatisfy { $0["id"] is String && $0["source"] is String && $0["verdict"] is String })
  }

  /// Each deal of a batch would repeat every group of the snapshot's `for each` clauses (25,000
  /// issuers × 1,000 deals exhausted memory): in a batch, long group lists keep the groups that
  /// matter — here the 7 over their limits, more than the five the text report shows — with
  /// `checks_total`.
  @Test func batchJSONKeepsTheGroupsThatMatter() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-brief-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let holdings = (0..<50).map { i in ("h\(i)", "power", "US", i < 7 ? "200" : "10") }
    let cov = prelude + "§9 \"Per holding\"\n  for each id:\n    share of holdings.value where id = that id <= 10%\n"
    try Data(cov.utf8).write(to: dir.appendingPathComponent("c.cov"))
    try Data(snapshotJSON(holdings).utf8).write(to: dir.appendingPathComponent("p.json"))
    let deals = #"[{"id": "d1", "sector": "power", "domicile": "US", "amount": 5}, {"id": "d2", "sector": "logistics", "domicile": "US", "amount": 7}]"#
    try Data(deals.utf8).write(to: dir.appendingPathComponent("deals.json"))
    let args = ["check", dir.appendingPathComponent("c.cov").path, "--portfolio", dir.appendingPathComponent("p.json").path,
                "--deals", dir.appendingPathComponent("deals.json").path]
    let json = runCommand(args + ["--format", "json"])
    #expect(json.exitCode == 1)
    let array = try #require((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [[String: Any]])
    #expect(array.count == 2)
    for entry in array {
      let clause = try #require((entry["clauses"] as? [[String: Any]])?.first { $0["id"] as? String == "9" && $0["section"] as? String == "§9" })
      let proForma = try #require(clause["pro_forma"] as? [String: Any])
      let checks = try #require(proForma["checks"] as? [[String: Any]])
      #expect(checks.count == 7)
      #expect(checks.allSatisfy { $0["holds"] as? Bool == false })
      #expect((proForma["checks_total"] as? Int) == 51)  // the 50 holdings and the deal
    }
    // The text of a single check says how many of the hidden groups failed.
    let text = runCommand(["check", args[1], "--portfolio", args[3]])
    #expect(text.stdout.contains("… and 45 more groups, 2 of them over their limits"), "\(text.stdout)")
  }
}

extension SplitMix {
  mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
