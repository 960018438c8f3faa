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
    FileManager.default.createFile(atPath: url.path, contents: nil)
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
