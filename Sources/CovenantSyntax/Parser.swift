import CovenantValues

/// Recursive descent over the token stream, one function per grammar.md production. On an error
/// it reports once per line, puts an `.invalid` node in place, and resynchronises at the next
/// line that starts a clause or declaration, so one run reports several mistakes. Nesting is
/// capped: Swift cannot recover from a stack overflow, so depth is a diagnostic (P003).
public struct Parser {
  public static let maxDepth = 100
  public static let maxErrors = 50

  private let file: SourceFile
  private let tokens: TokenStream
  private var pos = 0
  private var depth = 0
  /// Inside an aggregate's `where`, a second comparison ends the condition instead of chaining:
  /// `sum of holdings.value where sector = power <= cap` compares the sum with `cap`.
  private var whereDepth = 0
  private var diagnostics: [Diagnostic] = []
  private var lastErrorLine = -1
  /// `report X for each sector` is read as `for each sector:` then `report X`: the second item.
  private var followingItem: ClauseItem?
  /// The clause being parsed, named in its diagnostics.
  private var clauseID: String?
  public private(set) var comments: [Comment] = []

  public struct Result: Sendable {
    public var covenant: Covenant
    public var comments: [Comment]
    public var diagnostics: [Diagnostic]
  }

  public static func parse(_ file: SourceFile) -> Result {
    var p = Parser(file: file, tokens: TokenStream(Lexer(file: file)))
    let covenant = p.parseCovenant()
    // The parser reads to the end of the file, so the lexer has seen every byte by now.
    let lexed = p.tokens.lexer
    return Result(covenant: covenant, comments: lexed.comments, diagnostics: lexed.diagnostics + p.diagnostics)
  }

  private init(file: SourceFile, tokens: TokenStream) {
    self.file = file
    self.tokens = tokens
  }

  /// The errors so far, the lexer's included: both stop at `maxErrors` together.
  private var errorCount: Int { diagnostics.filter(\.isError).count + tokens.lexer.diagnostics.filter(\.isError).count }

  // MARK: - Token helpers

  private var tok: Token { tokens[pos] }
  private func peekToken(_ k: Int = 1) -> Token { tokens[pos + k] }
  private func text(_ t: Token) -> String { file.text(t.span) }
  private var atEnd: Bool { tok.kind == .endOfFile }

  private func isWord(_ w: String, _ t: Token? = nil) -> Bool {
    let t = t ?? tok
    return t.kind == .word && text(t) == w
  }
  private func isPunct(_ p: Token.Punct, _ t: Token? = nil) -> Bool { (t ?? tok).kind == .punct(p) }

  @discardableResult
  private mutating func advance() -> Token {
    let t = tok
    if t.kind != .endOfFile { pos += 1 }
    return t
  }

  private mutating func acceptWord(_ w: String) -> Bool {
    if isWord(w) { advance(); return true }
    return false
  }
  private mutating func acceptPunct(_ p: Token.Punct) -> Bool {
    if isPunct(p) { advance(); return true }
    return false
  }

  struct ParseError: Error {}

  private func describe(_ t: Token) -> String {
    switch t.kind {
    case .endOfFile: "end of file"
    case .string: "text " + text(t)
    case .invalid: "an unreadable character"
    default: "`\(text(t))`"
    }
  }

  private mutating func error(
    _ code: String, _ message: String, at span: SourceSpan, help: String? = nil
  ) {
    let line = file.line(of: span.start)
    if line == lastErrorLine { return }
    lastErrorLine = line
    if errorCount >= Self.maxErrors { return }
    let named = clauseID.map { id in message.contains("§\(id)") ? message : message + " in §\(id)" } ?? message
    diagnostics.append(Diagnostic(code: code, message: named, file: file.name, span: span, help: help))
  }

  /// Reports "expected X" at the current token and throws to the nearest recovery point.
  private mutating func fail(_ expected: String, help: String? = nil) throws(ParseError) -> Never {
    if tok.kind != .invalid {  // the lexer already reported unreadable bytes
      error("P001", "expected \(expected), found \(describe(tok))", at: tok.span, help: help)
    }
    throw ParseError()
  }

