import CovenantValues
import CovenantSyntax

/// Voting bodies and consent exceptions, checked. A fund agreement often has more than one body
/// that votes — the Limited Partners by Percentage Interest, an Advisory Committee one vote each —
/// and caps that yield to the consent of either. Each body is declared with its own members,
/// weights, exclusions, quorum and tie rule, so that a covenant and one data set can count a
/// Majority-in-Interest vote and a committee vote side by side, each by its own rules.
public struct CheckedBody: Hashable, Sendable {
  public enum Quorum: Hashable, Sendable {
    /// `quorum 3 members`: eligible members present (for, against or abstaining).
    case members(Int)
    /// `quorum 50% of voting power`: the share of eligible voting power present.
    case power(Exact, BinaryOp)
  }
  public enum Tie: Hashable, Sendable {
    /// A covenant party holds the casting vote.
    case party(Int)
    /// The member of this class (`chair`) holds it.
    case memberClass(String)
  }
  public var name: String
  public var displayName: String?
  /// How recorded consents name the body (`id "LPAC"`), its covenant name otherwise.
  public var dataID: String
  public var members: CheckedGovernance.Members
  public var votes: CheckedGovernance.Votes?
  public var conflicted: CheckedGovernance.PartyList?
  /// `one vote each`: weights in the data are ignored.
  public var oneVoteEach: Bool
  /// Members of these classes count on neither side of any vote of the body.
  public var excludedClasses: [String]
  public var quorum: Quorum?
  public var tie: Tie?
  /// Whether the body's weights are interests (`weight by`) rather than one vote each: a bare
  /// body in a consent then means a majority in interest, else a majority of votes cast.
  public var weighted: Bool { members.powerKey != nil && !oneVoteEach }
}

/// A checked consent exception: any one of `sources` lifts the clause (or its limit).
public struct CheckedConsent: Hashable, Sendable {
  public enum Source: Hashable, Sendable {
    /// A vote of a body meeting `rule`; a consent of the body recorded in the data also counts.
    case body(Int, CheckedVoteRule)
    /// A true/false figure of the data (`deal.lpac_consent`).
    case flag(TExpr, String)
  }
  public var sources: [Source]
  /// `with consent … up to LIMIT`: the clause's caps, with LIMIT as their limit; nil: the clause
  /// does not apply with consent.
  public var lifted: [CheckedRequirement]?
  /// `up to LIMIT` as written.
  public var liftedText: String?
}

extension Checker {
  static let bodyItems = ["members from", "votes from", "conflicted from", "weight by", "one vote each", "excluding class", "quorum", "ties decided by", "id"]

  /// Checks every `body` declaration: its data sources (as `governance` declarations are), its
  /// weighting, the classes it excludes, its quorum and its tie rule.
  mutating func declareBodies(_ covenant: Covenant) -> [CheckedBody] {
    var out: [CheckedBody] = []
    for decl in covenant.declarations {
      guard case .body(let b) = decl else { continue }
      if bodyIndex[b.name.text] != nil || partyIndex[b.name.text] != nil || isDeclaredName(b.name.text) {
        duplicateName(b.name, "body")
        continue
      }
      var g = CheckedGovernance()
      var seen: Set<GovernanceDecl.Subject> = []
      for d in b.sources {
        if !seen.insert(d.subject).inserted {
          report(SemanticDiagnostics.body(.sourceTwice(b.name.text, subject: d.subject.rawValue)), d.subjectSpan)
          continue
        }
        checkGovernanceDecl(d, into: &g)
      }
      guard var members = g.members else {
        report(SemanticDiagnostics.body(.noMembers(b.name.text)), b.name.span)
        continue
      }
      var oneEach = false
      switch b.weighting {
      case .key(let k)?:
        if let p = members.powerKey, p != k {
          report(SemanticDiagnostics.body(.weightsTwice(b.name.text, power: p, weightBy: k)), b.weightingSpan ?? b.name.span)
        }
        members.powerKey = k
      case .oneEach?:
        if members.powerKey != nil {
          report(SemanticDiagnostics.body(.oneVoteWithPower(b.name.text)), b.weightingSpan ?? b.name.span)
        }
        members.powerKey = nil
        oneEach = true
      case nil: break
      }
      // Classes the members can have: flags declared, or any when the data names them.
      let classes: Set<String>? = members.classKey != nil ? nil : Set(members.classFlags.map(\.name)).union(parties.flatMap(\.classes))
      func knownClass(_ n: Name, _ what: String) -> Bool {
        guard let classes, !classes.contains(n.text) else { return true }
        report(SemanticDiagnostics.body(.unknownClass(b.name.text, what: what, className: n.text, suggestion: suggestion(n.text, Array(classes)))), n.span)
        return false
      }
      let excluded = b.excluded.filter { knownClass($0, "excludes") }.map(\.text)
      var quorum: CheckedBody.Quorum?
      if let q = b.quorumMembers {
        let t = checkExpr(q)
        if case .constant(.number(let x)) = t.kind, x.isInteger, x.signum > 0, let n = Int(x.description) {
          quorum = .members(n)
        } else if t.type != .error {
          report(SemanticDiagnostics.body(.memberQuorum), q.span)
        }
      }
      if let q = b.quorum {
        if quorum != nil { report(SemanticDiagnostics.body(.twoQuorums(b.name.text)), q.fraction.span) }
        let t = checkExpr(q.fraction)
        if case .constant(.number(let x)) = t.kind, x.signum >= 0, !(Exact.one < x) {
          quorum = .power(x, q.comparison)
        } else if t.type != .error {
          report(SemanticDiagnostics.body(.powerQuorum), q.fraction.span)
        }
      }
      var tie: CheckedBody.Tie?
      if let t = b.tie {
        if let i = partyIndex[t.text] {
          tie = .party(i)
        } else if knownClass(t, "gives the casting vote to") {
          tie = .memberClass(t.text)
        }
      }
      bodyIndex[b.name.text] = out.count
      out.append(CheckedBody(
        name: b.name.text, displayName: b.displayName, dataID: b.dataID ?? b.name.text, members: members, votes: g.votes,
        conflicted: g.conflicted, oneVoteEach: oneEach, excludedClasses: excluded, quorum: quorum, tie: tie))
    }
    return out
  }

