import CovenantValues

/// The parsed covenant, before any name is resolved. Every node carries its span; equality of
/// expressions ignores spans so that tests (and the formatter's round-trip check) compare trees.
public struct Name: Hashable, Sendable, CustomStringConvertible {
  public var text: String
  public var span: SourceSpan
  public init(_ text: String, _ span: SourceSpan) { self.text = text; self.span = span }
  public static func == (a: Name, b: Name) -> Bool { a.text == b.text }
  public func hash(into h: inout Hasher) { h.combine(text) }
  public var description: String { text }
}

public struct Covenant: Hashable, Sendable {
  public var header: Header?
  public var declarations: [Declaration]
  public init(header: Header?, declarations: [Declaration]) {
    self.header = header
    self.declarations = declarations
  }
}

public struct Header: Hashable, Sendable {
  public var title: String
  public var version: String?
  public var baseCurrency: Name?
  public var span: SourceSpan
}

public enum Declaration: Hashable, Sendable {
  case kind(KindDecl)
  case record(RecordDecl)
  case define(DefineDecl)
  case proForma(ProFormaDecl)
  case party(PartyDecl)
  case governance(GovernanceDecl)
  case body(BodyDecl)
  case clause(ClauseDecl)

  public var span: SourceSpan {
    switch self {
    case .kind(let d): d.span
    case .record(let d): d.span
    case .define(let d): d.span
    case .proForma(let d): d.span
    case .party(let d): d.span
    case .governance(let d): d.span
    case .body(let d): d.span
    case .clause(let d): d.span
    }
  }
}

/// `kind sector = ai_datacenter | power | logistics`
public struct KindDecl: Hashable, Sendable {
  public var name: Name
  public var members: [Name]
  public var span: SourceSpan
}

/// `record holding …`, `data fund from snapshot …`, `data deal from deal …`
public struct RecordDecl: Hashable, Sendable {
  public enum Role: String, Hashable, Sendable { case record, snapshot, deal }
  public var name: Name
  public var role: Role
  public var fields: [FieldDecl]
  public var span: SourceSpan
}

public struct FieldDecl: Hashable, Sendable {
  public var name: Name
  public var type: TypeRef
  /// Where the value sits in the JSON, when not under the field's own name: `from "fund.nav_date"`.
  public var source: String?
  public var sourceSpan: SourceSpan?
  public var optional: Bool
  public var defaultValue: Expr?
  /// `in cents`: the file gives money as an integer number of minor units.
  public var inCents: Bool
  /// `currency "JPY"` or `currency from "ccy"`: the currency of a money field read as a bare number.
  public var currency: CurrencySource?
  /// `quoted JPY per USD` on an `fx` field: how the data quotes its rates.
  public var quote: FXQuote? = nil
  public var span: SourceSpan
  /// `signed`: a money field that may be negative (EBITDA, net income); plain `money` may not.
  public var signed: Bool = false
  /// `period end` / `period start`: this date field ends (starts) the period an element of a
  /// list of dated periods covers, so `… over the last 4 periods` can count periods by their
  /// dates rather than by calendar months (52/53-week fiscal quarters).
  public var period: PeriodRole? = nil

  public enum PeriodRole: String, Hashable, Sendable { case start, end }

  /// `quoted A per B`: units of A for one unit of B. One side is the base currency; the other
  /// is a currency code or the word `currency` (each currency of the rates).
  public struct FXQuote: Hashable, Sendable {
    public var units: Name
    public var per: Name
    public var span: SourceSpan
  }

  public enum CurrencySource: Hashable, Sendable {
    case fixed(Name)
    case field(String)
  }
}

public indirect enum TypeRef: Hashable, Sendable {
  case named(Name)
  case list(TypeRef)

  public var description: String {
    switch self {
    case .named(let n): n.text
    case .list(let t): "list of " + t.description
    }
  }
  public var span: SourceSpan {
    switch self {
    case .named(let n): n.span
    case .list(let t): t.span
    }
  }
}

/// `define nav = sum of holdings.value`; with parameters,
/// `define sector_exposure(s) = sum of holdings.value where sector = s`.
public struct DefineDecl: Hashable, Sendable {
  public var name: Name
  public var value: Expr
  public var span: SourceSpan
  /// The parameters of a definition used as `name(arguments)`; empty for a plain definition.
  public var parameters: [Name] = []
}

/// `pro forma: the deal joins holdings with value = deal.amount, sector = deal.sector`
public struct ProFormaDecl: Hashable, Sendable {
  public var list: Expr
  public var assignments: [Assignment]
  public var span: SourceSpan
  public struct Assignment: Hashable, Sendable {
    public var field: Name
    public var value: Expr
  }
}

