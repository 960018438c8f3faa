import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning
import CovenantData

/// A clause's requirements evaluated: its verdict, and each requirement's outcome in each group.
extension CovenantRunner {
  /// `holdsOnly`: only whether each requirement holds, for the solver's verifications. The same
  /// expressions are evaluated (an error is the same error), but the figures a report shows
  /// (headroom, the other view, warnings, labels, derivations) are left out: such an evaluation's
  /// `verdict` tells a breach from no breach and nothing more.
  /// `statusOnly` (a text batch): every outcome keeps what `OutcomeStatus` holds, so the
  /// verdict, warnings included, is the full evaluation's; figures, labels, derivations and
  /// reported values are left out (the same expressions are evaluated).
  func evaluate(_ clause: CheckedClause, _ ev: inout Evaluator, holdsOnly: Bool = false, statusOnly: Bool = false) throws(EvaluationError) -> ClauseEvaluation {
    var outcomes: [RequirementOutcome] = []
    var reported: [ReportedFigure] = []
    // The group keys as cached (one list per snapshot list, not copied per clause): a `for each`
    // of 917k issuers read them through copies of 917k values.
    let groupKeys: [Value] = clause.window != nil ? [] : try clause.group.map { g throws(EvaluationError) in try ev.groupKeys(g) } ?? []
    // One pass per group; one without a key for a clause without groups; none for windows.
    let passes = clause.window != nil ? 0 : clause.group == nil ? 1 : groupKeys.count
    if let w = clause.window { try evaluateWindows(clause, w, &ev, &outcomes, &reported) }
    // A long list of groups (one per issuer) keeps each group's status, and computes a group's
    // figures when a report reads them (`RequirementOutcomes`).
    // Quantifiers stay whole: their elements' labels and evidence evaluate more than the verdict did.
    let lazy = clause.group != nil && passes > eagerGroups
      && !clause.requirements.contains { if case .quantifier = $0.expr.kind { true } else { false } }
    var statuses = GroupOutcomes.Statuses()
    if lazy { statuses.reserveCapacity(passes * clause.requirements.count) }
    let ids = try clause.group.flatMap { g throws(EvaluationError) in try ev.groupKeyIDs(g, count: passes) }
    // Whether each requirement reads a trailing figure, found once rather than per group (the
    // walk was 15% of checking 1,250 `for each issuer` clauses); without one there are no periods.
    let readsPeriods = clause.requirements.map { Evaluator.readsTrailing($0.expr, covenant.definitions) }
    // A share of each group compared with a fixed figure is decided from the group totals as
    // integers (`GroupShareCap`), once the first group, evaluated as written, has computed them.
    // Only when every requirement has that form and nothing else is evaluated per group.
    let closedFormPossible = lazy && clause.reports.isEmpty && !readsPeriods.contains(true)
    var closedForms: [GroupShareCap] = []
    var decided: [(holds: Bool, warned: Bool, utilization: Exact?, op: BinaryOp)] = []
    for n in 0..<passes {
      let key: Value? = clause.group == nil ? nil : groupKeys[n]
      if closedFormPossible, n == 1 {
        let forms = clause.requirements.compactMap { GroupShareCap($0, clause, ev, holdsOnly: holdsOnly, ids: ids) }
        if forms.count == clause.requirements.count { closedForms = forms }
        decided.reserveCapacity(forms.count)
      }
      if !closedForms.isEmpty, let key, let g = clause.group {
        decided.removeAll(keepingCapacity: true)
        for c in closedForms {
          let hint = c.aligned ? nil : ids.map { GroupKeyHint(table: $0.table, field: g.field, id: $0.ids[n], position: n) }
          guard let d = c.status(n, key: key, hint: hint) else { break }
          decided.append((d.holds, d.warned, d.utilization, c.op))
        }
        if decided.count == closedForms.count {
          for d in decided {
            statuses.append(GroupOutcomes.Entry(holds: d.holds, warned: d.warned, comparison: d.op, utilization: d.utilization), utilization: d.utilization)
          }
          statuses.closedForm += 1
          continue
        }
        // A figure too wide for the closed form: this group is evaluated as written.
      }
      if let key { ev.groupKey = key }
      if let ids, let g = clause.group { ev.groupKeyHint = GroupKeyHint(table: ids.table, field: g.field, id: ids.ids[n], position: n) }
      for (r, req) in clause.requirements.enumerated() {
        if lazy {
          var o = try outcome(req, clause, &ev, holdsOnly: holdsOnly, statusOnly: true)
          if readsPeriods[r] { try attachPeriods(&o, req, &ev) }
          statuses.append(o)
          continue
        }
        var o = try outcome(req, clause, &ev, holdsOnly: holdsOnly, statusOnly: statusOnly)
        if readsPeriods[r] { try attachPeriods(&o, req, &ev) }
        if !holdsOnly, let key, let g = clause.group { o.group = .key(field: g.fieldName, value: Format.plain(key, covenant.schema)) }
        outcomes.append(o)
      }
      for rep in clause.reports {
        if holdsOnly || statusOnly {
          _ = try ev.eval(rep.expr)
          continue
        }
        let group = key.flatMap { k in clause.group.map { RequirementOutcome.Group.key(field: $0.fieldName, value: Format.plain(k, covenant.schema)) } }
        reported.append(ReportedFigure(figure: Self.clean(rep.source), group: group, value: try ev.eval(rep.expr), style: Self.style(rep.expr)))
      }
    }
    ev.groupKey = .absent
    if let g = clause.group {
      let missing = try ev.elementsWithoutGroup(g)
      if missing.count > 0, case .list(let list) = try ev.eval(g.list) {
        var o = RequirementOutcome(requirement: .everyElementHasGroupField(g.fieldName))
        o.group = .missing(field: g.fieldName)
        o.holds = false
        o.examined = missing.count
        o.notEvaluatedCount = missing.count
        if !holdsOnly, !statusOnly { o.notEvaluated = missing.items.map { label(list, $0, labelField(g)) } }
        outcomes.insert(o, at: 0)
      }
    }
    let all = RequirementOutcomes(
      head: outcomes,
      groups: lazy
        ? GroupOutcomes(runner: self, clause: clause, keys: groupKeys, holdsOnly: holdsOnly, statuses: statuses, evaluator: ev) : nil)
    let definitions = try definitionFigures(clause, &ev, holdsOnly: holdsOnly || statusOnly)
    let status = all.indices.lazy.map { all.status(at: $0) }
    let failed = status.contains { $0.holds == false }
    let verdict: Verdict
    var undefined: ClauseEvaluation.Undefined?
    if failed {
      verdict = clause.severityWarning ? .warning : .breach
    } else if status.contains(where: \.warned) {
      verdict = .warning
    } else if !all.isEmpty, status.allSatisfy({ $0.holds == nil }) {
      verdict = .notApplicable
      undefined = .allFigures
    } else if let u = all.indices.first(where: { all.status(at: $0).holds == nil }) {
      // A clause passes only when every requirement holds: one that cannot be evaluated
      // leaves the clause not applicable, never passed.
      verdict = .notApplicable
      undefined = .requirement(all.requirement(at: u), group: all.group(at: u))
    } else {
      verdict = .pass
    }
    return ClauseEvaluation(verdict: verdict, outcomes: all, undefined: undefined, definitions: definitions, reported: reported)
  }

