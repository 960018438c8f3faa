import CovenantValues
import CovenantSyntax
import CovenantSemantics

extension Evaluator {
  // MARK: - Aggregates

  /// Binds a local to a value (an element of `extra`, or of a list held as values).
  @inline(__always) mutating func bind(_ slot: Int, _ element: Value) {
    state.locals[slot] = element
    if slot < state.rows.count { state.rows[slot].table = nil }
  }

  /// Binds a local to a row of a table, without building the row's record.
  @inline(__always) mutating func bind(_ slot: Int, _ table: RecordTable, _ row: Int) {
    state.locals[slot] = .absent
    if state.rows.isEmpty { state.rows = Array(repeating: (nil, 0), count: state.locals.count) }
    state.rows[slot] = (table, row)
  }

  @inline(__always) mutating func unbind(_ slot: Int) {
    if slot < state.rows.count { state.rows[slot].table = nil }
  }

  /// Folds one element into `state`. The element is bound to the plan's slot first.
  mutating func fold(_ plan: AggregatePlan, _ element: Value, into state: inout AggregateState, span: SourceSpan) throws(EvaluationError) {
    bind(plan.slot, element)
    try foldBound(plan, into: &state, span: span)
  }

  /// Folds the element bound to the plan's slot into `state`.
  mutating func foldBound(_ plan: AggregatePlan, into state: inout AggregateState, span: SourceSpan) throws(EvaluationError) {
    var selected = true
    if let f = plan.filter {
      guard case .bool(let b) = try eval(f) else { return }
      selected = b
    }
    var amount: Exact = .one
    var value: Value = .absent
    if let v = plan.value {
      value = try eval(v)
      switch value {
      case .number(let x): amount = x
      case .money(let x, let c):
        amount = x
        if let mine = state.currency, mine != c { throw Self.currencyMix(mine, c, span) }
        state.currency = c
      case .absent: return
      default: break
      }
    }
    if plan.function == .share {
      state.wholeCount += 1
      state.wholeSum = try Self.checked(span) { () throws(ArithmeticError) in try state.wholeSum.adding(amount) }
    }
    guard selected else { return }
    state.count += 1
    switch plan.function {
    case .sum, .average, .share:
      state.sum = try Self.checked(span) { () throws(ArithmeticError) in try state.sum.adding(amount) }
    case .min:
      if try state.min.map({ (m) throws(EvaluationError) in try Self.less(value, m, span) }) ?? true { state.min = value }
    case .max:
      if try state.max.map({ (m) throws(EvaluationError) in try Self.less(m, value, span) }) ?? true { state.max = value }
    case .weightedAverage:
      guard let w = plan.weight else { return }
      let weight: Exact
      switch try eval(w) {
      case .number(let x), .money(let x, _): weight = x
      default: return
      }
      state.weighted = try Self.checked(span) { () throws(ArithmeticError) in try state.weighted.adding(try amount.multiplied(by: weight)) }
      state.weights = try Self.checked(span) { () throws(ArithmeticError) in try state.weights.adding(weight) }
    case .count:
      break
    }
  }

  /// Folds the data's elements of a list: over columns when the plan allows, else row by row.
  mutating func foldBase(_ plan: AggregatePlan, _ list: ListValue, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    guard let table = list.table else { return try foldValues(plan, list.values, span: span) }
    if let kernel = try AggregateKernel(plan, table, &self) {
      return try kernel.fold(span: span)
    }
    var state = AggregateState()
    for row in 0..<table.count {
      bind(plan.slot, table, row)
      try foldBound(plan, into: &state, span: span)
    }
    unbind(plan.slot)
    return state
  }

  mutating func foldValues(_ plan: AggregatePlan, _ items: [Value], span: SourceSpan) throws(EvaluationError) -> AggregateState {
    var state = AggregateState()
    for item in items { try fold(plan, item, into: &state, span: span) }
    return state
  }

  mutating func groupKeyOf(_ element: Value, field: Int) -> Value {
    guard case .record(let fields) = element, field < fields.count else { return .absent }
    return fields[field]
  }

  mutating func foldGrouped(_ plan: AggregatePlan, _ list: ListValue, field: Int, span: SourceSpan) throws(EvaluationError) -> GroupedState {
    if let table = list.table, let kernel = try AggregateKernel(plan, table, &self),
      let g = try kernel.foldGrouped(field: field, order: cache.columnOrder(table, field), span: span)
    {
      return g
    }
    var groups: [Value: AggregateState] = [:]
    var whole = AggregateState()
    if let table = list.table {
      for row in 0..<table.count {
        let key = field < table.columns.count ? table.value(row, field) : .absent
        bind(plan.slot, table, row)
        try foldBound(plan, into: &groups[key, default: AggregateState()], span: span)
      }
      unbind(plan.slot)
    } else {
      for item in list.values {
        let key = groupKeyOf(item, field: field)
        try fold(plan, item, into: &groups[key, default: AggregateState()], span: span)
      }
    }
    if plan.function == .share {
      for g in groups.values { try whole.merge(g, span: span) }
    }
    return GroupedState(groups: groups, whole: whole)
  }

