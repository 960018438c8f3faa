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

/// Inputs that once gave a pass (or "not applicable", exit 0) that should not be: each is a
/// regression test for a silent wrong answer named in an issue.
@Suite struct SilentAnswerTests {
  static let lp = """
    covenant "LP"
    kind region = us | eu
    record line
      region : region
      amount : money
    record company
      name    : text
      place   : country from "principal_place"
      revenue : list of line
    record investment
      name  : text
      group : text from "affiliate_group" optional
      value : money
      ltv   : percent optional
    data fund from snapshot
      companies   : list of company
      investments : list of investment
    define total = sum of investments.value

    """

  static let companies = """
    [{"name": "A", "principal_place": "US", "revenue": []},
     {"name": "B", "principal_place": "GB", "revenue": [{"region": "us", "amount": 6}, {"region": "eu", "amount": 4}]},
     {"name": "Müller GmbH", "principal_place": "DE", "revenue": []}]
    """

  func snapshot(_ investments: String, companies: String = companies) -> String {
    "{\"companies\": \(companies), \"investments\": \(investments)}"
  }

  @Test func anUndefinedElementInsideEveryIsNotAPass() throws {
    let cov = Self.lp + """
      §1 "US nexus"
        every c in companies: c.place = US or (share of c.revenue.amount where region = us) > 50%

      """
    let (r, _) = try run(cov, snapshot: snapshot("[]"))
    #expect(verdict(r, "1") == .breach)
    let o = r.clauses[0].snapshot?.outcomes.first
    #expect(o?.notEvaluatedCount == 1)
    #expect(o?.notEvaluated.map(\.text) == ["Müller GmbH [2]"])
    #expect(o?.offenderCount == 0)
  }

  @Test func someIsSatisfiedByOneElementDespiteUndefinedOthers() throws {
    let cov = Self.lp + """
      §1 "one US company"
        some c in companies: c.place = US and (share of c.revenue.amount where region = us) > 50%
      §2 "one foreign company with US revenue"
        some c in companies: c.place != US and (share of c.revenue.amount where region = us) > 50%

      """
    let (r, _) = try run(cov, snapshot: snapshot("[]"))
    // A is US with no revenue (undefined), Müller is undefined: nothing holds → not shown.
    #expect(verdict(r, "1") == .breach)
    #expect(verdict(r, "2") == .pass)  // B holds
  }

  @Test func anElementWithoutItsGroupFieldIsNotDropped() throws {
    let cov = Self.lp + """
      §2 "Affiliate cap"
        for each group in investments:
          sum of investments.value where group = that group <= 15% of total

      """
    var items = (1...9).map { "{\"name\": \"i\($0)\", \"affiliate_group\": \"G\($0)\", \"value\": 10}" }
    items.append("{\"name\": \"stand-alone\", \"value\": 12}")  // 12 of 102: no group
    let (r, _) = try run(cov, snapshot: snapshot("[" + items.joined(separator: ",") + "]"))
    #expect(verdict(r, "2") == .breach)
    let missing = r.clauses[0].snapshot?.outcomes.first { $0.group?.text == "group missing" }
    #expect(missing?.holds == false)
    #expect(missing?.notEvaluated.map(\.text) == ["stand-alone [9]"])
  }

  @Test func aPassingRequirementBesideAnUndefinedOneIsNotAPass() throws {
    let cov = Self.lp + """
      §3 "two tests"
        total >= $1
        max of investments.ltv <= 80%

      """
    let (r, _) = try run(cov, snapshot: snapshot("[{\"name\": \"i\", \"value\": 5}]"))
    #expect(verdict(r, "3") == .notApplicable)
    #expect(r.clauses[0].snapshot?.note?.contains("max of investments.ltv <= 80%") == true)
  }

  @Test func aProFormaClauseWithoutADealIsNotApplicable() throws {
    let cov = prelude + """
      §1 "cap after the deal"
        tested on pro forma
        share of holdings.value where sector = power <= 10%

      """
    let (r, _) = try run(cov, snapshot: snapshotJSON([("H1", "power", "US", "50"), ("H2", "logistics", "US", "50")]))
    #expect(verdict(r, "1") == .notApplicable)
    #expect(r.clauses[0].note == "tested on the pro forma portfolio; no deal given")
  }

