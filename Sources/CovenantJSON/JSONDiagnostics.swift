/// The JSON reader's messages (D001–D009), one constructor per code. Every one is an error; the
/// reader knows nothing of `Diagnostic`, so a message is a code and its text, placed by
/// `JSONReader.failure(_:at:)` with the line, column and path.
package struct JSONMessage: Sendable {
  package var code: String
  package var message: String
  package init(_ code: String, _ message: String) {
    self.code = code
    self.message = message
  }
}

package enum JSONDiagnostics {
  package enum SyntaxProblem: Sendable {
    /// `]` or `}` right after a comma.
    case trailingComma(before: String)
    /// `True`, `NULL`: a literal in the wrong case.
    case wrongCase(String)
    case singleQuotes, comment, tooLarge
    case unexpected(expected: String, found: String)
  }
  package static func invalidSyntax(_ problem: SyntaxProblem) -> JSONMessage {
    switch problem {
    case .trailingComma(let closing): .init("D001", "trailing comma before `\(closing)`")
    case .wrongCase(let w): .init("D001", "`\(w)` is not valid JSON; write `\(w.lowercased())`")
    case .singleQuotes: .init("D001", "single quotes are not valid JSON; use double quotes")
    case .comment: .init("D001", "comments are not valid JSON")
    case .tooLarge: .init("D001", "file of 2 GiB or more is too large")
    case .unexpected(let expected, let found): .init("D001", "\(expected), found \(found)")
    }
  }
  package static func unexpectedEnd(inString: Bool) -> JSONMessage {
    .init("D002", inString ? "unterminated string" : "unexpected end of file")
  }
  /// `problem`: what is wrong with the sequence (`truncated sequence starting with byte`); nil for
  /// a byte that starts no sequence.
  package static func invalidUTF8(lead: UInt8, problem: String?) -> JSONMessage {
    let byte = JSONParser.hex(UInt32(lead), digits: 2)
    return .init("D003", problem.map { "invalid UTF-8: \($0) 0x\(byte)" } ?? "invalid UTF-8 byte 0x\(byte)")
  }
  package static func duplicateKey(_ name: String) -> JSONMessage {
    .init("D004", "duplicate key `\(name)`")
  }
  package static func nestedTooDeep(limit: Int) -> JSONMessage {
    .init("D005", "nesting deeper than \(limit) levels")
  }

  package enum NumberProblem: Sendable {
    case digitAfterMinus, leadingZeros, digitAfterPoint, digitInExponent, leadingPlus, leadingPoint
    /// `NaN` or `Infinity`.
    case notANumber(String)
  }
  package static func invalidNumber(_ problem: NumberProblem) -> JSONMessage {
    switch problem {
    case .digitAfterMinus: .init("D006", "invalid number: expected a digit after `-`")
    case .leadingZeros: .init("D006", "invalid number: leading zeros are not allowed")
    case .digitAfterPoint: .init("D006", "invalid number: expected a digit after the decimal point")
    case .digitInExponent: .init("D006", "invalid number: expected a digit in the exponent")
    case .leadingPlus: .init("D006", "invalid number: a number cannot start with `+`")
    case .leadingPoint: .init("D006", "invalid number: write a digit before the decimal point, e.g. `0.5`")
    case .notANumber(let name): .init("D006", "\(name) is not valid JSON; write a number or a quoted decimal")
    }
  }

  package enum StringProblem: Sendable {
    case controlCharacter(UInt8)
    /// The character after the backslash, as shown.
    case invalidEscape(String)
    case shortUnicodeEscape
    case loneHighSurrogate(UInt32), loneLowSurrogate(UInt32)
  }
  package static func invalidString(_ problem: StringProblem) -> JSONMessage {
    switch problem {
    case .controlCharacter(let b):
      .init("D007", "control character U+\(JSONParser.hex(UInt32(b), digits: 4).uppercased()) in string must be escaped")
    case .invalidEscape(let shown): .init("D007", "invalid escape `\\\(shown)` in string")
    case .shortUnicodeEscape: .init("D007", "invalid escape: `\\u` must be followed by four hex digits")
    case .loneHighSurrogate(let code):
      .init("D007", "lone surrogate `\\u\(JSONParser.hex(code, digits: 4))` in string: a high surrogate must be followed by a low one")
    case .loneLowSurrogate(let code):
      .init("D007", "lone surrogate `\\u\(JSONParser.hex(code, digits: 4))` in string: a low surrogate must follow a high one")
    }
  }
  package static func emptyFile() -> JSONMessage {
    .init("D008", "the file is empty")
  }
  package static func trailingCharacters() -> JSONMessage {
    .init("D009", "trailing characters after the JSON value")
  }
}
