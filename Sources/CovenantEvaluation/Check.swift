import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning
import CovenantData

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
  public var requirement: String
  /// `sector power` inside `for each sector`.
  public var group: String?
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
  public var offenders: [String] = []
  public var offenderCount = 0
  public var examined = 0
  /// Elements (or, under `for each`, elements without a group) whose condition could not be
  /// evaluated: the requirement cannot be shown to hold for them, so it does not hold.
  public var notEvaluated: [String] = []
  public var notEvaluatedCount = 0
  /// What each offender (and a `some`'s satisfying element) showed: `tranche.spread = 121 bps`.
  public var evidence: [String] = []
  /// For a `some` that holds: the first element that satisfies it, and how many do.
  public var satisfiedBy: String?
  public var matching = 0
  /// For an `every`/`no` that holds over a short list (a deal's tranches): each element with the
  /// values it showed, `Senior A [0]: tranche.spread = 100 bps`.
  public var passing: [String] = []
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
  public var group: String?
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

/// Figures of a runner that depend on the covenant alone (never on the data), computed on first
/// use and shared by every later deal of a batch.
final class RunnerMemo {
  struct ClauseKey: Hashable {
    var start: Int, end: Int, id: String
  }
  /// The definitions each clause uses, in declaration order (`definitionFigures`).
  var definitionsUsed: [ClauseKey: [Int]] = [:]
  /// By clause: whether its verdict can move with the deal amount (`movingClauses`); computed once.
  var moving: [Bool]?
  /// By clause: what the closed-form shortcut knows of it (ClosedForm.swift); computed once.
  var closedForm: [CovenantRunner.ClosedFormClause?]?
  var proFormaFieldsPlain: Bool?
  var needsSampleEvaluators: Bool?
  /// Solved bounds reused across the deals of a batch, by clause and the deal terms it reads.
  var bounds: [CovenantRunner.ClosedFormKey: (bound: AmountBound, set: CovenantRunner.AmountSet)] = [:]
  /// Whether a clause breaches at a deal amount, by clause, terms, amount and governance data
  /// (the capacity's verification).
  var verdicts: [CovenantRunner.VerdictKey: Bool] = [:]
  /// Entries kept at most in each table above (a batch of distinct deals stops adding).
  static let maxEntries = 1 << 16
}

/// Checks a covenant against one snapshot, and any number of deals against it. The snapshot's
/// aggregates are computed on the first check and reused for every later deal.
public struct CovenantRunner {
  public let covenant: CheckedCovenant
  public let snapshot: Value
  public private(set) var cache = SnapshotCache()
  /// What depends on the covenant alone, computed once per runner rather than per deal.
  let memo = RunnerMemo()
  /// Scan everything for every deal (no caches): the reference for tests of incremental evaluation.
  public var naive = false
  /// Up to this many groups, a `for each` clause's outcomes are computed whole; beyond, per group
  /// only its status until a report reads it (`RequirementOutcomes`). Tests set it to compare.
  var eagerGroups = 8
  var snapshotEvaluator: Evaluator?
  var snapshotResults: [Int: ClauseEvaluation] = [:]
  /// Applied to each clause's result as soon as the clause is checked, before the next one: a
  /// report that shows only some of a long group list drops the rest here
  /// (`CheckReport.keepShown`), so a covenant of many `for each` clauses never holds every
  /// group's figures at once. With it set, the snapshot figures kept for later checks keep only
  /// each clause's verdict (for the capacity's verifications); a later full check evaluates them
  /// again.
  public var prune: ((inout ClauseResult) -> Void)?

  /// Takes the covenant as planned (`Planner.plan`, run by the driver): the evaluator runs the
  /// plans it finds in the tree and builds none.
  public init(plan: PlannedCovenant, snapshot: Value) {
    self.covenant = plan.covenant
    self.snapshot = snapshot
  }

  var asOf: CalendarDate? {
    guard let f = covenant.asOfField, case .record(let fields) = snapshot, case .date(let d) = fields[f] else { return nil }
    return d
  }