  /// `statusOnly`: what `OutcomeStatus` holds (whether it holds, its utilization, whether it is
  /// warned) and the figures compared, without the rest (headroom, the other view, a
  /// quantifier's elements); the same expressions are evaluated, so an error is the same error.
  func outcome(_ req: CheckedRequirement, _ clause: CheckedClause, _ ev: inout Evaluator, holdsOnly: Bool = false, statusOnly: Bool = false) throws(EvaluationError) -> RequirementOutcome {
    // A status (`GroupOutcomes.Entry`, a text batch's deal) keeps no text: the requirement's is
    // read from the file only for an outcome that is kept.
    var o = RequirementOutcome(requirement: .written(statusOnly ? "" : req.source))
    switch req.expr.kind {
    case .compare(let op, let a, let b):
      if let o = try ratioOutcome(req, op, a, b, &ev) { return o }
      let x = try ev.eval(a), y = try ev.eval(b)
      o.comparison = op
      o.value = x
      o.limit = y
      if case .number(let ls) = b.type {
        if case .number(let vs) = a.type, vs != .plain { o.style = vs } else { o.style = ls }
      }
      if case .bool(let h) = try ev.compare(op, x, y, req.span) { o.holds = h }
      if holdsOnly { return o }
      if o.holds != nil, [.le, .lt, .ge, .gt].contains(op) {
        let cap = op == .le || op == .lt
        if !statusOnly { o.headroom = try? ev.arithmetic(.sub, cap ? y : x, cap ? x : y, req.span) }
        if let xv = Self.magnitude(x), let yv = Self.magnitude(y), yv.signum > 0 { o.utilization = try? xv.divided(by: yv) }
        if o.holds == true, let w = clause.warn, w.above == cap, let xv = Self.magnitude(x), let yv = Self.magnitude(y),
          let threshold = try? yv.multiplied(by: w.fraction)
        {
          o.warned = w.inclusive ? (cap ? threshold <= xv : xv <= threshold) : (cap ? threshold < xv : xv < threshold)
        }
        if statusOnly { return o }
        try addOtherView(&o, a, b, &ev)
      }
    case .quantifier(let plan):
      let v = try ev.eval(req.expr)
      if case .bool(let h) = v { o.holds = h }
      let q = ev.quantifierMemo[plan.id] ?? QuantifierState()
      o.examined = q.examined
      if q.undefined > 0, o.holds != true {
        // `every company …` is not shown for a company whose condition is undefined.
        o.holds = false
        if holdsOnly || statusOnly { return o }
        o.notEvaluatedCount = q.undefined
        if case .list(let list) = try ev.eval(plan.list) {
          o.notEvaluated = q.undefinedItems.map { label(list, $0, plan.labelField) }
        }
      }
      if holdsOnly || statusOnly { return o }
      o.matching = q.matching
      o.quantifier = plan.quantifier
      if plan.quantifier != .some {
        o.offenderCount = q.offending
        if case .list(let list) = try ev.eval(plan.list) {
          for i in q.offenders {
            let values = try evidence(plan, i < list.baseCount ? list.base[i] : list.extra[i - list.baseCount], &ev)
            o.offenders.append(RequirementOutcome.ElementValues(element: label(list, i, plan.labelField), values: values))
          }
          if q.offending == 0, list.count <= Self.shortList {
            o.passing = try passingElements(plan, list, &ev)
          }
        }
      } else if o.holds == true, let w = try witness(plan, &ev) {
        o.satisfiedBy = w
      }
    default:
      if case .bool(let h) = try ev.eval(req.expr) { o.holds = h }
    }
    return o
  }

