import Synchronization
import CovenantValues
import CovenantSyntax
import CovenantSemantics

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
    // Nothing folded in (a list without a deal's element, say): nothing to add.
    if o.count == 0, o.wholeCount == 0, o.min == nil, o.max == nil, o.sum.signum == 0, o.weights.signum == 0,
      o.weighted.signum == 0, o.wholeSum.signum == 0
    {
      return
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
/// Immutable once built, and shared (a reference) by every evaluator that looks a group up.
final class GroupedState: Sendable {
  let groups: [Value: AggregateState]
  let whole: AggregateState
  /// Set instead of `groups` when computed over a column of a table: totals per distinct value.
  let columnar: ColumnGroups?

  init(groups: [Value: AggregateState] = [:], whole: AggregateState = AggregateState(), columnar: ColumnGroups? = nil) {
    self.groups = groups
    self.whole = whole
    self.columnar = columnar
  }

  func state(for key: Value, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    if let c = columnar { return try c.state(for: key, span: span) }
    return groups[key] ?? AggregateState()
  }
}

/// What an `every`/`some`/`no` found: how many elements it looked at and which failed.
public struct QuantifierState: Hashable, Sendable {
  public var examined = 0
  public var offending = 0
  public var matching = 0
  /// Elements whose condition is undefined (a missing optional field, an aggregate over nothing):
  /// they neither hold nor fail, so `every` cannot be shown to hold while there are any.
  public var undefined = 0
  /// The first offending elements, by position in the list (deal elements after the data's).
  public var offenders: [Int] = []
  /// The first elements that could not be evaluated, by position.
  public var undefinedItems: [Int] = []
  public static let maxOffenders = 10

  mutating func merge(_ o: QuantifierState, offset: Int) {
    examined += o.examined
    offending += o.offending
    matching += o.matching
    undefined += o.undefined
    for i in o.offenders where offenders.count < Self.maxOffenders { offenders.append(i + offset) }
    for i in o.undefinedItems where undefinedItems.count < Self.maxOffenders { undefinedItems.append(i + offset) }
  }

  @inline(__always) mutating func noteUndefined(_ i: Int) {
    undefined += 1
    if undefinedItems.count < Self.maxOffenders { undefinedItems.append(i) }
  }

  /// Three-valued (Kleene) result: `every` is false when an element fails, undefined when none
  /// fails but some could not be evaluated; `some` is true when an element holds.
  func value(_ q: Quantifier) -> Value {
    switch q {
    case .every, .no: offending > 0 ? .bool(false) : undefined > 0 ? .absent : .bool(true)
    case .some: matching > 0 ? .bool(true) : undefined > 0 ? .absent : .bool(false)
    }
  }
}

/// Caches that hold for one snapshot, whatever the deal: aggregates, quantifiers and group keys
/// over the snapshot's lists. Filled on first use.
///
/// Every copy of a cache shares one store, so what any evaluator of the snapshot computes — the
/// snapshot's own, or a deal's pro-forma one computing the totals a deal rule looks up — is
/// computed once for all later deals. Entries depend on the snapshot only, never on a deal.
public struct SnapshotCache: Sendable {
  final class Store: Sendable {
    struct Tables: Sendable {
      var aggregates: [Int: AggregateState] = [:]
      var grouped: [Int: GroupedState] = [:]
      var quantifiers: [Int: QuantifierState] = [:]
      var groupKeys: [String: [Value]] = [:]
    }
    let tables = Mutex(Tables())
  }
  let store = Store()
  public init() {}

  var aggregates: [Int: AggregateState] {
    get { store.tables.withLock { $0.aggregates } }
    nonmutating set { store.tables.withLock { $0.aggregates = newValue } }
  }
  func aggregate(_ id: Int) -> AggregateState? { store.tables.withLock { $0.aggregates[id] } }
  func setAggregate(_ id: Int, _ s: AggregateState) { store.tables.withLock { $0.aggregates[id] = s } }
  func grouped(_ id: Int) -> GroupedState? { store.tables.withLock { $0.grouped[id] } }
  func setGrouped(_ id: Int, _ s: GroupedState) { store.tables.withLock { $0.grouped[id] = s } }
  func quantifier(_ id: Int) -> QuantifierState? { store.tables.withLock { $0.quantifiers[id] } }
  func setQuantifier(_ id: Int, _ s: QuantifierState) { store.tables.withLock { $0.quantifiers[id] = s } }
  func groupKeys(_ key: String) -> [Value]? { store.tables.withLock { $0.groupKeys[key] } }
  func setGroupKeys(_ key: String, _ k: [Value]) { store.tables.withLock { $0.groupKeys[key] = k } }
}

/// Values by a plan's number (aggregates and quantifiers are numbered from 0): an array, so a
/// lookup per group of a `for each` is an index rather than a hash.
struct Slots<T> {
  private var items: [T?] = []
  subscript(_ i: Int) -> T? {
    get { i >= 0 && i < items.count ? items[i] : nil }
    set {
      guard i >= 0 else { return }
      if i >= items.count { items.append(contentsOf: repeatElement(nil, count: i + 1 - items.count)) }
      items[i] = newValue
    }
  }
}

/// Runs the checked covenant over one context: the snapshot alone, or the snapshot with a deal
/// joined (pro forma). Definitions and invariant aggregates are computed once per context.
public struct Evaluator {
  /// The covenant, behind one reference: evaluators are copied often (per clause, per deal),
  /// and a copy then costs one retain instead of one per array of the checked covenant.
  final class Context: Sendable {
    let covenant: CheckedCovenant
    /// Definitions whose value depends on the test date of trailing figures (see Periods.swift):
    /// inside a `for each window` they are computed per window, not taken from the cache.
    let periodDependent: [Bool]
    init(_ covenant: CheckedCovenant) {
      self.covenant = covenant
      self.periodDependent = PeriodDependence.periodDependence(covenant)
    }
  }
  let context: Context
  var covenant: CheckedCovenant { context.covenant }
  var snapshot: Value
  let deal: Value?
  let proForma: Bool
  /// What the evaluator computes and binds as it goes, behind one reference, so that copying an
  /// evaluator (the runner does, per clause and per deal) costs one retain. A copy shares it:
  /// everything in it is either a value of this context (definitions, invariant aggregates)
  /// or bound afresh before each use (locals).
  final class State {
    @exclusivity(unchecked) var definitions: [Value?]
    @exclusivity(unchecked) var locals: [Value]
    /// A local bound to a row of a table rather than to a value: `locals` then holds `.absent`,
    /// and `x.field` reads the column directly instead of building the row's record. Empty until
    /// a row is first bound (many evaluators — one per deal — never bind one).
    @exclusivity(unchecked) var rows: [(table: RecordTable?, row: Int)] = []
    @exclusivity(unchecked) var memo = Slots<AggregateState>()
    @exclusivity(unchecked) var groupedMemo = Slots<GroupedState>()
    @exclusivity(unchecked) var quantifierMemo = Slots<QuantifierState>()
    /// The joined elements (`extra`) of the list of a keyed aggregate in `groupedMemo`.
    @exclusivity(unchecked) var extras = Slots<[Value]>()
    /// Lists of dated periods, sorted by end date, and the trailing figures' running sums over
    /// them (see Periods.swift): built once per context, then each window is a subtraction.
    @exclusivity(unchecked) var periodCalendars: [PeriodCalendarRef: PeriodCalendar] = [:]
    @exclusivity(unchecked) var periodSeries = Slots<PeriodSeries>()
    init(definitions: Int, locals: Int) {
      self.definitions = Array(repeating: nil, count: definitions)
      self.locals = Array(repeating: .absent, count: locals)
    }
  }
  let state: State
  var groupKey: Value = .absent
  /// The test date of trailing figures inside a `for each window`: the window's last period end.
  /// nil: the snapshot's as-of date.
  var periodDate: CalendarDate? = nil
  var quantifierMemo: Slots<QuantifierState> {
    get { state.quantifierMemo }
    nonmutating set { state.quantifierMemo = newValue }
  }
  var cache: SnapshotCache
  /// Evaluate everything by scanning the whole list, without caches or keyed lookups: the
  /// reference that tests compare the incremental evaluation with.
  var naive = false

  /// `deal` given and `proForma` true: the deal joins the snapshot's list as the covenant's
  /// `pro forma` declaration says.
  /// `context`: another evaluator's of the same covenant, shared rather than built again (a
  /// batch builds several evaluators per deal).
  public init(covenant: CheckedCovenant, snapshot: Value, deal: Value?, proForma: Bool, cache: SnapshotCache) throws(EvaluationError) {
    try self.init(covenant: covenant, snapshot: snapshot, deal: deal, proForma: proForma, cache: cache, context: nil)
  }

  init(covenant: CheckedCovenant, snapshot: Value, deal: Value?, proForma: Bool, cache: SnapshotCache, context: Context?) throws(EvaluationError) {
    self.context = context ?? Context(covenant)
    self.snapshot = snapshot
    self.deal = deal
    self.proForma = proForma && deal != nil
    self.state = State(definitions: covenant.definitions.count, locals: covenant.localCount)
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
          help: "figures are exact up to 4,096 bits (about 1,233 digits) in numerator and denominator; check the data for an implausible value")
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
    case .local(let s):
      if s < state.rows.count, let table = state.rows[s].table { return table.record(state.rows[s].row) }
      return state.locals[s]
    case .groupKey: return groupKey
    case .definition(let i):
      if periodDate != nil, context.periodDependent[i] { return try eval(context.covenant.definitions[i].value) }
      if let v = state.definitions[i] { return v }
      let v = try eval(context.covenant.definitions[i].value)
      state.definitions[i] = v
      return v
    case .field(let b, let i):
      if case .local(let s) = b.kind, s < state.rows.count, let table = state.rows[s].table {
        return i < table.columns.count ? table.value(state.rows[s].row, i) : .absent
      }
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
      if op == .le || op == .lt || op == .ge || op == .gt {
        if let r = Self.ratioParts(a, context.covenant.definitions) {
          return try ratioCompare(op, r, b, t.span)
        }
        if let r = Self.ratioParts(b, context.covenant.definitions) {
          return try ratioCompare(op == .le ? .ge : op == .lt ? .gt : op == .ge ? .le : .lt, r, a, t.span)
        }
      }
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
      return try quantifier(plan).value(plan.quantifier)
    case .presence(let x, let missing):
      return .bool((try eval(x) == .absent) == missing)
    case .conditional(let c, let a, let b):
      switch try eval(c) {
      case .bool(true): return try eval(a)
      case .bool(false): return try eval(b)
      default: return .absent
      }
    case .extremum(let max, let items):
      var best: Value = .absent
      for item in items {
        let v = try eval(item)
        if v == .absent { return .absent }
        if best == .absent {
          best = v
        } else {
          let better = max ? try Self.less(best, v, t.span) : try Self.less(v, best, t.span)
          if better { best = v }
        }
      }
      return best
    case .trailing(let plan):
      return try trailing(plan, t)
    }
  }

  /// `a / b` (written so, or through definitions) when it is a ratio, a pure number.
  static func ratioParts(_ t: TExpr, _ definitions: [CheckedDefinition], depth: Int = 0) -> (numerator: TExpr, denominator: TExpr)? {
    guard t.type.isNumber, depth < 100 else { return nil }
    switch t.kind {
    case .arithmetic(.div, let n, let d): return (n, d)
    case .definition(let i) where i < definitions.count: return ratioParts(definitions[i].value, definitions, depth: depth + 1)
    default: return nil
    }
  }

  /// Whether a ratio floor (`floor`: `>=`, `>`) or cap (`<=`, `<`) holds when its denominator is
  /// zero or negative, as agreements mean it: a positive numerator over nothing (or less) is an
  /// unbounded ratio — interest cover with no interest expense, leverage with negative EBITDA —
  /// which meets every floor and no cap; a numerator of zero or less gives no ratio at all, which
  /// meets neither.
  static func ratioHolds(floor: Bool, numerator: Exact, denominatorSign: Int) -> Bool {
    floor && numerator.signum > 0
  }

  /// `ratio OP limit`, where `ratio` is `n / d`: an ordinary comparison when `d` is positive,
  /// otherwise decided by `ratioHolds` instead of a division by zero (E002).
  mutating func ratioCompare(_ op: BinaryOp, _ r: (numerator: TExpr, denominator: TExpr), _ limit: TExpr, _ span: SourceSpan) throws(EvaluationError) -> Value {
    let n = try eval(r.numerator), d = try eval(r.denominator), y = try eval(limit)
    if n == .absent || d == .absent || y == .absent { return .absent }
    guard let dm = CovenantRunner.magnitude(d), let nm = CovenantRunner.magnitude(n) else { return .absent }
    if dm.signum > 0 { return try compare(op, try arithmetic(.div, n, d, span), y, span) }
    return .bool(Self.ratioHolds(floor: op == .ge || op == .gt, numerator: nm, denominatorSign: dm.signum))
  }

  func convert(_ amount: Exact, from: String, to: String, _ span: SourceSpan) throws(EvaluationError) -> Exact {
    if from == to { return amount }
    guard let fx = context.covenant.fxField, case .record(let fields) = snapshot, case .fx(let rates) = fields[fx] else {
      throw EvaluationError(code: "E005", message: "no FX rates in the snapshot to convert \(from) to \(to)", span: span)
    }
    let base = context.covenant.schema.baseCurrency
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
    do throws(ValueArithmetic.Failure) {
      return try ValueArithmetic.apply(op, x, y)
    } catch {
      switch error {
      case .arithmetic(let e): return try checked(span) { () throws(ArithmeticError) -> Value in throw e }
      case .currencyMix(let a, let b): throw currencyMix(a, b, span)
      case .outOfRange(let what): throw EvaluationError(code: "E001", message: "\(what) out of range", span: span)
      }
    }
  }

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
    if let table = list.table, let kernel = try AggregateKernel(plan, table, &self), let g = try kernel.foldGrouped(field: field, span: span) {
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
      return try keyedState(plan, base, extra, field: field, key: try eval(keyExpr), span: span)
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
      return try keyedState(plan, base, list.extra, field: field, key: try eval(keyExpr), span: span)
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
  mutating func keyedState(
    _ plan: AggregatePlan, _ base: GroupedState, _ extra: [Value], field: Int, key: Value, span: SourceSpan
  ) throws(EvaluationError) -> AggregateState {
    var state = try base.state(for: key, span: span)
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

  /// The distinct values of `field` in `list`, in a fixed order (kind declaration order, then
  /// text by UTF-8 bytes), so reports never depend on hashing or locale.
  mutating func groupKeys(_ group: CheckedClause.Group) throws(EvaluationError) -> [Value] {
    guard case .list(let list) = try eval(group.list) else { return [] }
    let cacheKey = "\(group.field):\(group.list.span.start)"
    var keys: [Value]
    if !group.list.usesDeal, let k = cache.groupKeys(cacheKey) {
      keys = k
    } else {
      if let table = list.table, let k = table.distinctValues(group.field) {
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

// MARK: - Columnar evaluation
//
// Aggregates and quantifiers over a table (a list of records as loaded from the data) run over
// its columns when their value, filter and body are of the forms covenants use: an amount
// field, comparisons of a field with a constant (or the group's or the deal's value), `in`,
// `and`, `or`, `not`. Anything else runs row by row through `eval`, with the same result.
// The row-by-row form stays the reference: `naive` evaluation, which the tests compare with,
// never takes these paths.

extension Exact {
  /// `units / 10^scale`, reduced.
  static func fromUnits(_ units: Int128, scale: Int) throws(ArithmeticError) -> Exact {
    if scale == 0 { return Exact(integer: units) }
    if scale <= 18, let small = Int64(exactly: units), small != .min { return Exact(units: small, scale: scale) }
    guard let p = pow10(scale) else { throw .overflow }
    return try Exact(num: units, den: p)
  }
}

/// A condition on one row of a table, read from its columns. Three-valued like `eval`:
/// 0 false, 1 true, 2 undefined (a cell is undefined).
indirect enum RowPredicate {
  /// A kind column's member is (or, negated, is not) one of `set` (indexed by member).
  case members([UInt8], set: [Bool], negated: Bool)
  /// An interned text or country column's value is one of `set`.
  case ids([UInt32], set: [UInt32], negated: Bool)
  /// A plain text column's value is one of `set`.
  case strings([String?], set: [String], negated: Bool)
  /// A text column read in place: the row's bytes are one of `set`.
  case slices([UInt8], [UInt32], set: [[UInt8]], negated: Bool)  // bytes, ends
  /// An amount column compared with `bound` units.
  case units([Int64], op: BinaryOp, bound: Int128)
  case and(RowPredicate, RowPredicate)
  case or(RowPredicate, RowPredicate)
  case not(RowPredicate)
  case constant(UInt8)

  func eval(_ r: Int) -> UInt8 {
    switch self {
    case .members(let column, let set, let negated):
      let m = column[r]
      if m == RecordTable.absentMember { return 2 }
      return set[Int(m)] != negated ? 1 : 0
    case .ids(let column, let set, let negated):
      let id = column[r]
      if id == RecordTable.absentID { return 2 }
      return set.contains(id) != negated ? 1 : 0
    case .strings(let column, let set, let negated):
      guard let s = column[r] else { return 2 }
      return set.contains(s) != negated ? 1 : 0
    case .slices(let bytes, let ends, let set, let negated):
      guard let range = RecordTable.slice(ends, r) else { return 2 }
      let found = set.contains { $0.count == range.count && $0.elementsEqual(bytes[range]) }
      return found != negated ? 1 : 0
    case .units(let column, let op, let bound):
      let u = column[r]
      if u == RecordTable.absentUnits { return 2 }
      let x = Int128(u)
      let holds: Bool
      switch op {
      case .eq: holds = x == bound
      case .ne: holds = x != bound
      case .lt: holds = x < bound
      case .le: holds = x <= bound
      case .gt: holds = x > bound
      default: holds = x >= bound
      }
      return holds ? 1 : 0
    case .and(let a, let b):
      let x = a.eval(r)
      if x == 0 { return 0 }
      let y = b.eval(r)
      if y == 0 { return 0 }
      return y == 1 && x == 1 ? 1 : 2
    case .or(let a, let b):
      let x = a.eval(r)
      if x == 1 { return 1 }
      let y = b.eval(r)
      if y == 1 { return 1 }
      return y == 0 && x == 0 ? 0 : 2
    case .not(let a):
      let x = a.eval(r)
      return x == 2 ? 2 : 1 - x
    case .constant(let c):
      return c
    }
  }

  /// Compiles `t` as a condition on the row bound to `slot`, or nil if it is not of a form
  /// that can be read from the columns without changing the result (or an error).
  static func compile(_ t: TExpr, slot: Int, table: RecordTable, _ ev: inout Evaluator) -> RowPredicate? {
    switch t.kind {
    case .logic(let op, let a, let b):
      guard let x = compile(a, slot: slot, table: table, &ev), let y = compile(b, slot: slot, table: table, &ev) else { return nil }
      return op == .and ? .and(x, y) : op == .or ? .or(x, y) : nil
    case .not(let a):
      return compile(a, slot: slot, table: table, &ev).map { .not($0) }
    case .constant(let v):
      switch v {
      case .bool(let b): return .constant(b ? 1 : 0)
      case .absent: return .constant(2)
      default: return nil
      }
    case .compare(let op, let a, let b):
      if let f = rowField(a, slot, table), let v = pure(b, &ev) { return comparison(op, f, v, table) }
      if let f = rowField(b, slot, table), let v = pure(a, &ev) { return comparison(flip(op), f, v, table) }
      return nil
    case .membership(let negated, let a, let items):
      guard let f = rowField(a, slot, table) else { return nil }
      var values: [Value] = []
      for item in items {
        guard let v = pure(item, &ev) else { return nil }
        values.append(v)
      }
      return oneOf(f, values, negated: negated, table)
    default:
      return nil
    }
  }

  static func flip(_ op: BinaryOp) -> BinaryOp {
    switch op {
    case .lt: .gt
    case .le: .ge
    case .gt: .lt
    case .ge: .le
    default: op
    }
  }

  /// `x.f` for the row bound to `slot`.
  static func rowField(_ t: TExpr, _ slot: Int, _ table: RecordTable) -> Int? {
    guard case .field(let base, let f) = t.kind, case .local(let s) = base.kind, s == slot, f < table.columns.count else { return nil }
    return f
  }

  /// The value of an expression that cannot depend on the row nor fail: a constant, the group's
  /// key, a field of the deal or the snapshot.
  static func pure(_ t: TExpr, _ ev: inout Evaluator) -> Value? {
    func isPure(_ t: TExpr) -> Bool {
      switch t.kind {
      case .constant, .groupKey, .dealRoot, .snapshotRoot: return true
      case .field(let b, _): return isPure(b)
      default: return false
      }
    }
    guard isPure(t) else { return nil }
    return try? ev.eval(t)
  }

  static func comparison(_ op: BinaryOp, _ f: Int, _ v: Value, _ table: RecordTable) -> RowPredicate? {
    if v == .absent { return .constant(2) }
    switch table.columns[f] {
    case .money(let units, let scale, let currency):
      guard case .money(let x, let c) = v, c == currency, [.eq, .ne, .lt, .le, .gt, .ge].contains(op),
        let p = Exact.pow10(scale), let scaled = try? x.multiplied(by: Exact(integer: p)), scaled.isInteger
      else { return nil }
      return .units(units, op: op, bound: scaled.num)
    case .kind, .interned, .text, .slices:
      guard op == .eq || op == .ne else { return nil }
      return oneOf(f, [v], negated: op == .ne, table)
    case .values:
      return nil
    }
  }

  /// Equal to one of `values` (Value equality, as `=` and `in` use for these types).
  static func oneOf(_ f: Int, _ values: [Value], negated: Bool, _ table: RecordTable) -> RowPredicate? {
    switch table.columns[f] {
    case .kind(let k, let members):
      var set = [Bool](repeating: false, count: 256)
      for v in values {
        guard case .kind(let vk, let vm) = v else {
          if case .money = v { return nil }
          if case .duration = v { return nil }
          continue
        }
        if vk == k, vm >= 0, vm < 255 { set[vm] = true }
      }
      return .members(members, set: set, negated: negated)
    case .interned(let ids, _, let index, let country):
      var set: [UInt32] = []
      for v in values {
        switch v {
        case .text(let s) where !country: if let id = index.find(s) { set.append(id) }
        case .country(let s) where country: if let id = index.find(s) { set.append(id) }
        case .money, .duration: return nil
        default: continue
        }
      }
      return .ids(ids, set: set, negated: negated)
    case .text(let strings):
      var set: [String] = []
      for v in values {
        switch v {
        case .text(let s): set.append(s)
        case .money, .duration: return nil
        default: continue
        }
      }
      return .strings(strings, set: set, negated: negated)
    case .slices(let bytes, let ends):
      var set: [[UInt8]] = []
      for v in values {
        switch v {
        case .text(let s): set.append(Array(s.utf8))
        case .money, .duration: return nil
        default: continue
        }
      }
      return .slices(bytes, ends, set: set, negated: negated)
    default:
      return nil
    }
  }
}

/// An aggregate over a table's rows, read from columns: `count`, `sum`, `average` and `share`,
/// of an amount field or of the rows, with a filter `RowPredicate` can express.
struct AggregateKernel {
  let plan: AggregatePlan
  let table: RecordTable
  let units: [Int64]?
  let scale: Int
  let currency: String?
  let filter: RowPredicate?

  init?(_ plan: AggregatePlan, _ table: RecordTable, _ ev: inout Evaluator) throws(EvaluationError) {
    switch plan.function {
    case .count, .sum, .average, .share: break
    default: return nil
    }
    self.plan = plan
    self.table = table
    if let v = plan.value {
      guard let f = RowPredicate.rowField(v, plan.slot, table), case .money(let u, let s, let c) = table.columns[f] else { return nil }
      (units, scale, currency) = (u, s, c)
    } else {
      guard plan.function == .count || plan.function == .share else { return nil }
      (units, scale, currency) = (nil, 0, nil)
    }
    if let f = plan.filter {
      guard let p = RowPredicate.compile(f, slot: plan.slot, table: table, &ev) else { return nil }
      filter = p
    } else {
      filter = nil
    }
  }

  var addsToSum: Bool { plan.function != .count }

  func amount(_ total: Int128, span: SourceSpan) throws(EvaluationError) -> Exact {
    let scale = self.scale
    return try Evaluator.checked(span) { () throws(ArithmeticError) in try Exact.fromUnits(total, scale: scale) }
  }

  func fold(span: SourceSpan) throws(EvaluationError) -> AggregateState {
    var count = 0, wholeCount = 0
    var sum: Int128 = 0, whole: Int128 = 0
    var seen = false
    let share = plan.function == .share, adds = addsToSum
    let n = table.count, filter = self.filter, hasUnits = units != nil
    (units ?? []).withUnsafeBufferPointer { amounts in
      for r in 0..<n {
        var selected = true
        if let p = filter {
          let t = p.eval(r)
          if t == 2 { continue }
          selected = t == 1
        }
        var u: Int64 = 1
        if hasUnits {
          u = amounts[r]
          if u == RecordTable.absentUnits { continue }
          seen = true
        }
        if share {
          wholeCount += 1
          whole += Int128(u)
        }
        guard selected else { continue }
        count += 1
        if adds { sum += Int128(u) }
      }
    }
    var state = AggregateState()
    state.count = count
    state.currency = seen ? currency : nil
    if adds { state.sum = try amount(sum, span: span) }
    if share {
      state.wholeCount = wholeCount
      state.wholeSum = try amount(whole, span: span)
    }
    return state
  }

  /// Totals per value of `field` (a kind or interned column), in one pass; nil for other columns.
  func foldGrouped(field: Int, span: SourceSpan) throws(EvaluationError) -> GroupedState? {
    guard field < table.columns.count else { return nil }
    let slots: Int
    let keys: ColumnGroups.Keys
    var members: [UInt8] = [], ids: [UInt32] = []
    switch table.columns[field] {
    case .kind(let k, let m):
      slots = 256
      keys = .kind(k)
      members = m
    case .interned(let i, let strings, let index, let country):
      slots = strings.count + 1
      keys = .interned(index, country: country)
      ids = i
    default:
      return nil
    }
    let absentSlot = slots - 1
    var sums = [Int128](repeating: 0, count: slots)
    var counts = [Int](repeating: 0, count: slots)
    var seen = [Bool](repeating: false, count: slots)
    var wholeCount = 0, wholeSelected = 0
    var whole: Int128 = 0, wholeSum: Int128 = 0
    var anySeen = false
    let share = plan.function == .share, adds = addsToSum
    let byMember = !members.isEmpty || ids.isEmpty
    let n = table.count, filter = self.filter, hasUnits = units != nil
    let amounts = units ?? []
    // One pass, through raw buffers: the key's slot, then the totals of that slot.
    sums.withUnsafeMutableBufferPointer { sums in
      counts.withUnsafeMutableBufferPointer { counts in
        seen.withUnsafeMutableBufferPointer { seen in
          members.withUnsafeBufferPointer { members in
            ids.withUnsafeBufferPointer { ids in
              amounts.withUnsafeBufferPointer { amounts in
                for r in 0..<n {
                  var selected = true
                  if let p = filter {
                    let t = p.eval(r)
                    if t == 2 { continue }
                    selected = t == 1
                  }
                  var u: Int64 = 1
                  let s: Int
                  if byMember {
                    let m = members[r]
                    s = m == RecordTable.absentMember ? absentSlot : Int(m)
                  } else {
                    let id = ids[r]
                    s = id == RecordTable.absentID ? absentSlot : Int(id)
                  }
                  if hasUnits {
                    u = amounts[r]
                    if u == RecordTable.absentUnits { continue }
                    seen[s] = true
                    anySeen = true
                  }
                  if share {
                    wholeCount += 1
                    whole += Int128(u)
                  }
                  guard selected else { continue }
                  counts[s] += 1
                  wholeSelected += 1
                  if adds {
                    sums[s] += Int128(u)
                    wholeSum += Int128(u)
                  }
                }
              }
            }
          }
        }
      }
    }
    var w = AggregateState()
    if share {
      // As the row-by-row form merges every group: the totals over all of them.
      w.count = wholeSelected
      w.sum = try amount(wholeSum, span: span)
      w.wholeCount = wholeCount
      w.wholeSum = try amount(whole, span: span)
      w.currency = anySeen ? currency : nil
    }
    return GroupedState(whole: w, columnar: ColumnGroups(
      keys: keys, absentSlot: absentSlot, sums: sums, counts: counts, seen: seen, scale: scale, currency: currency,
      addsToSum: adds, hasValue: units != nil))
  }
}

/// Per-group totals over a table column: one slot per kind member or interned value, and one
/// for rows where the key is undefined.
final class ColumnGroups: Sendable {
  enum Keys: Sendable {
    case kind(Int)
    case interned(InternIndex, country: Bool)
  }
  let keys: Keys
  let absentSlot: Int
  let sums: [Int128]
  let counts: [Int]
  let seen: [Bool]
  let scale: Int
  let currency: String?
  let addsToSum: Bool
  let hasValue: Bool

  init(keys: Keys, absentSlot: Int, sums: [Int128], counts: [Int], seen: [Bool], scale: Int, currency: String?, addsToSum: Bool, hasValue: Bool) {
    self.keys = keys
    self.absentSlot = absentSlot
    self.sums = sums
    self.counts = counts
    self.seen = seen
    self.scale = scale
    self.currency = currency
    self.addsToSum = addsToSum
    self.hasValue = hasValue
  }

  func slot(_ key: Value) -> Int? {
    switch key {
    case .absent: return absentSlot
    case .kind(let vk, let m):
      guard case .kind(let k) = keys, vk == k, m >= 0, m < absentSlot else { return nil }
      return m
    case .text(let s):
      guard case .interned(let index, false) = keys else { return nil }
      return index.find(s).map { Int($0) }
    case .country(let s):
      guard case .interned(let index, true) = keys else { return nil }
      return index.find(s).map { Int($0) }
    default: return nil
    }
  }

  func state(for key: Value, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    var state = AggregateState()
    guard let s = slot(key) else { return state }
    state.count = counts[s]
    if hasValue, seen[s] { state.currency = currency }
    if addsToSum {
      let (units, scale) = (sums[s], self.scale)
      state.sum = try Evaluator.checked(span) { () throws(ArithmeticError) in try Exact.fromUnits(units, scale: scale) }
    }
    return state
  }
}

/// `every`/`some`/`no` over a table's rows, read from columns.
struct QuantifierKernel {
  let plan: QuantifierPlan
  let count: Int
  let filter: RowPredicate?
  let body: RowPredicate

  init?(_ plan: QuantifierPlan, _ table: RecordTable, _ ev: inout Evaluator) throws(EvaluationError) {
    guard let b = RowPredicate.compile(plan.body, slot: plan.slot, table: table, &ev) else { return nil }
    if let f = plan.filter {
      guard let p = RowPredicate.compile(f, slot: plan.slot, table: table, &ev) else { return nil }
      filter = p
    } else {
      filter = nil
    }
    self.plan = plan
    self.count = table.count
    self.body = b
  }

  func scan() -> QuantifierState {
    var q = QuantifierState()
    let every = plan.quantifier == .every, some = plan.quantifier == .some
    // The common form, `every x in list: x.f = CONSTANT` on an interned column, without a filter:
    // one comparison of numbers per row.
    if filter == nil, case .ids(let column, let set, let negated) = body, set.count <= 1 {
      let target = set.first ?? RecordTable.absentID
      column.withUnsafeBufferPointer { column in
        for r in 0..<count {
          let id = column[r]
          q.examined += 1
          if id == RecordTable.absentID {
            q.noteUndefined(r)
            continue
          }
          let holds = (id == target) != negated
          if holds { q.matching += 1 }
          if (every ? !holds : holds) && !some {
            q.offending += 1
            if q.offenders.count < QuantifierState.maxOffenders { q.offenders.append(r) }
          }
        }
      }
      return q
    }
    for r in 0..<count {
      if let f = filter, f.eval(r) != 1 { continue }
      q.examined += 1
      let b = body.eval(r)
      if b == 2 {
        q.noteUndefined(r)
        continue
      }
      let holds = b == 1
      if holds { q.matching += 1 }
      if (every ? !holds : holds) && !some {
        q.offending += 1
        if q.offenders.count < QuantifierState.maxOffenders { q.offenders.append(r) }
      }
    }
    return q
  }
}

extension RecordTable {
  /// The distinct defined values of a kind or text column, in `Evaluator.keyOrder`; nil for
  /// other columns.
  func distinctValues(_ field: Int) -> [Value]? {
    guard field < columns.count else { return nil }
    switch columns[field] {
    case .kind(let k, let members):
      var present = [Bool](repeating: false, count: 256)
      for m in members { present[Int(m)] = true }
      return (0..<255).filter { present[$0] }.map { .kind(k, $0) }
    case .interned(let ids, let strings, let index, let country):
      var present = [Bool](repeating: false, count: strings.count)
      for id in ids where id != RecordTable.absentID { present[Int(id)] = true }
      return Self.sortedByBytes(index.count, present) { index.bytes($0) }.map { country ? .country(strings[$0]) : .text(strings[$0]) }
    case .slices(let bytes, let ends):
      var index = InternIndex()
      bytes.withUnsafeBufferPointer { p in
        for row in ends.indices {
          if let range = RecordTable.slice(ends, row) { _ = index.insert(UnsafeBufferPointer(rebasing: p[range])) }
        }
      }
      return Self.sortedByBytes(index.count, [Bool](repeating: true, count: index.count)) { index.bytes($0) }
        .map { .text(String(decoding: index.bytes($0), as: UTF8.self)) }
    case .text(let column):
      var index = InternIndex()
      for s in column { if let s { _ = index.insert(s) } }
      return Self.sortedByBytes(index.count, [Bool](repeating: true, count: index.count)) { index.bytes($0) }
        .map { .text(String(decoding: index.bytes($0), as: UTF8.self)) }
    default:
      return nil
    }
  }

  /// The numbers of the present values in byte order: a radix sort on their first 16 bytes read
  /// as a 128-bit integer (only on the digits where the values differ), then the rare ties
  /// (longer texts sharing those bytes) by all bytes.
  static func sortedByBytes(_ count: Int, _ present: [Bool], _ bytes: (Int) -> ArraySlice<UInt8>) -> [Int] {
    struct Key {
      var hi: UInt64, lo: UInt64, index: Int32
    }
    var keys: [Key] = []
    keys.reserveCapacity(count)
    var orHi: UInt64 = 0, andHi = UInt64.max, orLo: UInt64 = 0, andLo = UInt64.max
    for i in 0..<count where present[i] {
      var hi: UInt64 = 0, lo: UInt64 = 0
      bytes(i).withUnsafeBufferPointer { b in
        for n in 0..<min(b.count, 16) {
          if n < 8 { hi |= UInt64(b[n]) << (56 - 8 * UInt64(n)) } else { lo |= UInt64(b[n]) << (56 - 8 * UInt64(n - 8)) }
        }
      }
      (orHi, andHi, orLo, andLo) = (orHi | hi, andHi & hi, orLo | lo, andLo & lo)
      keys.append(Key(hi: hi, lo: lo, index: Int32(i)))
    }
    if keys.count > 64 {
      // LSD radix sort, 16 bits at a time, only on the digits where some keys differ.
      var other = keys
      var counts = [Int](repeating: 0, count: 65_536)
      for pass in 0..<8 {
        let high = pass >= 4
        let shift = UInt64((pass % 4) * 16)
        let varying = high ? (orHi ^ andHi) : (orLo ^ andLo)
        if (varying >> shift) & 0xFFFF == 0 { continue }
        keys.withUnsafeBufferPointer { src in
          other.withUnsafeMutableBufferPointer { dst in
            counts.withUnsafeMutableBufferPointer { counts in
              for j in 0..<counts.count { counts[j] = 0 }
              for k in src { counts[Int(truncatingIfNeeded: ((high ? k.hi : k.lo) >> shift) & 0xFFFF)] += 1 }
              var total = 0
              for j in 0..<counts.count {
                let c = counts[j]
                counts[j] = total
                total += c
              }
              for k in src {
                let d = Int(truncatingIfNeeded: ((high ? k.hi : k.lo) >> shift) & 0xFFFF)
                dst[counts[d]] = k
                counts[d] += 1
              }
            }
          }
        }
        swap(&keys, &other)
      }
      // Ties on the first 16 bytes: order those runs by all their bytes.
      var i = 0
      while i < keys.count {
        var j = i + 1
        while j < keys.count, keys[j].hi == keys[i].hi, keys[j].lo == keys[i].lo { j += 1 }
        if j - i > 1 { keys[i..<j].sort { bytes(Int($0.index)).lexicographicallyPrecedes(bytes(Int($1.index))) } }
        i = j
      }
    } else {
      keys.sort { a, b in
        if a.hi != b.hi { return a.hi < b.hi }
        if a.lo != b.lo { return a.lo < b.lo }
        return bytes(Int(a.index)).lexicographicallyPrecedes(bytes(Int(b.index)))
      }
    }
    return keys.map { Int($0.index) }
  }
}