  /// The body a rule names; an unknown one is C090 with a did-you-mean.
  mutating func resolveBody(_ n: Name) -> Int? {
    if let i = bodyIndex[n.text] { return i }
    report(SemanticDiagnostics.unknownBody(n.text, suggestion: suggestion(n.text, bodies.map(\.name)), bodies: bodies.map(\.name)), n.span)
    return nil
  }

  /// A vote of a body: the rule checked as any vote rule, then tied to its body.
  mutating func checkBodyVote(_ rule: VoteRule, _ body: Name) -> CheckedVoteRule? {
    guard let b = resolveBody(body) else {
      _ = checkExpr(rule.fraction)
      return nil
    }
    var plain = rule
    plain.body = nil
    guard var checked = checkVoteRule(plain, needsParties: false) else { return nil }
    checked.body = b
    checked.label = rule.short.map { t in Self.thresholdText(t, file) + body.text } ?? "votes of \(body.text)"
    return checked
  }

  static func thresholdText(_ t: BodyThreshold, _ file: SourceFile) -> String {
    (t.fraction.map { file.text($0.span) } ?? "majority") + (t.inInterest ? " in interest" : "") + " of "
  }

  /// `without consent of …` / `with consent of … up to LIMIT`.
  mutating func checkConsent(_ rule: ConsentRule, _ clause: CheckedClause) -> CheckedConsent? {
    var sources: [CheckedConsent.Source] = []
    for s in rule.sources {
      if case .name(let n) = s.source.kind, s.threshold != nil || bodyIndex[n.text] != nil || (s.threshold == nil && looksLikeBody(n)) {
        guard let b = resolveBody(n) else { continue }
        // A bare body: a majority in interest when it is weighted, else a majority of votes cast.
        let t = s.threshold ?? BodyThreshold(fraction: nil, inInterest: bodies[b].weighted, span: n.span)
        let vote = VoteRule.body(t, n, span: s.source.span)
        if var checked = checkBodyVote(vote, n) {
          checked.label = Self.thresholdText(t, file) + n.text
          sources.append(.body(b, checked))
        }
        continue
      }
      let t = checkExpr(s.source)
      guard t.type == .bool else {
        if t.type != .error {
          report(SemanticDiagnostics.consent(.notAConsent(file.text(s.source.span), type: schema.typeName(t.type), bodies: bodies.map(\.name))), s.source.span)
        }
        continue
      }
      sources.append(.flag(t, file.text(s.source.span)))
    }
    var out = CheckedConsent(sources: sources, lifted: nil, liftedText: nil)
    if let limit = rule.liftedTo {
      let l = checkExpr(limit)
      out.liftedText = file.text(limit.span)
      var lifted: [CheckedRequirement] = []
      for r in clause.requirements {
        guard case .compare(let op, let a, let b) = r.expr.kind, op == .le || op == .lt else {
          report(SemanticDiagnostics.consent(.liftsNoCap(r.source)), r.span)
          return nil
        }
        if l.type != .error, b.type != .error, !Self.sameUnit(l.type, b.type) {
          report(SemanticDiagnostics.consent(.liftedUnit(out.liftedText!, type: schema.typeName(l.type), requirement: r.source, capType: schema.typeName(b.type))), limit.span)
          return nil
        }
        var e = r.expr
        e.kind = .compare(op, a, l)
        e.usesDeal = a.usesDeal || l.usesDeal
        e.usesJoinedList = a.usesJoinedList || l.usesJoinedList
        lifted.append(CheckedRequirement(expr: e, source: file.text(a.span) + " " + op.rawValue + " " + out.liftedText!, span: r.span))
      }
      if lifted.isEmpty {
        report(SemanticDiagnostics.consent(.noCapBefore), limit.span)
        return nil
      }
      out.lifted = lifted
    }
    return out
  }

  /// A bare name that is not a definition or a record: taken for a body (a true/false field is
  /// written `deal.flag`), so that a misspelt or undeclared body (`lpca`) gets "unknown voting
  /// body … did you mean `lpac`" rather than "unknown name".
  func looksLikeBody(_ n: Name) -> Bool {
    definitionIndex[n.text] == nil && !schema.records.contains { $0.name == n.text }
  }

  static func sameUnit(_ a: ValueType, _ b: ValueType) -> Bool {
    switch (a, b) {
    case (.money(let x), .money(let y)): x == nil || y == nil || x == y
    case (.number, .number): true
    default: a == b
    }
  }
}
