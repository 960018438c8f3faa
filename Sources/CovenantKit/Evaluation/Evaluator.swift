/// A problem found while evaluating: overflow, division by zero, amounts in two currencies.
/// It makes the result invalid (exit 2), never a pass.
public struct EvaluationError: Error, Hashable, Sendable {
  public var code: String
  public var message: String
  public var span: SourceSpan
  public var help: String?
}

/// Partial result of an aggregate over part of a list. Partial results over the snapshot's list
/// are kept and merged with the deal's contribution, so a deal costs time proportional to the
/// covenant, not to the portfolio.
struct AggregateState: Sendable {
  var sum: Exact = .zero
  var count = 0
  var min: Value?
  var max: Value?
  var weighted: Exact = .zero
  var weights: Exact = .zero
  var wholeSum: Exact = .zero
  var wholeCount = 0
  var currency: String?

  mutating func merge(_ o: AggregateState, span: SourceSpan) throws(EvaluationError) {
    if let c = o.currency {
      if let mine = currency, mine != c { throw Evaluator.currencyMix(mine, c, span) }
      currency = c
    }
    sum = try Evaluator.checked(span) { () throws(ArithmeticError) in try sum.adding(o.sum) }
    weighted = try Evaluator.checked(span) { () throws(ArithmeticError) in try weighted.adding(o.weighted) }
    weights = try Evaluator.checked(span) { () throws(ArithmeticError) in try weights.adding(o.weights) }
    wholeSum = try Evaluator.checked(span) { () throws(ArithmeticError) in try wholeSum.adding(o.wholeSum) }
    count += o.count
    wholeCount += o.wholeCount
    if let m = o.min { min = try min.map { (x) throws(EvaluationError) in try Evaluator.less(m, x, span) ? m : x } ?? m }
    if let m = o.max { max = try max.map { (x) throws(EvaluationError) in try Evaluator.less(x, m, span) ? m : x } ?? m }
  }
}

/// An aggregate over every value of a field at once, and over all elements (for shares).
struct GroupedState: Sendable {
  var groups: [Value: AggregateState] = [:]
  var whole = AggregateState()
}

/// What an `every`/`some`/`no` found: how many elements it looked at and which failed.
public struct QuantifierState: Hashable, Sendable {
  public var examined = 0
  public var offending = 0
  public var matching = 0
  /// The first offending elements, by position in the list (deal elements after the data's).
  public var offenders: [Int] = []
  public static let maxOffenders = 10

  mutating func merge(_ o: QuantifierState, offset: Int) {
    examined += o.examined
    offending += o.offending
    matching += o.matching
    for i in o.offenders where offenders.count < Self.maxOffenders { offenders.append(i + offset) }
  }
}

/// Caches that hold for one snapshot, whatever the deal: aggregates, quantifiers and group keys
/// over the snapshot's lists. Filled on first use.
public struct SnapshotCache: Sendable {
  var aggregates: [Int: AggregateState] = [:]
  var grouped: [Int: GroupedState] = [:]
  var quantifiers: [Int: QuantifierState] = [:]
  var groupKeys: [String: [Value]] = [:]
  public init() {}
}

/// Runs the checked covenant over one context: the snapshot alone, or the snapshot with a deal
/// joined (pro forma). Definitions and invariant aggregates are computed once per context.
public struct Evaluator {
  let covenant: CheckedCovenant
  var snapshot: Value
  let deal: Value?
  let proForma: Bool
  var definitions: [Value?]
  var locals: [Value]
  var groupKey: Value = .absent
  var memo: [Int: AggregateState] = [:]
  var groupedMemo: [Int: GroupedState] = [:]
  var quantifierMemo: [Int: QuantifierState] = [:]
  var cache: SnapshotCache
  /// Evaluate everything by scanning the whole list, without caches or keyed lookups: the
  /// reference that tests compare the incremental evaluation with.
  var naive = false

