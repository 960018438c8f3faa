import CovenantValues

extension Parser {
  // MARK: - Declarations

  /// Words that start a declaration: `pro` only before `forma`, `body` only before a name.
  /// Compared in place (this is asked at the start of every line of a clause).
  func startsDeclaration(_ t: Token) -> Bool {
    if t.kind == .clauseID || t.kind == .endOfFile { return true }
    guard t.kind == .word else { return false }
    if isWord("pro", t) { return isWord("forma", peekToken()) }
    if isWord("body", t) { return peekToken().kind == .word }
    return isWord("covenant", t) || isWord("kind", t) || isWord("record", t) || isWord("data", t) || isWord("define", t)
      || isWord("party", t) || isWord("governance", t)
  }

  /// Skips to the next line that starts a declaration or a clause.
  mutating func syncToDeclaration() {
    advance()
    while !atEnd && !(tok.startsLine && startsDeclaration(tok)) { advance() }
  }

  /// covenant = [ header ] { declaration } ;
  mutating func parseCovenant() -> Covenant {
    let header = parseHeaderIfPresent()
    var decls: [Declaration] = []
    while let d = nextDeclaration() { decls.append(d) }
    return Covenant(header: header, declarations: decls)
  }

  mutating func parseHeaderIfPresent() -> Header? {
    guard isWord("covenant") else { return nil }
    do throws(ParseError) { return try parseHeader() } catch { syncToDeclaration() }
    return nil
  }

  /// The next declaration, recovering from errors in between; nil at the end of the file or
  /// once there are too many errors.
  mutating func nextDeclaration() -> Declaration? {
    while !atEnd {
      if errorCount >= Self.maxErrors {
        // The lexer has said so already when its errors alone reached the limit.
        if !(diagnostics + tokens.lexer.diagnostics).contains(where: { $0.code == SyntaxDiagnostics.tooManyErrors(stoppedParsing: true).code }) { diagnostics.append(Diagnostic(SyntaxDiagnostics.tooManyErrors(stoppedParsing: true), file: file.name, span: tok.span)) }
        return nil
      }
      let before = pos
      do throws(ParseError) {
        return try parseDeclaration()
      } catch {
        if pos == before { advance() }
        while !atEnd && !(tok.startsLine && startsDeclaration(tok)) { advance() }
      }
    }
    return nil
  }

  /// header = "covenant" TEXT [ "version" ( DATE | TEXT | NUMBER ) ] [ "base" "currency" CURRENCY ] ;
  mutating func parseHeader() throws(ParseError) -> Header {
    let start = advance().span
    let title = try string()
    var version: String?
    if acceptWord("version") {
      switch tok.kind {
      case .date, .number: version = text(advance())
      case .string: version = try string()
      default: try fail("a version such as `2026-06-15`")
      }
    }
    var base: Name?
    if acceptWord("base") {
      try expectWord("currency")
      base = try currencyCode()
    }
    return Header(title: title, version: version, baseCurrency: base, span: start.union(tokens[max(0, pos - 1)].span))
  }

  mutating func currencyCode() throws(ParseError) -> Name {
    if tok.kind == .currencySymbol {
      let t = advance()
      return Name(Self.currencyForSymbol(text(t)), t.span)
    }
    guard tok.kind == .word, Self.looksLikeCurrency(text(tok)) else { try fail("a currency code such as `USD`") }
    let t = advance()
    return Name(text(t), t.span)
  }

  static func looksLikeCurrency(_ s: String) -> Bool {
    s.utf8.count == 3 && s.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
  }
  static func looksLikeCountry(_ s: String) -> Bool {
    s.utf8.count == 2 && s.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
  }
  static func currencyForSymbol(_ s: String) -> String {
    switch s {
    case "$": "USD"
    case "¥", "￥": "JPY"
    case "€": "EUR"
    case "£": "GBP"
    default: "USD"
    }
  }

