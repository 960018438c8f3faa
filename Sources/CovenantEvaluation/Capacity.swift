import CovenantValues
import CovenantData

/// The deal team's answer across the whole covenant: the largest deal amount with which no
/// clause is in breach, and the clause that binds it.
public struct Capacity: Hashable, Sendable {
  public enum Status: String, Hashable, Sendable {
    /// `amount` is the largest compliant amount.
    case amount
    /// No clause limits the amount.
    case unlimited
    /// No amount complies on the deal's other terms (`bindingClause` says which clause).
    case none
    /// A clause's dependence on the amount cannot be solved exactly (`bindingClause` names it).
    case notComputed = "not computed"
  }
  public var status: Status
  /// The largest compliant amount to the cent (rounded down).
  public var amount: Exact?
  /// The exact bound (the cent amount is this, rounded down; one cent more breaches).
  public var exact: Exact?
  /// The bound itself is excluded (`<` caps): the amount is the last cent below it.
  public var strict = false
  public var currency: String
  /// The deal's own amount, for reports that show both.
  public var dealAmount: Exact = .zero
  /// The clause id that binds (or fails at every amount, or cannot be solved).
  public var bindingClause: String?
  /// Why there is no amount or it was not computed, as a fact worded by CovenantReporting
  /// (`reason`, `CapacityWording`).
  public var why: Reason?
  /// Thresholds where a clause starts to apply, as facts worded by CovenantReporting
  /// (`GovernanceWording.breakpoint`).
  public var breakpoints: [Breakpoint] = []

  public enum Reason: Hashable, Sendable {
    /// A clause (id) whose dependence on the amount could not be solved.
    case unsolved(clause: String, Unsolvable)
    /// A clause (id) fails at every amount.
    case breachedAtEveryAmount(String)
    /// No amount satisfies the clause (id) together with the clauses before it.
    case noneWithEarlierClauses(String)
    case noWholeCentAmount
    /// The covenant's check at the amount found, or a cent above, disagreed with the solution.
    case didNotVerify
  }

  /// An amount below the capacity's end where a clause starts to apply. `clause`/`title`: the
  /// clause; `lifted`: the clauses (`§A-1`) it disapplies just above the amount.
  public enum Breakpoint: Hashable, Sendable {
    /// Its condition holds above the amount, but a prevailing clause (`by`) disapplies it.
    case disapplied(above: Exact, clause: String, title: String?, by: String?)
    /// Deals up to the amount are free of it; above, it applies and fails (`requires`: its
    /// first governance line not met, else its first line).
    case fails(upTo: Exact, clause: String, title: String?, requires: GovernanceOutcome.Line?, lifted: [String])
    /// It applies above the amount and holds (`governed`: it has votes or approvals, met).
    case applies(above: Exact, clause: String, title: String?, governed: Bool, lifted: [String])
  }
}

