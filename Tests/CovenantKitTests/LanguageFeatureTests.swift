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

/// Issue 19 (signed amounts, zero denominators, missing values) and issue 14.2–3 (scalar
/// `max`/`min`, `if … then … else`, `warn at or above`): one test per construct and edge.
@Suite struct LanguageFeatureTests {
  /// A credit book, in a shape unlike the examples: camelCase keys, ids such as `LN-7`.
  static let book = """
    covenant "Credit book"
    base currency USD
    kind grade = ig | hy
    record loan
      ref      : text from "loanRef"
      sponsor  : text from "sponsorName" optional
      family   : text from "groupName" default sponsor
      grade    : grade optional
      ebitda   : money signed from "ttmEbitda"
      interest : money from "ttmInterest"
      debt     : money from "outstanding"
    data book from snapshot
      as_of      : date from "asOf"
      net_income : money signed from "netIncome" optional
      cash       : money
      interest   : money from "interestExpense"
      loans      : list of loan
    data deal from deal
      ref     : text
      sponsor : text optional
      amount  : money
      ebitda  : money signed default $0
    pro forma: deal joins loans with ref = deal.ref, sponsor = deal.sponsor, ebitda = deal.ebitda, interest = $0, debt = deal.amount
    define total_debt = sum of loans.debt
    define total_ebitda = sum of loans.ebitda
    define leverage = total_debt / total_ebitda

    """

  static func loan(_ ref: String, ebitda: String, interest: String = "10", debt: String = "100", extra: String = "") -> String {
    "{\"loanRef\": \"\(ref)\", \"ttmEbitda\": \(ebitda), \"ttmInterest\": \(interest), \"outstanding\": \(debt)\(extra)}"
  }

  static func snapshot(_ loans: [String], netIncome: String = "null", cash: String = "50", interest: String = "20") -> String {
    "{\"asOf\": \"2026-03-31\", \"netIncome\": \(netIncome), \"cash\": \(cash), \"interestExpense\": \(interest), \"loans\": [\(loans.joined(separator: ", "))]}"
  }

  func outcome(_ r: CheckResult, _ id: String) -> RequirementOutcome? {
    let c = r.clauses.first { $0.id == id }
    return (c?.proForma ?? c?.snapshot)?.outcomes.first
  }

