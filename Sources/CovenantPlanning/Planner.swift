import CovenantValues
import CovenantSyntax
import CovenantSemantics

/// A checked covenant whose aggregates, quantifiers and trailing figures the planner has
/// numbered and annotated: the form the evaluator (`CovenantRunner`) takes. The driver
/// (`CovenantSession`) plans each covenant once, between checking and evaluation.
public struct PlannedCovenant: Sendable {
  public let covenant: CheckedCovenant
  /// Ids given to aggregates and trailing figures (the keys of their cached values and series).
  public let aggregateCount: Int
  public let quantifierCount: Int
}

/// The plan stage: decides how each aggregate and quantifier of a checked covenant is computed.
/// For each one: its id (the key of its cached value), the key selector split out of its `where`
/// filter (`where sector = that sector` is computed for every sector in one pass, then looked
/// up), whether it is invariant (reads no enclosing element or group: one value per evaluation)
/// and cacheable (also independent of the deal: computed once per snapshot). The checker only
/// says what they mean; the evaluator only runs what is planned here.
public enum Planner {
  /// Takes the covenant to own it: a node without an aggregate, quantifier or trailing figure
  /// below it is kept as it is (shared, not rebuilt), and a clause or array is written back only
  /// when something in it was planned, so a covenant of many plain clauses is not copied.
  public static func plan(_ covenant: consuming CheckedCovenant) -> PlannedCovenant {
    var p = CovenantPlanBuilder(schema: covenant.schema)
    var c = covenant
    for i in c.definitions.indices {
      if let e = p.planned(c.definitions[i].value) { c.definitions[i].value = e }
    }
    for i in c.clauses.indices {
      var clause = c.clauses[i]
      if p.clause(&clause) { c.clauses[i] = clause }
    }
    if c.proForma != nil {
      for i in c.proForma!.fields.indices {
        if let e = p.planned(c.proForma!.fields[i]) { c.proForma!.fields[i] = e }
      }
    }
    return PlannedCovenant(covenant: c, aggregateCount: p.aggregateCount, quantifierCount: p.quantifierCount)
  }
}

/// Walks the checked tree once, rewriting each unplanned node into its plan. Identical nodes get
/// the same id and share their cache: identical as written wherever they are, so where they are
/// (spans) and which slot their own element is bound to do not count (`PlanIdentity`); the 1,250
/// `for each issuer` clauses of a 10,000-clause covenant compute their per-issuer totals once.
struct CovenantPlanBuilder {
  let schema: Schema
  var aggregateIDs: [AggregatePlan: Int] = [:]
  var quantifierIDs: [QuantifierPlan: Int] = [:]
  var trailingIDs: [TrailingPlan: Int] = [:]
  var aggregateCount = 0
  var quantifierCount = 0

  /// Plans a clause's expressions in place; false when none needed it (`c` untouched).
  mutating func clause(_ c: inout CheckedClause) -> Bool {
    var changed = false
    func plan(_ e: TExpr) -> TExpr? {
      let p = planned(e)
      if p != nil { changed = true }
      return p
    }
    for i in c.appliesWhen.indices { if let e = plan(c.appliesWhen[i]) { c.appliesWhen[i] = e } }
    if let from = c.effectiveFrom, let e = plan(from) { c.effectiveFrom = e }
    if let until = c.until, let e = plan(until) { c.until = e }
    for i in c.requirements.indices { if let e = plan(c.requirements[i].expr) { c.requirements[i].expr = e } }
    for i in c.reports.indices { if let e = plan(c.reports[i].expr) { c.reports[i].expr = e } }
    for i in c.exceptions.indices { if let e = plan(c.exceptions[i].condition) { c.exceptions[i].condition = e } }
    if let g = c.group, let e = plan(g.list) { c.group!.list = e }
    if let w = c.window, let e = plan(w.calendar.list) { c.window!.calendar.list = e }
    if var consent = c.consent {
      var consentChanged = false
      for i in consent.sources.indices {
        if case .flag(let t, let text) = consent.sources[i], let e = plan(t) {
          consent.sources[i] = .flag(e, text)
          consentChanged = true
        }
      }
      if consent.lifted != nil {
        for i in consent.lifted!.indices {
          if let e = plan(consent.lifted![i].expr) {
            consent.lifted![i].expr = e
            consentChanged = true
          }
        }
      }
      if consentChanged { c.consent = consent }
    }
    return changed
  }

  mutating func expr(_ t: TExpr) -> TExpr { planned(t) ?? t }

