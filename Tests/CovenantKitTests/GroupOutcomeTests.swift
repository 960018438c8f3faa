import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting

/// A `for each` over many groups keeps each group's status and computes its figures when a
/// report reads them (`RequirementOutcomes`): the outcomes read so must be those an eager
/// evaluation keeps, in every report.
@Suite struct GroupOutcomeTests {
  /// 30 holdings, each its own `id` group; H0 is over the cap, H1 is warned, the others pass.
  static let snapshot: String = {
    var holdings: [(String, String, String, String)] = [("H0", "power", "US", "300"), ("H1", "logistics", "US", "110")]
    for i in 2..<30 { holdings.append(("H\(i)", i % 2 == 0 ? "power" : "ai_datacenter", "US", "\(10 + i)")) }
    return snapshotJSON(holdings)
  }()

  static let covenant = prelude + """
    §1 "Per holding cap"
      for each id:
        share of holdings.value where id = that id <= 12%
        sum of holdings.value where id = that id <= 20% of nav
      warn above 80% of the limit
    §2 "Per holding floor"
      tested on pro forma
      for each id:
        sum of holdings.value where id = that id >= $11

    """

  static let deal = "{\"id\": \"H7\", \"sector\": \"power\", \"domicile\": \"US\", \"amount\": 5}"
  static let newGroupDeal = "{\"id\": \"NEW\", \"sector\": \"power\", \"domicile\": \"US\", \"amount\": 5}"

  func check(eager: Bool, deal: String?, naive: Bool = false, covenant: String = Self.covenant) throws -> (CheckResult, CheckedCovenant) {
    let compiled = compile(covenant)
    guard let c = compiled.covenant else { throw RunFailure(description: compiled.diagnostics.map(\.message).joined(separator: "\n")) }
    func load(_ text: String, _ record: Int?) throws -> Value {
      guard let record, case .success(let doc) = DataLoader.parseJSON(Array(text.utf8), file: "x.json"),
        case .success(let v) = DataLoader.load(doc, record: record, schema: c.schema, file: "x.json")
      else { throw RunFailure(description: "load") }
      return v
    }
    var runner = CovenantRunner(plan: Planner.plan(c), snapshot: try load(Self.snapshot, c.schema.snapshot))
    if eager { runner.eagerGroups = .max }
    runner.naive = naive
    return (try runner.check(deal: try deal.map { try load($0, c.schema.deal) }), c)
  }

  /// Once a `for each` has sorted an interned column's values, the totals over that column are
  /// kept in key order (`ColumnGroups.rank`): H10 is the third key but the eleventh value seen.
  /// Every figure, of the groups and of a deal's own group looked up by its text, is the one the
  /// row-by-row evaluation (no columns) finds.
  @Test(arguments: [nil, Self.deal, Self.newGroupDeal])
  func groupTotalsInKeyOrderAreTheRowByRowOnes(deal: String?) throws {
    let covenant = Self.covenant + """
      §3 "The deal's own holding"
        tested on pro forma
        share of holdings.value where id = deal.id <= 30%

      """
    let (columnar, c) = try check(eager: false, deal: deal, covenant: covenant)
    let (naive, _) = try check(eager: false, deal: deal, naive: true, covenant: covenant)
    #expect(columnar.clauses.map(\.verdict) == naive.clauses.map(\.verdict))
    #expect(CheckReport.text(columnar, covenant: c) == CheckReport.text(naive, covenant: c))
    #expect(CheckReport.json(columnar, covenant: c, allGroups: true).render() == CheckReport.json(naive, covenant: c, allGroups: true).render())
    // H0 is over the cap, whatever its slot.
    #expect(CheckReport.text(columnar, covenant: c).contains("id H0:"))
  }

  @Test(arguments: [nil, Self.deal, Self.newGroupDeal])
  func lazyOutcomesAreTheEagerOnes(deal: String?) throws {
    let (lazy, c) = try check(eager: false, deal: deal)
    let (eager, _) = try check(eager: true, deal: deal)
    let cap = try #require(lazy.clauses[0].proForma ?? lazy.clauses[0].snapshot)
    #expect(cap.outcomes.groups != nil)  // the lazy form is what is tested
    #expect(try #require(eager.clauses[0].snapshot).outcomes.groups == nil)
    #expect(lazy.clauses.map(\.verdict) == eager.clauses.map(\.verdict))
    for (l, e) in zip(lazy.clauses, eager.clauses) {
      for (a, b) in [(l.snapshot, e.snapshot), (l.proForma, e.proForma)] {
        #expect(a?.outcomes.count == b?.outcomes.count)
        guard let a, let b else { continue }
        for i in a.outcomes.indices {
          #expect(a.outcomes[i] == b.outcomes[i])
          #expect(a.outcomes.status(at: i) == b.outcomes[i].status)
          #expect(a.outcomes.requirement(at: i) == b.outcomes[i].requirement)
          #expect(a.outcomes.group(at: i) == b.outcomes[i].group)
        }
        #expect(a == b)
      }
    }
    // Every report reads the same figures.
    #expect(CheckReport.text(lazy, covenant: c) == CheckReport.text(eager, covenant: c))
    for all in [false, true] {
      #expect(CheckReport.json(lazy, covenant: c, allGroups: all).render() == CheckReport.json(eager, covenant: c, allGroups: all).render())
    }
    #expect(DocumentReport.markdown(lazy, covenant: c) == DocumentReport.markdown(eager, covenant: c))
    #expect(CIFormats.sarif(CIFormats.findings(lazy, covenant: c)) == CIFormats.sarif(CIFormats.findings(eager, covenant: c)))
  }

  @Test func figuresOfAGroupAreComputedWhenRead() throws {
    let (r, _) = try check(eager: false, deal: nil)
    let outcomes = try #require(r.clauses[0].snapshot?.outcomes)
    #expect(outcomes.count == 60)  // 30 groups × 2 requirements
    // H0: 300 of 300 + 110 + Σ(12…39) = 1124.
    let h0 = try #require(outcomes.first { $0.group?.text == "id H0" })
    #expect(h0.holds == false)
    #expect(h0.amount == .money(Exact(300), currency: "USD"))
    #expect(h0.base == .money(Exact(1124), currency: "USD"))
    #expect(h0.headroom != nil)
    #expect(r.clauses[0].verdict == .breach)
    // Statuses without figures: one group fails both requirements, one is warned.
    let statuses = outcomes.indices.map { outcomes.status(at: $0) }
    #expect(statuses.filter { $0.holds == false }.count == 2)
    #expect(statuses.contains { $0.warned })
  }

  @Test func sameRowsComparesGroupsAndRequirements() throws {
    let (same, _) = try check(eager: false, deal: Self.deal)
    let (new, _) = try check(eager: false, deal: Self.newGroupDeal)
    let floor = try #require(same.clauses[1].proForma?.outcomes)
    #expect(floor.sameRows(floor))
    let cap = try #require(same.clauses[0].snapshot?.outcomes), capAfter = try #require(same.clauses[0].proForma?.outcomes)
    #expect(cap.sameRows(capAfter))
    let capNew = try #require(new.clauses[0].proForma?.outcomes)
    #expect(!cap.sameRows(capNew))  // the deal brings a 31st group
    #expect(capNew.count == cap.count + 2)
  }
}
