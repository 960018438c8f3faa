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

/// Each wording rule of the report, on a covenant in another shape than the example's: a credit
/// fund whose administrator delivers `book.loans` with `borrower`, `outstanding` and `margin_bp`.
struct ReportWordingTests {
  static let covenant = """
    covenant "Harbour Credit Partners" version 2026-03-01
    base currency USD
    kind industry = shipping | ports | rail
    record loan
      borrower : text
      industry : industry
      amount   : money from "outstanding"
      margin   : bps from "margin_bp"
    record ballot
      member : text
      vote   : text
    data fund from snapshot
      as_of    : date from "valuation_date"
      capital  : money from "book.capital"
      borrowed : money from "book.borrowed"
      loans    : list of loan from "book.loans"
    data deal from deal
      ref      : text
      borrower : text
      industry : industry
      amount   : money from "size"
      margin   : bps from "margin_bp"
      ballots  : list of ballot
    pro forma: the deal joins loans with borrower = deal.borrower, industry = deal.industry, amount = deal.amount, margin = deal.margin
    define book_value = sum of loans.amount
    define gearing = fund.borrowed + sum of loans.amount

    §12.1 "Industry limit"
      "No more than  40% of the book
       in one industry."
      for each industry:
        sum of loans.amount where industry = that industry <= 40% of book_value
      warn above 90% of the limit

    §12.2 "Industry share"
      for each industry:
        share of loans.amount where industry = that industry <= 40%

    §13 "Gearing"
      gearing <= 1.5x fund.capital

    §14 "Minimum deal"
      deal.amount >= $50 million

    §15 "Large deals"
      applies when deal.amount <= $1 billion
      deal.margin >= 100 bps

    §16 "Margins"
      every loan in loans: loan.margin >= 100 bps

    §17 "Some member in favour"
      some ballot in deal.ballots: ballot.vote = "for"

    §18 "Average margin"
      average of loans.margin >= 120 bps

    §20 "Positive balances"
      every loan in loans: loan.amount > $0

    """

  static func snapshot(borrowed: String = "400000000") -> String {
    """
    {"valuation_date": "2026-06-30", "book": {"capital": 1000000000, "borrowed": \(borrowed), "loans": [
      {"borrower": "Kite Lines", "industry": "shipping", "outstanding": 300000000, "margin_bp": 101.25},
      {"borrower": "North Quay", "industry": "ports", "outstanding": 250000000, "margin_bp": 95},
      {"borrower": "Rail One", "industry": "rail", "outstanding": 450000000, "margin_bp": 180}]}}
    """
  }

  static let deal = """
    {"ref": "HC-7", "borrower": "Blue Pier", "industry": "rail", "size": 2000000000, "margin_bp": 90,
     "ballots": [{"member": "A", "vote": "against"}, {"member": "B", "vote": "for"}, {"member": "C", "vote": "abstain"}, {"member": "D", "vote": "against"}]}
    """

  func report(deal: String? = Self.deal, borrowed: String = "400000000", explain: Bool = false) throws -> (String, CheckResult, CheckedCovenant) {
    let (r, c) = try run(Self.covenant, snapshot: Self.snapshot(borrowed: borrowed), deal: deal)
    return (CheckReport.text(r, covenant: c, explain: explain), r, c)
  }

