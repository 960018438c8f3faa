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
    do throws(ArithmeticError) {
      let count = try VoteCount(eligible, deal.votes, weight: \.weight)
      count.record(into: &out)
      let fromCovenant = covenant.governance.members?.powerKey == nil && deal.members.allSatisfy { m in m.party.map { covenant.parties[$0].weightIsPercent } ?? false }
      let style: NumberStyle = fromCovenant && !deal.members.isEmpty ? .percent : .plain
      func w(_ x: Exact) -> String { Format.number(x, style: style) }
      if showTally { out.lines.append(count.text(eligible, deal.votes, w) + " voting power") }
      if showTally, !excluded.isEmpty { out.lines.append("excluded as conflicted: \(excluded.joined(separator: ", "))") }
      if let q = rule.quorum, try !quorumMet(q, rule.quorumComparison, count.present, count.total, &out, w, shareOnly: style == .percent) { return }
      if rule.quorumOnly { return }
      try threshold(rule, count, &out, w) {
        guard let c = rule.castingVote else { return nil }
        let chair = covenant.parties[c]
        // Only an eligible chair decides: one excluded as conflicted has no vote to cast.
        if let m = eligible.first(where: { $0.id == chair.dataID }), deal.votes[m.id] == .yes {
          return (true, "tie decided for by \(chair.name)'s casting vote")
        } else if deal.members.contains(where: { $0.id == chair.dataID && conflicted($0) }) {
          return (false, "tie, and \(chair.name) is excluded as conflicted, so has no casting vote")
        } else {
          return (false, "tie, and \(chair.name)'s casting vote was not for")
        }
      }
    } catch {
      // Never a breach for a figure that could not be computed: that is an error (exit 2).
      throw EvaluationError(EvaluationDiagnostics.outOfRange(.votingFigures(body: nil, clause: clause.id)), span: clause.span)
    }
  }

  /// The eligible members' votes, weighed: one count for a clause's own vote and a body's.
  struct VoteCount {
    var yes = Exact.zero, no = Exact.zero, abstain = Exact.zero, total = Exact.zero
    var present = Exact.zero, absent = Exact.zero
    /// Members who voted (for a quorum of members), and the labels of those who did not.
    var membersPresent = 0
    var absentNames: [String] = []

    init(_ eligible: [DealGovernance.Member], _ votes: [String: DealGovernance.Vote], weight: (DealGovernance.Member) -> Exact) throws(ArithmeticError) {
      for m in eligible {
        total = try total.adding(weight(m))
        switch votes[m.id] {
        case .yes: yes = try yes.adding(weight(m))
        case .no: no = try no.adding(weight(m))
        case .abstain: abstain = try abstain.adding(weight(m))
        case nil: absentNames.append(m.label)
        }
        if votes[m.id] != nil { membersPresent += 1 }
      }
      present = try yes.adding(no).adding(abstain)
      absent = try total.subtracting(present)
    }

    func record(into out: inout GovernanceOutcome) {
      out.votesFor = yes
      out.votesAgainst = no
      out.abstaining = abstain
      out.absent = absent
      out.totalPower = total
    }

    /// `for 60 (A, B), against 40 (C), abstaining 0, absent 0 of 100`; the caller adds the unit.
    func text(_ eligible: [DealGovernance.Member], _ votes: [String: DealGovernance.Vote], _ w: (Exact) -> String) -> String {
      func names(_ v: DealGovernance.Vote) -> String {
        let n = eligible.filter { votes[$0.id] == v }.map(\.label)
        return n.isEmpty ? "" : " (\(n.joined(separator: ", ")))"
      }
      return "for \(w(yes))\(names(.yes)), against \(w(no))\(names(.no)), abstaining \(w(abstain))\(names(.abstain)), absent \(w(absent))\(absentNames.isEmpty ? "" : " (\(absentNames.joined(separator: ", ")))") of \(w(total))"
    }
  }

  /// The rule's threshold against the count: the fraction in favour of its base, a tie decided by
  /// `tie` (nil: no casting vote), the line that says so, a breach when not met.
  static func threshold(
    _ rule: CheckedVoteRule, _ count: VoteCount, _ out: inout GovernanceOutcome, _ w: (Exact) -> String, tie: () -> (Bool, String)?
  ) throws(ArithmeticError) {
    let base: Exact
    switch rule.base {
    case .votesCast: base = rule.countAbstentions ? count.present : try count.yes.adding(count.no)
    case .votingPower: base = count.total
    }
    out.required = rule.fraction
    guard base.signum > 0 else {
      out.verdict = .breach
      out.lines.append("no votes cast: the threshold of \(percent(rule.fraction)) of \(rule.base.rawValue) cannot be met")
      return
    }
    let fraction = try count.yes.divided(by: base)
    out.fraction = fraction
    var met = compare(fraction, rule.comparison, rule.fraction)
    var tieText = ""
    if !met, count.yes == count.no, rule.base == .votesCast, let decided = tie() {
      met = decided.0
      tieText = "; " + decided.1
    }
    out.lines.append("in favour: \(w(count.yes)) of \(w(base)) = \(percent(fraction)) of \(rule.base.rawValue), \(rule.comparison.rawValue) \(Format.fractionText(rule.fraction)) required — \(met ? "met" : "not met")\(tieText)")
    if !met { out.verdict = .breach }
  }

  /// A quorum of voting power: met or not, with its line (`shareOnly`: only the share present,
  /// when the weights are themselves percentages).
  static func quorumMet(
    _ q: Exact, _ cmp: BinaryOp, _ present: Exact, _ total: Exact, _ out: inout GovernanceOutcome, _ w: (Exact) -> String, shareOnly: Bool = false
  ) throws(ArithmeticError) -> Bool {
    out.quorumRequired = q
    guard total.signum > 0 else {
      out.verdict = .breach
      out.lines.append("quorum: no voting power to count")
      return false
    }
    let share = try present.divided(by: total)
    out.quorumPresent = share
    let met = compare(share, cmp, q)
    out.lines.append("quorum: \(shareOnly ? percent(share) : "\(w(present)) of \(w(total)) = \(percent(share))") present, \(cmp.rawValue) \(percent(q)) required — \(met ? "met" : "not met")")
    if !met { out.verdict = .breach }
    return met
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
