import CovenantKit

/// `covenant fmt [--check | --write] FILE...`: the canonical layout.
extension Commands {
  static func fmt(_ o: Options, _ c: Context) -> CommandOutput {
    guard !o.positional.isEmpty else { return usageError(.missingCovenant(command: "fmt", several: true)) }
    if o.flags.contains("check") && o.flags.contains("write") { return usageError(.incompatible("--check", "--write")) }
    if o.flags.contains("write"), c.output != nil { return usageError(.incompatible("--write", "--output")) }
    if o.flags.contains("write"), o.positional.contains("-") { return usageError(.writeStandardInput) }
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
      // Laid out as it is parsed (no tree of the whole file held): the parse's errors, or F001.
      switch CovenantSession.format(file) {
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
            try AtomicFile.replace(c.resolve(path), with: Array(formatted.utf8))
            out.stderr += "formatted \(path)\n"
          } catch {
            out.stderr += DiagnosticRenderer.text(Diagnostic.commandLine(CommandDiagnostics.cannotWrite(path, reason: error.message, fileUnchanged: true)), source: nil, color: c.errorColor)
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
