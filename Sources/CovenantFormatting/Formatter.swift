import CovenantValues
import CovenantSyntax

/// `covenant fmt`: prints a covenant in its one canonical layout, from the syntax tree rather
/// than by re-spacing tokens, so two files that mean the same thing format the same way.
///
/// Layout rules (also in grammar.md, "Formatting"):
///
/// * **Header**: `covenant "Title" version V`, then `base currency XXX` on its own line. The
///   version is bare when it is a date or a plain number, quoted otherwise.
/// * **Blank lines between declarations**: exactly one, except between two consecutive one-line
///   declarations of the same kind (`kind`, `define`, `party`), which stay together unless the
///   source had a blank line between them (kept as one). The header, records, `data`,
///   `pro forma` and clauses are always followed or preceded by one blank line. There are no
///   blank lines inside a declaration.
/// * **Alignment**: in a run of consecutive `define`s (not broken by a blank line) the `=` align;
///   in a run of `party` lines the display name and the `weight`/`class` part align. Fields are
///   indented 2 with the `:` aligned within the record; their options follow in the fixed order
///   `from`, `in cents`, `currency`, `optional`/`default` (`default` implies `optional`), starting
///   one space after the widest non-`list` type among the record's fields that have options.
///   `pro forma` assignments go one per line, indented 2, `=` aligned, separated by commas.
/// * **Clauses**: `§id "Title"`, the clause text on the next line indented 2, then the items in
///   source order indented 2; requirements after a `for each …:` are indented 4. `warn` is
///   always written `… of the limit`, votes as `votes in favour >= 2/3 of votes cast, quorum …`
///   (fractions written `2/3`; options in the order quorum, counting abstentions, excluding
///   conflicted parties, ties), party lists as `a, b and c`, `severity warning` and `severity
///   breach` as written (a requirement `true` stays `true`). A requirement whose text would
///   begin with `-` or a quote is put in parentheses, so that it cannot join the line above.
/// * **Expressions** on one line, with one space around binary operators and the symbol forms
///   (`<=` for `≤`/`at most`/`no more than`, `!=` for `is not`/`<>`, `*`, `/`, `-`), and
///   parentheses exactly where the tree needs them: by precedence, around an `and` inside an `or`
///   and vice versa, and around an aggregate with `where` (or a quantifier) whose condition would
///   otherwise swallow the operator after it. `2.0x fund.equity` keeps its implicit `of` when a
///   name follows the multiple.
/// * **Literals** from their value: money as `$300 billion`, `¥45 trillion`, `EUR 5 million`
///   (the largest of trillion/billion/million giving at most three decimals), otherwise digits
///   with thousands separators (`$1,234.56`); `35%`, `66⅔%`, `120 bps`, `2.0x` (at least one
///   decimal), `1,000`, `5 years`/`18 months`/`30 days` (weeks as days), ISO dates, countries
///   bare, text in straight double quotes with `\"`, `\\` and `\t` escaped. A clause text keeps
///   its line breaks as written (one after a space is written `\n`, so no line ends in a space);
///   other texts stay on one line with `\n`. Every text keeps its exact value.
/// * **Comments** are never dropped. A comment on its own line is printed before the field,
///   clause item, assignment or declaration that follows it, at that line's indentation; an
///   indented comment after the last item of a record, clause or `pro forma` stays at its end.
///   A trailing comment stays at the end of the line it followed (two spaces before `#`); when
///   several trail one printed line (an expression that was spread over lines), all but the last
///   move to their own lines just before it. Blank lines around the comments before a
///   declaration and at the end of the file are kept (as one).
/// * The file ends with exactly one newline, uses LF line ends and has no trailing spaces.
///
/// The result is checked before it is returned: it must parse without errors to a tree equal to
/// the original, with every comment. Otherwise the file is not rewritten (diagnostic F001).
public enum Formatter {
  /// The canonical layout of a covenant. Fails (returns the parse diagnostics) when the source
  /// does not parse without errors: an unparsable file is never rewritten.
  ///
  /// Laid out as it is parsed, one declaration at a time (`Parser.Stream`), and checked by parsing
  /// the source and the layout again side by side: no syntax tree of the whole file is ever held
  /// (`covenant fmt` of 90,000 clauses held two, 204 MB for a 4.7 MB file).
  public static func format(_ file: SourceFile) -> Result<String, Diagnostics> {
    var stream = Parser.Stream(file)
    var layout: Layout?
    var failed = false
    while let d = stream.next() {
      if failed { continue }
      // A file with an error is not laid out: its diagnostics are the result.
      if stream.hasErrorsSoFar() {
        (failed, layout) = (true, nil)
        continue
      }
      if layout == nil { layout = Layout(file: file, header: stream.header) }
      layout!.blocks.append(layout!.declaration(d))
    }
    let diagnostics = stream.diagnostics
    if diagnostics.contains(where: \.isError) { return .failure(Diagnostics(diagnostics)) }
    let text: String, comments: Int
    do {
      // The layout (its blocks and tokens) is freed before the round trip parses the text.
      var l = layout ?? Layout(file: file, header: stream.header)
      layout = nil
      l.comments = stream.comments
      l.attachComments()
      (text, comments) = (l.render(), l.comments.count)
    }
    guard sameMeaning(text, as: file, comments: comments) else {
      return .failure(Diagnostics([
        Diagnostic(FormattingDiagnostics.layoutChangedMeaning(), file: file.name)
      ]))
    }
    return .success(text)
  }

