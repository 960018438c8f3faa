import CovenantValues
import CovenantEvaluation

/// The words of a consent source's reason: evaluation says what happened
/// (`ConsentOutcome.Reason`), the report says it in English, the same in every format.
public enum ConsentWording {
  public static func reason(_ r: ConsentOutcome.Reason) -> String {
    switch r {
    case .noDeal: "no deal given"
    case .flag(let text, true?): "`\(text)` is true"
    case .flag(let text, false?): "`\(text)` is false"
    case .flag(let text, nil): "`\(text)` is missing"
    case .tally(let line): line.map(GovernanceWording.line) ?? ""
    case .noVote(let body): "no deal given, so no vote of \(body)"
    case .noneRecorded(let clause): "none recorded for §\(clause)"
    case .given(let granted, let expires, let deal):
      "given" + (granted.map { " \($0)" } ?? "") + (expires.map { ", until \($0)" } ?? "") + (deal.map { ", for deal \($0)" } ?? "")
    case .notCovering(let p): problem(p)
    case .notNamedBody(let body, let clause, let named):
      "\(body) is not a body whose consent lifts §\(clause)" + (named.isEmpty ? "" : " (\(named.joined(separator: ", ")))")
    }
  }

  /// Who gave a consent: `a vote of lpac (majority of lpac)`, `` `deal.gp_consent` ``, or the
  /// recorded consent.
  public static func who(_ by: ConsentOutcome.Source) -> String {
    by.kind == .vote ? "a vote of \(by.body ?? "") (\(by.description))" : by.kind == .flag ? "`\(by.description)`" : by.description
  }

  static func problem(_ p: ConsentOutcome.RecordProblem) -> String {
    func which(_ d: ConsentOutcome.RecordProblem.DateOf) -> String { d == .deal ? "the deal's date" : "the snapshot's as-of date" }
    return switch p {
    case .forDealNoneChecked(let d): "given for deal \(d), and no deal is being checked"
    case .forDealNoReference(let d): "given for deal \(d), and this deal has no reference to compare"
    case .forOtherDeal(let d, let this): "given for deal \(d), not this deal \(this)"
    case .noDate: "no deal date or as-of date to test its dates against"
    case .grantedAfter(let g, let d, let date): "given \(g), after \(which(d)) \(date)"
    case .expiredBefore(let e, let d, let date): "expired \(e), before \(which(d)) \(date)"
    }
  }
}