  /// Checks every clause on the snapshot, and pro forma with `deal` when one is given.
  /// `bounds`: also solve each cap for the largest compliant deal amount, and the covenant's
  /// capacity (costs a few more evaluations per clause).
  /// `holdsOnly` (the capacity's verifications): the verdicts tell a breach from no breach, and
  /// the deal's figures are left out (see `evaluate`).
  public mutating func check(deal: Value?, dealData: DealGovernance? = nil, bounds: Bool = true, holdsOnly: Bool = false) throws(EvaluationError) -> CheckResult {
    if snapshotEvaluator == nil {
      snapshotEvaluator = try Evaluator(covenant: covenant, snapshot: snapshot, deal: nil, proForma: false, cache: cache)
      snapshotEvaluator?.naive = naive
    }
    var snap = snapshotEvaluator!
    var pro: Evaluator? = nil
    var dealSnapshot: Evaluator? = nil
    if let deal {
      pro = try Evaluator(covenant: covenant, snapshot: snapshot, deal: deal, proForma: true, cache: naive ? SnapshotCache() : snap.cache, context: snap.context)
      pro?.naive = naive
    }
    var results: [ClauseResult] = []
    var samples: Samples? = nil
    if bounds, let deal { samples = try self.samples(deal, pro: pro) }
    for ci in covenant.clauses.indices {
      var r = try checkClause(ci, deal: deal, dealData: dealData, holdsOnly: holdsOnly, snap: &snap, pro: &pro, dealSnapshot: &dealSnapshot, samples: &samples)
      if let prune, !holdsOnly { prune(&r) }
      results.append(r)
    }
    Self.applyCrossReferences(covenant, &results)
    snapshotEvaluator = snap
    cache = snap.cache
    let dealID = self.dealID(deal)
    var result = CheckResult(covenantTitle: covenant.title, asOf: asOf, dealID: dealID, clauses: results)
    if let f = covenant.fxField, let snap = covenant.schema.snapshot, case .record(let fields) = snapshot, f < fields.count,
      case .fx(let rates) = fields[f]
    {
      let perBase = covenant.schema.records[snap].fields[f].fxPerBase
      result.fxRates = rates.keys.sorted().map { FXRate(currency: $0, basePerUnit: rates[$0]!, quotedPerBase: perBase) }
    }
    if var s = samples { result.capacity = try capacity(result, &s, dealData: dealData) }
    return result
  }

