import CovenantValues

extension Parser {
  // MARK: - Token helpers

  var tok: Token { tokens[pos] }
  func peekToken(_ k: Int = 1) -> Token { tokens[pos + k] }
  func text(_ t: Token) -> String { file.text(t.span) }
  var atEnd: Bool { tok.kind == .endOfFile }

  /// Compares the word's bytes in the source with `w`'s in place: no `String` is made per test
  /// (the parser asks several times per token).
  func isWord(_ w: StaticString, _ t: Token? = nil) -> Bool {
    let t = t ?? tok
    guard t.kind == .word else { return false }
    return file.bytesEqual(t.span, w)
  }
  func isPunct(_ p: Token.Punct, _ t: Token? = nil) -> Bool { (t ?? tok).kind == .punct(p) }

  @discardableResult
  mutating func advance() -> Token {
    let t = tok
    if t.kind != .endOfFile { pos += 1 }
    return t
  }

  mutating func acceptWord(_ w: StaticString) -> Bool {
    if isWord(w) { advance(); return true }
    return false
  }
  mutating func acceptPunct(_ p: Token.Punct) -> Bool {
    if isPunct(p) { advance(); return true }
    return false
  }

  struct ParseError: Error {}

  func describe(_ t: Token) -> String {
    switch t.kind {
    case .endOfFile: "end of file"
    case .string: "text " + text(t)
    case .invalid: "an unreadable character"
    default: "`\(text(t))`"
    }
  }

  mutating func error(_ m: DiagnosticMessage, at span: SourceSpan) {
    let line = file.line(of: span.start)
    if line == lastErrorLine { return }
    lastErrorLine = line
    if errorCount >= Self.maxErrors { return }
    var m = m
    if let id = clauseID, !m.message.contains("§\(id)") { m.message += " in §\(id)" }
    diagnostics.append(Diagnostic(m, file: file.name, span: span))
  }

  /// Reports "expected X" at the current token and throws to the nearest recovery point.
  mutating func fail(_ expected: String, help: String? = nil) throws(ParseError) -> Never {
    if tok.kind != .invalid {  // the lexer already reported unreadable bytes
      error(SyntaxDiagnostics.expected(expected, found: describe(tok), help: help), at: tok.span)
    }
    throw ParseError()
  }

  mutating func expectWord(_ w: StaticString, _ what: String? = nil) throws(ParseError) {
    if !acceptWord(w) { try fail(what ?? "`\(w)`") }
  }
  mutating func expectPunct(_ p: Token.Punct, help: String? = nil) throws(ParseError) {
    if !acceptPunct(p) { try fail("`\(p.rawValue)`", help: help) }
  }

  mutating func name(_ what: String) throws(ParseError) -> Name {
    guard tok.kind == .word else { try fail(what) }
    let t = advance()
    let n = Name(text(t), t.span)
    if Token.reserved.contains(n.text) {
      error(SyntaxDiagnostics.reservedWord(n.text, usedAs: what), at: t.span)
    }
    return n
  }

  mutating func string() throws(ParseError) -> String {
    guard tok.kind == .string else { try fail("text in double quotes") }
    return Self.unquote(text(advance()))
  }

  /// The text of a string token without its quotes, escapes resolved.
  /// Works on UTF-8 bytes: `Substring.contains(String)` goes through Foundation's locale-aware
  /// search, which was a third of the parse time of a 10,000-clause covenant.
  static func unquote(_ raw: String) -> String {
    let b = Array(raw.utf8)
    var start = 0, end = b.count
    let open: [UInt8] = [0xE2, 0x80, 0x9C], close: [UInt8] = [0xE2, 0x80, 0x9D]  // “ ”
    if b.count >= 3, Array(b[0..<3]) == open { start = 3 } else if b.first == 0x22 { start = 1 }
    if end - start >= 3, Array(b[(end - 3)..<end]) == close { end -= 3 } else if end > start, b[end - 1] == 0x22 { end -= 1 }
    let body = b[start..<end]
    guard body.contains(0x5C) else { return String(decoding: body, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(body.count)
    var escaping = false
    for c in body {
      if escaping {
        switch c {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        default: out.append(c)
        }
        escaping = false
      } else if c == 0x5C {
        escaping = true
      } else {
        out.append(c)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
