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
      check COVENANT --portfolio SNAPSHOT [--deal DEAL] [--format text|json]
                        check the covenant against a snapshot, and a proposed deal pro forma
      validate FILE...  [--format text|json]
                        parse and type-check covenants only
      help              show this text

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

  static func format(_ o: Options) -> Result<String, CommandOutput> {
    let f = o.values["format"]?.last ?? "text"
    guard ["text", "json"].contains(f) else {
      return .failure(usageError("unknown format `\(f)`", help: "formats are `text` and `json`"))
    }
    return .success(f)
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
    let parsed = parseOptions(args, valued: ["portfolio", "deal", "format"], flags: ["no-color"])
    guard case .success(let o) = parsed else { if case .failure(let e) = parsed { return e }; return CommandOutput() }
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    guard o.positional.count == 1, let covenantPath = o.positional.first else {
      return usageError(o.positional.isEmpty ? "`check` needs a covenant file" : "`check` takes one covenant file, got \(o.positional.count)")
    }
    guard let portfolioPath = o.values["portfolio"]?.last else {
      return usageError("`check` needs `--portfolio SNAPSHOT`")
    }
    let deals = o.values["deal"] ?? []
    guard deals.count <= 1 else { return usageError("`check` takes one `--deal`") }
    let color = env.stdoutIsTerminal && !env.noColor && !o.flags.contains("no-color")
    var sources: [String: SourceFile] = [:]
    var out = CommandOutput()

    func invalid(_ diags: [Diagnostic]) -> CommandOutput {
      var r = CommandOutput()
      r.exitCode = ExitCode.invalid
      if fmt == "json" { r.stdout = invalidJSON(diags, sources: sources) }
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
      return invalid([Diagnostic(code: "C019", message: "the covenant does not declare the snapshot it reads", file: covenantPath, span: .none)])
    }
    let snapDoc: JSONDocument
    switch DataLoader.readJSON(path: portfolioPath) {
    case .failure(let d): return invalid([d])
    case .success(let doc): snapDoc = doc
    }
    let snapshot: Value
    switch DataLoader.load(snapDoc, record: snapRecord, schema: covenant.schema, file: portfolioPath) {
    case .failure(let ds): return invalid(ds.list)
    case .success(let v): snapshot = v
    }
    var deal: Value?
    var governance: DealGovernance?
    if let dealPath = deals.first {
      guard let dealRecord = covenant.schema.deal else {
        return invalid([Diagnostic(code: "C019", message: "the covenant does not declare the deal's fields, so `--deal` cannot be read", file: covenantPath, span: .none,
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
    var runner = CovenantRunner(covenant: covenant, snapshot: snapshot)
    let result: CheckResult
    do {
      result = try runner.check(deal: deal, dealData: governance)
    } catch {
      return invalid([Diagnostic(code: error.code, message: error.message, file: covenantPath, span: error.span, help: error.help)])
    }
    var amount: Value?
    if let deal, let f = covenant.proForma?.amountField, case .record(let fields) = deal { amount = fields[f] }
    if fmt == "json" {
      out.stdout = CheckReport.json(result, covenant: covenant).render() + "\n"
    } else {
      out.stdout = CheckReport.text(result, covenant: covenant, color: color, dealAmount: amount)
    }
    out.stderr = render(compiled.diagnostics, sources: sources, color: false)
    out.exitCode = result.compliant ? ExitCode.compliant : ExitCode.breach
    return out
  }
}
