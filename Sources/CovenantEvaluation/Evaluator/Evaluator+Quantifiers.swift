import CovenantValues
import CovenantSyntax
import CovenantSemantics

extension Evaluator {
  // MARK: - Quantifiers

  /// Examines the element bound to the plan's slot; `i` is its position.
  @inline(__always) mutating func examineBound(_ plan: QuantifierPlan, _ i: Int, into q: inout QuantifierState) throws(EvaluationError) {
    if let f = plan.filter {
      guard case .bool(true) = try eval(f) else { return }
    }
    q.examined += 1
    let holds: Bool
    switch try eval(plan.body) {
    case .bool(let b): holds = b
    default:  // undefined for this element: neither offends nor matches, but is counted
      q.noteUndefined(i)
      return
    }
    let offends = plan.quantifier == .every ? !holds : holds
    if holds { q.matching += 1 }
    if offends && plan.quantifier != .some {
      q.offending += 1
      if q.offenders.count < QuantifierState.maxOffenders { q.offenders.append(i) }
    }
  }

  mutating func scan(_ plan: QuantifierPlan, _ items: [Value]) throws(EvaluationError) -> QuantifierState {
    var q = QuantifierState()
    for (i, item) in items.enumerated() {
      bind(plan.slot, item)
      try examineBound(plan, i, into: &q)
    }
    return q
  }

  /// The data's elements of a list: over columns when the body and filter allow, else row by row.
  mutating func scanBase(_ plan: QuantifierPlan, _ list: ListValue) throws(EvaluationError) -> QuantifierState {
    guard let table = list.table else { return try scan(plan, list.values) }
    if let kernel = try QuantifierKernel(plan, table, &self) { return kernel.scan() }
    var q = QuantifierState()
    for row in 0..<table.count {
      bind(plan.slot, table, row)
      try examineBound(plan, row, into: &q)
    }
    unbind(plan.slot)
    return q
  }

  mutating func quantifier(_ plan: QuantifierPlan) throws(EvaluationError) -> QuantifierState {
    if plan.invariant, let q = state.quantifierMemo[plan.id] { return q }
    guard case .list(let list) = try eval(plan.list) else { return QuantifierState() }
    var q: QuantifierState
    if naive {
      q = try scan(plan, Array(list.base))
    } else if plan.cacheable, let c = cache.quantifier(plan.id) {
      q = c
    } else {
      q = try scanBase(plan, list)
      if plan.cacheable { cache.setQuantifier(plan.id, q) }
    }
    q.merge(try scan(plan, list.extra), offset: list.baseCount)
    if plan.invariant { state.quantifierMemo[plan.id] = q }
    return q
  }

  /// The key a clause's group keys are cached under: the list's path from the snapshot
  /// (`holdings`), so that every clause grouping the same list shares one list of keys (1,250
  /// `for each issuer` clauses held 1,250 copies of 2,406 keys); any other list, by its position.
  static func groupKeysCacheKey(_ group: CheckedClause.Group) -> String {
    func path(_ e: TExpr) -> String? {
      switch e.kind {
      case .snapshotRoot: return "snapshot"
      case .field(let base, let i): return path(base).map { $0 + ".\(i)" }
      default: return nil
      }
    }
    return "\(group.field):" + (path(group.list) ?? "\(group.list.span.start)")
  }

