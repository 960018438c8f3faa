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

/// The command line with the habits of opa, cedar, ESLint and ruff users: per-verb help, short
/// options, standard input, `--quiet`, `--color`, `--fail-on-warnings`, `explain`, completions.
@Suite(.serialized) struct CommandLineTests {
  static let cov = "examples/us-japan-fund/covenant.cov"
  static let portfolio = "examples/us-japan-fund/portfolio.json"
  static let deal = "examples/us-japan-fund/deals/sector-cap.json"

  @Test(arguments: ["check", "validate", "test", "fmt", "explain", "completions"]) func verbHelp(_ verb: String) {
    for args in [[verb, "--help"], [verb, "-h"], ["help", verb], [verb, "--frmat", "x", "--help"]] {
      let out = runCommand(args)
      #expect(out.exitCode == 0, "\(args)")
      #expect(out.stdout.hasPrefix("usage: covenant \(verb)"), "\(args): \(out.stdout)")
    }
  }

  @Test func unknownHelpTopicIsExitTwo() {
    let out = runCommand(["help", "nonsense"])
    #expect(out.exitCode == 2)
    #expect(out.stderr.contains("error[A001]"))
    #expect(runCommand(["help", "chek"]).stderr.contains("did you mean `check`?"))
    #expect(runCommand(["help"]).exitCode == 0)
    #expect(runCommand(["-h"]).stdout.hasPrefix("usage: covenant"))
  }

