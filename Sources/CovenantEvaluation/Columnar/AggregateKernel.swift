import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning

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
      guard let p = RowPredicate.compile(f, slot: plan.slot, table: table, value: { try? ev.eval($0) }) else { return nil }
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
  /// `order`: the numbers of an interned column's distinct values in key order (`distinctIDs`),
  /// when known: the totals are then kept in that order, so that a `for each` reading its groups
  /// in key order reads them one after another (917k issuers: a cache miss per group otherwise).
  func foldGrouped(field: Int, order: [UInt32]? = nil, span: SourceSpan) throws(EvaluationError) -> GroupedState? {
    guard field < table.columns.count else { return nil }
    let slots: Int
    let keys: ColumnGroups.Keys
    var members: [UInt8] = [], ids: [UInt32] = []
    var rank: [UInt32]? = nil
    switch table.columns[field] {
    case .kind(let k, let m):
      slots = 256
      keys = .kind(k)
      members = m
    case .interned(let i, let strings, let index, let country):
      slots = strings.count + 1
      keys = .interned(index, country: country)
      ids = i
      if let order, order.count <= strings.count {
        // Each value's slot: its place in `order`, then the values not in it (none in practice).
        var r = [UInt32](repeating: UInt32.max, count: strings.count)
        var valid = true
        for (n, id) in order.enumerated() {
          guard Int(id) < r.count, r[Int(id)] == UInt32.max else {
            valid = false
            break
          }
          r[Int(id)] = UInt32(n)
        }
        if valid {
          var next = UInt32(order.count)
          for id in r.indices where r[id] == UInt32.max {
            r[id] = next
            next += 1
          }
          rank = r
        }
      }
    default:
      return nil
    }
    let absentSlot = slots - 1
    // One record per slot (sum, count, seen): a group's totals are one cache line apart from the
    // next group's, not three (917k issuers are looked up in key order, at random slots).
    var totals = [ColumnGroups.Slot](repeating: ColumnGroups.Slot(), count: slots)
    var wholeCount = 0, wholeSelected = 0
    var whole: Int128 = 0, wholeSum: Int128 = 0
    var anySeen = false
    let share = plan.function == .share, adds = addsToSum
    let byMember = !members.isEmpty || ids.isEmpty
    let n = table.count, filter = self.filter, hasUnits = units != nil
    let amounts = units ?? []
    let ranked = rank != nil, ranks = rank ?? []
    // One pass, through raw buffers: the key's slot, then the totals of that slot.
    totals.withUnsafeMutableBufferPointer { totals in
          members.withUnsafeBufferPointer { members in
            ids.withUnsafeBufferPointer { ids in
              ranks.withUnsafeBufferPointer { ranks in
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
                    s = id == RecordTable.absentID ? absentSlot : ranked ? Int(ranks[Int(id)]) : Int(id)
                  }
                  if hasUnits {
                    u = amounts[r]
                    if u == RecordTable.absentUnits { continue }
                    totals[s].seen = true
                    anySeen = true
                  }
                  if share {
                    wholeCount += 1
                    whole += Int128(u)
                  }
                  guard selected else { continue }
                  totals[s].count += 1
                  wholeSelected += 1
                  if adds {
                    totals[s].sum += Int128(u)
                    wholeSum += Int128(u)
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
      keys: keys, absentSlot: absentSlot, totals: totals, scale: scale, currency: currency,
      addsToSum: adds, hasValue: units != nil, table: table, field: field, order: rank == nil ? nil : order, rank: rank))
  }
}

/// A `for each` group's key as a number: `id` in the interned column `field` of `table`, the
/// column its keys were read from.
struct GroupKeyHint {
  let table: RecordTable
  let field: Int
  let id: UInt32
  /// The key's place in the `for each`'s keys (the order of `distinctIDs`).
  let position: Int
}

/// Per-group totals over a table column: one slot per kind member or interned value, and one
/// for rows where the key is undefined.
final class ColumnGroups: Sendable {
  enum Keys: Sendable {
    case kind(Int)
    case interned(InternIndex, country: Bool)
  }
  let keys: Keys
  /// A slot's totals: the sum of its amounts, how many rows, and whether any had an amount.
  struct Slot {
    var sum: Int128 = 0
    var count = 0
    var seen = false
  }
  let absentSlot: Int
  let totals: [Slot]
  let scale: Int
  let currency: String?
  let addsToSum: Bool
  let hasValue: Bool
  /// The column the totals are of (`table.columns[field]`).
  let table: RecordTable?
  let field: Int
  /// When the slots of an interned column are in key order: the numbers of its values in that
  /// order, and each number's slot.
  let order: [UInt32]?
  let rank: [UInt32]?

  init(
    keys: Keys, absentSlot: Int, totals: [Slot], scale: Int, currency: String?, addsToSum: Bool, hasValue: Bool,
    table: RecordTable? = nil, field: Int = -1, order: [UInt32]? = nil, rank: [UInt32]? = nil
  ) {
    self.table = table
    self.field = field
    self.order = order
    self.rank = rank
    self.keys = keys
    self.absentSlot = absentSlot
    self.totals = totals
    self.scale = scale
    self.currency = currency
    self.addsToSum = addsToSum
    self.hasValue = hasValue
  }

  /// `hint`: the key's number in the interned column it was read from (a `for each` over this
  /// very column): its slot, without hashing the text.
  func slot(_ key: Value, hint: GroupKeyHint? = nil) -> Int? {
    if let h = hint, let t = table, h.table === t, h.field == field, case .interned = keys {
      if let order, let rank {
        // The `for each`'s keys are in the slots' order: the key's place is its slot.
        if h.position >= 0, h.position < order.count, order[h.position] == h.id { return h.position }
        if Int(h.id) < rank.count { return Int(rank[Int(h.id)]) }
      } else if Int(h.id) < absentSlot {
        return Int(h.id)
      }
    }
    /// The slot of value number `id`.
    func slotOf(_ id: UInt32) -> Int { rank.map { Int($0[Int(id)]) } ?? Int(id) }
    switch key {
    case .absent: return absentSlot
    case .kind(let vk, let m):
      guard case .kind(let k) = keys, vk == k, m >= 0, m < absentSlot else { return nil }
      return m
    case .text(let s):
      guard case .interned(let index, false) = keys else { return nil }
      return index.find(s).map(slotOf)
    case .country(let s):
      guard case .interned(let index, true) = keys else { return nil }
      return index.find(s).map(slotOf)
    default: return nil
    }
  }

  func state(for key: Value, hint: GroupKeyHint? = nil, span: SourceSpan) throws(EvaluationError) -> AggregateState {
    var state = AggregateState()
    guard let s = slot(key, hint: hint) else { return state }
    let t = totals[s]
    state.count = t.count
    if hasValue, t.seen { state.currency = currency }
    if addsToSum {
      let (units, scale) = (t.sum, self.scale)
      state.sum = try Evaluator.checked(span) { () throws(ArithmeticError) in try Exact.fromUnits(units, scale: scale) }
    }
    return state
  }
}