  func block(_ text: String, _ id: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0.contains(id + " ") }) else { return "" }
    let rest = lines[(start + 1)...].prefix { $0.hasPrefix(" ") }
    return ([lines[start]] + rest).joined(separator: "\n")
  }

  @Test func aBreachShowsTheFailingRelationInPoints() throws {
    let (text, _, _) = try report()
    let b = block(text, "§12.2")
    // rail: 450 + 2bn of 1,000 + 2bn
    #expect(b.contains("> 40% limit, over by"), "\(b)")
    #expect(b.contains(" points"), "\(b)")
    #expect(!b.contains("<= 40% limit, over by"), "\(b)")
  }

  @Test func aFloorShortfallSaysShortBy() throws {
    let (text, _, _) = try report(deal: Self.deal.replacingOccurrences(of: "2000000000", with: "20000000"))
    let b = block(text, "§14")
    #expect(b.contains("$20,000,000 < $50,000,000 floor, short by $30,000,000"), "\(b)")
  }

  @Test func notApplicableSaysTheConditionIsFalseAndWhy() throws {
    let (text, _, _) = try report()
    let b = block(text, "§15")
    #expect(b.contains("is false"), "\(b)")
    #expect(b.contains("deal.amount is $2,000,000,000"), "\(b)")
  }

  @Test func aSomeNamesTheElementThatSatisfiesIt() throws {
    let (text, r, c) = try report()
    let b = block(text, "§17")
    #expect(b.contains("satisfied by B [1]: ballot.vote = \"for\" (1 of 4 match)"), "\(b)")
    #expect(!b.contains("all 4 pass"), "\(b)")
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"satisfied_by\""))
  }

  @Test func failingElementsShowTheirValues() throws {
    let (text, _, _) = try report()
    let b = block(text, "§16")
    #expect(b.contains("North Quay [1]: loan.margin = 95 bps"), "\(b)")
    #expect(b.contains("Blue Pier (the proposed deal): loan.margin = 90 bps"), "\(b)")
  }

  @Test func aShortListThatPassesShowsEachElementsValues() throws {
    let (text, r, c) = try report(deal: nil)
    let b = block(text, "§20")
    #expect(b.contains("all 3 pass:\n"), "\(b)")
    #expect(b.contains("Kite Lines [0]: loan.amount = $300,000,000"), "\(b)")
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"Rail One [2]: loan.amount = $450,000,000\""))
  }

  @Test func aPercentageMarginIsInPointsInJSON() throws {
    let (_, r, c) = try report(deal: nil)
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"unit\": \"points\""))
    #expect(json.contains("\"display\": \"10 points\""))
    #expect(json.contains("\"display\": \"-5 points\""))
  }

  @Test func basisPointsShowTwoDecimalsAndJSONCarriesTheUnit() throws {
    let (text, r, c) = try report(deal: nil)
    #expect(block(text, "§18").contains("125.42 bps"), "\(block(text, "§18"))")
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"unit\": \"bps\""))
    #expect(json.contains("\"exact\": \"120\""), "the limit's exact value is in basis points")
  }

  @Test func bothViewsOfACapAndItsDefinitions() throws {
    let (text, _, _) = try report(deal: nil)
    let b = block(text, "§12.1")
    #expect(b.contains("industry rail: $450,000,000 > $400,000,000 limit, over by $50,000,000"), "\(b)")
    #expect(b.contains("= 45% of book_value ($1,000,000,000) > 40% limit, over by 5 points"), "\(b)")
    #expect(b.contains("book_value: $1,000,000,000"), "\(b)")
    let s = block(text, "§12.2")
    #expect(s.contains("= $450,000,000 of $1,000,000,000 (all loans.amount), limit $400,000,000, over by $50,000,000"), "\(s)")
    let g = block(text, "§13")
    #expect(g.contains("= 1.40x fund.capital ($1,000,000,000) <= 1.50x limit, headroom 0.10x"), "\(g)")
  }

  @Test func groupsListBreachesFirstThenWarningsThenLeastHeadroom() throws {
    let (text, _, _) = try report(deal: nil)
    let lines = block(text, "§12.1").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("industry ") }
    #expect(lines.map { $0.split(separator: ":")[0] } == ["industry rail", "industry shipping", "industry ports"], "\(lines)")
  }

  @Test func aHairOverTheLimitShowsEnoughDigits() throws {
    // gearing $1,500,000,001 against 1.5x $1bn: a breach must not read "1.50x > 1.50x, over by 0.00x".
    let (text, _, _) = try report(deal: nil, borrowed: "500000001")
    let b = block(text, "§13")
    #expect(b.contains("over by less than 0.01x"), "\(b)")
    #expect(b.contains("= 1.500000001x fund.capital ($1,000,000,000) > 1.50x limit"), "\(b)")
    #expect(!b.contains("over by ≈0.00x"), "\(b)")
    #expect(!b.contains("1.50x > 1.50x"), "\(b)")
  }

  /// A clause's rows and a quantifier's elements are facts from evaluation, worded here
  /// (`OutcomeWording`, issue 15): each fact's words, as every report shows them.
  @Test func rowsAndElementsAreWordedFromFacts() throws {
    typealias O = RequirementOutcome
    #expect(O.Requirement.written("nav > $0").text == "nav > $0")
    #expect(O.Requirement.everyElementHasGroupField("sector").text == "every element has a `sector` to group by")
    #expect(O.Requirement.windows(periods: 4, list: "quarters").text == "each window of 4 consecutive periods of `quarters`")
    #expect(O.Group.key(field: "sector", value: "Tech").text == "sector Tech")
    #expect(O.Group.missing(field: "sector").text == "sector missing")
    let end = try #require(CalendarDate(year: 2024, month: 12, day: 28))
    #expect(O.Group.window(periods: 4, ending: end).text == "4 periods ending 2024-12-28")
    #expect(O.Element(label: "Acme", position: 3).text == "Acme [3]")
    #expect(O.Element(label: nil, position: 0).text == "[0]")
    #expect(O.Element(label: "Acme", position: nil).text == "Acme (the proposed deal)")
    #expect(O.Element(label: nil, position: nil).text == "the proposed deal")
    let shown = O.ElementValues(element: O.Element(label: "Senior A", position: 0), values: [
      .value(ShownValue(expression: "tranche.spread", value: "121 bps")), .zeroDenominator("a / b"),
    ])
    #expect(shown.text == "Senior A [0]: tranche.spread = 121 bps, a / b: its denominator is zero")
    #expect(O.ElementValues(element: O.Element(label: nil, position: 2), values: []).valuesText.isEmpty)
  }

  @Test func countsHaveThousandsSeparators() {
    #expect(Format.count(1_000_000) == "1,000,000")
    var o = RequirementOutcome(requirement: .written("every x"))
    o.examined = 1_000_000
    o.offenderCount = 2012
    o.holds = false
    #expect(CheckReport.outcomeText(o, schema: Schema()).hasPrefix("2,012 of 1,000,000 fail"))
  }

  /// `id` is the number a program matches on (the peer harness's adapter does), `section` the
  /// number as written.
  @Test func idsSectionsAndTextOnOneLine() throws {
    let (_, r, c) = try report(deal: nil)
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"id\": \"12.1\""))
    #expect(json.contains("\"section\": \"§12.1\""))
    #expect(json.contains("\"text\": \"No more than 40% of the book in one industry.\""))
  }

  @Test func explainShowsHowEachDefinitionWasDerived() throws {
    let (text, _, _) = try report(explain: true)
    let b = block(text, "§13")
    #expect(b.contains("how: gearing = fund.borrowed ($400,000,000) + sum of loans.amount ($1,000,000,000) = $1,400,000,000 (before)"), "\(b)")
  }
}

