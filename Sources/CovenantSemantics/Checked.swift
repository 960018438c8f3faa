import CovenantValues
import CovenantSyntax

/// The checked program: names resolved to slots and field indices, every node typed. This is
/// what the evaluator runs; it never sees the parsed tree.
public struct TExpr: Hashable, Sendable {
  // Stored in this order so that the type's 17 bytes and the two flags share the last words:
  // 48 bytes a node, not 56 (nodes are stored inline in their parents' boxes).
  public var kind: Kind
  public var span: SourceSpan
  public var type: ValueType
  /// True when the value can differ between deals (it reads `deal`, or the joined list pro forma).
  public var usesDeal: Bool
  /// True when the value reads the list that deals join (so the clause is tested pro forma).
  public var usesJoinedList: Bool

  public init(kind: Kind, type: ValueType, span: SourceSpan, usesDeal: Bool, usesJoinedList: Bool) {
    self.kind = kind
    self.span = span
    self.type = type
    self.usesDeal = usesDeal
    self.usesJoinedList = usesJoinedList
  }

  public indirect enum Kind: Hashable, Sendable {
    case constant(Value)
    case definition(Int)
    case snapshotRoot
    case dealRoot
    case local(Int)
    case groupKey
    case field(TExpr, Int)
    case negate(TExpr)
    case not(TExpr)
    case arithmetic(BinaryOp, TExpr, TExpr)
    case compare(BinaryOp, TExpr, TExpr)
    case logic(BinaryOp, TExpr, TExpr)
    case membership(negated: Bool, TExpr, [TExpr])
    case convert(TExpr, String)
    case aggregate(AggregatePlan)
    case quantifier(QuantifierPlan)
    /// `x is missing` (`missing: true`) / `x is present`: never undefined itself.
    case presence(TExpr, missing: Bool)
    /// `if c then a else b`: undefined when `c` is.
    case conditional(TExpr, TExpr, TExpr)
    /// `max of [a, b, …]` / `min of [a, b, …]`: the largest / smallest of values; undefined when one is.
    case extremum(max: Bool, [TExpr])
    /// `sum of quarters.ebitda over the last 4 periods` (see `Evaluation/Periods.swift`).
    case trailing(TrailingPlan)
    case invalid
  }
}

/// An aggregate of the checked tree. The checker fills in what it means (function, list, value,
/// weight, filter, the element's local slot); how to compute it (`id`, the key selector,
/// `invariant`, `cacheable`) is decided by the planner (CovenantPlanning's `Planner`), which the
/// driver runs between checking and evaluation. Unplanned, it has no id and every filter is
/// whole: still correct to evaluate, but recomputed every time.
public struct AggregatePlan: Hashable, Sendable {
  public var function: AggregateFunction
  public var list: TExpr
  /// The element is bound to this local slot while `value`, `weight` and `filter` run.
  public var slot: Int
  public var value: TExpr?
  public var weight: TExpr?
  /// The `where` condition; once planned, without the key selector split out of it.
  public var filter: TExpr?
  /// Planned: index of this aggregate in the covenant, the key of its cached value; -1 before.
  public var id: Int = -1
  /// Set when the filter selects elements by one field (`where sector = that sector`,
  /// `where issuer = deal.target`): the aggregate is computed for every value of `keyField` in
  /// one pass and `key` picks the value, so a group or a deal costs a lookup, not a scan.
  public var keyField: Int? = nil
  public var key: TExpr? = nil
  /// Reads no element of an enclosing scope and no group key: one value per evaluation.
  public var invariant = false
  /// Also independent of the deal: computed once over the snapshot's list and reused for every
  /// deal, with only the joined deal folded in.
  public var cacheable = false

  /// The planner has numbered and annotated it.
  public var isPlanned: Bool { id >= 0 }
}

/// A quantifier of the checked tree; `id`, `invariant` and `cacheable` are the planner's, as for
/// `AggregatePlan`.
public struct QuantifierPlan: Hashable, Sendable {
  public var quantifier: Quantifier
  public var list: TExpr
  public var slot: Int
  public var filter: TExpr?
  public var body: TExpr
  public var labelField: Int?
  public var id: Int = -1
  public var invariant = false
  public var cacheable = false
}

public struct CheckedDefinition: Hashable, Sendable {
  public var name: String
  public var value: TExpr
}

