import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

struct SyntaxCase: CustomStringConvertible, Sendable {
  var name: String
  var source: String
  var code: String
  /// The text the caret must point at.
  var at: String
  var description: String { name }
}

@Suite struct SyntaxTests {
  @Test func lexesUnitsDatesAndClauseNumbers() {
    let file = SourceFile(name: "t.cov", text: "§4.2(a) $300 billion 35% 2.0x 2027-01-01 ≤ ¥45 # note\n\"text\"")
    let lexed = Lexer.lex(file)
    let kinds = lexed.tokens.map(\.kind)
    #expect(kinds == [.clauseID, .currencySymbol, .number, .word, .number, .number, .date, .punct(.le), .currencySymbol, .number, .string, .endOfFile])
    #expect(file.text(lexed.tokens[0].span) == "§4.2(a)")
    #expect(lexed.comments.count == 1)
    #expect(lexed.diagnostics.isEmpty)
  }

  /// The parser reads tokens through `TokenStream` (lexed on demand, trimmed 4,096 tokens
  /// behind); its fast path and the lexer's streaming `next()` must give the same tokens as
  /// lexing the whole file, far past the trimming window and at the end of the file.
  @Test func streamedTokensEqualTheWholeLex() {
    var src = "# a comment\n"
    for i in 0..<1_500 {
      src += "§9.\(i) \"t\(i)\" x_\(i) <= 1,\(i % 1000)bn + 2.5x >= 35% != (-\(i)) # c\n  2026-0\(i % 9 + 1)-01 $\(i) ¥7 [a, b] . | * / < > =\r\n"
    }
    src += "@ \"open"
    let file = SourceFile(name: "stream.cov", text: src)
    let whole = Lexer.lex(file)
    #expect(whole.tokens.count > 3 * 4_096)
    let stream = TokenStream(Lexer(file: file))
    var seen: [Token] = []
    var i = 0
    while true {
      // The parser's accesses: the token, a peek two ahead, and one back.
      let t = stream[i]
      _ = stream[i + 2]
      if i > 0 { #expect(stream[i - 1] == seen[i - 1]) }
      seen.append(t)
      if t.kind == .endOfFile { break }
      i += 1
    }
    #expect(seen == whole.tokens)
    #expect(stream[i + 5] == whole.tokens.last)
    #expect(stream.lexer.diagnostics == whole.diagnostics)
    #expect(stream.lexer.comments == whole.comments)
  }

  /// ASCII numbers are split into digits and suffix by bytes; the values and units must be those
  /// of the character-by-character split (still used for `⅔` and other non-ASCII text).
  @Test func numberSuffixesSplitTheSameWay() throws {
    let cases: [(String, Literal)] = [
      ("1,234.5bn", .number(try #require(try Exact.parse("1234500000000")))),
      ("35%", .percent(try #require(try Exact.parse("35")))),
      ("2.0x", .multiple(try #require(try Exact.parse("2.0")))),
      ("120 bps", .bps(try #require(try Exact.parse("120")))),
      ("66⅔%", .percent(try #require(try Exact.parse("66")).adding(Exact(num: 2, den: 3)))),
    ]
    for (text, expected) in cases {
      let r = Parser.parse(SourceFile(name: "n.cov", text: "define a = \(text)"))
      #expect(r.diagnostics.isEmpty, "\(text)")
      guard case .define(let d) = r.covenant.declarations.first, case .literal(let lit) = d.value.kind else {
        Issue.record("\(text): not a literal")
        continue
      }
      #expect(lit == expected, "\(text)")
    }
    let bad = Parser.parse(SourceFile(name: "n.cov", text: "define a = 1,250zz"))
    #expect(bad.diagnostics.map(\.code) == ["P008"])
    #expect(bad.diagnostics.first?.message.contains("`zz`") == true)
  }

  @Test func columnsCountCharactersAndAcceptCRLF() {
    let file = SourceFile(name: "t.cov", text: "a\r\n§1 x\rb\tc")
    #expect(file.location(of: 3) == (2, 1))
    // `x` sits after `§1 ` (§ is two bytes but one column).
    #expect(file.location(of: 3 + 2 + 2) == (2, 4))
    #expect(file.location(of: 9) == (3, 1))
    #expect(file.location(of: 11) == (3, 3))
    #expect(file.lineText(2) == "§1 x")
  }

  @Test func parsesMoneyLiteralsExactly() throws {
    let r = Parser.parse(SourceFile(name: "t", text: "define a = USD 1.5bn + $300 billion + ¥45 trillion"))
    #expect(r.diagnostics.isEmpty)
    guard case .define(let d) = r.covenant.declarations.first,
      case .binary(.add, let left, let yen) = d.value.kind,
      case .binary(.add, let usd1, let usd2) = left.kind
    else {
      Issue.record("unexpected tree")
      return
    }
    #expect(usd1.kind == .literal(.money(Exact(1_500_000_000), currency: "USD")))
    #expect(usd2.kind == .literal(.money(Exact(300_000_000_000), currency: "USD")))
    #expect(yen.kind == .literal(.money(try Exact(num: 45_000_000_000_000, den: 1), currency: "JPY")))
  }

  @Test func vulgarFractionsAndFractionsStayExact() throws {
    let r = Parser.parse(SourceFile(name: "t", text: "define a = 66⅔%"))
    guard case .define(let d) = r.covenant.declarations.first else { Issue.record("no define"); return }
    #expect(d.value.kind == .literal(.percent(try Exact(num: 200, den: 3))))
  }

  static let errorCases: [SyntaxCase] = [
    .init(name: "mixed and/or", source: "define a = true and false or true", code: "P002", at: "or"),
    .init(name: "chained comparison", source: "define a = 1 < 2 < 3", code: "P006", at: "<"),
    .init(name: "bad date", source: "define a = 2026-02-30", code: "P007", at: "2026-02-30"),
    .init(name: "unknown unit", source: "define a = 5 parsecs", code: "P001", at: "parsecs"),
    .init(name: "bad suffix", source: "define a = 5zz", code: "P008", at: "5zz"),
    .init(name: "missing expression", source: "define a =", code: "P001", at: ""),
    .init(name: "reserved name", source: "define sum = 1", code: "P010", at: "sum"),
    .init(name: "unterminated text", source: "§1 \"Title", code: "L004", at: "\""),
    .init(name: "stray character", source: "define a = 1 ^ 2", code: "L003", at: "^"),
    .init(name: "NUL byte", source: "define a = 1\u{0}", code: "L002", at: "\u{0}"),
    .init(name: "bare section sign", source: "§ \"x\"", code: "L005", at: "§"),
    .init(name: "header not first", source: "define a = 1\ncovenant \"x\"", code: "P004", at: "covenant"),
    .init(name: "clause without requirement", source: "§1 \"Title\"", code: "P005", at: "§1"),
    .init(name: "unknown declaration", source: "rule x = 1", code: "P001", at: "rule"),
  ]

  @Test(arguments: errorCases) func reportsSyntaxErrorsAtTheRightPlace(_ c: SyntaxCase) {
    let file = SourceFile(name: "t.cov", text: c.source)
    let r = Parser.parse(file)
    let d = r.diagnostics.first { $0.code == c.code }
    #expect(d != nil, "expected \(c.code), got \(r.diagnostics.map(\.code))")
    guard let d, let span = d.span else { return }
    if !c.at.isEmpty {
      #expect(file.text(span).hasPrefix(c.at), "caret at `\(file.text(span))`")
    }
  }

  @Test func recoversAndReportsSeveralErrors() {
    let src = """
      define a = 1 +
      define b = (2
      §1 "x"
        nav <= 
      §2 "y"
        every h in holdings h.value > $0
      """
    let r = Parser.parse(SourceFile(name: "t.cov", text: src))
    #expect(r.diagnostics.filter(\.isError).count >= 3)
    #expect(Set(r.diagnostics.map { SourceFile(name: "t", text: src).location(of: $0.span?.start ?? 0).line }).count >= 3)
  }

  @Test func deepNestingIsADiagnosticNotACrash() {
    let deep = "define a = " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
    let r = Parser.parse(SourceFile(name: "t.cov", text: deep))
    #expect(r.diagnostics.contains { $0.code == "P003" })
  }

  @Test(arguments: [
    ("\"plain\"", "plain"), ("“curly”", "curly"), ("“mixed\"", "mixed"), ("\"a\\nb\\tc\"", "a\nb\tc"),
    ("\"q\\\"d\\\\\"", "q\"d\\"), ("\"§4.2 ¥ \\é\"", "§4.2 ¥ é"), ("\"", ""), ("“”", ""), ("\"unterminated", "unterminated"),
  ])
  func textLiteralsLoseTheirQuotesAndEscapes(_ raw: String, _ value: String) {
    #expect(Parser.unquote(raw) == value)
  }

  /// Spans compare by position: two diagnostics at different places are different; trees compare
  /// whatever their layout only through `SpanInsensitive.equal`.
  @Test func spansCompareByPosition() {
    #expect(SourceSpan(1, 2) != SourceSpan(3, 4))
    #expect(SourceSpan(1, 2) == SourceSpan(1, 2))
    #expect(Set([SourceSpan(1, 2), SourceSpan(3, 4)]).count == 2)
    let a = Diagnostic(code: "C001", message: "m", file: "f", span: SourceSpan(1, 2))
    let b = Diagnostic(code: "C001", message: "m", file: "f", span: SourceSpan(5, 6))
    #expect(a != b)
    let x = Parser.parse(SourceFile(name: "t", text: "define a = 1 <= 2")).covenant
    let y = Parser.parse(SourceFile(name: "t", text: "define   a =   1 <= 2")).covenant
    #expect(x != y)
    #expect(SpanInsensitive.equal(x as Any, y as Any))
  }

  @Test func wordComparisonsMeanTheSymbols() {
    let b = Parser.parse(SourceFile(name: "t", text: "define a = 1 <= 2")).covenant
    #expect(SpanInsensitive.equal(Parser.parse(SourceFile(name: "t", text: "define a = 1 at most 2")).covenant as Any, b as Any))
    #expect(SpanInsensitive.equal(Parser.parse(SourceFile(name: "t", text: "define a = 1 ≤ 2")).covenant as Any, b as Any))
    #expect(!SpanInsensitive.equal(Parser.parse(SourceFile(name: "t", text: "define a = 1 < 2")).covenant as Any, b as Any))
    let c = Parser.parse(SourceFile(name: "t", text: "define a = 1 no more than 2")).covenant
    #expect(SpanInsensitive.equal(c as Any, b as Any))
  }
  /// The parser groups binary operators as the shared precedence table says, and the formatter,
  /// which puts parentheses by the same table, prints either grouping so that it reads back the same.
  @Test func parserAndFormatterFollowThePrecedenceTable() {
    let ops: [(BinaryOp, String)] = [(.add, "+"), (.sub, "-"), (.mul, "*"), (.div, "/"), (.of, "of")]
    for (p, ps) in ops {
      for (q, qs) in ops {
        let text = "a \(ps) b \(qs) c"
        let r = Parser.parse(SourceFile(name: "t", text: "define x = " + text))
        guard r.diagnostics.isEmpty, case .define(let d) = r.covenant.declarations.first,
          case .binary(let outer, let left, let right) = d.value.kind
        else {
          Issue.record("`\(text)` does not parse as a binary expression")
          continue
        }
        let leftFirst = p.precedence > q.precedence || (p.precedence == q.precedence && p.associativity == .left)
        if leftFirst {
          #expect(outer == q, "`\(text)`")
          guard case .binary(let inner, _, _) = left.kind else { Issue.record("`\(text)`: \(left.kind)"); continue }
          #expect(inner == p, "`\(text)`")
        } else {
          #expect(outer == p, "`\(text)`")
          guard case .binary(let inner, _, _) = right.kind else { Issue.record("`\(text)`: \(right.kind)"); continue }
          #expect(inner == q, "`\(text)`")
        }
        for grouped in ["(a \(ps) b) \(qs) c", "a \(ps) (b \(qs) c)"] {
          let source = SourceFile(name: "t", text: "define x = " + grouped)
          guard case .success(let out) = CovenantKit.Formatter.format(source) else {
            Issue.record("`\(grouped)` does not format")
            continue
          }
          let back = Parser.parse(SourceFile(name: "out", text: out)).covenant
          #expect(SpanInsensitive.equal(back as Any, Parser.parse(source).covenant as Any), "`\(grouped)` printed as `\(out)`")
        }
      }
    }
  }
}
