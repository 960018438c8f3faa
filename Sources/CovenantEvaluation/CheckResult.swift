import CovenantValues
import CovenantSyntax
import CovenantSemantics

// What a check returns: verdicts, outcomes and figures, as facts (CovenantReporting words them).

/// The verdict of one clause, as the deal team reads it.
public enum Verdict: String, Hashable, Sendable, Comparable {
  /// `disapplied`: another clause prevails over this one and is engaged (`notwithstanding`,
  /// `subject to`, an exception); the report says which and why, and what it would have been.
  case pass, warning, breach, notApplicable = "not applicable", waived, disapplied

  var rank: Int {
    switch self {
    case .notApplicable: 0
    case .disapplied: 1
    case .pass: 2
    case .waived: 3
    case .warning: 4
    case .breach: 5
    }
  }
  public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
}

/// One requirement, in one group, in one context, with the figures behind its verdict.
public struct RequirementOutcome: Hashable, Sendable {
  /// The requirement, as written or as evaluation adds it (`Requirement`; worded by
  /// CovenantReporting, `text`).
  public var requirement: Requirement
  /// The group inside `for each sector` (`sector power`) or a window of periods.
  public var group: Group?
  /// nil when the figures are undefined (the maximum of no holdings).
  public var holds: Bool?
  public var comparison: BinaryOp?
  public var value: Value?
  public var limit: Value?
  /// How the figures are shown: a plain ratio compared with a percentage shows as one.
  public var style: NumberStyle?
  /// How far the value is from its limit, in the limit's unit; negative when breached.
  public var headroom: Value?
  /// value ÷ limit for caps.
  public var utilization: Exact?
  public var warned = false
  /// The first offenders of an `every`/`no`, each with what it showed (`Acme [3]`,
  /// `tranche.spread = 121 bps`).
  public var offenders: [ElementValues] = []
  public var offenderCount = 0
  public var examined = 0
  /// Elements (or, under `for each`, elements without a group) whose condition could not be
  /// evaluated: the requirement cannot be shown to hold for them, so it does not hold.
  public var notEvaluated: [Element] = []
  public var notEvaluatedCount = 0
  /// For a `some` that holds: the first element that satisfies it, with what it showed, and how
  /// many do.
  public var satisfiedBy: ElementValues?
  public var matching = 0
  /// For an `every`/`no` that holds over a short list (a deal's tranches): each element with the
  /// values it showed (`Senior A [0]`, `tranche.spread = 100 bps`).
  public var passing: [ElementValues] = []
  /// Set for an `every`/`some`/`no` requirement.
  public var quantifier: Quantifier?
  /// The other view of a cap or floor. For `A <= P of B` (and `A <= k x B`): `ratio` is A/B,
  /// `ratioLimit` is P, `base` is B as written in `baseText`. For a share or `A / B <= P`:
  /// `amount` is A, `base` is B, and `amountLimit` is P×B.
  public var ratio: Exact?
  public var ratioLimit: Exact?
  public var ratioStyle: NumberStyle?
  public var amount: Value?
  public var base: Value?
  public var baseText: String?
  public var amountLimit: Value?
  /// The periods its trailing figures used (`sum of quarters.ebitda over the last 4 periods`).
  public var periods: [PeriodsUsed] = []
  /// Why the verdict was reached without the usual figures: a ratio whose denominator is zero
  /// or negative (see grammar.md, *Ratios with a zero or negative denominator*), too few
  /// periods. A fact worded by CovenantReporting (`note`).
  public var explanation: Explanation?

  public enum Explanation: Hashable, Sendable {
    case ratio(RatioWithoutDenominator)
    case periods(PeriodsUsed)
    /// A window of periods with no as-of date to count to.
    case noAsOfDateForPeriods
  }

  /// A ratio cap or floor whose denominator is zero or negative: the parts as written with their
  /// values (as `Format` shows them), and the limit.
  public struct RatioWithoutDenominator: Hashable, Sendable {
    public var numerator: ShownValue
    public var denominator: ShownValue
    public var denominatorNegative: Bool
    public var numeratorPositive: Bool
    public var floor: Bool
    public var limit: String
  }
}

/// A definition a clause uses, as it evaluated, and how (`total_debt = fund.debt $5bn + …`).
public struct DefinitionFigure: Hashable, Sendable {
  public var name: String
  public var value: Value
  public var style: NumberStyle?
  /// How it was derived, worded by CovenantReporting (`derivation`).
  public var how: Derivation

  public enum Derivation: Hashable, Sendable {
    /// The expression as written (`pieces`: source text and, after each operand, its value as
    /// `Format` shows it), the result, and the result again as a percentage or multiple when the
    /// requirement compares it with one.
    case written(pieces: [Piece], result: String, shownAs: String?)
    /// A ratio over a zero denominator (the expression as written): no value.
    case noValue(String)
  }
  public enum Piece: Hashable, Sendable {
    case source(String)
    case value(String)
  }
}