  /// The round-trip check of `format(_:)`: the layout parses without errors to the same tree as
  /// the source, with as many comments, both read a declaration at a time.
  static func sameMeaning(_ text: String, as file: SourceFile, comments: Int) -> Bool {
    var source = Parser.Stream(file), again = Parser.Stream(SourceFile(name: file.name, text: text))
    guard SpanInsensitive.equal(again.header, source.header) else { return false }
    while true {
      let x = source.next(), y = again.next()
      if x == nil && y == nil { break }
      guard let x, let y, !again.hasErrorsSoFar(), SpanInsensitive.equal(x, y) else { return false }
    }
    return !again.diagnostics.contains(where: \.isError) && again.comments.count == comments
  }

  /// The layout of a covenant already parsed without errors (the fuzz targets parse through the
  /// driver, `CovenantSession.parse`); fails only with F001.
  public static func format(_ parsed: Parser.Result, of file: SourceFile) -> Result<String, Diagnostics> {
    let text = Layout(file: file, parsed: parsed).render()
    guard sameMeaning(text, parsed, name: file.name) else {
      return .failure(Diagnostics([
        Diagnostic(FormattingDiagnostics.layoutChangedMeaning(), file: file.name)
      ]))
    }
    return .success(text)
  }

  /// The round-trip check: `text` parses without errors to the same tree as `parsed`, with as
  /// many comments. Read one declaration at a time (`Parser.Stream`) and compared with the
  /// original's as it comes, so the layout's tree is never held whole beside the original
  /// (`fmt` of 90,000 clauses peaked at twice the tree).
  static func sameMeaning(_ text: String, _ parsed: Parser.Result, name: String) -> Bool {
    var again = Parser.Stream(SourceFile(name: name, text: text))
    guard SpanInsensitive.equal(again.header, parsed.covenant.header) else { return false }
    let declarations = parsed.covenant.declarations
    var i = 0
    while let d = again.next() {
      guard i < declarations.count, !again.hasErrorsSoFar(), SpanInsensitive.equal(d, declarations[i]) else { return false }
      i += 1
    }
    return i == declarations.count && !again.diagnostics.contains(where: \.isError) && again.comments.count == parsed.comments.count
  }
}

// MARK: - Declarations, units and comments

private struct Layout {
  let file: SourceFile
  /// Every comment of the file, known once it is parsed to the end.
  var comments: [Comment] = []
  /// The tokens without the end-of-file marker, to find the source extent of each printed line:
  /// only where each is and whether it is a comma (12 bytes a token rather than 24).
  let tokens: [LayoutToken]

  struct LayoutToken {
    let start: UInt32
    let end: UInt32
    let isComma: Bool
    init(_ t: Token) {
      (start, end, isComma) = (UInt32(clamping: t.span.start), UInt32(clamping: t.span.end), t.kind == .punct(.comma))
    }
    var span: SourceSpan { SourceSpan(Int(start), Int(end)) }
  }

  enum Category: Equatable { case header, kind, record, define, proForma, party, governance, body, clause }

  /// One printed line (or a text spanning lines) standing for a stretch of the source that ends
  /// at `end`, the end of its last token. Comments attach to units.
  struct Unit {
    var indent: Int
    /// Columns aligned across a run of declarations (`define`, `party`); usually one cell.
    var cells: [String]
    var end: Int
    var leading: [String] = []
    var trailing: [String] = []
  }

  struct SourceComment {
    var text: String
    var line: Int
  }

  /// A declaration (or the header) as printed units.
  struct Block {
    var category: Category
    var start: Int
    var units: [Unit]
    /// Comments before the declaration, printed at column 1.
    var leading: [SourceComment] = []
    /// Indented comments after the last item of a record, clause or `pro forma`.
    var after: [SourceComment] = []
    var isMultiLine: Bool { category == .header || category == .record || category == .proForma || category == .clause || category == .body || (category == .governance && units.count > 1) }
  }

  var blocks: [Block] = []
  var bottom: [SourceComment] = []

  /// The layout's start: the header's block; the declarations' are appended as they are parsed,
  /// then the comments attached (`attachComments`).
  init(file: SourceFile, header: Header?) {
    self.file = file
    let lexed = Lexer.lex(file).tokens
    var tokens: [LayoutToken] = []
    tokens.reserveCapacity(lexed.count)
    for t in lexed where t.kind != .endOfFile { tokens.append(LayoutToken(t)) }
    self.tokens = tokens
    if let h = header { blocks.append(self.header(h)) }
  }

  init(file: SourceFile, parsed: Parser.Result) {
    self.init(file: file, header: parsed.covenant.header)
    self.comments = parsed.comments
    for d in parsed.covenant.declarations { blocks.append(declaration(d)) }
    attachComments()
  }

  // MARK: Token lookups

