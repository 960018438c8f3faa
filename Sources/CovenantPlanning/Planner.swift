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
/// (spans) and which slot their own element is bound to do not count (`PlanKey`); the 1,250
/// `for each issuer` clauses of a 10,000-clause covenant compute their per-issuer totals once.
struct CovenantPlanBuilder {
  let schema: Schema
  var aggregateIDs: [PlanKey: Int] = [:]
  var quantifierIDs: [PlanKey: Int] = [:]
  var trailingIDs: [PlanKey: Int] = [:]
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
    p.id = Self.number(PlanKey(p), &aggregateIDs, &aggregateCount)
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
    q.id = Self.number(PlanKey(q), &quantifierIDs, &quantifierCount)
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
    p.id = Self.number(PlanKey(p), &trailingIDs, &aggregateCount)
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

/// What makes two plans the same computation: the plan with every span ignored and each slot
/// bound inside it (its own element's, and those of the aggregates and quantifiers within)
/// renumbered in the order met, below zero so that no renumbered slot is taken for a local of an
/// enclosing scope, which keeps its number. Two copies of one written expression, or the same
/// expression written in two clauses, then compare equal; the evaluator runs each node with its
/// own slot and span, and only the cached value is shared. Types, `usesDeal`, ids of planned inner
/// nodes and everything else still count.
///
/// Why not a canonical copy (as before): building one rebuilt every node of the plan (a box per
/// node) and the id table then hashed and compared those copies whole, ~10% of `validate` on a
/// 10,000-clause covenant. The key holds the plan as it is (its boxes shared, not copied) with
/// the hash of its canonical form computed once by a walk; equality walks both plans side by
/// side, renumbering as it goes, in the same order as the hash, so it means exactly what equality
/// of the canonical copies meant.
struct PlanKey: Hashable {
  enum Node {
    case aggregate(AggregatePlan)
    case quantifier(QuantifierPlan)
    case trailing(TrailingPlan)
  }
  let node: Node
  private let hashValue_: Int

  init(_ p: AggregatePlan) {
    node = .aggregate(p)
    var w = PlanHashWalk()
    w.aggregate(p)
    hashValue_ = w.hasher.finalize()
  }
  init(_ q: QuantifierPlan) {
    node = .quantifier(q)
    var w = PlanHashWalk()
    w.quantifier(q)
    hashValue_ = w.hasher.finalize()
  }
  init(_ p: TrailingPlan) {
    node = .trailing(p)
    var w = PlanHashWalk()
    w.trailing(p)
    hashValue_ = w.hasher.finalize()
  }

  func hash(into h: inout Hasher) { h.combine(hashValue_) }

  static func == (a: PlanKey, b: PlanKey) -> Bool {
    if a.hashValue_ != b.hashValue_ { return false }
    var w = PlanCompareWalk()
    switch (a.node, b.node) {
    case (.aggregate(let x), .aggregate(let y)): return w.aggregate(x, y)
    case (.quantifier(let x), .quantifier(let y)): return w.quantifier(x, y)
    case (.trailing(let x), .trailing(let y)): return w.trailing(x, y)
    default: return false
    }
  }
}

/// The slots bound so far in one plan and their new numbers. A plan binds a handful, so a list
/// searched from the end is cheaper than a dictionary built per plan. A slot bound again keeps
/// the count (and so the next number), as the dictionary of the canonical copy did.
struct SlotRenumbering {
  private var slots: [Int] = []
  private var numbers: [Int] = []

  mutating func bind(_ slot: Int) -> Int {
    let n = -2 - slots.count
    if let i = slots.lastIndex(of: slot) { numbers[i] = n } else {
      slots.append(slot)
      numbers.append(n)
    }
    return n
  }

  func local(_ slot: Int) -> Int {
    if let i = slots.lastIndex(of: slot) { return numbers[i] }
    return slot
  }
}

/// Hashes a plan's canonical form (spans left out, bound slots renumbered) without building it.
/// Each node's case is hashed before its parts, and the parts in the order `PlanCompareWalk`
/// visits them, so that two plans equal there hash equal.
struct PlanHashWalk {
  var hasher = Hasher()
  private var slots = SlotRenumbering()

