import CovenantKit
extension Commands {
  /// `covenant explain CODE`.
  static func explain(_ o: Options, _ c: Context) -> CommandOutput {
    guard o.positional.count == 1, let code = o.positional.first else {
      return usageError(.missingCode)
    }
    guard let entry = DiagnosticCodes.entry(code) else {
      let codes = DiagnosticCodes.all.map(\.code)
      return usageError(.unknownCode(code, nearest: closestMatch(code.uppercased(), in: codes)))
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
