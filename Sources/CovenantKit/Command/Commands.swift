import Foundation

/// What a command printed and how it exits. Commands run in-process and return this, so the
/// executable stays a few lines and tests run commands without spawning processes.
public struct CommandOutput: Sendable, Error {
  public var stdout = ""
  public var stderr = ""
  public var exitCode: Int32 = 0
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
  public var noColor = false
  public init(stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, noColor: Bool = false) {
    self.stdoutIsTerminal = stdoutIsTerminal
    self.stderrIsTerminal = stderrIsTerminal
    self.noColor = noColor
  }
}

public enum Commands {
  public static let usage = """
    usage: covenant <command> [options]

    commands:
      check COVENANT --portfolio SNAPSHOT [--deal DEAL | --deals DEALS] [--format F]
                        check the covenant against a snapshot, and a proposed deal pro forma;
                        --deals checks each deal of a JSON array, JSON Lines file or directory
      validate FILE...  [--format F]
                        parse and type-check covenants only
      test [PATH...]    [--format F]
                        run the covenant tests (*.covtest) in the files and directories given
                        (default: the current directory)
      fmt [--check | --write] FILE...
                        print the canonical layout; --check shows a diff and fails when a file
                        is not formatted; --write rewrites the files in place, atomically
      help              show this text

    formats: text (default), json, sarif, junit, github

    exit codes: 0 compliant (warnings allowed), 1 at least one breach,
                2 invalid covenant, invalid input or wrong command line

    """

