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

/// A covenant with sector caps and floors, and a portfolio in cents.
private let capacityPrelude = """
  covenant "Capacity Fund" version 2026-01-01
  base currency USD
  kind sector = a | b | c
  record holding
    id     : text
    sector : sector
    value  : money
  data fund from snapshot
    as_of    : date
    holdings : list of holding
  data deal from deal
    id     : text
    sector : sector
    amount : money
  pro forma: deal joins holdings with id = deal.id, sector = deal.sector, value = deal.amount
  define nav = sum of holdings.value

  """

private func cents(_ c: Int64) -> String {
  let s = String(c)
  let padded = String(repeating: "0", count: max(0, 3 - s.count)) + s
  return String(padded.dropLast(2)) + "." + String(padded.suffix(2))
}

private func portfolio(_ holdings: [(String, Int64)]) -> String {
  let items = holdings.enumerated().map { "{\"id\": \"H\($0.offset)\", \"sector\": \"\($0.element.0)\", \"value\": \"\(cents($0.element.1))\"}" }
  return "{\"as_of\": \"2026-06-30\", \"holdings\": [\(items.joined(separator: ", "))]}"
}

private func deal(_ sector: String, _ amount: String) -> String {
  "{\"id\": \"D1\", \"sector\": \"\(sector)\", \"amount\": \"\(amount)\"}"
}

/// A reference fraction over decimal strings (BigIntTests' `SDec`), independent of BigInt and Exact.
private struct Ref {
  var n: SDec
  var d: SDec  // positive
  init(_ n: SDec, _ d: SDec) {
    (self.n, self.d) = d.neg ? (-n, -d) : (n, d)
  }
  init(_ i: Int64) { self.init(SDec(String(i)), SDec("1")) }
  static func - (a: Ref, b: Ref) -> Ref { Ref(a.n * b.d + -(b.n * a.d), a.d * b.d) }
  static func * (a: Ref, b: Ref) -> Ref { Ref(a.n * b.n, a.d * b.d) }
  static func / (a: Ref, b: Ref) -> Ref { Ref(a.n * b.d, a.d * b.n) }
  static func < (a: Ref, b: Ref) -> Bool { a.n * b.d < b.n * a.d }
  var isNegative: Bool { n.neg }
  func equals(_ e: Exact) -> Bool {
    let (en, ed) = e.bigParts
    return SDec(en.description) * d == n * SDec(ed.description)
  }
}

@Suite struct CapacityTests {
  /// The issue's case: a cent-level holding made the fit overflow 128 bits and the solver gave a
  /// false reason.
  @Test func sectorCapWithNonRoundHoldings() throws {
    let cov = capacityPrelude + """
      §4.2 "Sector cap"
        for each sector:
          share of holdings.value where sector = that sector <= 40%

      """
    let snap = portfolio([("a", 30_000_000_100), ("b", 35_000_000_000), ("c", 35_000_000_000)])
    let (r, _) = try run(cov, snapshot: snap, deal: deal("a", "100000000"))
    let x = try #require(try Exact.parse("166666665.66"))
    guard case .atMost(let bound, "USD") = r.clauses[0].largestAmount else {
      Issue.record("no bound: \(String(describing: r.clauses[0].largestAmount))")
      return
    }
    #expect(try bound.scaled(places: 2, rounding: .down) == 16_666_666_566)
    #expect(r.capacity?.status == .amount && r.capacity?.amount == x && r.capacity?.bindingClause == "4.2")
    #expect(r.capacity?.exact == bound)
  }

  /// $1 added to every position of the example portfolio must keep §4.2(a)'s figure (the fit's
  /// fractions then exceed 128 bits).
  @Test func examplePortfolioPlusOneDollarKeepsTheFigure() throws {
    let dir = repositoryRoot.appendingPathComponent("examples/us-japan-fund")
    let cov = try String(contentsOf: dir.appendingPathComponent("covenant.cov"), encoding: .utf8)
    var text = try String(contentsOf: dir.appendingPathComponent("portfolio.json"), encoding: .utf8)
    // "market_value": "28500000000.00" → "28500000001.00"
    var parts = text.components(separatedBy: "\"market_value\": \"")
    for i in parts.indices.dropFirst() {
      let close = try #require(parts[i].firstIndex(of: "\""))
      let v = try #require(try Exact.parse(parts[i][..<close])).adding(.one)
      parts[i] = v.formatted(places: 2) + parts[i][close...]
    }
    text = parts.joined(separator: "\"market_value\": \"")
    #expect(parts.count == 21)
    let dealText = try String(contentsOf: dir.appendingPathComponent("deals/sector-cap.json"), encoding: .utf8)
    let (r, _) = try run(cov, snapshot: text, deal: dealText)
    guard case .atMost(let x, "USD") = r.clauses.first(where: { $0.id == "4.2(a)" })?.largestAmount else {
      Issue.record("§4.2(a) has no figure: \(String(describing: r.clauses.first { $0.id == "4.2(a)" }?.largestAmount))")
      return
    }
    #expect(try x.scaled(places: 2, rounding: .down) == 923_076_923_384)
    let expected = try Exact(num: 923_076_923_384, den: 100)
    #expect(r.capacity?.bindingClause == "4.2(a)")
    #expect(r.capacity?.amount == expected)
  }

