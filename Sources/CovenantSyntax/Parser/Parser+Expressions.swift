import CovenantValues

extension Parser {
  // MARK: - Expressions

  mutating func enter() throws(ParseError) {
    depth += 1
    if depth > Self.maxDepth {
      error(SyntaxDiagnostics.nestedTooDeep(limit: Self.maxDepth), at: tok.span)
      throw ParseError()
    }
  }

  /// expr = not_expr { "and" not_expr } | not_expr { "or" not_expr } ;
  /// Mixing `and` and `or` without parentheses is an error (P002): for text read by lawyers,
  /// refusing the ambiguity beats a precedence rule nobody remembers.
  mutating func parseExpr() throws(ParseError) -> Expr {
    try enter()
    defer { depth -= 1 }
    var left = try parseNot()
    var op: BinaryOp?
    // Each operand of a chain deepens the tree (`a + b + c` is `(a + b) + c`), so chains count
    // towards the depth limit as nesting does.
    var chain = 0
    defer { depth -= chain }
    while isWord("and") || isWord("or") {
      try enter()
      chain += 1
      let opTok = advance()
      let this: BinaryOp = text(opTok) == "and" ? .and : .or
      if let op, op != this {
        error(SyntaxDiagnostics.mixedAndOr(), at: opTok.span)
      }
      op = this
      let right = try parseNot()
      left = Expr(.binary(this, left, right), left.span.union(right.span))
    }
    return left
  }

  /// not_expr = "not" not_expr | comparison ;
  mutating func parseNot() throws(ParseError) -> Expr {
    if isWord("not") {
      let start = advance().span
      try enter()
      defer { depth -= 1 }
      let e = try parseNot()
      return Expr(.not(e), start.union(e.span))
    }
    return try parseComparison()
  }

  /// compare = "=" | "!=" | "<" | "<=" | ">" | ">=" | "is" [ "not" ]
  ///         | "at" "most" | "at" "least" | "more" "than" | "less" "than"
  ///         | "no" "more" "than" | "no" "less" "than" ;
  mutating func parseComparisonOperator() throws(ParseError) -> BinaryOp? {
    switch tok.kind {
    case .punct(.eq): advance(); return .eq
    case .punct(.ne): advance(); return .ne
    case .punct(.lt): advance(); return .lt
    case .punct(.le): advance(); return .le
    case .punct(.gt): advance(); return .gt
    case .punct(.ge): advance(); return .ge
    default: break
    }
    if isWord("is") {
      advance()
      return acceptWord("not") ? .ne : .eq
    }
    if isWord("at") && (isWord("most", peekToken()) || isWord("least", peekToken())) {
      advance()
      return text(advance()) == "most" ? .le : .ge
    }
    if (isWord("more") || isWord("less")) && isWord("than", peekToken()) {
      let w = text(advance()); advance()
      return w == "more" ? .gt : .lt
    }
    if isWord("no") && (isWord("more", peekToken()) || isWord("less", peekToken())) && isWord("than", peekToken(2)) {
      advance()
      let w = text(advance()); advance()
      return w == "more" ? .le : .ge
    }
    return nil
  }

  /// comparison = additive [ compare additive | [ "not" ] "in" additive | "is" ( "missing" | "present" ) ] ;
  mutating func parseComparison() throws(ParseError) -> Expr {
    let left = try parseAdditive()
    // `holding.rating is missing` / `is present`: whether an optional value was given.
    if isWord("is"), isWord("missing", peekToken()) || isWord("present", peekToken()) {
      advance()
      let w = advance()
      return Expr(.presence(left, missing: text(w) == "missing"), left.span.union(w.span))
    }
    var op = try parseComparisonOperator()
    if op == nil {
      if isWord("in") { advance(); op = .isIn }
      else if isWord("not") && isWord("in", peekToken()) { advance(); advance(); op = .notIn }
    }
    guard let op else { return left }
    let right = try parseAdditive()
    let e = Expr(.binary(op, left, right), left.span.union(right.span))
    if whereDepth > 0 { return e }
    if try parseComparisonOperator() != nil {
      error(SyntaxDiagnostics.chainedComparison(), at: tokens[pos - 1].span)
      throw ParseError()
    }
    return e
  }

  /// additive = of_expr { ( "+" | "-" ) of_expr } ;
  mutating func parseAdditive() throws(ParseError) -> Expr { try parseLeftChain(.additive) }

  /// of_expr = multiplicative [ "of" of_expr ] | MULTIPLE postfix ;  (* postfix: a name or "(" … ")" *)
  /// (`35% of nav`, `2.0x fund.equity`)
  mutating func parseOf() throws(ParseError) -> Expr {
    let left = try parseMultiplicative()
    let implicit: Bool = {
      guard case .literal(.multiple) = left.kind, !tok.startsLine else { return false }
      if tok.kind == .word, !Token.reserved.contains(text(tok)) { return true }
      // `2.0x (fund.equity + fund.debt)`: a multiple of a parenthesised amount.
      if isPunct(.lparen) { return true }
      return false
    }()
    if isWord("of") || implicit {
      if !implicit { advance() }
      try enter()
      defer { depth -= 1 }
      let right = try parseOf()
      return Expr(.binary(.of, left, right), left.span.union(right.span))
    }
    return left
  }

  /// multiplicative = unary { ( "*" | "/" ) unary } ;
  mutating func parseMultiplicative() throws(ParseError) -> Expr { try parseLeftChain(.multiplicative) }

  /// A chain of the operators `BinaryOp.precedence` puts at `level` (a left-associative level:
  /// `a + b - c` is `(a + b) - c`), between operands of the production below it.
  mutating func parseLeftChain(_ level: PrecedenceLevel) throws(ParseError) -> Expr {
    var left = try parseOperand(of: level)
    var chain = 0
    defer { depth -= chain }
    while case .punct(let p) = tok.kind, let op = BinaryOp(punct: p), op.precedence == level {
      try enter()
      chain += 1
      advance()
      let right = try parseOperand(of: level)
      left = Expr(.binary(op, left, right), left.span.union(right.span))
    }
    return left
  }

  /// The production that reads an operand of a chain at `level`.
  mutating func parseOperand(of level: PrecedenceLevel) throws(ParseError) -> Expr {
    switch level {
    case .additive: try parseOf()
    default: try parseUnary()
    }
  }

  /// unary = "-" unary | postfix ;
  mutating func parseUnary() throws(ParseError) -> Expr {
    if isPunct(.minus) {
      let start = advance().span
      try enter()
      defer { depth -= 1 }
      let e = try parseUnary()
      return Expr(.negate(e), start.union(e.span))
    }
    return try parsePostfix()
  }

  /// postfix = primary { "." NAME | "in" CURRENCY } ;
  mutating func parsePostfix() throws(ParseError) -> Expr {
    var e = try parsePrimary()
    var chain = 0
    defer { depth -= chain }
    while true {
      if isPunct(.dot) || isWord("in") {
        try enter()
        chain += 1
      }
      if isPunct(.dot) {
        advance()
        let n = try name("a field name after `.`")
        e = Expr(.member(e, n), e.span.union(n.span))
      } else if isWord("in"), peekToken().kind == .word, Self.looksLikeCurrency(text(peekToken())) {
        advance()
        let c = advance()
        e = Expr(.convert(e, Name(text(c), c.span)), e.span.union(c.span))
      } else {
        return e
      }
    }
  }
}