extension CovenantRunner {
  /// The largest deal amount that passes every clause, solved clause by clause over the set of
  /// amounts each allows (its `applies when` conditions and its requirements, each solved
  /// exactly), then verified by a check at that amount and one cent above.
  mutating func capacity(_ result: CheckResult, _ samples: inout Samples, dealData: DealGovernance?) throws(EvaluationError) -> Capacity? {
    let ctx = samples.ctx
    let points = samples.points
    // The sample evaluators are needed only for dates, conditions and cross-references; the
    // requirement sets come from `samples` (solved, or reused, per clause).
    var evs: [Evaluator] = needsSampleEvaluators ? try sampleEvaluators(&samples) : []
    var total = AmountSet.all
    var sets: [(id: String, set: AmountSet)] = []
    var thresholds: [(id: String, applies: AmountSet, governance: GovernanceOutcome?, title: String?)] = []
    func unsolved(_ id: String, _ why: Unsolvable) -> Capacity {
      Capacity(status: .notComputed, currency: ctx.currency, dealAmount: ctx.amount, bindingClause: id, why: .unsolved(clause: id, why))
    }
    // Cross-references: the amounts at which each clause is disapplied by one that prevails
    // over it (solved like `applies when`); there the clause does not constrain the amount.
    var disappliedAt: [Int: AmountSet] = [:]
    if !covenant.precedenceOrder.isEmpty {
      do {
        disappliedAt = try disapplicationSets(result, &evs, points)
      } catch let e as UnsolvedIn {
        return unsolved(e.clause, e.reason)
      } catch let e as EvaluationError {
        throw e
      } catch {
        return unsolved(covenant.clauses.first?.id ?? "", .error("\(error)"))
      }
    }
    for (ci, clause) in covenant.clauses.enumerated() {
      guard ci < result.clauses.count else { break }
      let res = result.clauses[ci]
      // Warnings never block, and a waiver attached to the deal lifts the clause at any amount.
      let own = res.disapplied?.verdictHadItApplied ?? res.verdict
      if clause.severityWarning || own == .waived { continue }
      // A consent that lifts the clause lifts it at any amount (one that lifts its limit has
      // already put the clause's set at the higher limit).
      if res.consent?.given == true, clause.consent?.lifted == nil { continue }
      if !evs.isEmpty, try dateReason(clause, &evs[2]) != nil { continue }
      var s: AmountSet
      if clause.testedOn == .snapshot {
        s = own == .breach ? .none : .all
      } else {
        var applies = AmountSet.all
        var passes = AmountSet.all
        var gov: GovernanceOutcome? = nil
        do {
          for cond in clause.appliesWhen {
            for i in evs.indices { evs[i].groupKey = .absent }
            applies = applies.intersect(try conditionSet(cond, &evs, points, what: .condition(covenant.file.text(cond.span)), undefinedHolds: false))
          }
          if !applies.isEmpty, !clause.requirements.isEmpty {
            switch try requirementSet(ci, &samples) {
            case .success(let s): passes = s
            case .failure(let e): throw e
            }
          }
        } catch let e as Unsolved {
          return unsolved(clause.id, e.reason)
        } catch let e as EvaluationError {
          throw e
        } catch {
          return unsolved(clause.id, .error("\(error)"))
        }
        if clause.hasGovernance {
          let g: GovernanceOutcome
          if let known = res.governance { g = known } else { g = try Governance.evaluate(clause, covenant: covenant, deal: dealData) }
          gov = g
          if g.verdict == .breach { passes = .none }
        }
        s = applies.complement.union(applies.intersect(passes))
        if applies != .all {
          thresholds.append((clause.id, applies, gov, clause.title))
        }
      }
      if let off = disappliedAt[ci] { s = s.union(off) }
      sets.append((clause.id, s))
      total = total.intersect(s)
    }
    let (assembled, verify) = Self.assembleCapacity(sets, total: total, currency: ctx.currency, dealAmount: ctx.amount)
    var cap = assembled
    if cap.status == .none { return cap }
    if let (at, above) = verify {
      // Verify with a check of the covenant: compliant at the amount, in breach a cent above.
      let compliantAt = try compliant(at: at, result, &samples, dealData: dealData)
      let compliantAbove = try compliant(at: above, result, &samples, dealData: dealData)
      if !compliantAt || compliantAbove {
        return Capacity(status: .notComputed, currency: ctx.currency, dealAmount: ctx.amount, bindingClause: cap.bindingClause,
          why: .didNotVerify)
      }
    }
    /// The clauses that `id` disapplies from just above `low` (`notwithstanding`, an exception):
    /// "above €60,000,000, §L applies, and §A-1 is disapplied".
    func lifted(_ id: String, above low: Exact) -> [String] {
      guard let ti = covenant.clauses.firstIndex(where: { $0.id == id }) else { return [] }
      return covenant.clauses.indices.filter { y in
        guard covenant.clauses[y].displacedBy.contains(where: { $0.clause == ti }), let off = disappliedAt[y] else { return false }
        return off.contains(Self.justAbove(low)) && !off.contains(low)
      }.map { "§" + covenant.clauses[$0].id }
    }
    // Thresholds below the capacity's end where a clause starts (or stops) applying.
    for t in thresholds {
      for p in t.applies.parts where p.low.signum > 0 || p.lowStrict {
        let requires = t.governance?.lines.first(where: \.isUnmet) ?? t.governance?.lines.first
        let fails = sets.first { $0.id == t.id }.map { !$0.set.contains(Self.justAbove(p.low)) } ?? false
        if let ci = covenant.clauses.firstIndex(where: { $0.id == t.id }), let off = disappliedAt[ci], off.contains(Self.justAbove(p.low)) {
          // Its condition holds there, but a clause that prevails over it is engaged.
          let by = ci < result.clauses.count ? result.clauses[ci].disapplied.map(\.clause) : nil
          cap.breakpoints.append(.disapplied(above: p.low, clause: t.id, title: t.title, by: by))
        } else if fails {
          cap.breakpoints.append(.fails(upTo: p.low, clause: t.id, title: t.title, requires: requires, lifted: lifted(t.id, above: p.low)))
        } else {
          cap.breakpoints.append(.applies(above: p.low, clause: t.id, title: t.title, governed: t.governance != nil, lifted: lifted(t.id, above: p.low)))
        }
      }
    }
    return cap
  }

