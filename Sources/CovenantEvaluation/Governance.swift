import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantData

public struct GovernanceOutcome: Hashable, Sendable {
  public var verdict: Verdict
  /// The arithmetic for the report, line by line: who voted how, the fraction obtained and
  /// required — as facts, worded by CovenantReporting (`GovernanceWording.line`).
  public var lines: [Line]
  public var votesFor: Exact?
  public var votesAgainst: Exact?
  public var abstaining: Exact?
  public var absent: Exact?
  public var totalPower: Exact?
  public var fraction: Exact?
  public var required: Exact?
  public var quorumPresent: Exact?
  public var quorumRequired: Exact?
  public var missingApprovals: [Missing] = []
  /// For a body's vote: the body and the rule as written (`majority in interest of lps`).
  public var body: String? = nil
  public var rule: RuleName? = nil
  /// The votes of named bodies a clause requires, each with its own tally.
  public var bodyVotes: [GovernanceOutcome] = []
  /// For a body's vote: members counted on neither side, by an excluded class or as conflicted.
  public var excludedByClass: [String] = []
  public var excludedAsConflicted: [String] = []
  /// For a body's quorum of members: eligible members present, and the number required.
  public var membersPresent: Int? = nil
  public var membersRequired: Int? = nil
}

extension GovernanceOutcome {
  /// One line of a clause's votes and approvals, as a fact: what was counted and whether it met
  /// the rule. Evaluation and the capacity search pick lines by their case (`isUnmet`), never
  /// by their words, so rewording a report cannot change which line explains a breach.
  public enum Line: Hashable, Sendable {
    /// The approvals given (labels, sorted) and those missing; `fromVotes`: the approvals are the
    /// members who voted for.
    case approvals(fromVotes: Bool, given: [String], missing: [Missing])
    /// No votes in the deal file, so the quorum (`quorumOnly`) or the threshold cannot be met.
    case noVotesRecorded(quorumOnly: Bool)
    /// A body's vote on `rule` with no votes of the body recorded.
    case noBodyVotes(rule: RuleName, body: String, displayName: String?)
    case noVotingBody
    case tally(Tally)
    case excludedAsConflicted([String])
    /// A body's members of classes it excludes: shown, counted on neither side.
    case excludedByClass(classes: [String], members: [ExcludedMember])
    /// A body's quorum of members: eligible members present, of those eligible, and required.
    case memberQuorum(present: Int, eligible: Int, required: Int)
    /// A quorum of voting power when there is no voting power at all.
    case noQuorumPower
    /// A quorum of voting power (`shareOnly`: the weights are percentages, so only the share is
    /// shown; `style`: how the weights display).
    case powerQuorum(present: Exact, total: Exact, share: Exact, comparison: BinaryOp, required: Exact, style: NumberStyle, shareOnly: Bool, met: Bool)
    /// A threshold over a base with nothing in it.
    case noVotesCast(required: Exact, base: VoteRule.Base)
    case threshold(Threshold)

    /// The line says a requirement is not met: approvals missing, a quorum or threshold not
    /// met, a body without votes. (The "cannot be met" lines — no votes recorded, none cast, no
    /// power for a quorum — are not counted, as the report has always picked them.)
    public var isUnmet: Bool {
      switch self {
      case .approvals(_, _, let missing): !missing.isEmpty
      case .noBodyVotes: true
      case .memberQuorum(let present, _, let required): present < required
      case .powerQuorum(_, _, _, _, _, _, _, let met): !met
      case .threshold(let t): !t.met
      default: false
      }
    }
  }

  /// A body's vote rule: its label as written, or (unlabelled) the votes of the body.
  public enum RuleName: Hashable, Sendable {
    case written(String)
    case votesOf(String)
  }

  /// An approval a clause requires that was not given: a party (by name or member label), any
  /// member of a class, or every member of a class that has none.
  public enum Missing: Hashable, Sendable {
    case party(String)
    case anyOf(String)
    case everyOfNoMember(String)
  }

  /// `for 60 (A, B), against 40 (C), abstaining 0, absent 0 of 100 voting power`.
  public struct Tally: Hashable, Sendable {
    /// A body's rule as written, before the count; nil for a clause's own vote.
    public var rule: RuleName?
    public var votesFor, against, abstaining, absent, total: Exact
    public var forNames, againstNames, abstainingNames, absentNames: [String]
    public var style: NumberStyle
    /// One vote each (a count of votes), not weights (voting power).
    public var oneVoteEach: Bool
  }

