import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics
import CovenantData

/// Lists of dated periods (issue #19, item 3): trailing figures such as "Consolidated EBITDA for
/// the four most recent fiscal quarters ending on or before the test date", and windows ("each
/// period of four consecutive fiscal quarters").
///
/// Periods are counted by position in the list sorted by end date, never by calendar months, so
/// 52/53-week fiscal quarters need nothing special. The list is sorted once per context; each
/// trailing figure keeps running sums over it, so a figure over N periods — and each of the M
/// windows of a `for each window` clause — is one subtraction: linear in the data, never N × M.
/// (`min of`/`max of` over N periods scan those N values: N is a constant of the covenant.)
///
/// What an analyst expects when the data does not give N periods:
/// * fewer than N periods end on or before the test date (a borrower's first quarters): the
///   figure is *undefined* and the report says how many there are — the clause is not
///   applicable, never passed;
/// * the periods used are not consecutive — two periods end on the same day, or, where periods
///   give their start, one does not start the day after the previous one ends (a quarter
///   missing from the compliance data, or two overlapping) — the data is wrong: error E006,
///   exit 2, naming the two periods. A trailing sum over a gap would silently be a sum over
///   fewer days.

/// A list of dated periods sorted by end date.
struct PeriodCalendar: Sendable {
  /// The elements, sorted by end date (equal ends keep the data's order).
  var elements: [Value]
  /// Their positions in the data's list, for messages (`quarters[3]`).
  var positions: [Int]
  var ends: [CalendarDate]
  var starts: [CalendarDate?]
  /// `breaks[i + 1] - breaks[j + 1]`: how many periods in `j+1 … i` do not follow the one before.
  var breaks: [Int]