  /// Index of the last token ending at or before `offset`.
  func lastToken(endingBy offset: Int) -> Int? {
    var lo = 0, hi = tokens.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if tokens[mid].span.end <= offset { lo = mid + 1 } else { hi = mid }
    }
    return lo == 0 ? nil : lo - 1
  }

  /// Index of the first token starting at or after `offset`.
  func firstToken(startingFrom offset: Int) -> Int? {
    var lo = 0, hi = tokens.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if tokens[mid].span.start < offset { lo = mid + 1 } else { hi = mid }
    }
    return lo < tokens.count ? lo : nil
  }

  /// End of the last token before `offset` (the end of a header line before its first field).
  func end(before offset: Int, fallback: Int) -> Int {
    lastToken(endingBy: offset).map { tokens[$0].span.end } ?? fallback
  }

  /// Extends `end` over a comma that follows it (`id = deal.id,`).
  func endWithComma(_ end: Int) -> Int {
    if let i = firstToken(startingFrom: end), tokens[i].isComma { return tokens[i].span.end }
    return end
  }

  func line(_ offset: Int) -> Int { file.line(of: offset) }

  /// True when a whitespace-only line lies strictly between lines `a` and `b`.
  func blankBetween(_ a: Int, _ b: Int) -> Bool {
    guard b > a + 1 else { return false }
    for l in (a + 1)..<b where file.lineText(l).allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\u{0C}" }) {
      return true
    }
    return false
  }

  // MARK: Building blocks

  func header(_ h: Header) -> Block {
    var title = "covenant " + Lit.quote(h.title)
    if let v = h.version { title += " version " + Lit.version(v) }
    var titleEnd = h.span.end
    var units: [Unit] = []
    if let base = h.baseCurrency, let i = firstToken(startingFrom: base.span.start), i >= 3 {
      titleEnd = tokens[i - 3].span.end  // the token before `base currency`
    }
    units.append(Unit(indent: 0, cells: [title], end: titleEnd))
    if let base = h.baseCurrency {
      units.append(Unit(indent: 0, cells: ["base currency " + base.text], end: h.span.end))
    }
    return Block(category: .header, start: h.span.start, units: units)
  }

  func declaration(_ d: Declaration) -> Block {
    let p = ExprPrinter()
    switch d {
    case .kind(let k):
      let text = "kind \(k.name.text) = " + k.members.map(\.text).joined(separator: " | ")
      return Block(category: .kind, start: k.span.start, units: [Unit(indent: 0, cells: [text], end: k.span.end)])

    case .record(let r):
      let head: String
      switch r.role {
      case .record: head = "record " + r.name.text
      case .snapshot: head = "data \(r.name.text) from snapshot"
      case .deal: head = "data \(r.name.text) from deal"
      }
      var units = [Unit(indent: 0, cells: [head], end: end(before: r.fields.first?.span.start ?? r.span.end, fallback: r.name.span.end))]
      let nameWidth = r.fields.map(\.name.text.count).max() ?? 0
      let options = r.fields.map { fieldOptions($0, p) }
      var typeWidth = 0
      for (f, o) in zip(r.fields, options) where !o.isEmpty {
        if case .named(let n) = f.type { typeWidth = max(typeWidth, n.text.count) }
      }
      for (f, o) in zip(r.fields, options) {
        var text = f.name.text.padded(nameWidth) + " : "
        if o.isEmpty {
          text += Self.typeText(f.type)
        } else if case .named(let n) = f.type {
          text += n.text.padded(typeWidth) + " " + o
        } else {
          text += Self.typeText(f.type) + " " + o
        }
        units.append(Unit(indent: 2, cells: [text], end: f.span.end))
      }
      return Block(category: .record, start: r.span.start, units: units)

    case .define(let def):
      let params = def.parameters.isEmpty ? "" : "(" + def.parameters.map(\.text).joined(separator: ", ") + ")"
      let cells = ["define " + def.name.text + params, "= " + p.top(def.value)]
      return Block(category: .define, start: def.span.start, units: [Unit(indent: 0, cells: cells, end: def.span.end)])

    case .proForma(let pf):
      let head = "pro forma: the deal joins " + p.operand(pf.list, min: .postfix, before: .all).text + " with"
      var units = [Unit(indent: 0, cells: [head], end: end(before: pf.assignments.first?.field.span.start ?? pf.span.end, fallback: pf.span.start))]
      let width = pf.assignments.map(\.field.text.count).max() ?? 0
      for (i, a) in pf.assignments.enumerated() {
        let last = i == pf.assignments.count - 1
        let text = a.field.text.padded(width) + " = " + p.top(a.value) + (last ? "" : ",")
        units.append(Unit(indent: 2, cells: [text], end: endWithComma(a.value.span.end)))
      }
      return Block(category: .proForma, start: pf.span.start, units: units)

    case .party(let party):
      var rest: [String] = []
      if let id = party.dataID { rest.append("id " + Lit.quote(id)) }
      if let w = party.weight { rest.append("weight " + p.operand(w, min: .unary, before: .all).text) }
      if !party.classes.isEmpty { rest.append("class " + party.classes.map(\.text).joined(separator: ", ")) }
      let cells = ["party " + party.name.text, party.displayName.map { Lit.quote($0) } ?? "", rest.joined(separator: " ")]
      return Block(category: .party, start: party.span.start, units: [Unit(indent: 0, cells: cells, end: party.span.end)])

    case .governance(let g):
      var head = "governance \(g.subject.rawValue) from "
      head += g.source == .votes ? "votes" : g.source.rawValue + " " + Lit.quote(g.path ?? "")
      if g.optional { head += " optional" }
      if g.bindings.isEmpty {
        return Block(category: .governance, start: g.span.start, units: [Unit(indent: 0, cells: [head], end: g.span.end)])
      }
      var units = [Unit(indent: 0, cells: [head + " with"], end: end(before: g.bindings[0].span.start, fallback: g.subjectSpan.end))]
      let keys = g.bindings.map { b in b.key.text + (b.qualifier.map { " " + $0.text } ?? "") }
      let width = keys.map(\.count).max() ?? 0
      for (i, b) in g.bindings.enumerated() {
        let last = i == g.bindings.count - 1
        let text = keys[i].padded(width) + " = " + b.values.map { Lit.quote($0) }.joined(separator: " | ") + (last ? "" : ",")
        units.append(Unit(indent: 2, cells: [text], end: endWithComma(b.span.end)))
      }
      return Block(category: .governance, start: g.span.start, units: units)

    case .body(let b):
      return body(b, p)

    case .clause(let c):
      return clause(c, p)
    }
  }

  func fieldOptions(_ f: FieldDecl, _ p: ExprPrinter) -> String {
    var o: [String] = []
    if f.signed { o.append("signed") }
    if let s = f.source { o.append("from " + Lit.quote(s)) }
    if let r = f.period { o.append("period " + r.rawValue) }
    if f.inCents { o.append("in cents") }
    switch f.currency {
    case .fixed(let c): o.append("currency " + c.text)
    case .field(let s): o.append("currency from " + Lit.quote(s))
    case nil: break
    }
    if let q = f.quote { o.append("quoted \(q.units.text) per \(q.per.text)") }
    if let d = f.defaultValue {
      o.append("default " + p.top(d))
    } else if f.optional {
      o.append("optional")
    }
    return o.joined(separator: " ")
  }

  static func typeText(_ t: TypeRef) -> String {
    switch t {
    case .named(let n): n.text
    case .list(let inner): "list of " + typeText(inner)
    }
  }

  func clause(_ c: ClauseDecl, _ p: ExprPrinter) -> Block {
    var head = "§" + c.id
    var headEnd = c.idSpan.end
    let idIndex = firstToken(startingFrom: c.idSpan.start)
    if let t = c.title {
      head += " " + Lit.quote(t)
      if let i = idIndex, i + 1 < tokens.count { headEnd = tokens[i + 1].span.end }
    }
    var units = [Unit(indent: 0, cells: [head], end: headEnd)]
    if let t = c.text {
      var textEnd = headEnd
      if let i = idIndex, i + 2 < tokens.count { textEnd = tokens[i + 2].span.end }
      units.append(Unit(indent: 2, cells: [Lit.quote(t, lines: true)], end: textEnd))
    }
    var grouped = false
    for item in c.items {
      var indent = 2
      let text: String
      var end: Int
      switch item {
      case .appliesWhen(let e):
        text = "applies when " + p.top(e)
        end = e.span.end
      case .effectiveFrom(let e):
        text = "effective from " + p.top(e)
        end = e.span.end
      case .until(let e):
        text = "until " + p.top(e)
        end = e.span.end
      case .testedOn(let t, let span):
        text = "tested on " + t.rawValue
        end = span.end
      case .severity(let severity, let span):
        text = "severity " + severity.rawValue
        end = span.end
      case .forEach(let field, let list, let span):
        text = "for each " + field.text + (list.map { " in " + p.operand($0, min: .postfix, before: .all).text } ?? "") + ":"
        end = span.end
        grouped = true
      case .forEachWindow(let n, let list, let span):
        text = "for each window of " + p.operand(n, min: .unary, before: .all).text + " consecutive periods in "
          + p.operand(list, min: .postfix, before: .all).text + ":"
        end = span.end
        grouped = true
      case .requirement(let e):
        end = e.span.end
        let t = p.top(e)
        text = t.hasPrefix("-") || t.hasPrefix("\"") ? "(" + t + ")" : t
        if grouped { indent = 4 }
      case .report(let e, let span):
        text = "report " + p.top(e)
        end = span.end
        if grouped { indent = 4 }
      case .warn(let above, let inclusive, let fraction, let span):
        text = "warn " + (inclusive ? "at or " : "") + (above ? "above " : "below ") + p.operand(fraction, min: .unary, before: .of).text + " of the limit"
        end = span.end
      case .approvedBy(let rule):
        text = "approved by " + Self.partyRefs(rule.parties)
        end = rule.span.end
      case .votes(let rule):
        if let t = rule.short, let body = rule.body {
          text = "approved by " + Self.threshold(t, p) + body.text
        } else {
          text = p.votes(rule)
        }
        end = rule.span.end
      case .consent(let rule):
        let sources = rule.sources.map { s in (s.threshold.map { Self.threshold($0, p) } ?? "") + p.operand(s.source, min: .postfix, before: .all).text }
        text = (rule.liftedTo == nil ? "without" : "with") + " consent of " + sources.joined(separator: " or ")
          + (rule.liftedTo.map { " up to " + p.top($0) } ?? "")
        end = rule.span.end
      case .waivableBy(let refs, let span):
        text = "waivable by " + Self.partyRefs(refs)
        end = span.end
      case .quorum(let cmp, let fraction, let span):
        text = "quorum " + (cmp == .ge ? "" : ExprPrinter.symbol(cmp) + " ") + p.fraction(fraction) + " of voting power"
        end = span.end
      case .subjectTo(let refs, let span):
        text = "subject to " + Self.clauseRefs(refs)
        end = span.end
      case .notwithstanding(let refs, let span):
        text = "notwithstanding " + Self.clauseRefs(refs)
        end = span.end
      case .exception(let refs, let condition, let span):
        text = (refs.count == 1 ? "section " : "sections ") + Self.clauseRefs(refs) + (refs.count == 1 ? " does" : " do") + " not apply when " + p.top(condition)
        end = span.end
      }
      units.append(Unit(indent: indent, cells: [text], end: end))
    }
    return Block(category: .clause, start: c.idSpan.start, units: units)
  }

  /// `§4.9`, `§4.9 and §4.10`, `§4.9, §4.10 and §4.11`: as a lawyer lists sections.
  static func clauseRefs(_ refs: [Name]) -> String {
    let parts = refs.map { "§" + $0.text }
    guard parts.count > 1 else { return parts.first ?? "" }
    return parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
  }

  /// `body NAME "Display" id "…"`, then its data (`members`, `votes`, `conflicted`, bindings
  /// on one line), weighting, exclusions, quorum and tie rule, one per line, indented 2.
  func body(_ b: BodyDecl, _ p: ExprPrinter) -> Block {
    var head = "body " + b.name.text
    if let d = b.displayName { head += " " + Lit.quote(d) }
    if let id = b.dataID { head += " id " + Lit.quote(id) }
    let firstItem = [b.sources.first?.span.start, b.weightingSpan?.start, b.excluded.first?.span.start, b.quorumMembers?.span.start,
                     b.quorum?.fraction.span.start, b.tie?.span.start].compactMap { $0 }.min()
    var units = [Unit(indent: 0, cells: [head], end: end(before: firstItem ?? b.span.end, fallback: b.name.span.end))]
    for g in b.sources {
      var line = g.subject.rawValue + " from " + g.source.rawValue + " " + Lit.quote(g.path ?? "")
      if g.optional { line += " optional" }
      if !g.bindings.isEmpty {
        line += " with " + g.bindings.map { b in
          b.key.text + (b.qualifier.map { " " + $0.text } ?? "") + " = " + b.values.map { Lit.quote($0) }.joined(separator: " | ")
        }.joined(separator: ", ")
      }
      units.append(Unit(indent: 2, cells: [line], end: g.span.end))
    }
    if let w = b.weighting, let span = b.weightingSpan {
      switch w {
      case .key(let k): units.append(Unit(indent: 2, cells: ["weight by " + Lit.quote(k)], end: span.end))
      case .oneEach: units.append(Unit(indent: 2, cells: ["one vote each"], end: span.end))
      }
    }
    if let last = b.excluded.last {
      units.append(Unit(indent: 2, cells: ["excluding class " + b.excluded.map(\.text).joined(separator: ", ")], end: last.span.end))
    }
    if let q = b.quorumMembers {
      let e = firstToken(startingFrom: q.span.end).map { tokens[$0].span.end } ?? q.span.end
      units.append(Unit(indent: 2, cells: ["quorum " + p.operand(q, min: .unary, before: .all).text + " members"], end: e))
    }
    if let q = b.quorum {
      // The unit ends after `of voting power`, three tokens after the fraction.
      let e = firstToken(startingFrom: q.fraction.span.end).map { tokens[min($0 + 2, tokens.count - 1)].span.end } ?? q.fraction.span.end
      units.append(Unit(indent: 2, cells: ["quorum " + (q.comparison == .ge ? "" : ExprPrinter.symbol(q.comparison) + " ") + p.fraction(q.fraction) + " of voting power"], end: e))
    }
    if let t = b.tie { units.append(Unit(indent: 2, cells: ["ties decided by " + t.text], end: t.span.end)) }
    return Block(category: .body, start: b.span.start, units: units)
  }

  /// `majority in interest of lps`, `2/3 of lpac`.
  static func threshold(_ t: BodyThreshold, _ p: ExprPrinter) -> String {
    (t.fraction.map { p.fraction($0) } ?? "majority") + (t.inInterest ? " in interest" : "") + " of "
  }

  static func partyRefs(_ refs: [PartyRef]) -> String {
    let parts = refs.map { r -> String in
      switch r {
      case .party(let n): n.text
      case .anyOf(let n): "any " + n.text
      case .allOf(let n): "every " + n.text
      }
    }
    guard parts.count > 1 else { return parts.first ?? "" }
    return parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
  }

  // MARK: Comments

  /// Gives each comment its place: before the unit holding the next token (full-line comments),
  /// or after the unit holding the previous token (trailing comments).
  mutating func attachComments() {
    // Flat list of (block, unit) in source order, with running-maximum ends so lookups are monotone.
    var flat: [(block: Int, unit: Int)] = []
    var ends: [Int] = []
    var running = Int.min
    for (b, block) in blocks.enumerated() {
      for (u, unit) in block.units.enumerated() {
        running = max(running, unit.end)
        flat.append((b, u))
        ends.append(running)
      }
    }
    func unitHolding(_ tokenEnd: Int) -> Int {
      var lo = 0, hi = ends.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if ends[mid] < tokenEnd { lo = mid + 1 } else { hi = mid }
      }
      return min(lo, ends.count - 1)
    }
    // Once a comment at column 1 follows a block, later comments in the same gap stay with it.
    var gapAtColumn1: Int?
    for c in comments {
      let text = String(file.text(c.span).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }).reversed())
      let sc = SourceComment(text: text, line: line(c.span.start))
      if flat.isEmpty {
        bottom.append(sc)
        continue
      }
      if c.trailing, let t = lastToken(endingBy: c.span.start) {
        let (b, u) = flat[unitHolding(tokens[t].span.end)]
        blocks[b].units[u].trailing.append(text)
        continue
      }
      let indented = file.location(of: c.span.start).column > 1
      guard let t = firstToken(startingFrom: c.span.end) else {
        if indented, gapAtColumn1 != tokens.count, let last = blocks.indices.last, blocks[last].isMultiLine, blocks[last].category != .header {
          blocks[last].after.append(sc)
        } else {
          bottom.append(sc)
          if !indented { gapAtColumn1 = tokens.count }
        }
        continue
      }
      let (b, u) = flat[unitHolding(tokens[t].span.end)]
      if u == 0 {
        if indented, gapAtColumn1 != t, tokens[t].span.start == blocks[b].start, b > 0, blocks[b - 1].isMultiLine,
          blocks[b - 1].category != .header
        {
          blocks[b - 1].after.append(sc)
        } else {
          blocks[b].leading.append(sc)
          if !indented { gapAtColumn1 = t }
        }
      } else {
        blocks[b].units[u].leading.append(text)
      }
    }
  }

  // MARK: Rendering

  func render() -> String {
    // Written into one string as the lines come (a line per `String` was 270,000 of them for a
    // covenant of 90,000 clauses); every line ends with a newline.
    var out = ""
    out.reserveCapacity(file.bytes.count + file.bytes.count / 8)
    func put(_ line: String) {
      out += line
      out += "\n"
    }
    func emit(_ unit: Unit, text: String) {
      let pad = String(repeating: " ", count: unit.indent)
      let moved = unit.trailing.dropLast()
      for c in unit.leading + moved { put(pad + c) }
      put(pad + text + (unit.trailing.last.map { "  " + $0 } ?? ""))
    }

    // Where a blank line separates a declaration from the one before.
    var lastLine: [Int] = []
    for block in blocks {
      var l = line(max(block.units.last.map { $0.end - 1 } ?? block.start, block.start))
      for c in block.after { l = max(l, c.line) }
      lastLine.append(l)
    }
    var blankBefore = [Bool](repeating: false, count: blocks.count)
    for i in blocks.indices.dropFirst() {
      let (prev, cur) = (blocks[i - 1], blocks[i])
      let together = prev.category == cur.category && !cur.isMultiLine && !prev.isMultiLine
      let firstLine = cur.leading.first?.line ?? line(cur.start)
      blankBefore[i] = !together || blankBetween(lastLine[i - 1], firstLine)
    }

    // Column widths of aligned runs (`define`, `party`).
    var widths = blocks.map { $0.units.first.map { Array(repeating: 0, count: $0.cells.count) } ?? [] }
    var i = 0
    while i < blocks.count {
      var j = i + 1
      if blocks[i].category == .define || blocks[i].category == .party {
        while j < blocks.count, blocks[j].category == blocks[i].category, !blankBefore[j] { j += 1 }
        var w = widths[i]
        for k in i..<j { for (c, cell) in blocks[k].units[0].cells.enumerated() where c < w.count { w[c] = max(w[c], cell.count) } }
        for k in i..<j { widths[k] = w }
      }
      i = j
    }

    for (b, block) in blocks.enumerated() {
      if b > 0 && blankBefore[b] { put("") }
      for (k, c) in block.leading.enumerated() {
        put(c.text)
        let next = k + 1 < block.leading.count ? block.leading[k + 1].line : line(block.start)
        if blankBetween(c.line, next) { put("") }
      }
      for unit in block.units {
        emit(unit, text: unit.cells.count == 1 ? unit.cells[0] : Self.aligned(unit.cells, widths[b]))
      }
      let pad = String(repeating: " ", count: max(2, block.units.last?.indent ?? 2))
      for c in block.after { put(pad + c.text) }
    }
    for (k, c) in bottom.enumerated() {
      let previous = k > 0 ? bottom[k - 1].line : (lastLine.last ?? 0)
      if (k > 0 || !blocks.isEmpty) && blankBetween(previous, c.line) { put("") }
      put(c.text)
    }
    return out
  }

  /// Cells padded to the run's column widths; empty columns of the whole run are left out.
  static func aligned(_ cells: [String], _ widths: [Int]) -> String {
    var parts: [(String, Int)] = []
    for (c, cell) in cells.enumerated() where c >= widths.count || widths[c] > 0 {
      parts.append((cell, c < widths.count ? widths[c] : cell.count))
    }
    while let last = parts.last, last.0.isEmpty, parts.count > 1 { parts.removeLast() }
    var s = ""
    for (k, (cell, w)) in parts.enumerated() {
      if k > 0 { s += " " }
      s += k == parts.count - 1 ? cell : cell.padded(w)
    }
    return s
  }
}

