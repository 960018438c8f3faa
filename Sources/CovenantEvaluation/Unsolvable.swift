/// Why a clause's largest compliant amount (or the covenant's capacity) was not solved, as a
/// fact: which part of the clause, and what about its form. Worded by CovenantReporting
/// (`CapacityWording`).
public enum Unsolvable: Hashable, Sendable {
  /// The part of a clause that could not be solved, as written.
  public enum Part: Hashable, Sendable {
    case requirement(String)
    /// An `applies when` condition.
    case condition(String)
    /// The condition of a prevailing clause's exception.
    case exceptionCondition(String)
  }
  /// A figure's form that moves with the deal amount and is not a sum, share or ratio of it.
  public enum Form: Hashable, Sendable {
    /// Two factors that both move with the amount.
    case product
    /// A filter or key that moves with the amount.
    case threshold
    /// `max of`/`min of` over figures that move (`max: false` for min).
    case aggregateExtremum(max: Bool)
    case quantifier
    case trailing
    /// `max(…)`/`min(…)` of values that move.
    case extremum(max: Bool)
    case conditional
    case condition
  }
  case notACapOrFloor(Part)
  case form(Part, Form)
  case undefinedAtSomeAmounts(Part)
  case notSteady(Part)
  case twoShares(Part)
  /// Figures beyond the exact numbers' size limit (bits).
  case tooLarge(bits: Int)
  /// The bound found did not hold at its amount or a cent above.
  case boundDidNotVerify
  /// The clauses that can disapply it start and stop applying at more than this many amounts.
  case disapplicationParts(Int)
  /// An error of the arithmetic, as it describes itself.
  case error(String)
}