  private mutating func expectWord(_ w: String, _ what: String? = nil) throws(ParseError) {
    if !acceptWord(w) { try fail(what ?? "`\(w)`") }
  }
  private mutating func expectPunct(_ p: Token.Punct, help: String? = nil) throws(ParseError) {
    if !acceptPunct(p) { try fail("`\(p.rawValue)`", help: help) }
  }

  private mutating func name(_ what: String) throws(ParseError) -> Name {
    guard tok.kind == .word else { try fail(what) }
    let t = advance()
    let n = Name(text(t), t.span)
    if Token.reserved.contains(n.text) {
      error("P010", "`\(n.text)` is a reserved word and cannot be used as \(what)", at: t.span,
        help: "choose another name, e.g. `\(n.text)_value`")
    }
    return n
  }

  private mutating func string() throws(ParseError) -> String {
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

  // MARK: - Declarations

  private static let declarationWords: Set<String> = ["covenant", "kind", "record", "data", "define", "pro", "party", "governance", "body"]

  private func startsDeclaration(_ t: Token) -> Bool {
    t.kind == .clauseID || t.kind == .endOfFile || (t.kind == .word && Self.declarationWords.contains(text(t)) && (text(t) != "pro" || isWord("forma", peekToken())) && (text(t) != "body" || peekToken().kind == .word))
  }

  /// Skips to the next line that starts a declaration or a clause.
  private mutating func syncToDeclaration() {
    advance()
    while !atEnd && !(tok.startsLine && startsDeclaration(tok)) { advance() }
  }

  /// covenant = [ header ] { declaration } ;
  mutating func parseCovenant() -> Covenant {
    var header: Header?
    if isWord("covenant") {
      do throws(ParseError) { header = try parseHeader() } catch { syncToDeclaration() }
    }
    var decls: [Declaration] = []
    while !atEnd {
      if errorCount >= Self.maxErrors {
        // The lexer has said so already when its errors alone reached the limit.
        if !(diagnostics + tokens.lexer.diagnostics).contains(where: { $0.code == "P009" }) { diagnostics.append(Diagnostic(code: "P009", severity: .note, message: "too many errors; stopped parsing", file: file.name, span: tok.span)) }
        break
      }
      let before = pos
      do throws(ParseError) {
        decls.append(try parseDeclaration())
      } catch {
        if pos == before { advance() }
        while !atEnd && !(tok.startsLine && startsDeclaration(tok)) { advance() }
      }
    }
    return Covenant(header: header, declarations: decls)
  }

  /// header = "covenant" STRING [ "version" ( DATE | STRING | NUMBER ) ] [ "base" "currency" CODE ] ;
  private mutating func parseHeader() throws(ParseError) -> Header {
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

  private mutating func currencyCode() throws(ParseError) -> Name {
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

  private mutating func parseDeclaration() throws(ParseError) -> Declaration {
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
      error("P004", "the `covenant` header must come first and only once", at: tok.span)
      throw ParseError()
    default:
      try fail("a clause (`§…`) or a declaration (`kind`, `record`, `data`, `define`, `pro forma`, `party`)",
        help: "each clause starts with its number, e.g. `§4.2(a) \"Sector concentration\"`")
    }
  }

  /// kind = "kind" NAME "=" NAME { "|" NAME } ;
  private mutating func parseKind() throws(ParseError) -> KindDecl {
    let start = advance().span
    let n = try name("a kind name")
    try expectPunct(.eq, help: "write e.g. `kind sector = power | logistics`")
    var members = [try name("a value name")]
    while acceptPunct(.pipe) { members.append(try name("a value name")) }
    return KindDecl(name: n, members: members, span: start.union(members.last?.span ?? n.span))
  }

  /// record = "record" NAME { field } | "data" NAME "from" ( "snapshot" | "deal" ) { field } ;
  private mutating func parseRecord() throws(ParseError) -> RecordDecl {
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

  /// field = NAME ":" type { "from" STRING | "optional" | "default" expr | "signed" | "period" ( "end" | "start" ) | "in" "cents"
  ///       | "currency" ( CODE | "from" STRING ) | "quoted" ( CODE | "currency" ) "per" ( CODE | "currency" ) } ;
  private mutating func parseField() throws(ParseError) -> FieldDecl {
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
  private mutating func parseType() throws(ParseError) -> TypeRef {
    if acceptWord("list") {
      try expectWord("of", "`of`, as in `list of holding`")
      return .list(try parseType())
    }
    guard tok.kind == .word else { try fail("a type such as `money`, `text` or a record name") }
    let t = advance()
    return .named(Name(text(t), t.span))
  }

  /// define = "define" NAME [ "(" NAME { "," NAME } ")" ] "=" expr ;
  private mutating func parseDefine() throws(ParseError) -> DefineDecl {
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

  /// pro_forma = "pro" "forma" [ ":" ] [ "the" ] "deal" "joins" expr "with" assignment { "," assignment } ;
  private mutating func parseProForma() throws(ParseError) -> ProFormaDecl {
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

  /// party = "party" NAME [ STRING ] [ "weight" expr ] [ "class" NAME { "," NAME } ] ;
  private mutating func parseParty() throws(ParseError) -> PartyDecl {
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

  /// governance = "governance" SUBJECT "from" ( ( "snapshot" | "deal" ) TEXT [ "optional" ] | "votes" )
  ///   [ "with" binding { "," binding } ] ;
  /// binding = WORD [ NAME ] "=" TEXT { "|" TEXT } ;
  private mutating func parseGovernance() throws(ParseError) -> GovernanceDecl {
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
  /// body_item = "id" TEXT | ( "members" | "votes" | "conflicted" ) "from" ( "snapshot" | "deal" ) TEXT [ "optional" ] [ "with" binding { "," binding } ]
  ///   | "weight" "by" TEXT | "one" "vote" "each" | "excluding" "class" NAME { "," NAME }
  ///   | "quorum" ( NUMBER "members" | [ compare ] fraction "of" "voting" "power" ) | "ties" "decided" "by" NAME ;
  private mutating func parseBody() throws(ParseError) -> BodyDecl {
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

  private mutating func parseGovernanceSource(_ subject: GovernanceDecl.Subject, _ subjectSpan: SourceSpan, _ start: SourceSpan) throws(ParseError) -> GovernanceDecl {
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

  // MARK: - Clauses

  /// clause = CLAUSE_ID [ STRING ] [ STRING ] { clause_item } ;
  private mutating func parseClause() throws(ParseError) -> ClauseDecl {
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
      error("P005", "clause §\(id) has no requirement", at: idTok.span,
        help: "write what must hold under the title, e.g. `every holding in holdings: holding.domicile = US`")
    }
    clause.span = idTok.span.union(tokens[max(0, pos - 1)].span)
    return clause
  }

  /// clause_item = "applies" "when" expr | "effective" "from" expr | "until" expr
  ///   | "tested" "on" ( "snapshot" | "pro" "forma" | "both" ) | "severity" ( "warning" | "breach" )
  ///   | "for" "each" NAME [ "in" postfix ] ":"
  ///   | "for" "each" "window" "of" unary [ "consecutive" ] "periods" "in" postfix ":"
  ///   | "warn" ( "above" | "below" ) unary [ "of" "the" "limit" ]
  ///   | "approved" "by" party_refs | "waivable" "by" party_refs | vote_rule | "report" expr | expr ;
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

  private mutating func parseClauseItem() throws(ParseError) -> ClauseItem {
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
    // consent_rule = ( "without" "consent" "of" | "unless" "consented" "by" ) consent_sources
    //              | "with" "consent" "of" consent_sources "up" "to" expr ;
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
  private mutating func parseClauseRefs(after words: String) throws(ParseError) -> [Name] {
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

  /// party_refs = party_ref { ( "and" | "," ) party_ref } ; party_ref = NAME | "any" NAME | "every" NAME ;
  private mutating func parsePartyRefs() throws(ParseError) -> [PartyRef] {
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

  /// vote_rule = "votes" ( "in" "favour" | "in" "favor" | "for" ) compare fraction "of" ( "votes" "cast" | "voting" "power" )
  ///   { "," ( "quorum" [ compare ] fraction "of" "voting" "power" | "counting" "abstentions"
  ///   | "excluding" "conflicted" "parties" | "ties" "decided" "by" NAME ) } ;
  /// body_threshold = ( "majority" | fraction ) [ "in" "interest" ] "of" — before a body's name;
  /// nil (nothing consumed) when the next words are not one.
  private mutating func parseBodyThreshold() throws(ParseError) -> BodyThreshold? {
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

  private mutating func parseVoteRule() throws(ParseError) -> VoteRule {
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

  private mutating func parseVoteBase() throws(ParseError) -> VoteRule.Base {
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

  /// fraction = unary [ "/" unary ] — so that `2/3 of votes cast` keeps `2/3` together.
  private mutating func parseFraction() throws(ParseError) -> Expr {
    let a = try parseUnary()
    if acceptPunct(.slash) {
      let b = try parseUnary()
      return Expr(.binary(.div, a, b), a.span.union(b.span))
    }
    return a
  }

  // MARK: - Expressions

  private mutating func enter() throws(ParseError) {
    depth += 1
    if depth > Self.maxDepth {
      error("P003", "expression nested more than \(Self.maxDepth) levels deep", at: tok.span,
        help: "split it into `define` steps")
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
        error("P002", "`and` and `or` are mixed without parentheses", at: opTok.span,
          help: "add parentheses to say which is meant, e.g. `(a and b) or c`")
      }
      op = this
      let right = try parseNot()
      left = Expr(.binary(this, left, right), left.span.union(right.span))
    }
    return left
  }

  /// not_expr = "not" not_expr | comparison ;
  private mutating func parseNot() throws(ParseError) -> Expr {
    if isWord("not") {
      let start = advance().span
      try enter()
      defer { depth -= 1 }
      let e = try parseNot()
      return Expr(.not(e), start.union(e.span))
    }
    return try parseComparison()
  }

  /// compare = "=" | "!=" | "<" | "<=" | ">" | ">=" | "is" [ "not" ] | "at" "most" | "at" "least"
  ///         | "more" "than" | "less" "than" | "no" "more" "than" | "no" "less" "than" ;
  private mutating func parseComparisonOperator() throws(ParseError) -> BinaryOp? {
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
  private mutating func parseComparison() throws(ParseError) -> Expr {
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
      error("P006", "comparisons cannot be chained", at: tokens[pos - 1].span,
        help: "join two comparisons with `and`, e.g. `a <= b and b <= c`")
      throw ParseError()
    }
    return e
  }

  /// additive = of_expr { ( "+" | "-" ) of_expr } ;
  private mutating func parseAdditive() throws(ParseError) -> Expr {
    var left = try parseOf()
    var chain = 0
    defer { depth -= chain }
    while isPunct(.plus) || isPunct(.minus) {
      let op: BinaryOp = isPunct(.plus) ? .add : .sub
      try enter()
      chain += 1
      advance()
      let right = try parseOf()
      left = Expr(.binary(op, left, right), left.span.union(right.span))
    }
    return left
  }

  /// of_expr = multiplicative [ "of" of_expr ] | MULTIPLE postfix ;  (`35% of nav`, `2.0x fund.equity`)
  private mutating func parseOf() throws(ParseError) -> Expr {
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
  private mutating func parseMultiplicative() throws(ParseError) -> Expr {
    var left = try parseUnary()
    var chain = 0
    defer { depth -= chain }
    while isPunct(.star) || isPunct(.slash) {
      let op: BinaryOp = isPunct(.star) ? .mul : .div
      try enter()
      chain += 1
      advance()
      let right = try parseUnary()
      left = Expr(.binary(op, left, right), left.span.union(right.span))
    }
    return left
  }

  /// unary = "-" unary | postfix ;
  private mutating func parseUnary() throws(ParseError) -> Expr {
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
  private mutating func parsePostfix() throws(ParseError) -> Expr {
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

  private static let scaleWords: [String: Int] = [
    "thousand": 3, "k": 3, "million": 6, "mn": 6, "m": 6, "mm": 6, "billion": 9, "bn": 9, "b": 9,
    "trillion": 12, "tn": 12, "t": 12,
  ]
  private static let durationWords: [String: @Sendable (Int) -> Duration?] = [
    "year": Duration.years, "years": Duration.years, "month": Duration.months, "months": Duration.months,
    "week": Duration.weeks, "weeks": Duration.weeks, "day": Duration.days, "days": Duration.days,
  ]

  /// primary = literal | NAME | "that" NAME | "(" expr ")" | "[" [ expr { "," expr } ] "]"
  ///         | aggregate | quantifier | conditional | NAME "(" expr { "," expr } ")" ;
  private mutating func parsePrimary() throws(ParseError) -> Expr {
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
        error("P007", "`\(text(t))` is not a valid date" + (Self.dateProblem(text(t)).map { ": " + $0 } ?? ""), at: t.span,
          help: "dates are written YYYY-MM-DD, e.g. `2026-07-01`")
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
      // call = NAME "(" expr { "," expr } ")" ;  a definition with parameters.
      advance()
      var args: [Expr] = []
      repeat { args.append(try parseExpr()) } while acceptPunct(.comma)
      try expectPunct(.rparen)
      return Expr(.call(Name(w, t.span), args), t.span.union(tokens[pos - 1].span))
    }
    return Expr(.name(Name(w, t.span)), t.span)
  }

  /// aggregate = ( "sum" | "count" | "min" | "max" | "average" | "share" ) "of" postfix [ "where" expr ]
  ///           | "weighted" "average" "of" postfix "by" postfix [ "where" expr ]
  ///           (* either followed by *) [ "over" [ "the" ] "last" unary "periods" ] ;
  private mutating func parseAggregate() throws(ParseError) -> Expr {
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
  private mutating func parseQuantifier() throws(ParseError) -> Expr {
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

  /// NUMBER [ scale_word | "bps" | "bp" | "percent" | duration_word ] — `$300 billion`, `120 bps`, `5 years`.
  private mutating func parseNumberLiteral(currency: String?, start: SourceSpan) throws(ParseError) -> Expr {
    let t = advance()
    let raw = text(t)
    // Split digits from the attached suffix.
    var digits = ""
    var suffix = ""
    var fraction: (Int128, Int128)?
    for ch in raw {
      if suffix.isEmpty, ch.isASCII, ch.isNumber || ch == "." { digits.append(ch) }
      else if suffix.isEmpty, ch == "," { continue }
      else if suffix.isEmpty, let f = Self.vulgar[ch] { fraction = f }
      else { suffix.append(ch) }
    }
    var value: Exact
    do throws(ArithmeticError) {
      guard let v = try Exact.parse(digits) else {
        error("P008", "`\(raw)` is not a valid number", at: t.span)
        return Expr(.invalid, t.span)
      }
      value = v
      if let (n, d) = fraction { value = try value.adding(try Exact(num: n, den: d)) }
    } catch {
      self.error("P008", "the number `\(raw)` is too large or too precise", at: t.span,
        help: "numbers keep at most 1,233 significant digits (4,096 bits)")
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
        self.error("P008", "the amount `\(raw)` is too large", at: t.span)
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
        error("P008", "unknown unit `\(suffix)` after a number", at: t.span,
          help: "units are `%`, `bps`, `x`, `k`, `m`/`million`, `bn`/`billion`, `tn`/`trillion`, and `days`, `weeks`, `months`, `years`")
        return Expr(.invalid, span)
      }
    }
    if currency != nil, case .money = lit {} else if currency != nil {
      error("P008", "a currency amount cannot carry the unit `\(suffix)`", at: span)
      return Expr(.invalid, span)
    }
    return Expr(.literal(lit), span)
  }

  private static let vulgar: [Character: (Int128, Int128)] = [
    "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4),
  ]
}

/// The parser's view of the tokens: indexed like an array (`tokens[pos]`, `tokens[pos - 1]`,
/// `tokens[pos + 2]`), lexed on demand and forgotten once the parser is past them. The parser
/// never looks back more than one token, so memory is the source plus the syntax tree, not the
/// source plus 24 bytes a token (a one-line 100 MB covenant was 50 million tokens).
final class TokenStream {
  private(set) var lexer: Lexer
  /// Tokens `base ..< base + buffer.count`; the last one is the end of file once `ended`.
  private var buffer: [Token] = []
  private var base = 0
  private var ended = false

  init(_ lexer: Lexer) { self.lexer = lexer }

  subscript(_ i: Int) -> Token {
    while !ended, base + buffer.count <= i {
      let t = lexer.next()
      buffer.append(t)
      ended = t.kind == .endOfFile
    }
    if i - base > 4096 {
      let drop = i - base - 16
      buffer.removeFirst(drop)
      base += drop
    }
    return buffer[max(0, min(i - base, buffer.count - 1))]
  }
}
