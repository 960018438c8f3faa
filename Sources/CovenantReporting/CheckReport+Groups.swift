import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantEvaluation

extension CheckReport {
  // MARK: - What the reports show of a long group list

  /// A row of a clause's figures as every report matches them: a requirement in one group, as
  /// facts (equal exactly when their words are), so that no label is worded to match.
  struct RowKey: Hashable {
    var requirement: RequirementOutcome.Requirement
    var group: RequirementOutcome.Group?
    init(_ list: RequirementOutcomes, _ i: Int) { (requirement, group) = (list.requirement(at: i), list.group(at: i)) }
    init(_ o: RequirementOutcome) { (requirement, group) = (o.requirement, o.group) }
  }

  /// Drops from a clause's result the group outcomes that no report shows, as soon as the clause
  /// is checked (`CovenantRunner.prune`), so that a covenant of many `for each` clauses does not
  /// hold every group's figures at once. Kept: every failed or warned group (the JSON report lists
  /// them all, SARIF and GitHub cite the first), the groups that rank in the first
  /// `groupsShown` of the text, Markdown and HTML reports (before and after the deal together)
  /// and of each JSON evaluation (alone), and each requirement's first group (the text report
  /// orders requirements by it), each with its figures before and after the deal. The counts of
  /// what was dropped (`ClauseResult.omittedRows`, `ClauseEvaluation.omittedOutcomes`) keep the
  /// reports' totals; every report of the pruned result is the report of the whole one, except
  /// a JSON report with `--all-groups`, which needs every group (do not prune for it). A clause
  /// whose rows repeat (two requirements written alike) is kept whole.
  public static func keepShown(_ c: inout ClauseResult) {
    let before = c.snapshot?.outcomes ?? [], after = c.proForma?.outcomes ?? []
    guard before.count + after.count > longGroupList, c.omittedRows == 0 else { return }
    // Rows as the reports match them: the snapshot's in order, then the deal's new ones.
    // A long group list's rows are distinct by construction, and a deal that brings no new group
    // leaves them in place: match by position, without a label per group (917k issuers), and
    // without a table of the rows.
    if before.rowsDistinctByConstruction, after.isEmpty || before.sameRows(after) {
      pruneRows(&c, before, after, MatchedRows(count: before.count, before: true, after: !after.isEmpty))
    } else if before.isEmpty, after.rowsDistinctByConstruction {
      pruneRows(&c, before, after, MatchedRows(count: after.count, before: false, after: true))
    } else {
      var rowOfBefore: [Int] = [], rowOfAfter: [Int] = []
      var rows: [(before: Int?, after: Int?)] = []
      guard matchRows(before, after, &rows, &rowOfBefore, &rowOfAfter) else { return }
      var matched = MatchedRows(count: rows.count, before: true, after: true)
      (matched.pairs, matched.rowOfBefore, matched.rowOfAfter) = (rows, rowOfBefore, rowOfAfter)
      pruneRows(&c, before, after, matched)
    }
  }

  /// A clause's rows as `keepShown` matched them: row `k`'s outcome before and after the deal,
  /// and the row of each outcome. Without the arrays, row `k` is outcome `k` of each list.
  struct MatchedRows {
    var count: Int
    var before: Bool, after: Bool
    var pairs: [(before: Int?, after: Int?)]? = nil
    var rowOfBefore: [Int]? = nil, rowOfAfter: [Int]? = nil
    subscript(k: Int) -> (before: Int?, after: Int?) { pairs?[k] ?? (before ? k : nil, after ? k : nil) }
    func row(before i: Int) -> Int { rowOfBefore?[i] ?? i }
    func row(after i: Int) -> Int { rowOfAfter?[i] ?? i }
  }