public struct CheckedRequirement: Hashable, Sendable {
  public var expr: TExpr
  public var span: SourceSpan
  /// The requirement as written, for reports: the file's text at `span`, read when asked (a copy
  /// per requirement was ~80 bytes a clause of a 90,000-clause covenant), or the text given.
  public var source: String {
    get {
      switch text {
      case .file(let bytes): SourceFile.text(bytes, span)
      case .written(let s): s
      }
    }
    set { text = .written(newValue) }
  }
  private var text: Text

  private enum Text: Sendable {
    /// The file's bytes (shared with `SourceFile.bytes`, not copied).
    case file([UInt8])
    case written(String)
  }

  public init(expr: TExpr, source: String, span: SourceSpan) {
    self.expr = expr
    self.span = span
    self.text = .written(source)
  }

  /// The requirement written at `span` of `file`.
  public init(expr: TExpr, file: SourceFile, span: SourceSpan) {
    self.expr = expr
    self.span = span
    self.text = .file(file.bytes)
  }

  public static func == (a: CheckedRequirement, b: CheckedRequirement) -> Bool {
    a.expr == b.expr && a.span == b.span && a.source == b.source
  }
  public func hash(into h: inout Hasher) {
    h.combine(expr)
    h.combine(span)
    h.combine(source)
  }
}

/// Most clauses are a requirement or two: what a few use (conditions, dates, a group, a warning
/// level, approvals, votes, a window, a consent exception, reported figures, exceptions and
/// cross-references) is kept in one box, so a clause without them costs its common fields only
/// (a covenant of 90,000 small clauses held several hundred bytes of empty optionals and arrays
/// per clause). Reads and writes go through the properties below.
public struct CheckedClause: Hashable, Sendable {
  public var id: String
  public var title: String?
  public var text: String?
  public var span: SourceSpan
  public var testedOn: TestedOn
  public var severityWarning: Bool
  /// The clause reads the deal: without a deal it is not applicable.
  public var needsDeal: Bool
  public var requirements: [CheckedRequirement]
  /// nil while every rarely used part is absent.
  private var rare: RareBox?

  public init(
    id: String, title: String?, text: String?, span: SourceSpan, appliesWhen: [TExpr], effectiveFrom: TExpr?,
    until: TExpr?, testedOn: TestedOn, severityWarning: Bool, group: Group?, requirements: [CheckedRequirement],
    warn: Warn?, approval: [ResolvedPartyRef]?, votes: CheckedVoteRule?, waivableBy: [ResolvedPartyRef], needsDeal: Bool
  ) {
    self.id = id
    self.title = title
    self.text = text
    self.span = span
    self.testedOn = testedOn
    self.severityWarning = severityWarning
    self.requirements = requirements
    self.needsDeal = needsDeal
    updateRare {
      $0.appliesWhen = appliesWhen
      $0.waivableBy = waivableBy
      $0.effectiveFrom = effectiveFrom
      $0.until = until
      $0.group = group
      $0.warn = warn
      $0.approval = approval
      $0.votes = votes
    }
  }

  private struct Rare: Hashable, Sendable {
    var appliesWhen: [TExpr] = []
    var waivableBy: [ResolvedPartyRef] = []
    var reports: [CheckedRequirement] = []
    var exceptions: [Exception] = []
    var displacedBy: [Displacement] = []
    var subjectTo: [Int] = []
    var bodyVotes: [CheckedVoteRule] = []
    var effectiveFrom: TExpr?
    var until: TExpr?
    var group: Group?
    var warn: Warn?
    var approval: [ResolvedPartyRef]?
    var votes: CheckedVoteRule?
    var quorum: CheckedVoteRule?
    var window: PeriodWindow?
    var consent: CheckedConsent?

    /// `self == Rare()`, field by field without building one and comparing every part (a clause
    /// is written a dozen times while it is checked).
    var isEmpty: Bool {
      appliesWhen.isEmpty && waivableBy.isEmpty && reports.isEmpty && exceptions.isEmpty && displacedBy.isEmpty
        && subjectTo.isEmpty && bodyVotes.isEmpty && effectiveFrom == nil && until == nil && group == nil && warn == nil
        && approval == nil && votes == nil && quorum == nil && window == nil && consent == nil
    }
  }

  /// Immutable, so copies of a clause share it; a write makes a new one (`updateRare`).
  private final class RareBox: Hashable, Sendable {
    let value: Rare
    init(_ value: Rare) { self.value = value }
    static func == (a: RareBox, b: RareBox) -> Bool { a === b || a.value == b.value }
    func hash(into h: inout Hasher) { value.hash(into: &h) }
  }

