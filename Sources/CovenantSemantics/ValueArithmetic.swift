import CovenantValues
import CovenantSyntax

/// What `+`, `-`, `*` and `/` do to values (numbers, amounts, dates, durations): one definition,
/// used by the checker to fold fixed figures (`2/3`, `$10 billion * 2`) and by the evaluator.
public enum ValueArithmetic {
  public enum Failure: Error, Hashable, Sendable {
    case arithmetic(ArithmeticError)
    /// Amounts in two currencies combined without converting.
    case currencyMix(String, String)
    /// A date or duration out of range (`"date"`, `"duration"`).
    case outOfRange(String)
  }

  /// `.absent` when either side is undefined or the operator does not apply to these values.
  public static func apply(_ op: BinaryOp, _ x: Value, _ y: Value) throws(Failure) -> Value {
    func num(_ f: () throws(ArithmeticError) -> Exact) throws(Failure) -> Exact {
      do throws(ArithmeticError) { return try f() } catch { throw .arithmetic(error) }
    }
    switch (op, x, y) {
    case (_, .absent, _), (_, _, .absent): return .absent
    case (.add, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.adding(b) })
    case (.sub, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.subtracting(b) })
    case (.mul, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.multiplied(by: b) })
    case (.div, .number(let a), .number(let b)): return .number(try num { () throws(ArithmeticError) in try a.divided(by: b) })
    case (.add, .money(let a, let c), .money(let b, let d)), (.sub, .money(let a, let c), .money(let b, let d)):
      if c != d { throw .currencyMix(c, d) }
      return .money(try num { () throws(ArithmeticError) in op == .add ? try a.adding(b) : try a.subtracting(b) }, currency: c)
    case (.mul, .money(let a, let c), .number(let b)), (.mul, .number(let b), .money(let a, let c)):
      return .money(try num { () throws(ArithmeticError) in try a.multiplied(by: b) }, currency: c)
    case (.div, .money(let a, let c), .number(let b)):
      return .money(try num { () throws(ArithmeticError) in try a.divided(by: b) }, currency: c)
    case (.div, .money(let a, let c), .money(let b, let d)):
      if c != d { throw .currencyMix(c, d) }
      return .number(try num { () throws(ArithmeticError) in try a.divided(by: b) })
    case (.add, .date(let d), .duration(let p)), (.add, .duration(let p), .date(let d)):
      guard let r = d.adding(p) else { throw .outOfRange("date") }
      return .date(r)
    case (.sub, .date(let d), .duration(let p)):
      guard let n = p.negated, let r = d.adding(n) else {
        throw .outOfRange("date")
      }
      return .date(r)
    case (.sub, .date(let a), .date(let b)):
      return .duration(Duration(days: daysBetween(b, a)))
    case (.add, .duration(let a), .duration(let b)):
      guard let r = a.adding(b) else { throw .outOfRange("duration") }
      return .duration(r)
    case (.sub, .duration(let a), .duration(let b)):
      guard let n = b.negated, let r = a.adding(n) else { throw .outOfRange("duration") }
      return .duration(r)
    default:
      return .absent
    }
  }
}
