import Synchronization
import CovenantValues
import CovenantSyntax
import CovenantSemantics

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

  func state(for key: Value, hint: GroupKeyHint? = nil, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    if let c = columnar { return try c.state(for: key, hint: hint, span: span) }
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
      var groupKeyIDs: [String: (table: RecordTable, ids: [UInt32])] = [:]
      var columnOrders: [(table: RecordTable, field: Int, ids: [UInt32])] = []
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
  func groupKeyIDs(_ key: String) -> (table: RecordTable, ids: [UInt32])? { store.tables.withLock { $0.groupKeyIDs[key] } }
  func setGroupKeyIDs(_ key: String, _ k: (table: RecordTable, ids: [UInt32])) { store.tables.withLock { $0.groupKeyIDs[key] = k } }
  /// The numbers of the distinct values of an interned column in key order (`distinctIDs`), once
  /// a `for each` has read them: totals over that column are then kept in that order.
  func columnOrder(_ table: RecordTable, _ field: Int) -> [UInt32]? {
    store.tables.withLock { $0.columnOrders.first { $0.table === table && $0.field == field }?.ids }
  }
  func setColumnOrder(_ table: RecordTable, _ field: Int, _ ids: [UInt32]) {
    store.tables.withLock { t in
      if !t.columnOrders.contains(where: { $0.table === table && $0.field == field }) { t.columnOrders.append((table, field, ids)) }
    }
  }
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