  /// declaration = kind | record | define | pro_forma | party | governance | body | clause ;
  mutating func parseDeclaration() throws(ParseError) -> Declaration {
    if tok.kind == .clauseID { return .clause(try parseClause()) }
    guard tok.kind == .word else {
      try fail("a clause (`§…`) or a declaration (`kind`, `record`, `data`, `define`, `pro forma`, `party`)")
    }
    switch text(tok) {
    case "kind": return .kind(try parseKind())
    case "record", "data": return .record(try parseRecord())
    case "define": return .define(try parseDefine())
    case "pro": return .proForma(try parseProForma())
    case "party": return .party(try parseParty())
    case "governance": return .governance(try parseGovernance())
    case "body" where peekToken().kind == .word: return .body(try parseBody())
    case "covenant":
      error(SyntaxDiagnostics.headerNotFirst(), at: tok.span)
      throw ParseError()
    default:
      try fail("a clause (`§…`) or a declaration (`kind`, `record`, `data`, `define`, `pro forma`, `party`)",
        help: "each clause starts with its number, e.g. `§4.2(a) \"Sector concentration\"`")
    }
  }

  /// kind = "kind" NAME "=" NAME { "|" NAME } ;
  mutating func parseKind() throws(ParseError) -> KindDecl {
    let start = advance().span
    let n = try name("a kind name")
    try expectPunct(.eq, help: "write e.g. `kind sector = power | logistics`")
    var members = [try name("a value name")]
    while acceptPunct(.pipe) { members.append(try name("a value name")) }
    return KindDecl(name: n, members: members, span: start.union(members.last?.span ?? n.span))
  }

  /// record = "record" NAME field { field }
  ///        | "data" NAME "from" ( "snapshot" | "deal" ) field { field } ;
  mutating func parseRecord() throws(ParseError) -> RecordDecl {
    let start = advance()
    let n = try name("a record name")
    var role = RecordDecl.Role.record
    if text(start) == "data" {
      try expectWord("from", "`from snapshot` or `from deal`")
      if acceptWord("snapshot") { role = .snapshot } else if acceptWord("deal") { role = .deal } else {
        try fail("`snapshot` or `deal`")
      }
    }
    var fields: [FieldDecl] = []
    while tok.kind == .word, isPunct(.colon, peekToken()) {
      do throws(ParseError) {
        fields.append(try parseField())
      } catch {
        while !atEnd && !tok.startsLine { advance() }
        if startsDeclaration(tok) { break }
      }
    }
    if fields.isEmpty { try fail("a field such as `value : money`") }
    return RecordDecl(name: n, role: role, fields: fields, span: start.span.union(fields.last?.span ?? n.span))
  }

  /// field = NAME ":" type { "from" TEXT | "optional" | "default" expr | "signed" | "in" "cents"
  ///                        | "period" ( "end" | "start" )
  ///                        | "currency" ( CURRENCY | "from" TEXT )
  ///                        | "quoted" ( CURRENCY | "currency" ) "per" ( CURRENCY | "currency" ) } ;
  mutating func parseField() throws(ParseError) -> FieldDecl {
    let n = try name("a field name")
    try expectPunct(.colon)
    let type = try parseType()
    var field = FieldDecl(name: n, type: type, source: nil, sourceSpan: nil, optional: false, defaultValue: nil, inCents: false, currency: nil, span: n.span)
    while !tok.startsLine || isWord("from") || isWord("optional") || isWord("default") {
      if acceptWord("from") {
        let span = tok.span
        field.source = try string()
        field.sourceSpan = span
      } else if acceptWord("optional") {
        field.optional = true
      } else if acceptWord("default") {
        field.defaultValue = try parseExpr()
        field.optional = true
      } else if acceptWord("signed") {
        field.signed = true
      } else if acceptWord("period") {
        if acceptWord("end") { field.period = .end } else if acceptWord("start") { field.period = .start } else {
          try fail("`end` or `start`, as in `period_end : date period end`")
        }
      } else if acceptWord("in") {
        try expectWord("cents", "`cents`")
        field.inCents = true
      } else if acceptWord("currency") {
        if acceptWord("from") { field.currency = .field(try string()) } else { field.currency = .fixed(try currencyCode()) }
      } else if isWord("quoted") {
        // quoted ( CODE | "currency" ) "per" ( CODE | "currency" )
        let start = advance().span
        func side() throws(ParseError) -> Name {
          if isWord("currency") { let t = advance(); return Name("currency", t.span) }
          return try currencyCode()
        }
        let units = try side()
        try expectWord("per", "`per`, as in `quoted JPY per USD`")
        let per = try side()
        field.quote = .init(units: units, per: per, span: start.union(per.span))
      } else if atEnd || startsDeclaration(tok) {
        break
      } else {
        try fail("`from`, `optional`, `default`, `signed`, `period end`, `period start`, `in cents`, `currency` or `quoted`, or a new line")
      }
    }
    field.span = n.span.union(tokens[max(0, pos - 1)].span)
    return field
  }

