import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics
import CovenantData

/// Votes of named bodies and consent exceptions, evaluated. A body's vote is counted by the
/// body's own rules: its members' weights (or one vote each), without the classes it excludes
/// (GP affiliates count on neither side), without its conflicted members, against its quorum,
/// with a tie broken only by an eligible, non-conflicted holder of the casting vote. A consent
/// exception then asks whether any of its sources — a body's vote, a consent on record, a flag
/// of the data — qualifies, and the report says which did, or why none did.
public struct ConsentOutcome: Hashable, Sendable {
  public struct Source: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case vote, record, flag }
    public var kind: Kind
    /// The body's name, for a vote or a recorded consent.
    public var body: String?
    /// A vote's rule as written (`majority in interest of lps`) or its body's name, a flag as
    /// written (`deal.gp_consent`); nil for a consent on record, which CovenantReporting names
    /// from its id and body (`description`: `consent LC-7 of lpac on file`).
    public var written: String?
    public var qualifies: Bool
    /// Why it qualifies or not: the tally, the dates, the flag's value — a fact, worded by
    /// CovenantReporting (`ConsentWording.reason`).
    public var reason: Reason
    /// For a vote: the tally, line by line.
    public var tally: GovernanceOutcome?
    /// For a recorded consent.
    public var id: String?
    public var granted: CalendarDate?
    public var expires: CalendarDate?
    public var location: String?
  }
  public enum Reason: Hashable, Sendable {
    /// A flag that reads the deal, with no deal checked.
    case noDeal
    /// The flag's value: true, false, or nil when it is missing.
    case flag(String, Bool?)
    /// The decisive line of the body's tally (nil: it has none).
    case tally(GovernanceOutcome.Line?)
    /// A body's vote, with no deal checked.
    case noVote(body: String)
    /// No consent of the body on file for the clause.
    case noneRecorded(clause: String)
    case given(granted: CalendarDate?, expires: CalendarDate?, deal: String?)
    case notCovering(RecordProblem)
    /// A consent on file from a body the clause does not name (`named`: the bodies it does).
    case notNamedBody(body: String, clause: String, named: [String])
  }

  /// Why a recorded consent does not cover this deal on this date.
  public enum RecordProblem: Hashable, Sendable {
    /// Which date a consent's window was tested against.
    public enum DateOf: Hashable, Sendable { case deal, asOf }
    case forDealNoneChecked(String)
    case forDealNoReference(String)
    case forOtherDeal(String, this: String)
    case noDate
    case grantedAfter(CalendarDate, DateOf, CalendarDate)
    case expiredBefore(CalendarDate, DateOf, CalendarDate)
  }

  public var sources: [Source]
  /// The consent changed the verdict: the clause was lifted, or judged against its higher limit.
  public var applied = false
  /// `up to …` as written, for a consent that lifts the limit.
  public var liftedTo: String?
  public var given: Bool { sources.contains(where: \.qualifies) }
  /// The source that gave the consent (the first that qualifies).
  public var by: Source? { sources.first(where: \.qualifies) }
}

