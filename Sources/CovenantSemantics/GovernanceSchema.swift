import CovenantSyntax

/// A vote as the covenant reads it from the data (the data's words are declared, e.g.
/// `for = "for" | "yes"`).
public enum VoteChoice: String, Hashable, Sendable { case yes = "for", no = "against", abstain }

/// Where a covenant's governance data is and how its keys are named, checked from its
/// `governance … from …` declarations. The data loader reads exactly this and nothing else:
/// a covenant without such declarations reads no `votes`, `approvals` or `waivers` key.
public struct CheckedGovernance: Hashable, Sendable {
  public enum File: String, Hashable, Sendable { case snapshot, deal }

  /// A JSON location: `"governance.members"` in the snapshot.
  public struct Location: Hashable, Sendable {
    public var file: File
    public var path: String
    public var keys: [String]
    /// Missing data is "none recorded" rather than an error.
    public var optional: Bool
  }

  public struct Members: Hashable, Sendable {
    public var location: Location
    public var idKey = "id"
    public var nameKey: String?
    /// Voting power of each member; nil: the covenant's weights, or one vote each.
    public var powerKey: String?
    /// `class sponsor = "is_sponsor"`: members whose key is true are of the class.
    public var classFlags: [(name: String, key: String)] = []
    /// `class = "role"`: the class is named by a text (or a list of texts) under this key.
    public var classKey: String?

    public static func == (a: Members, b: Members) -> Bool {
      a.location == b.location && a.idKey == b.idKey && a.nameKey == b.nameKey && a.powerKey == b.powerKey
        && a.classFlags.map(\.name) == b.classFlags.map(\.name) && a.classFlags.map(\.key) == b.classFlags.map(\.key) && a.classKey == b.classKey
    }
    public func hash(into h: inout Hasher) { h.combine(location) }
  }

  public struct Votes: Hashable, Sendable {
    public var location: Location
    public var partyKey = "party"
    public var voteKey = "vote"
    /// The words of the data for each vote: `for = "for" | "yes"`.
    public var words: [String: VoteChoice] = ["for": .yes, "against": .no, "abstain": .abstain]
  }

  /// A list of member ids, or of records whose `partyKey` names the member.
  public struct PartyList: Hashable, Sendable {
    public var location: Location
    public var partyKey = "party"
  }

  public enum Approvals: Hashable, Sendable {
    case list(PartyList)
    /// `governance approvals from votes`: a member approves by voting for.
    case fromVotes
  }

  public struct Waivers: Hashable, Sendable {
    public var location: Location
    public var clauseKey = "clause"
    public var approvedByKey = "approved_by"
    public var grantedKey = "granted"
    public var expiresKey = "expires"
    public var idKey: String?
  }

  /// Consents recorded in the data (`governance consents from …`): clause, body, dates, deal.
  public struct Consents: Hashable, Sendable {
    public var location: Location
    public var clauseKey = "clause"
    public var bodyKey = "body"
    public var grantedKey = "granted"
    public var expiresKey = "expires"
    public var idKey: String?
    /// The deal a consent covers; a consent naming another deal does not cover this one.
    public var dealKey: String?
  }

  public var members: Members?
  public var votes: Votes?
  public var consents: Consents?
  public var approvals: Approvals?
  public var conflicted: PartyList?
  public var waivers: Waivers?
  /// The deal's date, against which waivers' windows are tested.
  public var date: Location?

  public var isEmpty: Bool { members == nil && votes == nil && approvals == nil && conflicted == nil && waivers == nil && date == nil && consents == nil }
}

extension Checker {
  static let governanceKeys: [GovernanceDecl.Subject: [String]] = [
    .members: ["id", "name", "power", "class"],
    .votes: ["party", "vote", "for", "against", "abstain"],
    .approvals: ["party"],
    .conflicted: ["party"],
    .waivers: ["clause", "approved_by", "granted", "expires", "id"],
    .date: [],
    .consents: ["clause", "body", "granted", "expires", "id", "deal"],
  ]

  mutating func declareGovernance(_ covenant: Covenant) -> CheckedGovernance {
    var g = CheckedGovernance()
    var seen: [GovernanceDecl.Subject: SourceSpan] = [:]
    for decl in covenant.declarations {
      guard case .governance(let d) = decl else { continue }
      if let first = seen[d.subject] {
        report(SemanticDiagnostics.governanceDeclaration(.declaredTwice(d.subject.rawValue, firstOnLine: file.line(of: first.start))), d.subjectSpan)
        continue
      }
      seen[d.subject] = d.subjectSpan
      checkGovernanceDecl(d, into: &g)
    }
    return g
  }

