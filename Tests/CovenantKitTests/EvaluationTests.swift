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

@Suite struct EvaluationTests {
  let twoSectors = snapshotJSON([
    ("H1", "power", "US", "35"), ("H2", "logistics", "US", "65"),
  ])

  @Test func shareExactlyAtItsCapPasses() throws {
    let cov = prelude + """
      §1 "cap"
        for each sector:
          share of holdings.value where sector = that sector <= 35%

      """
    let (r, _) = try run(cov, snapshot: twoSectors)
    #expect(verdict(r, "1") == .breach)  // logistics is 65%
    let power = r.clauses[0].snapshot?.outcomes.first { $0.group?.text == "sector power" }
    #expect(power?.holds == true)
    #expect(power?.headroom == .number(.zero))
  }

  @Test func strictCapFailsAtEquality() throws {
    let cov = prelude + "§1 \"x\"\n  sum of holdings.value where sector = power < 35% of nav\n"
    let (r, _) = try run(cov, snapshot: twoSectors)
    #expect(verdict(r, "1") == .breach)
  }

  @Test func twoThirdsIsNotRounded() throws {
    // 2 of 3 holdings: exactly 2/3 passes ">= 2/3"; 66.6% and 66.67% are not 2/3.
    let snap = snapshotJSON([("H1", "power", "US", "1"), ("H2", "power", "US", "1"), ("H3", "logistics", "US", "1")])
    let cov = prelude + """
      §1 "a"
        share of holdings where sector = power >= 2/3
      §2 "b"
        share of holdings where sector = power >= 66.67%
      §3 "c"
        share of holdings where sector = power > 66.6%

      """
    let (r, _) = try run(cov, snapshot: snap)
    #expect(verdict(r, "1") == .pass)
    #expect(verdict(r, "2") == .breach)
    #expect(verdict(r, "3") == .pass)
  }

  @Test func warningAboveAFractionOfTheLimit() throws {
    let cov = prelude + "§1 \"x\"\n  fund.debt <= 2.0x fund.equity\n  warn above 90% of the limit\n"
    let at = snapshotJSON(equity: "100", debt: "180", [("H1", "power", "US", "1")])
    let above = snapshotJSON(equity: "100", debt: "180.01", [("H1", "power", "US", "1")])
    #expect(verdict(try run(cov, snapshot: at).0, "1") == .pass)  // exactly 90% does not warn
    #expect(verdict(try run(cov, snapshot: above).0, "1") == .warning)
    let over = snapshotJSON(equity: "100", debt: "200.01", [("H1", "power", "US", "1")])
    #expect(verdict(try run(cov, snapshot: over).0, "1") == .breach)
  }

  @Test func dealIsJoinedProFormaAndLargestAmountIsExact() throws {
    let cov = prelude + """
      §1 "cap"
        for each sector:
          sum of holdings.value where sector = that sector <= 35% of nav

      """
    let snap = snapshotJSON([("H1", "power", "US", "30"), ("H2", "logistics", "US", "70")])
    let deal = #"{"id": "D1", "sector": "power", "domicile": "US", "amount": "10"}"#
    let (r, _) = try run(cov, snapshot: snap, deal: deal)
    let c = r.clauses[0]
    #expect(c.snapshot?.verdict == .breach)  // logistics 70% before
    #expect(c.proForma?.outcomes.first { $0.group?.text == "sector power" }?.value == .money(Exact(40), currency: "USD"))
    // Power: 30 + x <= 0.35 (100 + x)  →  x <= 5/0.65 = 100/13; logistics fails at any amount below 100.
    #expect(c.largestAmount == .noAmount)
    let cov2 = prelude + "§1 \"cap\"\n  sum of holdings.value where sector = power <= 35% of nav\n"
    let (r2, _) = try run(cov2, snapshot: snap, deal: deal)
    #expect(r2.clauses[0].largestAmount == .atMost(try Exact(num: 100, den: 13), currency: "USD"))
  }

  @Test func shareCapSolvesTheMobiusForm() throws {
    let cov = prelude + "§1 \"cap\"\n  share of holdings.value where sector = power <= 50%\n"
    let snap = snapshotJSON([("H1", "power", "US", "30"), ("H2", "logistics", "US", "70")])
    let deal = #"{"id": "D1", "sector": "power", "domicile": "US", "amount": "50"}"#
    let (r, _) = try run(cov, snapshot: snap, deal: deal)
    // (30 + x) / (100 + x) <= 1/2  →  x <= 40
    #expect(r.clauses[0].largestAmount == .atMost(Exact(40), currency: "USD"))
    #expect(verdict(r, "1") == .breach)
  }

