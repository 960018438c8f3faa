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

/// Lists of dated periods (issue #19, item 3): trailing figures over the last N periods as of the
/// test date, and windows of N consecutive periods. The fixture is a 52/53-week fiscal calendar
/// in a lender's reporting layout, not the examples' shape.
@Suite struct PeriodsTests {
  static let cov = """
    covenant "Borrower compliance"

    record fiscal_period
      name     : text
      wk_end   : date  from "wk_end" period end
      wk_start : date  from "wk_start" period start
      ebitda   : money signed from "adj_ebitda"
      interest : money from "cash_interest"

    data lender_pack from snapshot
      as_of    : date from "reporting.as_at"
      periods  : list of fiscal_period from "fiscal_calendar.periods"

    define ebitda_ltm   = sum of periods.ebitda over the last 4 periods
    define interest_ltm = sum of periods.interest over the last 4 periods

    §6.1 "Interest coverage"
      ebitda_ltm / interest_ltm >= 3.00x

    """

  /// FY2024 is a 53-week year (its fourth quarter has 14 weeks, 2024-06-30 to 2024-10-05);
  /// FY2025's quarters have 13 weeks each. Amounts are (ebitda, interest) in dollars.
  static let calendar: [(String, String, String, String, String)] = [
    ("Q1 FY24", "2023-10-01", "2023-12-30", "100", "20"),
    ("Q2 FY24", "2023-12-31", "2024-03-30", "100", "20"),
    ("Q3 FY24", "2024-03-31", "2024-06-29", "-50", "20"),
    ("Q4 FY24", "2024-06-30", "2024-10-05", "80", "20"),
    ("Q1 FY25", "2024-10-06", "2025-01-04", "120", "20"),
    ("Q2 FY25", "2025-01-05", "2025-04-05", "120", "20"),
    ("Q3 FY25", "2025-04-06", "2025-07-05", "120", "20"),
  ]

  static func snapshot(asAt: String, _ periods: [(String, String, String, String, String)] = calendar) -> String {
    let items = periods.map { p in
      "{\"name\": \"\(p.0)\", \"wk_start\": \"\(p.1)\", \"wk_end\": \"\(p.2)\", \"adj_ebitda\": \(p.3), \"cash_interest\": \(p.4)}"
    }
    return "{\"reporting\": {\"as_at\": \"\(asAt)\"}, \"fiscal_calendar\": {\"periods\": [\(items.joined(separator: ", "))]}}"
  }

  func ratio(_ a: Int, _ b: Int) throws -> Exact { try Exact(num: Int128(a), den: Int128(b)) }

  func outcome(_ r: CheckResult, _ id: String) -> RequirementOutcome? {
    r.clauses.first { $0.id == id }?.snapshot?.outcomes.first
  }