  public static func run(_ args: [String], env: CommandEnvironment = CommandEnvironment()) -> CommandOutput {
    var out = CommandOutput()
    guard let command = args.first else {
      out.stderr = usage
      out.exitCode = ExitCode.invalid
      return out
    }
    let rest = Array(args.dropFirst())
    switch command {
    case "check": return check(rest, env: env)
    case "validate": return validate(rest, env: env)
    case "test": return test(rest, env: env)
    case "fmt": return fmt(rest, env: env)
    case "help", "--help", "-h":
      out.stdout = usage
      return out
    case "--version", "version":
      out.stdout = "covenant \(CovenantKitVersion.string)\n"
      return out
    default:
      return usageError("unknown command `\(command)`", help: closestMatch(command, in: ["check", "validate", "test", "fmt", "help"]).map { "did you mean `\($0)`?" })
    }
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
      let a = args[i]
      if a == "--" {
        o.positional += args[(i + 1)...]
        break
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
        return .failure(usageError("unknown option `\(a)`", help: closestMatch(name, in: all).map { "did you mean `--\($0)`?" }))
      }
      o.positional.append(a)
      i += 1
    }
    return .success(o)
  }

  static func readSource(_ path: String) -> Result<SourceFile, Diagnostic> {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      return .failure(Diagnostic(code: "A002", message: "file not found", file: path, help: "check the path"))
    }
    if isDir.boolValue { return .failure(Diagnostic(code: "A002", message: "is a directory, not a covenant file", file: path)) }
    guard let data = FileManager.default.contents(atPath: path) else {
      return .failure(Diagnostic(code: "A002", message: "cannot read the file (permission denied?)", file: path))
    }
    return .success(SourceFile(name: path, bytes: [UInt8](data)))
  }

  static let formats = ["text", "json", "sarif", "junit", "github"]

  static func format(_ o: Options) -> Result<String, CommandOutput> {
    let f = o.values["format"]?.last ?? "text"
    guard formats.contains(f) else {
      return .failure(usageError("unknown format `\(f)`", help: "formats are " + formats.map { "`\($0)`" }.joined(separator: ", ")))
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

  static func validate(_ args: [String], env: CommandEnvironment) -> CommandOutput {
    let parsed = parseOptions(args, valued: ["format"], flags: ["no-color"])
    guard case .success(let o) = parsed else { if case .failure(let e) = parsed { return e }; return CommandOutput() }
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    guard !o.positional.isEmpty else { return usageError("`validate` needs at least one covenant file") }
    var out = CommandOutput()
    var all: [Diagnostic] = []
    var sources: [String: SourceFile] = [:]
    var fileResults: [JSONOut] = []
    for path in o.positional {
      var diags: [Diagnostic]
      switch readSource(path) {
      case .failure(let d): diags = [d]
      case .success(let file):
        sources[path] = file
        diags = Checker.compile(file).diagnostics
      }
      all += diags
      fileResults.append(.object([
        ("file", .string(path)), ("valid", .bool(!diags.contains(where: \.isError))),
        ("diagnostics", .array(diags.map { DiagnosticRenderer.json($0, source: sources[$0.file]) })),
      ]))
    }
    let errors = all.filter(\.isError).count
    out.exitCode = errors > 0 ? ExitCode.invalid : ExitCode.compliant
    if fmt == "json" {
      out.stdout = JSONOut.object([("valid", .bool(errors == 0)), ("files", .array(fileResults))]).render() + "\n"
    } else if fmt == "junit" {
      let cases = o.positional.map { path -> CIFormats.JUnitCase in
        let mine = all.filter { $0.file == path && $0.isError }
        let status: CIFormats.JUnitCase.Status = mine.isEmpty ? .passed
          : .failed("\(mine.count) error\(mine.count == 1 ? "" : "s")", mine.map { DiagnosticRenderer.text($0, source: sources[path]) }.joined(separator: "\n"))
        return CIFormats.JUnitCase(classname: "validate", name: path, status: status, output: nil)
      }
      out.stdout = CIFormats.junit(suite: "covenant validate", cases)
    } else if fmt != "text" {
      out.stdout = ciDiagnostics(all, sources: sources, format: fmt, suite: "covenant validate") ?? ""
    } else {
      out.stderr = render(all, sources: sources, color: env.stderrIsTerminal && !env.noColor && !o.flags.contains("no-color"))
      let n = o.positional.count
      let summary = errors == 0
        ? "\(n) covenant\(n == 1 ? "" : "s") valid"
        : "\(errors) error\(errors == 1 ? "" : "s") in \(Set(all.filter(\.isError).map(\.file)).count) of \(n) file\(n == 1 ? "" : "s")"
      if errors == 0 { out.stdout = summary + "\n" } else { out.stderr += (out.stderr.isEmpty ? "" : "\n") + summary + "\n" }
    }
    return out
  }

  // MARK: - check

  static func check(_ args: [String], env: CommandEnvironment) -> CommandOutput {
    let parsed = parseOptions(args, valued: ["portfolio", "deal", "deals", "format"], flags: ["no-color"])
    guard case .success(let o) = parsed else { if case .failure(let e) = parsed { return e }; return CommandOutput() }
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
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
    let color = env.stdoutIsTerminal && !env.noColor && !o.flags.contains("no-color")
    var sources: [String: SourceFile] = [:]
    var out = CommandOutput()

    func invalid(_ diags: [Diagnostic]) -> CommandOutput {
      var r = CommandOutput()
      r.exitCode = ExitCode.invalid
      if fmt != "text" { r.stdout = ciDiagnostics(diags, sources: sources, format: fmt, suite: "covenant check") ?? "" }
      r.stderr = render(diags, sources: sources, color: env.stderrIsTerminal && !env.noColor)
      r.stderr += "\ninvalid: nothing was checked\n"
      return r
    }

    let file: SourceFile
    switch readSource(covenantPath) {
    case .failure(let d): return invalid([d])
    case .success(let f): file = f
    }
    sources[covenantPath] = file
    let compiled = Checker.compile(file)
    guard let covenant = compiled.covenant else { return invalid(compiled.diagnostics) }
    guard let snapRecord = covenant.schema.snapshot else {
      return invalid([Diagnostic(code: "C019", message: "the covenant does not declare the snapshot it reads", file: covenantPath, span: nil)])
    }
    // Replaced by an empty document before the evaluation: it holds the file's bytes (146 MB for
    // a million holdings), which the loaded values no longer need.
    var snapDoc: JSONDocument
    switch DataLoader.readJSON(path: portfolioPath) {
    case .failure(let d): return invalid([d])
    case .success(let doc): snapDoc = doc
    }
    let snapshot: Value
    switch DataLoader.load(snapDoc, record: snapRecord, schema: covenant.schema, file: portfolioPath) {
    case .failure(let ds): return invalid(ds.list)
    case .success(let v): snapshot = v
    }
    if let batch {
      return checkBatch(covenant: covenant, snapshot: snapshot, snapshotDocument: snapDoc, dealsPath: batch, format: fmt, env: env, color: color)
    }
    var deal: Value?
    var governance: DealGovernance?
    if let dealPath = deals.first {
      guard let dealRecord = covenant.schema.deal else {
        return invalid([Diagnostic(code: "C019", message: "the covenant does not declare the deal's fields, so `--deal` cannot be read", file: covenantPath, span: nil,
          help: "add `data deal from deal` with the deal's fields")])
      }
      let dealDoc: JSONDocument
      switch DataLoader.readJSON(path: dealPath) {
      case .failure(let d): return invalid([d])
      case .success(let doc): dealDoc = doc
      }
      var diags: [Diagnostic] = []
      switch DataLoader.load(dealDoc, record: dealRecord, schema: covenant.schema, file: dealPath) {
      case .failure(let ds): diags += ds.list
      case .success(let v): deal = v
      }
      switch DataLoader.governance(deal: dealDoc, dealFile: dealPath, snapshot: snapDoc, covenant: covenant) {
      case .failure(let ds): diags += ds.list
      case .success(let g): governance = g
      }
      if !diags.isEmpty { return invalid(diags) }
    }
    if case .success(let none) = JSONParser.parse(Array("null".utf8)) { snapDoc = none }
    var runner = CovenantRunner(covenant: covenant, snapshot: snapshot)
    let result: CheckResult
    do {
      result = try runner.check(deal: deal, dealData: governance)
    } catch {
      return invalid([Diagnostic(code: error.code, message: error.message, file: covenantPath, span: error.span, help: error.help)])
    }
    var amount: Value?
    if let deal, let f = covenant.proForma?.amountField, case .record(let fields) = deal { amount = fields[f] }
    switch fmt {
    case "json": out.stdout = CheckReport.json(result, covenant: covenant).render() + "\n"
    case "sarif": out.stdout = CIFormats.sarif(CIFormats.findings(result, covenant: covenant))
    case "github": out.stdout = CIFormats.github(CIFormats.findings(result, covenant: covenant))
    case "junit": out.stdout = CIFormats.junit(result, covenant: covenant)
    default: out.stdout = CheckReport.text(result, covenant: covenant, color: color, dealAmount: amount)
    }
    out.stderr = render(compiled.diagnostics, sources: sources, color: false)
    out.exitCode = result.compliant ? ExitCode.compliant : ExitCode.breach
    return out
  }

  // MARK: - test

  static func test(_ args: [String], env: CommandEnvironment) -> CommandOutput {
    let parsed = parseOptions(args, valued: ["format"], flags: ["no-color"])
    guard case .success(let o) = parsed else { if case .failure(let e) = parsed { return e }; return CommandOutput() }
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    let run = TestRunner.run(paths: o.positional)
    var out = CommandOutput()
    let color = env.stdoutIsTerminal && !env.noColor && !o.flags.contains("no-color")
    if !run.diagnostics.isEmpty {
      out.exitCode = ExitCode.invalid
      out.stderr = render(run.diagnostics, sources: run.sources, color: env.stderrIsTerminal && !env.noColor) + "\ninvalid: the tests could not all be run\n"
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

  static func checkBatch(
    covenant: CheckedCovenant, snapshot: Value, snapshotDocument: JSONDocument, dealsPath: String, format fmt: String,
    env: CommandEnvironment, color: Bool
  ) -> CommandOutput {
    var out = CommandOutput()
    let sources = [covenant.file.name: covenant.file]
    let inputs: [DealInput]
    switch DealSource.read(dealsPath) {
    case .failure(let ds):
      out.exitCode = ExitCode.invalid
      out.stderr = render(ds.list, sources: sources, color: false) + "\ninvalid: nothing was checked\n"
      if fmt != "text" { out.stdout = ciDiagnostics(ds.list, sources: sources, format: fmt, suite: "covenant check") ?? "" }
      return out
    case .success(let d): inputs = d
    }
    var runner = CovenantRunner(covenant: covenant, snapshot: snapshot)
    // Progress on a terminal only, and only when there is enough to wait for.
    let showProgress = env.stderrIsTerminal && inputs.count >= 200
    var progressText = ""
    let entries = runner.checkBatch(inputs, snapshotDocument: snapshotDocument, progress: showProgress ? { done, total in
      if done % 100 == 0 || done == total { progressText += "\rchecked \(done) of \(total) deals" }
    } : nil)
    if showProgress { out.stderr += progressText + "\n" }
    let invalid = entries.filter { $0.result == nil }.count
    let breaches = entries.filter { $0.result?.compliant == false }.count
    out.exitCode = invalid > 0 ? ExitCode.invalid : breaches > 0 ? ExitCode.breach : ExitCode.compliant
    let summary = "\(entries.count) deal\(entries.count == 1 ? "" : "s"): \(entries.count - breaches - invalid) compliant, \(breaches) in breach" + (invalid > 0 ? ", \(invalid) invalid" : "")
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
          out.stderr += render(e.diagnostics, sources: sources, color: false)
        }
      }
      out.stdout = text + summary + "\n"
    }
    if fmt != "text" { out.stderr += summary + "\n" }
    return out
  }

  // MARK: - fmt

  static func fmt(_ args: [String], env: CommandEnvironment) -> CommandOutput {
    let parsed = parseOptions(args, valued: [], flags: ["check", "write", "no-color"])
    guard case .success(let o) = parsed else { if case .failure(let e) = parsed { return e }; return CommandOutput() }
    guard !o.positional.isEmpty else { return usageError("`fmt` needs at least one covenant file") }
    if o.flags.contains("check") && o.flags.contains("write") { return usageError("`--check` and `--write` cannot be combined") }
    var out = CommandOutput()
    var sources: [String: SourceFile] = [:]
    var invalid = false
    var unformatted: [String] = []
    for path in o.positional {
      let file: SourceFile
      switch readSource(path) {
      case .failure(let d):
        out.stderr += render([d], sources: sources, color: false)
        invalid = true
        continue
      case .success(let f): file = f
      }
      sources[path] = file
      let formatted: String
      switch Formatter.format(file) {
      case .failure(let ds):
        out.stderr += render(ds.list, sources: sources, color: env.stderrIsTerminal && !env.noColor)
        out.stderr += "\(path): not formatted: it does not parse (the file is left unchanged)\n"
        invalid = true
        continue
      case .success(let text): formatted = text
      }
      let original = String(decoding: file.bytes, as: UTF8.self)
      let same = Array(formatted.utf8) == file.bytes
      if o.flags.contains("check") {
        if !same {
          unformatted.append(path)
          out.stdout += LineDiff.unified(original, formatted, oldName: path, newName: path + " (formatted)")
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
    return out
  }
}
