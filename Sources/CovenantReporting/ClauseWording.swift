import CovenantValues
import CovenantSemantics
import CovenantEvaluation

/// The words of what a clause's result says of itself: evaluation returns facts (`ClauseNote`,
/// `Disapplication`, `ExceptionOutcome`, `Precedence`, `ClauseEvaluation.Undefined`), the
/// report says them in English, the same in every format.
public enum ClauseWording {
  /// A clause's note: its notes joined by `; `; a disapplied clause's reason first, its own
  /// notes after it in parentheses. nil when it has none.
  public static func note(_ r: ClauseResult) -> String? {
    let own = r.notes.isEmpty ? nil : r.notes.map(note).joined(separator: "; ")
    guard let d = r.disapplied else { return own }
    let had = d.verdictHadItApplied
    return "disapplied: " + reason(d) + (had == .notApplicable ? "" : "; had it applied: \(had.rawValue)") + (own.map { " (\($0))" } ?? "")
  }

  public static func note(_ n: ClauseNote) -> String {
    switch n {
    case .noAsOfDate: return "the snapshot has no as-of date"
    case .notYetEffective(let from, let asOf): return "not yet effective: from \(from) (snapshot as of \(asOf))"
    case .noLongerInForce(let until, let asOf): return "no longer in force: until \(until) (snapshot as of \(asOf))"
    case .needsDeal: return "applies to a proposed deal; none given"
    case .proFormaWithoutDeal: return "tested on the pro forma portfolio; no deal given"
    case .reportsOnly: return "reports figures; it has no requirement to check"
    case .conditionFalse(let c):
      let because = values(c.values)
      return "does not apply: the condition `applies when \(c.condition)` is false" + (because.isEmpty ? "" : " (\(because))")
    case .conditionUndefined(let c): return "cannot tell whether it applies: `" + c + "` is undefined"
    case .exceptions(let xs): return exceptionNote(xs)
    case .consentsWithoutException(let consents, let clause):
      let which = consents.map { "consent" + ($0.id.map { " \($0)" } ?? "") + " of \($0.body)" }.joined(separator: ", ")
      return "\(which) on file has no effect: §\(clause) has no consent exception"
    case .noConsentQualifies: return "no consent qualifies to lift it"
    case .consentNotNeededWithinLimit(let by): return "consent given by \(ConsentWording.who(by)), not needed: within the limit before it is lifted"
    case .limitLifted(let to, let by): return "limit lifted to \(to ?? "the higher limit") by consent given by \(ConsentWording.who(by))"
    case .consentNotNeeded(let by): return "consent given by \(ConsentWording.who(by)), not needed"
    case .liftedByConsent(let by): return "does not apply: consent given by \(ConsentWording.who(by))"
    case .waiverNotEffective(let w, let why):
      let by = w.approvedBy.joined(separator: ", ")
      return "\(waiverName(w)) (approved by \(by.isEmpty ? "nobody" : by)) not effective: \(waiverProblem(why))"
    case .waiverNotNeeded(let w):
      return "\(waiverName(w)) (approved by \(w.approvedBy.joined(separator: ", "))) in effect, not needed"
    case .waived(let w):
      return "waived" + (w.id.map { " (\($0))" } ?? "") + " by \(w.approvedBy.joined(separator: ", "))" + (w.granted.map { " from \($0)" } ?? "")
        + (w.expires.map { " until \($0)" } ?? "")
    }
  }

  static func waiverName(_ w: ClauseNote.WaiverOnFile) -> String { "waiver" + (w.id.map { " \($0)" } ?? "") + " on file" }

  static func waiverProblem(_ p: ClauseNote.WaiverProblem) -> String {
    func which(_ d: ConsentOutcome.RecordProblem.DateOf) -> String { d == .deal ? "the deal's date" : "the snapshot's as-of date" }
    return switch p {
    case .noWaiverProvision(let clause): "§\(clause) has no waiver provision"
    case .needs(let missing): "it also needs \(missing.map(GovernanceWording.missing).joined(separator: ", "))"
    case .noDate: "no deal date or as-of date to test its dates against"
    case .grantedAfter(let g, let d, let date): "granted \(g), after \(which(d)) \(date)"
    case .expiredBefore(let e, let d, let date): "expired \(e), before \(which(d)) \(date)"
    }
  }