  /// The capacity that the clauses' sets of compliant amounts (x ≥ 0, in clause order) and their
  /// intersection give, before any verification: the amount, rounding to the cent, binding
  /// clause and reason. One function for the general solver and the batch's kernel
  /// (`DealKernel`), so that the two cannot name a different amount or clause. Status `.none`
  /// is final; for `.amount` it also returns the amounts to verify (at it, and a cent above).
  static func assembleCapacity(_ sets: [(id: String, set: AmountSet)], total: AmountSet, currency: String, dealAmount: Exact)
    -> (Capacity, verify: (at: Exact, above: Exact)?)
  {
    var cap = Capacity(status: .unlimited, currency: currency, dealAmount: dealAmount)
    switch total.supremum {
    case .none:
      cap.status = .none
      // The first clause that fails at every amount, or else the one that empties the set.
      var running = AmountSet.all
      for (id, s) in sets {
        if s.isEmpty { cap.bindingClause = id; cap.why = .breachedAtEveryAmount(id); break }
        running = running.intersect(s)
        if running.isEmpty {
          cap.bindingClause = id
          cap.why = .noneWithEarlierClauses(id)
          break
        }
      }
      return (cap, nil)
    case .some((nil, _)):
      return (cap, nil)
    case .some(let (high?, strict)):
      let bound: AmountBound = strict ? .lessThan(high, currency: currency) : .atMost(high, currency: currency)
      guard let (at, above) = verificationAmounts(bound), total.contains(at) else {
        cap.status = .none
        cap.why = .noWholeCentAmount
        return (cap, nil)
      }
      cap.status = .amount
      cap.amount = at
      cap.exact = high
      cap.strict = strict
      cap.bindingClause = sets.first { !$0.set.contains(above) }?.id
      return (cap, (at, above))
    }
  }

  static func justAbove(_ x: Exact) -> Exact { (try? x.adding(cent)) ?? x }