// MARK: - Expressions

/// Which following operators an expression's printed text would swallow: an aggregate's
/// `where` condition or a quantifier's body extends as far as it can, so such an expression
/// followed by an operator it would absorb must be put in parentheses.
private struct Absorb: OptionSet {
  let rawValue: Int
  static let postfix = Absorb(rawValue: 1)  // `.field`, `in JPY`
  static let product = Absorb(rawValue: 2)  // `*`, `/`
  static let of = Absorb(rawValue: 4)
  static let sum = Absorb(rawValue: 8)  // `+`, `-`
  static let comparison = Absorb(rawValue: 16)  // `<=`, `in`, …
  static let logic = Absorb(rawValue: 32)  // `and`, `or`
  static let all: Absorb = [.postfix, .product, .of, .sum, .comparison, .logic]
}

private struct Piece {
  var text: String
  /// How tightly the text binds, as the parser reads it.
  var level: PrecedenceLevel
  var tail: Absorb = []
  /// The last `not_expr` is an unparenthesized comparison: inside a `where`, a following
  /// comparison then ends the condition instead of joining it.
  var endsWithComparison = false
}

private struct ExprPrinter {
  func top(_ e: Expr) -> String { expr(e).text }

  func operand(_ e: Expr, min: PrecedenceLevel, before: Absorb) -> Piece {
    let p = expr(e)
    if p.level < min || !p.tail.isDisjoint(with: before) { return Piece(text: "(" + p.text + ")", level: .primary) }
    return p
  }

