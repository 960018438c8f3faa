import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantSemantics
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantDriver
@testable import CovenantCLI

/// A check keeps of a long group list only what its reports show (`CheckReport.keepShown`, run on
/// each clause as it is checked): every report of the pruned result must be the report of the
/// whole evaluation, byte for byte, whatever the mix of breaches, warnings, passes, undefined
/// figures and ties, before and after a deal.
@Suite struct ShownGroupsTests {
  /// Per holding, three requirements: a share cap with a warning level (breaches, warnings,
  /// ties at the same share), a debt cap (breaches of their own) and a figure undefined where a
  /// holding has no debt (not applicable).
  static let covenant = prelude + """
    §9 "Per holding"
      for each id:
        share of holdings.value where id = that id <= 10%
        sum of holdings.debt where id = that id <= $20
        max of holdings.debt where id = that id and debt > $0 <= $30
      warn above 90% of the limit

    §11 "Per holding, share only"
      for each id:
        share of holdings.value where id = that id <= 10%

    §10 "Per sector"
      for each sector:
        share of holdings.value where sector = that sector <= 60%

    """

  /// 60 holdings: `over` of them over the share cap (120 of about 1,000), three warned (95),
  /// the rest at 10 (ties); every seventh with a debt of 25 (over $20), every fifth with none.
  static func snapshot(over: Int) -> String {
    let sectors = ["power", "logistics", "ai_datacenter"]
    let items = (0..<60).map { i -> String in
      let value = i < over ? 120 : i % 20 == 7 ? 95 : 10
      let debt = i % 7 == 3 ? 25 : i % 5 == 0 ? 0 : 5
      let id = "h" + (i < 10 ? "0" : "") + "\(i)"
      return #"{"id": "\#(id)", "sector": "\#(sectors[i % 3])", "domicile": "US", "value": \#(value), "debt": \#(debt)}"#
    }
    return #"{"as_of": "2026-06-30", "equity": 1000, "debt": 0, "holdings": [\#(items.joined(separator: ", "))]}"#
  }

  /// A deal in a new holding (a group only after the deal), or in one that exists.
  static func deal(id: String, amount: Int, debt: Int) -> String {
    #"{"id": "\#(id)", "sector": "power", "domicile": "US", "amount": \#(amount), "debt": \#(debt)}"#
  }

  func check(_ snapshot: String, deal: String?, prune: Bool) throws -> (CheckResult, CheckedCovenant) {
    guard case .success(var session) = CovenantSession.compile(SourceFile(name: "c.cov", text: Self.covenant)) else {
      throw RunFailure(description: "the covenant does not compile")
    }
    guard case .success = session.loadSnapshot(bytes: Array(snapshot.utf8), file: "p.json") else {
      throw RunFailure(description: "the snapshot does not load")
    }
    var d: Deal?
    if let deal {
      guard case .success(let loaded) = session.loadDeal(bytes: Array(deal.utf8), file: "d.json") else {
        throw RunFailure(description: "the deal does not load")
      }
      d = loaded
    }
    let keep: ((inout ClauseResult) -> Void)? = prune ? { CheckReport.keepShown(&$0) } : nil
    guard case .success(let r) = session.check(d, prune: keep) else {
      throw RunFailure(description: "the check failed")
    }
    return (r, session.covenant)
  }

  /// Every report format, as the command line writes it (JSON without `--all-groups`).
  func reports(_ r: CheckResult, _ c: CheckedCovenant) -> [String] {
    [
      CheckReport.text(r, covenant: c), CheckReport.text(r, covenant: c, explain: true),
      CheckReport.json(r, covenant: c).render(),
      DocumentReport.markdown(r, covenant: c, dealAmount: nil), DocumentReport.html(r, covenant: c, dealAmount: nil),
      CIFormats.sarif(CIFormats.findings(r, covenant: c)), CIFormats.github(CIFormats.findings(r, covenant: c)),
      CIFormats.junit(r, covenant: c),
    ]
  }

  static let cases: [(over: Int, deal: String?)] = [
    (0, nil), (2, nil), (7, nil), (60, nil),
    (2, deal(id: "new", amount: 150, debt: 40)),  // a new group, in breach after the deal only
    (0, deal(id: "new", amount: 5, debt: 0)),  // a new group, passing
    (7, deal(id: "h30", amount: 100, debt: 0)),  // an existing group moves into breach
    (3, deal(id: "h07", amount: 1, debt: 0)),
  ]

  @Test(arguments: cases.indices) func prunedReportsAreTheWholeEvaluationsReports(_ k: Int) throws {
    let (over, deal) = Self.cases[k]
    let (whole, c) = try check(Self.snapshot(over: over), deal: deal, prune: false)
    let (pruned, _) = try check(Self.snapshot(over: over), deal: deal, prune: true)
    #expect(whole.clauses.map(\.verdict) == pruned.clauses.map(\.verdict))
    // Something was dropped, and what was kept is few: the failed and warned groups and the few
    // nearest their limits, not every group.
    let clause = try #require(pruned.clauses.first { $0.id == "9" })
    let full = try #require(whole.clauses.first { $0.id == "9" })
    #expect(clause.omittedRows > 0)
    let kept = (clause.proForma ?? clause.snapshot)?.outcomes ?? []
    let all = (full.proForma ?? full.snapshot)?.outcomes ?? []
    #expect(kept.count + ((clause.proForma ?? clause.snapshot)?.omittedOutcomes ?? 0) == all.count)
    let bad = all.filter { $0.holds == false || $0.warned }.count
    #expect(kept.count < bad + 3 * CheckReport.groupsShown + 3, "\(kept.count) kept of \(all.count), \(bad) failed or warned")
    // A single requirement with few failures keeps no more than a short list would have: the
    // reports must still treat it as the long list it was.
    let single = try #require(pruned.clauses.first { $0.id == "11" })
    let singleKept = (single.proForma ?? single.snapshot)?.outcomes.count ?? 0
    if over <= 2 { #expect(singleKept <= CheckReport.longGroupList && single.omittedRows > 0, "\(singleKept)") }
    let a = reports(whole, c), b = reports(pruned, c)
    for (x, y) in zip(a, b) { #expect(x == y) }
    // The reports do show a long list cut to five, with the count of the rest.
    #expect(a[0].contains("… and "), "\(a[0])")
    #expect(a[2].contains("\"checks_total\""))
  }
}