  /// `t` with every aggregate, quantifier and trailing figure in it planned, children first and
  /// in order (the order numbers them); nil when nothing in it needed planning, so that the
  /// unchanged node is kept rather than rebuilt.
  mutating func planned(_ t: TExpr) -> TExpr? {
    var t = t
    switch t.kind {
    case .constant, .definition, .snapshotRoot, .dealRoot, .local, .groupKey, .invalid: return nil
    case .field(let b, let i):
      guard let x = planned(b) else { return nil }
      t.kind = .field(x, i)
    case .negate(let b):
      guard let x = planned(b) else { return nil }
      t.kind = .negate(x)
    case .not(let b):
      guard let x = planned(b) else { return nil }
      t.kind = .not(x)
    case .arithmetic(let op, let a, let b):
      let x = planned(a), y = planned(b)
      if x == nil && y == nil { return nil }
      t.kind = .arithmetic(op, x ?? a, y ?? b)
    case .compare(let op, let a, let b):
      let x = planned(a), y = planned(b)
      if x == nil && y == nil { return nil }
      t.kind = .compare(op, x ?? a, y ?? b)
    case .logic(let op, let a, let b):
      let x = planned(a), y = planned(b)
      if x == nil && y == nil { return nil }
      t.kind = .logic(op, x ?? a, y ?? b)
    case .membership(let negated, let a, let items):
      let x = planned(a)
      guard let ys = plannedAll(items) else {
        guard let x else { return nil }
        t.kind = .membership(negated: negated, x, items)
        return t
      }
      t.kind = .membership(negated: negated, x ?? a, ys)
    case .convert(let b, let code):
      guard let x = planned(b) else { return nil }
      t.kind = .convert(x, code)
    case .presence(let b, let missing):
      guard let x = planned(b) else { return nil }
      t.kind = .presence(x, missing: missing)
    case .conditional(let c, let a, let b):
      let x = planned(c), y = planned(a), z = planned(b)
      if x == nil && y == nil && z == nil { return nil }
      t.kind = .conditional(x ?? c, y ?? a, z ?? b)
    case .extremum(let isMax, let items):
      guard let ys = plannedAll(items) else { return nil }
      t.kind = .extremum(max: isMax, ys)
    case .aggregate(let p):
      if p.isPlanned { return nil }
      t.kind = .aggregate(aggregate(p))
    case .quantifier(let q):
      if q.id >= 0 { return nil }
      t.kind = .quantifier(quantifier(q))
    case .trailing(let p):
      if p.isPlanned { return nil }
      t.kind = .trailing(trailing(p))
    }
    return t
  }

  /// Each of `items` planned in order; nil when none changed.
  mutating func plannedAll(_ items: [TExpr]) -> [TExpr]? {
    var out: [TExpr]?
    for (i, x) in items.enumerated() {
      guard let y = planned(x) else { continue }
      if out == nil { out = items }
      out![i] = y
    }
    return out
  }

  /// The locals (other than `slot`) and group key the parts read, and the locals the list reads.
  func reads(_ parts: [TExpr?], slot: Int, list: TExpr) -> (free: Set<Int>, listFree: Set<Int>) {
    var free = Set<Int>()
    var usesKey = false
    for x in parts.compactMap({ $0 }) { PlanAnalysis.freeLocals(x, schema: schema, into: &free, groupKey: &usesKey) }
    free.remove(slot)
    var listFree = Set<Int>()
    var listKey = false
    PlanAnalysis.freeLocals(list, schema: schema, into: &listFree, groupKey: &listKey)
    // A group key read here was refused by the checker (C018), so only locals decide invariance.
    return (free, listFree)
  }

  mutating func aggregate(_ plan: AggregatePlan) -> AggregatePlan {
    if plan.isPlanned { return plan }
    var p = plan
    // Inner plans first: the key selector and invariance read them as planned.
    p.list = expr(p.list)
    p.value = p.value.map { expr($0) }
    p.weight = p.weight.map { expr($0) }
    p.filter = p.filter.map { expr($0) }
    (p.filter, p.keyField, p.key) = PlanAnalysis.split(p.filter, slot: p.slot, list: p.list, schema: schema)
    let (free, listFree) = reads([p.value, p.weight, p.filter], slot: p.slot, list: p.list)
    p.invariant = free.isEmpty && listFree.isEmpty
    // The key is looked up per deal, so a deal-dependent key does not stop caching the per-key values.
    p.cacheable = p.invariant && ![p.list, p.value, p.weight, p.filter].compactMap({ $0 }).contains(where: \.usesDeal)
    p.id = Self.number(PlanIdentity.of(p), &aggregateIDs, &aggregateCount)
    return p
  }

  mutating func quantifier(_ plan: QuantifierPlan) -> QuantifierPlan {
    if plan.id >= 0 { return plan }
    var q = plan
    q.list = expr(q.list)
    q.filter = q.filter.map { expr($0) }
    q.body = expr(q.body)
    let (free, listFree) = reads([q.filter, q.body], slot: q.slot, list: q.list)
    q.invariant = free.isEmpty && listFree.isEmpty
    q.cacheable = q.invariant && ![q.list, q.filter, q.body].compactMap({ $0 }).contains(where: \.usesDeal)
    q.id = Self.number(PlanIdentity.of(q), &quantifierIDs, &quantifierCount)
    return q
  }