  /// `deal` given and `proForma` true: the deal joins the snapshot's list as the covenant's
  /// `pro forma` declaration says.
  public init(covenant: CheckedCovenant, snapshot: Value, deal: Value?, proForma: Bool, cache: SnapshotCache) throws(EvaluationError) {
    self.covenant = covenant
    self.snapshot = snapshot
    self.deal = deal
    self.proForma = proForma && deal != nil
    self.definitions = Array(repeating: nil, count: covenant.definitions.count)
    self.locals = Array(repeating: .absent, count: covenant.localCount)
    self.cache = cache
    if self.proForma, let pf = covenant.proForma, case .record(var fields) = snapshot,
      case .list(var list) = fields[pf.listField]
    {
      var element: [Value] = []
      for f in pf.fields { element.append(try eval(f)) }
      list.extra = [.record(element)]
      fields[pf.listField] = .list(list)
      self.snapshot = .record(fields)
    }
  }

  public var snapshotCache: SnapshotCache { cache }

  static func checked<T>(_ span: SourceSpan, _ body: () throws(ArithmeticError) -> T) throws(EvaluationError) -> T {
    do throws(ArithmeticError) {
      return try body()
    } catch {
      switch error {
      case .overflow:
        throw EvaluationError(code: "E001", message: "a figure is too large to compute exactly", span: span,
          help: "amounts are exact to 38 significant digits; check the data for an implausible value")
      case .divisionByZero:
        throw EvaluationError(code: "E002", message: "division by zero", span: span,
          help: "the divisor is zero in this data; guard the clause with `applies when … > 0`")
      }
    }
  }

  static func currencyMix(_ a: String, _ b: String, _ span: SourceSpan) -> EvaluationError {
    EvaluationError(code: "E003", message: "amounts in \(a) and \(b) are combined without converting", span: span,
      help: "convert with `in \(a)` at the snapshot's FX rates, e.g. `sum of holdings.value in \(a)`")
  }

