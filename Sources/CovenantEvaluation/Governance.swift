import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantData

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
  /// For a body's vote: the body and the rule as written (`majority in interest of lps`).
  public var body: String? = nil
  public var rule: String? = nil
  /// The votes of named bodies a clause requires, each with its own tally.
  public var bodyVotes: [GovernanceOutcome] = []
  /// For a body's vote: members counted on neither side, by an excluded class or as conflicted.
  public var excludedByClass: [String] = []
  public var excludedAsConflicted: [String] = []
  /// For a body's quorum of members: eligible members present, and the number required.
  public var membersPresent: Int? = nil
  public var membersRequired: Int? = nil
}

public enum Governance {
  static func ids(of ref: ResolvedPartyRef, _ covenant: CheckedCovenant, _ deal: DealGovernance) -> [String] {
    switch ref {
    case .party(let i): [covenant.parties[i].dataID]
    case .anyOf(let c), .allOf(let c): deal.members.filter { $0.classes.contains(c) }.map(\.id)
    }
  }

  static func label(_ id: String, _ deal: DealGovernance) -> String {
    deal.members.first { $0.id == id }?.label ?? id
  }

  /// The references not satisfied by the members in `ids`, as the report names them.
  static func satisfied(_ refs: [ResolvedPartyRef], by ids: Set<String>, covenant: CheckedCovenant, deal: DealGovernance) -> [String] {
    var missing: [String] = []
    for ref in refs {
      switch ref {
      case .party(let i):
        if !ids.contains(covenant.parties[i].dataID) { missing.append(covenant.parties[i].name) }
      case .anyOf(let c):
        if !self.ids(of: ref, covenant, deal).contains(where: ids.contains) { missing.append("any \(c)") }
      case .allOf(let c):
        let of = self.ids(of: ref, covenant, deal)
        if of.isEmpty { missing.append("every \(c) (no member is of that class)") }
        for id in of where !ids.contains(id) { missing.append(label(id, deal)) }
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

  public static func evaluate(_ clause: CheckedClause, covenant: CheckedCovenant, deal: DealGovernance?) throws(EvaluationError) -> GovernanceOutcome {
    let deal = deal ?? DealGovernance(covenant: covenant)
    var out = GovernanceOutcome(verdict: .pass, lines: [])
    if let approval = clause.approval {
      let missing = satisfied(approval, by: deal.approvals, covenant: covenant, deal: deal)
      out.missingApprovals = missing
      let given = deal.approvals.map { label($0, deal) }.sorted().joined(separator: ", ")
      let by = covenant.governance.approvals == .fromVotes ? "votes for" : "approvals"
      if missing.isEmpty {
        out.lines.append("\(by): \(given.isEmpty ? "none needed" : given)")
      } else {
        out.verdict = .breach
        out.lines.append("\(by): \(given.isEmpty ? "none" : given); missing: \(missing.joined(separator: ", "))")
      }
    }
    // A stand-alone quorum counts all voting power; a quorum inside `votes …` shares its rule
    // (and its exclusion of conflicted parties).
    if let q = clause.quorum { try tally(q, clause, covenant, deal, &out, showTally: clause.votes == nil) }
    if let v = clause.votes, out.verdict != .breach || clause.quorum == nil { try tally(v, clause, covenant, deal, &out, showTally: true) }
    for rule in clause.bodyVotes {
      let t = try bodyTally(rule, clause, covenant, deal)
      out.lines += t.lines
      out.bodyVotes.append(t)
      if t.verdict == .breach { out.verdict = .breach }
    }
    return out
  }

  static func tally(_ rule: CheckedVoteRule, _ clause: CheckedClause, _ covenant: CheckedCovenant, _ deal: DealGovernance,
                    _ out: inout GovernanceOutcome, showTally: Bool) throws(EvaluationError) {
    if !deal.votesRecorded {
      out.verdict = .breach
      out.lines.append("no votes recorded in the deal file: the \(rule.quorumOnly ? "quorum" : "threshold") cannot be met")
      return
    }
    func conflicted(_ m: DealGovernance.Member) -> Bool { rule.excludeConflicted && deal.conflicted.contains(m.id) }
    let eligible = deal.members.filter { !conflicted($0) }
    let excluded = deal.members.filter(conflicted).map(\.label)
    var yes = Exact.zero, no = Exact.zero, abstain = Exact.zero, total = Exact.zero
    var absentNames: [String] = []
    do throws(ArithmeticError) {
      for m in eligible {
        total = try total.adding(m.weight)
        switch deal.votes[m.id] {
        case .yes: yes = try yes.adding(m.weight)
        case .no: no = try no.adding(m.weight)
        case .abstain: abstain = try abstain.adding(m.weight)
        case nil: absentNames.append(m.label)
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
        let n = eligible.filter { deal.votes[$0.id] == v }.map(\.label)
        return n.isEmpty ? "" : " (\(n.joined(separator: ", ")))"
      }
      let fromCovenant = covenant.governance.members?.powerKey == nil && deal.members.allSatisfy { m in m.party.map { covenant.parties[$0].weightIsPercent } ?? false }
      let style: NumberStyle = fromCovenant && !deal.members.isEmpty ? .percent : .plain
      func w(_ x: Exact) -> String { Format.number(x, style: style) }
      if showTally { out.lines.append("for \(w(yes))\(names(.yes)), against \(w(no))\(names(.no)), abstaining \(w(abstain))\(names(.abstain)), absent \(w(absent))\(absentNames.isEmpty ? "" : " (\(absentNames.joined(separator: ", ")))") of \(w(total)) voting power") }
      if showTally, !excluded.isEmpty { out.lines.append("excluded as conflicted: \(excluded.joined(separator: ", "))") }
      if let q = rule.quorum {
        out.quorumRequired = q
        guard total.signum > 0 else {
          out.verdict = .breach
          out.lines.append("quorum: no voting power to count")
          return
        }
        let share = try present.divided(by: total)
        out.quorumPresent = share
        let met = compare(share, rule.quorumComparison, q)
        out.lines.append("quorum: \(style == .percent ? percent(share) : "\(w(present)) of \(w(total)) = \(percent(share))") present, \(rule.quorumComparison.rawValue) \(percent(q)) required — \(met ? "met" : "not met")")
        if !met {
          out.verdict = .breach
          return
        }
      }
      if rule.quorumOnly { return }
      let base: Exact
      switch rule.base {
      case .votesCast: base = rule.countAbstentions ? present : try yes.adding(no)
      case .votingPower: base = total
      }
      out.required = rule.fraction
      guard base.signum > 0 else {
        out.verdict = .breach
        out.lines.append("no votes cast: the threshold of \(percent(rule.fraction)) of \(rule.base.rawValue) cannot be met")
        return
      }
      let fraction = try yes.divided(by: base)
      out.fraction = fraction
      var met = compare(fraction, rule.comparison, rule.fraction)
      var tie = ""
      if !met, let c = rule.castingVote, yes == no, rule.base == .votesCast {
        let chair = covenant.parties[c]
        // Only an eligible chair decides: one excluded as conflicted has no vote to cast.
        if let m = eligible.first(where: { $0.id == chair.dataID }), deal.votes[m.id] == .yes {
          met = true
          tie = "; tie decided for by \(chair.name)'s casting vote"
        } else if deal.members.contains(where: { $0.id == chair.dataID && conflicted($0) }) {
          tie = "; tie, and \(chair.name) is excluded as conflicted, so has no casting vote"
        } else {
          tie = "; tie, and \(chair.name)'s casting vote was not for"
        }
      }
      out.lines.append("in favour: \(w(yes)) of \(w(base)) = \(percent(fraction)) of \(rule.base.rawValue), \(rule.comparison.rawValue) \(Format.fractionText(rule.fraction)) required — \(met ? "met" : "not met")\(tie)")
      if !met { out.verdict = .breach }
    } catch {
      // Never a breach for a figure that could not be computed: that is an error (exit 2).
      throw EvaluationError(EvaluationDiagnostics.outOfRange(.votingFigures(body: nil, clause: clause.id)), span: clause.span)
    }
  }

  /// Applies a waiver on file for the clause: it lifts a breach when the clause has a waiver
  /// provision, every party the provision requires approved it, and the date — the deal's date
  /// when declared, else the snapshot's as-of date — lies in its window (granted ≤ date ≤
  /// expires, both inclusive). Otherwise the clause keeps its verdict and says why not.
  public static func applyWaiver(_ clause: CheckedClause, covenant: CheckedCovenant, deal: DealGovernance, asOf: CalendarDate?, result: inout ClauseResult) {
    guard let w = deal.waivers.first(where: { $0.clause == clause.id }) else { return }
    let by = w.approvedBy.map { label($0, deal) }.joined(separator: ", ")
    let name = "waiver" + (w.id.map { " \($0)" } ?? "") + " on file"
    func notEffective(_ why: String) {
      result.note = "\(name) (approved by \(by.isEmpty ? "nobody" : by)) not effective: \(why)"
    }
    if let problem = w.problem { return notEffective(problem) }
    let missing = satisfied(clause.waivableBy, by: Set(w.approvedBy), covenant: covenant, deal: deal)
    if !missing.isEmpty { return notEffective("it also needs \(missing.joined(separator: ", "))") }
    let (date, which) = deal.date.map { ($0, "the deal's date") } ?? (asOf, "the snapshot's as-of date")
    if w.granted != nil || w.expires != nil {
      guard let date else { return notEffective("no deal date or as-of date to test its dates against") }
      if let g = w.granted, date < g { return notEffective("granted \(g), after \(which) \(date)") }
      if let e = w.expires, e < date { return notEffective("expired \(e), before \(which) \(date)") }
    }
    guard result.verdict == .breach else {
      result.note = [result.note, "\(name) (approved by \(by)) in effect, not needed"].compactMap { $0 }.joined(separator: "; ")
      return
    }
    result.verdict = .waived
    result.note = "waived" + (w.id.map { " (\($0))" } ?? "") + " by \(by)" + (w.granted.map { " from \($0)" } ?? "") + (w.expires.map { " until \($0)" } ?? "")
  }
}