extension Governance {
  /// The vote of a body on `rule`, counted by the body's rules; a breach verdict means not met.
  static func bodyTally(_ rule: CheckedVoteRule, _ clause: CheckedClause, _ covenant: CheckedCovenant, _ deal: DealGovernance) throws(EvaluationError) -> GovernanceOutcome {
    guard let bi = rule.body, bi < covenant.bodies.count else { return GovernanceOutcome(verdict: .breach, lines: [.noVotingBody]) }
    let body = covenant.bodies[bi]
    let data = bi < deal.bodies.count ? deal.bodies[bi] : DealGovernance.BodyData(votesRecorded: false)
    let label: GovernanceOutcome.RuleName = rule.label.map { .written($0) } ?? .votesOf(body.name)
    var out = GovernanceOutcome(verdict: .pass, lines: [])
    out.body = body.name
    out.rule = label
    guard data.votesRecorded else {
      out.verdict = .breach
      out.lines.append(.noBodyVotes(rule: label, body: body.name, displayName: body.displayName))
      return out
    }
    let excludedClass = data.members.filter { !$0.classes.isDisjoint(with: body.excludedClasses) }
    let excludedIDs = Set(excludedClass.map(\.id))
    let conflicted = data.members.filter { !excludedIDs.contains($0.id) && data.conflicted.contains($0.id) }
    let eligible = data.members.filter { !excludedIDs.contains($0.id) && !data.conflicted.contains($0.id) }
    do throws(ArithmeticError) {
      let count = try VoteCount(eligible, data.votes) { m in body.oneVoteEach ? .one : m.weight }
      count.record(into: &out)
      out.lines.append(.tally(count.tally(eligible, data.votes, style: .plain, rule: label, oneVoteEach: body.oneVoteEach)))
      if !excludedClass.isEmpty {
        // Excluded members count on neither side: their votes (if any) are shown, not counted.
        let shown = excludedClass.map { m in GovernanceOutcome.ExcludedMember(label: m.label, vote: data.votes[m.id], weight: body.oneVoteEach ? nil : m.weight) }
        out.lines.append(.excludedByClass(classes: body.excludedClasses, members: shown))
      }
      if !conflicted.isEmpty { out.lines.append(.excludedAsConflicted(conflicted.map(\.label))) }
      out.excludedByClass = excludedClass.map(\.id)
      out.excludedAsConflicted = conflicted.map(\.id)
      // The body's quorum, then any the rule itself adds.
      switch body.quorum {
      case .members(let n)?:
        out.membersPresent = count.membersPresent
        out.membersRequired = n
        out.lines.append(.memberQuorum(present: count.membersPresent, eligible: eligible.count, required: n))
        if count.membersPresent < n {
          out.verdict = .breach
          return out
        }
      case .power(let q, let cmp)?:
        if try !quorumMet(q, cmp, count.present, count.total, &out, .plain) { return out }
      case nil: break
      }
      if let q = rule.quorum, try !quorumMet(q, rule.quorumComparison, count.present, count.total, &out, .plain) { return out }
      try threshold(rule, count, &out, .plain) {
        let holder: CheckedBody.Tie? = rule.castingVote.map { .party($0) } ?? body.tie
        return holder.map { castingVote($0, body, data, eligible: eligible, excluded: excludedIDs, covenant) }
      }
    } catch {
      throw EvaluationError(EvaluationDiagnostics.outOfRange(.votingFigures(body: body.name, clause: clause.id)), span: clause.span)
    }
    return out
  }

  /// A tie is decided only by the holder of the casting vote who is eligible (not of an excluded
  /// class) and not conflicted, and who voted for.
  static func castingVote(_ holder: CheckedBody.Tie, _ body: CheckedBody, _ data: DealGovernance.BodyData, eligible: [DealGovernance.Member],
                          excluded: Set<String>, _ covenant: CheckedCovenant) -> GovernanceOutcome.Tie {
    let holders: [DealGovernance.Member]
    let title: GovernanceOutcome.Tie.Holder
    switch holder {
    case .party(let i):
      holders = data.members.filter { $0.id == covenant.parties[i].dataID }
      title = .party(covenant.parties[i].name)
    case .memberClass(let c):
      holders = data.members.filter { $0.classes.contains(c) }
      title = .memberClass(c)
    }
    guard !holders.isEmpty else { return .noHolder(body: body.name, title) }
    guard holders.count == 1 else { return .severalHolders(title, labels: holders.map(\.label)) }
    let h = holders[0]
    if excluded.contains(h.id) { return .holderExcluded(title, label: h.label, classes: body.excludedClasses) }
    if data.conflicted.contains(h.id) { return .holderConflicted(title, label: h.label) }
    if eligible.contains(where: { $0.id == h.id }), data.votes[h.id] == .yes { return .holderFor(title, label: h.label) }
    return .holderNotFor(title, label: h.label)
  }