  private mutating func updateRare(_ change: (inout Rare) -> Void) {
    var r = rare?.value ?? Rare()
    change(&r)
    // All absent: no box, so that equal clauses compare equal however they were built.
    rare = r.isEmpty ? nil : RareBox(r)
  }

  public var appliesWhen: [TExpr] {
    get { rare?.value.appliesWhen ?? [] }
    set { updateRare { $0.appliesWhen = newValue } }
  }
  public var waivableBy: [ResolvedPartyRef] {
    get { rare?.value.waivableBy ?? [] }
    set { updateRare { $0.waivableBy = newValue } }
  }
  /// Figures the clause requires the report to show (`report …`); they check nothing.
  public var reports: [CheckedRequirement] {
    get { rare?.value.reports ?? [] }
    set { updateRare { $0.reports = newValue } }
  }
  /// `sections §4.9, §4.10 do not apply when …`: the exceptions this clause makes to others.
  public var exceptions: [Exception] {
    get { rare?.value.exceptions ?? [] }
    set { updateRare { $0.exceptions = newValue } }
  }
  /// The clauses that can disapply this one, resolved to indices of `CheckedCovenant.clauses`:
  /// others' `notwithstanding` and exceptions naming it. The evaluator disapplies it when one of
  /// them is engaged (grammar.md, *Cross-references*).
  public var displacedBy: [Displacement] {
    get { rare?.value.displacedBy ?? [] }
    set { updateRare { $0.displacedBy = newValue } }
  }
  /// `subject to §…`: the clauses that prevail over this one (indices). Both are applied — two
  /// limits that must both be met — and the report shows each one's verdict beside this clause.
  public var subjectTo: [Int] {
    get { rare?.value.subjectTo ?? [] }
    set { updateRare { $0.subjectTo = newValue } }
  }
  /// Votes of named bodies (`approved by majority in interest of lps`, `votes of lpac in favour …`).
  public var bodyVotes: [CheckedVoteRule] {
    get { rare?.value.bodyVotes ?? [] }
    set { updateRare { $0.bodyVotes = newValue } }
  }
  public var effectiveFrom: TExpr? {
    get { rare?.value.effectiveFrom }
    set { updateRare { $0.effectiveFrom = newValue } }
  }
  public var until: TExpr? {
    get { rare?.value.until }
    set { updateRare { $0.until = newValue } }
  }
  public var group: Group? {
    get { rare?.value.group }
    set { updateRare { $0.group = newValue } }
  }
  public var warn: Warn? {
    get { rare?.value.warn }
    set { updateRare { $0.warn = newValue } }
  }
  public var approval: [ResolvedPartyRef]? {
    get { rare?.value.approval }
    set { updateRare { $0.approval = newValue } }
  }
  public var votes: CheckedVoteRule? {
    get { rare?.value.votes }
    set { updateRare { $0.votes = newValue } }
  }
  /// `quorum 75% of voting power` on its own line: tested on all voting power.
  public var quorum: CheckedVoteRule? {
    get { rare?.value.quorum }
    set { updateRare { $0.quorum = newValue } }
  }
  /// `for each window of 4 consecutive periods in quarters:`: the requirements are evaluated once
  /// per window, with the window's last period end as the test date of trailing figures.
  public var window: PeriodWindow? {
    get { rare?.value.window }
    set { updateRare { $0.window = newValue } }
  }
  /// `without consent of …` / `with consent of … up to …`.
  public var consent: CheckedConsent? {
    get { rare?.value.consent }
    set { updateRare { $0.consent = newValue } }
  }

  /// An exception in a section of its own: while `condition` holds (and the clause making it
  /// is in force), the clauses named are not applied.
  public struct Exception: Hashable, Sendable {
    /// Clause ids as written, without `§`.
    public var clauses: [String]
    public var condition: TExpr
    public var source: String
  }
  public struct Displacement: Hashable, Sendable {
    public enum Form: String, Hashable, Sendable {
      case notwithstanding, subjectTo = "subject to", exception
    }
    /// The prevailing clause (index in `CheckedCovenant.clauses`).
    public var clause: Int
    public var form: Form
    /// For an exception, which of the prevailing clause's exceptions.
    public var exception: Int? = nil
  }
  /// Any governance test (approvals, votes, a quorum, a body's vote): decided by the deal's votes.
  public var hasGovernance: Bool { approval != nil || votes != nil || quorum != nil || !bodyVotes.isEmpty }

