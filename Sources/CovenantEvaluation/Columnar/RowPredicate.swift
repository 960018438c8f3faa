import CovenantValues
import CovenantSyntax
import CovenantSemantics

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