  static func less(_ a: Value, _ b: Value, _ span: SourceSpan) throws(EvaluationError) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)): return x < y
    case (.money(let x, let c), .money(let y, let d)):
      if c != d { throw currencyMix(c, d, span) }
      return x < y
    case (.date(let x), .date(let y)): return x < y
    case (.duration(let x), .duration(let y)):
      guard let o = x.compare(y) else {
        throw EvaluationError(code: "E004", message: "cannot compare \(x) with \(y) exactly", span: span,
          help: "months and days have no fixed ratio; write both in the same unit")
      }
      return o == .less
    default: return false
    }
  }

  // MARK: - Expressions

  mutating func eval(_ t: TExpr) throws(EvaluationError) -> Value {
    switch t.kind {
    case .constant(let v): return v
    case .invalid: return .absent
    case .snapshotRoot: return snapshot
    case .dealRoot: return deal ?? .absent
    case .local(let s): return locals[s]
    case .groupKey: return groupKey
    case .definition(let i):
      if let v = definitions[i] { return v }
      let v = try eval(covenant.definitions[i].value)
      definitions[i] = v
      return v
    case .field(let b, let i):
      guard case .record(let fields) = try eval(b), i < fields.count else { return .absent }
      return fields[i]
    case .negate(let x):
      switch try eval(x) {
      case .number(let n): return .number(try Self.checked(t.span) { () throws(ArithmeticError) in try n.negated() })
      case .money(let n, let c): return .money(try Self.checked(t.span) { () throws(ArithmeticError) in try n.negated() }, currency: c)
      case .duration(let d):
        guard let n = d.negated else { throw EvaluationError(code: "E001", message: "duration out of range", span: t.span) }
        return .duration(n)
      default: return .absent
      }
    case .not(let x):
      guard case .bool(let b) = try eval(x) else { return .absent }
      return .bool(!b)
    case .logic(let op, let a, let b):
      let x = try eval(a)
      if case .bool(let bx) = x, bx == (op == .or) { return x }
      let y = try eval(b)
      if case .bool(let by) = y {
        if by == (op == .or) { return y }
        if case .bool = x { return y }
      }
      return .absent
    case .compare(let op, let a, let b):
      return try compare(op, try eval(a), try eval(b), t.span)
    case .membership(let negated, let a, let items):
      let x = try eval(a)
      if x == .absent { return .absent }
      for item in items where try Self.equal(x, try eval(item), t.span) { return .bool(!negated) }
      return .bool(negated)
    case .arithmetic(let op, let a, let b):
      return try arithmetic(op, try eval(a), try eval(b), t.span)
    case .convert(let x, let code):
      guard case .money(let amount, let from) = try eval(x) else { return .absent }
      return .money(try convert(amount, from: from, to: code, t.span), currency: code)
    case .aggregate(let plan):
      return try aggregate(plan, t)
    case .quantifier(let plan):
      let q = try quantifier(plan)
      switch plan.quantifier {
      case .every, .no: return .bool(q.offending == 0)
      case .some: return .bool(q.matching > 0)
      }
    }
  }

  func convert(_ amount: Exact, from: String, to: String, _ span: SourceSpan) throws(EvaluationError) -> Exact {
    if from == to { return amount }
    guard let fx = covenant.fxField, case .record(let fields) = snapshot, case .fx(let rates) = fields[fx] else {
      throw EvaluationError(code: "E005", message: "no FX rates in the snapshot to convert \(from) to \(to)", span: span)
    }
    let base = covenant.schema.baseCurrency
    func rate(_ c: String) throws(EvaluationError) -> Exact {
      if c == base { return .one }
      guard let r = rates[c] else {
        throw EvaluationError(code: "E005", message: "the snapshot has no FX rate for \(c)", span: span,
          help: "add \"\(c)\" to the snapshot's FX rates (\(base) per unit of \(c))")
      }
      return r
    }
    let rf = try rate(from), rt = try rate(to)
    return try Self.checked(span) { () throws(ArithmeticError) in try amount.multiplied(by: rf).divided(by: rt) }
  }

  static func equal(_ a: Value, _ b: Value, _ span: SourceSpan) throws(EvaluationError) -> Bool {
    if case .money(_, let c) = a, case .money(_, let d) = b, c != d { throw currencyMix(c, d, span) }
    if case .duration(let x) = a, case .duration(let y) = b {
      guard let o = x.compare(y) else { throw EvaluationError(code: "E004", message: "cannot compare \(x) with \(y) exactly", span: span) }
      return o == .equal
    }
    return a == b
  }

  func compare(_ op: BinaryOp, _ x: Value, _ y: Value, _ span: SourceSpan) throws(EvaluationError) -> Value {
    if x == .absent || y == .absent { return .absent }
    switch op {
    case .eq: return .bool(try Self.equal(x, y, span))
    case .ne: return .bool(!(try Self.equal(x, y, span)))
    case .lt: return .bool(try Self.less(x, y, span))
    case .gt: return .bool(try Self.less(y, x, span))
    case .le: return .bool(!(try Self.less(y, x, span)))
    case .ge: return .bool(!(try Self.less(x, y, span)))
    default: return .absent
    }
  }

  func arithmetic(_ op: BinaryOp, _ x: Value, _ y: Value, _ span: SourceSpan) throws(EvaluationError) -> Value {
    try Self.arithmeticValue(op, x, y, span)
  }

  static func arithmeticValue(_ op: BinaryOp, _ x: Value, _ y: Value, _ span: SourceSpan) throws(EvaluationError) -> Value {
    func num(_ f: () throws(ArithmeticError) -> Exact) throws(EvaluationError) -> Exact { try checked(span, f) }
    switch (op, x, y) {
    case (_, .absent, _), (_, _, .absent): return .absent
    case (.add, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.adding(b) })
    case (.sub, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.subtracting(b) })
    case (.mul, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.multiplied(by: b) })
    case (.div, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.divided(by: b) })
    case (.add, .money(let a, let c), .money(let b, let d)), (.sub, .money(let a, let c), .money(let b, let d)):
      if c != d { throw currencyMix(c, d, span) }
      return .money(try num { () throws(ArithmeticError) in op == .add ? try a.adding(b) : try a.subtracting(b) }, currency: c)
    case (.mul, .money(let a, let c), .number(let b)), (.mul, .number(let b), .money(let a, let c)):
      return .money(try num { () throws(ArithmeticError) in try a.multiplied(by: b) }, currency: c)
    case (.div, .money(let a, let c), .number(let b)):
      return .money(try num { () throws(ArithmeticError) in try a.divided(by: b) }, currency: c)
    case (.div, .money(let a, let c), .money(let b, let d)):
      if c != d { throw currencyMix(c, d, span) }
      return .number(try num { () throws(ArithmeticError) in try a.divided(by: b) })
    case (.add, .date(let d), .duration(let p)), (.add, .duration(let p), .date(let d)):
      guard let r = d.adding(p) else { throw EvaluationError(code: "E001", message: "date out of range", span: span) }
      return .date(r)
    case (.sub, .date(let d), .duration(let p)):
      guard let n = p.negated, let r = d.adding(n) else {
        throw EvaluationError(code: "E001", message: "date out of range", span: span)
      }
      return .date(r)
    case (.sub, .date(let a), .date(let b)):
      return .duration(Duration(days: daysBetween(b, a)))
    case (.add, .duration(let a), .duration(let b)):
      guard let r = a.adding(b) else { throw EvaluationError(code: "E001", message: "duration out of range", span: span) }
      return .duration(r)
    case (.sub, .duration(let a), .duration(let b)):
      guard let n = b.negated, let r = a.adding(n) else { throw EvaluationError(code: "E001", message: "duration out of range", span: span) }
      return .duration(r)
    default:
      return .absent
    }
  }

  // MARK: - Aggregates

  /// Folds one element into `state`. The element is bound to the plan's slot first.
  mutating func fold(_ plan: AggregatePlan, _ element: Value, into state: inout AggregateState, span: SourceSpan) throws(EvaluationError) {
    locals[plan.slot] = element
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

  mutating func foldAll(_ plan: AggregatePlan, _ items: [Value], span: SourceSpan) throws(EvaluationError) -> AggregateState {
    var state = AggregateState()
    for item in items { try fold(plan, item, into: &state, span: span) }
    return state
  }

  mutating func groupKeyOf(_ element: Value, field: Int) -> Value {
    guard case .record(let fields) = element, field < fields.count else { return .absent }
    return fields[field]
  }

  mutating func foldGrouped(_ plan: AggregatePlan, _ items: [Value], field: Int, span: SourceSpan) throws(EvaluationError) -> GroupedState {
    var grouped = GroupedState()
    for item in items {
      let key = groupKeyOf(item, field: field)
      try fold(plan, item, into: &grouped.groups[key, default: AggregateState()], span: span)
    }
    if plan.function == .share {
      for g in grouped.groups.values { try grouped.whole.merge(g, span: span) }
    }
    return grouped
  }

  mutating func aggregateState(_ plan: AggregatePlan, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    if !naive, plan.invariant, plan.keyField == nil, let s = memo[plan.id] { return s }
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
        base = try foldGrouped(plan, list.base, field: field, span: span)
      } else if plan.cacheable, let g = cache.grouped[plan.id] {
        base = g
      } else if let g = groupedMemo[plan.id] {
        base = g
      } else {
        base = try foldGrouped(plan, list.base, field: field, span: span)
        if plan.cacheable { cache.grouped[plan.id] = base } else { groupedMemo[plan.id] = base }
      }
      let key = try eval(keyExpr)
      state = base.groups[key] ?? AggregateState()
      var whole = base.whole
      for item in list.extra {
        if groupKeyOf(item, field: field) == key { try fold(plan, item, into: &state, span: span) }
        if plan.function == .share {
          var extra = AggregateState()
          try fold(plan, item, into: &extra, span: span)
          try whole.merge(extra, span: span)
        }
      }
      if plan.function == .share {
        state.wholeSum = whole.wholeSum
        state.wholeCount = whole.wholeCount
      }
      return state
    }
    if plan.cacheable {
      if let s = cache.aggregates[plan.id] {
        state = s
      } else {
        state = try foldAll(plan, list.base, span: span)
        cache.aggregates[plan.id] = state
      }
      try state.merge(try foldAll(plan, list.extra, span: span), span: span)
    } else {
      state = try foldAll(plan, list.base, span: span)
      try state.merge(try foldAll(plan, list.extra, span: span), span: span)
    }
    if plan.invariant { memo[plan.id] = state }
    return state
  }

  mutating func aggregate(_ plan: AggregatePlan, _ t: TExpr) throws(EvaluationError) -> Value {
    let state = try aggregateState(plan, span: t.span)
    let span = t.span
    func wrap(_ x: Exact) -> Value {
      if case .money(let c) = t.type { return .money(x, currency: c ?? state.currency ?? covenant.schema.baseCurrency) }
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

  // MARK: - Quantifiers

  mutating func scan(_ plan: QuantifierPlan, _ items: [Value]) throws(EvaluationError) -> QuantifierState {
    var q = QuantifierState()
    for (i, item) in items.enumerated() {
      locals[plan.slot] = item
      if let f = plan.filter {
        guard case .bool(true) = try eval(f) else { continue }
      }
      q.examined += 1
      let holds: Bool
      switch try eval(plan.body) {
      case .bool(let b): holds = b
      default: continue  // undefined for this element: neither offends nor matches
      }
      let offends = plan.quantifier == .every ? !holds : holds
      if holds { q.matching += 1 }
      if offends && plan.quantifier != .some {
        q.offending += 1
        if q.offenders.count < QuantifierState.maxOffenders { q.offenders.append(i) }
      }
    }
    return q
  }

  mutating func quantifier(_ plan: QuantifierPlan) throws(EvaluationError) -> QuantifierState {
    if plan.invariant, let q = quantifierMemo[plan.id] { return q }
    guard case .list(let list) = try eval(plan.list) else { return QuantifierState() }
    var q: QuantifierState
    if naive {
      q = try scan(plan, list.base)
    } else if plan.cacheable, let c = cache.quantifiers[plan.id] {
      q = c
    } else {
      q = try scan(plan, list.base)
      if plan.cacheable { cache.quantifiers[plan.id] = q }
    }
    q.merge(try scan(plan, list.extra), offset: list.base.count)
    if plan.invariant { quantifierMemo[plan.id] = q }
    return q
  }

  /// The distinct values of `field` in `list`, in a fixed order (kind declaration order, then
  /// text by UTF-8 bytes), so reports never depend on hashing or locale.
  mutating func groupKeys(_ group: CheckedClause.Group) throws(EvaluationError) -> [Value] {
    guard case .list(let list) = try eval(group.list) else { return [] }
    let cacheKey = "\(group.field):\(group.list.span.start)"
    var keys: [Value]
    if !group.list.usesDeal, let k = cache.groupKeys[cacheKey] {
      keys = k
    } else {
      var seen = Set<Value>()
      keys = []
      for item in list.base {
        let k = groupKeyOf(item, field: group.field)
        if k != .absent, seen.insert(k).inserted { keys.append(k) }
      }
      keys.sort(by: Self.keyOrder)
      if !group.list.usesDeal { cache.groupKeys[cacheKey] = keys }
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
