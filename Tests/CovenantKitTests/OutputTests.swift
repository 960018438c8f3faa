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

/// The built `covenant` executable, beside the test bundle (`swift test` builds every product) or
/// under `.build/debug`. A missing binary is a failure, never a silent skip.
func covenantBinary(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
  var candidates: [URL] = []
  if let first = CommandLine.arguments.first {
    var dir = URL(fileURLWithPath: first).deletingLastPathComponent()
    // Inside an .xctest bundle on macOS: Contents/MacOS/…
    for _ in 0..<4 {
      candidates.append(dir.appendingPathComponent("covenant"))
      dir = dir.deletingLastPathComponent()
    }
  }
  if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("covenant")) }
  candidates.append(repositoryRoot.appendingPathComponent(".build/debug/covenant"))
  for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), !isDir.boolValue { return c }
  }
  Issue.record("the covenant executable was not found (looked in \(candidates.map(\.path))); run `swift build` first", sourceLocation: sourceLocation)
  return nil
}

/// Runs the real binary through `/bin/sh` so that the test can redirect or close descriptors the
/// way a shell user does: `redirect` is e.g. `>/dev/full` or `>&-`.
func runBinary(_ args: [String], redirect: String = "", stdin: String? = nil) throws -> (stdout: String, stderr: String, code: Int32) {
  guard let binary = covenantBinary() else { return ("", "", -1) }
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/bin/sh")
  p.currentDirectoryURL = repositoryRoot
  p.arguments = ["-c", "exec \"$0\" \"$@\" \(redirect)", binary.path] + args
  p.environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]
  let out = Pipe(), err = Pipe(), input = Pipe()
  p.standardOutput = out
  p.standardError = err
  p.standardInput = input
  try p.run()
  if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
  try input.fileHandleForWriting.close()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), p.terminationStatus)
}

@Suite(.serialized) struct OutputTests {
  static let cov = "examples/us-japan-fund/covenant.cov"
  static let portfolio = "examples/us-japan-fund/portfolio.json"
  static let deal = "examples/us-japan-fund/deals/sector-cap.json"

  /// Every verb, as it writes to standard output.
  static let verbs: [[String]] = [
    ["check", cov, "--portfolio", portfolio, "--deal", deal],
    ["check", cov, "-p", portfolio, "--deals", "examples/us-japan-fund/deals"],
    ["check", cov, "-p", portfolio, "-d", deal, "-f", "json"],
    ["check", cov, "-p", portfolio, "-d", deal, "-f", "sarif"],
    ["validate", cov],
    ["validate", cov, "-f", "junit"],
    ["test", "examples"],
    ["fmt", cov],
    ["completions", "bash"],
    ["help"],
    ["help", "check"],
    ["check", "--help"],
    ["--version"],
  ]

  @Test(arguments: verbs) func fullDiskIsExitTwoWithADiagnostic(_ args: [String]) throws {
    let r = try runBinary(args, redirect: ">/dev/full")
    #expect(r.code == 2, "\(args): \(r.stderr)")
    #expect(r.stderr.contains("error[A005]: cannot write to standard output: No space left on device"), "\(r.stderr)")
    #expect(!r.stderr.contains("Fatal error"))
  }

  @Test(arguments: verbs) func closedStandardOutputIsExitTwo(_ args: [String]) throws {
    let r = try runBinary(args, redirect: ">&-")
    #expect(r.code == 2, "\(args): \(r.stderr)")
    #expect(r.stderr.contains("error[A005]"), "\(r.stderr)")
  }

  /// Standard error full or closed: nothing can be said, the exit code says it.
  @Test func failedStandardErrorIsExitTwo() throws {
    let broken = "Tests/CovenantKitTests/Golden/fixtures/broken.cov"
    #expect(try runBinary(["validate", broken], redirect: "2>/dev/full").code == 2)
    #expect(try runBinary(["check", Self.cov, "-p", Self.portfolio], redirect: ">/dev/full 2>&-").code == 2)
    #expect(try runBinary(["fmt", "--check", broken], redirect: ">/dev/full 2>/dev/full").code == 2)
    // A compliant run that writes nothing to standard error is not affected by its state.
    #expect(try runBinary(["validate", Self.cov], redirect: "2>&-").code == 0)
  }

