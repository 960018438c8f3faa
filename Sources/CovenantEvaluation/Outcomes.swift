import Synchronization
import CovenantValues
import CovenantSyntax
import CovenantSemantics

/// What ranks an outcome among a long list of groups (failed, warned, how close to its limit),
/// without its figures.
public struct OutcomeStatus: Hashable, Sendable {
  public var holds: Bool?
  public var warned: Bool
  /// value ÷ limit for caps (`RequirementOutcome.utilization`).
  public var utilization: Exact?
  public var comparison: BinaryOp?

  public init(holds: Bool?, warned: Bool = false, utilization: Exact? = nil, comparison: BinaryOp? = nil) {
    self.holds = holds
    self.warned = warned
    self.utilization = utilization
    self.comparison = comparison
  }
}

extension RequirementOutcome {
  public var status: OutcomeStatus { OutcomeStatus(holds: holds, warned: warned, utilization: utilization, comparison: comparison) }
}

/// The outcomes of a clause's requirements, in order: a list like any other. A `for each` over
/// many groups (one per issuer: 917k in the largest portfolio measured) keeps only each group's
/// status (`status(at:)`, what the reports rank groups by); a group's full outcome — its
/// label, headroom, the other view of a cap — is computed when it is read, by the same
/// evaluation, so it is the outcome an eager evaluation would have kept. Reports read the
/// figures of the few groups they list, and the status of the others.
public struct RequirementOutcomes: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
  /// Outcomes kept whole: the clause's without groups, its windows, the missing-group row.
  var head: [RequirementOutcome]
  /// The groups' outcomes, after `head`, computed when read.
  var groups: GroupOutcomes?

  public init(_ outcomes: [RequirementOutcome]) {
    head = outcomes
    groups = nil
  }

  public init(arrayLiteral elements: RequirementOutcome...) { self.init(elements) }

  init(head: [RequirementOutcome], groups: GroupOutcomes?) {
    self.head = head
    self.groups = groups
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int { head.count + (groups?.count ?? 0) }

  public subscript(position: Int) -> RequirementOutcome {
    guard position >= head.count, let g = groups else { return head[position] }
    return g.outcome(position - head.count)
  }

  /// Whether it held, was warned, and how close to its limit, without computing its figures.
  public func status(at i: Int) -> OutcomeStatus {
    guard i >= head.count, let g = groups else { return head[i].status }
    return g.statuses[i - head.count]
  }

  /// The requirement as written (`RequirementOutcome.requirement`), without computing the figures.
  public func requirement(at i: Int) -> RequirementOutcome.Requirement {
    guard i >= head.count, let g = groups else { return head[i].requirement }
    return g.requirement(i - head.count)
  }

  /// For a group's row, which of its clause's requirements it is (rows with the same slot have
  /// the same requirement, whose text is read from the covenant each time it is asked); nil for
  /// a row kept whole.
  public func requirementSlot(at i: Int) -> Int? {
    guard i >= head.count, let g = groups else { return nil }
    return (i - head.count) % g.clause.requirements.count
  }

  /// The group (`RequirementOutcome.group`), without computing the figures.
  public func group(at i: Int) -> RequirementOutcome.Group? {
    guard i >= head.count, let g = groups else { return head[i].group }
    return g.group(i - head.count)
  }

  /// Whether no two rows (requirement and group) can be alike, known without computing the
  /// groups' labels: a long `for each` list whose requirements are written differently, with
  /// group keys distinct by construction and whole rows without a group. False means "not
  /// known": the caller then compares the rows themselves.
  public var rowsDistinctByConstruction: Bool {
    guard let g = groups, !g.holdsOnly, g.clause.group != nil else { return false }
    let sources = g.clause.requirements.map(\.source)
    guard Set(sources).count == sources.count else { return false }
    var seen = Set<RequirementOutcome.Requirement>()
    for h in head {
      guard h.group == nil, seen.insert(h.requirement).inserted else { return false }
    }
    return true
  }

  /// Whether `other` has the same rows (requirement and group) in the same order: a clause's
  /// outcomes before and after a deal that brings no new group. Compares the groups' keys, not
  /// their labels, when both lists are long.
  public func sameRows(_ other: RequirementOutcomes) -> Bool {
    guard count == other.count, head.count == other.head.count else { return false }
    for i in head.indices where head[i].requirement != other.head[i].requirement || head[i].group != other.head[i].group {
      return false
    }
    switch (groups, other.groups) {
    case (nil, nil): return true
    case (let a?, let b?):
      if a.clause.requirements.map(\.source) == b.clause.requirements.map(\.source), a.clause.group?.fieldName == b.clause.group?.fieldName,
        a.keys == b.keys
      {
        return true
      }
      return (0..<a.count).allSatisfy { a.requirement($0) == b.requirement($0) && a.group($0) == b.group($0) }
    default: return false
    }
  }

  /// Outcomes that share one group list (a batch's snapshot evaluation, reused by every deal)
  /// are equal without computing any group's figures: the same evaluation gives the same
  /// outcomes. Otherwise every outcome is compared.
  public static func == (a: RequirementOutcomes, b: RequirementOutcomes) -> Bool {
    // The same groups (or none) and equal kept rows: equal without computing any group's figures.
    // With no groups this was `elementsEqual`, row by row: a batch's JSON compared every deal's
    // snapshot this way (~40,000 instructions a deal), though the rows share one buffer.
    if a.groups === b.groups, a.head == b.head { return true }
    return a.count == b.count && a.elementsEqual(b)
  }

  public func hash(into h: inout Hasher) {
    h.combine(count)
    for o in self { h.combine(o) }
  }
}

