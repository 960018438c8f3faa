import CovenantValues
import CovenantSyntax

/// The checked program: names resolved to slots and field indices, every node typed. This is
/// what the evaluator runs; it never sees the parsed tree.
public struct TExpr: Hashable, Sendable {
  public var kind: Kind
  public var type: ValueType
  public var span: SourceSpan
  /// True when the value can differ between deals (it reads `deal`, or the joined list pro forma).
  public var usesDeal: Bool
  /// True when the value reads the list that deals join (so the clause is tested pro forma).
  public var usesJoinedList: Bool

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
    case invalid
  }
}

public struct AggregatePlan: Hashable, Sendable {
  /// Index of this aggregate in the covenant, the key of its cached value.
  public var id: Int
  public var function: AggregateFunction
  public var list: TExpr
  /// The element is bound to this local slot while `value`, `weight` and `filter` run.
  public var slot: Int
  public var value: TExpr?
  public var weight: TExpr?
  public var filter: TExpr?
  /// Set when the filter selects elements by one field (`where sector = that sector`,
  /// `where issuer = deal.target`): the aggregate is computed for every value of `keyField` in
  /// one pass and `key` picks the value, so a group or a deal costs a lookup, not a scan.
  public var keyField: Int?
  public var key: TExpr?
  /// Reads no element of an enclosing scope and no group key: one value per evaluation.
  public var invariant: Bool
  /// Also independent of the deal: computed once over the snapshot's list and reused for every
  /// deal, with only the joined deal folded in.
  public var cacheable: Bool
}

public struct QuantifierPlan: Hashable, Sendable {
  public var id: Int
  public var quantifier: Quantifier
  public var list: TExpr
  public var slot: Int
  public var filter: TExpr?
  public var body: TExpr
  public var invariant: Bool
  public var cacheable: Bool
  public var labelField: Int?
}

public struct CheckedDefinition: Hashable, Sendable {
  public var name: String
  public var value: TExpr
}

public struct CheckedRequirement: Hashable, Sendable {
  public var expr: TExpr
  /// The requirement as written, for reports.
  public var source: String
  public var span: SourceSpan
}

public struct CheckedClause: Hashable, Sendable {
  public var id: String
  public var title: String?
  public var text: String?
  public var span: SourceSpan
  public var appliesWhen: [TExpr]
  public var effectiveFrom: TExpr?
  public var until: TExpr?
  public var testedOn: TestedOn
  public var severityWarning: Bool
  public var group: Group?
  public var requirements: [CheckedRequirement]
  public var warn: Warn?
  public var approval: [ResolvedPartyRef]?
  public var votes: CheckedVoteRule?
  /// `quorum 75% of voting power` on its own line: tested on all voting power.
  public var quorum: CheckedVoteRule? = nil
  public var waivableBy: [ResolvedPartyRef]
  /// The clause reads the deal: without a deal it is not applicable.
  public var needsDeal: Bool
  /// Figures the clause requires the report to show (`report …`); they check nothing.
  public var reports: [CheckedRequirement] = []

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
  public var asOfField: Int?
  public var fxField: Int?
  public var aggregateCount: Int
  public var quantifierCount: Int
  public var localCount: Int
}

extension CheckedClause {
  /// `§4.2(a)`, `4.2(a)` and `§ 4.2(a)` all name the same clause.
  public static func normalizedID(_ s: String) -> String {
    var t = Substring(s)
    if t.hasPrefix("§") { t = t.dropFirst() }
    return String(t.drop(while: { $0 == " " }))
  }
}
