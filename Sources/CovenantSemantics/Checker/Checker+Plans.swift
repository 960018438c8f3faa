import CovenantValues
import CovenantSyntax

// MARK: - Plans of aggregates and quantifiers
//
// What the checker works out to build an `AggregatePlan` or a `QuantifierPlan`: which locals and
// group keys an expression reads (whether the plan is invariant, cacheable across deals, and the
// C017/C018 diagnostics), and the key selector split out of a filter. Planning that the
// checker's diagnostics do not need lives in CovenantPlanning (ARCHITECTURE.md, Planning).

extension Checker {
  func freeLocals(_ t: TExpr, into set: inout Set<Int>, groupKey: inout Bool) {
    switch t.kind {
    case .local(let s): set.insert(s)
    case .groupKey: groupKey = true
    case .constant, .definition, .snapshotRoot, .dealRoot, .invalid: break
    case .field(let b, _), .negate(let b), .not(let b), .convert(let b, _): freeLocals(b, into: &set, groupKey: &groupKey)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b):
      freeLocals(a, into: &set, groupKey: &groupKey)
      freeLocals(b, into: &set, groupKey: &groupKey)
    case .membership(_, let a, let items):
      freeLocals(a, into: &set, groupKey: &groupKey)
      for i in items { freeLocals(i, into: &set, groupKey: &groupKey) }
    case .aggregate(let p):
      for x in [p.list, p.value, p.weight, p.filter].compactMap({ $0 }) { freeLocals(x, into: &set, groupKey: &groupKey) }
      set.remove(p.slot)
    case .quantifier(let q):
      for x in [q.list, q.filter, q.body].compactMap({ $0 }) { freeLocals(x, into: &set, groupKey: &groupKey) }
      set.remove(q.slot)
    case .presence(let x, _): freeLocals(x, into: &set, groupKey: &groupKey)
    case .conditional(let c, let a, let b):
      for x in [c, a, b] { freeLocals(x, into: &set, groupKey: &groupKey) }
    case .extremum(_, let items):
      for x in items { freeLocals(x, into: &set, groupKey: &groupKey) }
    case .trailing(let p):
      for x in [p.list, p.value, p.filter, p.key].compactMap({ $0 }) { freeLocals(x, into: &set, groupKey: &groupKey) }
      set.remove(p.slot)
    }
  }

  /// Two list expressions read the same list (spans aside).
  static func sameList(_ a: TExpr, _ b: TExpr) -> Bool {
    switch (a.kind, b.kind) {
    case (.snapshotRoot, .snapshotRoot), (.dealRoot, .dealRoot): return true
    case (.local(let x), .local(let y)): return x == y
    case (.definition(let x), .definition(let y)): return x == y
    case (.field(let x, let i), .field(let y, let j)): return i == j && sameList(x, y)
    default: return false
    }
  }

  /// True when the list is an element's own sub-list (`holding.loans`), which costs nothing extra.
  func rootedAtLocal(_ t: TExpr) -> Bool {
    switch t.kind {
    case .local: true
    case .field(let b, _): rootedAtLocal(b)
    default: false
    }
  }

  /// Finds, among the filter's `and`-joined conditions, `field = KEY` where KEY does not depend
  /// on the element (`that sector`, `deal.sector`, `power`), and removes it. The aggregate is then
  /// computed for every value of the field in one pass and looked up by KEY: per group, or per
  /// deal, it costs a lookup instead of a scan. A group's own selector is preferred.
  func splitKeySelector(_ filter: TExpr, slot: Int, record: Int) -> (field: Int, key: TExpr, rest: TExpr?)? {
    func selector(_ t: TExpr, groupOnly: Bool) -> (Int, TExpr)? {
      guard case .compare(.eq, let a, let b) = t.kind else { return nil }
      func elementField(_ x: TExpr) -> Int? {
        guard case .field(let base, let f) = x.kind, case .local(let s) = base.kind, s == slot else { return nil }
        switch schema.records[record].fields[f].type {
        case .kind, .text, .country, .bool, .date: return f
        default: return nil
        }
      }
      func isKey(_ x: TExpr) -> Bool {
        if case .groupKey = x.kind { return true }
        if groupOnly { return false }
        var free = Set<Int>()
        var usesGroup = false
        freeLocals(x, into: &free, groupKey: &usesGroup)
        return free.isEmpty && !usesGroup
      }
      if let f = elementField(a), isKey(b) { return (f, b) }
      if let f = elementField(b), isKey(a) { return (f, a) }
      return nil
    }
    func split(_ t: TExpr, groupOnly: Bool) -> (Int, TExpr, TExpr?)? {
      if let (f, k) = selector(t, groupOnly: groupOnly) { return (f, k, nil) }
      guard case .logic(.and, let a, let b) = t.kind else { return nil }
      if let (f, k, rest) = split(a, groupOnly: groupOnly) {
        return (f, k, rest.map { make(.logic(.and, $0, b), .bool, t.span, [$0, b]) } ?? b)
      }
      if let (f, k, rest) = split(b, groupOnly: groupOnly) {
        return (f, k, rest.map { make(.logic(.and, a, $0), .bool, t.span, [a, $0]) } ?? a)
      }
      return nil
    }
    if let r = split(filter, groupOnly: true) { return (r.0, r.1, r.2) }
    if let r = split(filter, groupOnly: false) { return (r.0, r.1, r.2) }
    return nil
  }
}
