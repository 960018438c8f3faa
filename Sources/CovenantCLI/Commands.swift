import CovenantKit
// By name as well: its `package` members (the concrete `[String].joined(separator:)`, TextLayout.swift)
// are not re-exported by CovenantKit.
import CovenantValues

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a command printed and how it exits. Commands run in-process and return this, so the
/// executable stays a few lines and tests run commands without spawning processes.
public struct CommandOutput: Sendable, Error {
  public var stdout = ""
  public var stderr = ""
  public var exitCode: Int32 = 0
  /// The one line `--quiet` keeps: `result: compliant (…)`, `3 covenants valid`, …
  public var verdictLine: String?
  /// A clause or a diagnostic at warning level: `--fail-on-warnings` turns exit 0 into 1.
  public var hasWarnings = false
  /// A report written as it is made, instead of `stdout`: to the descriptor or the `--output`
  /// file through a buffered `ReportWriter`, so a million-holding report is never held whole.
  /// `run` renders it into `stdout`; `main` streams it.
  public var report: StreamedReport?
  public init() {}
}

/// The writing of a report, deferred until its destination is known. `@unchecked Sendable`: made
/// and called on the one thread that runs the command, never shared.
public struct StreamedReport: @unchecked Sendable {
  let write: (inout ReportWriter) -> Void
  /// For a report whose writing decides the command's outcome: a JSON batch checks each deal as
  /// it writes it (no deal's result is held), so its exit code, verdict line, warnings and
  /// summary are known only once the report is written. Called once, after writing (or after
  /// the writing stopped); it sets them on the command's output. nil: decided before writing.
  var settle: ((inout CommandOutput) -> Void)?
  /// For such a report cut short by a reader that left (`| head`): decides, without writing, what
  /// the writing did not reach (a JSON batch checks its remaining deals without their figures),
  /// so the command still ends quietly with the verdict of the whole. Called before `settle`.
  var unwritten: (() -> Void)?
  init(
    _ write: @escaping (inout ReportWriter) -> Void, settle: ((inout CommandOutput) -> Void)? = nil,
    unwritten: (() -> Void)? = nil
  ) {
    self.write = write
    self.settle = settle
    self.unwritten = unwritten
  }

  /// The report in memory (tests, `run`).
  func rendered() -> String {
    var w = ReportWriter()
    write(&w)
    return String(decoding: w.bytes, as: UTF8.self)
  }
}

/// Exit codes, stable and documented in the README.
public enum ExitCode {
  public static let compliant: Int32 = 0
  public static let breach: Int32 = 1
  public static let invalid: Int32 = 2
}

public struct CommandEnvironment: Sendable {
  public var stdoutIsTerminal = false
  public var stderrIsTerminal = false
  /// `NO_COLOR`: turns colour off (in `--color auto`) when set and not empty.
  public var noColorVariable: String?
  /// `FORCE_COLOR`: turns colour on (in `--color auto`) when set, not empty and not `0`.
  public var forceColorVariable: String?
  /// Standard input, for an input given as `-`; nil when it cannot be read.
  public var readStandardInput: @Sendable () -> [UInt8]? = { OutputChannel.readAll(0) }
  /// The directory relative paths are read and written against (covenants, data, deals
  /// directories, test files, `--output`, `fmt --write`), resolved at each file access; nil is
  /// the process's current directory, as the real command line uses. Diagnostics and reports show
  /// paths as given. Tests pass a directory rather than change the process-wide one.
  public var workingDirectory: String?

  public init(
    stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, noColorVariable: String? = nil, forceColorVariable: String? = nil,
    readStandardInput: (@Sendable () -> [UInt8]?)? = nil, workingDirectory: String? = nil
  ) {
    self.workingDirectory = workingDirectory
    self.stdoutIsTerminal = stdoutIsTerminal
    self.stderrIsTerminal = stderrIsTerminal
    self.noColorVariable = noColorVariable
    self.forceColorVariable = forceColorVariable
    if let readStandardInput { self.readStandardInput = readStandardInput }
  }
}

public enum Commands {
  static let verbs = ["check", "validate", "test", "fmt", "explain", "completions", "help"]

  /// What a verb accepts: options with a value, flags, and what it reads as input files.
  struct Spec {
    var valued: Set<String>
    var flags: Set<String>
  }

  /// Options every verb takes.
  static let common = Spec(valued: ["output", "color"], flags: ["quiet", "no-color"])

  /// What `verb` accepts; nil for no verb. A switch, so that a command builds only its own spec
  /// (a table of every verb's was built at each start-up).
  static func spec(_ verb: String) -> Spec? {
    switch verb {
    case "check": Spec(valued: ["portfolio", "deal", "deals", "format"], flags: ["fail-on-warnings", "explain", "all-groups"])
    case "validate": Spec(valued: ["format"], flags: ["fail-on-warnings"])
    case "test": Spec(valued: ["format"], flags: [])
    case "fmt": Spec(valued: [], flags: ["check", "write"])
    case "explain", "completions": Spec(valued: [], flags: [])
    default: nil
    }
  }