  @Test func mixedCurrenciesFromDataAreAnErrorNotASum() throws {
    let cov = prelude + "§1 \"x\"\n  nav > $0\n"
    let snap = #"{"as_of": "2026-06-30", "equity": 1, "debt": 0, "holdings": [{"id": "a", "sector": "power", "domicile": "US", "value": 5}, {"id": "b", "sector": "power", "domicile": "JP", "value": {"amount": "500", "currency": "JPY"}}]}"#
    #expect {
      try run(cov, snapshot: snap)
    } throws: { e in
      (e as? EvaluationError)?.code == "E003"
    }
  }

  @Test func conversionAtSnapshotRatesIsExact() throws {
    let cov = """
      covenant "FX" base currency USD
      record holding
        value : money
      data fund from snapshot
        fx : fx quoted USD per currency
        holdings : list of holding
      §1 "x"
        sum of holdings.value in USD = $8.35
      §2 "y"
        sum of holdings.value in USD <= $8.34

      """
    let snap = #"{"fx": {"JPY": "0.0067"}, "holdings": [{"value": 5}, {"value": {"amount": "500", "currency": "JPY"}}]}"#
    // `in USD` converts each holding before summing: 5 + 500 × 0.0067 = 8.35, exactly.
    let (r, _) = try run(cov, snapshot: snap)
    #expect(verdict(r, "1") == .pass)
    #expect(verdict(r, "2") == .breach)
    let noRate = #"{"fx": {}, "holdings": [{"value": {"amount": "500", "currency": "JPY"}}]}"#
    #expect {
      try run(cov, snapshot: noRate)
    } throws: { e in
      (e as? EvaluationError)?.code == "E005"
    }
  }

  /// ¥75bn at 150 yen per dollar is exactly $500,000,000; the same rate written the other way
  /// round gives the same figure, and a quote that names no base side is refused.
  @Test func fxQuotedEitherWay() throws {
    func cov(_ quote: String) -> String {
      """
      covenant "FX" base currency USD
      record holding
        value : money
      data fund from snapshot
        fx : fx \(quote)
        holdings : list of holding
      §1 "x"
        sum of holdings.value in USD = $500 million

      """
    }
    let holding = #""holdings": [{"value": {"amount": "75000000000", "currency": "JPY"}}]"#
    #expect(verdict(try run(cov("quoted JPY per USD"), snapshot: #"{"fx": {"JPY": 150}, "# + holding + "}").0, "1") == .pass)
    #expect(verdict(try run(cov("quoted currency per USD"), snapshot: #"{"fx": {"JPY": "150"}, "# + holding + "}").0, "1") == .pass)
    // 1/150 written out is not exact: the USD-per-JPY quote of 0.0066666… misses by a fraction.
    #expect(verdict(try run(cov("quoted USD per JPY"), snapshot: #"{"fx": {"JPY": "0.0066666666"}, "# + holding + "}").0, "1") == .breach)
    #expect(errorCodes(cov("")) == ["C027"])  // no quote: say which way
    #expect(errorCodes(cov("quoted JPY per EUR")) == ["C027"])  // neither side the base
    #expect(errorCodes(cov("quoted USD per USD")) == ["C027"])
    #expect(throws: RunFailure.self) {  // a EUR rate where the covenant reads JPY only
      try run(cov("quoted JPY per USD"), snapshot: #"{"fx": {"JPY": 150, "EUR": 0.9}, "# + holding + "}")
    }
  }

  @Test func overflowIsAnErrorNotATrap() throws {
    // Beyond Exact.maxBits (about 1,233 digits): 10^20 · 10^700 · 10^700.
    let big = "1" + String(repeating: "0", count: 700)
    let cov = prelude + "§1 \"x\"\n  nav * \(big) * \(big) > $0\n"
    let snap = snapshotJSON([("H1", "power", "US", "100000000000000000000")])
    #expect {
      try run(cov, snapshot: snap)
    } throws: { e in
      (e as? EvaluationError)?.code == "E001"
    }
  }

  @Test func divisionByZeroIsAnError() throws {
    // A ratio cap over a zero denominator has an agreed meaning (it fails, see
    // LanguageFeatureTests); an amount divided by a zero count has none.
    let cov = prelude + "§1 \"x\"\n  fund.debt / (count of holdings where sector = logistics) <= $2\n"
    let snap = snapshotJSON(equity: "0", debt: "5", [("H1", "power", "US", "1")])
    #expect {
      try run(cov, snapshot: snap)
    } throws: { e in
      (e as? EvaluationError)?.code == "E002"
    }
  }

  @Test func effectiveDatesAndDealOnlyClauses() throws {
    let cov = prelude + """
      §1 "later"
        effective from 2026-07-01
        nav > $1000
      §2 "until"
        until 2026-06-30
        nav > $1000
      §3 "deal only"
        deal.amount >= $5

      """
    let (r, _) = try run(cov, snapshot: twoSectors)
    #expect(verdict(r, "1") == .notApplicable)
    #expect(r.clauses[0].note?.contains("not yet effective") == true)
    #expect(verdict(r, "2") == .breach)  // 2026-06-30 is the last day in force
    #expect(verdict(r, "3") == .notApplicable)
  }

  @Test func quantifierListsOffenders() throws {
    let cov = prelude + "§1 \"US\"\n  every h in holdings: h.domicile = US\n"
    let snap = snapshotJSON([("H1", "power", "US", "1"), ("H2", "power", "JP", "1"), ("H3", "power", "GB", "1")])
    let (r, _) = try run(cov, snapshot: snap)
    let o = r.clauses[0].snapshot?.outcomes.first
    #expect(o?.offenderCount == 2)
    #expect(o?.offenders.map(\.element.text) == ["H2 [1]", "H3 [2]"])
  }

  @Test func undefinedFiguresAreNotApplicableNotPass() throws {
    let cov = prelude + "§1 \"x\"\n  max of holdings.value where sector = ai_datacenter <= $5\n"
    let (r, _) = try run(cov, snapshot: twoSectors)
    #expect(verdict(r, "1") == .notApplicable)
  }
}

