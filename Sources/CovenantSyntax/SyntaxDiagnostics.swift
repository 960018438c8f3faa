import CovenantValues

/// The lexer's and parser's messages (L and P codes), one constructor per code. Where one code
/// has several wordings, a parameter names which.
package enum SyntaxDiagnostics {
  package static func invalidUTF8() -> DiagnosticMessage {
    .init("L001", .error, "invalid UTF-8 in the covenant", help: "save the file as UTF-8")
  }
  package static func nulByte() -> DiagnosticMessage {
    .init("L002", .error, "NUL byte in the covenant", help: "the file may be binary or UTF-16; save it as UTF-8 text")
  }
  package static func unexpectedCharacter(_ shown: String, help: String?) -> DiagnosticMessage {
    .init("L003", .error, "unexpected character `\(shown)`", help: help)
  }
  package static func unterminatedText() -> DiagnosticMessage {
    .init("L004", .error, "unterminated text: missing closing quote", help: "close the text with `\"`")
  }
  /// `doubled`: `§§4.9, 4.10`, as lawyers cite several sections.
  package static func sectionSignWithoutNumber(doubled: Bool) -> DiagnosticMessage {
    .init("L005", .error, "`§` must be followed by a clause number",
      help: doubled ? "cite each section with its own `§`, as in `sections §4.9 and §4.10`" : "write e.g. `§4.2(a)`")
  }

  package static func expected(_ expected: String, found: String, help: String?) -> DiagnosticMessage {
    .init("P001", .error, "expected \(expected), found \(found)", help: help)
  }
  package static func mixedAndOr() -> DiagnosticMessage {
    .init("P002", .error, "`and` and `or` are mixed without parentheses",
      help: "add parentheses to say which is meant, e.g. `(a and b) or c`")
  }
  package static func nestedTooDeep(limit: Int) -> DiagnosticMessage {
    .init("P003", .error, "expression nested more than \(limit) levels deep", help: "split it into `define` steps")
  }
  package static func headerNotFirst() -> DiagnosticMessage {
    .init("P004", .error, "the `covenant` header must come first and only once")
  }
  package static func clauseWithoutRequirement(_ id: String) -> DiagnosticMessage {
    .init("P005", .error, "clause §\(id) has no requirement",
      help: "write what must hold under the title, e.g. `every holding in holdings: holding.domicile = US`")
  }
  package static func chainedComparison() -> DiagnosticMessage {
    .init("P006", .error, "comparisons cannot be chained", help: "join two comparisons with `and`, e.g. `a <= b and b <= c`")
  }
  /// `problem`: what is wrong with the date, when known (`February has 28 days in 2027`).
  package static func invalidDate(_ text: String, problem: String?) -> DiagnosticMessage {
    .init("P007", .error, "`\(text)` is not a valid date" + (problem.map { ": " + $0 } ?? ""),
      help: "dates are written YYYY-MM-DD, e.g. `2026-07-01`")
  }

  package enum NumberProblem: Sendable {
    case unreadable, tooPrecise, amountTooLarge, unknownUnit(String), unitOnCurrency(String)
  }
  package static func invalidNumber(_ raw: String, _ problem: NumberProblem) -> DiagnosticMessage {
    switch problem {
    case .unreadable: .init("P008", .error, "`\(raw)` is not a valid number")
    case .tooPrecise:
      .init("P008", .error, "the number `\(raw)` is too large or too precise",
        help: "numbers keep at most 1,233 significant digits (4,096 bits)")
    case .amountTooLarge: .init("P008", .error, "the amount `\(raw)` is too large")
    case .unknownUnit(let suffix):
      .init("P008", .error, "unknown unit `\(suffix)` after a number",
        help: "units are `%`, `bps`, `x`, `k`, `m`/`million`, `bn`/`billion`, `tn`/`trillion`, and `days`, `weeks`, `months`, `years`")
    case .unitOnCurrency(let suffix): .init("P008", .error, "a currency amount cannot carry the unit `\(suffix)`")
    }
  }

  /// Where reporting stopped: the lexer's unreadable characters or the parser.
  package static func tooManyErrors(stoppedParsing: Bool) -> DiagnosticMessage {
    .init("P009", .note, stoppedParsing ? "too many errors; stopped parsing" : "too many errors; stopped reporting unreadable characters")
  }
  package static func reservedWord(_ word: String, usedAs what: String) -> DiagnosticMessage {
    .init("P010", .error, "`\(word)` is a reserved word and cannot be used as \(what)", help: "choose another name, e.g. `\(word)_value`")
  }
}