  func ratioParts(_ t: TExpr) -> (numerator: TExpr, denominator: TExpr)? {
    Evaluator.ratioParts(t, covenant.definitions)
  }

  /// A ratio floor or cap whose denominator is zero or negative, decided as agreements mean it
  /// instead of stopping on a division by zero (`Evaluator.ratioHolds`): with a positive
  /// numerator the ratio is unbounded, so a floor (`a / b >= 2.0x`) holds and a cap
  /// (`a / b <= 4.0x`) fails; with a numerator of zero or less there is no ratio, and both fail.
  /// The outcome's note says which. nil when the ratio is an ordinary one.
  func ratioOutcome(_ req: CheckedRequirement, _ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ ev: inout Evaluator) throws(EvaluationError) -> RequirementOutcome? {
    guard [.le, .lt, .ge, .gt].contains(op) else { return nil }
    var op = op
    var ratio = a, limit = b
    if ratioParts(a) == nil, ratioParts(b) != nil {
      // `2.0x <= a / b`: read as `a / b >= 2.0x`.
      (ratio, limit) = (b, a)
      op = op == .le ? .ge : op == .lt ? .gt : op == .ge ? .le : .lt
    }
    guard let (n, d) = ratioParts(ratio) else { return nil }
    let dv = try ev.eval(d)
    guard let dm = Self.magnitude(dv), dm.signum <= 0 else { return nil }
    let nv = try ev.eval(n), y = try ev.eval(limit)
    var o = RequirementOutcome(requirement: .written(req.source))
    o.comparison = op
    o.limit = y
    if case .number(let s) = limit.type { o.style = s }
    guard let nm = Self.magnitude(nv), y != .absent else { return o }  // undefined: not applicable
    let schema = covenant.schema
    let floor = op == .ge || op == .gt
    o.holds = Evaluator.ratioHolds(floor: floor, numerator: nm, denominatorSign: dm.signum)
    o.explanation = .ratio(.init(
      numerator: ShownValue(expression: covenant.file.text(n.span), value: Format.value(nv, schema)),
      denominator: ShownValue(expression: covenant.file.text(d.span), value: Format.value(dv, schema)),
      denominatorNegative: dm.signum != 0, numeratorPositive: nm.signum > 0, floor: floor,
      limit: Format.value(y, schema, style: o.style)))
    return o
  }

  func labelField(_ g: CheckedClause.Group) -> Int? {
    guard case .list(.record(let r)) = g.list.type, r < covenant.schema.records.count else { return nil }
    return covenant.schema.records[r].labelField
  }
  /// Lists up to this long show every element's values when a quantifier holds.
  static let shortList = 10

  package static func magnitude(_ v: Value) -> Exact? {
    switch v {
    case .number(let x), .money(let x, _): x
    default: nil
    }
  }

  /// The element at `i` of a list: its label field's text, and its position in the data's list
  /// (none for the deal's own elements).
  func label(_ list: ListValue, _ i: Int, _ field: Int?) -> RequirementOutcome.Element {
    let element: Value = i < list.base.count ? list.base[i] : list.extra[i - list.base.count]
    var label: String?
    if let field, case .record(let fields) = element, case .text(let s) = fields[field] { label = s }
    return RequirementOutcome.Element(label: label, position: i < list.base.count ? i : nil)
  }
}
