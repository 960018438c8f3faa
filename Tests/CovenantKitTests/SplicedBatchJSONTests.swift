import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantSyntax
@testable import CovenantData
@testable import CovenantDriver
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantCLI

/// A JSON batch renders what every deal repeats once — each `tested on snapshot` clause, its
/// snapshot figures — and copies those bytes into each deal's object. The format must not notice:
/// the batch's bytes are, deal by deal, what the general rendering (no cache, every clause built
/// and written afresh) makes of the same results, including deals whose governance, consent,
/// waivers or `applies when` change a snapshot clause (the cache must then let go).
@Suite struct SplicedBatchJSONTests {
  /// The batch as `jsonBatch` lays it out, each deal's object made by the general path.
  static func generalBatch(_ entries: [BatchEntry], _ covenant: CheckedCovenant) -> String {
    let sources = [covenant.file.name: covenant.file]
    var out = "["
    for (i, e) in entries.enumerated() {
      var members: [(String, JSONOut)] = [("id", .opt(e.result?.dealID)), ("source", .string(e.source))]
      if let r = e.result, case .object(let body) = CheckReport.json(r, covenant: covenant) {
        members += body.filter { $0.0 != "deal" }
      } else {
        members += [("verdict", .string("invalid")), ("diagnostics", .array(e.diagnostics.map { DiagnosticRenderer.json($0, source: sources[$0.file]) }))]
      }
      out += "\n  " + JSONOut.object(members).render(indent: 1) + (i < entries.count - 1 ? "," : "\n")
    }
    return out + "]\n"
  }

  /// The batch's report as the command writes it, the general rendering of the same deals, and
  /// how many clause objects the cache handed out without rendering them.
  static func bothWays(covenant text: String, name: String, snapshot: [UInt8], snapshotName: String, deals: String) throws -> (spliced: String, general: String, reused: Int) {
    let file = SourceFile(name: name, bytes: Array(text.utf8))
    var session = try CovenantSession.compile(file).get()
    try session.loadSnapshot(bytes: snapshot, file: snapshotName).get()
    let inputs = try DealSource.read(deals).get()
    let out = Commands.jsonBatch(session: session, inputs, allGroups: false, progress: nil, progressText: { "" })
    let spliced = try #require(out.report).rendered()
    var checking = session
    let entries = checking.checkBatch(inputs)
    // Every clause object the cache gives back is the one the general path makes for that deal.
    let cache = CheckReport.SnapshotJSONCache(indent: 4)
    var reused = 0
    for e in entries {
      guard let r = e.result else { continue }
      for (i, c) in r.clauses.enumerated() where c.proForma == nil {
        let before = cache.clauses[i]?.result
        let cached = cache.clause(i, c, covenant: session.covenant, allGroups: false).render(indent: 3)
        if before == c { reused += 1 }
        #expect(cached == CheckReport.clauseJSON(c, covenant: session.covenant).render(indent: 3), "\(e.source) §\(c.id)")
      }
    }
    return (spliced, generalBatch(entries, session.covenant), reused)
  }

  @Test(arguments: ["harbour-growth-fund", "pacific-infra-fund", "us-japan-fund"])
  func examplesDealsSplicedEqualsGeneral(_ example: String) throws {
    let dir = repositoryRoot.appendingPathComponent("examples/\(example)")
    let text = try String(contentsOf: dir.appendingPathComponent("covenant.cov"), encoding: .utf8)
    let snapshot = try Array(Data(contentsOf: dir.appendingPathComponent("portfolio.json")))
    let r = try Self.bothWays(covenant: text, name: "covenant.cov", snapshot: snapshot, snapshotName: "portfolio.json", deals: dir.appendingPathComponent("deals").path)
    #expect(r.spliced == r.general)
    #expect(r.spliced.hasPrefix("[\n  {"))
  }

