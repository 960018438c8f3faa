import CovenantKit
import Foundation

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
  public init() {}
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

  public init(
    stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, noColorVariable: String? = nil, forceColorVariable: String? = nil,
    readStandardInput: (@Sendable () -> [UInt8]?)? = nil
  ) {
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

  static let specs: [String: Spec] = [
    "check": Spec(valued: ["portfolio", "deal", "deals", "format"], flags: ["fail-on-warnings", "explain"]),
    "validate": Spec(valued: ["format"], flags: ["fail-on-warnings"]),
    "test": Spec(valued: ["format"], flags: []),
    "fmt": Spec(valued: [], flags: ["check", "write"]),
    "explain": Spec(valued: [], flags: []),
    "completions": Spec(valued: [], flags: []),
  ]

  /// `-p FILE` is `--portfolio FILE`, and so on.
  static let shortForms: [String: String] = [
    "p": "portfolio", "d": "deal", "f": "format", "o": "output", "q": "quiet", "h": "help",
  ]

  public static func run(_ args: [String], env: CommandEnvironment = CommandEnvironment()) -> CommandOutput {
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
    guard let spec = specs[command] else {
      return usageError("unknown command `\(command)`", help: closestMatch(command, in: verbs).map { "did you mean `\($0)`?" })
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

    static func make(_ o: Options, env: CommandEnvironment) -> Result<Context, CommandOutput> {
      var choice = "auto"
      if o.flags.contains("no-color") { choice = "never" }
      if let c = o.values["color"]?.last { choice = c }
      guard ["auto", "always", "never"].contains(choice) else {
        return .failure(usageError("unknown colour setting `\(choice)`", help: "use `--color auto`, `--color always` or `--color never`"))
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
        return .failure(usageError("only one input can be read from standard input (`-`)"))
      }
      return .success(Context(
        env: env, color: on(output == nil && env.stdoutIsTerminal), errorColor: on(env.stderrIsTerminal), output: output,
        quiet: o.flags.contains("quiet"), failOnWarnings: o.flags.contains("fail-on-warnings")))
    }
  }

  /// Applies `--quiet`, `--fail-on-warnings` and `--output` to a verb's output.
  static func finish(_ result: CommandOutput, _ o: Options, _ c: Context) -> CommandOutput {
    var out = result
    if c.failOnWarnings, out.exitCode == ExitCode.compliant, out.hasWarnings {
      out.exitCode = ExitCode.breach
      if !c.quiet { out.stderr += "covenant: warnings fail this run (--fail-on-warnings)\n" }
    }
    if c.quiet {
      out.stdout = out.verdictLine.map { $0 + "\n" } ?? ""
      // Errors still say what went wrong; anything else is left out.
      if out.exitCode != ExitCode.invalid { out.stderr = "" }
    }
    if let path = c.output, !out.stdout.isEmpty || out.exitCode != ExitCode.invalid {
      do throws(AtomicFile.Failure) {
        try AtomicFile.replace(path, with: Array(out.stdout.utf8))
        out.stdout = ""
      } catch {
        out.stdout = ""
        out.stderr += "covenant: error[A004]: cannot write \(path): \(error.message) (nothing was written)\n"
        out.exitCode = ExitCode.invalid
      }
    }
    return out
  }

  static func usageError(_ message: String, help: String? = nil) -> CommandOutput {
    var out = CommandOutput()
    out.stderr = "covenant: error[A001]: \(message)\n" + (help.map { "  = help: \($0)\n" } ?? "") + "run `covenant help` for usage\n"
    out.exitCode = ExitCode.invalid
    return out
  }

  /// Parsed options: `--name value` pairs, repeated flags, and positional arguments.
  struct Options {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positional: [String] = []
  }

  static func parseOptions(_ args: [String], valued: Set<String>, flags: Set<String>) -> Result<Options, CommandOutput> {
    var o = Options()
    var i = 0
    while i < args.count {
      var a = args[i]
      if a == "--" {
        o.positional += args[(i + 1)...]
        break
      }
      // `-p FILE`, `-pFILE`: the short form of a long option this verb takes.
      if a.count >= 2, a.hasPrefix("-"), !a.hasPrefix("--") {
        let letter = String(a.dropFirst().prefix(1))
        guard let long = shortForms[letter], valued.contains(long) || flags.contains(long) else {
          let all = Array(valued) + Array(flags)
          let hint = closestMatch(String(a.dropFirst()), in: all).map { "did you mean `--\($0)`?" }
          return .failure(usageError("unknown option `\(a)`", help: hint))
        }
        let attached = String(a.dropFirst(2))
        a = "--" + long + (attached.isEmpty ? "" : "=" + attached)
      }
      if a.hasPrefix("--") {
        var name = String(a.dropFirst(2))
        var inline: String?
        if let eq = name.firstIndex(of: "=") {
          inline = String(name[name.index(after: eq)...])
          name = String(name[..<eq])
        }
        if valued.contains(name) {
          guard let v = inline ?? (i + 1 < args.count ? args[i + 1] : nil) else {
            return .failure(usageError("`--\(name)` needs a value"))
          }
          o.values[name, default: []].append(v)
          i += inline == nil ? 2 : 1
          continue
        }
        if flags.contains(name), inline == nil {
          o.flags.insert(name)
          i += 1
          continue
        }
        let all = Array(valued) + Array(flags)
        return .failure(usageError("unknown option `\(args[i])`", help: closestMatch(name, in: all).map { "did you mean `--\($0)`?" }))
      }
      o.positional.append(a)
      i += 1
    }
    return .success(o)
  }

  static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

  static func readSource(_ path: String, _ c: Context) -> Result<SourceFile, Diagnostic> {
    if path == "-" {
      guard let bytes = c.env.readStandardInput() else {
        return .failure(Diagnostic(code: "A002", message: "cannot read standard input", file: displayName(path)))
      }
      return .success(SourceFile(name: displayName(path), bytes: bytes))
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      return .failure(Diagnostic(code: "A002", message: "file not found", file: path, help: "check the path"))
    }
    if isDir.boolValue { return .failure(Diagnostic(code: "A002", message: "is a directory, not a covenant file", file: path)) }
    // read(2) rather than FileManager: `/dev/stdin` and named pipes are read too.
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0, let bytes = OutputChannel.readAll(fd) else {
      if fd >= 0 { close(fd) }
      return .failure(Diagnostic(code: "A002", message: "cannot read the file (permission denied?)", file: path))
    }
    close(fd)
    return .success(SourceFile(name: path, bytes: bytes))
  }

  /// A JSON input: a file, or standard input for `-`.
  static func readJSON(_ path: String, _ c: Context) -> Result<JSONDocument, Diagnostic> {
    guard path == "-" else { return DataLoader.readJSON(path: path) }
    guard let bytes = c.env.readStandardInput() else {
      return .failure(Diagnostic(code: "D010", message: "cannot read standard input", file: displayName(path)))
    }
    return DataLoader.parseJSON(bytes, file: displayName(path))
  }

  static let formats = ["text", "json", "sarif", "junit", "github", "markdown", "html"]
  /// The formats of an investment-committee document: `check` only.
  static let documentFormats: Set<String> = ["markdown", "html"]

  static func format(_ o: Options, documents: Bool = false) -> Result<String, CommandOutput> {
    let f = o.values["format"]?.last ?? "text"
    let allowed = formats.filter { documents || !documentFormats.contains($0) }
    guard allowed.contains(f) else {
      if formats.contains(f) { return .failure(usageError("`--format \(f)` is a report of `check`", help: "formats here are " + allowed.map { "`\($0)`" }.joined(separator: ", "))) }
      return .failure(usageError("unknown format `\(f)`", help: "formats are " + allowed.map { "`\($0)`" }.joined(separator: ", ")))
    }
    return .success(f)
  }

  /// Diagnostics in a CI format, for commands that stop on invalid input.
  static func ciDiagnostics(_ diags: [Diagnostic], sources: [String: SourceFile], format: String, suite: String) -> String? {
    let findings = diags.map { CIFormats.finding($0, source: sources[$0.file]) }
    switch format {
    case "sarif": return CIFormats.sarif(findings)
    case "github": return CIFormats.github(findings)
    case "junit":
      let cases = diags.filter(\.isError).map { d in
        CIFormats.JUnitCase(classname: d.file, name: "\(d.code) \(d.message)", status: .error(d.message, DiagnosticRenderer.text(d, source: sources[d.file])), output: nil)
      }
      return CIFormats.junit(suite: suite, cases)
    case "json": return invalidJSON(diags, sources: sources)
    case "markdown", "html": return DocumentReport.invalid(render(diags, sources: sources, color: false), html: format == "html")
    default: return nil
    }
  }

  static func render(_ diags: [Diagnostic], sources: [String: SourceFile], color: Bool) -> String {
    diags.map { DiagnosticRenderer.text($0, source: sources[$0.file], color: color) }.joined(separator: "\n")
  }

  static func invalidJSON(_ diags: [Diagnostic], sources: [String: SourceFile]) -> String {
    JSONOut.object([
      ("verdict", .string("invalid")),
      ("diagnostics", .array(diags.map { DiagnosticRenderer.json($0, source: sources[$0.file]) })),
    ]).render() + "\n"
  }

  // MARK: - validate

  static func validate(_ o: Options, _ c: Context) -> CommandOutput {
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    guard !o.positional.isEmpty else { return usageError("`validate` needs at least one covenant file") }
    var out = CommandOutput()
    var all: [Diagnostic] = []
    var sources: [String: SourceFile] = [:]
    var fileResults: [JSONOut] = []
    for path in o.positional {
      var diags: [Diagnostic]
      switch readSource(path, c) {
      case .failure(let d): diags = [d]
      case .success(let file):
        sources[file.name] = file
        diags = Checker.compile(file).diagnostics
      }
      all += diags
      fileResults.append(.object([
        ("file", .string(displayName(path))), ("valid", .bool(!diags.contains(where: \.isError))),
        ("diagnostics", .array(diags.map { DiagnosticRenderer.json($0, source: sources[$0.file]) })),
      ]))
    }
    let errors = all.filter(\.isError).count
    out.exitCode = errors > 0 ? ExitCode.invalid : ExitCode.compliant
    out.hasWarnings = all.contains { !$0.isError && $0.severity == .warning }
    if fmt == "json" {
      out.stdout = JSONOut.object([("valid", .bool(errors == 0)), ("files", .array(fileResults))]).render() + "\n"
    } else if fmt == "junit" {
      let cases = o.positional.map { path -> CIFormats.JUnitCase in
        let name = displayName(path)
        let mine = all.filter { $0.file == name && $0.isError }
        let status: CIFormats.JUnitCase.Status = mine.isEmpty ? .passed
          : .failed("\(mine.count) error\(mine.count == 1 ? "" : "s")", mine.map { DiagnosticRenderer.text($0, source: sources[name]) }.joined(separator: "\n"))
        return CIFormats.JUnitCase(classname: "validate", name: name, status: status, output: nil)
      }
      out.stdout = CIFormats.junit(suite: "covenant validate", cases)
    } else if fmt != "text" {
      out.stdout = ciDiagnostics(all, sources: sources, format: fmt, suite: "covenant validate") ?? ""
    } else {
      out.stderr = render(all, sources: sources, color: c.errorColor)
      let n = o.positional.count
      let summary = errors == 0
        ? "\(n) covenant\(n == 1 ? "" : "s") valid"
        : "\(errors) error\(errors == 1 ? "" : "s") in \(Set(all.filter(\.isError).map(\.file)).count) of \(n) file\(n == 1 ? "" : "s")"
      if errors == 0 { out.stdout = summary + "\n" } else { out.stderr += (out.stderr.isEmpty ? "" : "\n") + summary + "\n" }
      out.verdictLine = errors == 0 ? summary : nil
    }
    return out
  }

  // MARK: - check

  static func check(_ o: Options, _ c: Context) -> CommandOutput {
    guard case .success(let fmt) = format(o, documents: true) else { if case .failure(let e) = format(o, documents: true) { return e }; return CommandOutput() }
    guard o.positional.count == 1, let covenantPath = o.positional.first else {
      return usageError(o.positional.isEmpty ? "`check` needs a covenant file" : "`check` takes one covenant file, got \(o.positional.count)")
    }
    guard let portfolioPath = o.values["portfolio"]?.last else {
      return usageError("`check` needs `--portfolio SNAPSHOT`")
    }
    let deals = o.values["deal"] ?? []
    guard deals.count <= 1 else { return usageError("`check` takes one `--deal`", help: "to check several deals, use `--deals FILE-OR-DIRECTORY`") }
    let batch = o.values["deals"]?.last
    if batch != nil, !deals.isEmpty { return usageError("`--deal` and `--deals` cannot be combined") }
    if batch == "-" { return usageError("`--deals` reads a file or a directory, not standard input", help: "use `--deal -` for one deal from standard input") }
    let color = c.color
    var sources: [String: SourceFile] = [:]
    var out = CommandOutput()

    func invalid(_ diags: [Diagnostic]) -> CommandOutput {
      var r = CommandOutput()
      r.exitCode = ExitCode.invalid
      if fmt != "text" { r.stdout = ciDiagnostics(diags, sources: sources, format: fmt, suite: "covenant check") ?? "" }
      r.stderr = render(diags, sources: sources, color: c.errorColor)
      r.stderr += "\ninvalid: nothing was checked\n"
      return r
    }

    let file: SourceFile
    switch readSource(covenantPath, c) {
    case .failure(let d): return invalid([d])
    case .success(let f): file = f
    }
    sources[file.name] = file
    var session: CovenantSession
    switch CovenantSession.compile(file) {
    case .failure(let ds): return invalid(ds.list)
    case .success(let s): session = s
    }
    let covenant = session.covenant
    guard covenant.schema.snapshot != nil else {
      return invalid([Diagnostic(code: "C019", message: "the covenant does not declare the snapshot it reads", file: file.name, span: nil)])
    }
    let snapDoc: JSONDocument
    switch readJSON(portfolioPath, c) {
    case .failure(let d): return invalid([d])
    case .success(let doc): snapDoc = doc
    }
    if case .failure(let ds) = session.loadSnapshot(snapDoc, file: displayName(portfolioPath)) { return invalid(ds.list) }
    if let batch {
      return checkBatch(session: &session, dealsPath: batch, format: fmt, context: c)
    }
    var deal: Deal?
    if let dealPath = deals.first {
      guard covenant.schema.deal != nil else {
        return invalid([Diagnostic(code: "C019", message: "the covenant does not declare the deal's fields, so `--deal` cannot be read", file: file.name, span: nil,
          help: "add `data deal from deal` with the deal's fields")])
      }
      let dealDoc: JSONDocument
      switch readJSON(dealPath, c) {
      case .failure(let d): return invalid([d])
      case .success(let doc): dealDoc = doc
      }
      switch session.loadDeal(dealDoc, file: displayName(dealPath)) {
      case .failure(let ds): return invalid(ds.list)
      case .success(let d): deal = d
      }
    }
    // The snapshot's document holds the file's bytes (146 MB for a million holdings), which the
    // loaded values no longer need.
    session.releaseSnapshotDocument()
    let result: CheckResult
    switch session.check(deal) {
    case .failure(let ds): return invalid(ds.list)
    case .success(let r): result = r
    }
    var amount: Value?
    if let deal, let f = covenant.proForma?.amountField, case .record(let fields) = deal.values { amount = fields[f] }
    switch fmt {
    case "json": out.stdout = CheckReport.json(result, covenant: covenant).render() + "\n"
    case "sarif": out.stdout = CIFormats.sarif(CIFormats.findings(result, covenant: covenant))
    case "github": out.stdout = CIFormats.github(CIFormats.findings(result, covenant: covenant))
    case "junit": out.stdout = CIFormats.junit(result, covenant: covenant)
    case "markdown": out.stdout = DocumentReport.markdown(result, covenant: covenant, dealAmount: amount)
    case "html": out.stdout = DocumentReport.html(result, covenant: covenant, dealAmount: amount)
    default: out.stdout = CheckReport.text(result, covenant: covenant, color: color, dealAmount: amount, explain: o.flags.contains("explain"))
    }
    out.stderr = render(session.warnings, sources: sources, color: c.errorColor)
    out.exitCode = result.compliant ? ExitCode.compliant : ExitCode.breach
    out.hasWarnings = result.clauses.contains { $0.verdict == .warning }
    out.verdictLine = "result: " + (result.compliant ? "compliant" : "BREACH") + " (" + CheckReport.summary(result) + ")"
    return out
  }

  // MARK: - test

  static func test(_ o: Options, _ c: Context) -> CommandOutput {
    if o.positional.contains("-") { return usageError("`test` reads test files and directories, not standard input") }
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    let run = TestRunner.run(paths: o.positional)
    var out = CommandOutput()
    let color = c.color
    if !run.diagnostics.isEmpty {
      out.exitCode = ExitCode.invalid
      out.stderr = render(run.diagnostics, sources: run.sources, color: c.errorColor) + "\ninvalid: the tests could not all be run\n"
      if fmt != "text" { out.stdout = ciDiagnostics(run.diagnostics, sources: run.sources, format: fmt, suite: "covenant test") ?? "" }
      return out
    }
    if run.outcomes.isEmpty {
      out.exitCode = ExitCode.invalid
      out.stderr = "covenant: error[A003]: no covenant tests (*.covtest) found in \(o.positional.isEmpty ? "." : o.positional.joined(separator: ", "))\n"
      return out
    }
    out.exitCode = run.failed > 0 ? ExitCode.breach : ExitCode.compliant
    let summary = "\(run.passed) passed, \(run.failed) failed"
    out.verdictLine = summary
    switch fmt {
    case "json":
      out.stdout = JSONOut.object([
        ("passed", .number("\(run.passed)")), ("failed", .number("\(run.failed)")),
        ("tests", .array(run.outcomes.map { t in
          .object([("file", .string(t.file)), ("line", .number("\(t.line)")), ("name", .string(t.name)),
                   ("passed", .bool(t.passed)), ("failures", .array(t.failures.map { .string($0) })), ("details", .string(t.details))])
        })),
      ]).render() + "\n"
    case "junit":
      out.stdout = CIFormats.junit(suite: "covenant test", run.outcomes.map { t in
        CIFormats.JUnitCase(classname: t.file, name: t.name,
          status: t.passed ? .passed : .failed(t.failures.first ?? "failed", (t.failures + ["", t.details]).joined(separator: "\n")), output: nil)
      })
    case "sarif", "github":
      let findings = run.outcomes.filter { !$0.passed }.flatMap { t in
        zip(t.failures, t.failureLines).map { msg, line in
          CIFormats.Finding(ruleID: "test-failure", level: .error, message: "test \"\(t.name)\": \(msg)", file: t.file, line: line, column: 1, title: "covenant test failed")
        }
      }
      out.stdout = fmt == "sarif" ? CIFormats.sarif(findings) : CIFormats.github(findings)
    default:
      var text = ""
      for t in run.outcomes {
        let mark = t.passed ? (color ? "\u{1B}[32mPASS\u{1B}[0m" : "PASS") : (color ? "\u{1B}[31mFAIL\u{1B}[0m" : "FAIL")
        text += "\(mark)  \(t.file):\(t.line): \(t.name)\n"
        for f in t.failures { text += "      \(f)\n" }
        if !t.passed, !t.details.isEmpty {
          text += t.details.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "      " + $0 }.joined(separator: "\n")
        }
      }
      out.stdout = text + summary + "\n"
    }
    if fmt != "text" { out.stderr = summary + "\n" }
    return out
  }

  static func checkBatch(session: inout CovenantSession, dealsPath: String, format fmt: String, context c: Context) -> CommandOutput {
    let covenant = session.covenant
    let color = c.color
    var out = CommandOutput()
    let sources = [covenant.file.name: covenant.file]
    let inputs: [DealInput]
    switch DealSource.read(dealsPath) {
    case .failure(let ds):
      out.exitCode = ExitCode.invalid
      out.stderr = render(ds.list, sources: sources, color: c.errorColor) + "\ninvalid: nothing was checked\n"
      if fmt != "text" { out.stdout = ciDiagnostics(ds.list, sources: sources, format: fmt, suite: "covenant check") ?? "" }
      return out
    case .success(let d): inputs = d
    }
    // Progress on a terminal only, and only when there is enough to wait for.
    let showProgress = c.env.stderrIsTerminal && !c.quiet && inputs.count >= 200
    var progressText = ""
    let entries = session.checkBatch(inputs, progress: showProgress ? { done, total in
      if done % 100 == 0 || done == total { progressText += "\rchecked \(done) of \(total) deals" }
    } : nil)
    if showProgress { out.stderr += progressText + "\n" }
    let invalid = entries.filter { $0.result == nil }.count
    let breaches = entries.filter { $0.result?.compliant == false }.count
    out.exitCode = invalid > 0 ? ExitCode.invalid : breaches > 0 ? ExitCode.breach : ExitCode.compliant
    let summary = "\(entries.count) deal\(entries.count == 1 ? "" : "s"): \(entries.count - breaches - invalid) compliant, \(breaches) in breach" + (invalid > 0 ? ", \(invalid) invalid" : "")
    out.verdictLine = summary
    out.hasWarnings = entries.contains { $0.result?.clauses.contains { $0.verdict == .warning } == true }
    func id(_ e: BatchEntry) -> String { e.result?.dealID ?? e.source }
    switch fmt {
    case "json":
      // Entry by entry, so that only one deal's tree exists at a time.
      var text = "["
      for (i, e) in entries.enumerated() {
        var members: [(String, JSONOut)] = [("id", .opt(e.result?.dealID)), ("source", .string(e.source))]
        if let r = e.result, case .object(let body) = CheckReport.json(r, covenant: covenant, brief: true) {
          members += body.filter { $0.0 != "deal" }
        } else {
          members += [("verdict", .string("invalid")), ("diagnostics", .array(e.diagnostics.map { DiagnosticRenderer.json($0, source: sources[$0.file]) }))]
        }
        text += "\n  " + JSONOut.object(members).render(indent: 1) + (i < entries.count - 1 ? "," : "\n")
      }
      out.stdout = text + "]\n"
    case "junit":
      out.stdout = CIFormats.junit(suite: covenant.title + " — deals", entries.map { e in
        let status: CIFormats.JUnitCase.Status
        if let r = e.result {
          let breached = r.clauses.filter { $0.verdict == .breach }
          status = breached.isEmpty ? .passed : .failed("breach: " + breached.map { "§" + $0.id }.joined(separator: ", "),
            breached.map { "§\($0.id) \($0.title ?? "")" + ($0.note.map { " — \($0)" } ?? "") }.joined(separator: "\n"))
        } else {
          status = .error("invalid", e.diagnostics.map { DiagnosticRenderer.text($0, source: nil) }.joined(separator: "\n"))
        }
        return CIFormats.JUnitCase(classname: e.source, name: id(e), status: status, output: nil)
      })
    case "sarif", "github":
      var findings: [CIFormats.Finding] = []
      for e in entries {
        if let r = e.result {
          for var f in CIFormats.findings(r, covenant: covenant) {
            f.message = "deal \(id(e)): " + f.message
            findings.append(f)
          }
        } else {
          findings += e.diagnostics.map { CIFormats.finding($0, source: sources[$0.file]) }
        }
      }
      out.stdout = fmt == "sarif" ? CIFormats.sarif(findings) : CIFormats.github(findings)
    case "markdown": out.stdout = DocumentReport.markdownBatch(entries, covenant: covenant, summary: summary)
    case "html": out.stdout = DocumentReport.htmlBatch(entries, covenant: covenant, summary: summary)
    default:
      let width = min(24, entries.map { id($0).count }.max() ?? 0)
      var text = ""
      for e in entries {
        let name = id(e).padding(toLength: max(width, id(e).count), withPad: " ", startingAt: 0)
        if let r = e.result {
          let breached = r.clauses.filter { $0.verdict == .breach }.map { "§" + $0.id }
          let warned = r.clauses.filter { $0.verdict == .warning }.map { "§" + $0.id }
          let word = r.compliant ? "compliant" : "BREACH"
          var line = "\(name)  \(color ? (r.compliant ? "\u{1B}[32m" : "\u{1B}[31m") + word + "\u{1B}[0m" : word.padding(toLength: 9, withPad: " ", startingAt: 0))"
          if let cap = r.capacity {
            line += "  amount " + Format.money(cap.dealAmount, cap.currency)
            line += "  " + CheckReport.capacityCell(cap)
          }
          if !breached.isEmpty { line += "  " + breached.joined(separator: ", ") }
          if !warned.isEmpty { line += "  (warnings: " + warned.joined(separator: ", ") + ")" }
          text += line + "\n"
        } else {
          text += "\(name)  INVALID    " + (e.diagnostics.first.map { "\($0.path.map { $0 + ": " } ?? "")\($0.message)" } ?? "") + "\n"
          out.stderr += render(e.diagnostics, sources: sources, color: c.errorColor)
        }
      }
      out.stdout = text + summary + "\n"
    }
    if fmt != "text" { out.stderr += summary + "\n" }
    return out
  }

  // MARK: - fmt

  static func fmt(_ o: Options, _ c: Context) -> CommandOutput {
    guard !o.positional.isEmpty else { return usageError("`fmt` needs at least one covenant file") }
    if o.flags.contains("check") && o.flags.contains("write") { return usageError("`--check` and `--write` cannot be combined") }
    if o.flags.contains("write"), c.output != nil { return usageError("`--write` and `--output` cannot be combined") }
    if o.flags.contains("write"), o.positional.contains("-") { return usageError("`--write` rewrites files; standard input (`-`) has none", help: "use `covenant fmt -` to print the formatted covenant") }
    var out = CommandOutput()
    var sources: [String: SourceFile] = [:]
    var invalid = false
    var unformatted: [String] = []
    for path in o.positional {
      let file: SourceFile
      switch readSource(path, c) {
      case .failure(let d):
        out.stderr += render([d], sources: sources, color: c.errorColor)
        invalid = true
        continue
      case .success(let f): file = f
      }
      sources[file.name] = file
      let formatted: String
      switch Formatter.format(file) {
      case .failure(let ds):
        out.stderr += render(ds.list, sources: sources, color: c.errorColor)
        out.stderr += "\(file.name): not formatted: it does not parse (the file is left unchanged)\n"
        invalid = true
        continue
      case .success(let text): formatted = text
      }
      let original = String(decoding: file.bytes, as: UTF8.self)
      let same = Array(formatted.utf8) == file.bytes
      if o.flags.contains("check") {
        if !same {
          unformatted.append(file.name)
          out.stdout += LineDiff.unified(original, formatted, oldName: file.name, newName: file.name + " (formatted)")
        }
      } else if o.flags.contains("write") {
        if !same {
          do throws(AtomicFile.Failure) {
            try AtomicFile.replace(path, with: Array(formatted.utf8))
            out.stderr += "formatted \(path)\n"
          } catch {
            out.stderr += "covenant: error[A004]: cannot write \(path): \(error.message) (the file is left unchanged)\n"
            invalid = true
          }
        }
      } else {
        out.stdout += formatted
      }
    }
    if o.flags.contains("check"), !unformatted.isEmpty {
      out.stderr += "\(unformatted.count) file\(unformatted.count == 1 ? " is" : "s are") not formatted: \(unformatted.joined(separator: ", "))\n  = help: run `covenant fmt --write` on \(unformatted.count == 1 ? "it" : "them")\n"
    }
    out.exitCode = invalid ? ExitCode.invalid : unformatted.isEmpty ? ExitCode.compliant : ExitCode.breach
    if o.flags.contains("check") {
      out.verdictLine = unformatted.isEmpty ? "\(o.positional.count) file\(o.positional.count == 1 ? "" : "s") formatted" : "\(unformatted.count) not formatted"
      if c.quiet { out.stdout = "" }
    }
    return out
  }
}
