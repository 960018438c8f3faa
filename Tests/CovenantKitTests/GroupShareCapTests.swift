import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting

/// A `for each` requirement comparing a group's share with a fixed figure is decided from the
/// group totals as integers (`GroupShareCap`). Each test checks that the closed form was used,
/// then compares every status, every outcome and every report with the evaluation as written
/// (each group through the evaluator: `eagerGroups = .max`) and with the row-by-row one
/// (`naive`), on a ledger shaped unlike the examples: counterparties instead of issuers, signed
/// amounts in cents, an optional amount, entries without a counterparty, a counterparty exactly
/// at a cap and another exactly at a floor.
@Suite struct GroupShareCapTests {
  static let covenant = """
    covenant "Ledger limits" version 2026-12-01
    base currency EUR
    kind book = rates | credit | fx
    record entry
      ref     : text  from "entry_ref"
      cpty    : text  from "counterparty" optional
      book    : book  from "desk"
      amt     : money from "amount_minor" signed in cents
      pledged : money from "pledged_minor" optional in cents
    data ledger from snapshot
      entries : list of entry from "ledger.entries"
    data deal from deal
      ref  : text  from "ticket"
      cpty : text  from "counterparty"
      book : book  from "desk"
      amt  : money from "amount_minor" signed in cents
    pro forma: the deal joins entries with ref = deal.ref, cpty = deal.cpty, book = deal.book, amt = deal.amt

    §A "Cap"
      for each cpty:
        share of entries.amt where cpty = that cpty <= 5%
      warn above 80% of the limit
    §B "Strict cap"
      for each cpty:
        share of entries.amt where cpty = that cpty < 5%
      warn at or above 60% of the limit
    §C "Floor"
      for each cpty:
        share of entries.amt where cpty = that cpty >= 1%
      warn below 150% of the limit
    §D "Strict floor"
      for each cpty:
        share of entries.amt where cpty = that cpty > 1%
    §E "Count"
      for each cpty:
        share of entries where cpty = that cpty <= 4%
    §F "Optional amounts"
      for each cpty:
        share of entries.pledged where cpty = that cpty <= 10%
    §G "Filtered"
      for each cpty:
        share of entries.amt where cpty = that cpty and book = rates <= 3%
    §H "Two requirements"
      for each cpty:
        share of entries.amt where cpty = that cpty <= 6%
        share of entries where cpty = that cpty >= 2%
    §J "Before and after"
      tested on both
      for each cpty:
        share of entries.amt where cpty = that cpty <= 5%

    """

  /// Entries of 30 counterparties (negative totals among them), some without a counterparty or
  /// a pledged amount; then TIE at exactly 5% of the whole and FLOOR at exactly 1%.
  /// `zeroBase`: one more entry makes the amounts total zero (every share undefined).
  static func ledger(zeroBase: Bool = false) -> String {
    var rows: [(ref: String, cpty: String?, desk: String, amt: Int, pledged: Int?)] = []
    for i in 0..<90 {
      let cpty: String? = i % 17 == 16 ? nil : "CP-\(String(i * 7 % 30))"
      rows.append(("E\(i)", cpty, ["rates", "credit", "fx"][i % 3], (i * 7_919 % 2_003) - 600, i % 5 == 0 ? nil : i * 131 % 997))
    }
    if zeroBase {
      rows.append(("Z", "ZERO", "fx", -rows.map(\.amt).reduce(0, +), nil))
    } else {
      // FLOOR = f, TIE = 5f, everything else 94f: the whole is 100f.
      var others = rows.map(\.amt).reduce(0, +)
      let adjust = (94 - others % 94) % 94
      rows.append(("ADJ", "ADJ", "credit", adjust, 5))
      others += adjust
      let f = others / 94
      rows.append(("T1", "TIE", "rates", 3 * f, 1))
      rows.append(("T2", "TIE", "credit", 2 * f, nil))
      rows.append(("F1", "FLOOR", "fx", f, 2))
    }
    let items = rows.map { r in
      var fields = ["\"entry_ref\": \"\(r.ref)\"", "\"desk\": \"\(r.desk)\"", "\"amount_minor\": \(r.amt)"]
      if let c = r.cpty { fields.append("\"counterparty\": \"\(c)\"") }
      if let p = r.pledged { fields.append("\"pledged_minor\": \(p)") }
      return "{" + fields.joined(separator: ", ") + "}"
    }
    return "{\"ledger\": {\"entries\": [\n" + items.joined(separator: ",\n") + "\n]}}"
  }

  static let deal = "{\"ticket\": \"D1\", \"counterparty\": \"TIE\", \"desk\": \"fx\", \"amount_minor\": 1}"

  enum Mode { case closedForm, asWritten, rowByRow }

  func check(_ mode: Mode, snapshot: String = Self.ledger(), deal: String? = nil) throws -> (CheckResult, CheckedCovenant) {
    let compiled = compile(Self.covenant)
    guard let c = compiled.covenant else { throw RunFailure(description: compiled.diagnostics.map(\.message).joined(separator: "\n")) }
    func load(_ text: String, _ record: Int?) throws -> Value {
      guard let record, case .success(let doc) = DataLoader.parseJSON(Array(text.utf8), file: "x.json"),
        case .success(let v) = DataLoader.load(doc, record: record, schema: c.schema, file: "x.json")
      else { throw RunFailure(description: "load") }
      return v
    }
    var runner = CovenantRunner(plan: Planner.plan(c), snapshot: try load(snapshot, c.schema.snapshot))
    if mode == .asWritten { runner.eagerGroups = .max }
    runner.naive = mode == .rowByRow
    return (try runner.check(deal: try deal.map { try load($0, c.schema.deal) }), c)
  }

