/// Turns covenant source bytes into tokens. It works on UTF-8 bytes with integer offsets
/// (never `String` indices), accepts a BOM, CR/CRLF line ends and tabs, and reports every
/// unreadable byte as a diagnostic instead of stopping.
public struct Lexer {
  public private(set) var tokens: [Token] = []
  public private(set) var comments: [Comment] = []
  public private(set) var diagnostics: [Diagnostic] = []

  private let file: SourceFile
  private let b: [UInt8]
  private var i = 0
  private var atLineStart = true
  private var codeOnLine = false
  /// `next()`'s position in `tokens` (streaming only; `lex` keeps every token).
  private var head = 0

  public static func lex(_ file: SourceFile) -> Lexer {
    var lexer = Lexer(file: file)
    lexer.run()
    return lexer
  }

  init(file: SourceFile) {
    self.file = file
    self.b = file.bytes
  }

  private func peek(_ k: Int = 0) -> UInt8 { i + k < b.count ? b[i + k] : 0 }

  private mutating func run() {
    while i < b.count { step() }
    tokens.append(endOfFile)
  }

  private var endOfFile: Token { Token(span: SourceSpan(b.count, b.count), kind: .endOfFile, startsLine: true) }

  /// For the parser, which looks at most two tokens ahead: lexes only as far as the next token,
  /// so a 100 MB covenant of one line never holds its 50 million tokens at once. After the end
  /// of the file it keeps returning the end-of-file token.
  mutating func next() -> Token {
    // `tokens` holds the one or two tokens of the last step; `head` is the first not returned
    // (`removeFirst` moved the array's elements and was a tenth of the parse).
    while head == tokens.count {
      if head > 0 {
        tokens.removeAll(keepingCapacity: true)
        head = 0
      }
      guard i < b.count else { return endOfFile }
      step()
    }
    head += 1
    return tokens[head - 1]
  }

