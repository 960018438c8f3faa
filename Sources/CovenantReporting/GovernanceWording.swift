import CovenantValues
import CovenantEvaluation

/// The words of a clause's votes and approvals and of the capacity's breakpoints: evaluation
/// says what was counted (`GovernanceOutcome.Line`, `Capacity.Breakpoint`), the report says it
/// in English, the same in every format.
public enum GovernanceWording {
  public static func lines(_ g: GovernanceOutcome) -> [String] { g.lines.map(line) }

  public static func line(_ l: GovernanceOutcome.Line) -> String {
    switch l {
    case .approvals(let fromVotes, let given, let missing):
      let by = fromVotes ? "votes for" : "approvals"
      let list = given.joined(separator: ", ")
      return missing.isEmpty
        ? "\(by): \(list.isEmpty ? "none needed" : list)"
        : "\(by): \(list.isEmpty ? "none" : list); missing: \(missing.map(Self.missing).joined(separator: ", "))"
    case .noVotesRecorded(let quorumOnly):
      return "no votes recorded in the deal file: the \(quorumOnly ? "quorum" : "threshold") cannot be met"
    case .noBodyVotes(let rule, let body, let displayName):
      return "\(ruleName(rule)): no votes of \(body)\(displayName.map { " (\($0))" } ?? "") recorded — not met"
    case .noVotingBody:
      return "no voting body"
    case .tally(let t):
      return tally(t)
    case .excludedAsConflicted(let names):
      return "excluded as conflicted: \(names.joined(separator: ", "))"
    case .excludedByClass(let classes, let members):
      let shown = members.map { m in
        m.label + (m.vote.map { " voted \($0.rawValue)" } ?? "") + (m.weight.map { ", \(Format.number($0, style: .plain))" } ?? "")
      }
      return "excluded as \(classes.joined(separator: ", ")) (counted in neither votes nor voting power): \(shown.joined(separator: "; "))"
    case .memberQuorum(let present, let eligible, let required):
      return "quorum: \(present) of \(eligible) eligible members present, \(required) required — \(present >= required ? "met" : "not met")"
    case .noQuorumPower:
      return "quorum: no voting power to count"
    case .powerQuorum(let present, let total, let share, let cmp, let required, let style, let shareOnly, let met):
      func w(_ x: Exact) -> String { Format.number(x, style: style) }
      return "quorum: \(shareOnly ? percent(share) : "\(w(present)) of \(w(total)) = \(percent(share))") present, \(cmp.rawValue) \(percent(required)) required — \(met ? "met" : "not met")"
    case .noVotesCast(let required, let base):
      return "no votes cast: the threshold of \(percent(required)) of \(base.rawValue) cannot be met"
    case .threshold(let t):
      func w(_ x: Exact) -> String { Format.number(x, style: t.style) }
      return "in favour: \(w(t.votesFor)) of \(w(t.base)) = \(percent(t.fraction)) of \(t.over.rawValue), \(t.comparison.rawValue) \(Format.fractionText(t.required)) required — \(t.met ? "met" : "not met")"
        + (t.tie.map { "; " + tie($0) } ?? "")
    }
  }

  /// A body's vote rule as written, or `votes of lpac`.
  public static func ruleName(_ r: GovernanceOutcome.RuleName) -> String {
    switch r {
    case .written(let s): s
    case .votesOf(let body): "votes of \(body)"
    }
  }

  /// An approval not given: `lpac`, `any lpac`, `every lpac (no member is of that class)`.
  public static func missing(_ m: GovernanceOutcome.Missing) -> String {
    switch m {
    case .party(let name): name
    case .anyOf(let c): "any \(c)"
    case .everyOfNoMember(let c): "every \(c) (no member is of that class)"
    }
  }

  static func percent(_ x: Exact) -> String { Format.number(x, style: .percent) }

  /// `[rule: ]for 60 (A, B), against 40 (C), abstaining 0, absent 0 of 100 voting power`.
  static func tally(_ t: GovernanceOutcome.Tally) -> String {
    func w(_ x: Exact) -> String { Format.number(x, style: t.style) }
    func names(_ n: [String]) -> String { n.isEmpty ? "" : " (\(n.joined(separator: ", ")))" }
    return (t.rule.map { "\(ruleName($0)): " } ?? "")
      + "for \(w(t.votesFor))\(names(t.forNames)), against \(w(t.against))\(names(t.againstNames)), "
      + "abstaining \(w(t.abstaining))\(names(t.abstainingNames)), absent \(w(t.absent))\(names(t.absentNames)) of \(w(t.total))"
      + (t.oneVoteEach ? " votes" : " voting power")
  }

  static func tie(_ t: GovernanceOutcome.Tie) -> String {
    func title(_ h: GovernanceOutcome.Tie.Holder) -> String {
      switch h {
      case .party(let name): name
      case .memberClass(let c): "the \(c)"
      }
    }
    return switch t {
    case .chairFor(let n): "tie decided for by \(n)'s casting vote"
    case .chairConflicted(let n): "tie, and \(n) is excluded as conflicted, so has no casting vote"
    case .chairNotFor(let n): "tie, and \(n)'s casting vote was not for"
    case .noHolder(let body, let h): "tie, and no member of \(body) is \(title(h)), so no casting vote"
    case .severalHolders(let h, let labels):
      "tie, and \(labels.count) members are \(title(h)) (\(labels.joined(separator: ", "))), so no single casting vote"
    case .holderExcluded(let h, let label, let classes):
      "tie, and \(title(h)) (\(label)) is excluded as \(classes.joined(separator: ", ")), so has no casting vote"
    case .holderConflicted(let h, let label): "tie, and \(title(h)) (\(label)) is excluded as conflicted, so has no casting vote"
    case .holderFor(let h, let label): "tie decided for by the casting vote of \(title(h)) (\(label))"
    case .holderNotFor(let h, let label): "tie, and the casting vote of \(title(h)) (\(label)) was not for"
    }
  }

  /// `up to $10,000,000 without §7.1 (Major); above it, §7.1 applies and is not met: …`.
  public static func breakpoint(_ b: Capacity.Breakpoint, currency: String) -> String {
    func name(_ id: String, _ title: String?) -> String { "§\(id)" + (title.map { " (\($0))" } ?? "") }
    func lifted(_ ids: [String]) -> String {
      ids.isEmpty ? "" : ", and " + ClauseWording.andList(ids) + (ids.count == 1 ? " is" : " are") + " disapplied"
    }
    switch b {
    case .disapplied(let low, let id, let title, let by):
      return "above \(Format.money(low, currency)), \(name(id, title)) would apply, but it is disapplied" + (by.map { " by \($0)" } ?? "")
    case .fails(let low, let id, let title, let requires, let ids):
      return "up to \(Format.money(low, currency)) without \(name(id, title)); above it, §\(id) applies"
        + (requires.map { " and is not met: \(line($0))" } ?? " and is not met") + lifted(ids)
    case .applies(let low, let id, let title, let governed, let ids):
      return "above \(Format.money(low, currency)), \(name(id, title)) applies" + (governed ? " (met)" : "") + lifted(ids)
    }
  }
}
