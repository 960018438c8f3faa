import CovenantValues

extension Parser {
  // MARK: - Clauses

  /// clause = CLAUSE_ID [ TEXT ] [ TEXT ] { clause_item } ;
  mutating func parseClause() throws(ParseError) -> ClauseDecl {
    let idTok = advance()
    var id = text(idTok)
    id = String(id.dropFirst().drop(while: { $0 == " " }))
    var clause = ClauseDecl(id: id, idSpan: idTok.span, title: nil, text: nil, items: [], span: idTok.span)
    clauseID = id
    defer { clauseID = nil }
    if tok.kind == .string { clause.title = try string() }
    if tok.kind == .string { clause.text = try string() }
    while !atEnd && !(tok.startsLine && startsDeclaration(tok)) && !(tok.kind == .clauseID) {
      let before = pos
      do throws(ParseError) {
        let item = try parseClauseItem()
        // The same grouping again (`report X for each sector` on several lines) is one grouping.
        if case .forEach(let field, let list, _) = item, clause.items.contains(where: {
          if case .forEach(let f, let l, _) = $0 { return f.text == field.text && l == list }
          return false
        }) {
        } else {
          clause.items.append(item)
        }
        if let next = followingItem {
          clause.items.append(next)
          followingItem = nil
        }
      } catch {
        if pos == before { advance() }
        while !atEnd && !tok.startsLine { advance() }
      }
    }
    if clause.items.isEmpty {
      error(SyntaxDiagnostics.clauseWithoutRequirement(id), at: idTok.span)
    }
    clause.span = idTok.span.union(tokens[max(0, pos - 1)].span)
    return clause
  }