  @Test func countsFiscalQuartersByPeriodNotByCalendarMonths() throws {
    // As of 2025-09-30 the four most recent quarters ending on or before it are Q4 FY24 (the
    // 14-week quarter, ending 2024-10-05, after 2024-09-30) to Q3 FY25: 80 + 120 + 120 + 120 =
    // $440 over $80 of interest, 5.5x. Twelve calendar months back would have cut Q4 FY24 off.
    let (r, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-09-30"))
    #expect(verdict(r, "6.1") == .pass)
    let o = try #require(outcome(r, "6.1"))
    #expect(o.value == .number(try ratio(11, 2)))
    #expect(o.amount == .money(Exact(440), currency: "USD"))
    #expect(o.base == .money(Exact(80), currency: "USD"))
    let used = try #require(o.periods.first)
    #expect(used.firstEnd == CalendarDate.parse("2024-10-05"))
    #expect(used.lastEnd == CalendarDate.parse("2025-07-05"))
    #expect(used.available == 7)
  }

  @Test func aPeriodEndingAfterTheTestDateIsNotCounted() throws {
    // As of 2025-07-04 (the day before Q3 FY25 ends) the last four are Q3 FY24 to Q2 FY25:
    // -50 + 80 + 120 + 120 = 270, over 80: 3.375x.
    let (r, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-07-04"))
    let o = try #require(outcome(r, "6.1"))
    #expect(o.value == .number(try ratio(27, 8)))
    #expect(o.periods.first?.lastEnd == CalendarDate.parse("2025-04-05"))
    // The test date equal to a period's end includes that period.
    let (r2, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-07-05"))
    #expect(outcome(r2, "6.1")?.periods.first?.lastEnd == CalendarDate.parse("2025-07-05"))
  }

  @Test func negativeEBITDAQuartersCanBreachTheFloor() throws {
    // As of 2024-10-05 the last four are Q1 to Q4 FY24: 100 + 100 - 50 + 80 = 230 over 80,
    // 2.875x, below 3.00x. With Q3 at -500 the sum is negative: there is no cover to meet the floor.
    let (r, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2024-10-05"))
    #expect(verdict(r, "6.1") == .breach)
    #expect(outcome(r, "6.1")?.value == .number(try ratio(23, 8)))
    var deep = Self.calendar
    deep[2].3 = "-500"
    let (r2, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2024-10-05", deep))
    #expect(verdict(r2, "6.1") == .breach)
  }

  @Test func fewerThanNPeriodsIsUndefinedWithTheReason() throws {
    // As of 2024-08-01 only Q1–Q3 FY24 have ended: the clause cannot be tested, never passes.
    let (r, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2024-08-01"))
    #expect(verdict(r, "6.1") == .notApplicable)
    let o = try #require(outcome(r, "6.1"))
    #expect(o.holds == nil)
    #expect(o.note?.contains("only 3 periods of `periods` end on or before 2024-08-01") == true)
    #expect(o.periods.first?.available == 3)
  }

  @Test func aGapBetweenPeriodsIsADataError() throws {
    // Q1 FY25 is missing from the pack: Q2 FY25 starts 2025-01-05 but Q4 FY24 ended 2024-10-05.
    var gapped = Self.calendar
    gapped.remove(at: 4)
    #expect {
      _ = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-07-05", gapped))
    } throws: { e in
      guard let e = e as? EvaluationError else { return false }
      // Named as the data shows them: JSON path and label.
      return e.code == "E006" && e.message.contains("gap of 91 days") && e.message.contains("should start on 2024-10-06")
        && e.message.contains("fiscal_calendar.periods[3] (Q4 FY24) ends on 2024-10-05")
        && e.message.contains("fiscal_calendar.periods[4] (Q2 FY25), starts on 2025-01-05")
    }
    // A gap before the periods used does not matter: as of 2024-10-05 only FY24 is used.
    var early = Self.calendar
    early[0].2 = "2023-12-23"  // Q1 FY24 ends a week early: a gap before Q2, still used as of 2024-10-05
    #expect(throws: EvaluationError.self) { _ = try run(Self.cov, snapshot: Self.snapshot(asAt: "2024-10-05", early)) }
    let (ok, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-07-05", early))
    #expect(verdict(ok, "6.1") == .pass)
  }

  @Test func overlappingOrDuplicatePeriodsAreADataError() throws {
    var overlapping = Self.calendar
    overlapping[5].1 = "2024-12-29"  // Q2 FY25 starts before Q1 FY25 ends
    #expect {
      _ = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-07-05", overlapping))
    } throws: { e in (e as? EvaluationError).map { $0.code == "E006" && $0.message.contains("overlap of 7 days") } ?? false }
    var inverted = Self.calendar
    inverted[6].1 = "2025-08-01"  // starts after it ends
    #expect {
      _ = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-07-05", inverted))
    } throws: { e in (e as? EvaluationError).map { $0.code == "E006" && $0.message.contains("after it ends") } ?? false }
    // Without start dates, two periods ending on the same day are still caught.
    let noStarts = Self.cov.replacingOccurrences(of: "  wk_start : date  from \"wk_start\" period start\n", with: "")
    var duplicated = Self.calendar
    duplicated[5].2 = "2025-07-05"
    #expect {
      _ = try run(noStarts, snapshot: Self.snapshot(asAt: "2025-07-05", duplicated))
    } throws: { e in (e as? EvaluationError).map { $0.code == "E006" && $0.message.contains("two periods of `periods` end on 2025-07-05") } ?? false }
  }

  @Test func periodsAreSortedByTheirEndNotByTheirPlaceInTheFile() throws {
    let shuffled = [Self.calendar[6], Self.calendar[0], Self.calendar[4], Self.calendar[2], Self.calendar[5], Self.calendar[1], Self.calendar[3]]
    let (a, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-09-30", shuffled))
    let (b, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-09-30"))
    #expect(outcome(a, "6.1")?.value == outcome(b, "6.1")?.value)
    #expect(outcome(a, "6.1")?.value == .number(try ratio(11, 2)))
  }

  @Test func averageMinMaxAndCountOverTheLastPeriods() throws {
    let cov = Self.cov + """
      §7 "Figures"
        average of periods.ebitda over the last 4 periods = $60
        min of periods.ebitda over the last 2 periods = -$50
        max of periods.ebitda over the last 3 periods = $100
        count of periods over the last 4 periods = 4

      """
    // As of 2024-10-05: the last four are 100, 100, -50, 80 (average 57.5 — not 60); the last
    // two -50, 80; the last three 100, -50, 80.
    let (r, _) = try run(cov, snapshot: Self.snapshot(asAt: "2024-10-05"))
    let outcomes = try #require(r.clauses.first { $0.id == "7" }?.snapshot?.outcomes)
    #expect(outcomes.map(\.holds) == [false, true, true, true])
    #expect(outcomes[0].value == .money(try ratio(115, 2), currency: "USD"))
  }

  static let windowCov = cov + """
    §6.2 "Each test period"
      "for each period of four consecutive fiscal quarters"
      for each window of 4 consecutive periods in periods:
        ebitda_ltm / interest_ltm >= 3.00x

    """

  @Test func eachWindowIsTestedAndTheFailingMiddleWindowIsNamed() throws {
    // Eight quarters; as of 2025-10-04 the windows end at Q4 FY24 … Q4 FY25 (five windows).
    // EBITDA 100, 100, -50, 80, 120, 120, 120, 130 and interest 20 each (window sums 80):
    //   ending 2024-10-05: 230 → 2.875x fails     ending 2025-01-04: 250 → 3.125x
    //   ending 2025-04-05: 270 → 3.375x            ending 2025-07-05: 440 → 5.5x
    //   ending 2025-10-04: 490 → 6.125x
    // Then Q2 FY25 is made a bad quarter (-100): the windows ending 2025-04-05 (50 → 0.625x)
    // and 2025-07-05 (220 → 2.75x) fail, the first and last pass — a failing window in the middle.
    var eight = Self.calendar
    eight.append(("Q4 FY25", "2025-07-06", "2025-10-04", "130", "20"))
    eight[0].3 = "200"  // the first window: 330 → 4.125x, passes
    eight[5].3 = "-100"
    let (r, _) = try run(Self.windowCov, snapshot: Self.snapshot(asAt: "2025-10-04", eight))
    #expect(verdict(r, "6.2") == .breach)
    let outcomes = try #require(r.clauses.first { $0.id == "6.2" }?.snapshot?.outcomes)
    #expect(outcomes.count == 5)
    var byWindow: [String: RequirementOutcome] = [:]
    for o in outcomes { byWindow[o.group?.text ?? ""] = o }
    #expect(byWindow["4 periods ending 2024-10-05"]?.holds == true)
    #expect(byWindow["4 periods ending 2024-10-05"]?.value == .number(try ratio(33, 8)))
    #expect(byWindow["4 periods ending 2025-01-04"]?.holds == true)
    #expect(byWindow["4 periods ending 2025-04-05"]?.holds == false)
    #expect(byWindow["4 periods ending 2025-04-05"]?.value == .number(try ratio(5, 8)))
    #expect(byWindow["4 periods ending 2025-07-05"]?.holds == false)
    #expect(byWindow["4 periods ending 2025-07-05"]?.value == .number(try ratio(11, 4)))
    #expect(byWindow["4 periods ending 2025-10-04"]?.holds == true)
    // Each window reports its own periods, and the definitions are computed per window (not
    // taken from §6.1's figure as of the test date, 2025-10-04: 140 + 120 + ... ).
    #expect(byWindow["4 periods ending 2025-04-05"]?.periods.first?.firstEnd == CalendarDate.parse("2024-06-29"))
    #expect(verdict(r, "6.1") == .pass)  // as of 2025-10-04: 120 - 100 + 120 + 130 = 270 → 3.375x
    let text = CheckReport.text(r, covenant: try #require(compile(Self.windowCov).covenant))
    #expect(text.contains("4 periods ending 2025-04-05"))
    // Windows are listed failures first, then nearest their floor: 3.125x, 3.375x, 4.125x.
    func at(_ needle: String) -> String.Index { text.range(of: needle)?.lowerBound ?? text.endIndex }
    #expect(at("4 periods ending 2025-04-05") < at("4 periods ending 2025-01-04"))
    #expect(at("4 periods ending 2025-01-04") < at("4 periods ending 2025-10-04"))
    #expect(at("4 periods ending 2025-10-04") < at("4 periods ending 2024-10-05"))
    #expect(text.contains("periods: the last 4 of `periods` as of 2025-04-05, ended 2024-06-29 to 2025-04-05"))
  }

  @Test func windowsWithTooFewPeriodsAreNotApplicable() throws {
    let (r, _) = try run(Self.windowCov, snapshot: Self.snapshot(asAt: "2024-07-01"))
    #expect(verdict(r, "6.2") == .notApplicable)
    #expect(r.clauses.first { $0.id == "6.2" }?.snapshot?.outcomes.first?.note?.contains("only 3 periods") == true)
  }

  @Test func theJSONReportListsThePeriodsUsed() throws {
    let (r, c) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-09-30"))
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains("\"first_end\": \"2024-10-05\""))
    #expect(json.contains("\"last_end\": \"2025-07-05\""))
    #expect(json.contains("\"needed\": 4"))
  }

  @Test func zeroInterestOverTheLastPeriodsMeetsACoverageFloor() throws {
    var noDebt = Self.calendar
    for i in noDebt.indices { noDebt[i].4 = "0" }
    let (r, _) = try run(Self.cov, snapshot: Self.snapshot(asAt: "2025-09-30", noDebt))
    #expect(verdict(r, "6.1") == .pass)
    #expect(outcome(r, "6.1")?.note?.contains("unbounded") == true)
  }

  @Test func misusesAreC050() {
    let base = Self.cov.components(separatedBy: "define ebitda_ltm")[0]
    // A list whose record has no period end.
    #expect(errorCodes(base.replacingOccurrences(of: " period end", with: "") + "§1 \"x\"\n  sum of periods.ebitda over the last 4 periods >= $0\n") == ["C050"])
    // No periods, or too many.
    #expect(errorCodes(base + "§1 \"x\"\n  sum of periods.ebitda over the last 0 periods >= $0\n") == ["C050"])
    #expect(errorCodes(base + "§1 \"x\"\n  sum of periods.ebitda over the last 2.5 periods >= $0\n") == ["C050"])
    // Shares are not trailing figures.
    #expect(errorCodes(base + "§1 \"x\"\n  share of periods.ebitda where ebitda > $0 over the last 4 periods >= 0%\n") == ["C050"])
    // A period end that is not a date, or optional.
    #expect(errorCodes(base.replacingOccurrences(of: "name     : text", with: "name     : text period end") + "") == ["C050"])
    #expect(errorCodes(base.replacingOccurrences(of: "from \"wk_start\" period start", with: "from \"wk_start\" period start optional")) == ["C050"])
    // Two groupings of one clause.
    #expect(errorCodes(Self.cov + "§2 \"x\"\n  for each window of 4 periods in periods:\n  for each name:\n    ebitda_ltm >= $0\n") == ["C050"])
    // Without the snapshot's as-of date there is no test date.
    #expect(errorCodes(base.replacingOccurrences(of: "as_of    : date", with: "asat     : date") + "§1 \"x\"\n  sum of periods.ebitda over the last 4 periods >= $0\n") == ["C050"])
  }

  @Test func formatsToOneCanonicalLayout() throws {
    let src = Self.windowCov.replacingOccurrences(of: "over the last 4 periods", with: "over last 4 periods")
      .replacingOccurrences(of: "window of 4 consecutive periods", with: "window of 4 periods")
    guard case .success(let out) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: src)) else {
      Issue.record("format failed")
      return
    }
    #expect(out.contains("define ebitda_ltm   = sum of periods.ebitda over the last 4 periods"))
    #expect(out.contains("  for each window of 4 consecutive periods in periods:\n    ebitda_ltm / interest_ltm >= 3.0x"))
    #expect(out.contains("wk_end   : date  from \"wk_end\" period end"))
    guard case .success(let again) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: out)) else {
      Issue.record("reformat failed")
      return
    }
    #expect(again == out)
  }
}

extension PeriodsTests {
  @Test func whereSelectsAmongTheLastPeriods() throws {
    let cov = Self.cov + """
      §8 "Selected"
        count of periods where ebitda < $0 over the last 4 periods = 1
        sum of periods.ebitda where ebitda > $90 over the last 4 periods = $200
        average of periods.ebitda where ebitda > $0 over the last 4 periods = $100
        count of periods where name = "Q3 FY24" over the last 4 periods = 1
        max of periods.ebitda where ebitda < $0 over the last 2 periods = -$50

      """
    // As of 2024-10-05 the last four are 100, 100, -50, 80: one negative quarter; the two above
    // 90 sum to 200; the three positive ones average 280/3 (not 100); Q3 FY24 is among them;
    // the last two are -50 and 80.
    let (r, _) = try run(cov, snapshot: Self.snapshot(asAt: "2024-10-05"))
    let outcomes = try #require(r.clauses.first { $0.id == "8" }?.snapshot?.outcomes)
    #expect(outcomes.map(\.holds) == [true, true, false, true, true])
    #expect(outcomes[2].value == .money(try ratio(280, 3), currency: "USD"))
    // A year later Q3 FY24 has dropped out, and no quarter is negative: the count is 0, and the
    // maximum of no selected quarter is undefined.
    let (later, _) = try run(cov, snapshot: Self.snapshot(asAt: "2025-07-05"))
    let l = try #require(later.clauses.first { $0.id == "8" }?.snapshot?.outcomes)
    #expect(l[0].value == .number(.zero))
    #expect(l[3].value == .number(.zero))
    #expect(l[4].holds == nil)
  }

  @Test func trailingFiguresInsideAggregatesAreRefused() {
    // Such an aggregate is computed once and cached: inside a window it would keep one value.
    #expect(errorCodes(Self.cov + "§2 \"x\"\n  count of periods where ebitda > 10% of ebitda_ltm <= 2\n") == ["C050"])
    #expect(errorCodes(Self.cov + "§2 \"x\"\n  every p in periods: p.interest <= interest_ltm\n") == ["C050"])
    #expect(errorCodes(Self.cov + "define big = count of periods where ebitda > sum of periods.ebitda over the last 2 periods\n") == ["C050"])
    #expect(errorCodes(Self.cov + "define big = count of periods where ebitda > 10% of ebitda_ltm over the last 2 periods\n") == ["C050"])
    // Outside aggregates they are fine.
    #expect(errorCodes(Self.cov + "§2 \"x\"\n  ebitda_ltm >= 10% of sum of periods.ebitda\n") == [])
  }
}