  /// A book in euros with other keys and ids: deals exactly at a sleeve's capacity, a cent above,
  /// failing ones, one with a waiver that lifts a snapshot clause for that deal only (so the cached
  /// clause must be dropped for it, and made again for the next).
  static let covenant = """
    covenant "Rhine Credit Book" version 2026-04-01
    base currency EUR
    kind sleeve = senior | mezz | equity

    record pos
      ref    : text   from "pos_ref"
      sleeve : sleeve from "bucket"
      obligor: text   from "obligor_code"
      amount : money  from "eur_amount"

    data book from snapshot
      nav       : money from "nav_eur"
      positions : list of pos from "book.positions"

    data ticket from deal
      ref     : text   from "ticket_no"
      sleeve  : sleeve from "bucket"
      obligor : text   from "obligor_code"
      amount  : money  from "eur_amount"
      waiver  : bool    from "board_waiver"

    pro forma: the deal joins positions with ref = ticket.ref, sleeve = ticket.sleeve, obligor = ticket.obligor, amount = ticket.amount

    §S1 "Sleeve cap"
      "No sleeve above 60% of the book."
      tested on snapshot
      for each sleeve:
        share of positions.amount where sleeve = that sleeve <= 60%

    §S2 "Obligor cap (snapshot)"
      tested on snapshot
      for each obligor:
        share of positions.amount where obligor = that obligor <= 25%

    §S3 "Book within NAV"
      tested on snapshot
      sum of positions.amount <= book.nav

    §S4 "Large-ticket sleeve test"
      tested on snapshot
      applies when ticket.amount > EUR 500,000
      share of positions.amount where sleeve = senior <= 70%

    §W "Board waiver"
      "Section S3 does not apply to a ticket while a board waiver is in effect."
      section §S3 does not apply when ticket.waiver = true

    §P1 "Ticket's sleeve"
      tested on pro forma
      share of positions.amount where sleeve = ticket.sleeve <= 60%

    §P2 "Ticket size"
      tested on pro forma
      ticket.amount <= EUR 1 million
    """

  static let book = """
    {"nav_eur": "2500000.00", "book": {"positions": [
      {"pos_ref": "R-1", "bucket": "senior", "obligor_code": "OB-A", "eur_amount": "900000.00"},
      {"pos_ref": "R-2", "bucket": "mezz", "obligor_code": "OB-B", "eur_amount": "700000.00"},
      {"pos_ref": "R-3", "bucket": "equity", "obligor_code": "OB-C", "eur_amount": "400000.50"},
      {"pos_ref": "R-4", "bucket": "senior", "obligor_code": "OB-A", "eur_amount": "599999.50"}
    ]}}
    """

  @Test func ownShapeSplicedEqualsGeneral() throws {
    let tickets = [
      #"{"ticket_no": "T-100", "bucket": "mezz", "obligor_code": "OB-D", "eur_amount": "1000000.00", "board_waiver": false}"#,
      #"{"ticket_no": "T-101", "bucket": "mezz", "obligor_code": "OB-D", "eur_amount": "1000000.01", "board_waiver": false}"#,
      #"{"ticket_no": "T-102", "bucket": "senior", "obligor_code": "OB-A", "eur_amount": "900000.00", "board_waiver": true}"#,
      #"{"ticket_no": "T-103", "bucket": "equity", "obligor_code": "OB-E", "eur_amount": "12.34", "board_waiver": false}"#,
      #"{"ticket_no": "T-104", "bucket": "senior", "obligor_code": "OB-F", "eur_amount": "2000000.00", "board_waiver": true}"#,
      #"{"ticket_no": "T-105", "bucket": "mezz", "obligor_code": "OB-B", "eur_amount": "0.01", "board_waiver": false}"#,
    ]
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("spliced-\(UUID().uuidString).jsonl")
    try Data(tickets.joined(separator: "\n").utf8).write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    let r = try Self.bothWays(covenant: Self.covenant, name: "rhine.cov", snapshot: Array(Self.book.utf8), snapshotName: "book.json", deals: path.path)
    #expect(r.spliced == r.general)
    // The cache did serve clauses (S1 and S2 on every deal after the first).
    #expect(r.reused >= 2 * (tickets.count - 1))
    // Both deals whose verdict differs are there, and a breach is a breach.
    #expect(r.spliced.contains("\"id\": \"T-101\""))
    #expect(r.spliced.contains("\"verdict\": \"breach\""))
  }
}
