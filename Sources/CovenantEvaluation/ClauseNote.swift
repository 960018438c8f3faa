import CovenantValues
import CovenantSemantics

/// A part of a condition as written and the value it showed, as `Format` displays it
/// (`deal.board_waiver`, `true`). CovenantReporting words the pair (`deal.board_waiver is true`).
public struct ShownValue: Hashable, Sendable {
  public var expression: String
  public var value: String
  public init(expression: String, value: String) {
    self.expression = expression
    self.value = value
  }
}

/// A condition as written (on one line) with the values it compared.
public struct ConditionValues: Hashable, Sendable {
  public var condition: String
  public var values: [ShownValue]
}

/// What a clause's result says of itself besides its figures, as facts: why it does not apply,
/// a consent or waiver on file and what it did, the exceptions it makes. Worded by
/// CovenantReporting (`ClauseWording.note`), in the order they were found, in every format.
public enum ClauseNote: Hashable, Sendable {
  /// The clause has dates and the snapshot has no as-of date.
  case noAsOfDate
  case notYetEffective(from: CalendarDate, asOf: CalendarDate)
  case noLongerInForce(until: CalendarDate, asOf: CalendarDate)
  /// The clause reads the deal and none was given.
  case needsDeal
  /// The clause is tested on the pro forma portfolio and no deal was given.
  case proFormaWithoutDeal
  /// The clause only reports figures.
  case reportsOnly
  /// An `applies when` condition is false (with the values it compared), or undefined.
  case conditionFalse(ConditionValues)
  case conditionUndefined(String)
  /// An exception-only clause: which clauses it lifts, and why or why not.
  case exceptions([ExceptionOutcome])
  /// Consents on file for a clause without a consent exception (each: its id and body).
  case consentsWithoutException(consents: [RecordedConsent], clause: String)
  case noConsentQualifies
  /// A consent was given (by the source) but the clause was within its limit before it is lifted.
  case consentNotNeededWithinLimit(by: ConsentOutcome.Source)
  /// The limit was lifted (to the higher limit as written) by a consent.
  case limitLifted(to: String?, by: ConsentOutcome.Source)
  case consentNotNeeded(by: ConsentOutcome.Source)
  /// A breach lifted by consent: the clause does not apply.
  case liftedByConsent(by: ConsentOutcome.Source)
  /// A waiver on file that does not take effect, and why.
  case waiverNotEffective(WaiverOnFile, WaiverProblem)
  /// A waiver in effect for a clause that is not in breach.
  case waiverNotNeeded(WaiverOnFile)
  /// The breach is waived.
  case waived(WaiverOnFile)

  /// A consent on file: its id (if any) and the body that gave it.
  public struct RecordedConsent: Hashable, Sendable {
    public var id: String?
    public var body: String
  }

  /// A waiver on file for the clause: its id, who approved it (labels), its dates.
  public struct WaiverOnFile: Hashable, Sendable {
    public var id: String?
    public var approvedBy: [String]
    public var granted: CalendarDate?
    public var expires: CalendarDate?
  }

  /// Why a waiver on file does not take effect.
  public enum WaiverProblem: Hashable, Sendable {
    /// The clause (id) has no waiver provision.
    case noWaiverProvision(clause: String)
    /// Approvals the waiver provision requires that it lacks.
    case needs([GovernanceOutcome.Missing])
    case noDate
    case grantedAfter(CalendarDate, ConsentOutcome.RecordProblem.DateOf, CalendarDate)
    case expiredBefore(CalendarDate, ConsentOutcome.RecordProblem.DateOf, CalendarDate)
  }
}

extension ClauseEvaluation {
  /// Why an evaluation is *not applicable* for want of figures.
  public enum Undefined: Hashable, Sendable {
    /// No requirement could be evaluated (e.g. nothing matched).
    case allFigures
    /// One requirement (in a group) could not be evaluated, so the clause does not pass.
    case requirement(RequirementOutcome.Requirement, group: RequirementOutcome.Group?)
  }
}