@Suite struct DataTests {
  func loadErrors(_ json: String) -> [Diagnostic] {
    guard let c = compile(prelude).covenant, let s = c.schema.snapshot else { return [] }
    switch DataLoader.parseJSON(Array(json.utf8), file: "portfolio.json") {
    case .failure(let d): return [d]
    case .success(let doc):
      if case .failure(let ds) = DataLoader.load(doc, record: s, schema: c.schema, file: "portfolio.json") { return ds.list }
      return []
    }
  }

  struct Case: CustomStringConvertible, Sendable {
    var name: String
    var holding: String
    var code: String
    var path: String
    var description: String { name }
  }

  static let cases: [Case] = [
    .init(name: "amount in words", holding: #""value": "12 billion""#, code: "D102", path: "holdings[0].value"),
    .init(name: "negative amount", holding: #""value": -5"#, code: "D103", path: "holdings[0].value"),
    .init(name: "unknown sector", holding: #""value": 5, "sector": "powr""#, code: "D104", path: "holdings[0].sector"),
    .init(name: "unknown country", holding: #""value": 5, "domicile": "UK""#, code: "D105", path: "holdings[0].domicile"),
    .init(name: "country by name", holding: #""value": 5, "domicile": "Japan""#, code: "D105", path: "holdings[0].domicile"),
    .init(name: "missing value", holding: #""id": "x""#, code: "D101", path: "holdings[0].value"),
    .init(name: "huge number", holding: #""value": 1e4000"#, code: "D107", path: "holdings[0].value"),
    .init(name: "NaN string", holding: #""value": "NaN""#, code: "D102", path: "holdings[0].value"),
    .init(name: "unknown currency", holding: #""value": {"amount": 5, "currency": "XYZ"}"#, code: "D108", path: "holdings[0].value"),
    .init(name: "number as text field", holding: #""value": 5, "id": 7"#, code: "D102", path: "holdings[0].id"),
  ]

  @Test(arguments: cases) func dataErrorsNameTheFileAndPath(_ c: Case) {
    var fields = #""id": "H1", "sector": "power", "domicile": "US""#
    for key in ["value", "sector", "domicile", "id"] where c.holding.contains("\"\(key)\"") {
      fields = fields.replacingOccurrences(of: #""\#(key)": "[^"]*""#, with: "", options: .regularExpression)
    }
    fields = fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: ", ")
    let holding = "{" + ([fields, c.holding].filter { !$0.isEmpty }.joined(separator: ", ")) + "}"
    let json = #"{"as_of": "2026-06-30", "equity": 1, "debt": 0, "holdings": [\#(holding)]}"#
    let errors = loadErrors(json)
    let e = errors.first { $0.code == c.code }
    #expect(e != nil, "\(json) gave \(errors.map { "\($0.code) \($0.path ?? "") \($0.message)" })")
    #expect(e?.path == c.path)
    #expect(e?.file == "portfolio.json")
  }

  @Test func amountsAsNumbersAndDecimalTextAreExact() throws {
    let snap = #"{"as_of": "2026-06-30", "equity": 1, "debt": 0, "holdings": [{"id": "a", "sector": "power", "domicile": "US", "value": 0.1}, {"id": "b", "sector": "power", "domicile": "US", "value": "0.2"}]}"#
    let cov = prelude + "§1 \"x\"\n  nav = $0.3\n"
    #expect(verdict(try run(cov, snapshot: snap).0, "1") == .pass)  // no binary floating point: 0.1 + 0.2 is 0.3
  }

  @Test func invalidJSONIsAnErrorWithLocation() {
    let errors = loadErrors("{\"holdings\": [1, 2,]}")
    #expect(errors.first?.code == "D001")
    #expect(errors.first?.dataLocation?.line == 1)
  }
}

@Suite struct KeyedAggregateTests {
  @Test func keyedLookupMatchesAFullScan() throws {
    // `where sector = deal.sector` is planned as a lookup; `where (sector = deal.sector)` nested
    // in `not not` is not recognised and scans: both must agree, pro forma included.
    let cov = prelude + """
      §1 "keyed"
        sum of holdings.value where sector = deal.sector and domicile = US <= 40% of nav
      §2 "scanned"
        (sum of holdings.value where not (not (sector = deal.sector and domicile = US))) <= 40% of nav
      §3 "share keyed"
        share of holdings.value where sector = deal.sector <= 50%

      """
    let snap = snapshotJSON([("H1", "power", "US", "30"), ("H2", "logistics", "US", "60"), ("H3", "power", "JP", "10")])
    for (amount, expect) in [("5", Verdict.pass), ("40", Verdict.breach)] {
      let deal = #"{"id": "D1", "sector": "power", "domicile": "US", "amount": \#(amount)}"#
      let (r, _) = try run(cov, snapshot: snap, deal: deal)
      #expect(r.clauses[0].proForma?.outcomes.first?.value == r.clauses[1].proForma?.outcomes.first?.value)
      #expect(verdict(r, "1") == verdict(r, "2"))
      #expect(verdict(r, "1") == expect)
      #expect(verdict(r, "3") == expect)
    }
  }

  @Test func keyedAggregateOverAnElementsOwnList() throws {
    let cov = """
      covenant "Loans" base currency USD
      record loan
        kind_of : text
        amount  : money
      record holding
        id    : text
        loans : list of loan
      data fund from snapshot
        holdings : list of holding
      §1 "senior loans at most $10"
        every h in holdings: sum of h.loans.amount where kind_of = "senior" <= $10

      """
    let snap = #"{"holdings": [{"id": "a", "loans": [{"kind_of": "senior", "amount": 6}, {"kind_of": "junior", "amount": 50}]}, {"id": "b", "loans": [{"kind_of": "senior", "amount": 11}]}]}"#
    let (r, _) = try run(cov, snapshot: snap)
    #expect(r.clauses[0].snapshot?.outcomes.first?.offenders.map(\.element.text) == ["b [1]"])
  }

  /// A `for each` over many groups shows the five that matter in the text report — breaches,
  /// warnings, then the highest utilization, ties in data order — in that order, and counts the rest.
  @Test func longGroupListsShowTheFiveThatMatter() throws {
    let special = ["h07": "300", "h13": "85", "h21": "95", "h30": "35", "h44": "35"]
    let holdings = (0..<50).map { i -> (String, String, String, String) in
      let id = "h" + (i < 10 ? "0" : "") + "\(i)"
      return (id, "power", "US", special[id] ?? "10")
    }
    let cov = prelude + "§9 \"Per holding\"\n  for each id:\n    share of holdings.value where id = that id <= 10%\n  warn above 90% of the limit\n"
    let (r, c) = try run(cov, snapshot: snapshotJSON(holdings))
    #expect(r.clauses[0].snapshot?.outcomes.count == 50)
    let text = CheckReport.text(r, covenant: c)
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("id h") }
    #expect(lines.map { String($0.prefix(6)) } == ["id h07", "id h21", "id h13", "id h30", "id h44"], "\(text)")
    #expect(text.contains("… and 45 more groups within their limits"))
  }
}