  @Test func shortFormsAndDidYouMean() {
    let long = runCommand(["check", Self.cov, "--portfolio", Self.portfolio, "--deal", Self.deal, "--format", "json"])
    let short = runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "-f", "json"])
    let attached = runCommand(["check", Self.cov, "-p" + Self.portfolio, "-d" + Self.deal, "-fjson"])
    #expect(long.exitCode == 1)
    #expect(long.stdout == short.stdout && short.stdout == attached.stdout)
    let typo = runCommand(["check", Self.cov, "-p", Self.portfolio, "--portfolo", Self.portfolio])
    #expect(typo.exitCode == 2 && typo.stderr.contains("did you mean `--portfolio`?"))
    let unknownShort = runCommand(["validate", Self.cov, "-d", Self.deal])
    #expect(unknownShort.exitCode == 2 && unknownShort.stderr.contains("unknown option `-d`"))
  }

  @Test func standardInputForOneInput() throws {
    let portfolio = try Data(contentsOf: repositoryRoot.appendingPathComponent(Self.portfolio))
    let deal = try Data(contentsOf: repositoryRoot.appendingPathComponent(Self.deal))
    let covenant = try Data(contentsOf: repositoryRoot.appendingPathComponent(Self.cov))
    func env(_ d: Data) -> CommandEnvironment { CommandEnvironment(readStandardInput: { [UInt8](d) }) }
    func run(_ args: [String], _ e: CommandEnvironment) -> CommandOutput { runCommand(args, env: e) }
    let expected = runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "-f", "json"])
    #expect(run(["check", Self.cov, "-p", "-", "-d", Self.deal, "-f", "json"], env(portfolio)).stdout == expected.stdout)
    #expect(run(["check", Self.cov, "-p", Self.portfolio, "-d", "-", "-f", "json"], env(deal)).stdout == expected.stdout)
    let fromStdin = run(["check", "-", "-p", Self.portfolio, "-d", Self.deal], env(covenant))
    #expect(fromStdin.exitCode == 1)
    #expect(run(["validate", "-"], env(covenant)).stdout == "1 covenant valid\n")
    #expect(run(["fmt", "-"], env(covenant)).stdout == String(decoding: covenant, as: UTF8.self))
    // A data error names standard input.
    let bad = run(["check", Self.cov, "-p", "-"], env(Data("{".utf8)))
    #expect(bad.exitCode == 2 && bad.stderr.contains("<stdin>"))
    // Only one input can come from standard input.
    let two = run(["check", Self.cov, "-p", "-", "-d", "-"], env(portfolio))
    #expect(two.exitCode == 2 && two.stderr.contains("only one input"))
    // Through the real binary and a pipe.
    let piped = try runBinary(["check", Self.cov, "-p", "-", "-d", Self.deal, "-f", "json"], stdin: String(decoding: portfolio, as: UTF8.self))
    #expect(piped.code == 1 && piped.stdout == expected.stdout)
    let devStdin = try runBinary(["validate", "/dev/stdin"], stdin: String(decoding: covenant, as: UTF8.self))
    #expect(devStdin.code == 0, "\(devStdin.stderr)")
  }

  /// Relative paths are read and written against the environment's working directory, and shown
  /// as given; the process's directory is left alone.
  @Test func workingDirectoryResolvesRelativePaths() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("covenant-wd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("deals"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let root = repositoryRoot
    for (from, to) in [(Self.cov, "c.cov"), (Self.portfolio, "p.json"), (Self.deal, "deals/d.json")] {
      try FileManager.default.copyItem(at: root.appendingPathComponent(from), to: dir.appendingPathComponent(to))
    }
    let cwd = FileManager.default.currentDirectoryPath
    let env = CommandEnvironment(workingDirectory: dir.path)
    let out = Commands.run(["check", "c.cov", "-p", "p.json", "-d", "deals/d.json", "-o", "report.txt"], env: env)
    #expect(out.exitCode == 1 && out.stdout.isEmpty, "\(out.stderr)")
    let report = try String(contentsOf: dir.appendingPathComponent("report.txt"), encoding: .utf8)
    #expect(report == runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal]).stdout.replacingOccurrences(of: Self.cov, with: "c.cov"))
    let batch = Commands.run(["check", "c.cov", "-p", "p.json", "--deals", "deals"], env: env)
    #expect(batch.exitCode == 1 && batch.stdout.contains("BREACH"), "\(batch.stderr)")
    let missing = Commands.run(["check", "c.cov", "-p", "nope.json"], env: env)
    #expect(missing.exitCode == 2 && missing.stderr.contains("nope.json") && !missing.stderr.contains(dir.path))
    // fmt --write rewrites the file in the working directory and names it as given.
    let messy = "covenant \"T\"\nrecord holding\n  value:money\ndata fund from snapshot\n  holdings : list of holding\n§1 \"x\"\n  sum of holdings.value   ≤ $5   # cap\n"
    try Data(messy.utf8).write(to: dir.appendingPathComponent("u.cov"))
    #expect(Commands.run(["fmt", "--check", "u.cov"], env: env).exitCode == 1)
    let fmt = Commands.run(["fmt", "--write", "u.cov"], env: env)
    #expect(fmt.exitCode == 0 && fmt.stderr == "formatted u.cov\n", "\(fmt.stderr)")
    #expect(try String(contentsOf: dir.appendingPathComponent("u.cov"), encoding: .utf8) != messy)
    #expect(Commands.run(["fmt", "--check", "u.cov"], env: env).exitCode == 0)
    #expect(FileManager.default.currentDirectoryPath == cwd)
  }

  @Test func quietPrintsTheVerdictLineOnly() {
    let breach = runCommand(["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal, "--quiet"])
    #expect(breach.exitCode == 1)
    #expect(breach.stdout.hasPrefix("result: BREACH (") && breach.stdout.split(separator: "\n").count == 1)
    #expect(breach.stderr.isEmpty)
    let ok = runCommand(["check", Self.cov, "-p", Self.portfolio, "-q"])
    #expect(ok.exitCode == 0 && ok.stdout.hasPrefix("result: compliant (") && ok.stdout.split(separator: "\n").count == 1)
    #expect(runCommand(["validate", Self.cov, "-q"]).stdout == "1 covenant valid\n")
    let tests = runCommand(["test", "examples", "-q"])
    #expect(tests.exitCode == 0 && tests.stdout.hasSuffix(" passed, 0 failed\n") && tests.stdout.split(separator: "\n").count == 1)
    // An invalid input still says why, on standard error.
    let invalid = runCommand(["check", Self.cov, "-p", "no-such.json", "-q"])
    #expect(invalid.exitCode == 2 && invalid.stdout.isEmpty && invalid.stderr.contains("D010"))
  }

  @Test func failOnWarnings() {
    // The snapshot alone is compliant with warnings.
    let plain = runCommand(["check", Self.cov, "-p", Self.portfolio])
    #expect(plain.exitCode == 0 && plain.stdout.contains("WARNING"))
    let strict = runCommand(["check", Self.cov, "-p", Self.portfolio, "--fail-on-warnings"])
    #expect(strict.exitCode == 1)
    #expect(strict.stderr.contains("--fail-on-warnings"))
    #expect(runCommand(["check", Self.cov, "-p", Self.portfolio, "--deals", "examples/us-japan-fund/deals", "--fail-on-warnings"]).exitCode == 1)
    #expect(runCommand(["validate", Self.cov, "--fail-on-warnings"]).exitCode == 0)
  }

  @Test func colorSettings() {
    func run(_ args: [String], stdoutTTY: Bool = false, stderrTTY: Bool = false, noColor: String? = nil, force: String? = nil) -> CommandOutput {
      runCommand(args, env: CommandEnvironment(stdoutIsTerminal: stdoutTTY, stderrIsTerminal: stderrTTY, noColorVariable: noColor, forceColorVariable: force))
    }
    let check = ["check", Self.cov, "-p", Self.portfolio, "-d", Self.deal]
    let esc = "\u{1B}["
    #expect(!run(check).stdout.contains(esc))
    #expect(run(check, stdoutTTY: true).stdout.contains(esc))
    #expect(!run(check, stdoutTTY: true, noColor: "1").stdout.contains(esc))
    // NO_COLOR only counts when it is not empty.
    #expect(run(check, stdoutTTY: true, noColor: "").stdout.contains(esc))
    #expect(run(check, force: "1").stdout.contains(esc))
    #expect(!run(check, force: "0").stdout.contains(esc))
    #expect(run(check + ["--color", "always"]).stdout.contains(esc))
    #expect(run(check + ["--color=always"], noColor: "1").stdout.contains(esc))
    #expect(!run(check + ["--color", "never"], stdoutTTY: true, force: "1").stdout.contains(esc))
    #expect(!run(check + ["--no-color"], stdoutTTY: true).stdout.contains(esc))
    #expect(run(check + ["--color", "sometimes"]).exitCode == 2)
    // Error output follows the same settings, judged on standard error's terminal.
    let broken = ["validate", "Tests/CovenantKitTests/Golden/fixtures/broken.cov"]
    #expect(run(broken, stderrTTY: true).stderr.contains(esc))
    #expect(!run(broken, stderrTTY: true, noColor: "1").stderr.contains(esc))
    #expect(!run(broken + ["--color", "never"], stderrTTY: true).stderr.contains(esc))
    // `--no-color` was ignored for error output (issue 15).
    #expect(!run(broken + ["--no-color"], stderrTTY: true).stderr.contains(esc))
    #expect(run(broken + ["--color", "always"]).stderr.contains(esc))
    #expect(!run(broken).stderr.contains(esc))
    // A report written to a file is not coloured in auto mode.
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("color-\(UUID().uuidString).txt")
    defer { try? FileManager.default.removeItem(at: file) }
    _ = run(check + ["-o", file.path], stdoutTTY: true)
    #expect((try? String(contentsOf: file, encoding: .utf8))?.contains(esc) == false)
  }

  @Test func explainEveryCode() {
    for entry in DiagnosticCodes.all {
      let out = runCommand(["explain", entry.code])
      #expect(out.exitCode == 0)
      #expect(out.stdout.hasPrefix("\(entry.code) (\(entry.stage)): "))
      #expect(out.stdout.contains("example:"))
    }
    #expect(runCommand(["explain", "c002"]).exitCode == 0)
    let unknown = runCommand(["explain", "C999"])
    #expect(unknown.exitCode == 2 && unknown.stderr.contains("unknown diagnostic code"))
    #expect(runCommand(["explain"]).exitCode == 2)
  }

  /// grammar.md's table and the registry `explain` reads list the same codes with the same words.
  @Test func codeTableMatchesTheRegistry() throws {
    let grammar = try String(contentsOf: repositoryRoot.appendingPathComponent("grammar.md"), encoding: .utf8)
    var rows: [String: (String, String)] = [:]
    for line in grammar.split(separator: "\n") where line.hasPrefix("| ") {
      let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard cells.count >= 4, cells[1].count == 4, cells[1].first!.isUppercase, cells[1].dropFirst().allSatisfy(\.isNumber) else { continue }
      rows[cells[1]] = (cells[2], cells[3...].dropLast().joined(separator: "|"))
    }
    #expect(rows.count == DiagnosticCodes.all.count)
    for entry in DiagnosticCodes.all {
      #expect(rows[entry.code]?.0 == entry.stage, "\(entry.code) stage")
      #expect(rows[entry.code]?.1 == entry.summary, "\(entry.code): grammar.md says \(rows[entry.code]?.1 ?? "nothing")")
    }
  }

  @Test(arguments: ["bash", "zsh", "fish"]) func completions(_ shell: String) {
    let out = runCommand(["completions", shell])
    #expect(out.exitCode == 0)
    for word in ["check", "portfolio", "format", "fail-on-warnings", "sarif"] {
      #expect(out.stdout.contains(word), "\(shell) lacks \(word)")
    }
  }

  @Test func completionScriptsParse() throws {
    let bash = runCommand(["completions", "bash"]).stdout
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("covenant-\(UUID().uuidString).bash")
    try Data(bash.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-n", url.path]
    guard FileManager.default.isExecutableFile(atPath: "/bin/bash") else { return }
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    #expect(runCommand(["completions", "powershell"]).exitCode == 2)
  }
}

/// The investment-committee documents: golden files, and the properties a reader relies on.
@Suite(.serialized) struct DocumentReportTests {
  static let example = "examples/us-japan-fund"

  @Test(arguments: ["sector-cap", "waived-cap", "supermajority-short"]) func goldenDocuments(_ deal: String) {
    for format in ["markdown", "html"] {
      let out = runCommand(["check", "\(Self.example)/covenant.cov", "-p", "\(Self.example)/portfolio.json", "-d", "\(Self.example)/deals/\(deal).json", "-f", format])
      #expect(out.exitCode == (deal == "waived-cap" ? 0 : 1))
      assertGolden(out.stdout, "check/\(deal).\(format == "markdown" ? "md" : "html")")
    }
  }

  @Test func snapshotAndBatchDocuments() {
    let snap = runCommand(["check", "\(Self.example)/covenant.cov", "-p", "\(Self.example)/portfolio.json", "-f", "markdown"])
    #expect(snap.exitCode == 0)
    assertGolden(snap.stdout, "check/snapshot.md")
    for format in ["markdown", "html"] {
      let batch = runCommand(["check", "\(Self.example)/covenant.cov", "-p", "\(Self.example)/portfolio.json", "--deals", "\(Self.example)/deals", "-f", format])
      #expect(batch.exitCode == 1)
      assertGolden(batch.stdout, "check/batch.\(format == "markdown" ? "md" : "html")")
    }
  }

  @Test func htmlIsSelfContainedAndAccessible() {
    let out = runCommand(["check", "\(Self.example)/covenant.cov", "-p", "\(Self.example)/portfolio.json", "-d", "\(Self.example)/deals/sector-cap.json", "-f", "html"])
    let html = out.stdout
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<html lang=\"en\">"))
    #expect(!html.contains("<script"))
    #expect(!html.contains("http://") && !html.contains("https://"))
    #expect(!html.contains("<link"))
    // The verdict, the capacity and the breached clause's figures, in words.
    #expect(html.contains("BREACH"))
    #expect(html.contains("Largest compliant deal amount: <strong>$9,230,769,230.76"))
    #expect(html.contains("≈35.58%") && html.contains("over by ≈0.58%"))
    #expect(html.contains("<th scope=\"col\">"))
    #expect(html.contains("@media print"))
    // The breached group comes first in its clause's table.
    let clause = html.range(of: "id=\"clause-4-2-a\"").map { String(html[$0.upperBound...]) } ?? ""
    #expect(clause.range(of: "ai_datacenter")?.lowerBound ?? clause.endIndex < clause.range(of: "sector power")?.lowerBound ?? clause.startIndex)
    // Markdown and HTML are only for check.
    #expect(runCommand(["validate", "\(Self.example)/covenant.cov", "-f", "html"]).exitCode == 2)
  }

  @Test func invalidInputIsAnInvalidDocument() {
    let out = runCommand(["check", "Tests/CovenantKitTests/Golden/fixtures/broken.cov", "-p", "\(Self.example)/portfolio.json", "-f", "markdown"])
    #expect(out.exitCode == 2)
    #expect(out.stdout.contains("**Result: INVALID**") && out.stdout.contains("C002"))
    let html = runCommand(["check", "Tests/CovenantKitTests/Golden/fixtures/broken.cov", "-p", "\(Self.example)/portfolio.json", "-f", "html"])
    #expect(html.exitCode == 2 && html.stdout.contains("INVALID"))
  }
}
