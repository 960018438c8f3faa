import CovenantKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `covenant validate FILE...`: parse and type-check covenants, for CI.
extension Commands {
  static func validate(_ o: Options, _ c: Context) -> CommandOutput {
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    guard !o.positional.isEmpty else { return usageError(.missingCovenant(command: "validate", several: true)) }
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
        // Every diagnostic of the compile: the errors, or the warnings and notes of a valid covenant.
        switch CovenantSession.compile(file) {
        case .failure(let ds): diags = ds.list
        case .success(let session): diags = session.warnings
        }
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
    if fmt == .json {
      out.stdout = JSONOut.object([("valid", .bool(errors == 0)), ("files", .array(fileResults))]).render() + "\n"
    } else if fmt == .junit {
      let cases = o.positional.map { path -> CIFormats.JUnitCase in
        let name = displayName(path)
        let mine = all.filter { $0.file == name && $0.isError }
        let status: CIFormats.JUnitCase.Status = mine.isEmpty ? .passed
          : .failed("\(mine.count) error\(mine.count == 1 ? "" : "s")", mine.map { DiagnosticRenderer.text($0, source: sources[name]) }.joined(separator: "\n"))
        return CIFormats.JUnitCase(classname: "validate", name: name, status: status, output: nil)
      }
      out.stdout = CIFormats.junit(suite: "covenant validate", cases)
    } else if fmt != .text {
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
}