  /// A percentage or bps literal is its figure ÷ 100 (÷ 10,000) exactly, or an error: it used to
  /// keep the unscaled figure, 100× too large, when the division did not fit.
  @Test(arguments: [("0.1234567890123456789012345678901234567%", "0.1234567890123456789012345678901234567", 100),
                    ("0.1234567890123456789012345678901234567 bps", "0.1234567890123456789012345678901234567", 10_000),
                    // 38 significant digits, the issue's case (the division no longer fit 128 bits).
                    ("0.12345678901234567890123456789012345678%", "0.12345678901234567890123456789012345678", 100),
                    ("0.12345678901234567890123456789012345678 bps", "0.12345678901234567890123456789012345678", 10_000)])
  func aPercentLiteralIsScaledOrRefused(_ literal: String, _ digits: String, _ divisor: Int) throws {
    let cov = prelude + "§1 \"x\"\n  share of holdings where sector = power <= \(literal)\n"
    let result = compile(cov)
    if result.diagnostics.contains(where: { $0.code == "C037" }) { return }
    let c = try #require(result.covenant, "\(result.diagnostics.map(\.message))")
    guard case .compare(_, _, let rhs) = c.clauses[0].requirements[0].expr.kind, case .constant(.number(let x)) = rhs.kind else {
      Issue.record("expected a comparison with a constant")
      return
    }
    let written = try #require(try Exact.parse(digits))
    #expect(try x.multiplied(by: Exact(divisor)) == written)
  }

  /// A percentage in the data is its figure ÷ 100 exactly, or an error (D107): never undefined,
  /// which made a floor breach "not applicable" with exit 0.
  @Test func dataTooPreciseToScaleIsExactOrAnErrorNeverUndefined() throws {
    let cov = Self.lp + "§1 \"floor\"\n  min of investments.ltv >= 10%\n"
    let digits = "0.12345678901234567890123456789012345678"
    do {
      let (r, _) = try run(cov, snapshot: snapshot("[{\"name\": \"i\", \"value\": 5, \"ltv\": \(digits)}]"))
      #expect(verdict(r, "1") == .breach)  // 0.1234…% is below 10%
      let written = try #require(try Exact.parse(digits))
      #expect(r.clauses[0].snapshot?.outcomes.first?.value == .number(try written.divided(by: Exact(100))))
    } catch let e as RunFailure {
      #expect(e.description.contains("D107"), "\(e)")
    }
  }

  /// The same for basis points and amounts in cents: the scaled figure exactly, or D107.
  @Test(arguments: [("bps", "10 bps", 10_000, Verdict.breach), ("money in cents", "$1", 100, Verdict.pass)])
  func bpsAndCentsTooPreciseToScaleAreExactOrAnErrorNeverUndefined(_ type: String, _ floor: String, _ divisor: Int, _ expected: Verdict) throws {
    let cov = Self.lp.replacingOccurrences(of: "ltv   : percent optional", with: "ltv   : \(type) optional")
      + "§1 \"floor\"\n  min of investments.ltv >= \(floor)\n"
    let digits = type == "money in cents" ? "12345678901234567890123456789012345678" : "0.12345678901234567890123456789012345678"
    do {
      let (r, _) = try run(cov, snapshot: snapshot("[{\"name\": \"i\", \"value\": 5, \"ltv\": \(digits)}]"))
      let written = try #require(try Exact.parse(digits))
      let value = try written.divided(by: Exact(divisor))
      #expect(verdict(r, "1") == expected)
      let shown = r.clauses[0].snapshot?.outcomes.first?.value
      #expect(shown == .number(value) || shown == .money(value, currency: "USD"), "\(String(describing: shown))")
    } catch let e as RunFailure {
      #expect(e.description.contains("D107"), "\(e)")
    }
  }

  /// `{"amount": "900000000", "ccy": "NOK"}` was read as 900 million dollars, without a word.
  @Test func anAmountObjectWithItsCurrencyUnderAnotherKey() throws {
    func cov(_ option: String) -> String {
      """
      covenant "t" base currency USD
      record company
        hq    : country
        value : money from "fair_value"\(option)
      data fund from snapshot
        fx        : fx quoted USD per currency
        companies : list of company
      §1 "non-US"
        share of companies.value in USD where hq != US <= 30%

      """
    }
    let snap = #"{"fx": {"NOK": "0.092"}, "companies": [{"hq": "NO", "fair_value": {"amount": "900000000", "ccy": "NOK"}}, {"hq": "US", "fair_value": {"amount": "217200000", "ccy": "USD"}}]}"#
    do {
      _ = try run(cov(""), snapshot: snap)
      Issue.record("read an amount object without a currency")
    } catch {
      #expect("\(error)".contains("D108 companies[0].fair_value"), "\(error)")
    }
    // Declared, the currency is read from inside the amount object: 82.8 of 300 = 27.6%.
    let (r, _) = try run(cov(" currency from \"ccy\""), snapshot: snap)
    #expect(verdict(r, "1") == .pass)
    #expect(r.clauses[0].snapshot?.outcomes.first?.value == .number(try Exact(num: 276, den: 1000)))
  }
}
