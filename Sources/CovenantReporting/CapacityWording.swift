import CovenantValues
import CovenantEvaluation

/// The words of why a clause's largest compliant amount or the covenant's capacity was not
/// found: evaluation says what could not be solved (`Unsolvable`, `Capacity.Reason`), the
/// report says it in English, the same in every format.
public enum CapacityWording {
  public static func reason(_ r: Capacity.Reason) -> String {
    switch r {
    case .unsolved(let clause, let why): "§\(clause): \(unsolvable(why))"
    case .breachedAtEveryAmount(let clause): "§\(clause) is breached at every deal amount"
    case .noneWithEarlierClauses(let clause): "no deal amount satisfies §\(clause) together with the clauses before it"
    case .noWholeCentAmount: "no whole-cent deal amount complies"
    case .didNotVerify: "the solution did not verify (a clause's figures change form between the amounts sampled)"
    }
  }

  public static func unsolvable(_ u: Unsolvable) -> String {
    switch u {
    case .notACapOrFloor(let p): "\(part(p)) depends on the deal amount but is not a cap or floor on an amount, a sum or a share"
    case .form(let p, let f): "\(part(p)) \(form(f)), so its dependence on the deal amount cannot be solved exactly"
    case .undefinedAtSomeAmounts(let p): "the figures of \(part(p)) are undefined at some amounts"
    case .notSteady(let p):
      "the figures of \(part(p)) are not a sum, share or ratio that moves steadily with the deal amount (a maximum, a minimum or a threshold)"
    case .twoShares(let p): "\(part(p)) compares two shares of the deal amount, which is not linear in it"
    case .tooLarge(let bits): "its figures are too large to solve exactly (beyond \(bits) bits)"
    case .boundDidNotVerify:
      "the figures change form between the amounts sampled (a threshold, a maximum or a minimum), so the solution did not verify"
    case .disapplicationParts(let n): "the clauses that can disapply it start and stop applying at more than \(n) amounts"
    case .error(let text): text
    }
  }

  static func part(_ p: Unsolvable.Part) -> String {
    switch p {
    case .requirement(let s): "its requirement `\(s)`"
    case .condition(let s): "its condition `\(s)`"
    case .exceptionCondition(let s): "its exception's condition `\(s)`"
    }
  }

  static func form(_ f: Unsolvable.Form) -> String {
    switch f {
    case .product: "multiplies two figures that both move with the deal amount"
    case .threshold: "selects holdings by a figure that moves with the deal amount (a threshold)"
    case .aggregateExtremum(let max): "takes the \(max ? "max" : "min")imum of figures that move with the deal amount"
    case .quantifier: "is a condition on each holding that moves with the deal amount"
    case .trailing: "is a figure over the most recent dated periods of a list the deal joins"
    case .extremum(let max): "takes the \(max ? "max" : "min")imum of values that move with the deal amount"
    case .conditional: "chooses between figures by a condition that may move with the deal amount"
    case .condition: "is a condition that moves with the deal amount"
    }
  }
}

extension Capacity {
  /// Why there is no amount or it was not computed, worded (`CapacityWording.reason`).
  public var reason: String? { why.map(CapacityWording.reason) }
}

extension ConsentOutcome.Source {
  /// `majority in interest of lps`, `consent LC-7 of lpac on file`, `deal.gp_consent`.
  public var description: String {
    written ?? "consent" + (id.map { " \($0)" } ?? "") + " of \(body ?? "") on file"
  }
}