  public struct Group: Hashable, Sendable {
    public var list: TExpr
    public var field: Int
    public var fieldName: String
    public var slot: Int
  }
  public struct Warn: Hashable, Sendable {
    public var above: Bool
    public var fraction: Exact
    /// `warn at or above` / `warn at or below`: the warning level itself warns.
    public var inclusive = false
  }
}

public enum ResolvedPartyRef: Hashable, Sendable {
  case party(Int)
  case anyOf(String)
  case allOf(String)
}

public struct CheckedParty: Hashable, Sendable {
  public var name: String
  public var displayName: String?
  public var weight: Exact?
  public var weightIsPercent: Bool
  public var classes: [String]
  /// How the data names the party (`id "UST"`), its covenant name otherwise.
  public var dataID: String
}

public struct CheckedVoteRule: Hashable, Sendable {
  public var comparison: BinaryOp
  public var fraction: Exact
  public var base: VoteRule.Base
  public var quorum: Exact?
  public var quorumComparison: BinaryOp
  public var countAbstentions: Bool
  public var excludeConflicted: Bool
  public var castingVote: Int?
  /// `quorum 75% of voting power` alone: only the quorum is tested.
  public var quorumOnly = false
  /// The voting body (an index into `CheckedCovenant.bodies`); nil: the covenant's members.
  public var body: Int? = nil
  /// How the rule was written, for the report: `majority in interest of lps`.
  public var label: String? = nil
}

public struct CheckedProForma: Hashable, Sendable {
  /// Index of the snapshot field holding the joined list.
  public var listField: Int
  public var record: Int
  /// One expression per field of the joined record (defaults filled in).
  public var fields: [TExpr]
  /// The deal field that becomes the new element's value, if it is a plain deal field; the
  /// headroom solver varies it.
  public var amountField: Int?
  public var valueField: Int?
}

public struct CheckedCovenant: Sendable {
  public var file: SourceFile
  public var title: String
  public var version: String?
  public var schema: Schema
  public var definitions: [CheckedDefinition]
  public var clauses: [CheckedClause]
  public var proForma: CheckedProForma?
  public var parties: [CheckedParty]
  public var governance: CheckedGovernance
  /// Voting bodies of their own (`body lps …`), each with its members, weights and rules.
  public var bodies: [CheckedBody] = []
  public var asOfField: Int?
  public var fxField: Int?
  public var localCount: Int
  /// Clause indices in an order where every clause comes after those that can disapply it
  /// (the `notwithstanding` / `subject to` / exception relation, acyclic by C082); empty when
  /// the covenant has no cross-references.
  public var precedenceOrder: [Int] = []
}

/// `sum of quarters.ebitda over the last 4 periods`: an aggregate over the `periods` most recent
/// elements of a list of dated periods whose end is on or before the test date. Checked as the
/// aggregate it wraps (same slot and value), so it shares the aggregate's checks.
public struct TrailingPlan: Hashable, Sendable {
  public var function: AggregateFunction
  public var list: TExpr
  public var slot: Int
  public var value: TExpr?
  /// `where …`: only the periods it selects count (`count of quarters where cure > $0 over …`);
  /// once planned, a selector by one field is kept apart, as for an aggregate.
  public var filter: TExpr? = nil
  public var periods: Int
  public var calendar: PeriodCalendarRef
  /// Planned (CovenantPlanning): the key of this figure's period series, numbered with the
  /// aggregates; -1 before.
  public var id: Int = -1
  public var keyField: Int? = nil
  public var key: TExpr? = nil

  public var isPlanned: Bool { id >= 0 }
}

/// A list of dated periods and the fields that date them.
public struct PeriodCalendarRef: Hashable, Sendable {
  public var list: TExpr
  public var endField: Int
  public var startField: Int?
  /// The list as written (`financials.quarters`), for reports and messages.
  public var listText: String
}

/// `for each window of N consecutive periods in LIST:`.
public struct PeriodWindow: Hashable, Sendable {
  public var periods: Int
  public var calendar: PeriodCalendarRef
}

extension CheckedClause {
  /// `§4.2(a)`, `4.2(a)` and `§ 4.2(a)` all name the same clause.
  public static func normalizedID(_ s: String) -> String {
    var t = Substring(s)
    if t.hasPrefix("§") { t = t.dropFirst() }
    return String(t.drop(while: { $0 == " " }))
  }
}
