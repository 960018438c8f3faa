/// Votes, approvals, conflicts and waivers of one deal, as read from the deal file's fixed
/// keys `votes`, `approvals`, `conflicted` and `waivers` (grammar.md, "Governance data").
public struct DealGovernance: Hashable, Sendable {
  public enum Vote: String, Hashable, Sendable { case yes = "for", no = "against", abstain }
  public struct Waiver: Hashable, Sendable {
    public var clause: String
    public var approvedBy: [String]
    public var expires: CalendarDate?
  }
  public var votes: [String: Vote] = [:]
  public var approvals: Set<String> = []
  public var conflicted: Set<String> = []
  public var waivers: [Waiver] = []
  /// Voting power from the snapshot (`voting_power`), replacing the covenant's weights when present.
  public var votingPower: [String: Exact]?
  public init() {}
}

public struct GovernanceOutcome: Hashable, Sendable {
  public var verdict: Verdict
  /// Lines of arithmetic for the report: who voted how, the fraction obtained and required.
  public var lines: [String]
  public var votesFor: Exact?
  public var votesAgainst: Exact?
  public var abstaining: Exact?
  public var absent: Exact?
  public var totalPower: Exact?
  public var fraction: Exact?
  public var required: Exact?
  public var quorumPresent: Exact?
  public var quorumRequired: Exact?
  public var missingApprovals: [String] = []
}

public enum Governance {
  static func members(_ covenant: CheckedCovenant, _ deal: DealGovernance) -> [(name: String, weight: Exact)] {
    if let power = deal.votingPower {
      return power.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { ($0, power[$0] ?? .zero) }
    }
    return covenant.parties.map { ($0.name, $0.weight ?? .one) }
  }

  static func display(_ covenant: CheckedCovenant, _ name: String) -> String { name }

  static func satisfied(_ refs: [ResolvedPartyRef], by names: Set<String>, covenant: CheckedCovenant) -> [String] {
    var missing: [String] = []
    for ref in refs {
      switch ref {
      case .party(let i):
        let n = covenant.parties[i].name
        if !names.contains(n) { missing.append(n) }
      case .anyOf(let c):
        let ofClass = covenant.parties.filter { $0.classes.contains(c) }.map(\.name)
        if !ofClass.contains(where: names.contains) { missing.append("any \(c)") }
      case .allOf(let c):
        for p in covenant.parties where p.classes.contains(c) && !names.contains(p.name) { missing.append(p.name) }
      }
    }
    return missing
  }

  static func compare(_ x: Exact, _ op: BinaryOp, _ y: Exact) -> Bool {
    switch op {
    case .gt: y < x
    case .ge: !(x < y)
    case .lt: x < y
    case .le: !(y < x)
    default: x == y
    }
  }

  static func percent(_ x: Exact) -> String { Format.number(x, style: .percent) }