/// `report` items: figures a clause requires to be shown.
struct ReportItemTests {
  static let covenant = ReportWordingTests.covenant + """

    §19 "Industry reporting"
      "The Manager shall report each Industry's share and its headroom to the 40% limit."
      for each industry:
        report share of loans.amount where industry = that industry
        report 40% of book_value - sum of loans.amount where industry = that industry

    """

  @Test func reportedFiguresAreShownBeforeAndAfterWithExactValues() throws {
    let (r, c) = try run(Self.covenant, snapshot: ReportWordingTests.snapshot(), deal: ReportWordingTests.deal)
    let clause = try #require(r.clauses.first { $0.id == "19" })
    #expect(clause.verdict == .pass)
    let text = CheckReport.text(r, covenant: c)
    #expect(text.contains("reports: share of loans.amount where industry = that industry\n"), "\(text)")
    #expect(text.contains("industry rail: before 45%, after ≈81.67%"), "\(text)")
    #expect(text.contains("industry rail: before -$50,000,000, after -$1,250,000,000"), "\(text)")
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"figure\": \"share of loans.amount where industry = that industry\""))
    #expect(json.contains("\"exact\": \"45\""))
  }

  @Test func reportForEachGroupsTheClause() throws {
    let cov = ReportWordingTests.covenant + """

      §21 "Industry exposure"
        report sum of loans.amount where industry = that industry for each industry
        report share of loans.amount where industry = that industry for each industry

      """
    let (r, c) = try run(cov, snapshot: ReportWordingTests.snapshot())
    let text = CheckReport.text(r, covenant: c)
    #expect(text.contains("reports: sum of loans.amount where industry = that industry\n           industry shipping: $300,000,000\n"), "\(text)")
    #expect(text.contains("industry rail: 45%"), "\(text)")
    guard case .success(let formatted) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: cov)) else {
      Issue.record("fmt failed")
      return
    }
    #expect(formatted.contains("""
      §21 "Industry exposure"
        for each industry:
          report sum of loans.amount where industry = that industry
          report share of loans.amount where industry = that industry
      """))
    #expect(errorCodes(ReportWordingTests.covenant + "§22 \"x\"\n  book_value > $0\n  report book_value for each industry\n") == ["C023"])
  }

  @Test func reportOfARecordIsRefusedAndReportCanStillBeAName() {
    #expect(errorCodes(prelude + "§1 \"x\"\n  report fund.holdings\n").contains("C060"))
    #expect(errorCodes(prelude + "define report = nav\n§1 \"x\"\n  report > $0\n") == [])
  }
}

/// Diagnostics name their clause and their help is right for what was written.
struct DiagnosticWordingTests {
  static let base = """
    covenant "Bad" version 2026-01-01
    base currency USD
    record loan
      borrower : text
      amount   : money
    data fund from snapshot
      as_of : date
      loans : list of loan

    """

  func messages(_ source: String) -> [Diagnostic] { compile(source).diagnostics }

  @Test func checkerDiagnosticsNameTheirClause() {
    let d = messages(Self.base + "§4.4 \"Field\"\n  every loan in loans: loan.amont > $0\n")
    #expect(d.first?.message == "unknown field `amont` on `loan` in §4.4")
  }

  @Test func aShareComparedWithDollarsExplainsBothFixes() {
    let d = messages(Self.base + "§4.4 \"Share\"\n  share of loans.amount where borrower = \"A\" <= $10 billion\n")
    #expect(d.first?.code == "C004")
    #expect(d.first?.help?.contains("compare it with a percentage") == true)
    #expect(d.first?.help?.contains("sum of loans.amount where … <= $10 billion") == true)
  }

  @Test func aShareCapAbove100SuggestsLikelyPercentages() {
    let d = messages(Self.base + "§4.5 \"Cap\"\n  share of loans.amount where borrower = \"A\" <= 135%\n")
    #expect(d.first?.code == "C007")
    #expect(d.first?.help?.hasPrefix("did you mean 35% or 13.5%?") == true, "\(d.first?.help ?? "")")
    #expect(Checker.shareCapGuesses(try! #require(try? Exact.parse("3.5"))) == "50% or 35%")
  }

  @Test func anInvalidDateSaysWhy() {
    let d = messages(Self.base + "§4.6 \"Dated\"\n  effective from 2027-06-31\n  count of loans > 0\n")
    #expect(d.first?.code == "P007")
    #expect(d.first?.message == "`2027-06-31` is not a valid date: June has 30 days in §4.6")
    #expect(Parser.dateProblem("2027-02-29") == "February 2027 has 28 days")
    #expect(Parser.dateProblem("2026-13-01") == "there is no month 13")
  }
}

/// Floors, defined ratios and compound conditions, on a trust whose data has other key names.
struct FloorAndConditionWordingTests {
  static let covenant = """
    covenant "Pacific Infra Trust" version 2026-01-15
    base currency USD
    kind region = west | east | south
    record asset
      code    : text
      region  : region
      nav     : money from "nav_usd"
      loan    : money optional default $0
      dscr    : number from "dscr"
    data trust from snapshot
      as_of   : date from "asOf"
      equity  : money from "capital.equity"
      cash    : money from "capital.cash"
      assets  : list of asset from "assets"
    data deal from deal
      code    : text
      region  : region
      size    : money
      loan    : money default $0
      dscr    : number
    pro forma: the deal joins assets with code = deal.code, region = deal.region, nav = deal.size, loan = deal.loan, dscr = deal.dscr
    define portfolio_value = sum of assets.nav
    define debt = sum of assets.loan
    define liquidity = trust.cash / portfolio_value

    §A-1 "Liquidity floor"
      "Cash shall be at least 5% of the portfolio value."
      trust.cash >= 5% of portfolio_value
      warn below 110% of the limit

    §A-2 "Liquidity ratio"
      liquidity >= 4%

    §A-3 "Debt cover"
      "No asset shall have a debt service coverage ratio below 1.2."
      no asset in assets: asset.dscr < 1.2

    §A-4 "Regional"
      for each region:
        sum of assets.nav where region = that region <= 50% of portfolio_value

    §A-5 "Large"
      applies when deal.size > $1 billion and deal.region = west
      deal.loan <= 50% of deal.size

    """
  static let snapshot = """
    {"asOf": "2026-03-31", "capital": {"equity": 900000000, "cash": 52000000},
     "assets": [{"code": "W-1", "region": "west", "nav_usd": 400000000, "loan": 200000000, "dscr": 1.45},
                {"code": "E-1", "region": "east", "nav_usd": 350000000, "dscr": 1.15},
                {"code": "S-1", "region": "south", "nav_usd": 250000000, "loan": 50000000, "dscr": 1.3}]}
    """
  static let deal = #"{"code": "W-2", "region": "west", "size": 300000000, "loan": 100000000, "dscr": 1.1}"#

  func text() throws -> String {
    let (r, c) = try run(Self.covenant, snapshot: Self.snapshot, deal: Self.deal)
    return CheckReport.text(r, covenant: c)
  }

  @Test func aFloorWarnsBelowAndFallsShort() throws {
    let t = try text()
    #expect(t.contains("before $52,000,000 >= $50,000,000 floor, headroom $2,000,000, below the warning level"), "\(t)")
    #expect(t.contains("after  $52,000,000 < $65,000,000 floor, short by $13,000,000"), "\(t)")
    #expect(t.contains("= 4% of portfolio_value ($1,300,000,000) < 5% floor, short by 1 point"), "\(t)")
  }

  @Test func aDefinedRatioShowsTheAmountsBehindIt() throws {
    let t = try text()
    #expect(t.contains("= $52,000,000 of $1,000,000,000 (portfolio_value), floor $40,000,000, headroom $12,000,000"), "\(t)")
  }

  @Test func aClauseThatAppliesShowsItsConditionsValues() throws {
    let (r, c) = try run(Self.covenant, snapshot: Self.snapshot, deal: #"{"code": "W-3", "region": "west", "size": 2000000000, "loan": 500000000, "dscr": 1.3}"#)
    let t = CheckReport.text(r, covenant: c)
    #expect(t.contains("applies: deal.size > $1 billion and deal.region = west (deal.size is $2,000,000,000, deal.region is west)\n"), "\(t)")
  }

  @Test func aCompoundConditionSaysWhichPartIsFalse() throws {
    let t = try text()
    #expect(t.contains("does not apply: the condition `applies when deal.size > $1 billion and deal.region = west` is false (deal.size is $300,000,000)"), "\(t)")
  }

  @Test func noListsTheElementsThatMatchWithTheirValues() throws {
    let t = try text()
    #expect(t.contains("W-2 (the proposed deal): asset.dscr = 1.1"), "\(t)")
  }
}

/// Empty lists and undefined figures say so plainly.
struct EmptyDataWordingTests {
  static let covenant = """
    covenant "Edge" version 2026-01-01
    base currency USD
    record h
      name : text
      kind_ : text from "kind"
      v : money
    data fund from snapshot
      as_of : date
      cap : money
      hs : list of h from "items"
    define total = sum of hs.v
    §1 "Count share"
      share of hs where kind_ = "x" <= 50%
    §2 "Max"
      max of hs.v <= 10% of total
    §3 "Some"
      some x in hs: x.v > $1 billion
    §4 "Zero base"
      sum of hs.v where kind_ = "z" <= 10% of fund.cap
    §5 "Many"
      every x in hs: x.v > $0

    """

  @Test func emptyListsAndUndefinedFigures() throws {
    let (r, c) = try run(Self.covenant, snapshot: #"{"as_of": "2026-01-01", "cap": 0, "items": []}"#)
    let t = CheckReport.text(r, covenant: c)
    #expect(t.contains("undefined: no value for this data (an empty list, or nothing matched)"), "\(t)")
    #expect(t.contains("does not hold: no elements to examine\n"), "\(t)")
    #expect(t.contains("holds: no elements to examine (every holds when there are none)"), "\(t)")
  }

  @Test func aCountShareShowsTheCounts() throws {
    let items = (0..<12).map { i in #"{"name": "N\#(i)", "kind": "\#(i % 3 == 0 ? "x" : "y")", "v": \#((i + 1) * 1_000_000)}"# }
    let (r, c) = try run(Self.covenant, snapshot: #"{"as_of": "2026-01-01", "cap": 0, "items": ["# + items.joined(separator: ",") + "]}")
    let t = CheckReport.text(r, covenant: c)
    #expect(t.contains("≈33.33% <= 50% limit, headroom ≈16.67 points\n           = 4 of 12 (all hs), limit 6, headroom 2"), "\(t)")
  }
}

/// A clause that reads the deal: "before" figures with the deal known, requirements in the order
/// written, a ratio definition shown as the percentage it is compared with.
struct DealDependentWordingTests {
  static let covenant = """
    covenant "Deal share" version 2026-01-01
    base currency USD
    kind industry = shipping | ports | rail
    record loan
      borrower : text
      industry : industry
      amount   : money from "outstanding"
    data fund from snapshot
      as_of    : date from "valuation_date"
      loans    : list of loan from "book.loans"
    data deal from deal
      borrower : text
      industry : industry
      amount   : money from "size"
    pro forma: the deal joins loans with borrower = deal.borrower, industry = deal.industry, amount = deal.amount
    define book = sum of loans.amount
    define deal_weight = deal.amount / book
    define industry_share = share of loans.amount where industry = deal.industry

    §1 "Deal weight"
      deal_weight <= 25%
      industry_share <= 50%

    """

  @Test func beforeFiguresAreDefinedAndInOrder() throws {
    let (r, c) = try run(Self.covenant, snapshot: #"{"valuation_date": "2026-06-30", "book": {"loans": [{"borrower": "A", "industry": "rail", "outstanding": 300}, {"borrower": "B", "industry": "ports", "outstanding": 700}]}}"#,
      deal: #"{"borrower": "C", "industry": "rail", "size": 200}"#)
    let t = CheckReport.text(r, covenant: c)
    #expect(!t.contains("undefined"), "\(t)")
    #expect(t.contains("before 20% <= 25% limit, headroom 5 points"), "\(t)")
    #expect(t.contains("deal_weight: before 20%, after ≈16.67%"), "\(t)")
    let first = try #require(t.range(of: "requires: deal_weight")), second = try #require(t.range(of: "requires: industry_share"))
    #expect(first.lowerBound < second.lowerBound)
  }
}