  /// Why a clause was disapplied: the clause that prevails, and its exception in effect.
  public static func reason(_ d: Disapplication) -> String {
    let titled = d.clause + (d.title.map { " (\($0))" } ?? "")
    if let x = d.exception { return "exception \(titled) is in effect: \(conditionWithValues(x)) holds" }
    return "\(titled) applies, notwithstanding \(d.disappliedClause)"
  }

  /// What an exception-only clause says of itself: which clauses it lifts, and why or why not.
  public static func exceptionNote(_ xs: [ExceptionOutcome]) -> String {
    xs.map { x in
      let list = andList(x.clauses)
      let verb = x.clauses.count == 1 ? "does" : "do"
      let applies = x.clauses.count == 1 ? "applies" : "apply"
      switch x.holds {
      case true?: return "exception in effect: \(list) \(verb) not apply, as \(conditionWithValues(x)) holds"
      case false?: return "exception not in effect: \(conditionWithValues(x)) is false, so \(list) \(applies) as written"
      case nil: return "exception not in effect: \(conditionWithValues(x)) is undefined for this data, so \(list) \(applies) as written"
      }
    }.joined(separator: "; ")
  }

  /// `deal.board_waiver = true (deal.board_waiver is true)`
  public static func conditionWithValues(_ x: ExceptionOutcome) -> String {
    let v = values(x.values)
    return "`\(x.condition)`" + (v.isEmpty ? "" : " (\(v))")
  }

  /// `share of holdings.value where sector = deal.sector > 30% (share of … is ≈35.58%)`.
  public static func applies(_ c: ConditionValues) -> String {
    let because = values(c.values)
    return c.condition + (because.isEmpty ? "" : " (\(because))")
  }

  /// `deal.board_waiver is true, fund.nav is $1,000,000`.
  public static func values(_ vs: [ShownValue]) -> String {
    vs.map { "\($0.expression) is \($0.value)" }.joined(separator: ", ")
  }

  static func andList(_ items: [String]) -> String {
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
  }

  /// `subject to §4.2(a) (Sector concentration), which is in breach`
  public static func precedence(_ p: Precedence) -> String {
    let which: String
    switch p.verdict {
    case .pass: which = "which passes"
    case .warning: which = "which passes with a warning"
    case .breach: which = "which is in breach"
    case .waived: which = "which is waived"
    case .notApplicable: which = "which does not apply"
    case .disapplied: which = "which is disapplied"
    }
    return "subject to \(p.clause)" + (p.title.map { " (\($0))" } ?? "") + ", " + which
  }

  /// Why an evaluation has no verdict for want of figures.
  public static func undefined(_ u: ClauseEvaluation.Undefined) -> String {
    switch u {
    case .allFigures: "its figures are undefined for this data (e.g. nothing matched)"
    case .requirement(let requirement, let group):
      "not every requirement could be evaluated: `\(requirement.text)`\(group.map { " (\($0.text))" } ?? "") is undefined for this data"
    }
  }
}

extension ClauseResult {
  /// The clause's note, worded (`ClauseWording.note`).
  public var note: String? { ClauseWording.note(self) }
}

extension ClauseEvaluation {
  /// Why the evaluation is not applicable for want of figures, worded.
  public var note: String? { undefined.map(ClauseWording.undefined) }
}

extension Disapplication {
  /// The sentence the report shows (`ClauseWording.reason`).
  public var reason: String { ClauseWording.reason(self) }
}

extension Precedence {
  /// `subject to §4.2(a) (Sector concentration), which is in breach`
  public var text: String { ClauseWording.precedence(self) }
}