  /// A threshold where a clause starts to apply is a breakpoint, and a clause whose dependence on
  /// the amount cannot be solved is named rather than guessed.
  @Test func breakpointsAndUnsolvableClauses() throws {
    let cov = capacityPrelude + """
      party p "P" weight 100%
      governance approvals from deal "approvals" optional
      §1 "Cap"
        for each sector:
          share of holdings.value where sector = that sector <= 60%
      §7.1 "Major"
        applies when deal.amount > $10 million
        approved by p

      """
    let snap = portfolio([("a", 1_000_000_000), ("b", 1_000_000_000), ("c", 1_000_000_000)])
    let (r, _) = try run(cov, snapshot: snap, deal: deal("a", "5000000"))
    #expect(r.capacity?.status == .amount)
    #expect(r.capacity?.amount == Exact(10_000_000))
    #expect(r.capacity?.bindingClause == "7.1")
    #expect(r.capacity?.breakpoints.first.map { GovernanceWording.breakpoint($0, currency: "USD") }?.hasPrefix("up to $10,000,000 without §7.1 (Major)") == true)

    let unsolvable = capacityPrelude + """
      §9 "Largest holding"
        max of holdings.value <= 20% of nav

      """
    let (r2, _) = try run(unsolvable, snapshot: snap, deal: deal("a", "5000000"))
    #expect(r2.capacity?.status == .notComputed)
    #expect(r2.capacity?.bindingClause == "9")
  }

  /// Random portfolios with cents, random caps and floors: the capacity equals a reference
  /// computed with decimal-string fractions, passes at the amount and fails a cent above.
  @Test func randomCapsAndFloorsMatchAReference() throws {
    var rng = SplitMix(seed: 20261130)
    let sectors = ["a", "b", "c"]
    var solved = 0
    for _ in 0..<25 {
      var holdings: [(String, Int64)] = []
      for _ in 0..<Int.random(in: 3...8, using: &rng) {
        // Up to $10^12 with cents.
        holdings.append((sectors.randomElement(using: &rng)!, Int64.random(in: 1...100_000_000_000_000, using: &rng)))
      }
      let capBps = Int64.random(in: 3_000...9_000, using: &rng)  // 30.00% .. 90.00%
      let floorBps = Int64.random(in: 100...1_500, using: &rng)  // 1.00% .. 15.00%
      let dealSector = sectors.randomElement(using: &rng)!
      let floorSector = sectors.randomElement(using: &rng)!
      let dealCents = Int64.random(in: 1...10_000_000_000_000, using: &rng)
      let cov = capacityPrelude + """
        §1 "Cap"
          for each sector:
            share of holdings.value where sector = that sector <= \(cents(capBps))%
        §2 "Floor"
          sum of holdings.value where sector = \(floorSector) >= \(cents(floorBps))% of nav

        """
      let snap = portfolio(holdings)
      let (r, _) = try run(cov, snapshot: snap, deal: deal(dealSector, cents(dealCents)))

      // Reference, in cents: N total, S per sector; c cap, f floor.
      let N = holdings.reduce(Int64(0)) { $0 + $1.1 }
      func S(_ s: String) -> Int64 { holdings.filter { $0.0 == s }.reduce(Int64(0)) { $0 + $1.1 } }
      let c = Ref(capBps) / Ref(10_000), f = Ref(floorBps) / Ref(10_000), one = Ref(1), n = Ref(N)
      var high: Ref? = nil
      var low = Ref(0)
      func cap(_ h: Ref) { if high == nil || h < high! { high = h } }
      func floor(_ l: Ref) { if low < l { low = l } }
      for s in sectors where holdings.contains(where: { $0.0 == s }) || s == dealSector {
        let ss = Ref(S(s))
        if s == dealSector { cap((c * n - ss) / (one - c)) } else { floor(ss / c - n) }
      }
      let sf = Ref(S(floorSector))
      if floorSector == dealSector { floor((f * n - sf) / (one - f)) } else { cap(sf / f - n) }
      // Amounts are in cents in the reference; the report's are in dollars.
      let hundred = Ref(100)
      guard let h = high else { Issue.record("the reference always has a cap"); continue }
      let hDollars = h / hundred
      if h.isNegative || h < low {
        #expect(r.capacity?.status == Capacity.Status.none, "expected no amount; got \(String(describing: r.capacity))")
        continue
      }
      guard r.capacity?.status == .amount, let exact = r.capacity?.exact, let amount = r.capacity?.amount else {
        // A band narrower than a cent has no whole-cent amount.
        if r.capacity?.status == Capacity.Status.none { continue }
        Issue.record("no capacity: \(String(describing: r.capacity))")
        continue
      }
      #expect(hDollars.equals(exact), "capacity \(exact) ≠ reference")
      #expect(try amount == Exact(num: exact.scaled(places: 2, rounding: .down), den: 100))
      // Passes at the amount, fails one cent above it.
      let (atR, _) = try run(cov, snapshot: snap, deal: deal(dealSector, amount.formatted(places: 2)))
      #expect(atR.compliant, "not compliant at \(amount)")
      let above = try amount.adding(Exact(1, scale: 2))
      let (aboveR, _) = try run(cov, snapshot: snap, deal: deal(dealSector, above.formatted(places: 2)))
      #expect(!aboveR.compliant, "still compliant at \(above)")
      solved += 1
    }
    #expect(solved >= 10)
  }
}
