import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation

/// The batch's per-deal kernel (DealKernel.swift) against the naive full check of every deal:
/// the same verdict for every clause, the same capacity (status, amount, exact bound, binding
/// clause, reason) and the same deal id. A snapshot clause over groups at its warning level
/// beside them (the kernel reuses its result). Key names, ids and layout unlike examples/: positions
/// with `mv`/`borrowings`, obligors and industries; caps strict and not, a floor, an affine cap
/// that moves with the amount, leverage that moves with another field; deals at zero, in
/// groups absent from the portfolio, in groups already over their cap, at exactly their
/// capacity and a cent above, and amounts far beyond the portfolio.
@Suite(.serialized) struct DealKernelTests {
  static let covenant = """
    covenant "Kernel fixture" version 2026-12-01
    base currency EUR
    kind industry = fibre | towers | grid | ports

    record position
      ref        : text
      industry   : industry
      country    : country
      obligor    : text
      mv         : money from "market_value"
      borrowings : money from "borrowed"

    data fund from snapshot
      capital    : money from "capital_eur"
      borrowings : money from "facility_eur"
      positions  : list of position

    data deal from deal
      ref        : text
      industry   : industry
      country    : country
      obligor    : text
      mv         : money from "market_value"
      borrowings : money from "borrowed"

    pro forma: the deal joins positions with
      ref = deal.ref, industry = deal.industry, country = deal.country, obligor = deal.obligor,
      mv = deal.mv, borrowings = deal.borrowings

    define gearing = fund.borrowings + sum of positions.borrowings

    §S1 "Portfolio countries"
      tested on snapshot
      every position in positions: position.country = GB or position.country = IE

    §S2 "Obligors on the book"
      tested on snapshot
      for each obligor:
        share of positions.mv where obligor = that obligor <= 35%
      warn above 80% of the limit

    §P1 "Deal country"
      tested on pro forma
      deal.country != FR

    §P2 "Industry cap"
      tested on pro forma
      share of positions.mv where industry = deal.industry <= 35%

    §P3 "Obligor cap"
      tested on pro forma
      share of positions.mv where obligor = deal.obligor < 30%

    §P4 "Gearing"
      tested on pro forma
      gearing <= 1.5x fund.capital

    §P5 "Ticket size"
      tested on pro forma
      deal.mv + deal.borrowings <= 20% of fund.capital
      deal.mv >= €0.25m

    """

  static let portfolio = """
    {"capital_eur": "910000000.37", "facility_eur": "120000000.00",
     "positions": [
      {"ref": "P-01", "industry": "fibre", "country": "GB", "obligor": "Kestrel", "market_value": "81234567.89", "borrowed": "20000000.01"},
      {"ref": "P-02", "industry": "towers", "country": "IE", "obligor": "Heron", "market_value": "64000000.11", "borrowed": "31000000.00"},
      {"ref": "P-03", "industry": "grid", "country": "GB", "obligor": "Kestrel", "market_value": "23456789.00", "borrowed": "0.00"},
      {"ref": "P-04", "industry": "fibre", "country": "GB", "obligor": "Wren", "market_value": "97000000.99", "borrowed": "45000000.50"},
      {"ref": "P-05", "industry": "grid", "country": "IE", "obligor": "Osprey", "market_value": "12345678.91", "borrowed": "5000000.00"},
      {"ref": "P-06", "industry": "fibre", "country": "GB", "obligor": "Plover", "market_value": "55555555.55", "borrowed": "12000000.00"}
     ]}
    """

  /// The same covenant with an `applies when`: the kernel does not take it.
  static let conditional = covenant + """
    §P6 "Large deals"
      tested on pro forma
      applies when deal.mv > €50 million
      share of positions.mv where obligor = deal.obligor <= 8%

    """

  func deals(_ n: Int, seed: UInt64) -> [String] {
    var rng = SplitMix(seed: seed)
    let industries = ["fibre", "towers", "grid", "ports"]
    let countries = ["GB", "IE", "FR", "DE"]
    let obligors = ["Kestrel", "Heron", "Wren", "Osprey", "Plover", "Curlew"]
    return (0..<n).map { i in
      // Amounts of zero to €90 million with cents; one far beyond the portfolio.
      var cents = i % 17 == 0 ? 0 : Int(rng.next() % 9_000) * 1_000_000 + Int(rng.next() % 1_000_000)
      if i == 5 { cents = 4_000_000_000_000_000 }
      let borrowed = Int(rng.next() % 400) * 10_000_000 + Int(rng.next() % 100)
      return """
        {"ref": "K-\(1000 + i)", "industry": "\(industries[Int(rng.next() % 4)])", "country": "\(countries[Int(rng.next() % 4)])", "obligor": "\(obligors[Int(rng.next() % 6)])", "market_value": "\(Self.euros(cents))", "borrowed": "\(Self.euros(borrowed))"}
        """
    }
  }

  static func euros(_ c: Int) -> String {
    "\(c / 100)." + (c % 100 < 10 ? "0" : "") + "\(c % 100)"
  }