  mutating func aggregate(_ p: AggregatePlan) {
    hasher.combine(p.function)
    expr(p.list)
    hasher.combine(slots.bind(p.slot))
    optional(p.value)
    optional(p.weight)
    optional(p.filter)
    hasher.combine(p.id)
    hasher.combine(p.keyField)
    optional(p.key)
    hasher.combine(p.invariant)
    hasher.combine(p.cacheable)
  }

  mutating func quantifier(_ q: QuantifierPlan) {
    hasher.combine(q.quantifier)
    expr(q.list)
    hasher.combine(slots.bind(q.slot))
    optional(q.filter)
    expr(q.body)
    hasher.combine(q.labelField)
    hasher.combine(q.id)
    hasher.combine(q.invariant)
    hasher.combine(q.cacheable)
  }

  mutating func trailing(_ p: TrailingPlan) {
    hasher.combine(p.function)
    expr(p.list)
    expr(p.calendar.list)
    hasher.combine(p.calendar.endField)
    hasher.combine(p.calendar.startField)
    hasher.combine(p.calendar.listText)
    hasher.combine(slots.bind(p.slot))
    optional(p.value)
    optional(p.filter)
    hasher.combine(p.periods)
    hasher.combine(p.id)
    hasher.combine(p.keyField)
    optional(p.key)
  }

  private mutating func optional(_ t: TExpr?) {
    if let t {
      hasher.combine(true)
      expr(t)
    } else {
      hasher.combine(false)
    }
  }

  private mutating func list(_ items: [TExpr]) {
    hasher.combine(items.count)
    for x in items { expr(x) }
  }

  mutating func expr(_ t: TExpr) {
    hasher.combine(t.type)
    hasher.combine(t.usesDeal)
    hasher.combine(t.usesJoinedList)
    switch t.kind {
    case .constant(let v):
      hasher.combine(0)
      hasher.combine(v)
    case .definition(let i):
      hasher.combine(1)
      hasher.combine(i)
    case .snapshotRoot: hasher.combine(2)
    case .dealRoot: hasher.combine(3)
    case .local(let s):
      hasher.combine(4)
      hasher.combine(slots.local(s))
    case .groupKey: hasher.combine(5)
    case .field(let b, let i):
      hasher.combine(6)
      expr(b)
      hasher.combine(i)
    case .negate(let b):
      hasher.combine(7)
      expr(b)
    case .not(let b):
      hasher.combine(8)
      expr(b)
    case .arithmetic(let op, let a, let b):
      hasher.combine(9)
      hasher.combine(op)
      expr(a)
      expr(b)
    case .compare(let op, let a, let b):
      hasher.combine(10)
      hasher.combine(op)
      expr(a)
      expr(b)
    case .logic(let op, let a, let b):
      hasher.combine(11)
      hasher.combine(op)
      expr(a)
      expr(b)
    case .membership(let negated, let a, let items):
      hasher.combine(12)
      hasher.combine(negated)
      expr(a)
      list(items)
    case .convert(let b, let code):
      hasher.combine(13)
      expr(b)
      hasher.combine(code)
    case .aggregate(let p):
      hasher.combine(14)
      aggregate(p)
    case .quantifier(let q):
      hasher.combine(15)
      quantifier(q)
    case .presence(let b, let missing):
      hasher.combine(16)
      expr(b)
      hasher.combine(missing)
    case .conditional(let c, let a, let b):
      hasher.combine(17)
      expr(c)
      expr(a)
      expr(b)
    case .extremum(let isMax, let items):
      hasher.combine(18)
      hasher.combine(isMax)
      list(items)
    case .trailing(let p):
      hasher.combine(19)
      trailing(p)
    case .invalid: hasher.combine(20)
    }
  }
}

/// Compares two plans' canonical forms side by side without building them: each side renumbers
/// its own bound slots as it meets them, in the order of the canonical copy (a list before its
/// own slot, the calendar's list before a trailing figure's slot, then the parts in order), so a
/// local is read with exactly the number it had in the copy. Stops at the first difference.
struct PlanCompareWalk {
  private var left = SlotRenumbering()
  private var right = SlotRenumbering()

