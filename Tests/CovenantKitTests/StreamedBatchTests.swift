import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantCLI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A JSON batch is written as it is checked: each deal's object leaves as soon as the deal is
/// checked, and the exit code, the verdict line and the summary are decided once the last deal
/// is written. The report must say of every deal what the deal checked alone says, in the
/// batch's order, whatever fails in the middle; a failed write is exit 2 (the deals never checked
/// leave the verdict unknown), never a pass; a reader that leaves before the end (`| head`) ends
/// it quietly with the whole batch's verdict.
/// Data of a shape of its own: francs, nested keys, order numbers, a `for each` judged pro forma.
@Suite(.serialized) struct StreamedBatchTests {
  static let covenant = """
    covenant "Stream Fund" version 2026-03-01
    base currency CHF
    kind desk = rates | fx | equity

    record line
      code  : text  from "line_code"
      desk  : desk  from "desk_name"
      owner : text  from "owner_id"
      mv    : money from "mv_chf"

    data ledger from snapshot
      lines : list of line from "ledger.lines"

    data order from deal
      code  : text  from "order_no"
      desk  : desk  from "desk_name"
      owner : text  from "owner_id"
      size  : money from "size_chf"

    pro forma: the deal joins lines with code = order.code, desk = order.desk, owner = order.owner, mv = order.size

    §1 "Desk cap"
      tested on pro forma
      share of lines.mv where desk = order.desk <= 50%
      warn above 80% of the limit

    §2 "Owner cap"
      tested on pro forma
      for each owner:
        share of lines.mv where owner = that owner <= 40%

    §3 "Order size"
      order.size <= CHF 300 million

    """

  static let ledger = """
    {"ledger": {"lines": [
      {"line_code": "L-01", "desk_name": "rates", "owner_id": "O1", "mv_chf": "200000000.00"},
      {"line_code": "L-02", "desk_name": "rates", "owner_id": "O2", "mv_chf": "100000000.00"},
      {"line_code": "L-03", "desk_name": "fx", "owner_id": "O3", "mv_chf": "150000000.55"},
      {"line_code": "L-04", "desk_name": "fx", "owner_id": "O4", "mv_chf": "49999999.45"},
      {"line_code": "L-05", "desk_name": "equity", "owner_id": "O2", "mv_chf": "100000000.00"}
    ]}}
    """

  /// An order of `millions` francs (and cents) on a desk for an owner.
  static func order(_ no: String, _ desk: String, _ owner: String, _ size: String) -> String {
    "{\"order_no\": \"\(no)\", \"desk_name\": \"\(desk)\", \"owner_id\": \"\(owner)\", \"size_chf\": \"\(size)\"}"
  }

  /// Compliant orders, one that warns (the fx desk above 40%), one in breach in the middle (too
  /// large; its desk at exactly the 50% cap), one unreadable, and compliant ones after them. (The rates
  /// desk is at exactly 50% already: any rates order breaches §1.)
  static let mixed: [String] = [
    order("ORD-7", "fx", "N1", "10000000.00"),
    order("ORD-3", "equity", "O2", "25000000.10"),
    order("ORD-9", "fx", "N2", "100000000.00"),
    order("ORD-1", "equity", "N3", "400000000.00"),
    order("ORD-4", "rates", "N4", "lots"),
    order("ORD-2", "equity", "O1", "12345678.90"),
    order("ORD-8", "fx", "O3", "0.00"),
  ]

  /// A directory with the covenant, the ledger and the orders (one a line); the `check` arguments.
  func fixture(_ orders: [String]) throws -> (dir: URL, args: [String]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stream-batch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Data(Self.covenant.utf8).write(to: dir.appendingPathComponent("stream.cov"))
    try Data(Self.ledger.utf8).write(to: dir.appendingPathComponent("ledger.json"))
    try Data(orders.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("orders.jsonl"))
    return (dir, ["check", dir.appendingPathComponent("stream.cov").path, "--portfolio", dir.appendingPathComponent("ledger.json").path,
                  "--deals", dir.appendingPathComponent("orders.jsonl").path, "--format", "json"])
  }