/// The outcomes of a `for each` clause's requirements in every group, group by group: each one's
/// status, and the evaluation that computes its figures when they are read.
final class GroupOutcomes: @unchecked Sendable {
  /// A group's status in 24 bytes (917k issuers: 22 MB, was 48 bytes an entry): the
  /// utilization as its two reduced parts when they fit 64 bits each — every realistic share
  /// does — and otherwise kept whole in `GroupOutcomes.wide`.
  struct Entry {
    var num: Int64
    /// 0: no utilization; -1: kept whole in `wide`.
    var den: Int64
    var holds: Bool?
    var warned: Bool
    var comparison: BinaryOp?
    init(holds: Bool?, warned: Bool, comparison: BinaryOp?, utilization: Exact?) {
      (self.holds, self.warned, self.comparison) = (holds, warned, comparison)
      if let u = utilization {
        if u.isSmall, let n = Int64(exactly: u.num), let d = Int64(exactly: u.den) {
          (num, den) = (n, d)
        } else {
          (num, den) = (0, -1)
        }
      } else {
        (num, den) = (0, 0)
      }
    }
    init(_ o: RequirementOutcome) { self.init(holds: o.holds, warned: o.warned, comparison: o.comparison, utilization: o.utilization) }
  }

  /// The statuses of a clause's groups, in order: compact entries, and the rare utilization
  /// too wide for them.
  struct Statuses {
    var entries: [Entry] = []
    var wide: [Int: Exact] = [:]
    /// How many were decided by a closed form (`GroupShareCap`) rather than evaluated as
    /// written: tests check that the form they compare is the one used.
    var closedForm = 0
    mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }
    mutating func append(_ e: Entry, utilization: Exact?) {
      if e.den == -1, let u = utilization { wide[entries.count] = u }
      entries.append(e)
    }
    mutating func append(_ o: RequirementOutcome) { append(Entry(o), utilization: o.utilization) }
    var count: Int { entries.count }
    subscript(i: Int) -> OutcomeStatus {
      let e = entries[i]
      let u: Exact? = e.den > 0 ? Exact(reducedParts: Int128(e.num), Int128(e.den)) : e.den == -1 ? wide[i] : nil
      return OutcomeStatus(holds: e.holds, warned: e.warned, utilization: u, comparison: e.comparison)
    }
  }
  let runner: CovenantRunner
  let clause: CheckedClause
  let keys: [Value]
  let holdsOnly: Bool
  let statuses: Statuses
  /// The evaluator the statuses came from; each read binds the group's key in it. Reads are
  /// one at a time (its state is shared with the runner's other evaluations of this context).
  private var evaluator: Evaluator
  private let lock = Mutex(())

  init(runner: CovenantRunner, clause: CheckedClause, keys: [Value], holdsOnly: Bool, statuses: Statuses, evaluator: Evaluator) {
    self.runner = runner
    self.clause = clause
    self.keys = keys
    self.holdsOnly = holdsOnly
    self.statuses = statuses
    self.evaluator = evaluator
  }

  var count: Int { statuses.count }

  func requirement(_ i: Int) -> RequirementOutcome.Requirement {
    .written(clause.requirements[i % clause.requirements.count].source)
  }

  func group(_ i: Int) -> RequirementOutcome.Group? {
    guard !holdsOnly, let g = clause.group else { return nil }
    return .key(field: g.fieldName, value: Format.plain(keys[i / clause.requirements.count], runner.covenant.schema))
  }

  /// The outcome `evaluate` would have kept for entry `i`.
  func outcome(_ i: Int) -> RequirementOutcome {
    let n = clause.requirements.count
    let req = clause.requirements[i % n]
    let label = group(i)
    return lock.withLock { _ -> RequirementOutcome in
      evaluator.groupKey = keys[i / n]
      defer { evaluator.groupKey = .absent }
      do {
        var o = try runner.outcome(req, clause, &evaluator, holdsOnly: holdsOnly)
        try runner.attachPeriods(&o, req, &evaluator)
        o.group = label
        return o
      } catch {
        // Not reached: the same evaluation succeeded when the status was computed. The status
        // alone, rather than a trap.
        var o = RequirementOutcome(requirement: .written(req.source))
        let e = statuses[i]
        (o.holds, o.warned, o.comparison, o.utilization, o.group) = (e.holds, e.warned, e.comparison, e.utilization, label)
        return o
      }
    }
  }
}
