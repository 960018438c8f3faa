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
  public var reason: String?
  /// Thresholds where a clause starts to apply, in the words the report shows.
  public var breakpoints: [String] = []
}

extension CovenantRunner {
  /// The largest deal amount that passes every clause, solved clause by clause over the set of
  /// amounts each allows (its `applies when` conditions and its requirements, each solved
  /// exactly), then verified by a check at that amount and one cent above.
  mutating func capacity(_ result: CheckResult, _ samples: inout Samples, dealData: DealGovernance?) throws(EvaluationError) -> Capacity? {
    let ctx = samples.ctx
    let points = samples.points
    var evs = samples.evs
    var total = AmountSet.all
    var sets: [(id: String, set: AmountSet)] = []
    var thresholds: [(id: String, applies: AmountSet, governance: GovernanceOutcome?, title: String?)] = []
    func unsolved(_ id: String, _ why: String) -> Capacity {
      Capacity(status: .notComputed, currency: ctx.currency, dealAmount: ctx.amount, bindingClause: id, reason: "§\(id): \(why)")
    }
    for (ci, clause) in covenant.clauses.enumerated() {
      guard ci < result.clauses.count else { break }
      let res = result.clauses[ci]
      // Warnings never block, and a waiver attached to the deal lifts the clause at any amount.
      if clause.severityWarning || res.verdict == .waived { continue }
      if try dateReason(clause, &evs[2]) != nil { continue }
      var s: AmountSet
      if clause.testedOn == .snapshot {
        s = res.verdict == .breach ? .none : .all
      } else {
        var applies = AmountSet.all
        var passes = AmountSet.all
        var gov: GovernanceOutcome? = nil
        do {
          for cond in clause.appliesWhen {
            for i in evs.indices { evs[i].groupKey = .absent }
            applies = applies.intersect(try conditionSet(cond, &evs, points, what: "its condition `\(covenant.file.text(cond.span))`", undefinedHolds: false))
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
          return unsolved(clause.id, "\(error)")
        }
        if clause.approval != nil || clause.votes != nil || clause.quorum != nil {
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
      sets.append((clause.id, s))
      total = total.intersect(s)
    }
    var cap = Capacity(status: .unlimited, currency: ctx.currency, dealAmount: ctx.amount)
    switch total.supremum {
    case .none:
      cap.status = .none
      // The first clause that fails at every amount, or else the one that empties the set.
      var running = AmountSet.all
      for (id, s) in sets {
        if s.isEmpty { cap.bindingClause = id; cap.reason = "§\(id) is breached at every deal amount"; break }
        running = running.intersect(s)
        if running.isEmpty {
          cap.bindingClause = id
          cap.reason = "no deal amount satisfies §\(id) together with the clauses before it"
          break
        }
      }
      return cap
    case .some((nil, _)):
      break
    case .some(let (high?, strict)):
      let bound: AmountBound = strict ? .lessThan(high, currency: ctx.currency) : .atMost(high, currency: ctx.currency)
      guard let (at, above) = Self.verificationAmounts(bound), total.contains(at) else {
        cap.status = .none
        cap.reason = "no whole-cent deal amount complies"
        return cap
      }
      cap.status = .amount
      cap.amount = at
      cap.exact = high
      cap.strict = strict
      cap.bindingClause = sets.first { !$0.set.contains(above) }?.id
      // Verify with a full check: compliant at the amount, in breach a cent above.
      var f = ctx.fields
      f[ctx.field] = .money(at, currency: ctx.currency)
      let rAt = try check(deal: .record(f), dealData: dealData, bounds: false)
      f[ctx.field] = .money(above, currency: ctx.currency)
      let rAbove = try check(deal: .record(f), dealData: dealData, bounds: false)
      if !rAt.compliant || rAbove.compliant {
        return Capacity(status: .notComputed, currency: ctx.currency, dealAmount: ctx.amount, bindingClause: cap.bindingClause,
          reason: "the solution did not verify (a clause's figures change form between the amounts sampled)")
      }
    }
    // Thresholds below the capacity's end where a clause starts (or stops) applying.
    for t in thresholds {
      for p in t.applies.parts where p.low.signum > 0 || p.lowStrict {
        let requires = t.governance?.lines.first(where: { $0.contains("missing") || $0.contains("not met") }) ?? t.governance?.lines.first
        let name = "§\(t.id)" + (t.title.map { " (\($0))" } ?? "")
        let fails = sets.first { $0.id == t.id }.map { !$0.set.contains(Self.justAbove(p.low)) } ?? false
        let amount = Format.money(p.low, ctx.currency)
        if fails {
          cap.breakpoints.append("up to \(amount) without \(name); above it, §\(t.id) applies" + (requires.map { " and is not met: \($0)" } ?? " and is not met"))
        } else {
          cap.breakpoints.append("above \(amount), \(name) applies" + (t.governance != nil ? " (met)" : ""))
        }
      }
    }
    return cap
  }

  static func justAbove(_ x: Exact) -> Exact { (try? x.adding(cent)) ?? x }
}