  /// Why a date is invalid: "June has 30 days", "there is no month 13".
  static func dateProblem(_ s: String) -> String? {
    let parts = s.split(separator: "-").map { Int($0) }
    guard parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2] else { return nil }
    let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    guard (1...12).contains(m) else { return "there is no month \(m)" }
    guard y >= 1 else { return "there is no year 0" }
    let days = CalendarDate.daysIn(month: m, year: y)
    if d < 1 { return "there is no day 0" }
    if d > days { return "\(months[m - 1])\(m == 2 ? " \(y)" : "") has \(days) days" }
    return nil
  }

  /// True for a token that can begin an expression (not an operator or the end).
  static func startsOperand(_ k: Token.Kind) -> Bool {
    switch k {
    case .punct(let p): p == .lparen || p == .minus || p == .lbracket
    case .endOfFile, .invalid, .clauseID: false
    default: true
    }
  }

  /// clause_item = "applies" "when" expr
  ///             | "effective" "from" expr
  ///             | "until" expr
  ///             | "tested" "on" ( "snapshot" | "pro" "forma" | "both" )
  ///             | "severity" ( "warning" | "breach" )
  ///             | "for" "each" NAME [ "in" postfix ] ":"
  ///             | "for" "each" "window" "of" unary [ "consecutive" ] "periods" "in" postfix ":"
  ///             | "warn" [ "at" "or" ] ( "above" | "below" ) unary [ "of" "the" "limit" ]
  ///             | "approved" "by" party_refs
  ///             | "approved" "by" body_threshold NAME
  ///             | consent_rule
  ///             | "waivable" "by" party_refs
  ///             | vote_rule
  ///             | "quorum" [ ":" ] [ compare ] fraction "of" "voting" "power" [ "present" ]
  ///             | "report" expr [ "for" "each" NAME [ "in" postfix ] ]
  ///             | "subject" "to" clause_refs
  ///             | "notwithstanding" clause_refs
  ///             | ( "section" | "sections" ) clause_refs ( "do" | "does" ) "not" "apply"
  ///               [ "to" [ "a" | "the" ] "deal" ] "when" expr
  ///             | expr ;
  mutating func parseClauseItem() throws(ParseError) -> ClauseItem {
    let start = tok.span
    if acceptWord("applies") {
      try expectWord("when", "`when`, as in `applies when deal.amount > $10 billion`")
      return .appliesWhen(try parseExpr())
    }
    if acceptWord("effective") {
      try expectWord("from", "`from`, as in `effective from 2027-01-01`")
      return .effectiveFrom(try parseExpr())
    }
    if acceptWord("until") { return .until(try parseExpr()) }
    if acceptWord("tested") {
      try expectWord("on", "`on`, as in `tested on pro forma`")
      if acceptWord("snapshot") { return .testedOn(.snapshot, start.union(tokens[pos - 1].span)) }
      if acceptWord("both") { return .testedOn(.both, start.union(tokens[pos - 1].span)) }
      if acceptWord("pro") {
        try expectWord("forma")
        return .testedOn(.proForma, start.union(tokens[pos - 1].span))
      }
      try fail("`snapshot`, `pro forma` or `both`")
    }
    if acceptWord("severity") {
      if acceptWord("warning") { return .severity(.warning, start.union(tokens[pos - 1].span)) }
      if acceptWord("breach") { return .severity(.breach, start.union(tokens[pos - 1].span)) }
      try fail("`warning` or `breach`")
    }
    if isWord("for") && isWord("each", peekToken()) && isWord("window", peekToken(2)) && isWord("of", peekToken(3)) {
      // for each window of N [consecutive] periods in LIST :
      advance(); advance(); advance(); advance()
      let n = try parseUnary()
      _ = acceptWord("consecutive")
      try expectWord("periods", "`periods`, as in `for each window of 4 consecutive periods in quarters:`")
      try expectWord("in", "`in` and the list of periods, as in `for each window of 4 consecutive periods in quarters:`")
      let list = try parsePostfix()
      try expectPunct(.colon, help: "end the line with `:`, as in `for each window of 4 consecutive periods in quarters:`")
      return .forEachWindow(periods: n, list: list, span: start.union(tokens[pos - 1].span))
    }
    if isWord("for") && isWord("each", peekToken()) {
      advance(); advance()
      let field = try name("the field to group by, e.g. `sector`")
      var list: Expr?
      if acceptWord("in") { list = try parsePostfix() }
      try expectPunct(.colon, help: "end the line with `:`, as in `for each sector:`")
      return .forEach(field: field, list: list, span: start.union(tokens[pos - 1].span))
    }
    // `report X` (a figure to show), unless `report` is a name used in a requirement (`report.x`, `report <= 5`).
    if isWord("report"), !peekToken().startsLine, Self.startsOperand(peekToken().kind) {
      advance()
      let e = try parseExpr()
      let item = ClauseItem.report(e, span: start.union(e.span))
      // `report X for each sector`: the same as `for each sector:` followed by `report X`.
      if isWord("for"), isWord("each", peekToken()), !tok.startsLine {
        let groupStart = tok.span
        advance(); advance()
        let field = try name("the field to group by, e.g. `sector`")
        var list: Expr?
        if acceptWord("in") { list = try parsePostfix() }
        _ = acceptPunct(.colon)
        followingItem = item
        return .forEach(field: field, list: list, span: groupStart.union(tokens[pos - 1].span))
      }
      return item
    }
    if acceptWord("warn") {
      let above: Bool
      // `warn at or above 90% of the limit`: the warning level itself warns.
      var inclusive = false
      if isWord("at") && isWord("or", peekToken()) {
        advance(); advance()
        inclusive = true
      }
      if acceptWord("above") { above = true } else if acceptWord("below") { above = false } else {
        try fail(inclusive ? "`above` or `below`, as in `warn at or above 90% of the limit`" : "`above`, `below` or `at or above`, as in `warn above 90% of the limit`")
      }
      let fraction = try parseUnary()
      if isWord("of") && isWord("the", peekToken()) {
        advance(); advance()
        try expectWord("limit")
      }
      return .warn(above: above, inclusive: inclusive, fraction: fraction, span: start.union(tokens[pos - 1].span))
    }
    if isWord("approved") && isWord("by", peekToken()) {
      advance(); advance()
      // `approved by majority in interest of lps`, `approved by 2/3 of lpac`: a vote of a body.
      if let threshold = try parseBodyThreshold() {
        let body = try name("a voting body")
        return .votes(VoteRule.body(threshold, body, span: start.union(tokens[pos - 1].span)))
      }
      let refs = try parsePartyRefs()
      return .approvedBy(ApprovalRule(parties: refs, span: start.union(tokens[pos - 1].span)))
    }
    if isWord("waivable") {
      advance()
      try expectWord("by")
      let refs = try parsePartyRefs()
      return .waivableBy(refs, start.union(tokens[pos - 1].span))
    }
    if isWord("votes") && (isWord("in", peekToken()) || isWord("for", peekToken()) || isWord("of", peekToken())) {
      return .votes(try parseVoteRule())
    }
    // consent_rule = ( "without" "consent" "of" | "unless" "consented" "by" ) consent_src { "or" consent_src }
    //              | "with" "consent" "of" consent_src { "or" consent_src } "up" "to" additive ;
    // consent_src  = [ body_threshold ] NAME | postfix ;
    if (isWord("without") && isWord("consent", peekToken())) || (isWord("unless") && isWord("consented", peekToken()))
      || (isWord("with") && isWord("consent", peekToken()))
    {
      let lifting = isWord("with")
      let unless = isWord("unless")
      advance(); advance()
      try expectWord(unless ? "by" : "of", unless ? "`by`, as in `unless consented by lpac`" : "`of`, as in `without consent of lpac`")
      var sources: [ConsentSource] = []
      repeat {
        let threshold = try parseBodyThreshold()
        let e = threshold == nil ? try parsePostfix() : try { () throws(ParseError) -> Expr in let n = try name("a voting body"); return Expr(.name(n), n.span) }()
        sources.append(ConsentSource(threshold: threshold, source: e))
      } while !tok.startsLine && acceptWord("or")
      var lifted: Expr?
      if lifting {
        try expectWord("up", "`up to` and the higher limit, as in `with consent of lpac up to 25% of commitments`")
        try expectWord("to")
        lifted = try parseAdditive()  // an amount or percentage, not a comparison
      }
      return .consent(ConsentRule(sources: sources, liftedTo: lifted, span: start.union(tokens[pos - 1].span)))
    }
    if acceptWord("quorum") {
      // quorum_rule = "quorum" [ ":" ] [ compare ] fraction "of" "voting" "power" [ "present" ] ;
      _ = acceptPunct(.colon)
      let cmp = try parseComparisonOperator() ?? .ge
      let fraction = try parseFraction()
      try expectWord("of", "`of voting power`")
      try expectWord("voting")
      try expectWord("power")
      _ = acceptWord("present")
      return .quorum(comparison: cmp, fraction: fraction, span: start.union(tokens[pos - 1].span))
    }
    // Cross-references: `subject to §4.2(a)`, `notwithstanding §4.9`, and an exception in a
    // section of its own, `sections §4.9, §4.10 do not apply when …`. Each form starts with its
    // words (a line that starts with `§` starts a new clause), and each is recognised only
    // before what it must be followed by, so a field named `subject` or `section` stays usable.
    if isWord("subject") && isWord("to", peekToken()) && !peekToken().startsLine {
      advance(); advance()
      let refs = try parseClauseRefs(after: "subject to")
      return .subjectTo(refs, start.union(tokens[pos - 1].span))
    }
    if isWord("notwithstanding") && !peekToken().startsLine && (peekToken().kind == .clauseID || Self.startsOperand(peekToken().kind)) {
      advance()
      let refs = try parseClauseRefs(after: "notwithstanding")
      return .notwithstanding(refs, start.union(tokens[pos - 1].span))
    }
    if (isWord("section") || isWord("sections")) && !peekToken().startsLine
      && (peekToken().kind == .clauseID || peekToken().kind == .number)
    {
      advance()
      let refs = try parseClauseRefs(after: "sections")
      // "do not apply" / "does not apply", and the lawyer's "to a deal" / "to the deal" if written.
      if !acceptWord("do") && !acceptWord("does") {
        try fail("`do not apply when …`, as in `sections §4.9, §4.10 do not apply when deal.waiver_granted`")
      }
      try expectWord("not", "`not apply when …`")
      try expectWord("apply", "`apply when …`")
      if acceptWord("to") {
        if !acceptWord("a") { _ = acceptWord("the") }
        try expectWord("deal", "`to a deal when …`, or `when …` directly")
      }
      try expectWord("when", "`when` and the condition, as in `do not apply when deal.waiver_granted`")
      let condition = try parseExpr()
      return .exception(clauses: refs, condition: condition, span: start.union(condition.span))
    }
    return .requirement(try parseExpr())
  }

  /// clause_refs = CLAUSE_ID { ( "," | "and" ) CLAUSE_ID } ;
  /// A clause number is written with its `§`, as the lawyer cites it (`§4.2(a)`); a bare number
  /// is refused with that suggestion, since `4.9` is a number in an expression.
  mutating func parseClauseRefs(after words: String) throws(ParseError) -> [Name] {
    var refs: [Name] = []
    repeat {
      guard tok.kind == .clauseID else {
        let hint = tok.kind == .number ? "write the clause number with its `§`: `\(words) §\(text(tok))`" : "write e.g. `\(words) §4.9`"
        try fail("a clause number such as `§4.9`", help: hint)
      }
      let t = advance()
      let id = String(text(t).dropFirst().drop(while: { $0 == " " }))
      refs.append(Name(id, t.span))
    } while acceptPunct(.comma) || acceptWord("and")
    return refs
  }

  /// party_refs = party_ref { ( "and" | "," ) party_ref } ;
  /// party_ref = NAME | "any" NAME | ( "every" | "all" ) NAME ;
  mutating func parsePartyRefs() throws(ParseError) -> [PartyRef] {
    var refs: [PartyRef] = []
    repeat {
      if acceptWord("any") {
        refs.append(.anyOf(try name("a party class")))
      } else if acceptWord("every") || acceptWord("all") {
        refs.append(.allOf(try name("a party class")))
      } else {
        refs.append(.party(try name("a party name")))
      }
    } while !tok.startsLine && (acceptWord("and") || acceptPunct(.comma))
    return refs
  }

  /// body_threshold = ( "majority" | fraction ) [ "in" "interest" ] "of" ; — before a body's name;
  /// nil (nothing consumed) when the next words are not one.
  mutating func parseBodyThreshold() throws(ParseError) -> BodyThreshold? {
    let start = tok.span
    if isWord("majority") && (isWord("of", peekToken()) || isWord("in", peekToken())) {
      advance()
      let inInterest = acceptWord("in")
      if inInterest { try expectWord("interest") }
      try expectWord("of")
      return BodyThreshold(fraction: nil, inInterest: inInterest, span: start.union(tokens[pos - 1].span))
    }
    if tok.kind == .number {
      let f = try parseFraction()
      let inInterest = acceptWord("in")
      if inInterest { try expectWord("interest") }
      try expectWord("of", "`of` and the body, as in `2/3 of lpac`")
      return BodyThreshold(fraction: f, inInterest: inInterest, span: start.union(tokens[pos - 1].span))
    }
    return nil
  }

  /// vote_rule = "votes" [ "of" NAME ] ( "in" ( "favour" | "favor" ) | "for" ) compare fraction "of" vote_base
  ///             { "," ( "quorum" [ compare ] fraction "of" "voting" "power"
  ///                   | "counting" "abstentions"
  ///                   | "excluding" "conflicted" "parties"
  ///                   | "ties" "decided" "by" NAME ) } ;
  mutating func parseVoteRule() throws(ParseError) -> VoteRule {
    let start = advance().span
    var body: Name?
    if acceptWord("of") { body = try name("a voting body") }
    if acceptWord("in") {
      if !acceptWord("favour") && !acceptWord("favor") { try fail("`favour`") }
    } else {
      try expectWord("for")
    }
    guard let cmp = try parseComparisonOperator() else { try fail("a comparison such as `>=`") }
    let fraction = try parseFraction()
    try expectWord("of", "`of votes cast` or `of voting power`")
    let base = try parseVoteBase()
    var rule = VoteRule(comparison: cmp, fraction: fraction, base: base, quorum: nil, quorumComparison: .ge, countAbstentions: false, excludeConflicted: false, castingVote: nil, span: start)
    while acceptPunct(.comma) {
      if acceptWord("quorum") {
        if let c = try parseComparisonOperator() { rule.quorumComparison = c }
        rule.quorum = try parseFraction()
        try expectWord("of", "`of voting power`")
        try expectWord("voting")
        try expectWord("power")
      } else if acceptWord("counting") {
        try expectWord("abstentions")
        rule.countAbstentions = true
      } else if acceptWord("excluding") {
        try expectWord("conflicted")
        try expectWord("parties")
        rule.excludeConflicted = true
      } else if acceptWord("ties") {
        try expectWord("decided")
        try expectWord("by")
        rule.castingVote = try name("a party name")
      } else {
        try fail("`quorum`, `counting abstentions`, `excluding conflicted parties` or `ties decided by`")
      }
    }
    rule.span = start.union(tokens[pos - 1].span)
    rule.body = body
    return rule
  }

  /// vote_base = "votes" "cast" | "voting" "power" ;
  mutating func parseVoteBase() throws(ParseError) -> VoteRule.Base {
    if acceptWord("votes") {
      try expectWord("cast")
      return .votesCast
    }
    if acceptWord("voting") {
      try expectWord("power")
      return .votingPower
    }
    try fail("`votes cast` or `voting power`")
  }

  /// fraction = unary [ "/" unary ] ; — so that `2/3 of votes cast` keeps `2/3` together.
  mutating func parseFraction() throws(ParseError) -> Expr {
    let a = try parseUnary()
    if acceptPunct(.slash) {
      let b = try parseUnary()
      return Expr(.binary(.div, a, b), a.span.union(b.span))
    }
    return a
  }
}