  public static func evaluate(_ clause: CheckedClause, covenant: CheckedCovenant, deal: DealGovernance?) -> GovernanceOutcome {
    let deal = deal ?? DealGovernance()
    var out = GovernanceOutcome(verdict: .pass, lines: [])
    if let approval = clause.approval {
      let missing = satisfied(approval, by: deal.approvals, covenant: covenant)
      out.missingApprovals = missing
      let given = deal.approvals.sorted().joined(separator: ", ")
      if missing.isEmpty {
        out.lines.append("approvals: \(given.isEmpty ? "none needed" : given)")
      } else {
        out.verdict = .breach
        out.lines.append("approvals: \(given.isEmpty ? "none" : given); missing: \(missing.joined(separator: ", "))")
      }
    }
    guard let rule = clause.votes else { return out }
    let all = members(covenant, deal)
    let eligible = all.filter { !(rule.excludeConflicted && deal.conflicted.contains($0.name)) }
    let excluded = all.filter { rule.excludeConflicted && deal.conflicted.contains($0.name) }.map(\.name)
    var yes = Exact.zero, no = Exact.zero, abstain = Exact.zero, total = Exact.zero
    var absentNames: [String] = []
    do throws(ArithmeticError) {
      for m in eligible {
        total = try total.adding(m.weight)
        switch deal.votes[m.name] {
        case .yes: yes = try yes.adding(m.weight)
        case .no: no = try no.adding(m.weight)
        case .abstain: abstain = try abstain.adding(m.weight)
        case nil: absentNames.append(m.name)
        }
      }
      let present = try yes.adding(no).adding(abstain)
      let absent = try total.subtracting(present)
      out.votesFor = yes
      out.votesAgainst = no
      out.abstaining = abstain
      out.absent = absent
      out.totalPower = total
      func names(_ v: DealGovernance.Vote) -> String {
        let n = eligible.filter { deal.votes[$0.name] == v }.map(\.name)
        return n.isEmpty ? "" : " (\(n.joined(separator: ", ")))"
      }
      let style: NumberStyle = deal.votingPower == nil && covenant.parties.allSatisfy(\.weightIsPercent) ? .percent : .plain
      func w(_ x: Exact) -> String { Format.number(x, style: style) }
      out.lines.append("for \(w(yes))\(names(.yes)), against \(w(no))\(names(.no)), abstaining \(w(abstain))\(names(.abstain)), absent \(w(absent))\(absentNames.isEmpty ? "" : " (\(absentNames.joined(separator: ", ")))") of \(w(total)) voting power")
      if !excluded.isEmpty { out.lines.append("excluded as conflicted: \(excluded.joined(separator: ", "))") }
      if let q = rule.quorum {
        out.quorumRequired = q
        guard total.signum > 0 else {
          out.verdict = .breach
          out.lines.append("quorum: no voting power to count")
          return out
        }
        let share = try present.divided(by: total)
        out.quorumPresent = share
        let met = compare(share, rule.quorumComparison, q)
        out.lines.append("quorum: \(percent(share)) present, \(rule.quorumComparison.rawValue) \(percent(q)) required — \(met ? "met" : "not met")")
        if !met {
          out.verdict = .breach
          return out
        }
      }
      let base: Exact
      switch rule.base {
      case .votesCast: base = rule.countAbstentions ? present : try yes.adding(no)
      case .votingPower: base = total
      }
      out.required = rule.fraction
      guard base.signum > 0 else {
        out.verdict = .breach
        out.lines.append("no votes cast: the threshold of \(percent(rule.fraction)) of \(rule.base.rawValue) cannot be met")
        return out
      }
      let fraction = try yes.divided(by: base)
      out.fraction = fraction
      var met = compare(fraction, rule.comparison, rule.fraction)
      var tie = ""
      if !met, let c = rule.castingVote, yes == no, rule.base == .votesCast {
        let chair = covenant.parties[c].name
        if deal.votes[chair] == .yes {
          met = true
          tie = "; tie decided for by \(chair)'s casting vote"
        } else {
          tie = "; tie, and \(chair)'s casting vote was not for"
        }
      }
      out.lines.append("in favour: \(w(yes)) of \(w(base)) = \(percent(fraction)) of \(rule.base.rawValue), \(rule.comparison.rawValue) \(Format.fractionText(rule.fraction)) required — \(met ? "met" : "not met")\(tie)")
      if !met { out.verdict = .breach }
    } catch {
      out.verdict = .breach
      out.lines.append("the voting figures are too large to compute exactly")
    }
    return out
  }

  /// Lifts a breach when the deal carries a waiver for the clause, approved by every party the
  /// clause requires and unexpired on the snapshot's as-of date. Otherwise says why not.
  public static func applyWaiver(_ clause: CheckedClause, covenant: CheckedCovenant, deal: DealGovernance, asOf: CalendarDate?, result: inout ClauseResult) {
    guard let w = deal.waivers.first(where: { normalizedClauseID($0.clause) == clause.id }) else { return }
    let missing = satisfied(clause.waivableBy, by: Set(w.approvedBy), covenant: covenant)
    let by = w.approvedBy.joined(separator: ", ")
    if !missing.isEmpty {
      result.note = "waiver on file (approved by \(by.isEmpty ? "nobody" : by)) not applied: it also needs \(missing.joined(separator: ", "))"
      return
    }
    if let e = w.expires, let asOf, e < asOf {
      result.note = "waiver on file expired on \(e) (snapshot as of \(asOf)): not applied"
      return
    }
    result.verdict = .waived
    result.note = "waived by \(by)" + (w.expires.map { " until \($0)" } ?? "")
  }

  /// `§4.2(a)`, `4.2(a)` and `§ 4.2(a)` all name the same clause.
  public static func normalizedClauseID(_ s: String) -> String {
    var t = Substring(s)
    if t.hasPrefix("§") { t = t.dropFirst() }
    return String(t.drop(while: { $0 == " " }))
  }
}