  static func absorbClass(_ op: BinaryOp) -> Absorb {
    switch op {
    case .and, .or: .logic
    case .eq, .ne, .lt, .le, .gt, .ge, .isIn, .notIn: .comparison
    case .add, .sub: .sum
    case .of: .of
    case .mul, .div: .product
    }
  }

  static func symbol(_ op: BinaryOp) -> String {
    switch op {
    case .and: "and"
    case .or: "or"
    default: op.rawValue
    }
  }

  func expr(_ e: Expr) -> Piece {
    switch e.kind {
    case .literal(let l):
      return Piece(text: Lit.literal(l), level: .primary)
    case .name(let n):
      return Piece(text: n.text, level: .primary)
    case .that(let n):
      return Piece(text: "that " + n.text, level: .primary)
    case .member(let base, let n):
      return Piece(text: operand(base, min: .postfix, before: .postfix).text + "." + n.text, level: .postfix)
    case .convert(let base, let c):
      return Piece(text: operand(base, min: .postfix, before: .postfix).text + " in " + c.text, level: .postfix)
    case .negate(let x):
      // `- -x`, not `-(-x)`: the lexer never joins two `-`, and parentheses would count
      // towards the parser's depth limit, so a long chain that parses would no longer reparse.
      let p = operand(x, min: .unary, before: [])
      return Piece(text: (p.text.hasPrefix("-") ? "- " : "-") + p.text, level: .unary, tail: p.tail)
    case .not(let x):
      let p = operand(x, min: .not, before: [])
      return Piece(text: "not " + p.text, level: .not, tail: p.tail, endsWithComparison: p.endsWithComparison)
    case .binary(let op, let l, let r):
      return binary(op, l, r)
    case .list(let items):
      return Piece(text: "[" + items.map { expr($0).text }.joined(separator: ", ") + "]", level: .primary)
    case .aggregate(let fn, let over, let cond, let by):
      var text = fn.rawValue + " of " + operand(over, min: .postfix, before: .all).text
      if let by { text += " by " + operand(by, min: .postfix, before: .all).text }
      var tail: Absorb = .postfix
      if let cond {
        let c = expr(cond)
        text += " where " + c.text
        tail = Absorb([.postfix, .product, .of, .sum, .logic]).union(c.tail)
        if !c.endsWithComparison { tail.insert(.comparison) }
      }
      return Piece(text: text, level: .primary, tail: tail)
    case .quantifier(let q, let v, let list, let cond, let body):
      var text = q.rawValue + " " + v.text + " in " + operand(list, min: .postfix, before: .all).text
      if let cond { text += " where " + expr(cond).text }
      text += ": " + expr(body).text
      return Piece(text: text, level: .primary, tail: .all)
    case .trailing(let aggregate, let n):
      return Piece(text: expr(aggregate).text + " over the last " + operand(n, min: .unary, before: .all).text + " periods", level: .primary)
    case .call(let n, let args):
      return Piece(text: n.text + "(" + args.map { expr($0).text }.joined(separator: ", ") + ")", level: .primary)
    case .presence(let x, let missing):
      let p = operand(x, min: .additive, before: .comparison)
      return Piece(text: p.text + (missing ? " is missing" : " is present"), level: .comparison, endsWithComparison: true)
    case .conditional(let c, let a, let b):
      // The branches are additive expressions: `else b` takes in any `+`, `*` or `.field` after it.
      let pa = operand(a, min: .additive, before: [])
      let pb = operand(b, min: .additive, before: [])
      return Piece(text: "if " + expr(c).text + " then " + pa.text + " else " + pb.text, level: .primary,
        tail: Absorb([.postfix, .product, .of, .sum]).union(pb.tail))
    case .invalid:
      return Piece(text: "?", level: .primary)
    }
  }

