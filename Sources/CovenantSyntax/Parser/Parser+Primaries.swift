import CovenantValues

extension Parser {
  static let scaleWords: [String: Int] = [
    "thousand": 3, "k": 3, "million": 6, "mn": 6, "m": 6, "mm": 6, "billion": 9, "bn": 9, "b": 9,
    "trillion": 12, "tn": 12, "t": 12,
  ]
  static let durationWords: [String: @Sendable (Int) -> Duration?] = [
    "year": Duration.years, "years": Duration.years, "month": Duration.months, "months": Duration.months,
    "week": Duration.weeks, "weeks": Duration.weeks, "day": Duration.days, "days": Duration.days,
  ]

  /// primary = literal | NAME | "that" NAME | "(" expr ")" | "[" [ expr { "," expr } ] "]"
  ///         | aggregate | quantifier | conditional | call ;
  mutating func parsePrimary() throws(ParseError) -> Expr {
    try enter()
    defer { depth -= 1 }
    let t = tok
    switch t.kind {
    case .number:
      return try parseNumberLiteral(currency: nil, start: t.span)
    case .currencySymbol:
      advance()
      guard tok.kind == .number else { try fail("an amount after `\(text(t))`, as in `$300 billion`") }
      return try parseNumberLiteral(currency: Self.currencyForSymbol(text(t)), start: t.span)
    case .string:
      advance()
      return Expr(.literal(.text(Self.unquote(text(t)))), t.span)
    case .date:
      advance()
      guard let d = CalendarDate.parse(text(t)) else {
        error(SyntaxDiagnostics.invalidDate(text(t), problem: Self.dateProblem(text(t))), at: t.span)
        return Expr(.invalid, t.span)
      }
      return Expr(.literal(.date(d)), t.span)
    case .punct(.lparen):
      advance()
      let e = try parseExpr()
      // The column only when it is needed: finding it walks the line.
      if !acceptPunct(.rparen) { try fail("`)`", help: "close the parenthesis opened at column \(file.location(of: t.span.start).column)") }
      return Expr(e.kind, t.span.union(tokens[pos - 1].span))
    case .punct(.lbracket):
      advance()
      var items: [Expr] = []
      if !isPunct(.rbracket) {
        repeat { items.append(try parseExpr()) } while acceptPunct(.comma)
      }
      try expectPunct(.rbracket)
      return Expr(.list(items), t.span.union(tokens[pos - 1].span))
    case .word:
      break
    default:
      try fail("a value, a name or `(`")
    }
    let w = text(t)
    if Self.looksLikeCurrency(w), peekToken().kind == .number, !peekToken().startsLine {
      advance()
      return try parseNumberLiteral(currency: w, start: t.span)
    }
    switch w {
    case "true", "false":
      advance()
      return Expr(.literal(.bool(w == "true")), t.span)
    case "that":
      advance()
      let n = try name("the grouped field after `that`, as in `that sector`")
      return Expr(.that(n), t.span.union(n.span))
    case "sum", "count", "min", "max", "average", "share", "weighted":
      if w == "weighted" || isWord("of", peekToken()) { return try parseAggregate() }
    case "every", "some", "no":
      if peekToken().kind == .word, isWord("in", peekToken(2)) { return try parseQuantifier() }
    case "if":
      // conditional = "if" expr "then" additive "else" additive ;
      advance()
      let cond = try parseExpr()
      try expectWord("then", "`then`, as in `if deal.amount > $1 billion then 10% else 15%`")
      let a = try parseAdditive()
      try expectWord("else", "`else`: a conditional gives a value either way, as in `if … then 10% else 15%`")
      let b = try parseAdditive()
      return Expr(.conditional(cond, then: a, else: b), t.span.union(b.span))
    default:
      break
    }
    if Self.looksLikeCountry(w) {
      advance()
      return Expr(.literal(.country(w)), t.span)
    }
    if Token.reserved.contains(w) {
      try fail("a value or a name")
    }
    advance()
    if isPunct(.lparen), !tok.startsLine {
      // call = NAME "(" expr { "," expr } ")" ;  (* "(" on the same line as NAME *) a definition with parameters.
      advance()
      var args: [Expr] = []
      repeat { args.append(try parseExpr()) } while acceptPunct(.comma)
      try expectPunct(.rparen)
      return Expr(.call(Name(w, t.span), args), t.span.union(tokens[pos - 1].span))
    }
    return Expr(.name(Name(w, t.span)), t.span)
  }

  /// aggregate = ( ( "sum" | "count" | "min" | "max" | "average" | "share" ) "of" postfix [ "where" expr ]
  ///             | "weighted" "average" "of" postfix "by" postfix [ "where" expr ] )
  ///             [ "over" [ "the" ] "last" unary "periods" ] ;
  mutating func parseAggregate() throws(ParseError) -> Expr {
    let start = advance()
    var fn = AggregateFunction(rawValue: text(start)) ?? .sum
    if text(start) == "weighted" {
      try expectWord("average", "`average`, as in `weighted average of tranches.spread by tranches.amount`")
      fn = .weightedAverage
    }
    try expectWord("of")
    let over = try parsePostfix()
    var by: Expr?
    if fn == .weightedAverage {
      try expectWord("by", "`by` and the weight, as in `… by tranches.amount`")
      by = try parsePostfix()
    }
    var cond: Expr?
    if acceptWord("where") {
      whereDepth += 1
      defer { whereDepth -= 1 }
      cond = try parseExpr()
    }
    let end = cond?.span ?? by?.span ?? over.span
    let aggregate = Expr(.aggregate(fn, over: over, where: cond, by: by), start.span.union(end))
    // `… over the last 4 periods`: the aggregate over the most recent periods of a dated list.
    if isWord("over"), !tok.startsLine {
      advance()
      _ = acceptWord("the")
      try expectWord("last", "`last`, as in `sum of quarters.ebitda over the last 4 periods`")
      let n = try parseUnary()
      try expectWord("periods", "`periods`, as in `sum of quarters.ebitda over the last 4 periods`")
      return Expr(.trailing(aggregate, periods: n), start.span.union(tokens[pos - 1].span))
    }
    return aggregate
  }

