import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation

/// A batch reuses each clause's solved bound, and the capacity's verification of each clause,
/// across deals with the same terms (ClosedForm.swift): every result must equal a full, naive
/// check of the same deal (the general path: three samples, the fit and both verifications per
/// deal). A portfolio of non-round amounts, caps of every provable form (a share, a sum divided
/// by a constant, an affine figure against a share of the total, a floor), deals that repeat
/// their sectors and issuers at other amounts, a deal of amount zero, deals at exactly their
/// capacity and a cent above, and a `for each` judged pro forma (the general path) beside them.
@Suite(.serialized) struct ClosedFormBatchTests {
  static let covenant = """
    covenant "Closed form" version 2026-01-01
    base currency USD
    kind sector = ai | power | chips

    record holding
      id     : text
      sector : sector
      issuer : text
      value  : money from "value_usd"
      debt   : money from "debt_usd"

    data fund from snapshot
      equity   : money from "equity_usd"
      debt     : money from "debt_usd"
      holdings : list of holding

    data deal from deal
      id     : text
      sector : sector
      issuer : text
      value  : money from "value_usd"
      debt   : money from "debt_usd"

    pro forma: the deal joins holdings with
      id = deal.id, sector = deal.sector, issuer = deal.issuer, value = deal.value, debt = deal.debt

    define nav        = sum of holdings.value
    define total_debt = fund.debt + sum of holdings.debt

    §1 "Sector cap"
      tested on pro forma
      share of holdings.value where sector = deal.sector <= 40%
      warn above 90% of the limit

    §2 "Issuer cap"
      tested on pro forma
      share of holdings.value where issuer = deal.issuer < 20%

    §3 "Leverage"
      tested on pro forma
      total_debt <= 2.0x fund.equity

    §4 "Half the sector against equity"
      tested on pro forma
      (sum of holdings.value where sector = deal.sector) / 2 - $1 million <= 60% of fund.equity

    §5 "Deal size"
      tested on pro forma
      deal.value + deal.debt <= 25% of nav

    §6 "Power floor"
      tested on pro forma
      sum of holdings.value where sector = power >= 10% of nav

    §7 "Issuers on the snapshot"
      tested on snapshot
      for each issuer:
        share of holdings.value where issuer = that issuer <= 45%

    """

  /// The same with a `for each` judged pro forma: its bound takes the general path every time.
  static let withGroups = covenant + """
    §8 "Every issuer, pro forma"
      tested on pro forma
      for each issuer:
        share of holdings.value where issuer = that issuer <= 45%

    """

  static let snapshotJSON = """
    {"equity_usd": "2500000000.00", "debt_usd": "400000000.13",
     "holdings": [
      {"id": "H1", "sector": "ai", "issuer": "Acme", "value_usd": "312345678.91", "debt_usd": "100000000.07"},
      {"id": "H2", "sector": "power", "issuer": "Birch", "value_usd": "287654321.19", "debt_usd": "120000000.33"},
      {"id": "H3", "sector": "chips", "issuer": "Cedar", "value_usd": "123456789.01", "debt_usd": "10000000.00"},
      {"id": "H4", "sector": "ai", "issuer": "Dune", "value_usd": "180000000.05", "debt_usd": "90000000.00"},
      {"id": "H5", "sector": "power", "issuer": "Acme", "value_usd": "150000000.99", "debt_usd": "70000000.00"},
      {"id": "H6", "sector": "chips", "issuer": "Elm", "value_usd": "99999999.99", "debt_usd": "0.01"}
     ]}
    """

  func deals(_ n: Int) -> [String] {
    var rng = SplitMix(seed: 17_2026)
    let sectors = ["ai", "power", "chips"]
    let issuers = ["Acme", "Birch", "Cedar", "Dune", "Elm", "Fir", "Gorse"]
    return (0..<n).map { i in
      // Amounts of 0 to 400 million with cents (one deal of zero), repeating sectors and issuers.
      let cents = i == 3 ? 0 : rng.next(400) * 100_000_000 + rng.next(100_000_000)
      let debt = rng.next(300) * 1_000_000 + rng.next(100)
      return """
        {"id": "T\(i)", "sector": "\(sectors[rng.next(sectors.count)])", "issuer": "\(issuers[rng.next(issuers.count)])", "value_usd": "\(Self.cents(cents))", "debt_usd": "\(Self.cents(debt))"}
        """
    }
  }

  static func cents(_ c: Int) -> String {
    "\(c / 100)." + (c % 100 < 10 ? "0" : "") + "\(c % 100)"
  }

  func compile(_ text: String) throws -> (CovenantRunner, CheckedCovenant, JSONDocument) {
    try batchFixture(text, covenantFile: "closed.cov", snapshotJSON: Self.snapshotJSON, snapshotFile: "fund.json")
  }

  func inputs(_ lines: [String]) throws -> [DealInput] { try dealInputs(lines, prefix: "closed") }

  /// Each entry of the batch against a fresh, naive check of its deal; returns the results and
  /// the batch's runner (whose tables show what was reused).
  func compareWithFullChecks(_ text: String, _ lines: [String]) throws -> ([CheckResult], CovenantRunner) {
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
    return (out, incremental)
  }

