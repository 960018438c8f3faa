import CovenantKit

/// `covenant test [PATH...]`: run covenant tests (`*.covtest`).
extension Commands {
  static func test(_ o: Options, _ c: Context) -> CommandOutput {
    if o.positional.contains("-") { return usageError(.testFromStandardInput) }
    guard case .success(let fmt) = format(o) else { if case .failure(let e) = format(o) { return e }; return CommandOutput() }
    let run = TestRunner.run(paths: o.positional, in: c.env.workingDirectory)
    var out = CommandOutput()
    let color = c.color
    if !run.diagnostics.isEmpty {
      out.exitCode = ExitCode.invalid
      out.stderr = render(run.diagnostics, sources: run.sources, color: c.errorColor) + "\ninvalid: the tests could not all be run\n"
      if fmt != .text { out.stdout = ciDiagnostics(run.diagnostics, sources: run.sources, format: fmt, suite: "covenant test") ?? "" }
      return out
    }
    if run.outcomes.isEmpty {
      out.exitCode = ExitCode.invalid
      let none = Diagnostic.commandLine(CommandDiagnostics.noTests(in: o.positional.isEmpty ? "." : o.positional.joined(separator: ", ")))
      out.stderr = render([none], sources: [:], color: c.errorColor)
      if fmt != .text { out.stdout = ciDiagnostics([none], sources: [:], format: fmt, suite: "covenant test") ?? "" }
      return out
    }
    out.exitCode = run.failed > 0 ? ExitCode.breach : ExitCode.compliant
    let summary = "\(run.passed) passed, \(run.failed) failed"
    out.verdictLine = summary
    switch fmt {
    case .json:
      out.stdout = JSONOut.object([
        ("passed", .number("\(run.passed)")), ("failed", .number("\(run.failed)")),
        ("tests", .array(run.outcomes.map { t in
          .object([("file", .string(t.file)), ("line", .number("\(t.line)")), ("name", .string(t.name)),
                   ("passed", .bool(t.passed)), ("failures", .array(t.failures.map { .string($0) })), ("details", .string(t.details))])
        })),
      ]).render() + "\n"
    case .junit:
      out.stdout = CIFormats.junit(suite: "covenant test", run.outcomes.map { t in
        CIFormats.JUnitCase(classname: t.file, name: t.name,
          status: t.passed ? .passed : .failed(t.failures.first ?? "failed", (t.failures + ["", t.details]).joined(separator: "\n")), output: nil)
      })
    case .sarif, .github:
      let findings = run.outcomes.filter { !$0.passed }.flatMap { t in
        zip(t.failures, t.failureLines).map { msg, line in
          CIFormats.Finding(ruleID: "test-failure", level: .error, message: "test \"\(t.name)\": \(msg)", file: t.file, line: line, column: 1, title: "covenant test failed")
        }
      }
      out.stdout = fmt == .sarif ? CIFormats.sarif(findings) : CIFormats.github(findings)
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
    if fmt != .text { out.stderr = summary + "\n" }
    return out
  }
}