  /// quantifier = ( "every" | "some" | "no" ) NAME "in" postfix [ "where" expr ] ":" expr ;
  mutating func parseQuantifier() throws(ParseError) -> Expr {
    let start = advance()
    let q = Quantifier(rawValue: text(start)) ?? .every
    let v = try name("a name for each element")
    try expectWord("in")
    let list = try parsePostfix()
    var cond: Expr?
    if acceptWord("where") { cond = try parseExpr() }
    try expectPunct(.colon, help: "write `\(q.rawValue) \(v.text) in …: condition`")
    let body = try parseExpr()
    return Expr(.quantifier(q, variable: v, list: list, where: cond, body: body), start.span.union(body.span))
  }

  /// literal = NUMBER [ unit ] | ( CURRENCY_SYMBOL | CURRENCY ) NUMBER [ scale ] | … ; — the numeric forms:
  /// `$300 billion`, `120 bps`, `5 years`.
  /// unit = "%" | "percent" | "pct" | "bps" | "bp" | "x" | scale | duration_unit ;
  /// scale = "k" | "thousand" | "m" | "mm" | "mn" | "million" | "b" | "bn" | "billion" | "t" | "tn" | "trillion" ;
  /// duration_unit = "day" | "days" | "week" | "weeks" | "month" | "months" | "year" | "years" ;
  mutating func parseNumberLiteral(currency: String?, start: SourceSpan) throws(ParseError) -> Expr {
    let t = advance()
    let raw = text(t)
    // Split digits from the attached suffix.
    var digits = ""
    var suffix = ""
    var fraction: (Int128, Int128)?
    if raw.utf8.allSatisfy({ $0 < 0x80 }) {
      // ASCII (nearly every number): the same split by bytes, without a `Character` per byte
      // (a vulgar fraction is never ASCII).
      var d: [UInt8] = [], s: [UInt8] = []
      for c in raw.utf8 {
        if s.isEmpty, (c >= 0x30 && c <= 0x39) || c == 0x2E { d.append(c) }
        else if s.isEmpty, c == 0x2C { continue }
        else { s.append(c) }
      }
      digits = String(decoding: d, as: UTF8.self)
      suffix = String(decoding: s, as: UTF8.self)
    } else {
      for ch in raw {
        if suffix.isEmpty, ch.isASCII, ch.isNumber || ch == "." { digits.append(ch) }
        else if suffix.isEmpty, ch == "," { continue }
        else if suffix.isEmpty, let f = Self.vulgar(ch) { fraction = f }
        else { suffix.append(ch) }
      }
    }
    var value: Exact
    do throws(ArithmeticError) {
      guard let v = try Exact.parse(digits) else {
        error(SyntaxDiagnostics.invalidNumber(raw, .unreadable), at: t.span)
        return Expr(.invalid, t.span)
      }
      value = v
      if let (n, d) = fraction { value = try value.adding(try Exact(num: n, den: d)) }
    } catch {
      self.error(SyntaxDiagnostics.invalidNumber(raw, .tooPrecise), at: t.span)
      return Expr(.invalid, t.span)
    }
    var span = start.union(t.span)
    // A unit word may follow on the same line: `300 billion`, `120 bps`, `5 years`.
    if suffix.isEmpty, tok.kind == .word, !tok.startsLine {
      let next = text(tok)
      if Self.scaleWords[next] != nil && next.count > 2 || ["bps", "bp", "percent", "pct"].contains(next) || Self.durationWords[next] != nil {
        suffix = next
        span = span.union(advance().span)
      }
    }
    func scaled(_ power: Int) throws(ParseError) -> Exact {
      do throws(ArithmeticError) {
        return try value.multiplied(by: Exact(integer: Exact.pow10(power) ?? 1))
      } catch {
        self.error(SyntaxDiagnostics.invalidNumber(raw, .amountTooLarge), at: t.span)
        throw ParseError()
      }
    }
    let lit: Literal
    switch suffix {
    case "":
      lit = currency.map { .money(value, currency: $0) } ?? .number(value)
    case "%", "percent", "pct":
      lit = .percent(value)
    case "bps", "bp":
      lit = .bps(value)
    case "x":
      lit = .multiple(value)
    default:
      if let p = Self.scaleWords[suffix] {
        let v = try scaled(p)
        lit = currency.map { .money(v, currency: $0) } ?? .number(v)
      } else if let make = Self.durationWords[suffix], value.isInteger, let n = Int(exactly: value.num), let d = make(n) {
        lit = .duration(d)
      } else {
        error(SyntaxDiagnostics.invalidNumber(raw, .unknownUnit(suffix)), at: t.span)
        return Expr(.invalid, span)
      }
    }
    if currency != nil, case .money = lit {} else if currency != nil {
      error(SyntaxDiagnostics.invalidNumber(raw, .unitOnCurrency(suffix)), at: span)
      return Expr(.invalid, span)
    }
    return Expr(.literal(lit), span)
  }

  /// A switch, not a dictionary: the dictionary's type was instantiated (and its conformances
  /// looked up) at every start-up.
  static func vulgar(_ ch: Character) -> (Int128, Int128)? {
    switch ch {
    case "½": (1, 2)
    case "⅓": (1, 3)
    case "⅔": (2, 3)
    case "¼": (1, 4)
    case "¾": (3, 4)
    default: nil
    }
  }
}
