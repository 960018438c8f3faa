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
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// JSON reports are written as they are made, through a buffered writer: the bytes must be those
/// of the report rendered in memory, a failed write must end in exit 2 (never a pass), and a
/// snapshot report lists the groups that matter unless `--all-groups` asks for every one.
@Suite struct StreamedReportTests {
  static let example = "examples/us-japan-fund"

  /// A command run as the executable runs it: the report left to stream.
  func execute(_ args: [String]) -> CommandOutput {
    Commands.execute(args, env: CommandEnvironment(workingDirectory: repositoryRoot.path))
  }

  /// What `Commands.stream` writes to a file, with chunks of `chunk` bytes.
  func streamed(_ report: StreamedReport, chunk: Int) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)").path
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    try #require(fd >= 0)
    defer { unlink(path) }
    let written = Commands.stream(report, to: fd, chunk: chunk)
    close(fd)
    if case .failure(let e) = written { Issue.record("write failed: \(e.message)") }
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  static let jsonRuns: [[String]] = [
    ["check", "\(example)/covenant.cov", "--portfolio", "\(example)/portfolio.json", "--format", "json"],
    ["check", "\(example)/covenant.cov", "--portfolio", "\(example)/portfolio.json", "--deal", "\(example)/deals/sector-cap.json", "--format", "json"],
    ["check", "\(example)/covenant.cov", "--portfolio", "\(example)/portfolio.json", "--deals", "\(example)/deals", "--format", "json"],
    ["check", "examples/pacific-infra-fund/covenant.cov", "--portfolio", "examples/pacific-infra-fund/portfolio.json",
     "--deals", "examples/pacific-infra-fund/deals", "--format", "json", "--all-groups"],
  ]

  /// Streamed in chunks of every size down to one byte, a report is byte for byte what `run`
  /// renders in memory (which the goldens pin).
  @Test(arguments: jsonRuns) func streamedBytesAreTheRenderedReport(_ args: [String]) throws {
    let out = execute(args)
    let report = try #require(out.report)
    #expect(out.stdout.isEmpty)
    let whole = runCommand(args).stdout
    #expect(whole.hasPrefix("{") || whole.hasPrefix("["))
    #expect(whole.hasSuffix("\n"))
    for chunk in [1, 7, 4096, 1 << 16] {
      #expect(try streamed(report, chunk: chunk) == whole, "chunk \(chunk)")
    }
  }

  @Test func theGoldenReportIsStreamedUnchanged() throws {
    let args = ["check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json",
                "--deal", "\(Self.example)/deals/sector-cap.json", "--format", "json"]
    let golden = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/CovenantKitTests/Golden/check/sector-cap.json"), encoding: .utf8)
    #expect(try streamed(try #require(execute(args).report), chunk: 3) == golden)
  }

  /// A sink that fails after two chunks: the writer reports the failure and no further element
  /// is made (a million groups are not rendered into nothing).
  @Test func aFailingSinkStopsTheReport() {
    var made = 0
    var chunks = 0
    var w = ReportWriter(chunk: 64) { _ in
      chunks += 1
      return chunks <= 2
    }
    let report = JSONOut.object([("checks", .elements(count: 10_000) { i in
      made += 1
      return .object([("group", .string("issuer \(i)")), ("holds", .bool(true))])
    })])
    report.write(&w, indent: 0, pretty: true)
    #expect(w.failed)
    let flushed = w.flush()
    #expect(!flushed)
    #expect(chunks == 3)
    #expect(made < 20, "\(made) elements made after the sink failed")
    #expect(w.bytes.isEmpty)
  }

  /// A write that fails (a full disk) is exit 2 with a one-line diagnostic, whatever the verdict:
  /// a compliant check whose report was cut short is not a pass.
  @Test func aFailedWriteIsExitTwoNotAPass() throws {
    let args = ["check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json",
                "--deal", "\(Self.example)/deals/compliant.json", "--format", "json"]
    let out = execute(args)
    #expect(out.exitCode == ExitCode.compliant)
    try #require(out.report != nil)
    let full = open("/dev/full", O_WRONLY)
    try #require(full >= 0, "no /dev/full")
    defer { close(full) }
    var pipeFDs: [Int32] = [0, 0]
    try #require(pipe(&pipeFDs) == 0)
    let code = Commands.deliver(out, stdoutFD: full, stderrFD: pipeFDs[1])
    close(pipeFDs[1])
    let stderr = String(decoding: OutputChannel.readAll(pipeFDs[0]) ?? [], as: UTF8.self)
    close(pipeFDs[0])
    #expect(code == ExitCode.invalid)
    let errorLines = stderr.split(separator: "\n").filter { $0.contains("A005") }
    #expect(errorLines.count == 1)
    #expect(errorLines.first?.hasPrefix("covenant: error[A005]: cannot write to standard output:") == true, "\(stderr)")
  }

  /// The reader going away ends the report quietly, with the command's own exit code. (A JSON
  /// batch, whose verdict is decided as it is written: `StreamedBatchTests`.)
  @Test func aClosedPipeEndsQuietly() throws {
    let args = ["check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json",
                "--deal", "\(Self.example)/deals/sector-cap.json", "--format", "json"]
    let out = execute(args)
    try #require(out.report != nil)
    let (code, stderr) = try deliverToClosedPipe(out)
    #expect(code == out.exitCode)
    #expect(!stderr.contains("A005"), "\(stderr)")
  }

  /// `--output` to a device that cannot take the report: A004 and exit 2 (on standard error, and
  /// as a JSON diagnostics document on standard output); to a file: the streamed report, byte for byte.
  @Test func outputFileGetsTheStreamedReport() throws {
    let args = ["check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json",
                "--deal", "\(Self.example)/deals/sector-cap.json", "--format", "json"]
    let full = runCommand(args + ["--output", "/dev/full"])
    #expect(full.exitCode == ExitCode.invalid)
    #expect(full.stderr.contains("error[A004]: cannot write /dev/full"), "\(full.stderr)")
    // The format is JSON, so the failure is also a JSON document on standard output (A004, no report).
    #expect(full.stdout.contains("\"code\": \"A004\""), "\(full.stdout)")
    #expect(full.stdout.contains("\"verdict\": \"invalid\""), "\(full.stdout)")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).json").path
    defer { unlink(path) }
    let written = runCommand(args + ["--output", path])
    #expect(written.exitCode == ExitCode.breach)
    #expect(written.stdout.isEmpty)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == runCommand(args).stdout)
    // `--quiet` keeps the verdict line and drops the report.
    let quiet = runCommand(args + ["--quiet"])
    #expect(quiet.stdout.hasPrefix("result: BREACH ("), "\(quiet.stdout)")
    #expect(!quiet.stdout.contains("{"))
  }

  /// A portfolio of 50 holdings, `failing` of them over a 10% cap on each holding's share.
  func perHolding(failing: Int) throws -> (dir: URL, args: [String]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("groups-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    // 200 is over 10% of every total here (at most 1,930); 30 is under it and nearer than 10.
    let holdings = (0..<50).map { i in ("h\(i)", "power", "US", i < failing ? "200" : i % 10 == 9 ? "30" : "10") }
    let cov = prelude + "§9 \"Per holding\"\n  for each id:\n    share of holdings.value where id = that id <= 10%\n"
    try Data(cov.utf8).write(to: dir.appendingPathComponent("c.cov"))
    try Data(snapshotJSON(holdings).utf8).write(to: dir.appendingPathComponent("p.json"))
    return (dir, ["check", dir.appendingPathComponent("c.cov").path, "--portfolio", dir.appendingPathComponent("p.json").path, "--format", "json"])
  }

  /// `"20/183"` or `"0.1"` as an exact number.
  static func ratio(_ s: String) -> Exact? {
    let parts = s.split(separator: "/")
    guard let n = (try? Exact.parse(parts[0])) ?? nil else { return nil }
    guard parts.count == 2 else { return n }
    guard let d = (try? Exact.parse(parts[1])) ?? nil else { return nil }
    return try? n.divided(by: d)
  }

  func checks(_ stdout: String) throws -> (checks: [[String: Any]], total: Int?) {
    let report = try #require((try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any], "\(stdout.prefix(300))")
    let clause = try #require((report["clauses"] as? [[String: Any]])?.first { $0["id"] as? String == "9" && $0["section"] as? String == "§9" })
    let snapshot = try #require(clause["snapshot"] as? [String: Any])
    return (try #require(snapshot["checks"] as? [[String: Any]]), snapshot["checks_total"] as? Int)
  }

  /// By default a long group list keeps every failed group, worst first, and otherwise the
  /// nearest the limit up to five; `--all-groups` lists all 50 in order, without `checks_total`.
  @Test(arguments: [0, 2, 7]) func snapshotListsTheGroupsThatMatter(_ failing: Int) throws {
    let (dir, args) = try perHolding(failing: failing)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = runCommand(args)
    #expect(out.exitCode == (failing > 0 ? 1 : 0), "\(out.stderr)")
    let (listed, total) = try checks(out.stdout)
    #expect(total == 50)
    #expect(listed.count == max(failing, CheckReport.groupsShown))
    let failed = listed.filter { $0["holds"] as? Bool == false }
    #expect(failed.count == failing)
    // Failed first, then passing by utilization, highest first.
    #expect(listed.prefix(failing).allSatisfy { $0["holds"] as? Bool == false })
    let passing = listed.dropFirst(failing).compactMap { ($0["utilization"] as? String).flatMap(Self.ratio) }
    #expect(passing.count == listed.count - failing)
    #expect(zip(passing, passing.dropFirst()).allSatisfy { $0 >= $1 })
    // The nearest passing groups are the 60s (h9, h19, …), not the 10s.
    if failing < CheckReport.groupsShown {
      #expect(listed.dropFirst(failing).allSatisfy { ($0["group"] as? String).map { $0.hasSuffix("9") } == true }, "\(listed.map { $0["group"] ?? "" })")
    }

    let all = runCommand(args + ["--all-groups"])
    #expect(all.exitCode == out.exitCode)
    let (every, noTotal) = try checks(all.stdout)
    #expect(noTotal == nil)
    // In the evaluation's order: the groups' names sorted.
    #expect(every.map { $0["group"] as? String } == (0..<50).map { "id h\($0)" }.sorted())
    #expect(every.filter { $0["holds"] as? Bool == false }.count == failing)
  }

  /// Text reports are unaffected by the JSON listing: five groups and the count of the rest.
  @Test func textShowsFiveWithTheCountOfTheRest() throws {
    let (dir, args) = try perHolding(failing: 7)
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = runCommand(Array(args.dropLast(2)))
    #expect(text.stdout.contains("… and 45 more groups, 2 of them over their limits"), "\(text.stdout)")
    #expect(runCommand(Array(args.dropLast(2)) + ["--all-groups"]).stdout == text.stdout)
  }

  /// A string is escaped in runs (bytes that need no escape copied whole): every byte is what
  /// the rule byte by byte gives, for quotes, backslashes, each control character, DEL,
  /// non-ASCII text and strings that start or end with an escape.
  @Test func escapingCopiesRunsAsTheByteRuleSays() {
    func byByte(_ s: String) -> [UInt8] {
      var out: [UInt8] = [0x22]
      for b in s.utf8 {
        switch b {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        case 0..<0x20, 0x7F: out += Array(("\\u" + String(b, radix: 16).leftPadded(4)).utf8)
        default: out.append(b)
        }
      }
      return out + [0x22]
    }
    var samples = ["", "plain", "\"", "a\"b", "\\", "x\\", "tab\tnew\nline\r", "\u{7F}del", "é §e.b — 10% ≤ 40%", "\u{1}\u{1F}", "end\n"]
    samples.append(String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self))
    for s in samples {
      var out: [UInt8] = [0x41]
      JSONOut.escape(s, into: &out)
      #expect(out == [0x41] + byByte(s), "\(s.debugDescription)")
    }
  }
}