  /// The deals again at exactly their capacity and a cent above it.
  func atAndAboveCapacity(_ lines: [String], _ results: [CheckResult]) -> [String] {
    var edge: [String] = []
    for (line, r) in zip(lines, results) {
      guard let cap = r.capacity, cap.status == .amount, let at = cap.amount, let cent = try? Exact(1, scale: 2), let above = try? at.adding(cent),
        let a = try? at.scaled(places: 2, rounding: .down), let b = try? above.scaled(places: 2, rounding: .down),
        let ai = Int(String(a)), let bi = Int(String(b))
      else { continue }
      for c in [ai, bi] {
        edge.append(line.replacingOccurrences(of: #""value_usd": "[0-9.]+""#, with: "\"value_usd\": \"\(Self.cents(c))\"", options: .regularExpression))
      }
    }
    return edge
  }

  @Test func reusedBoundsEqualTheGeneralPath() throws {
    let lines = deals(60)
    let (first, runner) = try compareWithFullChecks(Self.covenant, lines)
    // The shortcut was taken, and reused: one solution of §1 per sector (3), of §2 per issuer
    // (7), of §5 per deal debt (it reads `deal.debt`), fewer in all than deals × solvable caps.
    #expect(runner.memo.bounds.keys.filter { $0.clause == 0 }.count == 3)
    #expect(runner.memo.bounds.keys.filter { $0.clause == 1 }.count == 7)
    #expect(runner.memo.bounds.count < lines.count * 5)
    #expect(!runner.memo.verdicts.isEmpty)
    // §1, §2, §4, §5 and §6 solve in closed form; §3 does not move with the amount.
    for ci in [0, 1, 3, 4, 5] { #expect(runner.closedForm(ci)?.solvable == true, "clause \(ci + 1)") }
    let verdicts = Set(first.map(\.compliant))
    let statuses = Set(first.compactMap { $0.capacity?.status.rawValue })
    #expect(verdicts == [true, false] && statuses.contains("amount"), "\(verdicts) \(statuses)")
    let edge = atAndAboveCapacity(lines, first)
    #expect(edge.count >= 20)
    let (atEdge, _) = try compareWithFullChecks(Self.covenant, edge)
    for (i, r) in atEdge.enumerated() { #expect(r.compliant == (i % 2 == 0), "edge deal \(i)") }
  }

  @Test func aForEachJudgedProFormaTakesTheGeneralPath() throws {
    let lines = deals(40)
    let (first, runner) = try compareWithFullChecks(Self.withGroups, lines)
    #expect(runner.closedForm(7) == nil)
    #expect(runner.closedForm(0)?.solvable == true)
    // §8's bound (the deal's own issuer group moves with the amount) came from the general path.
    #expect(first.contains { $0.clauses.count == 8 && $0.clauses[7].largestAmount != nil })
    let (atEdge, _) = try compareWithFullChecks(Self.withGroups, atAndAboveCapacity(lines, first))
    for (i, r) in atEdge.enumerated() { #expect(r.compliant == (i % 2 == 0), "edge deal \(i)") }
  }

  /// A text batch checks deals without their figures (`checkBatch(figures: false)`): every
  /// verdict, warning, bound and the capacity must still be the naive full check's.
  func compareStatusOnly(_ text: String, _ lines: [String]) throws {
    let (runner, c, doc) = try compile(text)
    let ins = try inputs(lines)
    var incremental = runner
    let batch = incremental.checkBatch(ins, snapshotDocument: doc, figures: false)
    #expect(batch.count == ins.count)
    for (input, entry) in zip(ins, batch) {
      let full = try naiveFullCheck(runner, c, doc, input)
      let result = try #require(entry.result, "\(input.source): \(entry.diagnostics.map(\.message))")
      #expect(full.compliant == result.compliant, "\(input.source)")
      #expect(full.capacity == result.capacity, "\(input.source): capacity differs")
      #expect(full.dealID == result.dealID)
      #expect(full.clauses.count == result.clauses.count)
      for (f, r) in zip(full.clauses, result.clauses) {
        #expect(f.verdict == r.verdict, "\(input.source) §\(f.id)")
        #expect(f.largestAmount == r.largestAmount, "\(input.source) §\(f.id)")
        #expect(f.notes == r.notes && f.disapplied == r.disapplied && f.exceptions == r.exceptions, "\(input.source) §\(f.id)")
        #expect(f.proForma?.verdict == r.proForma?.verdict && f.snapshot?.verdict == r.snapshot?.verdict, "\(input.source) §\(f.id)")
        #expect(f.proForma?.undefined == r.proForma?.undefined, "\(input.source) §\(f.id)")
        let fs = f.proForma.map { e in e.outcomes.indices.map { e.outcomes.status(at: $0) } }
        let rs = r.proForma.map { e in e.outcomes.indices.map { e.outcomes.status(at: $0) } }
        #expect(fs == rs, "\(input.source) §\(f.id): outcome status differs")
      }
    }
  }

  @Test func aTextBatchWithoutFiguresHasTheFullChecksVerdicts() throws {
    let lines = deals(60)
    let (first, _) = try compareWithFullChecks(Self.covenant, lines)
    // Warnings happen (the sector cap warns above 90% of its limit), so `warned` is compared too.
    #expect(first.contains { $0.clauses.contains { $0.verdict == .warning } })
    try compareStatusOnly(Self.covenant, lines + atAndAboveCapacity(lines, first))
    try compareStatusOnly(Self.withGroups, lines)
  }
}