  /// Groups decided by the closed form in each clause's snapshot evaluation.
  func closedForm(_ r: CheckResult) -> [String: Int] {
    var n: [String: Int] = [:]
    for c in r.clauses { n[c.id] = c.snapshot?.outcomes.groups?.statuses.closedForm ?? 0 }
    return n
  }

  func expectSame(_ a: CheckResult, _ b: CheckResult, _ c: CheckedCovenant, outcomes: Bool) {
    #expect(a.clauses.map(\.verdict) == b.clauses.map(\.verdict))
    if outcomes {
      for (x, y) in zip(a.clauses, b.clauses) {
        for (l, e) in [(x.snapshot, y.snapshot), (x.proForma, y.proForma)] {
          #expect(l?.outcomes.count == e?.outcomes.count)
          guard let l, let e else { continue }
          for i in l.outcomes.indices {
            #expect(l.outcomes.status(at: i) == e.outcomes[i].status, "\(x.id) row \(i)")
            #expect(l.outcomes[i] == e.outcomes[i], "\(x.id) row \(i)")
          }
        }
      }
    }
    #expect(CheckReport.text(a, covenant: c) == CheckReport.text(b, covenant: c))
    for all in [false, true] {
      #expect(CheckReport.json(a, covenant: c, allGroups: all).render() == CheckReport.json(b, covenant: c, allGroups: all).render())
    }
    #expect(DocumentReport.markdown(a, covenant: c) == DocumentReport.markdown(b, covenant: c))
    #expect(CIFormats.sarif(CIFormats.findings(a, covenant: c)) == CIFormats.sarif(CIFormats.findings(b, covenant: c)))
  }

  @Test(arguments: [nil, Self.deal])
  func closedFormIsTheEvaluationAsWritten(deal: String?) throws {
    let (fast, c) = try check(.closedForm, deal: deal)
    let (written, _) = try check(.asWritten, deal: deal)
    let (naive, _) = try check(.rowByRow, deal: deal)
    let used = closedForm(fast)
    // 33 counterparties (30, ADJ, TIE, FLOOR): all but the first group in every clause.
    for id in ["A", "B", "C", "D", "E", "F", "G", "H", "J"] { #expect(used[id] == 32, "\(id)") }
    #expect(closedForm(written).values.allSatisfy { $0 == 0 })
    expectSame(fast, written, c, outcomes: true)
    expectSame(fast, naive, c, outcomes: false)
  }

  /// TIE is exactly at the 5% cap and FLOOR exactly at the 1% floor: `<=` and `>=` hold, `<`
  /// and `>` fail, and each is at its limit (utilization 1); warnings as written.
  @Test func tiesAtTheLimit() throws {
    let (r, _) = try check(.closedForm)
    func status(_ clause: String, _ cpty: String, requirement: Int = 0) throws -> OutcomeStatus {
      let o = try #require(r.clauses.first { $0.id == clause }?.snapshot?.outcomes)
      let rows = o.indices.filter { o.group(at: $0)?.text == "cpty \(cpty)" }
      guard rows.count > requirement else { throw RunFailure(description: "no row of \(cpty) in \(clause)") }
      return o.status(at: rows[requirement])
    }
    #expect(try status("A", "TIE") == OutcomeStatus(holds: true, warned: true, utilization: .one, comparison: .le))
    #expect(try status("B", "TIE") == OutcomeStatus(holds: false, warned: false, utilization: .one, comparison: .lt))
    #expect(try status("C", "FLOOR") == OutcomeStatus(holds: true, warned: true, utilization: .one, comparison: .ge))
    #expect(try status("D", "FLOOR") == OutcomeStatus(holds: false, warned: false, utilization: .one, comparison: .gt))
    // TIE's 5% is under §H's 6% cap: utilization 5/6, no warning clause.
    #expect(try status("H", "TIE") == OutcomeStatus(holds: true, warned: false, utilization: try Exact(num: 5, den: 6), comparison: .le))
    // A negative total: a share below zero, under every cap, short of every floor.
    let floor = try #require(r.clauses.first { $0.id == "C" }?.snapshot?.outcomes)
    let negative = floor.indices.map { floor.status(at: $0) }.filter { ($0.utilization?.signum ?? 0) < 0 }
    #expect(!negative.isEmpty)
    #expect(negative.allSatisfy { $0.holds == false })
  }

  /// Amounts that total zero: every share is undefined, so the closed form stands aside and the
  /// clauses are evaluated as written (undefined, never passed).
  @Test func zeroBaseIsEvaluatedAsWritten() throws {
    let (fast, c) = try check(.closedForm, snapshot: Self.ledger(zeroBase: true))
    let (written, _) = try check(.asWritten, snapshot: Self.ledger(zeroBase: true))
    #expect(closedForm(fast)["A"] == 0)
    #expect(closedForm(fast)["E"] == 30)  // 31 groups; shares of entries (by count) are still defined
    // Every group's share is undefined: the 31 groups neither hold nor fail (the clause breaches
    // only for the entries without a counterparty).
    let a = try #require(fast.clauses.first { $0.id == "A" }?.snapshot?.outcomes)
    #expect(a.indices.filter { a.status(at: $0).holds == nil }.count == 31)
    expectSame(fast, written, c, outcomes: true)
  }
}