  func roundTrips(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) {
    switch CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: source)) {
    case .failure(let d): Issue.record("fmt failed: \(d.list.map { "\($0.code) \($0.message)" })", sourceLocation: sourceLocation)
    case .success(let once):
      guard case .success(let twice) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: once)) else {
        Issue.record("fmt output does not format", sourceLocation: sourceLocation)
        return
      }
      #expect(once == twice, sourceLocation: sourceLocation)
    }
  }

  // MARK: - Signed amounts

  @Test func aSignedFieldReadsNegativeAmounts() throws {
    let cov = Self.book + """
      §1 "Net income"
        book.net_income >= -$5 million

      §2 "Positive EBITDA"
        every l in loans: l.ebitda > $0

      """
    let snap = Self.snapshot([Self.loan("LN-1", ebitda: "-250"), Self.loan("LN-2", ebitda: "400")], netIncome: "-5000000")
    let (r, c) = try run(cov, snapshot: snap)
    #expect(verdict(r, "1") == .pass)  // exactly at the floor
    #expect(outcome(r, "1")?.value == .money(Exact(-5_000_000), currency: "USD"))
    #expect(Format.value(outcome(r, "1")!.value!, c.schema) == "-$5,000,000")
    #expect(verdict(r, "2") == .breach)
    #expect(outcome(r, "2")?.offenders.map(\.element.text) == ["LN-1 [0]"])
  }

  @Test func aNearMissBelowTheSignedFloorBreaches() throws {
    let cov = Self.book + """
      §1 "Net income"
        book.net_income >= -$5 million

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot([], netIncome: "-5000000.01"))
    #expect(verdict(r, "1") == .breach)
  }

  @Test func plainMoneyStillRefusesANegativeAmount() throws {
    #expect(throws: RunFailure.self) { try run(Self.book + "§1 \"x\"\n  book.cash >= $0\n", snapshot: Self.snapshot([], cash: "-1")) }
    do {
      _ = try run(Self.book + "§1 \"x\"\n  book.cash >= $0\n", snapshot: Self.snapshot([], cash: "-1"))
    } catch {
      #expect("\(error)".contains("D103"))
    }
  }

  @Test func signedAmountsSumAcrossAManyRowColumn() throws {
    // Enough rows for the columnar reader; negative cells go down its general path.
    var loans: [String] = []
    for i in 0..<300 { loans.append(Self.loan("LN-\(i)", ebitda: i % 3 == 0 ? "-7" : "5")) }
    let cov = Self.book + """
      §1 "EBITDA"
        total_ebitda = $500

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot(loans))
    // 100 rows at -7, 200 at 5.
    #expect(outcome(r, "1")?.value == .money(Exact(300), currency: "USD"))
    #expect(verdict(r, "1") == .breach)
  }

  @Test func signedAppliesOnlyToMoney() {
    let cov = "covenant \"x\"\ndata f from snapshot\n  name : text signed\n"
    #expect(errorCodes(cov) == ["C027"])
  }

  @Test func aNegativeMoneyDefaultIsAFixedValue() throws {
    let cov = "covenant \"x\"\ndata f from snapshot\n  ebitda : money signed default -$1 million\n§1 \"x\"\n  f.ebitda < $0\n"
    #expect(errorCodes(cov) == [])
    let (r, _) = try run(cov, snapshot: "{}")
    #expect(verdict(r, "1") == .pass)
    roundTrips(cov)
  }

  // MARK: - Zero and negative denominators

  static let ratios = book + """
    §cov "Interest coverage"
      total_ebitda / book.interest >= 2.0x

    §lev "Leverage"
      leverage <= 4.0x

    """

  @Test func aFloorOverAZeroDenominatorPassesWhenTheNumeratorIsPositive() throws {
    let (r, _) = try run(Self.ratios, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "100")], interest: "0"))
    #expect(verdict(r, "cov") == .pass)
    let o = try #require(outcome(r, "cov"))
    #expect(o.holds == true)
    #expect(o.note?.contains("unbounded") == true)
    #expect(o.note?.contains("$0") == true)
    #expect(CheckReport.outcomeText(o, schema: Schema()).hasPrefix("holds: the denominator"))
  }

  @Test func aFloorOverZeroByZeroFails() throws {
    let (r, _) = try run(Self.ratios, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "0", debt: "0")], interest: "0"))
    #expect(verdict(r, "cov") == .breach)
    #expect(outcome(r, "cov")?.note?.contains("not positive") == true)
    #expect(verdict(r, "lev") == .breach)  // a cap over a zero denominator
  }

  @Test func aFloorOverANegativeDenominatorFails() throws {
    let cov = Self.book + "§1 \"x\"\n  book.net_income / total_ebitda >= 1.0x\n"
    let (r, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "-10")], netIncome: "-30"))
    // -30 / -10 = 3.0x would wrongly pass.
    #expect(verdict(r, "1") == .breach)
    #expect(outcome(r, "1")?.note?.contains("negative") == true)
  }

  @Test func aPositiveNumeratorOverANegativeDenominatorIsUnbounded() throws {
    let cov = Self.book + """
      §cover "Cover with net interest income"
        total_ebitda / book.interest >= 2.0x

      §spring "Springing leverage test"
        applies when leverage > 3.0x
        book.cash >= $100

      """
    // Interest of -20 (income) under positive EBITDA; debt over negative EBITDA.
    let (r, _) = try run(cov.replacingOccurrences(of: "interest   : money from", with: "interest   : money signed from"),
      snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "50", debt: "10"), Self.loan("LN-2", ebitda: "-60", debt: "10")], interest: "-20"))
    // total EBITDA -10: the cover's numerator is not positive.
    #expect(verdict(r, "cover") == .breach)
    #expect(verdict(r, "spring") == .breach)  // the springing test applies, and cash 50 < 100
    let (r2, _) = try run(cov.replacingOccurrences(of: "interest   : money from", with: "interest   : money signed from"),
      snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "50", debt: "200")], interest: "-20"))
    #expect(verdict(r2, "cover") == .pass)
    #expect(outcome(r2, "cover")?.note?.contains("negative and the numerator") == true)
    #expect(verdict(r2, "spring") == .breach)  // 200 / 50 = 4.0x > 3.0x
    let (r3, _) = try run(cov.replacingOccurrences(of: "interest   : money from", with: "interest   : money signed from"),
      snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "50", debt: "150")], interest: "-20"))
    #expect(verdict(r3, "spring") == .notApplicable)  // exactly 3.0x: the test does not spring
  }

  @Test func aCapOverANegativeDenominatorFailsThroughADefinition() throws {
    let (r, _) = try run(Self.ratios, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "-100", debt: "50")]))
    // 50 / -100 = -0.5x would wrongly pass the cap.
    #expect(verdict(r, "lev") == .breach)
    #expect(outcome(r, "lev")?.note?.contains("`total_debt / total_ebitda`") == false)
    #expect(outcome(r, "lev")?.note?.contains("`total_ebitda` = -$100 is negative") == true)
  }

  @Test func ordinaryRatiosAreUnchanged() throws {
    let (r, _) = try run(Self.ratios, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "40", debt: "160")], interest: "20"))
    #expect(verdict(r, "cov") == .pass)  // 40 / 20 = 2.0x, exactly the floor
    #expect(verdict(r, "lev") == .pass)  // 160 / 40 = 4.0x, exactly the cap
    #expect(outcome(r, "lev")?.note == nil)
    #expect(outcome(r, "lev")?.value == .number(Exact(4)))
    let (r2, _) = try run(Self.ratios, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "40", debt: "160.01")], interest: "20.01"))
    #expect(verdict(r2, "cov") == .breach)
    #expect(verdict(r2, "lev") == .breach)
  }

  @Test func ratiosInsideEveryAndOnTheRightFollowTheSameRule() throws {
    let cov = Self.book + """
      §1 "Each loan covers its interest"
        every l in loans: l.ebitda / l.interest >= 1.5x

      §2 "Written the other way round"
        4.0x >= total_debt / total_ebitda

      """
    let loans = [Self.loan("LN-1", ebitda: "10", interest: "0"), Self.loan("LN-2", ebitda: "0", interest: "0"), Self.loan("LN-3", ebitda: "-5", debt: "0")]
    let (r, _) = try run(cov, snapshot: Self.snapshot(loans))
    #expect(verdict(r, "1") == .breach)
    #expect(outcome(r, "1")?.offenders.map(\.element.text) == ["LN-2 [1]", "LN-3 [2]"])
    #expect(verdict(r, "2") == .breach)  // total EBITDA 5 is positive: 200 / 5 = 40x
    #expect(outcome(r, "2")?.note == nil)
    #expect(outcome(r, "2")?.limit == .number(Exact(40)))
  }

  @Test func aDivisionWithoutAgreedMeaningIsStillE002() throws {
    let cov = "covenant \"x\"\ndata f from snapshot\n  debt : money\n  parts : number\n§1 \"x\"\n  f.debt / f.parts <= $10\n"
    #expect(throws: EvaluationError.self) { try run(cov, snapshot: "{\"debt\": 5, \"parts\": 0}") }
  }

  // MARK: - Missing values

  @Test func isMissingAndIsPresent() throws {
    let cov = Self.book + """
      §1 "Rated"
        every l in loans: l.grade is present

      §2 "Unrated count"
        (count of loans where grade is missing) <= 1

      §3 "Net income reported"
        book.net_income is present

      """
    let loans = [Self.loan("LN-1", ebitda: "1", extra: ", \"grade\": \"ig\""), Self.loan("LN-2", ebitda: "1"), Self.loan("LN-3", ebitda: "1", extra: ", \"grade\": null")]
    let (r, _) = try run(cov, snapshot: Self.snapshot(loans))
    #expect(verdict(r, "1") == .breach)
    #expect(outcome(r, "1")?.offenders.map(\.element.text) == ["LN-2 [1]", "LN-3 [2]"])
    #expect(outcome(r, "1")?.notEvaluatedCount == 0)
    #expect(verdict(r, "2") == .breach)
    #expect(verdict(r, "3") == .breach)
    roundTrips(cov)
  }

  @Test func isMissingOnAListIsRefused() {
    #expect(errorCodes(Self.book + "§1 \"x\"\n  loans is missing\n") == ["C014"])
  }

  @Test func aDefaultTakenFromAnotherField() throws {
    let cov = Self.book + """
      §1 "Family cap"
        for each family in loans:
          sum of loans.debt where family = that family <= $250

      """
    let loans = [
      Self.loan("LN-1", ebitda: "1", debt: "200", extra: ", \"sponsorName\": \"Acme\""),
      Self.loan("LN-2", ebitda: "1", debt: "100", extra: ", \"sponsorName\": \"Beta\", \"groupName\": \"Acme\""),
      Self.loan("LN-3", ebitda: "1", debt: "240", extra: ", \"sponsorName\": \"Gamma\""),
    ]
    let (r, c) = try run(cov, snapshot: Self.snapshot(loans))
    let fam = c.schema.records[0].fields[2]
    #expect(fam.defaultField == 1)
    #expect(verdict(r, "1") == .breach)
    let groups = r.clauses[0].snapshot?.outcomes.map { "\($0.group?.text ?? "") \($0.holds == true)" }
    #expect(groups == ["family Acme false", "family Gamma true"])
    // A deal's element takes its sponsor as its family too.
    let (r2, _) = try run(cov, snapshot: Self.snapshot([loans[2]]), deal: "{\"ref\": \"D-1\", \"sponsor\": \"Gamma\", \"amount\": 11}")
    #expect(verdict(r2, "1") == .breach)
    roundTrips(cov)
  }

  @Test func aDefaultFieldMustHaveTheSameTypeAndBeOneStep() {
    let base = "covenant \"x\"\nkind k = a | b\ndata f from snapshot\n"
    #expect(errorCodes(base + "  x : text optional\n  y : money default x\n") == ["C026"])
    #expect(errorCodes(base + "  x : text default y\n  y : text default z\n  z : text\n") == ["C026"])
    #expect(errorCodes(base + "  x : text default x\n") == ["C026"])
    // A kind value with the name of a field stays the kind value.
    #expect(errorCodes(base + "  a : text\n  g : k default a\n") == [])
  }

  // MARK: - Smaller points

  @Test func aMultipleOfAParenthesisedSumIsOneExpression() throws {
    let a = Parser.parse(SourceFile(name: "t", text: "define x = 2.0x (a + b)"))
    let b = Parser.parse(SourceFile(name: "t", text: "define x = 2.0x of (a + b)"))
    #expect(a.diagnostics.isEmpty)
    #expect(SpanInsensitive.equal(a.covenant as Any, b.covenant as Any))
    let cov = Self.book + "§1 \"x\"\n  total_debt <= 2.0x (book.cash + book.interest)\n"
    let (r, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "1", debt: "140")]))
    #expect(r.clauses[0].snapshot?.outcomes.count == 1)
    #expect(verdict(r, "1") == .pass)  // 140 <= 2 × 70
    roundTrips(cov)
  }

  // MARK: - max / min of values, if … then … else

  @Test func maxOfValuesIsTheExcess() throws {
    let cov = Self.book + """
      define excess = max of [$0, total_debt - $100]

      §1 "Excess"
        excess <= $50

      §2 "Smallest"
        min of [book.cash, book.interest, $30] = $20

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "1", debt: "80")]))
    #expect(outcome(r, "1")?.value == .money(Exact(0), currency: "USD"))
    #expect(verdict(r, "2") == .pass)
    let (r2, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "1", debt: "150.01")]))
    #expect(outcome(r2, "1")?.value == .money(try Exact(5001, scale: 2), currency: "USD"))
    #expect(verdict(r2, "1") == .breach)
    roundTrips(cov)
  }

  @Test func maxOfValuesChecksUnits() {
    #expect(errorCodes(Self.book + "define x = max of [$0, 5%]\n") == ["C003"])
    #expect(errorCodes(Self.book + "define x = max of [$0, ¥5]\n") == ["C024"])
    #expect(errorCodes(Self.book + "define x = max of []\n") == ["C015"])
    #expect(errorCodes(Self.book + "define x = max of [book.as_of, 2026-01-01]\n") == [])
  }

  @Test func maxOfValuesIsUndefinedWhenOneIs() throws {
    let cov = Self.book + "§1 \"x\"\n  max of [$0, book.net_income] <= $10\n"
    let (r, _) = try run(cov, snapshot: Self.snapshot([]))
    #expect(verdict(r, "1") == .notApplicable)
  }

  @Test func ifThenElse() throws {
    let cov = Self.book + """
      §1 "Step-down"
        leverage <= if book.as_of >= 2026-01-01 then 3.5x else 4.5x

      §2 "Basket"
        total_debt <= (if book.net_income is present then book.net_income else $0) + $100

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "10", debt: "40")], netIncome: "-20"))
    #expect(outcome(r, "1")?.limit == .number(try Exact(35, scale: 1)))
    #expect(verdict(r, "1") == .breach)  // 4.0x > 3.5x
    #expect(outcome(r, "2")?.limit == .money(Exact(80), currency: "USD"))
    #expect(verdict(r, "2") == .pass)
    roundTrips(cov)
  }

  @Test func ifThenElseChecksItsBranchesAndCondition() {
    #expect(errorCodes(Self.book + "define x = if book.cash > $0 then $1 else 5%\n") == ["C004"])
    #expect(errorCodes(Self.book + "define x = if book.cash then $1 else $2\n") == ["C010"])
    #expect(!Parser.parse(SourceFile(name: "t", text: "define x = if a then b\n")).diagnostics.isEmpty)
  }

  @Test func anUndefinedConditionLeavesTheValueUndefined() throws {
    let cov = Self.book + "§1 \"x\"\n  total_debt <= if book.net_income > $0 then $10 else $1,000\n"
    let (r, _) = try run(cov, snapshot: Self.snapshot([]))
    #expect(verdict(r, "1") == .notApplicable)
  }

  @Test func formatterParenthesisesAConditionalBeforeAnOperator() {
    let cov = Self.book + "§1 \"x\"\n  (if book.cash > $0 then book.cash else $0) + $1 <= $10\n  (if book.cash > $0 then $1 else $0) * 2 <= $10\n"
    roundTrips(cov)
    guard case .success(let out) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: cov)) else { return }
    #expect(out.contains("(if book.cash > $0 then book.cash else $0) + $1 <= $10"))
  }

  // MARK: - warn at or above / at or below

  @Test func warnAtOrAboveIncludesTheLevel() throws {
    let cov = Self.book + """
      §strict "Strict"
        total_debt <= $100
        warn above 90% of the limit

      §incl "Inclusive"
        total_debt <= $100
        warn at or above 90% of the limit

      §floor "Inclusive floor"
        book.cash >= $40
        warn at or below 125% of the limit

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "1", debt: "90")], cash: "50"))
    #expect(verdict(r, "strict") == .pass)
    #expect(verdict(r, "incl") == .warning)
    #expect(verdict(r, "floor") == .warning)  // 50 = 125% of 40
    let (r2, _) = try run(cov, snapshot: Self.snapshot([Self.loan("LN-1", ebitda: "1", debt: "89.99")], cash: "50.01"))
    #expect(verdict(r2, "incl") == .pass)
    #expect(verdict(r2, "floor") == .pass)
    roundTrips(cov)
  }

  @Test func warnAtOrNeedsAboveOrBelow() {
    #expect(!Parser.parse(SourceFile(name: "t", text: "§1 \"x\"\n  a <= b\n  warn at or 90% of the limit\n")).diagnostics.isEmpty)
  }

  // MARK: - Definitions with parameters

  static let grid = """
    covenant "Grid"
    kind zone = north | south
    record site
      code  : text from "siteCode"
      zone  : zone
      owner : text
      mw    : money from "capex"
    data portfolio from snapshot
      sites : list of site
    data deal from deal
      code   : text
      zone   : zone
      owner  : text
      amount : money
    pro forma: deal joins sites with code = deal.code, zone = deal.zone, owner = deal.owner, mw = deal.amount
    define capex = sum of sites.mw
    define zone_capex(z) = sum of sites.mw where zone = z
    define within(z, cap) = zone_capex(z) <= cap of capex

    """

  static let gridSnapshot = """
    {"sites": [{"siteCode": "S-1", "zone": "north", "owner": "Ora", "capex": 60},
               {"siteCode": "S-2", "zone": "south", "owner": "Pel", "capex": 40}]}
    """

  @Test func aDefinitionWithParametersIsOneKeyedPass() throws {
    let cov = Self.grid + """
      §1 "Zone cap"
        for each zone:
          zone_capex(that zone) <= 60% of capex

      §2 "Deal zone"
        within(deal.zone, 70%)

      §3 "North"
        zone_capex(north) <= $59.99

      """
    let (r, c) = try run(cov, snapshot: Self.gridSnapshot)
    #expect(verdict(r, "1") == .pass)  // 60 of 100: exactly the cap
    #expect(verdict(r, "3") == .breach)
    #expect(r.clauses[2].snapshot?.outcomes.first?.requirement == .written("zone_capex(north) <= $59.99"))
    // Planned as the written-out `where zone = that zone`: keyed by the zone field.
    guard case .compare(_, let lhs, _) = CovenantSession.plan(c).covenant.clauses[0].requirements[0].expr.kind, case .aggregate(let plan) = lhs.kind else {
      Issue.record("not an aggregate")
      return
    }
    #expect(plan.keyField == 1)
    let (r2, _) = try run(cov, snapshot: Self.gridSnapshot, deal: "{\"code\": \"D\", \"zone\": \"south\", \"owner\": \"Q\", \"amount\": 20}")
    #expect(verdict(r2, "1") == .pass)  // south 60 of 120
    #expect(verdict(r2, "2") == .pass)
    roundTrips(cov)
  }

  @Test func aUseMayBeTheArgumentOfAnotherUse() throws {
    let cov = Self.grid + """
      define plus(a, b) = a + b
      define twice(a) = plus(a, a)

      §1 "Nested"
        plus(plus(twice($1), zone_capex(north)), twice(twice($1))) = $66

      """
    #expect(errorCodes(cov) == [])
    let (r, _) = try run(cov, snapshot: Self.gridSnapshot)
    #expect(verdict(r, "1") == .pass)  // 2 + 60 + 4
    roundTrips(cov)
  }

  @Test func anArgumentReadingTheElementIsRefusedAsQuadratic() {
    #expect(errorCodes(Self.grid + "§1 \"x\"\n  every s in sites: zone_capex(s.zone) <= $50\n") == ["C017"])
  }

  @Test func wrongUsesOfParametersAreC040() {
    #expect(errorCodes(Self.grid + "§1 \"x\"\n  zone_capex <= $1\n") == ["C040"])
    #expect(errorCodes(Self.grid + "§1 \"x\"\n  zone_capex(north, south) <= $1\n") == ["C040"])
    #expect(errorCodes(Self.grid + "§1 \"x\"\n  capex(north) <= $1\n") == ["C040"])
    #expect(errorCodes(Self.grid + "define unused(a, b) = a + $1\n") == ["C040"])
    #expect(errorCodes(Self.grid + "§1 \"x\"\n  zone_capex(5%) <= $1\n") == ["C004"])
  }

  @Test func recursiveAndExplodingDefinitionsAreRefused() {
    #expect(errorCodes(Self.grid + "define r(x) = r(x) + $1\n§1 \"x\"\n  r($1) <= $1\n").contains("C006"))
    var cov = Self.grid + "define d0(x) = x + x\n"
    for i in 1..<40 { cov += "define d\(i)(x) = d\(i - 1)(x) + d\(i - 1)(x)\n" }
    cov += "§1 \"x\"\n  d39($1) <= $1\n"
    #expect(errorCodes(cov) == ["C040"])
    // A long chain, each using the next once: bounded nesting, no deep recursion.
    var chain = Self.grid + "define c0(x) = x + $1\n"
    for i in 1..<5_000 { chain += "define c\(i)(x) = c\(i - 1)(x)\n" }
    #expect(errorCodes(chain + "§1 \"x\"\n  c4999($1) <= $1\n") == ["C040"])
    #expect(errorCodes(chain + "§1 \"x\"\n  c7($1) <= $9\n") == [])
    // Two nested in the budget: 2^16 uses of `x`.
    var wide = Self.grid + "define w0(x) = x + x\n"
    for i in 1..<17 { wide += "define w\(i)(x) = w\(i - 1)(x) + w\(i - 1)(x)\n" }
    #expect(errorCodes(wide + "§1 \"x\"\n  w16($1) <= $1\n") == ["C040"])
  }
}