  func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr) -> Piece {
    let lv = op.precedence
    // An operand on the side the operator groups towards may be of its own level; otherwise it
    // binds more tightly (`a - (b - c)`, `(a of b) of c`, `(a = b) = c`).
    let leftMin = op.associativity == .left ? lv : lv.tighter
    let rightMin = op.associativity == .right ? lv : lv.tighter
    let lp: Piece
    if lv == .logic, case .binary(let inner, _, _) = l.kind, inner == op {
      lp = operand(l, min: .logic, before: .logic)  // `a and b and c`: a chain of one operator
    } else {
      lp = operand(l, min: leftMin, before: Self.absorbClass(op))
    }
    var rp = operand(r, min: rightMin, before: [])
    // `x in USD` would read as a currency conversion.
    if op == .isIn, rp.text.startsWithCurrencyCode { rp = Piece(text: "(" + rp.text + ")", level: .primary) }
    let text: String
    if op == .of, case .literal(.multiple) = l.kind, lp.level == .primary, rp.level >= .postfix, Self.startsWithName(r), !rp.text.hasPrefix("(") {
      text = lp.text + " " + rp.text  // `2.0x fund.equity`
    } else {
      text = lp.text + " " + Self.symbol(op) + " " + rp.text
    }
    return Piece(text: text, level: lv, tail: rp.tail, endsWithComparison: lv == .comparison || (lv == .logic && rp.endsWithComparison))
  }

  /// A name, or fields and conversions of a name: what may follow a multiple without `of`.
  static func startsWithName(_ e: Expr) -> Bool {
    switch e.kind {
    case .name: true
    case .member(let b, _), .convert(let b, _): startsWithName(b)
    default: false
    }
  }

  /// `votes in favour >= 2/3 of votes cast, quorum 75% of voting power, …`
  func votes(_ rule: VoteRule) -> String {
    var s = "votes " + (rule.body.map { "of " + $0.text + " " } ?? "") + "in favour " + Self.symbol(rule.comparison) + " " + fraction(rule.fraction) + " of " + rule.base.rawValue
    if let q = rule.quorum {
      s += ", quorum " + (rule.quorumComparison == .ge ? "" : Self.symbol(rule.quorumComparison) + " ") + fraction(q) + " of voting power"
    }
    if rule.countAbstentions { s += ", counting abstentions" }
    if rule.excludeConflicted { s += ", excluding conflicted parties" }
    if let c = rule.castingVote { s += ", ties decided by " + c.text }
    return s
  }

  /// fraction = unary [ "/" unary ], written `2/3`; followed by `of`.
  func fraction(_ e: Expr) -> String {
    if case .binary(.div, let a, let b) = e.kind {
      let pa = expr(a), pb = expr(b)
      if pa.level >= .unary, pb.level >= .unary, pa.tail.isDisjoint(with: .product), pb.tail.isDisjoint(with: .of) {
        return pa.text + "/" + pb.text
      }
    }
    return operand(e, min: .unary, before: .of).text
  }
}

