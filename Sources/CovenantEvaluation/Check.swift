import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning
import CovenantData

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
  /// The batch's per-deal kernel (DealKernel.swift): nil until built, `.some(nil)` when the
  /// covenant has a clause it does not take.
  var kernel: DealKernel??
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
  /// `figures: false` (a text batch, whose line shows verdicts and the capacity): every verdict,
  /// warning, bound and the capacity as a full check gives them, but the deal's requirement
  /// outcomes keep only their status (`outcome(statusOnly:)`: no headroom, other view or group
  /// labels) and no definition derivations or reported figures are made.
  public mutating func check(deal: Value?, dealData: DealGovernance? = nil, bounds: Bool = true, holdsOnly: Bool = false, figures: Bool = true) throws(EvaluationError) -> CheckResult {
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
      var r = try checkClause(ci, deal: deal, dealData: dealData, holdsOnly: holdsOnly, statusOnly: !figures, snap: &snap, pro: &pro, dealSnapshot: &dealSnapshot, samples: &samples)
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
    _ ci: Int, deal: Value?, dealData: DealGovernance?, holdsOnly: Bool, statusOnly: Bool = false,
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
        r.snapshot = try evaluate(clause, &dealSnapshot!, holdsOnly: holdsOnly, statusOnly: statusOnly)
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
      r.proForma = try evaluate(clause, &p, holdsOnly: holdsOnly, statusOnly: statusOnly)
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
}