  /// Rows matched by requirement and group (a deal may bring new groups); false when rows repeat
  /// (two requirements written alike), and the clause is then kept whole.
  static func matchRows(
    _ before: RequirementOutcomes, _ after: RequirementOutcomes, _ rows: inout [(before: Int?, after: Int?)],
    _ rowOfBefore: inout [Int], _ rowOfAfter: inout [Int]
  ) -> Bool {
    var index: [RowKey: Int] = [:]
    index.reserveCapacity(max(before.count, after.count))
    for i in before.indices {
      guard index.updateValue(rows.count, forKey: RowKey(before, i)) == nil else { return false }
      rowOfBefore.append(rows.count)
      rows.append((i, nil))
    }
    var seenAfter = Set<RowKey>()
    for i in after.indices {
      let k = RowKey(after, i)
      guard seenAfter.insert(k).inserted else { return false }
      if let r = index[k] {
        rows[r].after = i
        rowOfAfter.append(r)
      } else {
        rowOfAfter.append(rows.count)
        rows.append((nil, i))
      }
    }
    return true
  }

  /// Keeps the rows some report shows (see `keepShown`), and counts the rest.
  static func pruneRows(
    _ c: inout ClauseResult, _ before: RequirementOutcomes, _ after: RequirementOutcomes, _ rows: MatchedRows
  ) {
    guard rows.count > longGroupList else { return }
    // Read in place: an outcome is a large value, and a clause may have hundreds of thousands.
    // Statuses only: a long list computes a group's figures when it is read (`RequirementOutcomes`).
    func severity(_ list: RequirementOutcomes, _ i: Int?) -> Int {
      guard let i else { return 0 }
      return CheckReport.severity(list.status(at: i))
    }
    func closeness(_ list: RequirementOutcomes, _ i: Int) -> Exact { CheckReport.closeness(list.status(at: i)) }
    var keep = [Bool](repeating: false, count: rows.count)
    var requirements = Set<RequirementOutcome.Requirement>()
    var lastRequirement: RequirementOutcome.Requirement?
    // A group row's requirement is the clause's requirement in its slot: its text is read (from
    // the covenant's bytes) once a slot, not once a row.
    var slotRequirements: [Int: RequirementOutcome.Requirement] = [:]
    func requirement(_ list: RequirementOutcomes, _ i: Int, before: Bool) -> RequirementOutcome.Requirement {
      guard let slot = list.requirementSlot(at: i) else { return list.requirement(at: i) }
      let key = before ? slot : -1 - slot
      if let r = slotRequirements[key] { return r }
      let r = list.requirement(at: i)
      slotRequirements[key] = r
      return r
    }
    // One pass: each row's statuses are read once (a long list makes each from its compact
    // entry), for both what it must keep and the ranking (`ranked`, in the same order). They are
    // not kept: an array of them was 58 MB for 917k groups.
    var ranking = Ranking()
    for k in 0..<rows.count {
      let r = rows[k]
      let sb = r.before.map { before.status(at: $0) }, sa = r.after.map { after.status(at: $0) }
      let bad = max(CheckReport.severity(sb), CheckReport.severity(sa))
      if bad > 0 { keep[k] = true }
      let first = r.before.map { requirement(before, $0, before: true) } ?? r.after.map { requirement(after, $0, before: false) }
      if let first, first != lastRequirement, requirements.insert(first).inserted { keep[k] = true }
      lastRequirement = first
      ranking.offer(k, bad: bad, utilization: sa.map { CheckReport.closeness($0) } ?? sb.map { CheckReport.closeness($0) } ?? .zero)
    }
    for k in ranking.indices { keep[k] = true }
    // A JSON evaluation lists all of a short list, and ranks a long one on its own (as the rows
    // do when there is one evaluation).
    if !before.isEmpty, !after.isEmpty {
      for (list, isBefore) in [(before, true), (after, false)] {
        let own = list.count > longGroupList ? ranked(list.count) { (severity(list, $0), closeness(list, $0)) } : Array(list.indices)
        for i in own { keep[isBefore ? rows.row(before: i) : rows.row(after: i)] = true }
      }
    }
    let kept = keep.lazy.filter { $0 }.count
    guard kept < rows.count else { return }
    c.omittedRows += rows.count - kept
    if var e = c.snapshot {
      e.outcomes = RequirementOutcomes(before.indices.filter { keep[rows.row(before: $0)] }.map { before[$0] })
      e.omittedOutcomes += before.count - e.outcomes.count
      c.snapshot = e
    }
    if var e = c.proForma {
      e.outcomes = RequirementOutcomes(after.indices.filter { keep[rows.row(after: $0)] }.map { after[$0] })
      e.omittedOutcomes += after.count - e.outcomes.count
      c.proForma = e
    }
  }
}
