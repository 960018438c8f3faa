import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning

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

extension RowPredicate {
  /// The predicate on row `r`: 0 false, 1 true, 2 undefined.
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
}