/// `party treasury "United States Department of the Treasury" weight 50% class sponsor`
public struct PartyDecl: Hashable, Sendable {
  public var name: Name
  public var displayName: String?
  /// `id "UST"`: how the data names the party, when not by its covenant name.
  public var dataID: String? = nil
  public var weight: Expr?
  public var classes: [Name]
  public var span: SourceSpan
}

/// Where governance data is and how its keys are named, e.g.
/// `governance votes from deal "ballots" optional with party = "member", for = "for" | "yes"`.
/// Nothing about votes, approvals, waivers or members is read unless declared this way.
public struct GovernanceDecl: Hashable, Sendable {
  public enum Subject: String, Hashable, Sendable, CaseIterable {
    case members, votes, approvals, conflicted, waivers, date, consents
  }
  public enum Source: String, Hashable, Sendable { case snapshot, deal, votes }
  public var subject: Subject
  public var subjectSpan: SourceSpan
  public var source: Source
  /// The JSON path (`"governance.members"`); nil for `approvals from votes`.
  public var path: String?
  public var optional: Bool
  public var bindings: [Binding]
  public var span: SourceSpan

  /// `party = "member"`, `for = "for" | "yes"`, `class sponsor = "is_sponsor"`.
  public struct Binding: Hashable, Sendable {
    public var key: Name
    /// The class of `class sponsor = "…"`.
    public var qualifier: Name?
    public var values: [String]
    public var span: SourceSpan
  }
}

public struct ClauseDecl: Hashable, Sendable {
  public var id: String
  public var idSpan: SourceSpan
  public var title: String?
  public var text: String?
  public var items: [ClauseItem]
  public var span: SourceSpan
}

public enum TestedOn: String, Hashable, Sendable {
  case snapshot, proForma = "pro forma", both
}

/// What a failing requirement of a clause is: `severity warning` or `severity breach`.
public enum ClauseSeverity: String, Hashable, Sendable { case warning, breach }

public enum ClauseItem: Hashable, Sendable {
  /// `applies when deal.amount > $10 billion`
  case appliesWhen(Expr)
  /// `effective from 2027-01-01`
  case effectiveFrom(Expr)
  /// `until 2031-12-31`
  case until(Expr)
  /// `tested on snapshot | pro forma | both`
  case testedOn(TestedOn, SourceSpan)
  /// `severity warning` (a failing requirement warns instead of breaching) or `severity breach`
  /// (the default, written out). Not a requirement.
  case severity(ClauseSeverity, SourceSpan)
  /// `for each sector:` or `for each issuer in holdings:`
  case forEach(field: Name, list: Expr?, span: SourceSpan)
  /// `for each window of 4 consecutive periods in quarters:`: the requirements hold for every
  /// run of that many consecutive periods (each "period of four consecutive fiscal quarters").
  case forEachWindow(periods: Expr, list: Expr, span: SourceSpan)
  /// A requirement that must hold.
  case requirement(Expr)
  /// `report share of holdings.value where sector = that sector`: a figure the report must show
  /// (in each group of the clause's `for each`), before and after the deal; it checks nothing.
  case report(Expr, span: SourceSpan)
  /// `warn above 90% of the limit` / `warn below 110% of the limit`; `inclusive`: `warn at or
  /// above` / `warn at or below`, which also warn when the figure equals the warning level.
  case warn(above: Bool, inclusive: Bool, fraction: Expr, span: SourceSpan)
  /// `approved by treasury and mof`, `approved by any sponsor`
  case approvedBy(ApprovalRule)
  /// `votes in favour >= 2/3 of votes cast, quorum 75% of voting power`
  case votes(VoteRule)
  /// `waivable by treasury and mof`
  case waivableBy([PartyRef], SourceSpan)
  /// `quorum >= 75% of voting power`: a quorum on its own, without a voting threshold.
  case quorum(comparison: BinaryOp, fraction: Expr, span: SourceSpan)
  /// `subject to §4.2(a)`: the clauses named prevail over this one. Where one of them is in
  /// force, this clause is disapplied (grammar.md, *Cross-references*). Each name is a clause
  /// number without its `§`, with the span of the reference, so that a dangling one is shown.
  case subjectTo([Name], SourceSpan)
  /// `notwithstanding §4.9`: this clause prevails over the clauses named; while it is in force,
  /// they are disapplied.
  case notwithstanding([Name], SourceSpan)
  /// `sections §4.9, §4.10 do not apply when deal.waiver_granted`: an exception (or waiver
  /// provision) in a section of its own, covering the clauses it names while its condition holds.
  case exception(clauses: [Name], condition: Expr, span: SourceSpan)
  /// `without consent of majority in interest of lps or lpac`: the clause does not apply when
  /// consent is given; `with consent of lpac up to 25% of commitments`: its limit is lifted.
  case consent(ConsentRule)
}

