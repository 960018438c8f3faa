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

/// The command line's own errors (A codes) are diagnostics like the others: rendered by
/// `DiagnosticRenderer` on standard error and, where the format is known, in the selected format
/// on standard output. Exit code 2 throughout.
@Suite struct CommandCodeGoldenTests {
  static func shown(_ out: CommandOutput) -> String {
    // The checkout's absolute path (in A004's reason) is not part of the golden.
    "exit \(out.exitCode)\n--- stdout ---\n\(out.stdout)--- stderr ---\n\(out.stderr)"
      .replacingOccurrences(of: repositoryRoot.path, with: "<root>")
  }

  /// A directory with covenants and no test files.
  static let noTests = "Tests/CovenantKitTests/Golden/fmt"
  static let cov = "examples/us-japan-fund/covenant.cov"

  @Test func usageErrorIsA001() {
    let out = runCommand(["bogus"])
    #expect(out.exitCode == ExitCode.invalid)
    assertGolden(Self.shown(out), "cli/a001.txt")
  }

  /// Every usage error the command line knows (one per case of `CommandDiagnostics.Usage`, with
  /// and without a did-you-mean), word for word: the golden was written by the binary from
  /// before the wording moved into the catalogue.
  @Test func everyUsageErrorIsWordedAsBefore() throws {
    let lines = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/CovenantKitTests/Golden/cli/usage.txt"), encoding: .utf8)
      .split(separator: "\n").filter { $0.hasPrefix("$ covenant ") }.map { $0.dropFirst("$ covenant ".count) }
    #expect(lines.count >= 28)
    var shown = ""
    for line in lines {
      let out = runCommand(line.split(separator: " ").map(String.init))
      #expect(out.stderr.hasPrefix("covenant: error[A001]: "), "\(line)")
      shown += "$ covenant \(line)\n\(out.stdout)\(out.stderr)exit \(out.exitCode)\n"
    }
    assertGolden(shown, "cli/usage.txt")
  }

  /// A diagnostic about the command line points at no file: a SARIF result without `locations`
  /// (valid SARIF 2.1.0), a GitHub annotation without `file=`, a JSON diagnostic with a null
  /// `file`. A002 names the file it could not read and keeps it.
  @Test func commandLineDiagnosticsHaveNoLocation() throws {
    let sarif = runCommand(["test", Self.noTests, "--format", "sarif"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
    #expect(root["version"] as? String == "2.1.0")
    let run = try #require((root["runs"] as? [[String: Any]])?.first)
    let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.count == 1)
    for r in results {
      #expect(r["ruleId"] as? String == "A003")
      #expect(rules.contains { $0["id"] as? String == "A003" })
      #expect(r["level"] as? String == "error")
      #expect((r["message"] as? [String: Any])?["text"] is String)
      #expect(r["locations"] == nil)
    }
    let github = runCommand(["test", Self.noTests, "--format", "github"])
    #expect(github.stdout.hasPrefix("::error title=A003::no covenant tests"))
    let json = runCommand(["validate", Self.cov, "-o", "README.md/x", "--format", "json"])
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let d = try #require((doc["diagnostics"] as? [[String: Any]])?.first)
    #expect(d["code"] as? String == "A004")
    #expect(d["file"] is NSNull)
    let missing = runCommand(["validate", "no/such.cov", "--format", "github"])
    #expect(missing.stdout.contains("file=no/such.cov"))
  }

  @Test(arguments: ["text", "json", "sarif", "junit", "github"]) func noTestsIsA003(_ format: String) {
    let out = runCommand(["test", Self.noTests, "--format", format, "--no-color"])
    #expect(out.exitCode == ExitCode.invalid)
    #expect(out.stderr.contains("error[A003]"))
    assertGolden(Self.shown(out), "cli/a003.\(format)")
  }

  @Test(arguments: ["text", "json", "sarif"]) func unwritableOutputIsA004(_ format: String) {
    let out = runCommand(["validate", Self.cov, "-o", "README.md/x", "--format", format])
    #expect(out.exitCode == ExitCode.invalid)
    assertGolden(Self.shown(out), "cli/a004.\(format)")
  }

  @Test func fileNotFoundIsA002InJSON() {
    let out = runCommand(["validate", "no/such.cov", "--format", "json"])
    #expect(out.exitCode == ExitCode.invalid)
    assertGolden(Self.shown(out), "cli/a002.json")
  }

  /// Colour only where asked: `--no-color` (and a non-terminal) gives plain text.
  @Test func colourFollowsTheTerminal() {
    var env = CommandEnvironment()
    env.stderrIsTerminal = true
    let coloured = runCommand(["test", Self.noTests], env: env)
    #expect(coloured.stderr.contains("\u{1B}[31merror[A003]"))
    let plain = runCommand(["test", Self.noTests, "--no-color"], env: env)
    #expect(plain.stderr == "covenant: error[A003]: no covenant tests (*.covtest) found in \(Self.noTests)\n")
  }

  @Test func failedStandardOutputIsA005() throws {
    let full = open("/dev/full", O_WRONLY)
    try #require(full >= 0)
    defer { close(full) }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("a005-\(UUID().uuidString)")
    try #require(FileManager.default.createFile(atPath: url.path, contents: nil))
    defer { try? FileManager.default.removeItem(at: url) }
    let errFD = open(url.path, O_WRONLY)
    try #require(errFD >= 0)
    var out = CommandOutput()
    out.stdout = "a report\n"
    #expect(Commands.deliver(out, stdoutFD: full, stderrFD: errFD) == ExitCode.invalid)
    close(errFD)
    assertGolden(try String(contentsOf: url, encoding: .utf8), "cli/a005.txt")
  }
}