  /// Whether the whole covenant is complied with at deal amount `y`: what `check` there, with
  /// the same deal otherwise, would say. Without cross-references a clause's verdict depends on
  /// no other clause, so only the clauses whose verdict can move with the amount are checked
  /// again (on the evaluator at `y`, shared with the clauses' own verifications); every other
  /// clause keeps the verdict `result` gave it at the deal's amount. Errors are the full
  /// check's: the clauses that are not checked again evaluated without one at the deal's amount.
  mutating func compliant(at y: Exact, _ result: CheckResult, _ samples: inout Samples, dealData: DealGovernance?) throws(EvaluationError) -> Bool {
    var f = samples.ctx.fields
    f[samples.ctx.field] = .money(y, currency: samples.ctx.currency)
    let deal = Value.record(f)
    guard !naive, let moving = movingClauses(), var snap = snapshotEvaluator, result.clauses.count == covenant.clauses.count else {
      return try check(deal: deal, dealData: dealData, bounds: false, holdsOnly: true).compliant
    }
    // Built when a clause is checked again; at once when building it can fail (its error is
    // then the check's, as before any clause was reused).
    var pro: Evaluator? = proFormaFieldsPlain ? nil : try evaluator(at: y, &samples)
    var dealSnapshot: Evaluator? = nil
    var noSamples: Samples? = nil
    var compliant = true
    for ci in covenant.clauses.indices {
      if moving[ci] {
        // A clause whose verdict at `y` depends only on the deal terms it reads (and the deal's
        // governance data) is checked once per such terms and amount (ClosedForm.swift).
        var key: VerdictKey? = nil
        if let form = closedForm(ci), form.verdictKnown, let k = closedFormKey(ci, form, samples.ctx) {
          let vk = VerdictKey(clause: k, amount: y, governance: dealData)
          if let breach = memo.verdicts[vk] {
            if breach { compliant = false }
            continue
          }
          key = vk
        }
        if pro == nil { pro = try evaluator(at: y, &samples) }
        let r = try checkClause(ci, deal: deal, dealData: dealData, holdsOnly: true, snap: &snap, pro: &pro, dealSnapshot: &dealSnapshot, samples: &noSamples)
        if r.verdict == .breach { compliant = false }
        if let key, memo.verdicts.count < RunnerMemo.maxEntries { memo.verdicts[key] = r.verdict == .breach }
      } else if result.clauses[ci].verdict == .breach {
        compliant = false
      }
    }
    snapshotEvaluator = snap
    return compliant
  }

  /// By clause, whether its verdict can differ between two deal amounts (all else equal); nil
  /// when clauses can disapply one another (then a verdict depends on other clauses', and the
  /// capacity is verified by a full check). Conservative: a clause with a consent exception, a
  /// `for each` or windows judged with the deal, or any expression read with the deal that
  /// `dependsOnAmount`, moves.
  func movingClauses() -> [Bool]? {
    guard covenant.precedenceOrder.isEmpty else { return nil }
    if let known = memo.moving { return known }
    let moving = covenant.clauses.map { clause -> Bool in
      if clause.consent != nil { return true }
      // `applies when` and exceptions are evaluated with the deal (pro forma); dates on the snapshot.
      if clause.appliesWhen.contains(where: dependsOnAmount) { return true }
      if clause.exceptions.contains(where: { dependsOnAmount($0.condition) }) { return true }
      // Requirements and reports of a clause tested on the snapshot alone never see the deal.
      if clause.testedOn == .snapshot && !clause.needsDeal { return false }
      if clause.group != nil || clause.window != nil { return true }
      return clause.requirements.contains { dependsOnAmount($0.expr) } || clause.reports.contains { dependsOnAmount($0.expr) }
    }
    memo.moving = moving
    return moving
  }

  /// A dependence on the amount that cannot be solved, in the clause that has it.
  struct UnsolvedIn: Error {
    var clause: String
    var reason: Unsolvable
  }

