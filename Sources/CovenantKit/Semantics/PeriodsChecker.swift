/// Checks for lists of dated periods (issue #19, item 3): `period end` / `period start` fields,
/// trailing aggregates (`sum of quarters.ebitda over the last 4 periods`) and windows (`for each
/// window of 4 consecutive periods in quarters:`). Everything wrong is C050, with what to write.
///
/// Periods are counted by their dates, never by calendar months, so 52/53-week fiscal quarters
/// need nothing special: "the last four quarters" is the four most recent elements whose end is
/// on or before the test date.
extension Checker {
  /// The largest number of periods a trailing figure or window may span: far beyond any
  /// agreement (twelve quarters, thirty-six months), small enough to refuse a typo such as
  /// `over the last 40000 periods` before it runs.
  static let maxPeriods = 1_000

  /// `period_end : date period end`: records which field dates the periods of the record.
  mutating func checkPeriodRole(_ f: FieldDecl, type: ValueType, index: Int, into rec: inout RecordSchema) {
    guard let role = f.period else { return }
    let what = "period \(role.rawValue)"
    if type != .date, type != .error {
      report("C050", "`\(what)` marks a date field, but `\(f.name.text)` is \(schema.typeName(type))", f.span,
        help: "declare it as a date: `\(f.name.text) : date \(what)`")
      return
    }
    if f.optional {
      report("C050", "the \(what) of a period cannot be optional: a period without it cannot be placed in time", f.span,
        help: "remove `optional`/`default`; every period in the data gives its \(what)")
      return
    }
    if rec.role != .record {
      report("C050", "`\(what)` marks a field of the elements of a list (a `record`), not of `data … from \(rec.role.rawValue)`", f.span)
      return
    }
    let existing = role == .end ? rec.periodEnd : rec.periodStart
    if let e = existing {
      report("C050", "`\(rec.name)` already has a \(what): `\(rec.fields[e].name)`", f.span, help: "a period has one \(what)")
      return
    }
    if role == .end { rec.periodEnd = index } else { rec.periodStart = index }
  }

  /// `N` in `over the last N periods` / `window of N …`: a whole number from 1 to 1,000.
  mutating func periodCount(_ e: Expr) -> Int? {
    let t = checkExpr(e)
    if case .constant(.number(let x)) = t.kind, x.isInteger, x.signum > 0, x <= Exact(Self.maxPeriods), let n = Int(x.description) {
      return n
    }
    if t.type != .error {
      report("C050", "the number of periods must be a whole number from 1 to \(Self.maxPeriods), such as `4`", e.span,
        help: "write e.g. `over the last 4 periods`")
    }
    return nil
  }

  /// The list of dated periods `t`, or nil (reported) when it is not one.
  mutating func periodCalendar(_ t: TExpr, _ written: Expr) -> PeriodCalendarRef? {
    guard case .list(.record(let rec)) = t.type else {
      if t.type != .error {
        report("C050", "`\(file.text(written.span))` is not a list of periods", written.span,
          help: "periods are the elements of a list, e.g. `quarters : list of quarter` with `period_end : date period end`")
      }
      return nil
    }
    guard let end = schema.records[rec].periodEnd else {
      let dates = schema.records[rec].fields.filter { $0.type == .date }.map(\.name)
      report("C050", "the elements of `\(file.text(written.span))` (`\(schema.records[rec].name)`) have no period end", written.span,
        help: "mark the date field that ends each period, e.g. `\(dates.first ?? "period_end") : date period end`")
      return nil
    }
    if rootedAtLocal(t) {
      report("C050", "periods are counted over a list of the snapshot or the deal, not over an element's own list", written.span)
      return nil
    }
    if schema.snapshot.flatMap({ schema.records[$0].index["as_of"] }) == nil {
      report("C050", "periods are counted as of the snapshot's as-of date, which the covenant does not declare", written.span,
        help: "declare `as_of : date` in the snapshot (with `from \"…\"` if the file names it differently)")
      return nil
    }
    return PeriodCalendarRef(list: t, endField: end, startField: schema.records[rec].periodStart, listText: file.text(written.span))
  }

  /// `sum of quarters.ebitda over the last 4 periods`: the wrapped aggregate is checked as any
  /// other (names, units, signed money), then re-planned over the trailing periods.
  mutating func checkTrailing(_ aggregate: Expr, periods: Expr, span: SourceSpan) -> TExpr {
    guard case .aggregate(let fn, let over, let cond, let by) = aggregate.kind else { return invalid(span) }
    let n = periodCount(periods)
    switch fn {
    case .sum, .average, .count, .min, .max: break
    case .share, .weightedAverage:
      report("C050", "`\(fn.rawValue) of … over the last N periods` is not supported", aggregate.span,
        help: "use `sum of`, `average of`, `count of`, `min of` or `max of`; a share of two trailing sums is `sum of … / sum of …`")
      return invalid(span)
    }
    if cond != nil || by != nil {
      report("C050", "a trailing figure over the last N periods cannot have `where`", aggregate.span,
        help: "every period of the window counts; define the figure per period in the data instead")
      return invalid(span)
    }
    if case .list = over.kind {
      report("C050", "`over the last N periods` follows an aggregate over a list of periods, such as `sum of quarters.ebitda`", span)
      return invalid(span)
    }
    let inner = checkAggregate(fn, over: over, where: nil, by: nil, span: aggregate.span)
    guard case .aggregate(let plan) = inner.kind, let n else { return invalid(span) }
    let listExpr: Expr
    if case .member(let base, _) = over.kind, plan.value != nil { listExpr = base } else { listExpr = over }
    guard let calendar = periodCalendar(plan.list, Self.listPart(over, projected: plan.value != nil) ?? listExpr) else { return invalid(span) }
    let trailing = TrailingPlan(id: plan.id, function: fn, list: plan.list, slot: plan.slot, value: plan.value, periods: n, calendar: calendar)
    return make(.trailing(trailing), inner.type, span, [plan.list, plan.value].compactMap { $0 })
  }

  /// The list part of `financials.quarters.ebitda` (its last name dropped when it names a field).
  static func listPart(_ over: Expr, projected: Bool) -> Expr? {
    guard projected else { return over }
    if case .convert(let inner, _) = over.kind { return listPart(inner, projected: true) }
    if case .member(let base, _) = over.kind { return base }
    return nil
  }

  /// `for each window of 4 consecutive periods in quarters:`.
  mutating func checkWindow(periods: Expr, list: Expr, span: SourceSpan) -> PeriodWindow? {
    let n = periodCount(periods)
    let t = checkExpr(list)
    guard let calendar = periodCalendar(t, list), let n else { return nil }
    return PeriodWindow(periods: n, calendar: calendar)
  }
}