  /// One clause of `check`: its dates, whether it applies, its figures on the snapshot and pro
  /// forma, its governance, consent, waiver and exceptions (cross-references come after, across
  /// clauses). The capacity's verification runs it alone for the clauses that move with the amount.
  mutating func checkClause(
    _ ci: Int, deal: Value?, dealData: DealGovernance?, holdsOnly: Bool,
    snap: inout Evaluator, pro: inout Evaluator?, dealSnapshot: inout Evaluator?, samples: inout Samples?
  ) throws(EvaluationError) -> ClauseResult {
    let clause = covenant.clauses[ci]
    var r = ClauseResult(id: clause.id, title: clause.title, text: clause.text, span: clause.span, verdict: .pass)
    if let reason = try dateReason(clause, &snap) {
      r.verdict = .notApplicable
      r.notes = [reason]
      return r
    }
    if clause.needsDeal && deal == nil {
      r.verdict = .notApplicable
      r.notes = [.needsDeal]
      return r
    }
    if clause.testedOn == .proForma && deal == nil {
      r.verdict = .notApplicable
      r.notes = [.proFormaWithoutDeal]
      return r
    }
    if var p = pro {
      defer { pro = p }
      if let reason = try appliesReason(clause, &p) {
        r.verdict = .notApplicable
        r.notes = [reason]
        return r
      }
      if !holdsOnly { r.applies = try appliesBecause(clause, &p) }
    } else if let reason = try appliesReason(clause, &snap) {
      r.verdict = .notApplicable
      r.notes = [reason]
      return r
    } else {
      r.applies = try appliesBecause(clause, &snap)
    }
    let testSnapshot = deal == nil || clause.testedOn != .proForma
    let testProForma = deal != nil && clause.testedOn != .snapshot
    if testSnapshot {
      if clause.needsDeal, let deal {
        // Figures that read the deal, on the portfolio before it joins: the deal's sector's
        // share before the deal, not "undefined".
        if dealSnapshot == nil {
          dealSnapshot = try Evaluator(covenant: covenant, snapshot: snapshot, deal: deal, proForma: false, cache: naive ? SnapshotCache() : snap.cache, context: snap.context)
          dealSnapshot?.naive = naive
        }
        r.snapshot = try evaluate(clause, &dealSnapshot!, holdsOnly: holdsOnly)
      } else if let cached = snapshotResults[ci], holdsOnly || prune == nil {
        r.snapshot = cached
      } else {
        let e = try evaluate(clause, &snap)
        // Pruned checks keep no group's figures: the verdict is all a verification reads.
        snapshotResults[ci] = prune == nil ? e : ClauseEvaluation(verdict: e.verdict, outcomes: [], undefined: e.undefined, omittedOutcomes: e.outcomes.count)
        r.snapshot = e
      }
    }
    if testProForma, var p = pro {
      r.proForma = try evaluate(clause, &p, holdsOnly: holdsOnly)
      pro = p
      if var s = samples {
        r.largestAmount = try solveBound(ci, &s)
        samples = s
      }
    }
    if !clause.requirements.isEmpty {
      r.verdict = (r.proForma ?? r.snapshot)?.verdict ?? .notApplicable
    } else if !clause.reports.isEmpty, !clause.hasGovernance {
      r.notes = [.reportsOnly]
    }
    if clause.hasGovernance {
      let g = try Governance.evaluate(clause, covenant: covenant, deal: dealData)
      r.governance = g
      if clause.requirements.isEmpty || g.verdict == .breach { r.verdict = max(r.verdict == .notApplicable && !clause.requirements.isEmpty ? .pass : r.verdict, g.verdict) }
      if clause.requirements.isEmpty { r.verdict = g.verdict }
    }
    if let consent = clause.consent {
      try applyConsent(consent, clause, ci, &r, deal: deal, dealData: dealData, snap: &snap, pro: &pro, dealSnapshot: &dealSnapshot, samples: &samples)
    } else {
      noteConsentsWithoutException(clause, dealData, &r)
    }
    if let dealData {
      Governance.applyWaiver(clause, covenant: covenant, deal: dealData, asOf: asOf, result: &r)
    }
    if !clause.exceptions.isEmpty {
      if var p = pro {
        r.exceptions = try exceptionOutcomes(clause, &p)
        pro = p
      } else {
        r.exceptions = try exceptionOutcomes(clause, &snap)
      }
      if clause.requirements.isEmpty && clause.reports.isEmpty && r.governance == nil {
        r.verdict = r.exceptions.contains { $0.holds == true } ? .pass : .notApplicable
        r.notes = [.exceptions(r.exceptions)]
      }
    }
    return r
  }

  /// Each exception of a clause in force, with its condition's values (`deal.waiver_granted` is true).
  func exceptionOutcomes(_ clause: CheckedClause, _ ev: inout Evaluator) throws(EvaluationError) -> [ExceptionOutcome] {
    var out: [ExceptionOutcome] = []
    for x in clause.exceptions {
      ev.groupKey = .absent
      var holds: Bool?
      if case .bool(let b) = try ev.eval(x.condition) { holds = b }
      let because = try conditionValues(x.condition, &ev)
      out.append(ExceptionOutcome(clauses: x.clauses.map { "§" + $0 }, condition: Self.clean(x.source), values: because, holds: holds))
    }
    return out
  }

