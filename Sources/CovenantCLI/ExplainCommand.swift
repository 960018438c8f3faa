import CovenantKit
extension Commands {
  /// `covenant explain CODE`.
  static func explain(_ o: Options, _ c: Context) -> CommandOutput {
    guard o.positional.count == 1, let code = o.positional.first else {
      return usageError("`explain` needs one diagnostic code, such as `C002`")
    }
    guard let entry = DiagnosticCodes.entry(code) else {
      let codes = DiagnosticCodes.all.map(\.code)
      return usageError("unknown diagnostic code `\(code)`",
        help: closestMatch(code.uppercased(), in: codes).map { "did you mean `\($0)`?" } ?? "grammar.md lists every code")
    }
    var out = CommandOutput()
    let example = entry.example.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    out.stdout = """
      \(entry.code) (\(entry.stage)): \(entry.summary)

      \(entry.explanation)

      example:
      \(example)

      every code: \(DiagnosticCodes.reference)

      """
    return out
  }
}