  mutating func aggregateState(_ plan: AggregatePlan, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    if !naive, plan.invariant, plan.keyField == nil, let s = self.state.memo[plan.id] { return s }
    // A group looked up again (`for each` asks once per group): its totals and the list's
    // joined elements are at hand, so the list itself need not be evaluated again.
    if !naive, plan.invariant, let field = plan.keyField, let keyExpr = plan.key, let base = self.state.groupedMemo[plan.id],
      let extra = self.state.extras[plan.id]
    {
      return try keyedState(plan, base, extra, field: field, key: try eval(keyExpr), keyIsGroupKey: Self.isGroupKey(keyExpr), span: span)
    }
    guard case .list(let list) = try eval(plan.list) else { return AggregateState() }
    var state: AggregateState
    if naive {
      let key = try plan.key.map { (k) throws(EvaluationError) in try eval(k) }
      state = AggregateState()
      var whole = AggregateState()
      for item in list.base + list.extra {
        if plan.function == .share, plan.keyField != nil { try fold(plan, item, into: &whole, span: span) }
        if let f = plan.keyField, let key, groupKeyOf(item, field: f) != key { continue }
        try fold(plan, item, into: &state, span: span)
      }
      if plan.keyField != nil, plan.function == .share {
        state.wholeSum = whole.wholeSum
        state.wholeCount = whole.wholeCount
      }
      return state
    }
    if let field = plan.keyField, let keyExpr = plan.key {
      // One pass over the data builds every group; the deal's element is folded in only when
      // it falls in the group asked for, so no group table is copied per deal.
      let base: GroupedState
      if !plan.invariant {
        // An element's own sub-list: small, and different for every element; scan it.
        base = try foldGrouped(plan, list, field: field, span: span)
      } else if let g = self.state.groupedMemo[plan.id] {
        base = g
      } else if plan.cacheable, let g = cache.grouped(plan.id) {
        base = g
        // Kept at hand for the many groups of a `for each`; a deal's evaluator asks once.
        if !proForma { self.state.groupedMemo[plan.id] = g }
      } else {
        base = try foldGrouped(plan, list, field: field, span: span)
        if plan.cacheable { cache.setGrouped(plan.id, base) }
        self.state.groupedMemo[plan.id] = base
      }
      if plan.invariant, self.state.groupedMemo[plan.id] != nil { self.state.extras[plan.id] = list.extra }
      return try keyedState(plan, base, list.extra, field: field, key: try eval(keyExpr), keyIsGroupKey: Self.isGroupKey(keyExpr), span: span)
    }
    if plan.cacheable {
      if let s = cache.aggregate(plan.id) {
        state = s
      } else {
        state = try foldBase(plan, list, span: span)
        cache.setAggregate(plan.id, state)
      }
      try state.merge(try foldValues(plan, list.extra, span: span), span: span)
    } else {
      state = try foldBase(plan, list, span: span)
      try state.merge(try foldValues(plan, list.extra, span: span), span: span)
    }
    if plan.invariant { self.state.memo[plan.id] = state }
    return state
  }

  /// The group `key` of a keyed aggregate: its totals over the data, with the joined elements
  /// (the deal's) folded in when they fall in the group.
  /// `keyIsGroupKey`: `key` is the `for each` group's key (`that issuer`), so `groupKeyHint` is its number.
  mutating func keyedState(
    _ plan: AggregatePlan, _ base: GroupedState, _ extra: [Value], field: Int, key: Value, keyIsGroupKey: Bool = false, span: SourceSpan
  ) throws(EvaluationError) -> AggregateState {
    var state = try base.state(for: key, hint: keyIsGroupKey ? groupKeyHint : nil, span: span)
    guard plan.function == .share else {
      for item in extra where groupKeyOf(item, field: field) == key { try fold(plan, item, into: &state, span: span) }
      return state
    }
    // The totals over every group (a share's denominator) with the deal's element added; what
    // folding a share touches is copied, not the whole state.
    var whole = AggregateState()
    let b = base.whole
    (whole.sum, whole.count, whole.wholeSum, whole.wholeCount, whole.currency) = (b.sum, b.count, b.wholeSum, b.wholeCount, b.currency)
    for item in extra {
      if groupKeyOf(item, field: field) == key { try fold(plan, item, into: &state, span: span) }
      try fold(plan, item, into: &whole, span: span)
    }
    state.wholeSum = whole.wholeSum
    state.wholeCount = whole.wholeCount
    return state
  }

  static func isGroupKey(_ t: TExpr) -> Bool {
    if case .groupKey = t.kind { true } else { false }
  }

  mutating func aggregate(_ plan: AggregatePlan, _ t: TExpr) throws(EvaluationError) -> Value {
    let state = try aggregateState(plan, span: t.span)
    let span = t.span
    func wrap(_ x: Exact) -> Value {
      if case .money(let c) = t.type { return .money(x, currency: c ?? state.currency ?? context.covenant.schema.baseCurrency) }
      return .number(x)
    }
    switch plan.function {
    case .count: return .number(Exact(state.count))
    case .sum: return wrap(state.sum)
    case .min: return state.min ?? .absent
    case .max: return state.max ?? .absent
    case .average:
      guard state.count > 0 else { return .absent }
      return wrap(try Self.checked(span) { () throws(ArithmeticError) in try state.sum.divided(by: Exact(state.count)) })
    case .weightedAverage:
      guard state.weights.signum != 0 else { return .absent }
      return wrap(try Self.checked(span) { () throws(ArithmeticError) in try state.weighted.divided(by: state.weights) })
    case .share:
      if plan.value == nil {
        guard state.wholeCount > 0 else { return .absent }
        return .number(try Self.checked(span) { () throws(ArithmeticError) in try Exact(state.count).divided(by: Exact(state.wholeCount)) })
      }
      guard state.wholeSum.signum != 0 else { return .absent }
      return .number(try Self.checked(span) { () throws(ArithmeticError) in try state.sum.divided(by: state.wholeSum) })
    }
  }
}