  /// Disapplies each clause another one prevails over while that one is engaged, in an order
  /// where the prevailing clause is final first (so a disapplied clause disapplies nothing).
  /// A prevailing clause is engaged when it is in force — its dates and `applies when` hold and
  /// it had what it needs to be judged (pass, warning, breach or waived); *not applicable* for
  /// undefined figures does not count, so a clause is never lifted by one that was not
  /// actually applied. An exception is engaged when, in addition, its condition holds.
  static func applyCrossReferences(_ covenant: CheckedCovenant, _ results: inout [ClauseResult]) {
    guard !covenant.precedenceOrder.isEmpty else { return }
    for ci in covenant.precedenceOrder where ci < results.count && ci < covenant.clauses.count {
      // A clause that is not in force anyway (its dates, `applies when`, no deal) keeps its own
      // reason: *not applicable* says more than "disapplied" about a clause that would not apply.
      let own = results[ci]
      if own.verdict == .notApplicable, own.snapshot == nil, own.proForma == nil, own.governance == nil { continue }
      for d in covenant.clauses[ci].displacedBy where d.clause < results.count {
        let p = results[d.clause]
        // An exception is evaluated only while its clause is in force; a disapplied clause lifts nothing.
        guard d.form == .exception ? p.verdict != .disapplied : [.pass, .warning, .breach, .waived].contains(p.verdict) else { continue }
        let name = p.id.hasPrefix("§") ? p.id : "§" + p.id
        let own = "§" + covenant.clauses[ci].id
        var exception: ExceptionOutcome?
        switch d.form {
        case .notwithstanding: break
        case .subjectTo:
          continue  // not a displacement: both clauses are applied (see `subjectTo`)
        case .exception:
          guard let x = d.exception, x < p.exceptions.count, p.exceptions[x].holds == true else { continue }
          exception = p.exceptions[x]
        }
        var r = results[ci]
        let had = r.verdict
        r.disapplied = Disapplication(clause: name, title: p.title, form: d.form, disappliedClause: own, exception: exception, verdictHadItApplied: had)
        r.verdict = .disapplied
        results[ci] = r
        break
      }
    }
    for (ci, clause) in covenant.clauses.enumerated() where ci < results.count && !clause.subjectTo.isEmpty {
      results[ci].subjectTo = clause.subjectTo.filter { $0 < results.count }.map { i in
        let p = results[i]
        return Precedence(clause: p.id.hasPrefix("§") ? p.id : "§" + p.id, title: p.title, verdict: p.verdict)
      }
    }
  }

  func dateReason(_ clause: CheckedClause, _ ev: inout Evaluator) throws(EvaluationError) -> ClauseNote? {
    guard clause.effectiveFrom != nil || clause.until != nil else { return nil }
    guard let asOf else { return .noAsOfDate }
    if let e = clause.effectiveFrom, case .date(let from) = try ev.eval(e), asOf < from {
      return .notYetEffective(from: from, asOf: asOf)
    }
    if let u = clause.until, case .date(let until) = try ev.eval(u), asOf > until {
      return .noLongerInForce(until: until, asOf: asOf)
    }
    return nil
  }

  /// `share of holdings.value where sector = deal.sector > 30% (share of … is ≈35.58%)`.
  func appliesBecause(_ clause: CheckedClause, _ ev: inout Evaluator) throws(EvaluationError) -> [ConditionValues] {
    var out: [ConditionValues] = []
    for cond in clause.appliesWhen {
      out.append(ConditionValues(condition: Self.clean(covenant.file.text(cond.span)), values: try conditionValues(cond, &ev)))
    }
    return out
  }

  func appliesReason(_ clause: CheckedClause, _ ev: inout Evaluator) throws(EvaluationError) -> ClauseNote? {
    for cond in clause.appliesWhen {
      switch try ev.eval(cond) {
      case .bool(true): continue
      case .bool(false):
        return .conditionFalse(ConditionValues(condition: Self.clean(covenant.file.text(cond.span)), values: try conditionValues(cond, &ev)))
      default: return .conditionUndefined(Self.clean(covenant.file.text(cond.span)))
      }
    }
    return nil
  }