  public struct ExcludedMember: Hashable, Sendable {
    public var label: String
    public var vote: DealGovernance.Vote?
    /// Nil for a body of one vote each.
    public var weight: Exact?
  }

  /// The fraction in favour of its base against the rule's.
  public struct Threshold: Hashable, Sendable {
    public var votesFor, base, fraction: Exact
    public var over: VoteRule.Base
    public var comparison: BinaryOp
    public var required: Exact
    public var style: NumberStyle
    public var met: Bool
    /// A tie decided (or not) by a casting vote.
    public var tie: Tie?
  }

  /// How a tie on a casting vote was decided; `chair…`: a clause's own casting vote (a party),
  /// the others a body's holder.
  public enum Tie: Hashable, Sendable {
    public enum Holder: Hashable, Sendable { case party(String), memberClass(String) }
    case chairFor(String), chairConflicted(String), chairNotFor(String)
    case noHolder(body: String, Holder)
    case severalHolders(Holder, labels: [String])
    case holderExcluded(Holder, label: String, classes: [String])
    case holderConflicted(Holder, label: String)
    case holderFor(Holder, label: String)
    case holderNotFor(Holder, label: String)

    public var decided: Bool {
      switch self {
      case .chairFor, .holderFor: true
      default: false
      }
    }
  }
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