  func parse(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

  /// Every deal's object is, in the batch's order, the report of the deal checked alone (less its
  /// `deal` key), and its verdict the naive full check's; the deal that cannot be read is
  /// `invalid` in its place; the exit code and summary come from every deal.
  @Test func eachDealIsTheDealCheckedAloneInOrder() throws {
    let (dir, args) = try fixture(Self.mixed)
    defer { try? FileManager.default.removeItem(at: dir) }
    let batch = runCommand(args)
    #expect(batch.exitCode == ExitCode.invalid, "\(batch.stderr)")
    #expect(batch.stderr.hasSuffix("7 deals: 5 compliant, 1 in breach, 1 invalid\n"), "\(batch.stderr)")
    #expect(batch.verdictLine == "7 deals: 5 compliant, 1 in breach, 1 invalid")
    let entries = try #require(try parse(batch.stdout) as? [[String: Any]])
    #expect(entries.count == Self.mixed.count)
    let text = runCommand(Array(args.dropLast(2)))
    #expect(text.verdictLine == batch.verdictLine)
    let (runner, c, doc) = try batchFixture(Self.covenant, covenantFile: "stream.cov", snapshotJSON: Self.ledger, snapshotFile: "ledger.json")
    let inputs = try dealInputs(Self.mixed, prefix: "stream")
    var verdicts: [String] = []
    for (i, line) in Self.mixed.enumerated() {
      let entry = entries[i]
      verdicts.append(entry["verdict"] as? String ?? "?")
      #expect(entry["source"] as? String == "orders.jsonl:\(i + 1)", "\(entry["source"] ?? "")")
      if i == 4 {
        #expect(entry["verdict"] as? String == "invalid")
        let diags = try #require(entry["diagnostics"] as? [[String: Any]])
        #expect(diags.count == 1)
        continue
      }
      let full = try naiveFullCheck(runner, c, doc, inputs[i])
      #expect(entry["verdict"] as? String == (full.compliant ? "compliant" : "breach"), "deal \(i)")
      #expect(entry["id"] as? String == full.dealID)
      // The deal checked alone, in its own file.
      let single = dir.appendingPathComponent("order-\(i).json")
      try Data(line.utf8).write(to: single)
      let alone = runCommand(Array(args.dropLast(4)) + ["--deal", single.path, "--format", "json"])
      var expected = try #require(try parse(alone.stdout) as? [String: Any])
      expected["deal"] = nil
      var got = entry
      got["id"] = nil
      got["source"] = nil
      #expect(NSDictionary(dictionary: got).isEqual(to: expected), "deal \(i) differs from its check alone")
    }
    #expect(verdicts == ["compliant", "compliant", "compliant", "breach", "invalid", "compliant", "compliant"])
    // Without the unreadable order: a breach mid-batch is exit 1 and every later deal is there.
    let (dir2, args2) = try fixture(Self.mixed.enumerated().filter { $0.offset != 4 }.map(\.element))
    defer { try? FileManager.default.removeItem(at: dir2) }
    let noInvalid = runCommand(args2)
    #expect(noInvalid.exitCode == ExitCode.breach)
    #expect((try parse(noInvalid.stdout) as? [Any])?.count == 6)
  }

  /// The first bytes leave before the last deal is checked, and a writer that fails stops the
  /// checking: deals nobody will read are not checked.
  @Test func bytesLeaveAsDealsAreCheckedAndAFailedWriteStopsTheBatch() throws {
    let orders = (0..<60).map { i in Self.order("S-\(i)", ["fx", "equity"][i % 2], "P\(i % 7)", "\(1_000_000 + i * 37_003).25") }
    let (dir, args) = try fixture(orders)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = SourceFile(name: "stream.cov", bytes: Array(Self.covenant.utf8))
    var session = try CovenantSession.compile(file).get()
    try session.loadSnapshot(bytes: Array(Self.ledger.utf8), file: "ledger.json").get()
    let inputs = try dealInputs(orders, prefix: "stream")
    var checked = 0
    let out = Commands.jsonBatch(session: session, inputs, allGroups: false, progress: { done, _ in checked = done }, progressText: { "" })
    let report = try #require(out.report)
    #expect(out.exitCode == ExitCode.invalid, "nothing is decided before the report is written")
    var checkedAtFirstChunk: Int?
    var bytes: [UInt8] = []
    var w = ReportWriter(chunk: 512) { chunk in
      if checkedAtFirstChunk == nil { checkedAtFirstChunk = checked }
      bytes += chunk
      return true
    }
    report.write(&w)
    w.flush()
    #expect((checkedAtFirstChunk ?? orders.count) < 5, "first chunk after \(checkedAtFirstChunk ?? -1) deals")
    var settled = out
    report.settle?(&settled)
    #expect(settled.exitCode == ExitCode.compliant)
    // After the progress line (a terminal's; empty here), the summary.
    #expect(settled.stderr == "\n60 deals: 60 compliant, 0 in breach\n")
    // Streamed in chunks, the bytes are the report rendered whole in memory, and that has every
    // deal in order, as the command line's has.
    let whole = report.rendered()
    #expect(String(decoding: bytes, as: UTF8.self) == whole)
    let ids = try #require(try parse(whole) as? [[String: Any]]).map { $0["source"] as? String ?? "" }
    #expect(ids == inputs.map(\.source))
    #expect((try parse(runCommand(args).stdout) as? [Any])?.count == orders.count)
    // A sink that fails at its second chunk: the batch stops there and cannot pass.
    checked = 0
    var calls = 0
    var failing = ReportWriter(chunk: 512) { _ in
      calls += 1
      return calls < 2
    }
    report.write(&failing)
    failing.flush()
    #expect(failing.failed)
    #expect(checked < 10, "\(checked) deals checked after the writer failed")
    var cut = out
    report.settle?(&cut)
    #expect(cut.exitCode == ExitCode.invalid)
  }

  /// The reader closes the pipe before the batch's report is complete (`… | head`): the command
  /// ends quietly, as every report does, and its exit code is still the whole batch's verdict:
  /// the deals the report never reached are checked without being written. The one deal in
  /// breach comes last, far past the first chunk, so a verdict of the written deals alone would
  /// be a pass.
  @Test func aClosedPipeMidBatchEndsQuietlyWithTheWholeBatchsVerdict() throws {
    // Enough deals that the report fills several 64 KiB chunks; the last is too large (§3).
    var orders = (0..<400).map { i in Self.order("P-\(i)", ["fx", "equity"][i % 2], "Q\(i % 11)", "\(2_000_000 + i * 1_001).00") }
    orders.append(Self.order("P-last", "equity", "Q3", "300000000.01"))
    let (dir, args) = try fixture(orders)
    defer { try? FileManager.default.removeItem(at: dir) }
    let whole = runCommand(args)
    #expect(whole.exitCode == ExitCode.breach)
    let out = Commands.execute(args, env: CommandEnvironment(workingDirectory: repositoryRoot.path))
    try #require(out.report != nil)
    let (code, stderr) = try deliverToClosedPipe(out)
    #expect(code == ExitCode.breach)
    #expect(!stderr.contains("A005"), "\(stderr)")
    // The summary of every deal, as the batch written whole says it.
    #expect(stderr == whole.stderr, "\(stderr)")
    #expect(stderr.hasSuffix("401 deals: 400 compliant, 1 in breach\n"), "\(stderr)")
  }

  /// `--quiet` checks the batch without a report and keeps its verdict line and exit code;
  /// `--fail-on-warnings` is decided once the batch is written; `--output` gets the streamed
  /// report byte for byte.
  @Test func quietWarningsAndOutputFileAreDecidedAfterTheBatch() throws {
    // Compliant, one of them warned (the fx desk above 40%).
    let orders = [Self.mixed[0], Self.mixed[1], Self.mixed[2], Self.mixed[5]]
    let (dir, args) = try fixture(orders)
    defer { try? FileManager.default.removeItem(at: dir) }
    let plain = runCommand(args)
    #expect(plain.exitCode == ExitCode.compliant)
    #expect(plain.stderr == "4 deals: 4 compliant, 0 in breach\n")
    let quiet = runCommand(args + ["--quiet"])
    #expect(quiet.stdout == "4 deals: 4 compliant, 0 in breach\n")
    #expect(quiet.exitCode == ExitCode.compliant)
    #expect(quiet.stderr.isEmpty)
    let strict = runCommand(args + ["--fail-on-warnings"])
    #expect(strict.exitCode == ExitCode.breach)
    #expect(strict.stdout == plain.stdout)
    #expect(strict.stderr == plain.stderr + "covenant: warnings fail this run (--fail-on-warnings)\n")
    #expect(runCommand(args + ["--fail-on-warnings", "--quiet"]).exitCode == ExitCode.breach)
    let path = dir.appendingPathComponent("batch.json").path
    let written = runCommand(args + ["--output", path, "--fail-on-warnings"])
    #expect(written.exitCode == ExitCode.breach)
    #expect(written.stdout.isEmpty)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == plain.stdout)
    // A quiet batch with a breach and an unreadable deal.
    let (dir2, args2) = try fixture(Self.mixed)
    defer { try? FileManager.default.removeItem(at: dir2) }
    let quietMixed = runCommand(args2 + ["--quiet"])
    #expect(quietMixed.exitCode == ExitCode.invalid)
    #expect(quietMixed.stdout == "7 deals: 5 compliant, 1 in breach, 1 invalid\n")
  }
}
