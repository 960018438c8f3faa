// Deterministic synthetic data in the shape of the peer harness (../shared/bench/peers/gen.py):
// `{"fund": {"equity_usd", "debt_usd"}, "holdings": [{id, name, sector, domicile, value_usd,
// debt_usd, issuer}]}` with money as integer US cents, and `{"deals": [...]}` with the same
// fields per deal. Same distributions as the harness (5 weighted sectors, 0.2 % non-US, N/4
// issuers, a 12 % and a 9.85 % "whale" issuer, fund leverage just under 2.0 so that about 10 %
// of the deals push it over), but its own PRNG, so the figures differ from the harness's files.

/// SplitMix64: tiny, fast, and the same sequence on every platform.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in 0..<bound.
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
  /// Uniform in lo...hi.
  mutating func inRange(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }
  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

enum Generator {
  static let seed: UInt64 = 20_261_122
  static let sectors = ["ai_datacenter", "power", "semiconductor_backend", "logistics", "other"]
  static let sectorWeights = [0.44, 0.25, 0.15, 0.10, 0.06]
  static let nonUS = ["GB", "DE", "JP", "CA", "SG"]
  static let whaleA = "ISS-WHALE-A", whaleB = "ISS-WHALE-B"

  struct Holding {
    var sector: Int
    var domicile: String
    var value: Int
    var debt: Int
    var issuer: String
  }

  struct Portfolio {
    var holdings: [Holding]
    var fundDebt: Int
    var fundEquity: Int
  }

  static func sector(_ rng: inout SplitMix) -> Int {
    var u = rng.unit()
    for (i, w) in sectorWeights.enumerated() {
      if u < w { return i }
      u -= w
    }
    return sectors.count - 1
  }

  static func issuerName(_ i: Int) -> String {
    let digits = String(i)
    return "ISS-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
  }

  static func holdings(_ n: Int) -> [Holding] {
    var rng = SplitMix(seed: seed &+ UInt64(n))
    let issuers = max(n / 4, 10)
    var hs: [Holding] = []
    hs.reserveCapacity(n)
    for _ in 0..<n {
      let value = rng.inRange(1_000_000, 2_000_000_000)  // $10k .. $20M, in cents
      let debt = value * rng.inRange(0, 60) / 100
      let domicile = rng.unit() < 0.002 ? nonUS[rng.below(nonUS.count)] : "US"
      hs.append(Holding(sector: sector(&rng), domicile: domicile, value: value, debt: debt, issuer: issuerName(rng.below(issuers))))
    }
    // Two whale issuers filled to 12 % (breaches the 10 % cap) and 9.85 % (just under it).
    let total = hs.reduce(0) { $0 + $1.value }
    var order = Array(0..<n)
    for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
    var k = 0
    for (issuer, permille) in [(whaleA, 1200), (whaleB, 985)] {
      var acc = 0
      while k < n {
        let v = hs[order[k]].value
        if (acc + v) * 10_000 > permille * total { break }
        hs[order[k]].issuer = issuer
        acc += v
        k += 1
      }
    }
    return hs
  }

  struct Deal {
    var id: String
    var sector: Int
    var domicile: String
    var value: Int
    var debt: Int
    var issuer: String
  }

  static func deals(_ m: Int, against hs: [Holding]) -> [Deal] {
    var rng = SplitMix(seed: seed &+ 7)
    var ds: [Deal] = []
    for j in 0..<m {
      let r = rng.unit()
      let issuer: String
      if r < 0.05 {
        issuer = whaleA
      } else if r < 0.10 {
        issuer = whaleB
      } else if r < 0.60 {
        issuer = hs[rng.below(hs.count)].issuer
      } else {
        issuer = "ISS-NEW-" + String(j)
      }
      let exponent = 8 + rng.unit() * 3.3
      let value = Int(pow10(exponent))  // $1M .. ~$2B, in cents
      let domicile = rng.unit() < 0.03 ? nonUS[rng.below(nonUS.count)] : "US"
      let debt = value * rng.inRange(0, 80) / 100
      let digits = String(j)
      ds.append(Deal(id: "D" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits, sector: sector(&rng),
        domicile: domicile, value: value, debt: debt, issuer: issuer))
    }
    return ds
  }

  static func pow10(_ x: Double) -> Double {
    // 10^x = e^(x ln 10), without Foundation.
    var result = 1.0
    var e = x
    while e >= 1 { result *= 10; e -= 1 }
    // e in [0, 1): exp(e * ln10) by its series, plenty accurate for test data.
    let y = e * 2.302585092994046
    var term = 1.0, sum = 1.0
    for k in 1..<30 { term *= y / Double(k); sum += term }
    return result * sum
  }