  /// Split as the aggregate it wraps; its id (the key of its period series) is numbered with the
  /// aggregates.
  mutating func trailing(_ plan: TrailingPlan) -> TrailingPlan {
    if plan.isPlanned { return plan }
    var p = plan
    p.list = expr(p.list)
    p.value = p.value.map { expr($0) }
    p.filter = p.filter.map { expr($0) }
    p.calendar.list = expr(p.calendar.list)
    (p.filter, p.keyField, p.key) = PlanAnalysis.split(p.filter, slot: p.slot, list: p.list, schema: schema)
    p.id = Self.number(PlanIdentity.of(p), &trailingIDs, &aggregateCount)
    return p
  }

  /// The id of a node: the one an identical node already has, else the next of `count`.
  static func number<Node: Hashable>(_ node: Node, _ ids: inout [Node: Int], _ count: inout Int) -> Int {
    if let id = ids[node] { return id }
    ids[node] = count
    count += 1
    return count - 1
  }
}

/// What makes two plans the same computation, as a value to compare: the plan with every span
/// cleared and each slot bound inside it (its own element's, and those of the aggregates and
/// quantifiers within) renumbered in the order met, below zero so that no renumbered slot is
/// taken for a local of an enclosing scope, which keeps its number. Two copies of one written
/// expression, or the same expression written in two clauses, then compare equal; the evaluator
/// runs each node with its own slot and span, and only the cached value is shared. Types,
/// `usesDeal`, ids of planned inner nodes and everything else still count.
struct PlanIdentity {
  private var renumbered: [Int: Int] = [:]

  static func of(_ p: AggregatePlan) -> AggregatePlan {
    var i = PlanIdentity()
    return i.aggregate(p)
  }
  static func of(_ q: QuantifierPlan) -> QuantifierPlan {
    var i = PlanIdentity()
    return i.quantifier(q)
  }
  static func of(_ p: TrailingPlan) -> TrailingPlan {
    var i = PlanIdentity()
    return i.trailing(p)
  }

  private mutating func bind(_ slot: Int) -> Int {
    let n = -2 - renumbered.count
    renumbered[slot] = n
    return n
  }

  mutating func aggregate(_ plan: AggregatePlan) -> AggregatePlan {
    var p = plan
    p.list = expr(p.list)
    p.slot = bind(p.slot)
    p.value = p.value.map { expr($0) }
    p.weight = p.weight.map { expr($0) }
    p.filter = p.filter.map { expr($0) }
    p.key = p.key.map { expr($0) }
    return p
  }

  mutating func quantifier(_ plan: QuantifierPlan) -> QuantifierPlan {
    var q = plan
    q.list = expr(q.list)
    q.slot = bind(q.slot)
    q.filter = q.filter.map { expr($0) }
    q.body = expr(q.body)
    return q
  }

  mutating func trailing(_ plan: TrailingPlan) -> TrailingPlan {
    var p = plan
    p.list = expr(p.list)
    p.calendar.list = expr(p.calendar.list)
    p.slot = bind(p.slot)
    p.value = p.value.map { expr($0) }
    p.filter = p.filter.map { expr($0) }
    p.key = p.key.map { expr($0) }
    return p
  }

  mutating func expr(_ t: TExpr) -> TExpr {
    var t = t
    t.span = .none
    switch t.kind {
    case .constant, .definition, .snapshotRoot, .dealRoot, .groupKey, .invalid: break
    case .local(let s): if let n = renumbered[s] { t.kind = .local(n) }
    case .field(let b, let i): t.kind = .field(expr(b), i)
    case .negate(let b): t.kind = .negate(expr(b))
    case .not(let b): t.kind = .not(expr(b))
    case .arithmetic(let op, let a, let b): t.kind = .arithmetic(op, expr(a), expr(b))
    case .compare(let op, let a, let b): t.kind = .compare(op, expr(a), expr(b))
    case .logic(let op, let a, let b): t.kind = .logic(op, expr(a), expr(b))
    case .membership(let negated, let a, let items): t.kind = .membership(negated: negated, expr(a), items.map { expr($0) })
    case .convert(let b, let code): t.kind = .convert(expr(b), code)
    case .presence(let b, let missing): t.kind = .presence(expr(b), missing: missing)
    case .conditional(let c, let a, let b): t.kind = .conditional(expr(c), expr(a), expr(b))
    case .extremum(let isMax, let items): t.kind = .extremum(max: isMax, items.map { expr($0) })
    case .aggregate(let p): t.kind = .aggregate(aggregate(p))
    case .quantifier(let q): t.kind = .quantifier(quantifier(q))
    case .trailing(let p): t.kind = .trailing(trailing(p))
    }
    return t
  }
}