  /// One blank, line end, comment or token.
  private mutating func step() {
    if i == 0, b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
      i = 3
      return
    }
    let c = b[i]
    switch c {
    case 0x20, 0x09, 0x0C:
      i += 1
    case 0x0A, 0x0D:
      i += 1
      atLineStart = true
      codeOnLine = false
    case UInt8(ascii: "#"):
      let start = i
      while i < b.count, b[i] != 0x0A, b[i] != 0x0D { i += 1 }
      comments.append(Comment(span: SourceSpan(start, i), trailing: codeOnLine))
    default:
      lexToken()
      codeOnLine = true
    }
  }

  private mutating func add(_ kind: Token.Kind, from start: Int) {
    tokens.append(Token(span: SourceSpan(start, i), kind: kind, startsLine: atLineStart))
    atLineStart = false
  }

  /// Capped like the parser's errors: a megabyte of stray bytes would otherwise give a million
  /// diagnostics, each as slow to place as its line is long.
  private mutating func error(_ message: DiagnosticMessage, _ span: SourceSpan) {
    if diagnostics.count > Parser.maxErrors { return }
    if diagnostics.count == Parser.maxErrors {
      diagnostics.append(Diagnostic(SyntaxDiagnostics.tooManyErrors(stoppedParsing: false), file: file.name, span: span))
      return
    }
    diagnostics.append(Diagnostic(message, file: file.name, span: span))
  }

  private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  private static func isLetter(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
  }

  private mutating func lexToken() {
    let start = i
    let c = b[i]
    if Self.isLetter(c) {
      while i < b.count, Self.isLetter(b[i]) || Self.isDigit(b[i]) { i += 1 }
      add(.word, from: start)
      return
    }
    if Self.isDigit(c) {
      lexNumberOrDate()
      return
    }
    switch c {
    case UInt8(ascii: "\""):
      lexString(close: [UInt8(ascii: "\"")])
      return
    case UInt8(ascii: "$"):
      i += 1
      add(.currencySymbol, from: start)
      return
    case UInt8(ascii: "("): i += 1; add(.punct(.lparen), from: start); return
    case UInt8(ascii: ")"): i += 1; add(.punct(.rparen), from: start); return
    case UInt8(ascii: "["): i += 1; add(.punct(.lbracket), from: start); return
    case UInt8(ascii: "]"): i += 1; add(.punct(.rbracket), from: start); return
    case UInt8(ascii: ","): i += 1; add(.punct(.comma), from: start); return
    case UInt8(ascii: ":"): i += 1; add(.punct(.colon), from: start); return
    case UInt8(ascii: "."): i += 1; add(.punct(.dot), from: start); return
    case UInt8(ascii: "|"): i += 1; add(.punct(.pipe), from: start); return
    case UInt8(ascii: "+"): i += 1; add(.punct(.plus), from: start); return
    case UInt8(ascii: "-"): i += 1; add(.punct(.minus), from: start); return
    case UInt8(ascii: "*"): i += 1; add(.punct(.star), from: start); return
    case UInt8(ascii: "/"): i += 1; add(.punct(.slash), from: start); return
    case UInt8(ascii: "="):
      i += 1
      if peek() == UInt8(ascii: "=") { i += 1 }  // `==` is read as `=`: there is one equality
      add(.punct(.eq), from: start)
      return
    case UInt8(ascii: "!"):
      if peek(1) == UInt8(ascii: "=") {
        i += 2
        add(.punct(.ne), from: start)
      } else {
        i += 1
        error(SyntaxDiagnostics.unexpectedCharacter("!", help: "write `!=` or `not`"), SourceSpan(start, i))
        add(.invalid, from: start)
      }
      return
    case UInt8(ascii: "<"):
      i += 1
      if peek() == UInt8(ascii: "=") { i += 1; add(.punct(.le), from: start) }
      else if peek() == UInt8(ascii: ">") { i += 1; add(.punct(.ne), from: start) }
      else { add(.punct(.lt), from: start) }
      return
    case UInt8(ascii: ">"):
      i += 1
      if peek() == UInt8(ascii: "=") { i += 1; add(.punct(.ge), from: start) } else { add(.punct(.gt), from: start) }
      return
    default:
      break
    }
    // Multi-byte characters that the language gives a meaning to.
    if c == 0xC2 && peek(1) == 0xA7 {  // §
      lexClauseID()
      return
    }
    let symbols: [([UInt8], Token.Kind)] = [
      ([0xC2, 0xA5], .currencySymbol),  // ¥
      ([0xC2, 0xA3], .currencySymbol),  // £
      ([0xE2, 0x82, 0xAC], .currencySymbol),  // €
      ([0xEF, 0xBF, 0xA5], .currencySymbol),  // ￥ (full-width yen, common in Japanese text)
      ([0xE2, 0x89, 0xA4], .punct(.le)),  // ≤
      ([0xE2, 0x89, 0xA5], .punct(.ge)),  // ≥
      ([0xE2, 0x89, 0xA0], .punct(.ne)),  // ≠
      ([0xC3, 0x97], .punct(.star)),  // ×
      ([0xC3, 0xB7], .punct(.slash)),  // ÷
      ([0xE2, 0x88, 0x92], .punct(.minus)),  // − (minus sign)
      ([0xE2, 0x80, 0x93], .punct(.minus)),  // – (en dash, as word processors write minus)
    ]
    for (seq, kind) in symbols where matches(seq) {
      i += seq.count
      add(kind, from: start)
      return
    }
    if matches([0xE2, 0x80, 0x9C]) {  // “ … ” from a word processor
      lexString(close: [0xE2, 0x80, 0x9D])
      return
    }
    // Anything else: one diagnostic for the whole run of unreadable bytes.
    let width = scalarWidth(at: i)
    if let width {
      let text = String(decoding: b[i..<(i + width)], as: UTF8.self)
      i += width
      let help: String?
      switch text {
      case "\u{2018}", "\u{2019}": help = "text is written between straight double quotes `\"`"
      case "\u{00A0}": help = "a non-breaking space; replace it with an ordinary space"
      default: help = nil
      }
      let printable = (c < 0x20 || c == 0x7F) ? "U+" + String(c, radix: 16, uppercase: true).leftPadded(4) : text
      if c == 0 {
        error(SyntaxDiagnostics.nulByte(), SourceSpan(start, i))
      } else {
        error(SyntaxDiagnostics.unexpectedCharacter(printable, help: help), SourceSpan(start, i))
      }
    } else {
      while i < b.count, scalarWidth(at: i) == nil { i += 1 }
      error(SyntaxDiagnostics.invalidUTF8(), SourceSpan(start, i))
    }
    add(.invalid, from: start)
  }

  private func matches(_ seq: [UInt8]) -> Bool {
    guard i + seq.count <= b.count else { return false }
    for k in 0..<seq.count where b[i + k] != seq[k] { return false }
    return true
  }

  /// The byte length of the valid UTF-8 scalar at `at`, or nil when the bytes are not UTF-8.
  private func scalarWidth(at: Int) -> Int? {
    let c = b[at]
    let need: Int
    var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
    switch c {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: need = 1
    case 0xE0: need = 2; lo = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: need = 2
    case 0xED: need = 2; hi = 0x9F
    case 0xF0: need = 3; lo = 0x90
    case 0xF1...0xF3: need = 3
    case 0xF4: need = 3; hi = 0x8F
    default: return nil
    }
    guard at + need < b.count else { return nil }
    for k in 1...need {
      let x = b[at + k]
      if k == 1 { if x < lo || x > hi { return nil } } else if x < 0x80 || x > 0xBF { return nil }
    }
    return need + 1
  }

  private mutating func lexNumberOrDate() {
    let start = i
    // A date is exactly four digits, '-', two digits, '-', two digits.
    if i + 10 <= b.count,
      (0..<4).allSatisfy({ Self.isDigit(b[i + $0]) }), b[i + 4] == UInt8(ascii: "-"),
      Self.isDigit(b[i + 5]), Self.isDigit(b[i + 6]), b[i + 7] == UInt8(ascii: "-"),
      Self.isDigit(b[i + 8]), Self.isDigit(b[i + 9]),
      i + 10 == b.count || !(Self.isDigit(b[i + 10]) || Self.isLetter(b[i + 10]))
    {
      i += 10
      add(.date, from: start)
      return
    }
    while i < b.count, Self.isDigit(b[i]) { i += 1 }
    // Thousands separators: `1,000,000` when exactly three digits follow each comma.
    while i + 3 < b.count, b[i] == UInt8(ascii: ","), (1...3).allSatisfy({ Self.isDigit(b[i + $0]) }),
      i + 4 >= b.count || !Self.isDigit(b[i + 4])
    {
      i += 4
    }
    if peek() == UInt8(ascii: "."), Self.isDigit(peek(1)) {
      i += 1
      while i < b.count, Self.isDigit(b[i]) { i += 1 }
    } else if let w = Self.vulgarFraction(b, i) {
      i += w  // `66⅔%`
    }
    // Attached suffix: `%`, `x`, `bn`, `m`, `bps`... The parser decides what it means.
    if peek() == UInt8(ascii: "%") {
      i += 1
    } else {
      while i < b.count, Self.isLetter(b[i]) { i += 1 }
    }
    add(.number, from: start)
  }

  /// The byte width of a vulgar fraction (½ ⅓ ⅔ ¼ ¾) at `at`, which may follow a number's digits.
  static func vulgarFraction(_ b: [UInt8], _ at: Int) -> Int? {
    if at + 1 < b.count, b[at] == 0xC2, (0xBC...0xBE).contains(b[at + 1]) { return 2 }
    if at + 2 < b.count, b[at] == 0xE2, b[at + 1] == 0x85, (0x93...0x94).contains(b[at + 2]) { return 3 }
    return nil
  }

  private mutating func lexString(close: [UInt8]) {
    let start = i
    i += close.count == 1 ? 1 : 3
    while i < b.count {
      // ASCII other than NUL, `"` and `\`: one character that neither closes (`”` starts
      // with 0xE2) nor escapes, so it is passed over at once — most bytes of a clause's text.
      let c = b[i]
      if c != 0, c < 0x80, c != 0x22, c != 0x5C {
        i += 1
        continue
      }
      if matches(close) {
        i += close.count
        add(.string, from: start)
        return
      }
      if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
        // Skip the escaped character whole: a multi-byte one is one character, not invalid
        // UTF-8; a NUL after the backslash is still reported below.
        i += 1
        if b[i] != 0, let w = scalarWidth(at: i) { i += w }
        continue
      }
      if b[i] == 0 {
        error(SyntaxDiagnostics.nulByte(), SourceSpan(i, i + 1))
        i += 1
        continue
      }
      if let w = scalarWidth(at: i) {
        i += w
      } else {
        let bad = i
        while i < b.count, scalarWidth(at: i) == nil { i += 1 }
        error(SyntaxDiagnostics.invalidUTF8(), SourceSpan(bad, i))
      }
    }
    error(SyntaxDiagnostics.unterminatedText(), SourceSpan(start, min(start + 1, b.count)))
    add(.invalid, from: start)
  }

  private mutating func lexClauseID() {
    let start = i
    i += 2
    while peek() == 0x20 { i += 1 }
    let idStart = i
    while i < b.count {
      let c = b[i]
      if Self.isLetter(c) || Self.isDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "(")
        || c == UInt8(ascii: ")") || c == UInt8(ascii: "-")
      {
        i += 1
      } else {
        break
      }
    }
    while i > idStart, b[i - 1] == UInt8(ascii: ".") { i -= 1 }
    if i == idStart {
      // `§§4.9, 4.10`, as lawyers cite several sections: each is cited with its own `§` here.
      let doubled = i + 1 < b.count && b[i] == 0xC2 && b[i + 1] == 0xA7
      error(SyntaxDiagnostics.sectionSignWithoutNumber(doubled: doubled), SourceSpan(start, i))
      add(.invalid, from: start)
      return
    }
    add(.clauseID, from: start)
  }
}

extension String {
  package func leftPadded(_ width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