  /// Fund debt is 30 % of total value; equity puts look-through leverage just under 2.0, with
  /// headroom between two deals' debts so that about 10 % of the deals breach it.
  static func portfolio(_ n: Int, deals: [Deal]) -> Portfolio {
    let hs = holdings(n)
    let holdingDebt = hs.reduce(0) { $0 + $1.debt }
    let fundDebt = hs.reduce(0) { $0 + $1.value } * 3 / 10
    let d = holdingDebt + fundDebt
    let debts = deals.map(\.debt).sorted()
    let k = Int(0.90 * Double(debts.count))
    let headroom = debts.isEmpty ? 0 : (debts[k] + debts[min(k + 1, debts.count - 1)]) / 2
    let equity = (d + headroom + 1) / 2
    return Portfolio(holdings: hs, fundDebt: fundDebt, fundEquity: equity)
  }

  // MARK: JSON

  static func append(_ s: String, to out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

  static func portfolioJSON(_ p: Portfolio) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(p.holdings.count * 150 + 100)
    append("{\"fund\":{\"equity_usd\":\(p.fundEquity),\"debt_usd\":\(p.fundDebt)},\"holdings\":[", to: &out)
    for (i, h) in p.holdings.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      let digits = String(i)
      let id = "H" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
      append("{\"id\":\"\(id)\",\"name\":\"Holding \(i)\",\"sector\":\"\(sectors[h.sector])\",\"domicile\":\"\(h.domicile)\",\"value_usd\":\(h.value),\"debt_usd\":\(h.debt),\"issuer\":\"\(h.issuer)\"}", to: &out)
    }
    append("]}", to: &out)
    return out
  }

  static func dealsJSON(_ ds: [Deal]) -> [UInt8] {
    var out: [UInt8] = []
    append("{\"deals\": [", to: &out)
    for (j, d) in ds.enumerated() {
      if j > 0 { append(", ", to: &out) }
      append("{\"id\": \"\(d.id)\", \"name\": \"Deal \(j)\", \"sector\": \"\(sectors[d.sector])\", \"domicile\": \"\(d.domicile)\", \"value_usd\": \(d.value), \"debt_usd\": \(d.debt), \"issuer\": \"\(d.issuer)\"}", to: &out)
    }
    append("]}", to: &out)
    return out
  }

  // MARK: A large covenant

  /// The bench covenant's declarations followed by `clauses` clauses cycling through the forms
  /// the language offers (caps per group, quantifiers, leverage, counts, pro-forma deal rules).
  static func largeCovenant(clauses: Int) -> String {
    var s = """
      covenant "Generated covenant" version 2026-11-22
      base currency USD

      kind sector = ai_datacenter | power | semiconductor_backend | logistics | other

      record holding
        id       : text
        sector   : sector
        domicile : country
        value    : money  from "value_usd" in cents
        debt     : money  from "debt_usd" in cents
        issuer   : text

      data fund from snapshot
        equity   : money  from "fund.equity_usd" in cents
        debt     : money  from "fund.debt_usd" in cents
        holdings : list of holding

      data deal from deal
        id       : text
        sector   : sector
        domicile : country
        value    : money  from "value_usd" in cents
        debt     : money  from "debt_usd" in cents
        issuer   : text

      pro forma: the deal joins holdings with
        id = deal.id, sector = deal.sector, domicile = deal.domicile,
        value = deal.value, debt = deal.debt, issuer = deal.issuer

      define nav        = sum of holdings.value
      define total_debt = fund.debt + sum of holdings.debt


      """
    s.reserveCapacity(clauses * 160)
    for i in 0..<clauses {
      let id = "§\(i / 100 + 1).\(i % 100 + 1)"
      switch i % 8 {
      case 0:
        s += "\(id) \"Sector cap \(i)\"\n  \"No sector above the cap.\"\n  tested on snapshot\n  for each sector:\n    share of holdings.value where sector = that sector <= \(30 + i % 20)%\n\n"
      case 1:
        s += "\(id) \"Issuer cap \(i)\"\n  for each issuer:\n    sum of holdings.value where issuer = that issuer <= \(5 + i % 10)% of nav\n  warn above 90% of the limit\n\n"
      case 2:
        s += "\(id) \"Domicile \(i)\"\n  \"Each holding is domiciled in the United States.\"\n  every holding in holdings: holding.domicile = US\n\n"
      case 3:
        s += "\(id) \"Leverage \(i)\"\n  total_debt <= \(1 + i % 3).5x fund.equity\n\n"
      case 4:
        s += "\(id) \"Power count \(i)\"\n  count of holdings where sector = power and value > $\(1 + i % 9)m <= \(1000 + i)\n\n"
      case 5:
        s += "\(id) \"Deal sector \(i)\"\n  tested on pro forma\n  share of holdings.value where sector = deal.sector <= \(35 + i % 10)%\n\n"
      case 6:
        s += "\(id) \"Average \(i)\"\n  average of holdings.value where domicile = US >= $\(1 + i % 50)k\n\n"
      default:
        s += "\(id) \"Deal size \(i)\"\n  applies when deal.value > $\(1 + i % 7)m\n  deal.value <= $2bn and deal.domicile in [US, CA]\n\n"
      }
    }
    return s
  }
}
