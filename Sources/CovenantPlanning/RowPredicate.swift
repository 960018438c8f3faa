import CovenantValues
import CovenantSyntax
import CovenantSemantics

/// A condition on one row of a table, read from its columns: the plan of a `where` filter or a
/// quantifier's body that the evaluator's columnar kernels run instead of evaluating the
/// expression row by row. Three-valued like the evaluator: 0 false, 1 true, 2 undefined (a cell
/// is undefined).
package indirect enum RowPredicate {
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
}

extension RowPredicate {
  /// Compiles `t` as a condition on the row bound to `slot`, or nil if it is not of a form
  /// that can be read from the columns without changing the result (or an error).
  /// `value` evaluates a part that does not depend on the row (see `pure`); nil when it fails.
  package static func compile(_ t: TExpr, slot: Int, table: RecordTable, value: (TExpr) -> Value?) -> RowPredicate? {
    switch t.kind {
    case .logic(let op, let a, let b):
      guard let x = compile(a, slot: slot, table: table, value: value), let y = compile(b, slot: slot, table: table, value: value) else { return nil }
      return op == .and ? .and(x, y) : op == .or ? .or(x, y) : nil
    case .not(let a):
      return compile(a, slot: slot, table: table, value: value).map { .not($0) }
    case .constant(let v):
      switch v {
      case .bool(let b): return .constant(b ? 1 : 0)
      case .absent: return .constant(2)
      default: return nil
      }
    case .compare(let op, let a, let b):
      if let f = rowField(a, slot, table), let v = pure(b, value) { return comparison(op, f, v, table) }
      if let f = rowField(b, slot, table), let v = pure(a, value) { return comparison(flip(op), f, v, table) }
      return nil
    case .membership(let negated, let a, let items):
      guard let f = rowField(a, slot, table) else { return nil }
      var values: [Value] = []
      for item in items {
        guard let v = pure(item, value) else { return nil }
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
  package static func rowField(_ t: TExpr, _ slot: Int, _ table: RecordTable) -> Int? {
    guard case .field(let base, let f) = t.kind, case .local(let s) = base.kind, s == slot, f < table.columns.count else { return nil }
    return f
  }

  /// The value of an expression that cannot depend on the row nor fail: a constant, the group's
  /// key, a field of the deal or the snapshot.
  static func pure(_ t: TExpr, _ value: (TExpr) -> Value?) -> Value? {
    func isPure(_ t: TExpr) -> Bool {
      switch t.kind {
      case .constant, .groupKey, .dealRoot, .snapshotRoot: return true
      case .field(let b, _): return isPure(b)
      default: return false
      }
    }
    guard isPure(t) else { return nil }
    return value(t)
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
