import CovenantValues
import CovenantSyntax

/// Resolves names, builds the schema, types every expression and reports what is wrong before
/// anything runs. Produces the `CheckedCovenant` the evaluator runs. Its messages are built by
/// `SemanticDiagnostics`, the catalogue of what can go wrong; `report` places one in the file.
public struct Checker {
  let file: SourceFile
  var diagnostics: [Diagnostic] = []
  var schema = Schema()
  var definitionIndex: [String: Int] = [:]
  var definitionDecls: [DefineDecl] = []
  var definitions: [CheckedDefinition?] = []
  var parties: [CheckedParty] = []
  var partyIndex: [String: Int] = [:]
  var partyDecls: [PartyDecl] = []
  var governance = CheckedGovernance()
  var bodies: [CheckedBody] = []
  var bodyIndex: [String: Int] = [:]
  var localCount = 0
  var scopes: [Scope] = []
  /// `default OTHER_FIELD` options waiting for every field of their record: (record, field, other).
  var pendingFieldDefaults: [(Int, Int, Name)] = []
  /// Definitions with parameters being expanded (a guard against a cycle), and how many more
  /// expression nodes expansions may produce: nested definitions that each use the next twice
  /// would otherwise grow exponentially.
  var expanding: Set<Int> = []
  var expansionBudget = 100_000
  static let maxExpansionDepth = 8
  var expansionReported = false
  /// Definitions with parameters used at least once (written out where used), for the drafting checker.
  var usedParametrised: Set<Int> = []
  var group: (field: Int, name: String, record: Int)?
  /// `subject to`, `notwithstanding` and exception references, resolved once every clause is known.
  var crossReferences: [CrossReference] = []
  /// The clause being checked, named in its diagnostics.
  var clauseID: String?
  var joinedListField: Int?
  var snapshotRootName: String?
  var dealRootName: String?
  /// Filled as the clauses are checked (`checkNextClause`), taken by `finish`.
  var checkedClauses: [CheckedClause] = []
  var seenClauses: [String: SourceSpan] = [:]
  var checkedProForma: CheckedProForma?

  struct Scope {
    var name: String
    var slot: Int
    var record: Int
  }

  public struct Result: Sendable {
    public var covenant: CheckedCovenant?
    public var diagnostics: [Diagnostic]
  }

  /// Parses and checks in one step: `compile = parse + check`, with the same result as
  /// `Parser.parse` then `check` (the parse's diagnostics, and the checker's only when the parse
  /// has no error). Each clause is checked as soon as it is parsed and its syntax dropped, so a
  /// covenant of many clauses never holds its whole syntax tree; the declarations before the
  /// first clause are checked when it comes. A declaration after a clause (the checker needs
  /// every declaration first) falls back to parsing the whole file, then checking.
  public static func compile(_ file: SourceFile) -> Result {
    var stream = Parser.Stream(file)
    var c = Checker(file: file)
    var declarations: [Declaration] = []
    var declared = false, checking = false, sawDeclaration = false
    while let d = stream.next() {
      sawDeclaration = true
      guard case .clause(let clause) = d else {
        if declared { return compileWhole(file) }
        declarations.append(d)
        continue
      }
      if !declared {
        declared = true
        // A tree with a parse error is never checked: its result is the parse's diagnostics.
        checking = !stream.hasErrorsSoFar()
        if checking { c.declare(Covenant(header: stream.header, declarations: declarations), hasClauses: true, clauseCapacity: clauseLines(file)) }
      }
      if checking && stream.hasErrorsSoFar() { checking = false }
      if checking { c.checkNextClause(clause) }
    }
    let parseDiagnostics = stream.diagnostics
    if parseDiagnostics.contains(where: \.isError) {
      return Result(covenant: nil, diagnostics: parseDiagnostics)
    }
    // Nothing but whitespace and comments: a truncated or mis-saved file must not pass `validate`
    // as a covenant that asks nothing. (`fmt` still formats it: that goes through the parser.)
    if stream.header == nil, !sawDeclaration {
      let empty = Diagnostic(SemanticDiagnostics.emptyCovenant(), file: file.name, span: SourceSpan(0, 0))
      return Result(covenant: nil, diagnostics: parseDiagnostics + [empty])
    }
    if !declared { c.declare(Covenant(header: stream.header, declarations: declarations), hasClauses: false, clauseCapacity: 0) }
    let checked = c.finish(header: stream.header)
    // The drafting checker reads the definitions' declarations only.
    let definitions = Covenant(header: nil, declarations: declarations.filter { if case .define = $0 { true } else { false } })
    declarations = []
    var result = c.draft(checked, definitions: definitions)
    result.diagnostics = parseDiagnostics + result.diagnostics
    return result
  }