  /// type = "list" "of" NAME | NAME ;
  mutating func parseType() throws(ParseError) -> TypeRef {
    if acceptWord("list") {
      try expectWord("of", "`of`, as in `list of holding`")
      return .list(try parseType())
    }
    guard tok.kind == .word else { try fail("a type such as `money`, `text` or a record name") }
    let t = advance()
    return .named(Name(text(t), t.span))
  }

  /// define = "define" NAME [ "(" NAME { "," NAME } ")" ] "=" expr ;
  mutating func parseDefine() throws(ParseError) -> DefineDecl {
    let start = advance().span
    let n = try name("a definition name")
    var parameters: [Name] = []
    if acceptPunct(.lparen) {
      repeat { parameters.append(try name("a parameter name, as in `define sector_exposure(s) = …`")) } while acceptPunct(.comma)
      try expectPunct(.rparen)
    }
    try expectPunct(.eq, help: "write e.g. `define nav = sum of holdings.value`")
    let value = try parseExpr()
    return DefineDecl(name: n, value: value, span: start.union(value.span), parameters: parameters)
  }

  /// pro_forma = "pro" "forma" [ ":" ] [ "the" ] "deal" "joins" postfix "with" assignment { "," assignment } ;
  /// assignment = NAME "=" expr ;
  mutating func parseProForma() throws(ParseError) -> ProFormaDecl {
    let start = advance().span
    try expectWord("forma")
    _ = acceptPunct(.colon)
    _ = acceptWord("the")
    try expectWord("deal", "`deal joins …`")
    try expectWord("joins")
    let list = try parsePostfix()
    try expectWord("with", "`with`, then `field = value` pairs")
    var assignments: [ProFormaDecl.Assignment] = []
    repeat {
      let f = try name("a field of the joined list")
      try expectPunct(.eq)
      assignments.append(.init(field: f, value: try parseExpr()))
    } while acceptPunct(.comma)
    return ProFormaDecl(list: list, assignments: assignments, span: start.union(assignments.last?.value.span ?? list.span))
  }

  /// party = "party" NAME [ TEXT ] { "weight" unary | "class" NAME { "," NAME } | "id" TEXT } ;
  mutating func parseParty() throws(ParseError) -> PartyDecl {
    let start = advance().span
    let n = try name("a party name")
    var display: String?
    if tok.kind == .string { display = try string() }
    var weight: Expr?
    var classes: [Name] = []
    var dataID: String?
    while !tok.startsLine {
      if acceptWord("weight") {
        weight = try parseUnary()
      } else if acceptWord("class") {
        repeat { classes.append(try name("a class name")) } while acceptPunct(.comma)
      } else if acceptWord("id") {
        dataID = try string()
      } else {
        try fail("`weight`, `class` or `id`")
      }
    }
    var party = PartyDecl(name: n, displayName: display, weight: weight, classes: classes, span: start.union(tokens[max(0, pos - 1)].span))
    party.dataID = dataID
    return party
  }

  /// governance = "governance" ( "members" | "votes" | "approvals" | "conflicted" | "waivers" | "date" | "consents" )
  ///              "from" ( ( "snapshot" | "deal" ) TEXT [ "optional" ] | "votes" )
  ///              [ "with" binding { "," binding } ] ;
  /// binding = WORD [ NAME ] "=" TEXT { "|" TEXT } ;
  mutating func parseGovernance() throws(ParseError) -> GovernanceDecl {
    let start = advance().span
    let subjects = GovernanceDecl.Subject.allCases.map(\.rawValue)
    guard tok.kind == .word, let subject = GovernanceDecl.Subject(rawValue: text(tok)) else {
      try fail("what the data holds: " + subjects.map { "`\($0)`" }.joined(separator: ", "),
        help: "e.g. `governance votes from deal \"votes\" with party = \"member\"`")
    }
    let subjectSpan = advance().span
    return try parseGovernanceSource(subject, subjectSpan, start)
  }