/// A voting body of its own — the Limited Partners, an Advisory Committee — with its members,
/// weights, exclusions, quorum and tie rule, and where its members and votes are in the data:
///
///     body lpac "Advisory Committee"
///       members from snapshot "lpac.members" with id = "seat", class = "role"
///       votes from deal "lpac_meeting.votes" optional with party = "seat"
///       one vote each
///       quorum 3 members
///       ties decided by chair
///
/// Declared apart from the covenant's own parties so that one covenant and one data set can hold
/// a Majority-in-Interest vote and a committee vote, each counted by its own rules.
public struct BodyDecl: Hashable, Sendable {
  public enum Weighting: Hashable, Sendable {
    /// `weight by "percentage_interest"`: each member's weight is the number under this key.
    case key(String)
    /// `one vote each`.
    case oneEach
  }
  public var name: Name
  public var displayName: String?
  /// `id "LPAC"`: how recorded consents name the body, when not by its covenant name.
  public var dataID: String?
  /// `members from …`, `votes from …`, `conflicted from …`: the body's own data.
  public var sources: [GovernanceDecl]
  public var weighting: Weighting?
  public var weightingSpan: SourceSpan?
  /// `excluding class gp_affiliate`: members of these classes neither vote nor count.
  public var excluded: [Name]
  /// `quorum 3 members`.
  public var quorumMembers: Expr?
  /// `quorum 50% of voting power`.
  public var quorum: (comparison: BinaryOp, fraction: Expr)?
  /// `ties decided by chair`: a party, or the class of members that holds the casting vote.
  public var tie: Name?
  public var span: SourceSpan

  public static func == (a: BodyDecl, b: BodyDecl) -> Bool {
    a.name == b.name && a.displayName == b.displayName && a.dataID == b.dataID && a.sources == b.sources
      && a.weighting == b.weighting && a.excluded == b.excluded && a.quorumMembers == b.quorumMembers
      && a.quorum?.comparison == b.quorum?.comparison && a.quorum?.fraction == b.quorum?.fraction && a.tie == b.tie
  }
  public func hash(into h: inout Hasher) { h.combine(name) }
}

/// A consent exception of a clause: who may consent, and, for `with consent … up to`, the higher
/// limit that then applies. Clause-local: it names no other clause.
public struct ConsentRule: Hashable, Sendable {
  /// `majority in interest of lps`, `lpac`, `deal.lpac_consent`: any one of them suffices.
  public var sources: [ConsentSource]
  /// `up to 25% of commitments`: with consent the cap's limit is this instead of lifting the cap.
  public var liftedTo: Expr?
  public var span: SourceSpan
}

public struct ConsentSource: Hashable, Sendable {
  /// `majority in interest of` / `2/3 of`; nil: the body's default (see grammar.md).
  public var threshold: BodyThreshold?
  /// A body's name, or a true/false figure of the data (a consent flag).
  public var source: Expr
}

/// `majority [in interest] of BODY`, `2/3 [in interest] of BODY`: `in interest` counts the
/// body's whole voting power, otherwise the votes cast.
public struct BodyThreshold: Hashable, Sendable {
  /// nil: a majority (more than half).
  public var fraction: Expr?
  public var inInterest: Bool
  public var span: SourceSpan

  public init(fraction: Expr?, inInterest: Bool, span: SourceSpan) {
    self.fraction = fraction
    self.inInterest = inInterest
    self.span = span
  }
}

public enum PartyRef: Hashable, Sendable {
  case party(Name)
  /// `any sponsor`: one party of a class.
  case anyOf(Name)
  /// `every sponsor`: all parties of a class.
  case allOf(Name)

  public var name: Name {
    switch self {
    case .party(let n), .anyOf(let n), .allOf(let n): n
    }
  }
}

public struct ApprovalRule: Hashable, Sendable {
  public var parties: [PartyRef]
  public var span: SourceSpan
}