  /// The number of lines that start with `§`: at least the number of clauses, in the usual
  /// layout (a reserve, not a limit).
  static func clauseLines(_ file: SourceFile) -> Int {
    let b = file.bytes
    var n = 0
    for start in file.lineStarts where start + 1 < b.count && b[start] == 0xC2 && b[start + 1] == 0xA7 { n += 1 }
    return n
  }

  /// `compile` as parse then check, for a covenant with a declaration after a clause.
  static func compileWhole(_ file: SourceFile) -> Result {
    var parsed = Parser.parse(file)
    if parsed.diagnostics.contains(where: \.isError) {
      return Result(covenant: nil, diagnostics: parsed.diagnostics)
    }
    if parsed.covenant.header == nil, parsed.covenant.declarations.isEmpty {
      let empty = Diagnostic(SemanticDiagnostics.emptyCovenant(), file: file.name, span: SourceSpan(0, 0))
      return Result(covenant: nil, diagnostics: parsed.diagnostics + [empty])
    }
    // The checker takes the only reference to the tree, so that each clause's syntax is freed
    // once the clause is checked: a covenant of many clauses never holds both trees whole.
    var syntax = Covenant(header: nil, declarations: [])
    swap(&syntax, &parsed.covenant)
    var result = check(releasing: &syntax, file: file)
    result.diagnostics = parsed.diagnostics + result.diagnostics
    return result
  }

  public static func check(_ covenant: Covenant, file: SourceFile) -> Result {
    var syntax = covenant
    return check(releasing: &syntax, file: file)
  }

  /// Checks `syntax` and empties it on the way (the clauses as they are checked, the rest before
  /// the drafting checker runs): the caller's copy is all that keeps the tree alive.
  static func check(releasing syntax: inout Covenant, file: SourceFile) -> Result {
    var c = Checker(file: file)
    let checked = c.run(&syntax)
    // The drafting checker reads the definitions' declarations only.
    let definitions = Covenant(header: nil, declarations: syntax.declarations.filter { if case .define = $0 { true } else { false } })
    syntax.declarations = []
    return c.draft(checked, definitions: definitions)
  }

  /// The drafting checker, on a covenant that type-checks, and the result.
  mutating func draft(_ checked: CheckedCovenant, definitions: Covenant) -> Result {
    // Drafting mistakes are looked for only in a covenant that type-checks.
    if !diagnostics.contains(where: \.isError) {
      diagnostics += DraftingChecker.run(checked, syntax: definitions, parametrisedUsed: usedParametrised)
    }
    let hasErrors = diagnostics.contains(where: \.isError)
    return Result(covenant: hasErrors ? nil : checked, diagnostics: diagnostics)
  }

  init(file: SourceFile) { self.file = file }

  mutating func report(_ m: DiagnosticMessage, _ span: SourceSpan) {
    // Inside a clause, the message names it: a lawyer finds "§4.4" faster than line 57.
    var m = m
    if let id = clauseID, !m.message.contains("§\(id)") { m.message += " in §\(id)" }
    diagnostics.append(Diagnostic(m, file: file.name, span: span))
  }

  /// "did you mean `x`?" for the candidate nearest to a misspelt name, if one is near enough.
  func suggestion(_ name: String, _ candidates: [String]) -> String? {
    closestMatch(name, in: candidates.filter { $0 != name }).map { "did you mean `\($0)`?" }
  }

  // Reported from several places in the checker.

  mutating func unknownField(_ n: Name, record r: Int) {
    let rec = schema.records[r]
    let fields = rec.fields.map(\.name)
    report(SemanticDiagnostics.unknownField(.ofRecord(n.text, record: rec.name, suggestion: suggestion(n.text, fields), fields: fields)), n.span)
  }

  mutating func unknownCurrency(_ n: Name) {
    report(SemanticDiagnostics.unknownCurrency(n.text, nearest: closestMatch(n.text, in: Array(ISOCodes.currencies))), n.span)
  }

  mutating func duplicateName(_ n: Name, _ what: String) {
    report(SemanticDiagnostics.duplicate(.name(n.text, what: what)), n.span)
  }
}

extension ClauseItem {
  var isUntil: Bool { if case .until = self { true } else { false } }
}

extension Array where Element: Hashable {
  func uniqued() -> [Element] {
    var seen = Set<Element>()
    return filter { seen.insert($0).inserted }
  }
}