  /// `holdsOnly`: only whether each requirement holds, for the solver's verifications. The same
  /// expressions are evaluated (an error is the same error), but the figures a report shows
  /// (headroom, the other view, warnings, labels, derivations) are left out: such an evaluation's
  /// `verdict` tells a breach from no breach and nothing more.
  func evaluate(_ clause: CheckedClause, _ ev: inout Evaluator, holdsOnly: Bool = false) throws(EvaluationError) -> ClauseEvaluation {
    var outcomes: [RequirementOutcome] = []
    var reported: [ReportedFigure] = []
    // The group keys as cached (one list per snapshot list, not copied per clause): a `for each`
    // of 917k issuers read them through copies of 917k values.
    let groupKeys: [Value] = clause.window != nil ? [] : try clause.group.map { g throws(EvaluationError) in try ev.groupKeys(g) } ?? []
    // One pass per group; one without a key for a clause without groups; none for windows.
    let passes = clause.window != nil ? 0 : clause.group == nil ? 1 : groupKeys.count
    if let w = clause.window { try evaluateWindows(clause, w, &ev, &outcomes, &reported) }
    // A long list of groups (one per issuer) keeps each group's status, and computes a group's
    // figures when a report reads them (`RequirementOutcomes`).
    // Quantifiers stay whole: their elements' labels and evidence evaluate more than the verdict did.
    let lazy = clause.group != nil && passes > eagerGroups
      && !clause.requirements.contains { if case .quantifier = $0.expr.kind { true } else { false } }
    var entries: [GroupOutcomes.Entry] = []
    if lazy { entries.reserveCapacity(passes * clause.requirements.count) }
    let ids = try clause.group.flatMap { g throws(EvaluationError) in try ev.groupKeyIDs(g, count: passes) }
    // Whether each requirement reads trailing figures (found once, not once per group: walking
    // the requirement's tree for every issuer was a tenth of a 917k-issuer check). One that reads
    // none has no periods to attach.
    let readsPeriods = clause.requirements.map { req in
      var plans: [TrailingPlan] = []
      var seen = Set<Int>()
      Evaluator.collectTrailing(req.expr, covenant.definitions, into: &plans, seen: &seen)
      return !plans.isEmpty
    }
    for n in 0..<passes {
      let key: Value? = clause.group == nil ? nil : groupKeys[n]
      if let key { ev.groupKey = key }
      if let ids, let g = clause.group { ev.groupKeyHint = GroupKeyHint(table: ids.table, field: g.field, id: ids.ids[n], position: n) }
      for (r, req) in clause.requirements.enumerated() {
        if lazy {
          var o = try outcome(req, clause, &ev, holdsOnly: holdsOnly, statusOnly: true)
          if readsPeriods[r] { try attachPeriods(&o, req, &ev) }
          entries.append(GroupOutcomes.Entry(o))
          continue
        }
        var o = try outcome(req, clause, &ev, holdsOnly: holdsOnly)
        if readsPeriods[r] { try attachPeriods(&o, req, &ev) }
        if !holdsOnly, let key, let g = clause.group { o.group = "\(g.fieldName) \(Format.plain(key, covenant.schema))" }
        outcomes.append(o)
      }
      for rep in clause.reports {
        if holdsOnly {
          _ = try ev.eval(rep.expr)
          continue
        }
        let group = key.flatMap { k in clause.group.map { "\($0.fieldName) \(Format.plain(k, covenant.schema))" } }
        reported.append(ReportedFigure(figure: Self.clean(rep.source), group: group, value: try ev.eval(rep.expr), style: Self.style(rep.expr)))
      }
    }
    ev.groupKey = .absent
    if let g = clause.group {
      let missing = try ev.elementsWithoutGroup(g)
      if missing.count > 0, case .list(let list) = try ev.eval(g.list) {
        var o = RequirementOutcome(requirement: "every element has a `\(g.fieldName)` to group by")
        o.group = "\(g.fieldName) missing"
        o.holds = false
        o.examined = missing.count
        o.notEvaluatedCount = missing.count
        if !holdsOnly { o.notEvaluated = missing.items.map { label(list, $0, labelField(g)) } }
        outcomes.insert(o, at: 0)
      }
    }
    let all = RequirementOutcomes(
      head: outcomes,
      groups: lazy
        ? GroupOutcomes(runner: self, clause: clause, keys: groupKeys, holdsOnly: holdsOnly, entries: entries, evaluator: ev) : nil)
    let definitions = try definitionFigures(clause, &ev, holdsOnly: holdsOnly)
    let status = all.indices.lazy.map { all.status(at: $0) }
    let failed = status.contains { $0.holds == false }
    let verdict: Verdict
    var undefined: ClauseEvaluation.Undefined?
    if failed {
      verdict = clause.severityWarning ? .warning : .breach
    } else if status.contains(where: \.warned) {
      verdict = .warning
    } else if !all.isEmpty, status.allSatisfy({ $0.holds == nil }) {
      verdict = .notApplicable
      undefined = .allFigures
    } else if let u = all.indices.first(where: { all.status(at: $0).holds == nil }) {
      // A clause passes only when every requirement holds: one that cannot be evaluated
      // leaves the clause not applicable, never passed.
      verdict = .notApplicable
      undefined = .requirement(all.requirement(at: u), group: all.group(at: u))
    } else {
      verdict = .pass
    }
    return ClauseEvaluation(verdict: verdict, outcomes: all, undefined: undefined, definitions: definitions, reported: reported)
  }