public struct VoteRule: Hashable, Sendable {
  package init(comparison: BinaryOp, fraction: Expr, base: VoteRule.Base, quorum: Expr? = nil, quorumComparison: BinaryOp, countAbstentions: Bool, excludeConflicted: Bool, castingVote: Name? = nil, span: SourceSpan) {
    self.comparison = comparison
    self.fraction = fraction
    self.base = base
    self.quorum = quorum
    self.quorumComparison = quorumComparison
    self.countAbstentions = countAbstentions
    self.excludeConflicted = excludeConflicted
    self.castingVote = castingVote
    self.span = span
  }
  public enum Base: String, Hashable, Sendable { case votesCast = "votes cast", votingPower = "voting power" }
  public var comparison: BinaryOp
  public var fraction: Expr
  public var base: Base
  /// `quorum 75% of voting power`
  public var quorum: Expr?
  public var quorumComparison: BinaryOp
  /// `counting abstentions`: abstentions join votes cast.
  public var countAbstentions: Bool
  /// `excluding conflicted parties`
  public var excludeConflicted: Bool
  /// `ties decided by treasury`
  public var castingVote: Name?
  public var span: SourceSpan
  /// `votes of lpac in favour …`, `approved by majority of lpac`: the body that votes; nil: the
  /// covenant's parties (or `governance members`).
  public var body: Name? = nil
  /// Written `approved by majority in interest of lps` / `approved by 2/3 of lpac`.
  public var short: BodyThreshold? = nil

  /// `majority of B` is more than half, `F of B` at least F; `in interest` of the body's whole
  /// voting power, otherwise of the votes cast.
  public static func body(_ t: BodyThreshold, _ body: Name, span: SourceSpan) -> VoteRule {
    let half = Expr(.literal(.percent(Exact(50))), t.span)
    var rule = VoteRule(comparison: t.fraction == nil ? .gt : .ge, fraction: t.fraction ?? half, base: t.inInterest ? .votingPower : .votesCast,
      quorum: nil, quorumComparison: .ge, countAbstentions: false, excludeConflicted: false, castingVote: nil, span: span)
    rule.body = body
    rule.short = t
    return rule
  }
}

public enum BinaryOp: String, Hashable, Sendable {
  case add = "+", sub = "-", mul = "*", div = "/"
  case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
  case and, or
  /// `35% of nav`
  case of
  case isIn = "in", notIn = "not in"

  public var isComparison: Bool {
    switch self {
    case .eq, .ne, .lt, .le, .gt, .ge: true
    default: false
    }
  }
}

public enum AggregateFunction: String, Hashable, Sendable, CaseIterable {
  case sum, count, min, max, average, share
  case weightedAverage = "weighted average"
}

public enum Quantifier: String, Hashable, Sendable { case every, some, no }

public struct Expr: Hashable, Sendable {
  public var kind: Kind
  public var span: SourceSpan
  public init(_ kind: Kind, _ span: SourceSpan) { self.kind = kind; self.span = span }
  public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
  public func hash(into h: inout Hasher) { h.combine(kind) }

  public indirect enum Kind: Hashable, Sendable {
    case literal(Literal)
    case name(Name)
    /// `that sector`: the current group's key inside `for each sector`.
    case that(Name)
    case member(Expr, Name)
    case negate(Expr)
    case not(Expr)
    case binary(BinaryOp, Expr, Expr)
    /// `x in JPY`: currency conversion at the snapshot's FX rates.
    case convert(Expr, Name)
    case list([Expr])
    /// `sum of holdings.value where sector = power`; `by` is the weight of a weighted average.
    case aggregate(AggregateFunction, over: Expr, where: Expr?, by: Expr?)
    /// `every holding in holdings where …: holding.domicile = US`
    case quantifier(Quantifier, variable: Name, list: Expr, where: Expr?, body: Expr)
    /// `holding.rating is missing` (`missing: true`) / `holding.rating is present`.
    case presence(Expr, missing: Bool)
    /// `if deal.amount > $1 billion then 10% else 15%`
    case conditional(Expr, then: Expr, else: Expr)
    /// `sector_exposure(that sector)`: a definition with parameters, given its arguments.
    case call(Name, [Expr])
    /// `sum of quarters.ebitda over the last 4 periods`: an aggregate (the first operand) over
    /// the most recent periods of a list of dated periods, counted as of the test date.
    case trailing(Expr, periods: Expr)
    /// Where parsing failed; the diagnostic was already reported.
    case invalid
  }
}

public enum Literal: Hashable, Sendable {
  case number(Exact)
  case percent(Exact)
  case bps(Exact)
  case multiple(Exact)
  case money(Exact, currency: String)
  case date(CalendarDate)
  case duration(Duration)
  case text(String)
  case bool(Bool)
  case country(String)
}