  /// The references not satisfied by the members in `ids`.
  static func satisfied(_ refs: [ResolvedPartyRef], by ids: Set<String>, covenant: CheckedCovenant, deal: DealGovernance) -> [GovernanceOutcome.Missing] {
    var missing: [GovernanceOutcome.Missing] = []
    for ref in refs {
      switch ref {
      case .party(let i):
        if !ids.contains(covenant.parties[i].dataID) { missing.append(.party(covenant.parties[i].name)) }
      case .anyOf(let c):
        if !self.ids(of: ref, covenant, deal).contains(where: ids.contains) { missing.append(.anyOf(c)) }
      case .allOf(let c):
        let of = self.ids(of: ref, covenant, deal)
        if of.isEmpty { missing.append(.everyOfNoMember(c)) }
        for id in of where !ids.contains(id) { missing.append(.party(label(id, deal))) }
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

  public static func evaluate(_ clause: CheckedClause, covenant: CheckedCovenant, deal: DealGovernance?) throws(EvaluationError) -> GovernanceOutcome {
    let deal = deal ?? DealGovernance(covenant: covenant)
    var out = GovernanceOutcome(verdict: .pass, lines: [])
    if let approval = clause.approval {
      let missing = satisfied(approval, by: deal.approvals, covenant: covenant, deal: deal)
      out.missingApprovals = missing
      let given = deal.approvals.map { label($0, deal) }.sorted()
      if !missing.isEmpty { out.verdict = .breach }
      out.lines.append(.approvals(fromVotes: covenant.governance.approvals == .fromVotes, given: given, missing: missing))
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
      out.lines.append(.noVotesRecorded(quorumOnly: rule.quorumOnly))
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
      if showTally { out.lines.append(.tally(count.tally(eligible, deal.votes, style: style, rule: nil, oneVoteEach: false))) }
      if showTally, !excluded.isEmpty { out.lines.append(.excludedAsConflicted(excluded)) }
      if let q = rule.quorum, try !quorumMet(q, rule.quorumComparison, count.present, count.total, &out, style, shareOnly: style == .percent) { return }
      if rule.quorumOnly { return }
      try threshold(rule, count, &out, style) {
        guard let c = rule.castingVote else { return nil }
        let chair = covenant.parties[c]
        // Only an eligible chair decides: one excluded as conflicted has no vote to cast.
        if let m = eligible.first(where: { $0.id == chair.dataID }), deal.votes[m.id] == .yes {
          return .chairFor(chair.name)
        } else if deal.members.contains(where: { $0.id == chair.dataID && conflicted($0) }) {
          return .chairConflicted(chair.name)
        } else {
          return .chairNotFor(chair.name)
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

    func tally(_ eligible: [DealGovernance.Member], _ votes: [String: DealGovernance.Vote], style: NumberStyle, rule: GovernanceOutcome.RuleName?, oneVoteEach: Bool) -> GovernanceOutcome.Tally {
      func names(_ v: DealGovernance.Vote) -> [String] { eligible.filter { votes[$0.id] == v }.map(\.label) }
      return .init(rule: rule, votesFor: yes, against: no, abstaining: abstain, absent: absent, total: total,
                   forNames: names(.yes), againstNames: names(.no), abstainingNames: names(.abstain), absentNames: absentNames,
                   style: style, oneVoteEach: oneVoteEach)
    }
  }

  /// The rule's threshold against the count: the fraction in favour of its base, a tie decided by
  /// `tie` (nil: no casting vote), the line that says so, a breach when not met.
  static func threshold(
    _ rule: CheckedVoteRule, _ count: VoteCount, _ out: inout GovernanceOutcome, _ style: NumberStyle, tie: () -> GovernanceOutcome.Tie?
  ) throws(ArithmeticError) {
    let base: Exact
    switch rule.base {
    case .votesCast: base = rule.countAbstentions ? count.present : try count.yes.adding(count.no)
    case .votingPower: base = count.total
    }
    out.required = rule.fraction
    guard base.signum > 0 else {
      out.verdict = .breach
      out.lines.append(.noVotesCast(required: rule.fraction, base: rule.base))
      return
    }
    let fraction = try count.yes.divided(by: base)
    out.fraction = fraction
    var met = compare(fraction, rule.comparison, rule.fraction)
    var decided: GovernanceOutcome.Tie? = nil
    if !met, count.yes == count.no, rule.base == .votesCast, let t = tie() {
      met = t.decided
      decided = t
    }
    out.lines.append(.threshold(.init(votesFor: count.yes, base: base, fraction: fraction, over: rule.base, comparison: rule.comparison,
                                      required: rule.fraction, style: style, met: met, tie: decided)))
    if !met { out.verdict = .breach }
  }

  /// A quorum of voting power: met or not, with its line (`shareOnly`: only the share present,
  /// when the weights are themselves percentages).
  static func quorumMet(
    _ q: Exact, _ cmp: BinaryOp, _ present: Exact, _ total: Exact, _ out: inout GovernanceOutcome, _ style: NumberStyle, shareOnly: Bool = false
  ) throws(ArithmeticError) -> Bool {
    out.quorumRequired = q
    guard total.signum > 0 else {
      out.verdict = .breach
      out.lines.append(.noQuorumPower)
      return false
    }
    let share = try present.divided(by: total)
    out.quorumPresent = share
    let met = compare(share, cmp, q)
    out.lines.append(.powerQuorum(present: present, total: total, share: share, comparison: cmp, required: q, style: style, shareOnly: shareOnly, met: met))
    if !met { out.verdict = .breach }
    return met
  }

  /// Applies a waiver on file for the clause: it lifts a breach when the clause has a waiver
  /// provision, every party the provision requires approved it, and the date — the deal's date
  /// when declared, else the snapshot's as-of date — lies in its window (granted ≤ date ≤
  /// expires, both inclusive). Otherwise the clause keeps its verdict and says why not.
  public static func applyWaiver(_ clause: CheckedClause, covenant: CheckedCovenant, deal: DealGovernance, asOf: CalendarDate?, result: inout ClauseResult) {
    guard let w = deal.waivers.first(where: { $0.clause == clause.id }) else { return }
    let waiver = ClauseNote.WaiverOnFile(id: w.id, approvedBy: w.approvedBy.map { label($0, deal) }, granted: w.granted, expires: w.expires)
    func notEffective(_ why: ClauseNote.WaiverProblem) {
      result.notes = [.waiverNotEffective(waiver, why)]
    }
    if w.noWaiverProvision { return notEffective(.noWaiverProvision(clause: w.clause)) }
    let missing = satisfied(clause.waivableBy, by: Set(w.approvedBy), covenant: covenant, deal: deal)
    if !missing.isEmpty { return notEffective(.needs(missing)) }
    let (date, which): (CalendarDate?, ConsentOutcome.RecordProblem.DateOf) = deal.date.map { ($0, .deal) } ?? (asOf, .asOf)
    if w.granted != nil || w.expires != nil {
      guard let date else { return notEffective(.noDate) }
      if let g = w.granted, date < g { return notEffective(.grantedAfter(g, which, date)) }
      if let e = w.expires, e < date { return notEffective(.expiredBefore(e, which, date)) }
    }
    guard result.verdict == .breach else {
      result.notes.append(.waiverNotNeeded(waiver))
      return
    }
    result.verdict = .waived
    result.notes = [.waived(waiver)]
  }
}
