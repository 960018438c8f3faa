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
  public static func plan(_ covenant: CheckedCovenant) -> PlannedCovenant {
    var p = CovenantPlanBuilder(schema: covenant.schema)
    var c = covenant
    for i in c.definitions.indices { c.definitions[i].value = p.expr(c.definitions[i].value) }
    for i in c.clauses.indices { p.clause(&c.clauses[i]) }
    if c.proForma != nil {
      for i in c.proForma!.fields.indices { c.proForma!.fields[i] = p.expr(c.proForma!.fields[i]) }
    }
    return PlannedCovenant(covenant: c, aggregateCount: p.aggregateCount, quantifierCount: p.quantifierCount)
  }
}

/// Walks the checked tree once, rewriting each unplanned node into its plan. Identical nodes
/// (the same slot, so copies of one written expression) get the same id and share their cache.
struct CovenantPlanBuilder {
  let schema: Schema
  var aggregateIDs: [AggregatePlan: Int] = [:]
  var quantifierIDs: [QuantifierPlan: Int] = [:]
  var trailingIDs: [TrailingPlan: Int] = [:]
  var aggregateCount = 0
  var quantifierCount = 0

  mutating func clause(_ c: inout CheckedClause) {
    for i in c.appliesWhen.indices { c.appliesWhen[i] = expr(c.appliesWhen[i]) }
    c.effectiveFrom = c.effectiveFrom.map { expr($0) }
    c.until = c.until.map { expr($0) }
    for i in c.requirements.indices { c.requirements[i].expr = expr(c.requirements[i].expr) }
    for i in c.reports.indices { c.reports[i].expr = expr(c.reports[i].expr) }
    for i in c.exceptions.indices { c.exceptions[i].condition = expr(c.exceptions[i].condition) }
    if c.group != nil { c.group!.list = expr(c.group!.list) }
    if c.window != nil { c.window!.calendar.list = expr(c.window!.calendar.list) }
    if var consent = c.consent {
      for i in consent.sources.indices {
        if case .flag(let t, let text) = consent.sources[i] { consent.sources[i] = .flag(expr(t), text) }
      }
      if consent.lifted != nil {
        for i in consent.lifted!.indices { consent.lifted![i].expr = expr(consent.lifted![i].expr) }
      }
      c.consent = consent
    }
  }

  mutating func expr(_ t: TExpr) -> TExpr {
    var t = t
    switch t.kind {
    case .constant, .definition, .snapshotRoot, .dealRoot, .local, .groupKey, .invalid: return t
    case .field(let b, let i): t.kind = .field(expr(b), i)
    case .negate(let b): t.kind = .negate(expr(b))
    case .not(let b): t.kind = .not(expr(b))
    case .arithmetic(let op, let a, let b): t.kind = .arithmetic(op, expr(a), expr(b))
    case .compare(let op, let a, let b): t.kind = .compare(op, expr(a), expr(b))
    case .logic(let op, let a, let b): t.kind = .logic(op, expr(a), expr(b))
    case .membership(let negated, let a, let items): t.kind = .membership(negated: negated, expr(a), items.map { expr($0) })
    case .convert(let b, let code): t.kind = .convert(expr(b), code)
    case .presence(let x, let missing): t.kind = .presence(expr(x), missing: missing)
    case .conditional(let c, let a, let b): t.kind = .conditional(expr(c), expr(a), expr(b))
    case .extremum(let isMax, let items): t.kind = .extremum(max: isMax, items.map { expr($0) })
    case .aggregate(let p): t.kind = .aggregate(aggregate(p))
    case .quantifier(let q): t.kind = .quantifier(quantifier(q))
    case .trailing(let p): t.kind = .trailing(trailing(p))
    }
    return t
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
    p.id = Self.number(p, &aggregateIDs, &aggregateCount)
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
    q.id = Self.number(q, &quantifierIDs, &quantifierCount)
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
    p.id = Self.number(p, &trailingIDs, &aggregateCount)
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