  /// `statusOnly`: what `OutcomeStatus` holds (whether it holds, its utilization, whether it is
  /// warned) and the figures compared, without the rest (headroom, the other view, a
  /// quantifier's elements); the same expressions are evaluated, so an error is the same error.
  func outcome(_ req: CheckedRequirement, _ clause: CheckedClause, _ ev: inout Evaluator, holdsOnly: Bool = false, statusOnly: Bool = false) throws(EvaluationError) -> RequirementOutcome {
    var o = RequirementOutcome(requirement: req.source)
    switch req.expr.kind {
    case .compare(let op, let a, let b):
      if let o = try ratioOutcome(req, op, a, b, &ev) { return o }
      let x = try ev.eval(a), y = try ev.eval(b)
      o.comparison = op
      o.value = x
      o.limit = y
      if case .number(let ls) = b.type {
        if case .number(let vs) = a.type, vs != .plain { o.style = vs } else { o.style = ls }
      }
      if case .bool(let h) = try ev.compare(op, x, y, req.span) { o.holds = h }
      if holdsOnly { return o }
      if o.holds != nil, [.le, .lt, .ge, .gt].contains(op) {
        let cap = op == .le || op == .lt
        if !statusOnly { o.headroom = try? ev.arithmetic(.sub, cap ? y : x, cap ? x : y, req.span) }
        if let xv = Self.magnitude(x), let yv = Self.magnitude(y), yv.signum > 0 { o.utilization = try? xv.divided(by: yv) }
        if o.holds == true, let w = clause.warn, w.above == cap, let xv = Self.magnitude(x), let yv = Self.magnitude(y),
          let threshold = try? yv.multiplied(by: w.fraction)
        {
          o.warned = w.inclusive ? (cap ? threshold <= xv : xv <= threshold) : (cap ? threshold < xv : xv < threshold)
        }
        if statusOnly { return o }
        try addOtherView(&o, a, b, &ev)
      }
    case .quantifier(let plan):
      let v = try ev.eval(req.expr)
      if case .bool(let h) = v { o.holds = h }
      let q = ev.quantifierMemo[plan.id] ?? QuantifierState()
      o.examined = q.examined
      if q.undefined > 0, o.holds != true {
        // `every company …` is not shown for a company whose condition is undefined.
        o.holds = false
        if holdsOnly || statusOnly { return o }
        o.notEvaluatedCount = q.undefined
        if case .list(let list) = try ev.eval(plan.list) {
          o.notEvaluated = q.undefinedItems.map { label(list, $0, plan.labelField) }
        }
      }
      if holdsOnly || statusOnly { return o }
      o.matching = q.matching
      o.quantifier = plan.quantifier
      if plan.quantifier != .some {
        o.offenderCount = q.offending
        if case .list(let list) = try ev.eval(plan.list) {
          o.offenders = q.offenders.map { label(list, $0, plan.labelField) }
          for i in q.offenders {
            o.evidence.append(try evidence(plan, i < list.baseCount ? list.base[i] : list.extra[i - list.baseCount], &ev))
          }
          if q.offending == 0, list.count <= Self.shortList {
            o.passing = try passingElements(plan, list, &ev)
          }
        }
      } else if o.holds == true, let w = try witness(plan, &ev) {
        o.satisfiedBy = w.label
        o.evidence = [w.evidence]
      }
    default:
      if case .bool(let h) = try ev.eval(req.expr) { o.holds = h }
    }
    return o
  }

