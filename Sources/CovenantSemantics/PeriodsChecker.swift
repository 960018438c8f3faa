import CovenantValues
import CovenantSyntax

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
      report(SemanticDiagnostics.periods(.markerNotDate(what, field: f.name.text, type: schema.typeName(type))), f.span)
      return
    }
    if f.optional {
      report(SemanticDiagnostics.periods(.markerOptional(what)), f.span)
      return
    }
    if rec.role != .record {
      report(SemanticDiagnostics.periods(.markerOutsideRecord(what, role: rec.role.rawValue)), f.span)
      return
    }
    let existing = role == .end ? rec.periodEnd : rec.periodStart
    if let e = existing {
      report(SemanticDiagnostics.periods(.markerTwice(what, record: rec.name, existing: rec.fields[e].name)), f.span)
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
      report(SemanticDiagnostics.periods(.count(max: Self.maxPeriods)), e.span)
    }
    return nil
  }

  /// The list of dated periods `t`, or nil (reported) when it is not one.
  mutating func periodCalendar(_ t: TExpr, _ written: Expr) -> PeriodCalendarRef? {
    guard case .list(.record(let rec)) = t.type else {
      if t.type != .error {
        report(SemanticDiagnostics.periods(.notPeriods(file.text(written.span))), written.span)
      }
      return nil
    }
    guard let end = schema.records[rec].periodEnd else {
      let dates = schema.records[rec].fields.filter { $0.type == .date }.map(\.name)
      report(SemanticDiagnostics.periods(.noPeriodEnd(file.text(written.span), record: schema.records[rec].name, example: dates.first ?? "period_end")), written.span)
      return nil
    }
    if rootedAtLocal(t) {
      report(SemanticDiagnostics.periods(.elementList), written.span)
      return nil
    }
    if schema.snapshot.flatMap({ schema.records[$0].index["as_of"] }) == nil {
      report(SemanticDiagnostics.periods(.noAsOf), written.span)
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
      report(SemanticDiagnostics.periods(.unsupportedAggregate(fn.rawValue)), aggregate.span)
      return invalid(span)
    }
    if by != nil { return invalid(span) }
    if case .list = over.kind {
      report(SemanticDiagnostics.periods(.notAfterAggregate), span)
      return invalid(span)
    }
    let inner = checkAggregate(fn, over: over, where: cond, by: by, span: aggregate.span)
    guard case .aggregate(let plan) = inner.kind, let n else { return invalid(span) }
    let listExpr: Expr
    if case .member(let base, _) = over.kind, plan.value != nil { listExpr = base } else { listExpr = over }
    guard let calendar = periodCalendar(plan.list, Self.listPart(over, projected: plan.value != nil) ?? listExpr) else { return invalid(span) }
    let trailing = TrailingPlan(
      function: fn, list: plan.list, slot: plan.slot, value: plan.value, filter: plan.filter, periods: n, calendar: calendar)
    return make(.trailing(trailing), inner.type, span, [plan.list, plan.value, plan.filter].compactMap { $0 })
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

extension Checker {
  /// A trailing figure (directly or through a definition) inside an aggregate's or quantifier's
  /// value, filter or body is refused: such an aggregate is computed once per evaluation and
  /// cached, so inside `for each window` it would silently keep the first window's value.
  mutating func refuseTrailingInsideAggregates(_ definitions: [CheckedDefinition], _ clauses: [CheckedClause]) {
    guard schema.records.contains(where: { $0.periodEnd != nil }) else { return }
    let reaches = PeriodDependence.periodDependence(definitions)
    func direct(_ t: TExpr) -> Bool {
      var uses: [Int] = []
      var plans: [TrailingPlan] = []
      PeriodDependence.directUses(t, into: &uses, trailing: &plans)
      return !plans.isEmpty || uses.contains { $0 < reaches.count && reaches[$0] }
    }
    var reported = Set<SourceSpan>()
    func visit(_ t: TExpr) {
      var stack = [t]
      while let x = stack.popLast() {
        var inner: [TExpr] = []
        switch x.kind {
        case .aggregate(let p): inner = [p.value, p.weight, p.filter, p.key].compactMap { $0 }
        case .quantifier(let q): inner = [q.filter, q.body].compactMap { $0 }
        case .trailing(let p): inner = [p.value, p.filter, p.key].compactMap { $0 }
        default: break
        }
        if inner.contains(where: direct), reported.insert(x.span).inserted {
          report(SemanticDiagnostics.periods(.nested), x.span)
        }
        Self.children(x, into: &stack)
      }
    }
    for d in definitions { visit(d.value) }
    for c in clauses {
      for e in c.appliesWhen + c.requirements.map(\.expr) + c.reports.map(\.expr) + [c.effectiveFrom, c.until].compactMap({ $0 }) { visit(e) }
    }
  }

  static func children(_ t: TExpr, into out: inout [TExpr]) {
    switch t.kind {
    case .constant, .definition, .snapshotRoot, .dealRoot, .local, .groupKey, .invalid: break
    case .field(let b, _), .negate(let b), .not(let b), .convert(let b, _), .presence(let b, _): out.append(b)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b): out += [a, b]
    case .membership(_, let a, let items): out += [a] + items
    case .aggregate(let p): out += [p.list, p.value, p.weight, p.filter, p.key].compactMap { $0 }
    case .quantifier(let q): out += [q.list, q.filter, q.body].compactMap { $0 }
    case .conditional(let c, let a, let b): out += [c, a, b]
    case .extremum(_, let items): out += items
    case .trailing(let p): out += [p.list, p.value, p.filter, p.key].compactMap { $0 }
    }
  }
}

/// Which definitions read a trailing figure: the checker refuses one inside an aggregate, and the
/// evaluator recomputes those definitions per window instead of caching them.
package enum PeriodDependence {
  /// For each definition, whether it reads a trailing figure, directly or through others.
  /// Computed without recursion over definitions (a chain may be thousands long).
  package static func periodDependence(_ covenant: CheckedCovenant) -> [Bool] { periodDependence(covenant.definitions) }

  package static func periodDependence(_ defs: [CheckedDefinition]) -> [Bool] {
    var direct = [Bool](repeating: false, count: defs.count)
    var uses = [[Int]](repeating: [], count: defs.count)
    for (i, d) in defs.enumerated() {
      var plans: [TrailingPlan] = []
      // Only this definition's own expression: the definitions it uses are recorded, not entered.
      directUses(d.value, into: &uses[i], trailing: &plans)
      direct[i] = !plans.isEmpty
    }
    // Propagate along "used by" edges from every definition that reads a trailing figure.
    var usedBy = [[Int]](repeating: [], count: defs.count)
    for (i, us) in uses.enumerated() { for u in us where u < defs.count { usedBy[u].append(i) } }
    var result = direct
    var stack = direct.indices.filter { direct[$0] }
    while let i = stack.popLast() {
      for j in usedBy[i] where !result[j] {
        result[j] = true
        stack.append(j)
      }
    }
    return result
  }

  package static func directUses(_ t: TExpr, into uses: inout [Int], trailing: inout [TrailingPlan]) {
    func go(_ x: TExpr) { directUses(x, into: &uses, trailing: &trailing) }
    switch t.kind {
    case .trailing(let p):
      trailing.append(p)
      for x in [p.value, p.filter, p.key].compactMap({ $0 }) { go(x) }
    case .definition(let i): uses.append(i)
    default: t.forEachChild(go)
    }
  }
}