  /// The distinct values of `field` in `list`, in a fixed order (kind declaration order, then
  /// text by UTF-8 bytes), so reports never depend on hashing or locale.
  mutating func groupKeys(_ group: CheckedClause.Group) throws(EvaluationError) -> [Value] {
    guard case .list(let list) = try eval(group.list) else { return [] }
    let cacheKey = Self.groupKeysCacheKey(group)
    var keys: [Value]
    if !group.list.usesDeal, let k = cache.groupKeys(cacheKey) {
      keys = k
    } else {
      if let table = list.table, !group.list.usesDeal, let ids = table.distinctIDs(group.field),
        case .interned(_, let strings, _, let country) = table.columns[group.field]
      {
        // The keys' numbers are found with them, once (they were sorted twice): `groupKeyIDs`.
        let strings = strings.all
        keys = ids.map { country ? .country(strings[Int($0)]) : .text(strings[Int($0)]) }
        cache.setGroupKeyIDs(cacheKey, (table, ids))
        cache.setColumnOrder(table, group.field, ids)
      } else if let table = list.table, let k = table.distinctValues(group.field) {
        keys = k
      } else {
        var seen = Set<Value>()
        keys = []
        if let table = list.table {
          for row in 0..<table.count where group.field < table.columns.count {
            let k = table.value(row, group.field)
            if k != .absent, seen.insert(k).inserted { keys.append(k) }
          }
        } else {
          for item in list.values {
            let k = groupKeyOf(item, field: group.field)
            if k != .absent, seen.insert(k).inserted { keys.append(k) }
          }
        }
        keys.sort(by: Self.keyOrder)
      }
      if !group.list.usesDeal { cache.setGroupKeys(cacheKey, keys) }
    }
    for item in list.extra {
      let k = groupKeyOf(item, field: group.field)
      if k != .absent, !keys.contains(k) {
        keys.append(k)
        keys.sort(by: Self.keyOrder)
      }
    }
    return keys
  }

  /// The interned numbers of `groupKeys(group)` in its column, in the same order, with the
  /// table, when the keys were read from an interned column of the data's table and no deal
  /// added one (then there are as many as `count`); nil otherwise (`groupKeyHint`).
  mutating func groupKeyIDs(_ group: CheckedClause.Group, count: Int) throws(EvaluationError) -> (table: RecordTable, ids: [UInt32])? {
    guard !group.list.usesDeal, case .list(let list) = try eval(group.list), let table = list.table else { return nil }
    let cacheKey = Self.groupKeysCacheKey(group)
    if let known = cache.groupKeyIDs(cacheKey) { return known.table === table && known.ids.count == count ? (table, known.ids) : nil }
    guard let ids = table.distinctIDs(group.field) else { return nil }
    cache.setGroupKeyIDs(cacheKey, (table, ids))
    return ids.count == count ? (table, ids) : nil
  }

  /// Elements of a `for each` list without a value of the group field (a missing optional
  /// field): they belong to no group, so the clause cannot be shown to hold for them.
  mutating func elementsWithoutGroup(_ group: CheckedClause.Group) throws(EvaluationError) -> (count: Int, items: [Int]) {
    guard case .list(let list) = try eval(group.list) else { return (0, []) }
    var count = 0
    var items: [Int] = []
    func note(_ i: Int) {
      count += 1
      if items.count < QuantifierState.maxOffenders { items.append(i) }
    }
    // The loader refuses data without a required field, so only an optional one can be missing
    // in the data: a required group field costs no scan (this runs for every deal of a batch).
    var required = false
    if case .list(.record(let r)) = group.list.type, r < covenant.schema.records.count, group.field < covenant.schema.records[r].fields.count {
      required = !covenant.schema.records[r].fields[group.field].optional
    }
    if required {
      // Nothing to scan in the data's elements.
    } else if let table = list.table {
      for row in 0..<table.count where group.field >= table.columns.count || table.value(row, group.field) == .absent { note(row) }
    } else {
      for (i, item) in list.base.enumerated() where groupKeyOf(item, field: group.field) == .absent { note(i) }
    }
    for (i, item) in list.extra.enumerated() where groupKeyOf(item, field: group.field) == .absent { note(list.baseCount + i) }
    return (count, items)
  }

  static func keyOrder(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.kind(_, let x), .kind(_, let y)): return x < y
    case (.text(let x), .text(let y)), (.country(let x), .country(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
    case (.bool(let x), .bool(let y)): return !x && y
    case (.date(let x), .date(let y)): return x < y
    default: return false
    }
  }
}