  /// `-p FILE` is `--portfolio FILE`, and so on.
  static let shortForms: [String: String] = [
    "p": "portfolio", "d": "deal", "f": "format", "o": "output", "q": "quiet", "h": "help",
  ]

  /// Runs a command with its report, if any, rendered into `stdout` (in memory: for tests and
  /// programs; the executable streams it, see `main`).
  public static func run(_ args: [String], env: CommandEnvironment = CommandEnvironment()) -> CommandOutput {
    var out = execute(args, env: env)
    if let report = out.report {
      out.stdout += report.rendered()
      out.report = nil
      report.settle?(&out)
    }
    return out
  }

  /// Runs a command; a report to stream is left in `report`.
  static func execute(_ args: [String], env: CommandEnvironment) -> CommandOutput {
    var out = CommandOutput()
    guard let command = args.first else {
      out.stderr = usage
      out.exitCode = ExitCode.invalid
      return out
    }
    let rest = Array(args.dropFirst())
    switch command {
    case "help", "--help", "-h":
      return help(rest)
    case "--version", "version":
      out.stdout = "covenant \(CovenantKitVersion.string)\n"
      return out
    default: break
    }
    guard let spec = Commands.spec(command) else {
      return usageError(.unknownCommand(command, nearest: closestMatch(command, in: verbs)))
    }
    // `covenant VERB --help` whatever else the line holds.
    if rest.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
      out.stdout = verbUsage[command] ?? usage
      return out
    }
    let parsed = parseOptions(rest, valued: spec.valued.union(common.valued), flags: spec.flags.union(common.flags))
    guard case .success(let o) = parsed else {
      if case .failure(let e) = parsed { return e }
      return out
    }
    let context: Context
    switch Context.make(o, env: env) {
    case .failure(let e): return e
    case .success(let c): context = c
    }
    switch command {
    case "check": out = check(o, context)
    case "validate": out = validate(o, context)
    case "test": out = test(o, context)
    case "fmt": out = fmt(o, context)
    case "explain": out = explain(o, context)
    default: out = completions(o, context)
    }
    return finish(out, o, context)
  }

  /// What every verb shares once its options are read: colour, the output file, `--quiet`,
  /// `--fail-on-warnings`, and standard input for one `-`.
  struct Context {
    var env: CommandEnvironment
    var color: Bool
    var errorColor: Bool
    var output: String?
    var quiet: Bool
    var failOnWarnings: Bool

    /// Where a path given on the command line is on the file system (see `workingDirectory`).
    func resolve(_ path: String) -> String { WorkingDirectory.resolve(path, in: env.workingDirectory) }

    static func make(_ o: Options, env: CommandEnvironment) -> Result<Context, CommandOutput> {
      var choice = "auto"
      if o.flags.contains("no-color") { choice = "never" }
      if let c = o.values["color"]?.last { choice = c }
      guard ["auto", "always", "never"].contains(choice) else {
        return .failure(usageError(.unknownColor(choice)))
      }
      let output = o.values["output"]?.last.flatMap { $0 == "-" ? nil : $0 }
      func on(_ terminal: Bool) -> Bool {
        switch choice {
        case "always": return true
        case "never": return false
        default:
          if let f = env.forceColorVariable, !f.isEmpty, f != "0" { return true }
          if let n = env.noColorVariable, !n.isEmpty { return false }
          return terminal
        }
      }
      let inputs = o.positional + ["portfolio", "deal", "deals"].flatMap { o.values[$0] ?? [] }
      if inputs.filter({ $0 == "-" }).count > 1 {
        return .failure(usageError(.severalStandardInputs))
      }
      return .success(Context(
        env: env, color: on(output == nil && env.stdoutIsTerminal), errorColor: on(env.stderrIsTerminal), output: output,
        quiet: o.flags.contains("quiet"), failOnWarnings: o.flags.contains("fail-on-warnings")))
    }
  }

  /// Applies `--quiet`, `--fail-on-warnings` and `--output` to a verb's output.
  static func finish(_ result: CommandOutput, _ o: Options, _ c: Context) -> CommandOutput {
    var out = result
    // A report that decides the outcome as it is written (a JSON batch).
    if let report = out.report, let settle = report.settle {
      if c.quiet {
        // Nothing is shown but the verdict line, which needs every deal checked. (The batch
        // command checks a quiet batch without a report; this keeps any other caller right.)
        var discard = ReportWriter { _ in true }
        report.write(&discard)
        discard.flush()
        out.report = nil
        settle(&out)
      } else if c.output == nil {
        // To standard output (`deliver`) or into `stdout` (`run`): what depends on the outcome
        // is applied once the report has been written.
        var deferred = report
        deferred.settle = { out in
          settle(&out)
          failOnWarnings(&out, c)
        }
        out.report = deferred
        return out
      }
    }
    failOnWarnings(&out, c)
    if c.quiet {
      out.report = nil
      out.stdout = out.verdictLine.map { $0 + "\n" } ?? ""
      // Errors still say what went wrong; anything else is left out.
      if out.exitCode != ExitCode.invalid { out.stderr = "" }
    }
    if let path = c.output, !out.stdout.isEmpty || out.report != nil || out.exitCode != ExitCode.invalid {
      do throws(AtomicFile.Failure) {
        if let report = out.report {
          out.report = nil
          try AtomicFile.replace(c.resolve(path), streaming: report)
          if let settle = report.settle {
            settle(&out)
            failOnWarnings(&out, c)
          }
        } else {
          try AtomicFile.replace(c.resolve(path), with: Array(out.stdout.utf8))
        }
        out.stdout = ""
      } catch {
        let failure = Diagnostic.commandLine(CommandDiagnostics.cannotWrite(path, reason: error.message, fileUnchanged: false))
        out.stdout = (try? format(o).get()).flatMap { $0 == .text ? nil : ciDiagnostics([failure], sources: [:], format: $0, suite: "covenant") } ?? ""
        out.stderr += DiagnosticRenderer.text(failure, source: nil, color: c.errorColor)
        out.exitCode = ExitCode.invalid
      }
    }
    return out
  }

  /// `--fail-on-warnings`: a compliant run with warnings exits 1.
  static func failOnWarnings(_ out: inout CommandOutput, _ c: Context) {
    guard c.failOnWarnings, out.exitCode == ExitCode.compliant, out.hasWarnings else { return }
    out.exitCode = ExitCode.breach
    if !c.quiet { out.stderr += "covenant: warnings fail this run (--fail-on-warnings)\n" }
  }

  static func usageError(_ u: CommandDiagnostics.Usage) -> CommandOutput {
    var out = CommandOutput()
    // Before the options are read: no colour, no format, text on standard error.
    out.stderr = DiagnosticRenderer.text(Diagnostic.commandLine(CommandDiagnostics.usage(u)), source: nil)
      + "run `covenant help` for usage\n"
    out.exitCode = ExitCode.invalid
    return out
  }

  static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

  static func readSource(_ path: String, _ c: Context) -> Result<SourceFile, Diagnostic> {
    if path == "-" {
      guard let bytes = c.env.readStandardInput() else {
        return .failure(Diagnostic(CommandDiagnostics.unreadableFile(.standardInput), file: displayName(path)))
      }
      return .success(SourceFile(name: displayName(path), bytes: bytes))
    }
    let resolved = c.resolve(path)
    // stat(2), as FileManager's `fileExists` does, without setting up FileManager at start-up.
    var info = stat()
    guard stat(resolved, &info) == 0 else {
      return .failure(Diagnostic(CommandDiagnostics.unreadableFile(.notFound), file: path))
    }
    if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(Diagnostic(CommandDiagnostics.unreadableFile(.directory), file: path)) }
    // read(2) rather than FileManager: `/dev/stdin` and named pipes are read too.
    let fd = open(resolved, O_RDONLY | O_CLOEXEC)
    guard fd >= 0, let bytes = OutputChannel.readAll(fd) else {
      if fd >= 0 { close(fd) }
      return .failure(Diagnostic(CommandDiagnostics.unreadableFile(.unreadable), file: path))
    }
    close(fd)
    return .success(SourceFile(name: path, bytes: bytes))
  }

  /// A JSON input: a file, or standard input for `-`.
  static func readJSON(_ path: String, _ c: Context) -> Result<JSONDocument, Diagnostic> {
    guard path == "-" else { return DataLoader.readJSON(path: path, in: c.env.workingDirectory) }
    guard let bytes = c.env.readStandardInput() else {
      return .failure(Diagnostic(DataDiagnostics.unreadableFile(.standardInput), file: displayName(path)))
    }
    return DataLoader.parseJSON(bytes, file: displayName(path))
  }

  /// Diagnostics in a CI format, for commands that stop on invalid input.
  static func ciDiagnostics(_ diags: [Diagnostic], sources: [String: SourceFile], format: OutputFormat, suite: String) -> String? {
    let findings = diags.map { CIFormats.finding($0, source: sources[$0.file]) }
    switch format {
    case .sarif: return CIFormats.sarif(findings)
    case .github: return CIFormats.github(findings)
    case .junit:
      let cases = diags.filter(\.isError).map { d in
        CIFormats.JUnitCase(classname: d.file, name: "\(d.code) \(d.message)", status: .error(d.message, DiagnosticRenderer.text(d, source: sources[d.file])), output: nil)
      }
      return CIFormats.junit(suite: suite, cases)
    case .json: return invalidJSON(diags, sources: sources)
    case .markdown, .html: return DocumentReport.invalid(render(diags, sources: sources, color: false), html: format == .html)
    default: return nil
    }
  }

  static func render(_ diags: [Diagnostic], sources: [String: SourceFile], color: Bool) -> String {
    guard !diags.isEmpty else { return "" }
    return diags.map { DiagnosticRenderer.text($0, source: sources[$0.file], color: color) }.joined(separator: "\n")
  }

  static func invalidJSON(_ diags: [Diagnostic], sources: [String: SourceFile]) -> String {
    JSONOut.object([
      ("verdict", .string("invalid")),
      ("diagnostics", .array(diags.map { DiagnosticRenderer.json($0, source: sources[$0.file]) })),
    ]).render() + "\n"
  }

}