  /// One `governance … from …` declaration (or a body's `members/votes/conflicted from …`), its
  /// bindings checked, into `g`.
  mutating func checkGovernanceDecl(_ d: GovernanceDecl, into g: inout CheckedGovernance) {
      var values: [String: [String]] = [:]
      var classFlags: [(name: String, key: String)] = []
      let allowed = Self.governanceKeys[d.subject] ?? []
      for b in d.bindings {
        guard allowed.contains(b.key.text) else {
          report(SemanticDiagnostics.governanceDeclaration(.notAKey(b.key.text, subject: d.subject.rawValue, allowed: allowed, suggestion: suggestion(b.key.text, allowed))), b.key.span)
          continue
        }
        if b.key.text == "class", let q = b.qualifier {
          classFlags.append((q.text, b.values[0]))
          continue
        }
        if values[b.key.text] != nil {
          report(SemanticDiagnostics.governanceDeclaration(.boundTwice(b.key.text)), b.key.span)
          continue
        }
        let isWordList = ["for", "against", "abstain"].contains(b.key.text)
        if !isWordList && b.values.count > 1 {
          report(SemanticDiagnostics.governanceDeclaration(.severalKeys(b.key.text, count: b.values.count)), b.span)
          continue
        }
        if b.values.contains(where: \.isEmpty) {
          report(SemanticDiagnostics.governanceDeclaration(.emptyKey), b.span)
          continue
        }
        values[b.key.text] = b.values
      }
      let location = d.path.map { p in
        CheckedGovernance.Location(file: d.source == .deal ? .deal : .snapshot, path: p,
          keys: p.split(separator: ".", omittingEmptySubsequences: false).map(String.init), optional: d.optional)
      }
      if let location, location.keys.contains(where: \.isEmpty) {
        report(SemanticDiagnostics.governanceDeclaration(.notAPath(location.path)), d.span)
        return
      }
      func one(_ k: String) -> String? { values[k]?.first }
      switch d.subject {
      case .members:
        guard let location else { return }
        var m = CheckedGovernance.Members(location: location)
        m.idKey = one("id") ?? "id"
        m.nameKey = one("name")
        m.powerKey = one("power")
        m.classKey = one("class")
        m.classFlags = classFlags
        g.members = m
      case .votes:
        guard let location else { return }
        var v = CheckedGovernance.Votes(location: location)
        v.partyKey = one("party") ?? "party"
        v.voteKey = one("vote") ?? "vote"
        var words: [String: VoteChoice] = [:]
        for (key, vote) in [("for", VoteChoice.yes), ("against", .no), ("abstain", .abstain)] {
          for w in values[key] ?? [key] {
            if let other = words[w], other != vote {
              report(SemanticDiagnostics.governanceDeclaration(.voteWordTwice(w, other.rawValue, vote.rawValue)), d.span)
            }
            words[w] = vote
          }
        }
        v.words = words
        g.votes = v
      case .approvals:
        if d.source == .votes {
          g.approvals = .fromVotes
        } else if let location {
          g.approvals = .list(.init(location: location, partyKey: one("party") ?? "party"))
        }
      case .conflicted:
        guard let location else { return }
        g.conflicted = .init(location: location, partyKey: one("party") ?? "party")
      case .waivers:
        guard let location else { return }
        var w = CheckedGovernance.Waivers(location: location)
        w.clauseKey = one("clause") ?? w.clauseKey
        w.approvedByKey = one("approved_by") ?? w.approvedByKey
        w.grantedKey = one("granted") ?? w.grantedKey
        w.expiresKey = one("expires") ?? w.expiresKey
        w.idKey = one("id")
        g.waivers = w
      case .date:
        g.date = location
      case .consents:
        guard let location else { return }
        var c = CheckedGovernance.Consents(location: location)
        c.clauseKey = one("clause") ?? c.clauseKey
        c.bodyKey = one("body") ?? c.bodyKey
        c.grantedKey = one("granted") ?? c.grantedKey
        c.expiresKey = one("expires") ?? c.expiresKey
        c.idKey = one("id")
        c.dealKey = one("deal")
        g.consents = c
      }
  }

  /// Classes a party reference may name: those of the covenant's parties and those the member
  /// data declares; nil when the data names classes freely (`class = "role"`).
  func knownClasses(_ g: CheckedGovernance) -> Set<String>? {
    if g.members?.classKey != nil { return nil }
    return Set(parties.flatMap(\.classes)).union(g.members?.classFlags.map(\.name) ?? [])
  }

  /// A clause that counts votes, needs approvals, conflicts or waivers must say where they are:
  /// otherwise every deal file would be read as "no votes" and breach without a word.
  mutating func requireGovernanceData(_ clause: CheckedClause, _ c: ClauseDecl, _ g: CheckedGovernance) {
    func missing(_ what: String, _ example: String, _ span: SourceSpan) {
      report(SemanticDiagnostics.governanceData(.clauseData(c.id, what: what, example: example)), span)
    }
    for item in c.items {
      switch item {
      case .votes(let rule) where rule.body != nil:
        if let b = bodyIndex[rule.body!.text], bodies[b].votes == nil {
          missing("counts the votes of `\(rule.body!.text)`", "votes from deal \"lpac_votes\" with party = \"member\"` in `body \(rule.body!.text)", rule.span)
        }
      case .consent(let rule):
        // A body consents by a vote or by a consent on record: the covenant must read one of them.
        for s in rule.sources {
          guard case .name(let n) = s.source.kind, let b = bodyIndex[n.text] else { continue }
          if bodies[b].votes == nil && g.consents == nil {
            missing("may be consented to by `\(n.text)`", "governance consents from deal \"consents\" optional` (or `votes from …` in `body \(n.text)`", s.source.span)
          }
        }
      case .votes(let rule):
        if g.votes == nil { missing("counts votes", "governance votes from deal \"votes\" with party = \"member\", vote = \"vote\"", rule.span) }
        if rule.excludeConflicted && g.conflicted == nil {
          missing("excludes conflicted parties", "governance conflicted from deal \"conflicted\"", rule.span)
        }
      case .quorum(_, _, let span):
        if g.votes == nil { missing("needs a quorum of votes", "governance votes from deal \"votes\"", span) }
      case .approvedBy(let rule):
        if g.approvals == nil { missing("needs approvals", "governance approvals from deal \"approvals\" (or `governance approvals from votes`)", rule.span) }
      case .waivableBy(_, let span):
        if g.waivers == nil { missing("may be waived", "governance waivers from deal \"waivers\"", span) }
      default: break
      }
    }
  }
}