  func ratioParts(_ t: TExpr) -> (numerator: TExpr, denominator: TExpr)? {
    Evaluator.ratioParts(t, covenant.definitions)
  }

  /// A ratio floor or cap whose denominator is zero or negative, decided as agreements mean it
  /// instead of stopping on a division by zero (`Evaluator.ratioHolds`): with a positive
  /// numerator the ratio is unbounded, so a floor (`a / b >= 2.0x`) holds and a cap
  /// (`a / b <= 4.0x`) fails; with a numerator of zero or less there is no ratio, and both fail.
  /// The outcome's note says which. nil when the ratio is an ordinary one.
  func ratioOutcome(_ req: CheckedRequirement, _ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ ev: inout Evaluator) throws(EvaluationError) -> RequirementOutcome? {
    guard [.le, .lt, .ge, .gt].contains(op) else { return nil }
    var op = op
    var ratio = a, limit = b
    if ratioParts(a) == nil, ratioParts(b) != nil {
      // `2.0x <= a / b`: read as `a / b >= 2.0x`.
      (ratio, limit) = (b, a)
      op = op == .le ? .ge : op == .lt ? .gt : op == .ge ? .le : .lt
    }
    guard let (n, d) = ratioParts(ratio) else { return nil }
    let dv = try ev.eval(d)
    guard let dm = Self.magnitude(dv), dm.signum <= 0 else { return nil }
    let nv = try ev.eval(n), y = try ev.eval(limit)
    var o = RequirementOutcome(requirement: req.source)
    o.comparison = op
    o.limit = y
    if case .number(let s) = limit.type { o.style = s }
    guard let nm = Self.magnitude(nv), y != .absent else { return o }  // undefined: not applicable
    let schema = covenant.schema
    let floor = op == .ge || op == .gt
    o.holds = Evaluator.ratioHolds(floor: floor, numerator: nm, denominatorSign: dm.signum)
    o.explanation = .ratio(.init(
      numerator: ShownValue(expression: covenant.file.text(n.span), value: Format.value(nv, schema)),
      denominator: ShownValue(expression: covenant.file.text(d.span), value: Format.value(dv, schema)),
      denominatorNegative: dm.signum != 0, numeratorPositive: nm.signum > 0, floor: floor,
      limit: Format.value(y, schema, style: o.style)))
    return o
  }

  func labelField(_ g: CheckedClause.Group) -> Int? {
    guard case .list(.record(let r)) = g.list.type, r < covenant.schema.records.count else { return nil }
    return covenant.schema.records[r].labelField
  }
  /// Lists up to this long show every element's values when a quantifier holds.
  static let shortList = 10

  package static func magnitude(_ v: Value) -> Exact? {
    switch v {
    case .number(let x), .money(let x, _): x
    default: nil
    }
  }

  func label(_ list: ListValue, _ i: Int, _ field: Int?) -> String {
    let element: Value = i < list.base.count ? list.base[i] : list.extra[i - list.base.count]
    let position = i < list.base.count ? "[\(i)]" : "the proposed deal"
    if let field, case .record(let fields) = element, case .text(let s) = fields[field] {
      return i < list.base.count ? "\(s) \(position)" : "\(s) (the proposed deal)"
    }
    return position
  }
}