// MARK: - Literals

private enum Lit {
  static let symbols: [String: String] = ["USD": "$", "JPY": "¥", "EUR": "€", "GBP": "£"]

  static func literal(_ l: Literal) -> String {
    switch l {
    case .number(let x): numeral(x)
    case .percent(let x): numeral(x) + "%"
    case .bps(let x): numeral(x) + " bps"
    case .multiple(let x): numeral(x, minDecimals: 1) + "x"
    case .money(let x, let c): money(x, c)
    case .date(let d): d.description
    case .duration(let d): duration(d)
    case .text(let s): quote(s)
    case .bool(let b): b ? "true" : "false"
    case .country(let c): c
    }
  }

  /// `300 billion` rather than `300,000,000,000` when the scaled figure has at most 3 decimals.
  static func money(_ x: Exact, _ currency: String) -> String {
    let prefix = symbols[currency] ?? currency + " "
    for (word, power) in [("trillion", 12), ("billion", 9), ("million", 6)] {
      guard let p = Exact.pow10(power) else { continue }
      let scale = Exact(integer: p)
      if x >= scale, let q = try? x.divided(by: scale), q.hasAtMost(places: 3) || q.den == 3 {
        return prefix + numeral(q) + " " + word
      }
    }
    return prefix + numeral(x)
  }