  mutating func aggregate(_ p: AggregatePlan, _ q: AggregatePlan) -> Bool {
    p.function == q.function && p.id == q.id && p.keyField == q.keyField
      && p.invariant == q.invariant && p.cacheable == q.cacheable
      && expr(p.list, q.list)
      && left.bind(p.slot) == right.bind(q.slot)
      && optional(p.value, q.value)
      && optional(p.weight, q.weight)
      && optional(p.filter, q.filter)
      && optional(p.key, q.key)
  }

  mutating func quantifier(_ p: QuantifierPlan, _ q: QuantifierPlan) -> Bool {
    p.quantifier == q.quantifier && p.labelField == q.labelField && p.id == q.id
      && p.invariant == q.invariant && p.cacheable == q.cacheable
      && expr(p.list, q.list)
      && left.bind(p.slot) == right.bind(q.slot)
      && optional(p.filter, q.filter)
      && expr(p.body, q.body)
  }

  mutating func trailing(_ p: TrailingPlan, _ q: TrailingPlan) -> Bool {
    p.function == q.function && p.periods == q.periods && p.id == q.id && p.keyField == q.keyField
      && p.calendar.endField == q.calendar.endField && p.calendar.startField == q.calendar.startField
      && p.calendar.listText == q.calendar.listText
      && expr(p.list, q.list)
      && expr(p.calendar.list, q.calendar.list)
      && left.bind(p.slot) == right.bind(q.slot)
      && optional(p.value, q.value)
      && optional(p.filter, q.filter)
      && optional(p.key, q.key)
  }

  private mutating func optional(_ a: TExpr?, _ b: TExpr?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let x?, let y?): return expr(x, y)
    default: return false
    }
  }

  private mutating func list(_ a: [TExpr], _ b: [TExpr]) -> Bool {
    guard a.count == b.count else { return false }
    for i in a.indices where !expr(a[i], b[i]) { return false }
    return true
  }

  mutating func expr(_ a: TExpr, _ b: TExpr) -> Bool {
    guard a.type == b.type, a.usesDeal == b.usesDeal, a.usesJoinedList == b.usesJoinedList else { return false }
    switch (a.kind, b.kind) {
    case (.constant(let x), .constant(let y)): return x == y
    case (.definition(let x), .definition(let y)): return x == y
    case (.snapshotRoot, .snapshotRoot), (.dealRoot, .dealRoot), (.groupKey, .groupKey), (.invalid, .invalid):
      return true
    case (.local(let s), .local(let t)): return left.local(s) == right.local(t)
    case (.field(let x, let i), .field(let y, let j)): return i == j && expr(x, y)
    case (.negate(let x), .negate(let y)), (.not(let x), .not(let y)): return expr(x, y)
    case (.arithmetic(let o1, let x1, let y1), .arithmetic(let o2, let x2, let y2)),
      (.compare(let o1, let x1, let y1), .compare(let o2, let x2, let y2)),
      (.logic(let o1, let x1, let y1), .logic(let o2, let x2, let y2)):
      return o1 == o2 && expr(x1, x2) && expr(y1, y2)
    case (.membership(let n1, let x, let xs), .membership(let n2, let y, let ys)):
      return n1 == n2 && expr(x, y) && list(xs, ys)
    case (.convert(let x, let c1), .convert(let y, let c2)): return c1 == c2 && expr(x, y)
    case (.aggregate(let p), .aggregate(let q)): return aggregate(p, q)
    case (.quantifier(let p), .quantifier(let q)): return quantifier(p, q)
    case (.presence(let x, let m1), .presence(let y, let m2)): return m1 == m2 && expr(x, y)
    case (.conditional(let c1, let x1, let y1), .conditional(let c2, let x2, let y2)):
      return expr(c1, c2) && expr(x1, x2) && expr(y1, y2)
    case (.extremum(let m1, let xs), .extremum(let m2, let ys)): return m1 == m2 && list(xs, ys)
    case (.trailing(let p), .trailing(let q)): return trailing(p, q)
    default: return false
    }
  }
}