  /// Every source of a consent exception, each with whether it qualifies and why.
  static func consentSources(_ consent: CheckedConsent, _ clause: CheckedClause, _ covenant: CheckedCovenant, _ deal: DealGovernance?,
                             dealID: String?, dealGiven: Bool, asOf: CalendarDate?, flag: (TExpr) throws(EvaluationError) -> Value) throws(EvaluationError) -> ConsentOutcome {
    var out = ConsentOutcome(sources: [])
    for source in consent.sources {
      switch source {
      case .flag(let e, let text):
        if e.usesDeal && !dealGiven {
          out.sources.append(.init(kind: .flag, written: text, qualifies: false, reason: .noDeal))
          continue
        }
        let v = try flag(e)
        let value: Bool? = if case .bool(let b) = v { b } else { nil }
        out.sources.append(.init(kind: .flag, written: text, qualifies: v == .bool(true), reason: .flag(text, value)))
      case .body(let bi, let rule):
        let body = covenant.bodies[bi]
        if body.votes != nil {
          if let deal, dealGiven {
            let t = try bodyTally(rule, clause, covenant, deal)
            // The threshold's line, else the last requirement not met (a quorum, no votes).
            let decisive = t.lines.last(where: { if case .threshold = $0 { true } else { $0.isUnmet } }) ?? t.lines.last
            out.sources.append(.init(kind: .vote, body: body.name, written: rule.label ?? body.name, qualifies: t.verdict != .breach,
                                     reason: .tally(decisive), tally: t))
          } else {
            out.sources.append(.init(kind: .vote, body: body.name, written: rule.label ?? body.name, qualifies: false, reason: .noVote(body: body.name)))
          }
        }
        guard covenant.governance.consents != nil else { continue }
        let onFile = (deal?.consents ?? []).filter { $0.clause == clause.id && $0.body == bi }
        // "None on file" is worth a line only when the body has no vote to show.
        if onFile.isEmpty, body.votes == nil {
          out.sources.append(.init(kind: .record, body: body.name, written: nil, qualifies: false,
                                   reason: .noneRecorded(clause: clause.id)))
        }
        for c in onFile {
          var s = ConsentOutcome.Source(kind: .record, body: body.name, written: nil,
                                        qualifies: false, reason: .noDeal, id: c.id, granted: c.granted, expires: c.expires, location: c.location)
          let problem = recordProblem(c, dealID: dealID, dealGiven: dealGiven, date: deal?.date, asOf: asOf)
          s.reason = problem.map { .notCovering($0) } ?? .given(granted: c.granted, expires: c.expires, deal: c.deal)
          s.qualifies = problem == nil
          out.sources.append(s)
        }
      }
    }
    // A consent on file from a body the clause does not name is shown, not silently dropped.
    let named = Set(consent.sources.compactMap { if case .body(let b, _) = $0 { b } else { nil } })
    let names = named.sorted().map { covenant.bodies[$0].name }
    for c in deal?.consents ?? [] where c.clause == clause.id && !named.contains(c.body) {
      let body = covenant.bodies[c.body].name
      out.sources.append(.init(kind: .record, body: body, written: nil, qualifies: false,
                               reason: .notNamedBody(body: body, clause: clause.id, named: names),
                               id: c.id, granted: c.granted, expires: c.expires, location: c.location))
    }
    return out
  }

  /// Why a recorded consent does not cover this deal on this date; nil when it does.
  static func recordProblem(
    _ c: DealGovernance.Consent, dealID: String?, dealGiven: Bool, date dealDate: CalendarDate?, asOf: CalendarDate?
  ) -> ConsentOutcome.RecordProblem? {
    if let d = c.deal {
      guard dealGiven else { return .forDealNoneChecked(d) }
      guard let dealID else { return .forDealNoReference(d) }
      if d != dealID { return .forOtherDeal(d, this: dealID) }
    }
    let (date, which): (CalendarDate?, ConsentOutcome.RecordProblem.DateOf) = dealDate.map { ($0, .deal) } ?? (asOf, .asOf)
    if c.granted != nil || c.expires != nil {
      guard let date else { return .noDate }
      if let g = c.granted, date < g { return .grantedAfter(g, which, date) }
      if let e = c.expires, e < date { return .expiredBefore(e, which, date) }
    }
    return nil
  }
}