  /// body = "body" NAME [ TEXT ] { body_item } ;
  /// body_item = "id" TEXT
  ///           | ( "members" | "votes" | "conflicted" ) "from" ( "snapshot" | "deal" ) TEXT [ "optional" ]
  ///             [ "with" binding { "," binding } ]
  ///           | "weight" "by" TEXT | "one" "vote" "each"
  ///           | "excluding" "class" NAME { "," NAME }
  ///           | "quorum" ( NUMBER "members" | [ compare ] fraction "of" "voting" "power" )
  ///           | "ties" "decided" "by" NAME ;
  mutating func parseBody() throws(ParseError) -> BodyDecl {
    let start = advance().span
    let n = try name("the body's name, e.g. `lpac`")
    var body = BodyDecl(name: n, displayName: nil, dataID: nil, sources: [], weighting: nil, excluded: [], quorumMembers: nil, quorum: nil, tie: nil, span: start)
    if tok.kind == .string { body.displayName = try string() }
    while !atEnd && !(tok.startsLine && startsDeclaration(tok)) && tok.kind != .clauseID {
      let itemStart = tok.span
      if acceptWord("id") {
        body.dataID = try string()
      } else if tok.kind == .word, ["members", "votes", "conflicted"].contains(text(tok)), isWord("from", peekToken()) {
        let subject = GovernanceDecl.Subject(rawValue: text(tok))!
        let subjectSpan = advance().span
        body.sources.append(try parseGovernanceSource(subject, subjectSpan, subjectSpan))
      } else if acceptWord("weight") {
        try expectWord("by", "`by \"key\"`: the key of each member's weight, e.g. `weight by \"percentage_interest\"`")
        body.weighting = .key(try string())
        body.weightingSpan = itemStart.union(tokens[pos - 1].span)
      } else if acceptWord("one") {
        try expectWord("vote")
        try expectWord("each")
        body.weighting = .oneEach
        body.weightingSpan = itemStart.union(tokens[pos - 1].span)
      } else if acceptWord("excluding") {
        try expectWord("class", "`class`, as in `excluding class gp_affiliate`")
        repeat { body.excluded.append(try name("a class of members")) } while acceptPunct(.comma)
      } else if acceptWord("quorum") {
        if tok.kind == .number, isWord("members", peekToken()) {
          body.quorumMembers = try parseUnary()
          try expectWord("members")
        } else {
          let cmp = try parseComparisonOperator() ?? .ge
          let fraction = try parseFraction()
          try expectWord("of", "`of voting power`, or write a number of members: `quorum 3 members`")
          try expectWord("voting")
          try expectWord("power")
          body.quorum = (cmp, fraction)
        }
      } else if acceptWord("ties") {
        try expectWord("decided")
        try expectWord("by")
        body.tie = try name("the party or class of members with the casting vote, e.g. `chair`")
      } else {
        try fail("`members from`, `votes from`, `conflicted from`, `weight by`, `one vote each`, `excluding class`, `quorum`, `ties decided by` or `id`")
      }
    }
    body.span = start.union(tokens[max(0, pos - 1)].span)
    return body
  }

  mutating func parseGovernanceSource(_ subject: GovernanceDecl.Subject, _ subjectSpan: SourceSpan, _ start: SourceSpan) throws(ParseError) -> GovernanceDecl {
    try expectWord("from", "`from snapshot \"path\"` or `from deal \"path\"`")
    var source: GovernanceDecl.Source
    var path: String?
    if subject == .approvals, acceptWord("votes") {
      source = .votes
    } else {
      if acceptWord("snapshot") { source = .snapshot } else if acceptWord("deal") { source = .deal } else {
        try fail("`snapshot` or `deal`" + (subject == .approvals ? " (or `votes`: an approval is a vote for)" : ""))
      }
      guard tok.kind == .string else { try fail("the JSON path in quotes, e.g. `\"governance.members\"`") }
      path = try string()
    }
    let optional = acceptWord("optional")
    var bindings: [GovernanceDecl.Binding] = []
    if acceptWord("with") {
      repeat {
        guard tok.kind == .word else { try fail("a key binding such as `party = \"member\"`") }
        let k = advance()
        let key = Name(text(k), k.span)
        var qualifier: Name?
        if key.text == "class", tok.kind == .word { qualifier = try name("a class name") }
        try expectPunct(.eq, help: "write e.g. `party = \"member\"`")
        var values = [try string()]
        while acceptPunct(.pipe) { values.append(try string()) }
        bindings.append(.init(key: key, qualifier: qualifier, values: values, span: k.span.union(tokens[pos - 1].span)))
      } while acceptPunct(.comma)
    }
    return GovernanceDecl(subject: subject, subjectSpan: subjectSpan, source: source, path: path, optional: optional,
      bindings: bindings, span: start.union(tokens[max(0, pos - 1)].span))
  }
}