  /// For each clause another can disapply, the deal amounts at which that happens: a prevailing
  /// clause is engaged where it is in force (its dates, and its `applies when` solved over the
  /// amount) and, for an exception, where its condition holds too — and where it is not itself
  /// disapplied, so the sets are built in precedence order. A clause tested on the snapshot
  /// alone is in force at every amount or none, as its check found.
  mutating func disapplicationSets(_ result: CheckResult, _ evs: inout [Evaluator], _ points: [Exact]) throws -> [Int: AmountSet] {
    var inForce: [Int: AmountSet] = [:]
    func inForceSet(_ ci: Int, _ evs: inout [Evaluator]) throws -> AmountSet {
      if let known = inForce[ci] { return known }
      let clause = covenant.clauses[ci], res = result.clauses[ci]
      let own = res.disapplied?.verdictHadItApplied ?? res.verdict
      var set: AmountSet
      if try dateReason(clause, &evs[2]) != nil {
        set = .none
      } else if clause.testedOn == .snapshot || clause.appliesWhen.isEmpty {
        // Exceptions are evaluated only while their clause is in force.
        set = [.pass, .warning, .breach, .waived].contains(own) || !res.exceptions.isEmpty ? .all : .none
      } else {
        set = .all
        for cond in clause.appliesWhen {
          for i in evs.indices { evs[i].groupKey = .absent }
          do {
            set = set.intersect(try conditionSet(cond, &evs, points, what: .condition(covenant.file.text(cond.span)), undefinedHolds: false))
          } catch let e as Unsolved {
            throw UnsolvedIn(clause: clause.id, reason: e.reason)
          }
        }
      }
      inForce[ci] = set
      return set
    }
    var off: [Int: AmountSet] = [:]
    for ci in covenant.precedenceOrder where ci < result.clauses.count {
      let clause = covenant.clauses[ci]
      guard !clause.displacedBy.isEmpty else { continue }
      var union = AmountSet.none
      for d in clause.displacedBy where d.clause < result.clauses.count {
        var engaged = try inForceSet(d.clause, &evs)
        if d.form == .exception, let x = d.exception, x < covenant.clauses[d.clause].exceptions.count {
          let prevailing = covenant.clauses[d.clause]
          if prevailing.testedOn == .snapshot {
            let holds = x < result.clauses[d.clause].exceptions.count && result.clauses[d.clause].exceptions[x].holds == true
            if !holds { engaged = .none }
          } else {
            for i in evs.indices { evs[i].groupKey = .absent }
            let cond = prevailing.exceptions[x].condition
            do {
              engaged = engaged.intersect(try conditionSet(cond, &evs, points, what: .exceptionCondition(covenant.file.text(cond.span)), undefinedHolds: false))
            } catch let e as Unsolved {
              throw UnsolvedIn(clause: prevailing.id, reason: e.reason)
            }
          }
        }
        if let o = off[d.clause] { engaged = engaged.intersect(o.complement).merged() }
        union = union.union(engaged).merged()
      }
      // Each set is a sorted union of disjoint intervals, one more than its breakpoints; a
      // covenant that makes hundreds of them is not solved rather than solved slowly.
      guard union.parts.count <= Self.maxDisapplicationParts else {
        throw UnsolvedIn(clause: clause.id, reason: .disapplicationParts(Self.maxDisapplicationParts))
      }
      off[ci] = union
    }
    return off
  }

  static let maxDisapplicationParts = 64
}

extension CovenantRunner.AmountSet {
  /// The same amounts as sorted, disjoint intervals: unions and complements of sets built from
  /// several clauses would otherwise repeat and overlap, and grow with every clause of a chain.
  func merged() -> CovenantRunner.AmountSet {
    let sorted = parts.sorted { a, b in a.low < b.low || (a.low == b.low && !a.lowStrict && b.lowStrict) }
    var out: [CovenantRunner.Interval] = []
    for p in sorted {
      guard var last = out.last else {
        out.append(p)
        continue
      }
      // `p` starts inside `last`, or where it ends with the point included by one of them.
      let joins: Bool
      if let h = last.high { joins = p.low < h || (p.low == h && (!p.lowStrict || !last.highStrict)) } else { joins = true }
      guard joins else {
        out.append(p)
        continue
      }
      if let h = last.high {
        if let ph = p.high {
          if ph > h || (ph == h && !p.highStrict) { last.high = ph; last.highStrict = p.highStrict }
        } else {
          last.high = nil
          last.highStrict = false
        }
      }
      out[out.count - 1] = last
    }
    return CovenantRunner.AmountSet(parts: out)
  }
}