extension CovenantRunner {
  /// The deal's reference (its record's first text field), which recorded consents name.
  func dealID(_ deal: Value?) -> String? {
    if let deal, case .record(let fields) = deal, let d = covenant.schema.deal,
      let lf = covenant.schema.records[d].labelField, case .text(let s) = fields[lf]
    {
      return s
    }
    return nil
  }

  /// A consent on file for a clause without a consent exception has no effect: the clause says so.
  func noteConsentsWithoutException(_ clause: CheckedClause, _ dealData: DealGovernance?, _ r: inout ClauseResult) {
    let stray = (dealData?.consents ?? []).filter { $0.clause == clause.id }
    guard !stray.isEmpty else { return }
    r.notes.append(.consentsWithoutException(consents: stray.map { .init(id: $0.id, body: covenant.bodies[$0.body].name) }, clause: clause.id))
  }

  /// Applies a clause's consent exception to its result. When a source qualifies: a clause in
  /// breach under `without consent` does not apply; in breach or warning under `with consent … up to`
  /// it is judged again against the higher limit (and its largest compliant amount solved
  /// against it). When none qualifies, the clause keeps its verdict and the report says why.
  mutating func applyConsent(
    _ consent: CheckedConsent, _ clause: CheckedClause, _ ci: Int, _ r: inout ClauseResult, deal: Value?, dealData: DealGovernance?,
    snap: inout Evaluator, pro: inout Evaluator?, dealSnapshot: inout Evaluator?, samples: inout Samples?
  ) throws(EvaluationError) {
    var flagEvaluator = pro ?? snap
    var outcome = try Governance.consentSources(
      consent, clause, covenant, dealData, dealID: dealID(deal), dealGiven: deal != nil, asOf: asOf,
      flag: { e throws(EvaluationError) in try flagEvaluator.eval(e) })
    outcome.liftedTo = consent.liftedText
    defer { r.consent = outcome }
    guard outcome.given, let by = outcome.by else {
      if r.verdict == .breach, !outcome.sources.isEmpty {
        r.notes.append(.noConsentQualifies)
      }
      return
    }
    if let lifted = consent.lifted {
      var l = clause
      l.requirements = lifted
      l.consent = nil
      // With consent, the higher limit is the clause's limit: its largest amount is solved
      // against it, and the covenant's capacity uses it too.
      if var s = samples {
        s.requirementSets[ci] = nil
        r.largestAmount = try solveBound(ci, &s, clause: l)
        samples = s
      }
      guard r.verdict == .breach || r.verdict == .warning else {
        r.notes.append(.consentNotNeededWithinLimit(by: by))
        return
      }
      let testSnapshot = deal == nil || clause.testedOn != .proForma
      if testSnapshot {
        if clause.needsDeal, deal != nil, var d = dealSnapshot {
          r.snapshot = try evaluate(l, &d)
          dealSnapshot = d
        } else {
          r.snapshot = try evaluate(l, &snap)
        }
      }
      if r.proForma != nil, var p = pro {
        r.proForma = try evaluate(l, &p)
        pro = p
      }
      r.verdict = (r.proForma ?? r.snapshot)?.verdict ?? r.verdict
      outcome.applied = true
      r.notes.append(.limitLifted(to: consent.liftedText, by: by))
      return
    }
    // Consent lifts a breach; a clause within its limit (or only warning) keeps its verdict.
    guard r.verdict == .breach else {
      r.notes.append(.consentNotNeeded(by: by))
      return
    }
    r.verdict = .notApplicable
    r.largestAmount = nil
    outcome.applied = true
    r.notes.append(.liftedByConsent(by: by))
  }
}