  /// Digits with thousands separators and the exact decimals; a third as `⅓`/`⅔` (`66⅔`).
  static func numeral(_ x: Exact, minDecimals: Int = 0) -> String {
    if x.signum < 0, let m = try? x.negated() { return "-" + numeral(m, minDecimals: minDecimals) }
    if x.den == 3 {
      let (q, r) = x.num.quotientAndRemainder(dividingBy: 3)
      return grouped(String(q)) + (r == 1 ? "⅓" : "⅔")
    }
    let d = x.description
    guard !d.contains("/") else { return d }  // never produced by the parser
    let parts = d.split(separator: ".", maxSplits: 1)
    var s = grouped(String(parts[0]))
    if parts.count == 2 {
      s += "." + parts[1]
    } else if minDecimals > 0 {
      s += "." + String(repeating: "0", count: minDecimals)
    }
    return s
  }

  static func grouped(_ digits: String) -> String {
    let chars = Array(digits)
    var out = ""
    for (i, c) in chars.enumerated() {
      if i > 0, (chars.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return out
  }

  static func duration(_ d: Duration) -> String {
    func unit(_ n: Int, _ name: String) -> String { "\(n) \(name)\(n == 1 ? "" : "s")" }
    if d.days == 0 && d.months != 0 {
      return d.months % 12 == 0 ? unit(d.months / 12, "year") : unit(d.months, "month")
    }
    if d.months == 0 { return unit(d.days, "day") }
    return d.description  // never produced by the parser
  }

  /// Straight double quotes; `"`, `\` and tabs escaped. A clause text (`lines`) keeps its line
  /// breaks as they are, except after a space, where `\n` avoids a trailing space; other texts
  /// stay on one line with `\n`.
  static func quote(_ s: String, lines: Bool = false) -> String {
    var out = "\""
    var previous: Unicode.Scalar?
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\t": out += "\\t"
      case "\n" where !lines || previous == " ": out += "\\n"
      default: out.unicodeScalars.append(u)
      }
      previous = u
    }
    return out + "\""
  }

  /// Bare when it reads back as one date or number token, quoted otherwise.
  static func version(_ v: String) -> String {
    let b = Array(v.utf8)
    func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    let isDate = b.count == 10 && b.enumerated().allSatisfy { i, c in i == 4 || i == 7 ? c == UInt8(ascii: "-") : digit(c) }
    var isNumber = false
    if let first = b.first, digit(first) {
      let parts = v.split(separator: ".", omittingEmptySubsequences: false)
      isNumber = parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(digit) }
    }
    return isDate || isNumber ? v : quote(v)
  }
}

extension String {
  fileprivate func padded(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }

  /// Three capital letters as a whole word, as in `USD 5` or `ABC.x`.
  fileprivate var startsWithCurrencyCode: Bool {
    let b = Array(utf8.prefix(4))
    guard b.count >= 3, b[0..<3].allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return false }
    if b.count == 3 { return true }
    let c = b[3]
    return !((c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F)
  }
}