public struct ClauseEvaluation: Hashable, Sendable {
  public var verdict: Verdict
  /// Each requirement's outcome, group by group, in order; without the `omittedOutcomes` a
  /// report would not show (`CovenantRunner.prune`).
  public var outcomes: RequirementOutcomes
  /// Why it is not applicable for want of figures; worded by CovenantReporting (`note`).
  public var undefined: Undefined?
  /// How many outcomes were evaluated and dropped from `outcomes` (none unless the check was
  /// pruned): a report counts them in its totals.
  public var omittedOutcomes = 0
  /// The definitions the clause uses, in declaration order.
  public var definitions: [DefinitionFigure] = []
  /// The figures the clause's `report` items ask for, per group.
  public var reported: [ReportedFigure] = []
}

/// A figure a `report` item asks for, in one group.
public struct ReportedFigure: Hashable, Sendable {
  /// The expression as written.
  public var figure: String
  public var group: RequirementOutcome.Group?
  public var value: Value
  public var style: NumberStyle?
}

/// The largest deal amount with which a clause still complies, solved exactly.
public enum AmountBound: Hashable, Sendable {
  case atMost(Exact, currency: String)
  case lessThan(Exact, currency: String)
  case unlimited
  case noAmount
  case notComputed(Unsolvable)
}

public struct ClauseResult: Hashable, Sendable {
  public var id: String
  public var title: String?
  public var text: String?
  public var span: SourceSpan
  public var verdict: Verdict
  /// What the result says of itself besides its figures, in the order found; worded (with
  /// `disapplied`) by CovenantReporting (`note`).
  public var notes: [ClauseNote] = []
  public var snapshot: ClauseEvaluation?
  public var proForma: ClauseEvaluation?
  public var largestAmount: AmountBound?
  public var governance: GovernanceOutcome?
  /// Why the clause applies: each `applies when` condition with the values it compared.
  public var applies: [ConditionValues] = []
  /// A consent exception: each source (vote, record, flag), whether it qualifies and why.
  public var consent: ConsentOutcome? = nil
  /// The clause's exceptions to other clauses (`sections §… do not apply when …`), as evaluated
  /// while the clause was in force; empty otherwise.
  public var exceptions: [ExceptionOutcome] = []
  /// Set when another clause disapplied this one; `verdict` is then `.disapplied`.
  public var disapplied: Disapplication? = nil
  /// `subject to §…`: each prevailing clause with its verdict, shown beside this one.
  public var subjectTo: [Precedence] = []
  /// How many rows (a requirement in one group, before and after the deal) were dropped from
  /// both evaluations because no report shows them (`CovenantRunner.prune`); none otherwise.
  public var omittedRows = 0
}

/// A clause this one is `subject to`, with the verdict it reached.
public struct Precedence: Hashable, Sendable {
  /// With `§`.
  public var clause: String
  public var title: String?
  public var verdict: Verdict
}

/// An exception a clause makes to others, as evaluated: `holds` is nil when its condition is
/// undefined for this data (the exception is then not in effect: the clauses it covers apply).
public struct ExceptionOutcome: Hashable, Sendable {
  /// The clauses it covers, with `§`.
  public var clauses: [String]
  /// The condition as written, and the values it compared (`deal.board_waiver is true`).
  public var condition: String
  public var values: [ShownValue]
  public var holds: Bool?
}

/// Why a clause was not applied: the clause that prevails over it, by which form of reference.
public struct Disapplication: Hashable, Sendable {
  /// The prevailing clause's id, with `§`, and its title.
  public var clause: String
  public var title: String?
  public var form: CheckedClause.Displacement.Form
  /// The clause disapplied, with `§`.
  public var disappliedClause: String
  /// For an exception: the prevailing clause's exception that is in effect.
  public var exception: ExceptionOutcome?
  /// The verdict the clause would have had (figures are still shown, marked as not applied).
  public var verdictHadItApplied: Verdict
}

public struct CheckResult: Hashable, Sendable {
  public var covenantTitle: String
  public var asOf: CalendarDate?
  public var dealID: String?
  public var clauses: [ClauseResult]
  /// The snapshot's FX rates, as the covenant reads them: every conversion used one of these.
  public var fxRates: [FXRate] = []
  /// With a deal: the largest deal amount that passes every clause, and the clause that binds.
  public var capacity: Capacity? = nil

  /// Compliant unless a clause breaches; warnings and waivers do not block.
  public var compliant: Bool { !clauses.contains { $0.verdict == .breach } }
}

/// One FX rate of the snapshot, as quoted (`150 JPY per USD`) and as used (base per unit).
public struct FXRate: Hashable, Sendable {
  public var currency: String
  public var basePerUnit: Exact
  /// Quoted as units of the currency per one unit of base (`JPY per USD`).
  public var quotedPerBase: Bool
  /// The rate as the data gives it.
  public var quoted: Exact { quotedPerBase ? ((try? Exact.one.divided(by: basePerUnit)) ?? basePerUnit) : basePerUnit }
}
