import CovenantValues
import CovenantSyntax

// MARK: - What a subexpression reads
//
// The analysis shared by the checker and the planner (CovenantPlanning): which locals and group
// keys an expression reads, and the key selector a `where` filter holds. The checker uses it for
// its C017/C018 diagnostics only; the planner uses it to number and annotate aggregates and
// quantifiers (`Planner`). Deciding ids, invariance, cacheability and key selectors is planning
// and lives in CovenantPlanning (ARCHITECTURE.md, Planning).

package enum PlanAnalysis {
  /// The locals and whether the group key are read by `t`, as the planned tree reads them: the
  /// key selector of an aggregate that is not planned yet is split out first, so a nested
  /// `where sector = that sector` reads the group once per key whether or not it is planned.
  package static func freeLocals(_ t: TExpr, schema: Schema, into set: inout Set<Int>, groupKey: inout Bool) {
    func walk(_ t: TExpr) { freeLocals(t, schema: schema, into: &set, groupKey: &groupKey) }
    switch t.kind {
    case .local(let s): set.insert(s)
    case .groupKey: groupKey = true
    case .constant, .definition, .snapshotRoot, .dealRoot, .invalid: break
    case .field(let b, _), .negate(let b), .not(let b), .convert(let b, _): walk(b)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b):
      walk(a)
      walk(b)
    case .membership(_, let a, let items):
      walk(a)
      for i in items { walk(i) }
    case .aggregate(let p):
      // The planned aggregate's key is computed per key in one pass: it is not counted. Not yet
      // planned, only a group's own selector needs removing (another key reads no local and no
      // group, and the element's field only the aggregate's own slot); finding it reads no
      // subexpression, so this stays linear however deeply aggregates nest.
      var filter = p.filter
      if !p.isPlanned, let f = p.filter, case .list(.record(let record)) = p.list.type,
        let s = splitKeySelector(f, slot: p.slot, record: record, schema: schema, groupOnly: true) {
        filter = s.rest
      }
      for x in [p.list, p.value, p.weight, filter].compactMap({ $0 }) { walk(x) }
      set.remove(p.slot)
    case .quantifier(let q):
      for x in [q.list, q.filter, q.body].compactMap({ $0 }) { walk(x) }
      set.remove(q.slot)
    case .presence(let x, _): walk(x)
    case .conditional(let c, let a, let b):
      for x in [c, a, b] { walk(x) }
    case .extremum(_, let items):
      for x in items { walk(x) }
    case .trailing(let p):
      for x in [p.list, p.value, p.filter, p.key].compactMap({ $0 }) { walk(x) }
      set.remove(p.slot)
    }
  }

  /// Two list expressions read the same list (spans aside).
  package static func sameList(_ a: TExpr, _ b: TExpr) -> Bool {
    switch (a.kind, b.kind) {
    case (.snapshotRoot, .snapshotRoot), (.dealRoot, .dealRoot): return true
    case (.local(let x), .local(let y)): return x == y
    case (.definition(let x), .definition(let y)): return x == y
    case (.field(let x, let i), .field(let y, let j)): return i == j && sameList(x, y)
    default: return false
    }
  }

  /// True when the list is an element's own sub-list (`holding.loans`), which costs nothing extra.
  package static func rootedAtLocal(_ t: TExpr) -> Bool {
    switch t.kind {
    case .local: true
    case .field(let b, _): rootedAtLocal(b)
    default: false
    }
  }

  /// The filter of an aggregate over `list` whose element is bound to `slot`, with its key
  /// selector split out (`keyField`/`key` nil when it has none).
  package static func split(_ filter: TExpr?, slot: Int, list: TExpr, schema: Schema) -> (rest: TExpr?, keyField: Int?, key: TExpr?) {
    guard let filter, case .list(.record(let record)) = list.type,
      let s = splitKeySelector(filter, slot: slot, record: record, schema: schema)
    else { return (filter, nil, nil) }
    return (s.rest, s.field, s.key)
  }

  /// Finds, among the filter's `and`-joined conditions, `field = KEY` where KEY does not depend
  /// on the element (`that sector`, `deal.sector`, `power`), and removes it. The aggregate is then
  /// computed for every value of the field in one pass and looked up by KEY: per group, or per
  /// deal, it costs a lookup instead of a scan. A group's own selector is preferred.
  /// `groupOnly`: look for a group's own selector only.
  package static func splitKeySelector(_ filter: TExpr, slot: Int, record: Int, schema: Schema, groupOnly onlyGroup: Bool = false) -> (field: Int, key: TExpr, rest: TExpr?)? {
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
        freeLocals(x, schema: schema, into: &free, groupKey: &usesGroup)
        return free.isEmpty && !usesGroup
      }
      if let f = elementField(a), isKey(b) { return (f, b) }
      if let f = elementField(b), isKey(a) { return (f, a) }
      return nil
    }
    func and(_ a: TExpr, _ b: TExpr, _ span: SourceSpan) -> TExpr {
      TExpr(kind: .logic(.and, a, b), type: .bool, span: span, usesDeal: a.usesDeal || b.usesDeal, usesJoinedList: a.usesJoinedList || b.usesJoinedList)
    }
    func split(_ t: TExpr, groupOnly: Bool) -> (Int, TExpr, TExpr?)? {
      if let (f, k) = selector(t, groupOnly: groupOnly) { return (f, k, nil) }
      guard case .logic(.and, let a, let b) = t.kind else { return nil }
      if let (f, k, rest) = split(a, groupOnly: groupOnly) {
        return (f, k, rest.map { and($0, b, t.span) } ?? b)
      }
      if let (f, k, rest) = split(b, groupOnly: groupOnly) {
        return (f, k, rest.map { and(a, $0, t.span) } ?? a)
      }
      return nil
    }
    if let r = split(filter, groupOnly: true) { return (r.0, r.1, r.2) }
    if !onlyGroup, let r = split(filter, groupOnly: false) { return (r.0, r.1, r.2) }
    return nil
  }
}

extension Checker {
  func freeLocals(_ t: TExpr, into set: inout Set<Int>, groupKey: inout Bool) {
    PlanAnalysis.freeLocals(t, schema: schema, into: &set, groupKey: &groupKey)
  }
  static func sameList(_ a: TExpr, _ b: TExpr) -> Bool { PlanAnalysis.sameList(a, b) }
  func rootedAtLocal(_ t: TExpr) -> Bool { PlanAnalysis.rootedAtLocal(t) }
}