  /// `| head`: the reader leaves; the tool ends quietly with the verdict's exit code.
  @Test func brokenPipeEndsQuietly() throws {
    guard let binary = covenantBinary() else { return }
    for (args, expected) in [(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "-f", "json"], Int32(1)), (["validate", Self.cov], 0)] {
      let p = Process()
      p.executableURL = binary
      p.currentDirectoryURL = repositoryRoot
      p.arguments = args
      let out = Pipe(), err = Pipe()
      p.standardOutput = out
      p.standardError = err
      try out.fileHandleForReading.close()
      try p.run()
      let e = err.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      #expect(p.terminationReason == .exit)
      #expect(p.terminationStatus == expected)
      #expect(e.isEmpty, "\(String(decoding: e, as: UTF8.self))")
    }
  }

  @Test func outputFileIsWrittenAtomically() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let target = dir.appendingPathComponent("report.json")
    let r = runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "-f", "json", "-o", target.path])
    #expect(r.exitCode == 1)
    #expect(r.stdout.isEmpty)
    let direct = runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "--format=json"])
    #expect(try String(contentsOf: target, encoding: .utf8) == direct.stdout)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.json"])
    // `--output -` is standard output.
    #expect(runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "-f", "json", "-o", "-"]).stdout == direct.stdout)
  }

  @Test func failedOutputFileLeavesNothingBehind() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // Into a directory that does not exist.
    let missing = dir.appendingPathComponent("no/such/report.txt").path
    let r = runCommand(["check", Self.cov, "-p", Self.portfolio, "--output", missing])
    #expect(r.exitCode == 2)
    #expect(r.stderr.contains("error[A004]"))
    #expect(r.stdout.isEmpty)
    // Onto a full device, through the real binary.
    let full = try runBinary(["check", Self.cov, "-p", Self.portfolio, "-o", "/dev/full"])
    #expect(full.code == 2 && full.stderr.contains("error[A004]") && full.stderr.contains("No space left on device"))
    // A failure just before the rename keeps the old file and removes the temporary one.
    let target = dir.appendingPathComponent("keep.txt")
    try Data("old".utf8).write(to: target)
    struct Crash: Error {}
    #expect(throws: AtomicFile.Failure.self) {
      try AtomicFile.replace(target.path, with: Array("new".utf8)) { throw Crash() }
    }
    #expect(try String(contentsOf: target, encoding: .utf8) == "old")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.txt"])
    // The target a directory: refused, nothing created.
    #expect(throws: AtomicFile.Failure.self) { try AtomicFile.replace(dir.path, with: [1]) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.txt"])
  }

  @Test func atomicReplaceKeepsPermissions() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let target = dir.appendingPathComponent("c.cov")
    try Data("x".utf8).write(to: target)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target.path)
    try AtomicFile.replace(target.path, with: Array("y".utf8))
    let perms = try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int
    #expect(perms == 0o640)
    #expect(try String(contentsOf: target, encoding: .utf8) == "y")
  }

  /// `deliver` on descriptors the test controls: a pipe whose reader is gone, and /dev/full.
  @Test func deliverChecksEveryWrite() throws {
    var out = CommandOutput()
    out.stdout = "report\n"
    let full = open("/dev/full", O_WRONLY)
    defer { close(full) }
    let sink = open("/dev/null", O_WRONLY)
    defer { close(sink) }
    #expect(Commands.deliver(out, stdoutFD: full, stderrFD: sink) == 2)
    #expect(Commands.deliver(out, stdoutFD: sink, stderrFD: sink) == 0)
    #expect(Commands.deliver(out, stdoutFD: 987, stderrFD: sink) == 2)
    out.exitCode = 1
    #expect(Commands.deliver(out, stdoutFD: sink, stderrFD: full) == 1)  // nothing on stderr to fail
    out.stderr = "warning\n"
    #expect(Commands.deliver(out, stdoutFD: sink, stderrFD: full) == 2)
  }
}