  /// How many periods end on or before `date`.
  func count(endingOnOrBefore date: CalendarDate) -> Int {
    var lo = 0, hi = ends.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if ends[mid] <= date { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The first period in `lo+1 … hi` that does not follow the one before, if any.
  func firstBreak(_ lo: Int, _ hi: Int) -> Int? {
    guard hi > lo, breaks[hi + 1] - breaks[lo + 1] > 0 else { return nil }
    return (lo + 1...hi).first { Self.isBreak(ends[$0 - 1], ends[$0], starts[$0]) }
  }

  static func isBreak(_ previousEnd: CalendarDate, _ end: CalendarDate, _ start: CalendarDate?) -> Bool {
    if end == previousEnd { return true }
    guard let start else { return false }
    return start.daysSinceEpoch != previousEnd.daysSinceEpoch + 1
  }
}

/// A trailing figure's values over a calendar, with running sums.
struct PeriodSeries: Sendable {
  var values: [Value]
  /// `sums[i]`: the sum of the first `i` values (those that have one).
  var sums: [Exact]
  /// `missing[i]`: how many of the first `i` selected values are undefined.
  var missing: [Int]
  /// `selected[i]`: how many of the first `i` periods the `where` selects (all without one).
  var selected: [Int]
  var currency: String?
}

/// Which periods a figure used, for the report: "the last 4 periods of `quarters` as of
/// 2025-06-30: 4 periods ended 2024-09-29 to 2025-06-29".
public struct PeriodsUsed: Hashable, Sendable {
  /// The list as written in the covenant.
  public var list: String
  /// How many periods the figure needs.
  public var needed: Int
  /// How many periods end on or before the test date.
  public var available: Int
  public var testDate: CalendarDate
  /// The end dates of the first and last periods used; nil when fewer than `needed` are available.
  public var firstEnd: CalendarDate?
  public var lastEnd: CalendarDate?
}

extension Evaluator {
  /// The date trailing figures are counted to: the window's last end inside `for each window`,
  /// else the snapshot's as-of date.
  func periodTestDate() -> CalendarDate? {
    if let d = periodDate { return d }
    guard let i = context.covenant.asOfField, case .record(let fields) = snapshot, i < fields.count,
      case .date(let d) = fields[i]
    else { return nil }
    return d
  }

  /// The calendar of a list of periods, sorted once per context.
  mutating func periodCalendar(_ ref: PeriodCalendarRef, span: SourceSpan) throws(EvaluationError) -> PeriodCalendar {
    if let c = state.periodCalendars[ref] { return c }
    var items: [(Value, Int, CalendarDate, CalendarDate?)] = []
    if case .list(let list) = try eval(ref.list) {
      var position = 0
      for element in Array(list.base) + list.extra {
        defer { position += 1 }
        guard case .record(let fields) = element, ref.endField < fields.count, case .date(let end) = fields[ref.endField] else { continue }
        var start: CalendarDate?
        if let s = ref.startField, s < fields.count, case .date(let d) = fields[s] { start = d }
        if let start, start > end {
          throw EvaluationError(
            EvaluationDiagnostics.periods(.startsAfterEnd(
              element: EvaluationDiagnostics.Period(path: Self.dataPath(ref.list, context.covenant.schema) ?? ref.listText, position: position),
              list: ref.listText, start: start, end: end)),
            span: span)
        }
        items.append((element, position, end, start))
      }
    }
    // A stable sort: equal ends (an error when used) keep the data's order.
    let order = items.indices.sorted { a, b in items[a].2 < items[b].2 || (items[a].2 == items[b].2 && a < b) }
    var c = PeriodCalendar(elements: [], positions: [], ends: [], starts: [], breaks: [0])
    for i in order {
      let (element, position, end, start) = items[i]
      let brk = c.ends.last.map { PeriodCalendar.isBreak($0, end, start) } ?? false
      c.breaks.append(c.breaks[c.breaks.count - 1] + (brk ? 1 : 0))
      c.elements.append(element)
      c.positions.append(position)
      c.ends.append(end)
      c.starts.append(start)
    }
    state.periodCalendars[ref] = c
    return c
  }

  /// E006 when the periods `lo … hi` of the calendar are not consecutive.
  func requireConsecutive(_ c: PeriodCalendar, _ lo: Int, _ hi: Int, _ ref: PeriodCalendarRef, span: SourceSpan) throws(EvaluationError) {
    guard let i = c.firstBreak(lo, hi) else { return }
    let previous = periodName(c, i - 1, ref), this = periodName(c, i, ref)
    let problem: EvaluationDiagnostics.PeriodProblem
    if c.ends[i] == c.ends[i - 1] {
      problem = .sameEnd(list: ref.listText, end: c.ends[i], previous: previous, this: this)
    } else if let start = c.starts[i] {
      let expected = CalendarDate(daysSinceEpoch: c.ends[i - 1].daysSinceEpoch + 1)
      let gap = start.daysSinceEpoch - c.ends[i - 1].daysSinceEpoch - 1
      problem = .notConsecutive(list: ref.listText, previous: previous, previousEnd: c.ends[i - 1], expected: expected, this: this, start: start, gap: gap)
    } else {
      problem = .breakAt(list: ref.listText, this: this)
    }
    throw EvaluationError(EvaluationDiagnostics.periods(problem), span: span)
  }

  /// A period as the data shows it: its JSON path (`fiscal_quarters[4]`) and its label (`FY2024 Q3`).
  func periodName(_ c: PeriodCalendar, _ i: Int, _ ref: PeriodCalendarRef) -> EvaluationDiagnostics.Period {
    var name = EvaluationDiagnostics.Period(path: Self.dataPath(ref.list, context.covenant.schema) ?? ref.listText, position: c.positions[i])
    if case .list(.record(let r)) = ref.list.type, let l = context.covenant.schema.records[r].labelField,
      case .record(let fields) = c.elements[i], l < fields.count, case .text(let label) = fields[l]
    {
      name.label = label
    }
    return name
  }

  /// The JSON path of a list of the snapshot or deal (`fiscal_calendar.periods`), when it is one.
  static func dataPath(_ t: TExpr, _ schema: Schema) -> String? {
    guard case .field(let base, let i) = t.kind, case .record(let r) = base.type, i < schema.records[r].fields.count else { return nil }
    let own = schema.records[r].fields[i].source.joined(separator: ".")
    switch base.kind {
    case .snapshotRoot, .dealRoot: return own
    default: return dataPath(base, schema).map { $0 + "." + own }
    }
  }

  /// A trailing figure's values over its calendar, with running sums (once per context).
  mutating func periodSeries(_ plan: TrailingPlan, _ c: PeriodCalendar, span: SourceSpan) throws(EvaluationError) -> PeriodSeries {
    if let s = state.periodSeries[plan.id] { return s }
    var s = PeriodSeries(values: [], sums: [.zero], missing: [0], selected: [0], currency: nil)
    let key = try plan.key.map { (k) throws(EvaluationError) in try eval(k) }
    for element in c.elements {
      var v: Value = .absent
      bind(plan.slot, element)
      // An element the `where` does not select (or cannot tell) adds nothing and is not counted.
      var selected = true
      if let f = plan.keyField, let key, groupKeyOf(element, field: f) != key { selected = false }
      if selected, let filter = plan.filter, try eval(filter) != .bool(true) { selected = false }
      if selected, let value = plan.value { v = try eval(value) }
      unbind(plan.slot)
      s.selected.append(s.selected[s.selected.count - 1] + (selected ? 1 : 0))
      var add = Exact.zero
      switch v {
      case .money(let x, let cur):
        if let mine = s.currency, mine != cur { throw Evaluator.currencyMix(mine, cur, span) }
        s.currency = cur
        add = x
      case .number(let x): add = x
      default: break
      }
      let last = s.sums[s.sums.count - 1]
      s.sums.append(try Self.checked(span) { () throws(ArithmeticError) in try last.adding(add) })
      s.missing.append(s.missing[s.missing.count - 1] + (selected && v == .absent && plan.value != nil ? 1 : 0))
      s.values.append(v)
    }
    state.periodSeries[plan.id] = s
    return s
  }

  /// The range of the `n` periods ending on or before the test date, or nil when fewer are available.
  mutating func periodRange(_ ref: PeriodCalendarRef, _ n: Int, span: SourceSpan) throws(EvaluationError) -> (PeriodCalendar, Int, Int)? {
    let c = try periodCalendar(ref, span: span)
    guard let date = periodTestDate() else { return nil }
    let k = c.count(endingOnOrBefore: date)
    guard k >= n else { return nil }
    try requireConsecutive(c, k - n, k - 1, ref, span: span)
    return (c, k - n, k - 1)
  }

  /// `sum of quarters.ebitda over the last 4 periods`.
  mutating func trailing(_ plan: TrailingPlan, _ t: TExpr) throws(EvaluationError) -> Value {
    guard let (c, lo, hi) = try periodRange(plan.calendar, plan.periods, span: t.span) else { return .absent }
    let s = try periodSeries(plan, c, span: t.span)
    let selected = s.selected[hi + 1] - s.selected[lo]
    if plan.function == .count { return .number(Exact(selected)) }
    if s.missing[hi + 1] - s.missing[lo] > 0 { return .absent }
    func wrap(_ x: Exact) -> Value {
      if case .money(let cur) = t.type { return .money(x, currency: cur ?? s.currency ?? context.covenant.schema.baseCurrency) }
      return .number(x)
    }
    let sum = try Self.checked(t.span) { () throws(ArithmeticError) in try s.sums[hi + 1].subtracting(s.sums[lo]) }
    switch plan.function {
    case .sum: return wrap(sum)
    case .average:
      guard selected > 0 else { return .absent }
      return wrap(try Self.checked(t.span) { () throws(ArithmeticError) in try sum.divided(by: Exact(selected)) })
    case .min, .max:
      var best: Value = .absent
      for v in s.values[lo...hi] where v != .absent {
        if best == .absent { best = v; continue }
        let better = plan.function == .max ? try Self.less(best, v, t.span) : try Self.less(v, best, t.span)
        if better { best = v }
      }
      return best
    default: return .absent
    }
  }

  /// The ends of every window of `n` consecutive periods ending on or before the snapshot's
  /// as-of date, oldest first; E006 when a window's periods are not consecutive.
  mutating func windowEnds(_ w: PeriodWindow, span: SourceSpan) throws(EvaluationError) -> (ends: [CalendarDate], available: Int, asOf: CalendarDate?) {
    let c = try periodCalendar(w.calendar, span: span)
    let saved = periodDate
    periodDate = nil
    defer { periodDate = saved }
    guard let date = periodTestDate() else { return ([], 0, nil) }
    let k = c.count(endingOnOrBefore: date)
    guard k >= w.periods else { return ([], k, date) }
    try requireConsecutive(c, 0, k - 1, w.calendar, span: span)
    return (Array(c.ends[(w.periods - 1)..<k]), k, date)
  }

  /// What the report says about the periods a requirement's trailing figures used.
  mutating func periodsUsed(_ expr: TExpr) throws(EvaluationError) -> [PeriodsUsed] {
    if !context.requirementsReadTrailing { return [] }
    var plans: [TrailingPlan] = []
    var seenDefinitions = Set<Int>()
    Self.collectTrailing(expr, context.covenant.definitions, into: &plans, seen: &seenDefinitions)
    var out: [PeriodsUsed] = []
    var seen = Set<String>()
    for p in plans where seen.insert("\(p.calendar.listText)/\(p.periods)").inserted {
      let c = try periodCalendar(p.calendar, span: expr.span)
      guard let date = periodTestDate() else { continue }
      let k = c.count(endingOnOrBefore: date)
      var u = PeriodsUsed(list: p.calendar.listText, needed: p.periods, available: k, testDate: date)
      if k >= p.periods {
        u.firstEnd = c.ends[k - p.periods]
        u.lastEnd = c.ends[k - 1]
      }
      out.append(u)
    }
    return out
  }

  /// True when `periodsUsed` of the expression can find any period: it reads a trailing figure.
  static func readsTrailing(_ t: TExpr, _ definitions: [CheckedDefinition]) -> Bool {
    var plans: [TrailingPlan] = []
    var seen = Set<Int>()
    collectTrailing(t, definitions, into: &plans, seen: &seen)
    return !plans.isEmpty
  }

  /// The trailing figures an expression reads, directly or through definitions.
  static func collectTrailing(_ t: TExpr, _ definitions: [CheckedDefinition], into plans: inout [TrailingPlan], seen: inout Set<Int>) {
    func go(_ x: TExpr) { collectTrailing(x, definitions, into: &plans, seen: &seen) }
    switch t.kind {
    case .trailing(let p):
      plans.append(p)
      for x in [p.filter, p.key].compactMap({ $0 }) { go(x) }
    case .definition(let i):
      if i < definitions.count, seen.insert(i).inserted { go(definitions[i].value) }
    default: t.forEachChild(go)
    }
  }

}

extension CovenantRunner {
  /// Notes on the outcome which periods its trailing figures used; when one is undefined
  /// because fewer periods are available, that is the reason the report gives.
  func attachPeriods(_ o: inout RequirementOutcome, _ req: CheckedRequirement, _ ev: inout Evaluator) throws(EvaluationError) {
    o.periods = try ev.periodsUsed(req.expr)
    if o.holds == nil, o.explanation == nil, let short = o.periods.first(where: { $0.firstEnd == nil }) { o.explanation = .periods(short) }
  }

  /// `for each window of N consecutive periods in LIST:`: every requirement once per window,
  /// with the window's last end as the test date; grouped by the window (`Group.window`: "4
  /// periods ending 2025-06-29").
  func evaluateWindows(
    _ clause: CheckedClause, _ w: PeriodWindow, _ ev: inout Evaluator, _ outcomes: inout [RequirementOutcome], _ reported: inout [ReportedFigure]
  ) throws(EvaluationError) {
    let (ends, available, asOf) = try ev.windowEnds(w, span: clause.span)
    if ends.isEmpty {
      var o = RequirementOutcome(requirement: .windows(periods: w.periods, list: w.calendar.listText))
      o.explanation = asOf.map { .periods(PeriodsUsed(list: w.calendar.listText, needed: w.periods, available: available, testDate: $0)) }
        ?? .noAsOfDateForPeriods
      outcomes.append(o)
      return
    }
    defer { ev.periodDate = nil }
    for end in ends {
      ev.periodDate = end
      let group = RequirementOutcome.Group.window(periods: w.periods, ending: end)
      for req in clause.requirements {
        var o = try outcome(req, clause, &ev)
        try attachPeriods(&o, req, &ev)
        o.group = group
        outcomes.append(o)
      }
      for rep in clause.reports {
        reported.append(ReportedFigure(figure: Self.clean(rep.source), group: group, value: try ev.eval(rep.expr), style: Self.style(rep.expr)))
      }
    }
  }
}
