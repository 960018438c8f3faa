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

/// A batch verifies each deal's capacity on the clauses that move with the amount only, and shares
/// the evaluators of the amounts it samples and verifies: every result must equal a full,
/// naive check of the same deal. Data in a shape of its own (nested keys, euros, a `for each`
/// judged pro forma, a threshold, a floor, a warning), with deals at exactly their capacity and
/// one cent above it.
@Suite(.serialized) struct BatchIncrementalTests {
  static let prelude = """
    covenant "Shape Fund" version 2026-01-01
    base currency EUR
    kind bucket = infra | credit | venture

    record position
      ref     : text   from "position_ref"
      bucket  : bucket from "strategy"
      manager : text   from "gp"
      mv      : money  from "market_value_eur"
      lev     : money  from "borrowing_eur"

    data book from snapshot
      as_of     : date  from "valuation_date"
      committed : money from "commitments.total_eur"
      positions : list of position from "book.positions"

    data ticket from deal
      ref     : text   from "ticket"
      bucket  : bucket from "strategy"
      manager : text   from "gp"
      size    : money  from "ticket_size_eur"
      lev     : money  from "ticket_borrowing_eur"

    pro forma: the deal joins positions with
      ref = ticket.ref, bucket = ticket.bucket, manager = ticket.manager, mv = ticket.size, lev = ticket.lev

    define gross   = sum of positions.mv
    define levered = sum of positions.lev

    §1 "Strategy cap"
      tested on pro forma
      share of positions.mv where bucket = ticket.bucket <= 45%
      warn above 90% of the limit

    §2 "Manager cap"
      tested on pro forma
      for each manager:
        share of positions.mv where manager = that manager <= 35%

    §3 "Leverage"
      levered <= 60% of gross

    §4 "Venture sleeve"
      applies when ticket.size > €50 million
      tested on pro forma
      sum of positions.mv where bucket = venture <= 25% of book.committed

    §5 "Infrastructure floor"
      tested on pro forma
      sum of positions.mv where bucket = infra >= 20% of gross

    §6 "Snapshot managers"
      tested on snapshot
      for each manager:
        share of positions.mv where manager = that manager <= 40%

    """

  /// The same with a cap the solver cannot solve (a maximum): capacity "not computed".
  static let withMaximum = prelude + """
    §7 "Largest position"
      tested on pro forma
      max of positions.mv <= €400 million

    """

  static let snapshotJSON = """
    {"valuation_date": "2026-06-30", "commitments": {"total_eur": "2000000000.00"},
     "book": {"positions": [
      {"position_ref": "P1", "strategy": "infra", "gp": "Alder", "market_value_eur": "300000000.17", "borrowing_eur": "150000000.00"},
      {"position_ref": "P2", "strategy": "credit", "gp": "Birch", "market_value_eur": "250000000.00", "borrowing_eur": "120000000.33"},
      {"position_ref": "P3", "strategy": "venture", "gp": "Cedar", "market_value_eur": "120000000.00", "borrowing_eur": "10000000.00"},
      {"position_ref": "P4", "strategy": "infra", "gp": "Fir", "market_value_eur": "180000000.05", "borrowing_eur": "90000000.00"},
      {"position_ref": "P5", "strategy": "credit", "gp": "Dogwood", "market_value_eur": "150000000.00", "borrowing_eur": "70000000.00"}
     ]}}
    """

  func deals(_ n: Int) -> [String] {
    var rng = SplitMix(seed: 7_2026)
    let buckets = ["infra", "credit", "venture"]
    let gps = ["Alder", "Birch", "Cedar", "Dogwood", "Elm"]
    return (0..<n).map { i in
      let size = rng.next(400) * 1_000_000 + rng.next(100)
      let lev = rng.next(300) * 1_000_000
      return """
        {"ticket": "T\(i)", "strategy": "\(buckets[rng.next(3)])", "gp": "\(gps[rng.next(gps.count)])", "ticket_size_eur": "\(size / 100).\(String(format: "%02d", size % 100))", "ticket_borrowing_eur": "\(lev).00"}
        """
    }
  }

  func compile(_ text: String) throws -> (CovenantRunner, CheckedCovenant, JSONDocument) {
    try batchFixture(text, covenantFile: "shape.cov", snapshotJSON: Self.snapshotJSON, snapshotFile: "book.json")
  }

  func inputs(_ lines: [String]) throws -> [DealInput] { try dealInputs(lines, prefix: "shape") }

  /// Each entry of the batch against a fresh, naive check of its deal; returns the results.
  func compareWithFullChecks(_ text: String, _ lines: [String]) throws -> [CheckResult] {
    let (runner, c, doc) = try compile(text)
    let ins = try inputs(lines)
    var incremental = runner
    let batch = incremental.checkBatch(ins, snapshotDocument: doc)
    var out: [CheckResult] = []
    for (input, entry) in zip(ins, batch) {
      let full = try naiveFullCheck(runner, c, doc, input)
      let result = try #require(entry.result, "\(input.source): \(entry.diagnostics.map(\.message))")
      #expect(full.capacity == result.capacity, "\(input.source): capacity differs")
      #expect(full.clauses.map(\.largestAmount) == result.clauses.map(\.largestAmount), "\(input.source): bounds differ")
      #expect(full == result, "\(input.source) differs")
      out.append(full)
    }
    return out
  }

  static func text(_ x: Exact) -> String {
    let s = (try? x.scaled(places: 2, rounding: .down)).map { String($0) } ?? "0"
    let padded = String(repeating: "0", count: max(0, 3 - s.count)) + s
    return String(padded.dropLast(2)) + "." + String(padded.suffix(2))
  }

  @Test func batchEqualsFullChecksAtAndAroundEachCapacity() throws {
    let lines = deals(60)
    let first = try compareWithFullChecks(Self.prelude, lines)
    var statuses = Set<String>(), verdicts = Set<Bool>()
    // The same deals at exactly their capacity, and one cent above it.
    var edge: [String] = []
    for (line, r) in zip(lines, first) {
      statuses.insert(r.capacity?.status.rawValue ?? "-")
      verdicts.insert(r.compliant)
      guard let cap = r.capacity, cap.status == .amount, let at = cap.amount, let cent = try? Exact(1, scale: 2), let above = try? at.adding(cent) else { continue }
      for x in [at, above] {
        let amount = "\"ticket_size_eur\": \"\(Self.text(x))\""
        edge.append(line.replacingOccurrences(of: #""ticket_size_eur": "[0-9.]+""#, with: amount, options: .regularExpression))
      }
    }
    #expect(statuses.contains("amount") && verdicts == [true, false], "\(statuses) \(verdicts)")
    #expect(edge.count >= 20)
    let atEdge = try compareWithFullChecks(Self.prelude, edge)
    // At its capacity a deal is compliant; a cent above, in breach.
    for (i, r) in atEdge.enumerated() { #expect(r.compliant == (i % 2 == 0), "edge deal \(i)") }
  }

  @Test func batchEqualsFullChecksWhenCapacityIsNotComputed() throws {
    let results = try compareWithFullChecks(Self.withMaximum, deals(30))
    #expect(results.contains { $0.capacity?.status == .notComputed })
  }
}