  /// Each deal checked as a text batch checks it (`verdictsOnly`) against the naive full check.
  /// Returns the naive results and how many deals the kernel judged.
  @discardableResult
  func compare(_ text: String, _ portfolio: String, _ lines: [String]) throws -> (results: [CheckResult], kernel: Int, runner: CovenantRunner) {
    let (runner, c, doc) = try batchFixture(text, covenantFile: "kernel.cov", snapshotJSON: portfolio, snapshotFile: "book.json")
    let ins = try dealInputs(lines, prefix: "kernel")
    var batch = runner
    var entries: [BatchEntry] = []
    batch.checkBatch(ins, snapshotDocument: doc, figures: false, verdictsOnly: true) { entries.append($0) }
    #expect(entries.count == ins.count)
    var out: [CheckResult] = []
    var byKernel = 0
    for (input, entry) in zip(ins, entries) {
      guard let full = try? naiveFullCheck(runner, c, doc, input) else {
        // A deal the full check cannot judge is invalid in the batch too.
        #expect(entry.result == nil && !entry.diagnostics.isEmpty, "\(input.source)")
        continue
      }
      let r = try #require(entry.result, "\(input.source): \(entry.diagnostics.map(\.message))")
      #expect(r.clauses.map(\.verdict) == full.clauses.map(\.verdict), "\(input.source): verdicts")
      #expect(r.clauses.map(\.id) == full.clauses.map(\.id))
      #expect(r.capacity == full.capacity, "\(input.source): capacity \(String(describing: r.capacity)) vs \(String(describing: full.capacity))")
      #expect(r.compliant == full.compliant && r.dealID == full.dealID && r.asOf == full.asOf)
      // The kernel leaves the pro forma outcomes out; the general path never does.
      if r.clauses.contains(where: { $0.proForma != nil && $0.proForma!.outcomes.isEmpty }) { byKernel += 1 }
      out.append(full)
    }
    return (out, byKernel, batch)
  }

  /// The deals again at exactly their capacity and a cent above it.
  func atAndAboveCapacity(_ lines: [String], _ results: [CheckResult]) -> [String] {
    var edge: [String] = []
    for (line, r) in zip(lines, results) {
      guard let cap = r.capacity, cap.status == .amount, let at = cap.amount, let a = try? at.scaled(places: 2, rounding: .down),
        let ai = Int(String(a))
      else { continue }
      for c in [ai, ai + 1] {
        edge.append(line.replacingOccurrences(of: #""market_value": "[0-9.]+""#, with: "\"market_value\": \"\(Self.euros(c))\"", options: .regularExpression))
      }
    }
    return edge
  }

  @Test func kernelAgreesWithTheNaiveCheck() throws {
    let lines = deals(90, seed: 2026_12_01)
    let (results, byKernel, runner) = try compare(Self.covenant, Self.portfolio, lines)
    // Built, and it judged every deal after the first.
    #expect(runner.memo.kernel??.clauses.count == 7)
    #expect(byKernel == lines.count - 1)
    // The data reach every outcome: compliant and not, capacities of each status, each cap binding.
    #expect(Set(results.map(\.compliant)) == [true, false])
    let statuses = Set(results.compactMap { $0.capacity?.status.rawValue })
    #expect(statuses.isSuperset(of: ["amount", "none"]), "\(statuses)")
    let binding = Set(results.compactMap { $0.capacity?.status == .amount ? $0.capacity?.bindingClause : nil })
    #expect(binding.count >= 2, "\(binding)")
    let edge = atAndAboveCapacity(lines, results)
    #expect(edge.count >= 20)
    let (atEdge, edgeByKernel, _) = try compare(Self.covenant, Self.portfolio, edge)
    #expect(edgeByKernel == edge.count - 1)
    // At the capacity the deal complies where no other clause fails; a cent above it never does.
    for i in stride(from: 1, to: atEdge.count, by: 2) { #expect(!atEdge[i].compliant, "edge deal \(i)") }
    #expect(atEdge.enumerated().contains { $0.offset % 2 == 0 && $0.element.compliant })
  }

  @Test func aPortfolioInBreachLeavesNoCapacity() throws {
    // A holding outside GB/IE: §S1 fails at every amount and binds every deal.
    let breached = Self.portfolio.replacingOccurrences(of: #""ref": "P-05", "industry": "grid", "country": "IE""#, with: #""ref": "P-05", "industry": "grid", "country": "US""#)
    let (results, byKernel, _) = try compare(Self.covenant, breached, deals(30, seed: 7))
    #expect(byKernel == 29)
    for r in results {
      #expect(r.capacity?.status == Capacity.Status.none && r.capacity?.bindingClause == "S1")
    }
  }

  @Test func aCovenantOutsideTheKernelTakesTheGeneralPath() throws {
    let (_, byKernel, runner) = try compare(Self.conditional, Self.portfolio, deals(25, seed: 11))
    #expect(byKernel == 0)
    #expect(runner.memo.kernel != nil && runner.memo.kernel! == nil)
  }

  @Test func dealsTheKernelCannotJudgeTakeTheGeneralPath() throws {
    // An amount in yen (no FX table: the full check's error) and borrowings in yen.
    var lines = deals(6, seed: 3)
    lines.append(#"{"ref": "K-X1", "industry": "ports", "country": "GB", "obligor": "Wren", "market_value": "JPY 900000000", "borrowed": "0.00"}"#)
    lines.append(#"{"ref": "K-X2", "industry": "grid", "country": "IE", "obligor": "Wren", "market_value": "1000000.00", "borrowed": "JPY 5"}"#)
    let (_, byKernel, _) = try compare(Self.covenant, Self.portfolio, lines)
    #expect(byKernel == 5)
  }
}
