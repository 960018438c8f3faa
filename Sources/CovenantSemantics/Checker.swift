import CovenantValues
import CovenantSyntax

/// Resolves names, builds the schema, types every expression and reports what is wrong before
/// anything runs. Produces the `CheckedCovenant` the evaluator runs. The messages themselves
/// live in `CheckerMessages.swift`, the catalogue of what can go wrong.
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
  var aggregateCount = 0
  var quantifierCount = 0
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

  struct Scope {
    var name: String
    var slot: Int
    var record: Int
  }

  public struct Result: Sendable {
    public var covenant: CheckedCovenant?
    public var diagnostics: [Diagnostic]
  }

  /// Parses and checks in one step: `compile = parse + check`.
  public static func compile(_ file: SourceFile) -> Result {
    let parsed = Parser.parse(file)
    if parsed.diagnostics.contains(where: \.isError) {
      return Result(covenant: nil, diagnostics: parsed.diagnostics)
    }
    // Nothing but whitespace and comments: a truncated or mis-saved file must not pass `validate`
    // as a covenant that asks nothing. (`fmt` still formats it: that goes through the parser.)
    if parsed.covenant.header == nil, parsed.covenant.declarations.isEmpty {
      let empty = Diagnostic(
        code: "C036", message: "the covenant file is empty", file: file.name, span: SourceSpan(0, 0),
        help: "a covenant has at least one clause, e.g. `§1 \"Leverage\"` followed by its requirement; see grammar.md")
      return Result(covenant: nil, diagnostics: parsed.diagnostics + [empty])
    }
    var result = check(parsed.covenant, file: file)
    result.diagnostics = parsed.diagnostics + result.diagnostics
    return result
  }

  public static func check(_ covenant: Covenant, file: SourceFile) -> Result {
    var c = Checker(file: file)
    let checked = c.run(covenant)
    // Drafting mistakes are looked for only in a covenant that type-checks.
    if !c.diagnostics.contains(where: \.isError) {
      c.diagnostics += DraftingChecker.run(checked, syntax: covenant, parametrisedUsed: c.usedParametrised)
    }
    let hasErrors = c.diagnostics.contains(where: \.isError)
    return Result(covenant: hasErrors ? nil : checked, diagnostics: c.diagnostics)
  }

  init(file: SourceFile) { self.file = file }

  mutating func report(_ code: String, _ message: String, _ span: SourceSpan, help: String? = nil, severity: Diagnostic.Severity = .error) {
    // Inside a clause, the message names it: a lawyer finds "§4.4" faster than line 57.
    let named = clauseID.map { id in message.contains("§\(id)") ? message : message + " in §\(id)" } ?? message
    diagnostics.append(Diagnostic(code: code, severity: severity, message: named, file: file.name, span: span, help: help))
  }

  // MARK: - Declarations

  mutating func run(_ covenant: Covenant) -> CheckedCovenant {
    if let base = covenant.header?.baseCurrency {
      if ISOCodes.currencies.contains(base.text) { schema.baseCurrency = base.text } else { unknownCurrency(base) }
    }
    declareKindsAndRecords(covenant)
    resolveFieldTypes(covenant)
    declareParties(covenant)
    governance = declareGovernance(covenant)
    bodies = declareBodies(covenant)
    if case .fromVotes = governance.approvals, governance.votes == nil,
      let d = covenant.declarations.first(where: { if case .governance(let g) = $0, g.subject == .approvals { true } else { false } })
    {
      report("C039", "approvals are read from the votes, but the covenant does not say where the votes are", d.span,
        help: "declare them, e.g. `governance votes from deal \"votes\"`")
    }
    // Definitions are checked in dependency order, found by an iterative walk so that even a
    // 10,000-long chain of definitions cannot overflow the stack.
    for decl in covenant.declarations {
      guard case .define(let d) = decl else { continue }
      if definitionIndex[d.name.text] != nil || isDeclaredName(d.name.text) {
        duplicateName(d.name, "definition")
        continue
      }
      definitionIndex[d.name.text] = definitionDecls.count
      definitionDecls.append(d)
    }
    definitions = Array(repeating: nil, count: definitionDecls.count)
    joinedListField = joinedListFieldFromSyntax(covenant)
    for i in definitionOrder() {
      let d = definitionDecls[i]
      // A definition with parameters is checked where it is used, with its arguments.
      if !d.parameters.isEmpty {
        checkParameters(d)
        continue
      }
      let value = checkExpr(d.value)
      definitions[i] = CheckedDefinition(name: d.name.text, value: value)
    }
    let proForma = checkProForma(covenant)
    var clauses: [CheckedClause] = []
    // A checked clause is several hundred bytes: growing the array by doubling would hold up to
    // twice that per clause at the peak of a large covenant.
    clauses.reserveCapacity(covenant.declarations.count)
    var seenClauses: [String: SourceSpan] = [:]
    for decl in covenant.declarations {
      guard case .clause(let c) = decl else { continue }
      if let first = seenClauses[c.id] {
        let line = file.line(of: first.start)
        report("C005", "clause §\(c.id) is defined twice", c.idSpan, help: "the first §\(c.id) is on line \(line); give each clause its own number")
        continue
      }
      seenClauses[c.id] = c.idSpan
      if let checked = checkClause(c) { clauses.append(checked) }
    }
    // After every clause is known, so that a reference resolves wherever its section is.
    let precedence = resolveCrossReferences(&clauses)
    refuseTrailingInsideAggregates(definitions.map { $0 ?? CheckedDefinition(name: "", value: invalid(.none)) }, clauses)
    let asOf = schema.snapshot.flatMap { schema.records[$0].index["as_of"] }
    let fx = schema.snapshot.flatMap { s in schema.records[s].fields.firstIndex { $0.type == .fx } }
    return CheckedCovenant(
      file: file, title: covenant.header?.title ?? file.name, version: covenant.header?.version,
      schema: schema,
      definitions: definitions.enumerated().map { $1 ?? CheckedDefinition(name: definitionDecls[$0].name.text, value: TExpr(kind: .invalid, type: .error, span: .none, usesDeal: false, usesJoinedList: false)) },
      clauses: clauses, proForma: proForma, parties: parties, governance: governance, bodies: bodies, asOfField: asOf, fxField: fx,
      aggregateCount: aggregateCount, quantifierCount: quantifierCount, localCount: localCount, precedenceOrder: precedence)
  }

  func isDeclaredName(_ n: String) -> Bool {
    schema.kinds.contains { $0.name == n } || schema.records.contains { $0.name == n } || partyIndex[n] != nil
  }

  mutating func declareKindsAndRecords(_ covenant: Covenant) {
    for decl in covenant.declarations {
      switch decl {
      case .kind(let k):
        if isDeclaredName(k.name.text) || Self.builtinTypes[k.name.text] != nil {
          duplicateName(k.name, "kind")
          continue
        }
        var index: [String: Int] = [:]
        for m in k.members {
          if index[m.text] != nil { duplicateName(m, "value of kind `\(k.name.text)`"); continue }
          index[m.text] = index.count
        }
        schema.kinds.append(KindSchema(name: k.name.text, members: k.members.map(\.text).uniqued(), index: index))
      case .record(let r):
        if isDeclaredName(r.name.text) || Self.builtinTypes[r.name.text] != nil {
          duplicateName(r.name, "record")
          continue
        }
        switch r.role {
        case .snapshot:
          if schema.snapshot != nil {
            report("C019", "only one `data … from snapshot` may be declared", r.name.span)
            continue
          }
          schema.snapshot = schema.records.count
          snapshotRootName = r.name.text
        case .deal:
          if schema.deal != nil {
            report("C019", "only one `data … from deal` may be declared", r.name.span)
            continue
          }
          schema.deal = schema.records.count
          dealRootName = r.name.text
        case .record: break
        }
        schema.records.append(RecordSchema(name: r.name.text, role: r.role, fields: [], index: [:], labelField: nil))
      default: break
      }
    }
  }

  static let builtinTypes: [String: ValueType] = [
    "money": .money(currency: nil), "number": .number(.plain), "percent": .number(.percent),
    "percentage": .number(.percent), "bps": .number(.bps), "ratio": .number(.multiple),
    "multiple": .number(.multiple), "date": .date, "duration": .duration, "text": .text,
    "bool": .bool, "boolean": .bool, "country": .country, "fx": .fx,
  ]

  mutating func resolveType(_ t: TypeRef) -> ValueType {
    switch t {
    case .list(let e):
      let inner = resolveType(e)
      if case .record = inner { return .list(inner) }
      if inner != .error {
        report("C009", "a list must hold records, not \(schema.typeName(inner))", e.span,
          help: "declare `record …` with the element's fields and write `list of` that record")
      }
      return .error
    case .named(let n):
      if let b = Self.builtinTypes[n.text] { return b }
      if let k = schema.kinds.firstIndex(where: { $0.name == n.text }) { return .kind(k) }
      if let r = schema.records.firstIndex(where: { $0.name == n.text }) {
        if schema.records[r].role != .record {
          report("C009", "`\(n.text)` is a top-level data declaration and cannot be a field type", n.span,
            help: "declare it with `record \(n.text)` instead")
          return .error
        }
        return .record(r)
      }
      let candidates = Array(Self.builtinTypes.keys) + schema.kinds.map(\.name) + schema.records.map(\.name)
      report("C009", "unknown type `\(n.text)`", n.span, help: suggestion(n.text, candidates) ?? "types are `money`, `number`, `percent`, `bps`, `ratio`, `date`, `duration`, `text`, `bool`, `country`, `fx`, a kind or a record")
      return .error
    }
  }

  mutating func resolveFieldTypes(_ covenant: Covenant) {
    for decl in covenant.declarations {
      guard case .record(let r) = decl,
        let ri = schema.records.firstIndex(where: { $0.name == r.name.text }),
        schema.records[ri].fields.isEmpty
      else { continue }
      var rec = schema.records[ri]
      for f in r.fields {
        if rec.index[f.name.text] != nil {
          duplicateName(f.name, "field of `\(r.name.text)`")
          continue
        }
        let type = resolveType(f.type)
        if f.inCents, !type.isMoney, type != .error {
          report("C027", "`in cents` applies only to money fields", f.span, help: "remove `in cents`, or declare the field as `money`")
        }
        if f.currency != nil, !type.isMoney, type != .error {
          report("C027", "`currency` applies only to money fields", f.span)
        }
        var fieldType = type
        if case .fixed(let code) = f.currency {
          if ISOCodes.currencies.contains(code.text) { fieldType = .money(currency: code.text) } else { unknownCurrency(code) }
        }
        if f.signed, !fieldType.isMoney, type != .error {
          report("C027", "`signed` applies only to money fields", f.span, help: "remove `signed`, or declare the field as `money`")
        }
        var defaultValue: Value?
        if let d = f.defaultValue, case .name(let other) = d.kind, Self.isFieldDefault(other, of: r, type: fieldType, schema: schema) {
          // `affiliate_group : text default issuer`: another field of the same record, resolved below.
          pendingFieldDefaults.append((ri, rec.fields.count, other))
        } else if let d = f.defaultValue {
          let checked = checkExpr(d, hint: Self.isCountryWord(d) ? fieldType : nil)
          if case .constant(let v) = checked.kind, compatible(checked.type, fieldType) {
            defaultValue = v
          } else if checked.type != .error {
            report("C026", "the default of `\(f.name.text)` must be a fixed \(schema.typeName(fieldType)) value", d.span,
              help: fieldType.isMoney ? "write e.g. `default $0`" : nil)
          }
        }
        let source = (f.source ?? f.name.text).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if source.contains(where: \.isEmpty), let span = f.sourceSpan {
          report("C027", "`from \"\(f.source ?? "")\"` has an empty key", span, help: "keys are separated by single dots, e.g. `from \"fund.as_of\"`")
        }
        var field = FieldSchema(
          name: f.name.text, type: fieldType, source: source, optional: f.optional, defaultValue: defaultValue,
          inCents: f.inCents, currency: f.currency, span: f.span, signed: f.signed)
        checkQuote(f, type: type, into: &field)
        checkPeriodRole(f, type: fieldType, index: rec.fields.count, into: &rec)
        rec.index[f.name.text] = rec.fields.count
        rec.fields.append(field)
      }
      rec.labelField = rec.fields.firstIndex { $0.type == .text }
      schema.records[ri] = rec
    }
    resolveFieldDefaults()
    refuseRecursiveRecords(covenant)
    if schema.snapshot == nil, covenant.declarations.contains(where: { if case .clause = $0 { true } else { false } }) {
      report("C019", "the covenant does not declare the snapshot it reads", SourceSpan(0, 0),
        help: "add `data fund from snapshot` with the snapshot's fields, e.g. `equity : money`")
    }
  }

  /// `default NAME` names another field of the record unless NAME is a value of the field's kind.
  static func isFieldDefault(_ n: Name, of r: RecordDecl, type: ValueType, schema: Schema) -> Bool {
    if case .kind(let k) = type, schema.kinds[k].index[n.text] != nil { return false }
    return r.fields.contains { $0.name.text == n.text }
  }

  /// Links each `default OTHER_FIELD` to its field: same type, and not itself defaulted from a
  /// field (a default is one step, so the order of the fields never matters).
  mutating func resolveFieldDefaults() {
    for (ri, fi, other) in pendingFieldDefaults {
      var rec = schema.records[ri]
      let f = rec.fields[fi]
      guard let oi = rec.index[other.text], oi != fi else {
        report("C026", "the default of `\(f.name)` cannot be the field itself", other.span)
        continue
      }
      let o = rec.fields[oi]
      if pendingFieldDefaults.contains(where: { $0.0 == ri && $0.1 == oi }) {
        report("C026", "the default of `\(f.name)` is `\(o.name)`, which itself defaults to another field", other.span,
          help: "a default names a field that is read from the data, one step")
        continue
      }
      if case .list = o.type {
        report("C026", "the default of `\(f.name)` cannot be a list", other.span)
        continue
      }
      guard compatible(o.type, f.type), o.type != .error, f.type != .error else {
        if o.type != .error && f.type != .error {
          report("C026", "the default of `\(f.name)` (\(schema.typeName(f.type))) is `\(o.name)`, which is \(schema.typeName(o.type))", other.span,
            help: "a field defaults to another field of the same type")
        }
        continue
      }
      rec.fields[fi].defaultField = oi
      rec.fields[fi].optional = true
      schema.records[ri] = rec
    }
    pendingFieldDefaults = []
  }

  /// Data is a tree: a record that contains itself, directly or through others, would let a
  /// data file nest without bound, so it is refused.
  mutating func refuseRecursiveRecords(_ covenant: Covenant) {
    func children(_ r: Int) -> [Int] {
      schema.records[r].fields.compactMap { f in
        switch f.type {
        case .record(let c), .list(.record(let c)): c
        default: nil
        }
      }
    }
    for start in schema.records.indices {
      var seen = Set<Int>()
      var stack = children(start)
      while let r = stack.popLast() {
        if r == start {
          let name = schema.records[start].name
          let span = covenant.declarations.lazy.compactMap { d -> SourceSpan? in
            if case .record(let rd) = d, rd.name.text == name { return rd.name.span }
            return nil
          }.first ?? .none
          report("C009", "record `\(name)` contains itself", span, help: "data is read as a tree; give the nested part its own record")
          break
        }
        if seen.insert(r).inserted { stack += children(r) }
      }
    }
  }

  /// An `fx` field says how its rates are quoted: `{"JPY": 150}` and `{"JPY": 0.0067}` are both
  /// common, so a missing or ambiguous quote is a rule error, never a guess.
  mutating func checkQuote(_ f: FieldDecl, type: ValueType, into field: inout FieldSchema) {
    let base = schema.baseCurrency
    guard type == .fx else {
      if let q = f.quote, type != .error { report("C027", "`quoted` applies only to `fx` fields", q.span) }
      return
    }
    guard let q = f.quote else {
      report("C027", "say how the FX rates of `\(f.name.text)` are quoted", f.span,
        help: "`quoted JPY per \(base)` (150 yen per dollar, as markets quote it) or `quoted \(base) per JPY` (0.0067); `currency` stands for each currency: `quoted currency per \(base)`")
      return
    }
    for side in [q.units, q.per] where side.text != "currency" && !ISOCodes.currencies.contains(side.text) { unknownCurrency(side) }
    let unitsBase = q.units.text == base, perBase = q.per.text == base
    guard unitsBase != perBase else {
      report("C027", "`quoted \(q.units.text) per \(q.per.text)` is ambiguous: one side must be the base currency \(base), the other a currency", q.span,
        help: "e.g. `quoted JPY per \(base)` or `quoted \(base) per JPY`")
      return
    }
    field.fxPerBase = perBase
    let other = perBase ? q.units.text : q.per.text
    field.fxCurrency = other == "currency" ? nil : other
  }

  mutating func declareParties(_ covenant: Covenant) {
    for decl in covenant.declarations {
      guard case .party(let p) = decl else { continue }
      if partyIndex[p.name.text] != nil || isDeclaredName(p.name.text) {
        duplicateName(p.name, "party")
        continue
      }
      var weight: Exact?
      if let w = p.weight {
        let checked = checkExpr(w)
        if case .constant(.number(let x)) = checked.kind, x.signum >= 0 { weight = x } else if checked.type != .error {
          report("C031", "a party's weight must be a non-negative number or percentage", w.span, help: "write e.g. `weight 50%` or `weight 3`")
        }
      }
      partyIndex[p.name.text] = parties.count
      partyDecls.append(p)
      var percent = false
      if case .literal(.percent) = p.weight?.kind { percent = true }
      let id = p.dataID ?? p.name.text
      if let other = parties.first(where: { $0.dataID == id }) {
        report("C008", "parties `\(other.name)` and `\(p.name.text)` have the same id \"\(id)\" in the data", p.span)
      }
      parties.append(CheckedParty(name: p.name.text, displayName: p.displayName, weight: weight, weightIsPercent: percent, classes: p.classes.map(\.text), dataID: id))
    }
    // Percentage weights that do not add up to 100% are almost always a drafting slip.
    if !parties.isEmpty, parties.allSatisfy(\.weightIsPercent), let first = partyDecls.first {
      let total = parties.reduce(Exact.zero) { (try? $0.adding($1.weight ?? .zero)) ?? $0 }
      if total != .one {
        report("C032", "the parties' voting weights add up to \(Format.number(total, style: .percent)), not 100%", first.span,
          help: "thresholds of voting power are fractions of the total, so check each `weight`", severity: .warning)
      }
    }
  }

  /// Definitions in an order where each comes after those it reads; cycles are reported.
  mutating func definitionOrder() -> [Int] {
    let n = definitionDecls.count
    var deps = [[Int]](repeating: [], count: n)
    for i in 0..<n {
      var names: [Name] = []
      collectNames(definitionDecls[i].value, into: &names)
      let params = Set(definitionDecls[i].parameters.map(\.text))
      deps[i] = names.filter { !params.contains($0.text) }.compactMap { definitionIndex[$0.text] }.uniqued()
    }
    var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on stack, 2 done
    var order: [Int] = []
    var inCycle = Set<Int>()
    for root in 0..<n where state[root] == 0 {
      var stack: [(node: Int, next: Int)] = [(root, 0)]
      state[root] = 1
      while let top = stack.last {
        if top.next < deps[top.node].count {
          stack[stack.count - 1].next += 1
          let d = deps[top.node][top.next]
          if state[d] == 0 {
            state[d] = 1
            stack.append((d, 0))
          } else if state[d] == 1 {
            let cycleStart = stack.firstIndex { $0.node == d } ?? 0
            let members = stack[cycleStart...].map(\.node)
            if !members.contains(where: inCycle.contains) {
              let names = (members + [d]).map { "`\(definitionDecls[$0].name.text)`" }.joined(separator: " → ")
              let decl = definitionDecls[d]
              report("C006", "definition `\(decl.name.text)` depends on itself: \(names)", decl.name.span,
                help: "a definition cannot use itself, directly or through others; break the cycle")
            }
            inCycle.formUnion(members)
          }
        } else {
          state[top.node] = 2
          order.append(top.node)
          stack.removeLast()
        }
      }
    }
    return order.filter { !inCycle.contains($0) }
  }

  func collectNames(_ e: Expr, into names: inout [Name]) {
    switch e.kind {
    case .name(let n): names.append(n)
    case .literal, .that, .invalid: break
    case .member(let b, _), .negate(let b), .not(let b), .convert(let b, _): collectNames(b, into: &names)
    case .binary(_, let a, let b):
      collectNames(a, into: &names)
      collectNames(b, into: &names)
    case .list(let items): for i in items { collectNames(i, into: &names) }
    case .aggregate(_, let over, let cond, let by):
      collectNames(over, into: &names)
      if let cond { collectNames(cond, into: &names) }
      if let by { collectNames(by, into: &names) }
    case .quantifier(_, _, let list, let cond, let body):
      collectNames(list, into: &names)
      if let cond { collectNames(cond, into: &names) }
      collectNames(body, into: &names)
    case .presence(let x, _): collectNames(x, into: &names)
    case .conditional(let c, let a, let b):
      for x in [c, a, b] { collectNames(x, into: &names) }
    case .call(let n, let args):
      names.append(n)
      for x in args { collectNames(x, into: &names) }
    case .trailing(let a, let n):
      collectNames(a, into: &names)
      collectNames(n, into: &names)
    }
  }

  /// Parameters are distinct names, each used in the body.
  mutating func checkParameters(_ d: DefineDecl) {
    var seen = Set<String>()
    var used: [Name] = []
    collectNames(d.value, into: &used)
    for p in d.parameters {
      if !seen.insert(p.text).inserted { duplicateName(p, "parameter of `\(d.name.text)`") }
      if !used.contains(where: { $0.text == p.text }) {
        report("C040", "parameter `\(p.text)` of `\(d.name.text)` is not used in its definition", p.span,
          help: "remove it, or use it, as in `define sector_exposure(s) = sum of holdings.value where sector = s`")
      }
    }
  }

  /// `sector_exposure(that sector)`: the definition's body with each parameter replaced by its
  /// argument, checked where it is used, so a `where sector = that sector` inside it is planned
  /// as the one keyed pass it would be if written out (no covenant becomes quadratic).
  mutating func checkCall(_ n: Name, _ args: [Expr], span: SourceSpan, hint: ValueType?) -> TExpr {
    expansionReported = false
    let expanded = expandCall(n, args, span: span)
    var t = checkExpr(expanded, hint: hint)
    t.span = span
    return t
  }

  /// The use `n(args)` written out: its arguments' own uses first (at the caller's level), then
  /// the body with the arguments in place of the parameters, then the body's own uses. An error
  /// gives an `.invalid` node (already reported).
  mutating func expandCall(_ n: Name, _ args: [Expr], span: SourceSpan) -> Expr {
    let bad = Expr(.invalid, span)
    guard let i = definitionIndex[n.text], !definitionDecls[i].parameters.isEmpty else {
      let what = definitionIndex[n.text] != nil ? "`\(n.text)` is a definition without parameters: write it without `(…)`" : "unknown definition `\(n.text)`"
      report(definitionIndex[n.text] != nil ? "C040" : "C001", what, n.span,
        help: suggestion(n.text, definitionDecls.filter { !$0.parameters.isEmpty }.map(\.name.text)))
      return bad
    }
    let d = definitionDecls[i]
    guard args.count == d.parameters.count else {
      report("C040", "`\(n.text)` takes \(d.parameters.count) argument\(d.parameters.count == 1 ? "" : "s") (\(d.parameters.map(\.text).joined(separator: ", "))), not \(args.count)", span)
      return bad
    }
    guard !expanding.contains(i) else {
      report("C006", "definition `\(n.text)` uses itself", n.span, help: "a definition cannot use itself, directly or through others; break the cycle")
      return bad
    }
    // A bound on the nesting keeps the written-out expression as shallow as the parser's limit
    // allows a few definitions to be.
    guard expanding.count < Self.maxExpansionDepth else {
      // Once per outermost use, not once per branch of it.
      if !expansionReported {
        expansionReported = true
        report("C040", "definitions with parameters used inside one another more than \(Self.maxExpansionDepth) deep", n.span,
          help: "define the inner figure once, without parameters, and use it by name")
      }
      return bad
    }
    var bindings: [String: Expr] = [:]
    for (p, a) in zip(d.parameters, args) { bindings[p.text] = expandCalls(a) }
    var size = 0
    let body = substitute(d.value, bindings, size: &size)
    expansionBudget -= size
    guard expansionBudget >= 0 else {
      if expansionBudget + size >= 0 {
        report("C040", "definitions with parameters expand to more than 100,000 terms", span,
          help: "a definition that uses another several times, nested, grows exponentially; define the shared figure once")
      }
      return bad
    }
    expanding.insert(i)
    usedParametrised.insert(i)
    defer { expanding.remove(i) }
    // The arguments are in place and written out already; only the body's own uses remain.
    var out = expandCalls(body)
    out.span = span
    return out
  }

  /// `e` with every use of a definition with parameters written out.
  mutating func expandCalls(_ e: Expr) -> Expr {
    var out = e
    switch e.kind {
    case .call(let n, let args): return expandCall(n, args, span: e.span)
    case .name, .literal, .that, .invalid: break
    case .member(let x, let n): out.kind = .member(expandCalls(x), n)
    case .negate(let x): out.kind = .negate(expandCalls(x))
    case .not(let x): out.kind = .not(expandCalls(x))
    case .convert(let x, let c): out.kind = .convert(expandCalls(x), c)
    case .binary(let op, let x, let y): out.kind = .binary(op, expandCalls(x), expandCalls(y))
    case .list(let items):
      var xs: [Expr] = []
      for x in items { xs.append(expandCalls(x)) }
      out.kind = .list(xs)
    case .aggregate(let fn, let over, let cond, let by):
      let o = expandCalls(over)
      let c = cond.map { expandCalls($0) }
      let b = by.map { expandCalls($0) }
      out.kind = .aggregate(fn, over: o, where: c, by: b)
    case .quantifier(let q, let v, let list, let cond, let body):
      let l = expandCalls(list)
      let c = cond.map { expandCalls($0) }
      out.kind = .quantifier(q, variable: v, list: l, where: c, body: expandCalls(body))
    case .presence(let x, let m): out.kind = .presence(expandCalls(x), missing: m)
    case .conditional(let c, let x, let y): out.kind = .conditional(expandCalls(c), then: expandCalls(x), else: expandCalls(y))
    case .trailing(let a, let n): out.kind = .trailing(expandCalls(a), periods: expandCalls(n))
    }
    return out
  }

  func substitute(_ e: Expr, _ b: [String: Expr], size: inout Int) -> Expr {
    size += 1
    func s(_ x: Expr) -> Expr { substitute(x, b, size: &size) }
    var out = e
    switch e.kind {
    case .name(let n): if let a = b[n.text] { out = a }
    case .literal, .that, .invalid: break
    case .member(let x, let n): out.kind = .member(s(x), n)
    case .negate(let x): out.kind = .negate(s(x))
    case .not(let x): out.kind = .not(s(x))
    case .convert(let x, let c): out.kind = .convert(s(x), c)
    case .binary(let op, let x, let y): out.kind = .binary(op, s(x), s(y))
    case .list(let items): out.kind = .list(items.map { s($0) })
    case .aggregate(let fn, let over, let cond, let by): out.kind = .aggregate(fn, over: s(over), where: cond.map { s($0) }, by: by.map { s($0) })
    case .quantifier(let q, let v, let list, let cond, let body):
      // The element's own name shadows a parameter of the same name.
      var inner = b
      inner[v.text] = nil
      out.kind = .quantifier(q, variable: v, list: s(list), where: cond.map { substitute($0, inner, size: &size) }, body: substitute(body, inner, size: &size))
    case .presence(let x, let m): out.kind = .presence(s(x), missing: m)
    case .conditional(let c, let x, let y): out.kind = .conditional(s(c), then: s(x), else: s(y))
    case .call(let n, let args): out.kind = .call(n, args.map { s($0) })
    case .trailing(let a, let n): out.kind = .trailing(s(a), periods: s(n))
    }
    return out
  }

  // MARK: - Pro forma

  /// The snapshot list that deals join, found before definitions are checked so that a
  /// definition over it (`define nav = sum of holdings.value`) is known to change pro forma.
  func joinedListFieldFromSyntax(_ covenant: Covenant) -> Int? {
    for decl in covenant.declarations {
      guard case .proForma(let p) = decl, let snap = schema.snapshot else { continue }
      var name: String?
      switch p.list.kind {
      case .name(let n): name = n.text
      case .member(let base, let n):
        if case .name(let b) = base.kind, b.text == snapshotRootName { name = n.text }
      default: break
      }
      return name.flatMap { schema.records[snap].index[$0] }
    }
    return nil
  }

  mutating func checkProForma(_ covenant: Covenant) -> CheckedProForma? {
    let decls = covenant.declarations.compactMap { d -> ProFormaDecl? in if case .proForma(let p) = d { p } else { nil } }
    guard let decl = decls.first else { return nil }
    for extra in decls.dropFirst() { report("C020", "only one `pro forma` declaration is allowed", extra.span) }
    guard schema.deal != nil else {
      report("C020", "`pro forma` needs the deal's fields", decl.span, help: "declare them with `data deal from deal`")
      return nil
    }
    let list = checkExpr(decl.list)
    guard case .field(let base, let listField) = list.kind, case .snapshotRoot = base.kind,
      case .list(.record(let rec)) = list.type
    else {
      if list.type != .error {
        report("C020", "a deal can only join a list of the snapshot, such as `holdings`", decl.list.span)
      }
      return nil
    }
    let record = schema.records[rec]
    var fields = [TExpr?](repeating: nil, count: record.fields.count)
    for a in decl.assignments {
      guard let fi = record.index[a.field.text] else {
        unknownField(a.field, record: rec)
        continue
      }
      if fields[fi] != nil { duplicateName(a.field, "assignment") }
      let want = record.fields[fi].type
      let value = checkExpr(a.value, hint: Self.isCountryWord(a.value) ? want : nil)
      if !compatible(value.type, want) && value.type != .error && want != .error {
        report("C020", "`\(a.field.text)` is \(schema.typeName(want)) but the value given is \(schema.typeName(value.type))", a.value.span)
      }
      fields[fi] = value
    }
    var complete: [TExpr] = []
    for (i, f) in record.fields.enumerated() {
      if let v = fields[i] {
        complete.append(v)
      } else if let d = f.defaultValue {
        complete.append(TExpr(kind: .constant(d), type: f.type, span: decl.span, usesDeal: false, usesJoinedList: false))
      } else if f.optional {
        complete.append(TExpr(kind: .constant(.absent), type: f.type, span: decl.span, usesDeal: false, usesJoinedList: false))
      } else {
        report("C020", "`pro forma` does not say what the deal gives for `\(f.name)` of `\(record.name)`", decl.span,
          help: "add `\(f.name) = deal.…` to the `with` list, or make the field `optional`")
        complete.append(TExpr(kind: .invalid, type: .error, span: decl.span, usesDeal: false, usesJoinedList: false))
      }
    }
    // `default OTHER_FIELD`: the deal's element takes the other field's value when its own is missing.
    for (i, f) in record.fields.enumerated() {
      guard let o = f.defaultField, o < complete.count else { continue }
      let own = complete[i], other = complete[o]
      if case .constant(let v) = own.kind, v != .absent { continue }
      let given = make(.presence(own, missing: false), .bool, own.span, [own])
      complete[i] = make(.conditional(given, own, other), f.type, own.span, [own, other])
    }
    joinedListField = listField
    // The deal field that sizes the deal: the money field assigned straight from the deal,
    // preferring a target called `value`.
    var amountField: Int?
    var valueField: Int?
    for (i, f) in record.fields.enumerated() where f.type.isMoney {
      if case .field(let b, let df) = complete[i].kind, case .dealRoot = b.kind {
        if valueField == nil || f.name == "value" {
          amountField = df
          valueField = i
        }
      }
    }
    return CheckedProForma(listField: listField, record: rec, fields: complete, amountField: amountField, valueField: valueField)
  }

  // MARK: - Clauses

  mutating func checkClause(_ c: ClauseDecl) -> CheckedClause? {
    var clause = CheckedClause(
      id: c.id, title: c.title, text: c.text, span: c.span, appliesWhen: [], effectiveFrom: nil, until: nil,
      testedOn: .snapshot, severityWarning: false, group: nil, requirements: [], warn: nil, approval: nil,
      votes: nil, waivableBy: [], needsDeal: false)
    var explicitTestedOn: TestedOn?
    group = nil
    clauseID = c.id
    defer { group = nil; clauseID = nil }
    for item in c.items {
      switch item {
      case .appliesWhen(let e):
        clause.appliesWhen.append(checkCondition(e, what: "`applies when`"))
      case .effectiveFrom(let e), .until(let e):
        let checked = checkExpr(e)
        if checked.type != .date && checked.type != .error {
          report("C021", "`\(item.isUntil ? "until" : "effective from")` needs a date, found \(schema.typeName(checked.type))", e.span, help: "write e.g. `effective from 2027-01-01`")
        }
        if schema.snapshot.flatMap({ schema.records[$0].index["as_of"] }) == nil {
          report("C021", "dated clauses need the snapshot's as-of date", e.span,
            help: "declare `as_of : date` in the snapshot (with `from \"…\"` if the file names it differently)")
        }
        if item.isUntil { clause.until = checked } else { clause.effectiveFrom = checked }
      case .testedOn(let t, _):
        explicitTestedOn = t
      case .severity(let severity, _):
        clause.severityWarning = severity == .warning
      case .forEach(let field, let listExpr, let span):
        if clause.group != nil || !clause.requirements.isEmpty || !clause.reports.isEmpty {
          report("C023", "`for each` must come before the clause's requirements, once", span,
            help: "`for each` (also in `report … for each …`) groups the whole clause: put it first, or give the grouped figures a clause of their own")
          continue
        }
        if clause.window != nil {
          report("C050", "a clause is grouped once: by `for each window …` or by `for each \(field.text)`, not both", span,
            help: "give the per-window requirements a clause of their own")
          continue
        }
        if let g = checkGroup(field: field, list: listExpr, span: span) { clause.group = g }
      case .forEachWindow(let n, let listExpr, let span):
        if clause.group != nil || clause.window != nil || !clause.requirements.isEmpty || !clause.reports.isEmpty {
          report("C023", "`for each window …` must come before the clause's requirements, once, and not with another `for each`", span,
            help: "put it first; give other groupings a clause of their own")
          continue
        }
        clause.window = checkWindow(periods: n, list: listExpr, span: span)
      case .requirement(let e):
        let checked = checkCondition(e, what: "a requirement")
        clause.requirements.append(CheckedRequirement(expr: checked, source: file.text(e.span), span: e.span))
      case .report(let e, _):
        let checked = checkExpr(e)
        switch checked.type {
        case .record, .list, .fx:
          report("C060", "`report` shows a figure, not \(schema.typeName(checked.type))", e.span,
            help: "report an amount, a percentage or another single value, e.g. `report share of holdings.value where sector = that sector`")
        default:
          clause.reports.append(CheckedRequirement(expr: checked, source: file.text(e.span), span: e.span))
        }
      case .warn(let above, let inclusive, let fraction, let span):
        let f = checkExpr(fraction)
        guard case .constant(.number(let x)) = f.kind, x.signum > 0 else {
          if f.type != .error { report("C022", "`warn \(above ? "above" : "below")` needs a percentage of the limit, such as `90%`", fraction.span) }
          continue
        }
        if above && x > Exact.one || !above && x < Exact.one {
          report("C022", "`warn \(above ? "above" : "below") \(file.text(fraction.span))` would never warn before the limit is reached", fraction.span,
            help: above ? "a warning threshold for a cap is below 100%, e.g. `warn above 90% of the limit`" : "a warning threshold for a floor is above 100%, e.g. `warn below 110% of the limit`")
        }
        let hasCap = clause.requirements.contains { r in
          if case .compare(let op, _, _) = r.expr.kind { return above ? (op == .le || op == .lt) : (op == .ge || op == .gt) }
          return false
        }
        if !hasCap {
          report("C022", "`warn \(above ? "above" : "below")` needs a requirement of the form `value \(above ? "<=" : ">=") limit` before it", span)
        }
        clause.warn = .init(above: above, fraction: x, inclusive: inclusive)
      case .approvedBy(let rule):
        clause.approval = resolvePartyRefs(rule.parties, what: "approval")
      case .votes(let rule):
        if let body = rule.body {
          if let v = checkBodyVote(rule, body) { clause.bodyVotes.append(v) }
        } else {
          clause.votes = checkVoteRule(rule)
        }
      case .consent(let rule):
        if clause.consent != nil {
          report("C092", "a clause has one consent exception", rule.span, help: "name every body that may consent on one line: `without consent of lps or lpac`")
        } else {
          clause.consent = checkConsent(rule, clause)
        }
      case .waivableBy(let refs, _):
        clause.waivableBy = resolvePartyRefs(refs, what: "waiver", code: "C035")
      case .subjectTo(let refs, _):
        crossReferences.append(CrossReference(clause: c.id, form: .subjectTo, refs: refs))
      case .notwithstanding(let refs, _):
        crossReferences.append(CrossReference(clause: c.id, form: .notwithstanding, refs: refs))
      case .exception(let refs, let condition, _):
        // One condition for the whole clause, not per group: `that sector` has no value here.
        let grouped = group
        group = nil
        let checked = checkCondition(condition, what: "an exception's `when`")
        group = grouped
        clause.exceptions.append(.init(clauses: refs.map(\.text), condition: checked, source: file.text(condition.span)))
        crossReferences.append(CrossReference(clause: c.id, form: .exception, refs: refs, exception: clause.exceptions.count - 1))
      case .quorum(let cmp, let fraction, let span):
        let rule = VoteRule(comparison: .ge, fraction: Expr(.literal(.number(.zero)), span), base: .votingPower, quorum: fraction,
          quorumComparison: cmp, countAbstentions: false, excludeConflicted: false, castingVote: nil, span: span)
        if clause.quorum != nil {
          report("C031", "a clause has one stand-alone quorum", span)
        } else if var q = checkVoteRule(rule) {
          q.quorumOnly = true
          clause.quorum = q
        }
      }
    }
    requireGovernanceData(clause, c, governance)
    let exprs = clause.appliesWhen + clause.requirements.map(\.expr) + clause.reports.map(\.expr) + clause.exceptions.map(\.condition) + [clause.group?.list, clause.window?.calendar.list].compactMap { $0 }
    clause.needsDeal = exprs.contains(where: \.usesDeal) || clause.hasGovernance
    let usesList = exprs.contains(where: \.usesJoinedList)
    clause.testedOn = explicitTestedOn ?? (usesList ? .both : clause.needsDeal ? .proForma : .snapshot)
    if clause.requirements.isEmpty && clause.reports.isEmpty && clause.exceptions.isEmpty && !clause.hasGovernance {
      report("C010", "clause §\(c.id) has no requirement", c.idSpan, help: "add what must hold, e.g. `total_debt <= 2.0x fund.equity`")
    }
    return clause
  }

  mutating func checkGroup(field: Name, list listExpr: Expr?, span: SourceSpan) -> CheckedClause.Group? {
    let list: TExpr
    if let listExpr {
      list = checkExpr(listExpr)
    } else if let snap = schema.snapshot, let jf = joinedListField ?? schema.records[snap].fields.firstIndex(where: { if case .list = $0.type { true } else { false } }) {
      let f = schema.records[snap].fields[jf]
      list = TExpr(kind: .field(root(snap), jf), type: f.type, span: span, usesDeal: false, usesJoinedList: jf == joinedListField)
    } else {
      report("C023", "`for each \(field.text)` needs a list to group", span, help: "write `for each \(field.text) in holdings:`")
      return nil
    }
    guard case .list(.record(let rec)) = list.type else {
      if list.type != .error { report("C023", "`for each` groups the elements of a list", listExpr?.span ?? span) }
      return nil
    }
    guard let fi = schema.records[rec].index[field.text] else {
      unknownField(field, record: rec)
      return nil
    }
    switch schema.records[rec].fields[fi].type {
    case .kind, .text, .country, .bool, .date: break
    default:
      report("C023", "cannot group by `\(field.text)`: only text, kinds, countries, dates and true/false group", field.span)
      return nil
    }
    group = (fi, field.text, rec)
    let slot = newSlot()
    return .init(list: list, field: fi, fieldName: field.text, slot: slot)
  }

  mutating func resolvePartyRefs(_ refs: [PartyRef], what: String, code: String = "C030") -> [ResolvedPartyRef] {
    refs.compactMap { ref in
      switch ref {
      case .party(let n):
        if let i = partyIndex[n.text] { return .party(i) }
        report(code, "unknown party `\(n.text)` in \(what)", n.span,
          help: suggestion(n.text, parties.map(\.name)) ?? (parties.isEmpty ? "declare it with `party \(n.text) \"Full name\" weight …`" : "parties are " + parties.map { "`\($0.name)`" }.joined(separator: ", ")))
        return nil
      case .anyOf(let n), .allOf(let n):
        let classes = knownClasses(governance) ?? [n.text]
        guard classes.contains(n.text) else {
          report(code, "no party is of class `\(n.text)`", n.span, help: suggestion(n.text, Array(classes)) ?? "give parties a class with `party … class \(n.text)`")
          return nil
        }
        if case .anyOf = ref { return .anyOf(n.text) }
        return .allOf(n.text)
      }
    }
  }

  mutating func checkVoteRule(_ rule: VoteRule, needsParties: Bool = true) -> CheckedVoteRule? {
    func fraction(_ e: Expr, _ what: String) -> Exact? {
      let t = checkExpr(e)
      guard case .constant(.number(let x)) = t.kind else {
        if t.type != .error { report("C031", "\(what) must be a fixed fraction such as `2/3` or `75%`", e.span) }
        return nil
      }
      if x > Exact.one || x.signum < 0 {
        report("C031", "\(what) of \(file.text(e.span)) is above 100%", e.span, help: "a threshold is a fraction between 0% and 100%, e.g. `2/3` or `66⅔%`")
        return nil
      }
      return x
    }
    guard let f = fraction(rule.fraction, "the voting threshold") else { return nil }
    var q: Exact?
    if let qe = rule.quorum {
      guard let x = fraction(qe, "the quorum") else { return nil }
      q = x
    }
    var casting: Int?
    if let c = rule.castingVote {
      if let i = partyIndex[c.text] { casting = i } else {
        report("C030", "unknown party `\(c.text)` for the casting vote", c.span, help: suggestion(c.text, parties.map(\.name)))
      }
    }
    if needsParties && parties.isEmpty && governance.members == nil {
      report("C030", "a voting rule needs parties", rule.span, help: "declare them with `party treasury \"…\" weight 50%`, or read them with `governance members from snapshot \"…\"`")
    }
    guard rule.comparison.isComparison, rule.comparison != .eq, rule.comparison != .ne else {
      report("C031", "a voting threshold is `>=` or `>`", rule.span)
      return nil
    }
    return CheckedVoteRule(
      comparison: rule.comparison, fraction: f, base: rule.base, quorum: q, quorumComparison: rule.quorumComparison,
      countAbstentions: rule.countAbstentions, excludeConflicted: rule.excludeConflicted, castingVote: casting)
  }

  // MARK: - Expressions

  mutating func newSlot() -> Int {
    localCount += 1
    return localCount - 1
  }

  func root(_ record: Int) -> TExpr {
    let isDeal = record == schema.deal
    return TExpr(kind: isDeal ? .dealRoot : .snapshotRoot, type: .record(record), span: .none, usesDeal: isDeal, usesJoinedList: false)
  }

  func make(_ kind: TExpr.Kind, _ type: ValueType, _ span: SourceSpan, _ parts: [TExpr]) -> TExpr {
    TExpr(kind: kind, type: type, span: span, usesDeal: parts.contains(where: \.usesDeal), usesJoinedList: parts.contains(where: \.usesJoinedList))
  }

  func invalid(_ span: SourceSpan) -> TExpr {
    TExpr(kind: .invalid, type: .error, span: span, usesDeal: false, usesJoinedList: false)
  }

  mutating func checkCondition(_ e: Expr, what: String) -> TExpr {
    let t = checkExpr(e)
    if t.type != .bool && t.type != .error {
      report("C010", "\(what) must be true or false, but this is \(schema.typeName(t.type))", e.span,
        help: "compare it with something, e.g. `… <= 35% of nav`")
    }
    return t
  }

  mutating func checkExpr(_ e: Expr, hint: ValueType? = nil) -> TExpr {
    switch e.kind {
    case .invalid:
      return invalid(e.span)
    case .literal(let lit):
      // A bare two-capital word (`AA`) is a value of a declared kind where the other side is of
      // that kind (`rating = AA`); otherwise it is a country code (`domicile = US`).
      if case .country(let word) = lit, case .kind(let k) = hint, let m = schema.kinds[k].index[word] {
        return TExpr(kind: .constant(.kind(k, m)), type: .kind(k), span: e.span, usesDeal: false, usesJoinedList: false)
      }
      return checkLiteral(lit, e.span)
    case .name(let n):
      return resolveName(n, hint: hint)
    case .that(let n):
      guard let g = group else {
        report("C016", "`that \(n.text)` is only meaningful inside `for each \(n.text):`", e.span)
        return invalid(e.span)
      }
      guard g.name == n.text else {
        report("C016", "this clause groups by `\(g.name)`, not `\(n.text)`", n.span, help: "write `that \(g.name)`")
        return invalid(e.span)
      }
      return TExpr(kind: .groupKey, type: schema.records[g.record].fields[g.field].type, span: e.span, usesDeal: false, usesJoinedList: true)
    case .member(let base, let n):
      let b = checkExpr(base)
      return member(b, n, e.span)
    case .negate(let inner):
      let x = checkExpr(inner)
      switch x.type {
      case .number, .money, .duration, .error:
        if case .constant(.number(let n)) = x.kind, let v = try? n.negated() {
          return TExpr(kind: .constant(.number(v)), type: x.type, span: e.span, usesDeal: false, usesJoinedList: false)
        }
        if case .constant(.money(let n, let c)) = x.kind, let v = try? n.negated() {
          return TExpr(kind: .constant(.money(v, currency: c)), type: x.type, span: e.span, usesDeal: false, usesJoinedList: false)
        }
        return make(.negate(x), x.type, e.span, [x])
      default:
        report("C003", "cannot negate \(schema.typeName(x.type))", e.span)
        return invalid(e.span)
      }
    case .not(let inner):
      let x = checkCondition(inner, what: "the operand of `not`")
      return make(.not(x), .bool, e.span, [x])
    case .binary(let op, let a, let b):
      return checkBinary(op, a, b, e.span)
    case .convert(let inner, let code):
      return checkConversion(checkExpr(inner), code, e.span)
    case .list(let items):
      report("C014", "a list in brackets can only follow `in`, as in `sector in [power, logistics]`", e.span)
      _ = items
      return invalid(e.span)
    case .aggregate(let fn, let over, let cond, let by):
      if fn == .min || fn == .max, case .list(let items) = over.kind, cond == nil, by == nil {
        return checkExtremum(max: fn == .max, items, span: e.span)
      }
      return checkAggregate(fn, over: over, where: cond, by: by, span: e.span)
    case .presence(let inner, let missing):
      let x = checkExpr(inner)
      if case .list = x.type {
        report("C014", "`is \(missing ? "missing" : "present")` applies to a value, not to a list", inner.span,
          help: "a list is never missing; count its elements instead, e.g. `count of … = 0`")
        return invalid(e.span)
      }
      return make(.presence(x, missing: missing), .bool, e.span, [x])
    case .call(let n, let args):
      return checkCall(n, args, span: e.span, hint: hint)
    case .conditional(let c, let a, let b):
      let cond = checkCondition(c, what: "the condition after `if`")
      let x = checkExpr(a)
      let y = checkExpr(b, hint: x.type)
      guard let t = branchType(x.type, y.type) else {
        report("C004", "the two branches of `if` give \(schema.typeName(x.type)) and \(schema.typeName(y.type))", e.span,
          help: "both branches give the same kind of value, e.g. `if … then $0 else deal.amount`")
        return invalid(e.span)
      }
      return make(.conditional(cond, x, y), t, e.span, [cond, x, y])
    case .quantifier(let q, let v, let list, let cond, let body):
      return checkQuantifier(q, variable: v, list: list, where: cond, body: body, span: e.span)
    case .trailing(let aggregate, let n):
      return checkTrailing(aggregate, periods: n, span: e.span)
    }
  }


  /// The type of `if … then a else b`, or of `max of [a, b]`: both the same kind of value.
  func branchType(_ a: ValueType, _ b: ValueType) -> ValueType? {
    switch (a, b) {
    case (.error, _), (_, .error): return .error
    case (.number(let s), .number(let t)): return .number(s == t ? s : s == .plain ? t : t == .plain ? s : .plain)
    case (.money(let x), .money(let y)): return x == nil || y == nil || x == y ? .money(currency: x ?? y) : nil
    case (.list, _), (_, .list), (.record, _), (_, .record), (.fx, _): return nil
    default: return a == b ? a : nil
    }
  }

  /// `max of [$0, a - b]`: the largest (smallest) of a few values of one unit.
  mutating func checkExtremum(max: Bool, _ items: [Expr], span: SourceSpan) -> TExpr {
    let word = max ? "max" : "min"
    guard !items.isEmpty else {
      report("C015", "`\(word) of []` has no values", span, help: "write e.g. `\(word) of [$0, a - b]`")
      return invalid(span)
    }
    var checked: [TExpr] = []
    var type: ValueType = .error
    for item in items {
      let x = checkExpr(item, hint: checked.first?.type)
      switch x.type {
      case .number, .money, .date, .duration, .error: break
      default:
        report("C015", "`\(word) of [...]` takes amounts, numbers, dates or durations, not \(schema.typeName(x.type))", item.span)
        return invalid(span)
      }
      if let first = checked.first {
        guard let t = branchType(type, x.type) else {
          if x.type.isMoney, first.type.isMoney {
            report("C024", "cannot compare \(schema.typeName(first.type)) with \(schema.typeName(x.type)) without converting", item.span,
              help: "convert one side with `in \(schema.baseCurrency)`, at the snapshot's FX rates")
          } else {
            report("C003", "`\(word) of [...]` mixes \(schema.typeName(first.type)) and \(schema.typeName(x.type))", item.span,
              help: unitHelp(first.type, x.type))
          }
          return invalid(span)
        }
        type = t
      } else {
        type = x.type
      }
      checked.append(x)
    }
    return make(.extremum(max: max, checked), type, span, checked)
  }

  mutating func checkConversion(_ x: TExpr, _ code: Name, _ span: SourceSpan) -> TExpr {
    guard ISOCodes.currencies.contains(code.text) else {
      unknownCurrency(code)
      return invalid(span)
    }
    guard x.type.isMoney || x.type == .error else {
      report("C025", "only money can be converted to \(code.text), not \(schema.typeName(x.type))", x.span)
      return invalid(span)
    }
    if schema.snapshot.flatMap({ s in schema.records[s].fields.firstIndex { $0.type == .fx } }) == nil {
      report("C025", "converting to \(code.text) needs FX rates in the snapshot", span,
        help: "declare a snapshot field such as `fx_rates : fx quoted JPY per \(schema.baseCurrency)`")
      return invalid(span)
    }
    return make(.convert(x, code.text), .money(currency: code.text), span, [x])
  }

  mutating func checkLiteral(_ lit: Literal, _ span: SourceSpan) -> TExpr {
    let (value, type): (Value, ValueType)
    switch lit {
    case .number(let x): (value, type) = (.number(x), .number(.plain))
    case .percent(let x), .bps(let x):
      let isPercent: Bool = if case .percent = lit { true } else { false }
      // Never fall back to the unscaled figure: that would be 100× (10,000×) too large.
      guard let v = try? x.divided(by: Exact(isPercent ? 100 : 10_000)) else {
        report("C037", "this \(isPercent ? "percentage" : "basis-point figure") is too large or too precise to hold exactly", span,
          help: "write at most 38 significant digits")
        return invalid(span)
      }
      (value, type) = (.number(v), .number(isPercent ? .percent : .bps))
    case .multiple(let x): (value, type) = (.number(x), .number(.multiple))
    case .money(let x, let c):
      guard ISOCodes.currencies.contains(c) else {
        unknownCurrency(Name(c, span))
        return invalid(span)
      }
      (value, type) = (.money(x, currency: c), .money(currency: c))
    case .date(let d): (value, type) = (.date(d), .date)
    case .duration(let d): (value, type) = (.duration(d), .duration)
    case .text(let s): (value, type) = (.text(s), .text)
    case .bool(let b): (value, type) = (.bool(b), .bool)
    case .country(let c):
      guard ISOCodes.countries.contains(c) else {
        let help = ISOCodes.commonMistakes[c].map { "did you mean `\($0)`?" } ?? "countries are ISO 3166 two-letter codes, e.g. `US`, `JP`"
        report("C013", "unknown country code `\(c)`", span, help: help)
        return invalid(span)
      }
      (value, type) = (.country(c), .country)
    }
    return TExpr(kind: .constant(value), type: type, span: span, usesDeal: false, usesJoinedList: false)
  }

  /// A bare two-capital word (`US`, `AA`): a country code unless a kind of the expected type has it.
  static func isCountryWord(_ e: Expr) -> Bool {
    if case .literal(.country) = e.kind { true } else { false }
  }

  mutating func resolveName(_ n: Name, hint: ValueType?) -> TExpr {
    // 1. A named element: `holding` in `every holding in holdings` or in an aggregate's `where`.
    if let s = scopes.last(where: { $0.name == n.text }) {
      return TExpr(kind: .local(s.slot), type: .record(s.record), span: n.span, usesDeal: false, usesJoinedList: false)
    }
    // 2. A field of the innermost element, written bare: `where sector = power`.
    if let s = scopes.last, let fi = schema.records[s.record].index[n.text] {
      let base = TExpr(kind: .local(s.slot), type: .record(s.record), span: n.span, usesDeal: false, usesJoinedList: false)
      return TExpr(kind: .field(base, fi), type: schema.records[s.record].fields[fi].type, span: n.span, usesDeal: false, usesJoinedList: false)
    }
    // 3. A value of the kind the other side of a comparison has: `sector = power`.
    if case .kind(let k) = hint, let m = schema.kinds[k].index[n.text] {
      return TExpr(kind: .constant(.kind(k, m)), type: .kind(k), span: n.span, usesDeal: false, usesJoinedList: false)
    }
    if let i = definitionIndex[n.text] {
      if !definitionDecls[i].parameters.isEmpty {
        let ps = definitionDecls[i].parameters.map(\.text).joined(separator: ", ")
        report("C040", "`\(n.text)` is defined with parameters (\(ps)): give its arguments", n.span,
          help: "write e.g. `\(n.text)(that \(definitionDecls[i].parameters[0].text))`")
        return invalid(n.span)
      }
      guard let d = definitions[i] else { return invalid(n.span) }  // in a cycle: already reported
      return TExpr(kind: .definition(i), type: d.value.type, span: n.span, usesDeal: d.value.usesDeal, usesJoinedList: d.value.usesJoinedList)
    }
    if n.text == snapshotRootName, let s = schema.snapshot { var r = root(s); r.span = n.span; return r }
    if n.text == dealRootName, let d = schema.deal { var r = root(d); r.span = n.span; return r }
    if let s = schema.snapshot, let fi = schema.records[s].index[n.text], case .list = schema.records[s].fields[fi].type {
      return TExpr(kind: .field(root(s), fi), type: schema.records[s].fields[fi].type, span: n.span, usesDeal: false, usesJoinedList: fi == joinedListField)
    }
    let owners = schema.kinds.indices.filter { schema.kinds[$0].index[n.text] != nil }
    if owners.count == 1, let k = owners.first, let m = schema.kinds[k].index[n.text] {
      return TExpr(kind: .constant(.kind(k, m)), type: .kind(k), span: n.span, usesDeal: false, usesJoinedList: false)
    }
    if owners.count > 1 {
      report("C011", "`\(n.text)` is a value of several kinds (\(owners.map { "`\(schema.kinds[$0].name)`" }.joined(separator: ", ")))", n.span,
        help: "compare it with a field of the kind meant, e.g. `sector = \(n.text)`")
      return invalid(n.span)
    }
    if partyIndex[n.text] != nil {
      report("C001", "`\(n.text)` is a party and has no value in a formula", n.span, help: "parties appear in `approved by`, `votes` and `waivable by`")
      return invalid(n.span)
    }
    var candidates = scopes.map(\.name) + Array(definitionIndex.keys) + [snapshotRootName, dealRootName].compactMap { $0 }
    if let s = scopes.last { candidates += schema.records[s.record].fields.map(\.name) }
    if let s = schema.snapshot { candidates += schema.records[s].fields.filter { if case .list = $0.type { true } else { false } }.map(\.name) }
    if case .kind(let k) = hint { candidates += schema.kinds[k].members } else { candidates += schema.kinds.flatMap(\.members) }
    var help = suggestion(n.text, candidates)
    if help == nil, hint == nil, let s = schema.snapshot, schema.records[s].index[n.text] != nil, let root = snapshotRootName {
      help = "did you mean `\(root).\(n.text)`?"
    }
    if help == nil, case .kind(let k) = hint {
      help = "`\(schema.kinds[k].name)` is one of " + schema.kinds[k].members.map { "`\($0)`" }.joined(separator: ", ")
    }
    report(case: hint.map { if case .kind = $0 { "C011" } else { "C001" } } ?? "C001",
      hint.flatMap { if case .kind(let k) = $0 { "`\(n.text)` is not one of the values of `\(schema.kinds[k].name)`" } else { nil } } ?? "unknown name `\(n.text)`",
      n.span, help: help)
    return invalid(n.span)
  }

  mutating func report(case code: String, _ message: String, _ span: SourceSpan, help: String?) {
    report(code, message, span, help: help)
  }

  mutating func member(_ b: TExpr, _ n: Name, _ span: SourceSpan) -> TExpr {
    switch b.type {
    case .error:
      return invalid(span)
    case .record(let r):
      guard let fi = schema.records[r].index[n.text] else {
        unknownField(n, record: r)
        return invalid(span)
      }
      let ft = schema.records[r].fields[fi].type
      var t = make(.field(b, fi), ft, span, [b])
      if case .snapshotRoot = b.kind, fi == joinedListField { t.usesJoinedList = true }
      return t
    case .list(.record(let r)):
      let what = schema.records[r].index[n.text] != nil ? "use an aggregate such as `sum of \(file.text(span))` or `every`" : nil
      report("C014", "`\(file.text(b.span))` is a list of \(schema.records[r].name) records; a single `\(n.text)` needs an aggregate", span, help: what)
      return invalid(span)
    default:
      report("C002", "\(schema.typeName(b.type)) has no field `\(n.text)`", n.span)
      return invalid(span)
    }
  }

  func compatible(_ a: ValueType, _ b: ValueType) -> Bool {
    switch (a, b) {
    case (.error, _), (_, .error): true
    case (.number, .number): true
    case (.money(let x), .money(let y)): x == nil || y == nil || x == y
    default: a == b
    }
  }

  mutating func checkBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ span: SourceSpan) -> TExpr {
    switch op {
    case .and, .or:
      let x = checkCondition(a, what: "each side of `\(op.rawValue)`")
      let y = checkCondition(b, what: "each side of `\(op.rawValue)`")
      return make(.logic(op, x, y), .bool, span, [x, y])
    case .isIn, .notIn:
      let x = checkExpr(a)
      guard case .list(let items) = b.kind else {
        report("C014", "`in` takes a list in brackets, as in `sector in [power, logistics]`", b.span)
        return invalid(span)
      }
      var checked: [TExpr] = []
      for item in items {
        let y = checkExpr(item, hint: x.type)
        if !comparable(x.type, y.type, .eq) {
          mismatch("C004", "cannot compare \(schema.typeName(x.type)) with \(schema.typeName(y.type))", item.span)
        }
        checked.append(y)
      }
      return make(.membership(negated: op == .notIn, x, checked), .bool, span, [x] + checked)
    case .eq, .ne, .lt, .le, .gt, .ge:
      let before = diagnostics.count
      var x = checkExpr(a)
      let afterX = diagnostics.count
      let y = checkExpr(b, hint: x.type)
      if case .literal(.country(let word)) = a.kind, case .kind(let k) = y.type, schema.kinds[k].index[word] != nil {
        // A kind value written first, that looks like a country code: `AA = rating`.
        diagnostics.removeSubrange(before..<afterX)
        x = checkExpr(a, hint: y.type)
      }
      if case .invalid = x.kind, x.type == .error, case .name = a.kind, case .kind = y.type, let original = diagnostics.last {
        // The left side may be a kind value written first: `power = sector`. If it is not one
        // either, the first diagnostic (unknown name) stands.
        diagnostics.removeLast()
        let count = diagnostics.count
        let retry = checkExpr(a, hint: y.type)
        if case .invalid = retry.kind {
          diagnostics.removeSubrange(count...)
          diagnostics.append(original)
        } else {
          x = retry
        }
      }
      if !comparable(x.type, y.type, op) {
        if x.type.isMoney, y.type.isMoney {
          mismatch("C024", "cannot compare \(schema.typeName(x.type)) with \(schema.typeName(y.type)) without converting", span,
            help: "convert one side with `in \(schema.baseCurrency)`, at the snapshot's FX rates")
        } else if (op != .eq && op != .ne) && x.type == y.type {
          mismatch("C004", "\(schema.typeName(x.type)) values can only be compared with `=` or `!=`", span)
        } else {
          mismatch("C004", "cannot compare \(schema.typeName(x.type)) with \(schema.typeName(y.type))", span,
            help: Self.isShare(x) && y.type.isMoney || Self.isShare(y) && x.type.isMoney
              ? "a share is a fraction of the total, not an amount: compare it with a percentage (`share of … <= 35%`), or compare the amount itself (`\(shareAsSum(Self.isShare(x) ? x : y))`)"
              : unitHelp(x.type, y.type))
        }
        return invalid(span)
      }
      checkShareCap(op, x, y, b.span)
      return make(.compare(op, x, y), .bool, span, [x, y])
    case .add, .sub, .mul, .div, .of:
      let x = checkExpr(a)
      let y = checkExpr(b)
      guard let t = arithmeticType(op, x.type, y.type, span) else { return invalid(span) }
      let kind: TExpr.Kind = op == .of ? .arithmetic(.mul, x, y) : .arithmetic(op, x, y)
      // Fold fixed figures (`2/3`, `$10 billion * 2`) so thresholds and defaults are constants.
      if case .constant(let cx) = x.kind, case .constant(let cy) = y.kind,
        let v = try? ValueArithmetic.apply(op == .of ? .mul : op, cx, cy), v != .absent
      {
        return TExpr(kind: .constant(v), type: t, span: span, usesDeal: false, usesJoinedList: false)
      }
      return make(kind, t, span, [x, y])
    }
  }

  /// A share or percentage compared with a fixed limit above 100% can never bind: almost
  /// always a typo (`350%` for `35%`).
  mutating func checkShareCap(_ op: BinaryOp, _ x: TExpr, _ y: TExpr, _ span: SourceSpan) {
    guard op == .le || op == .lt, case .number(.percent) = y.type, case .constant(.number(let limit)) = y.kind, limit > Exact.one else { return }
    var isShare = false
    if case .aggregate(let p) = x.kind, p.function == .share { isShare = true }
    // A percentage of the data (`ltv <= 120%`) may exceed 100%; a share defined by name may not.
    var r = x
    var steps = 0
    while case .definition(let i) = r.kind, i < definitions.count, let d = definitions[i], steps < 64 { r = d.value; steps += 1 }
    if case .aggregate(let p) = r.kind, p.function == .share { isShare = true }
    if isShare {
      report("C007", "a share cannot exceed 100%, so a cap of \(file.text(y.span)) never binds", y.span,
        help: "did you mean \(Self.shareCapGuesses(limit))? caps on shares are between 0% and 100%")
    }
  }

  /// What a cap above 100% was probably meant to be: `135%` → "35% or 13.5%" (a digit too many,
  /// or a misplaced point).
  static func shareCapGuesses(_ limit: Exact) -> String {
    guard let p = try? limit.multiplied(by: Exact(100)) else { return "a percentage below 100%" }
    var guesses: [Exact] = []
    if p.isInteger, let lastTwo = Int(p.formatted(places: 0).suffix(2)), lastTwo > 0 { guesses.append(Exact(lastTwo)) }
    if let t = try? p.divided(by: Exact(10)), t <= Exact(100), !guesses.contains(t) { guesses.append(t) }
    if guesses.isEmpty { return "a percentage below 100%" }
    return guesses.map { Format.trimmed($0.formatted(places: 4), keep: 0) + "%" }.joined(separator: " or ")
  }

  func comparable(_ a: ValueType, _ b: ValueType, _ op: BinaryOp) -> Bool {
    let ordered = op != .eq && op != .ne
    switch (a, b) {
    case (.error, _), (_, .error): return true
    case (.number, .number): return true
    case (.money(let x), .money(let y)): return x == nil || y == nil || x == y
    case (.date, .date), (.duration, .duration): return true
    case (.text, .text), (.bool, .bool), (.country, .country): return !ordered
    case (.kind(let x), .kind(let y)): return x == y && !ordered
    default: return false
    }
  }

  /// `share of loans.amount where …` written as the amount: `sum of loans.amount where … <= $10 billion`.
  func shareAsSum(_ t: TExpr) -> String {
    guard case .aggregate(let p) = t.kind, let v = p.value else { return "sum of … where … <= $10 billion" }
    return "sum of \(file.text(v.span)) where … <= $10 billion"
  }

  static func isShare(_ t: TExpr) -> Bool {
    if case .aggregate(let p) = t.kind { return p.function == .share }
    return false
  }

  func unitHelp(_ a: ValueType, _ b: ValueType) -> String? {
    switch (a, b) {
    case (.money, .number(.percent)), (.number(.percent), .money):
      return "a percentage is compared with a share; to cap an amount write e.g. `… <= 35% of nav`"
    case (.money, .number), (.number, .money):
      return "money compares with money: write the limit as an amount (`$10 billion`) or take a share (`… of nav`)"
    default: return nil
    }
  }

  mutating func mismatch(_ code: String, _ message: String, _ span: SourceSpan, help: String? = nil) {
    report(code, message, span, help: help)
  }

  mutating func arithmeticType(_ op: BinaryOp, _ a: ValueType, _ b: ValueType, _ span: SourceSpan) -> ValueType? {
    if a == .error || b == .error { return .error }
    let word = op == .of ? "take" : op.rawValue
    func fail(_ help: String? = nil) -> ValueType? {
      let m: String
      switch op {
      case .add: m = "cannot add \(schema.typeName(b)) to \(schema.typeName(a))"
      case .sub: m = "cannot subtract \(schema.typeName(b)) from \(schema.typeName(a))"
      case .mul: m = "cannot multiply \(schema.typeName(a)) by \(schema.typeName(b))"
      case .div: m = "cannot divide \(schema.typeName(a)) by \(schema.typeName(b))"
      default: m = "cannot \(word) \(schema.typeName(a)) of \(schema.typeName(b))"
      }
      report("C003", m, span, help: help)
      return nil
    }
    switch (op, a, b) {
    case (.add, .number(let s), .number(let t)), (.sub, .number(let s), .number(let t)):
      return .number(s == t ? s : .plain)
    case (.add, .money(let x), .money(let y)), (.sub, .money(let x), .money(let y)):
      if let x, let y, x != y {
        report("C024", "cannot \(op == .add ? "add" : "subtract") \(y) and \(x) amounts without converting", span,
          help: "convert one side first, e.g. `(…) in \(schema.baseCurrency)`, at the snapshot's FX rates")
        return nil
      }
      return .money(currency: x ?? y)
    case (.add, .date, .duration), (.sub, .date, .duration): return .date
    case (.add, .duration, .date): return .date
    case (.sub, .date, .date): return .duration
    case (.add, .duration, .duration), (.sub, .duration, .duration): return .duration
    case (.mul, .number(let s), .number(let t)), (.of, .number(let s), .number(let t)):
      return .number(s == .plain ? t : t == .plain ? s : .plain)
    case (.mul, .money(let c), .number), (.mul, .number, .money(let c)), (.of, .number, .money(let c)):
      return .money(currency: c)
    case (.div, .money(let x), .money(let y)):
      if let x, let y, x != y {
        report("C024", "cannot divide \(x) by \(y) amounts without converting", span, help: "convert one side first with `in \(schema.baseCurrency)`")
        return nil
      }
      return .number(.plain)
    case (.div, .money(let c), .number): return .money(currency: c)
    case (.div, .number(let s), .number): return .number(s)
    case (.of, .money, _):
      return fail("write the fraction first: `35% of nav`")
    case (.add, .money, .number), (.add, .number, .money), (.sub, .money, .number), (.sub, .number, .money):
      return fail("money adds to money only; a percentage of an amount is written `35% of nav`")
    case (.mul, .money, .money):
      return fail("amounts cannot be multiplied together")
    default:
      return fail()
    }
  }

  // MARK: - Aggregates and quantifiers

  /// Splits `holdings.value` into the list (`holdings`) and the fields read from each element.
  mutating func listAndProjection(_ e: Expr) -> (list: TExpr, record: Int, projection: [Name])? {
    var names: [Name] = []
    var base = e
    while case .member(let inner, let n) = base.kind {
      names.insert(n, at: 0)
      base = inner
    }
    var current = checkExpr(base)
    var i = 0
    while i < names.count {
      if case .list(.record(let r)) = current.type { return (current, r, Array(names[i...])) }
      current = member(current, names[i], base.span.union(names[i].span))
      i += 1
    }
    if case .list(.record(let r)) = current.type { return (current, r, []) }
    if current.type != .error {
      report("C014", "`\(file.text(e.span))` is not a list", e.span, help: "aggregates and `every`/`some`/`no` run over a list such as `holdings`")
    }
    return nil
  }

  func freeLocals(_ t: TExpr, into set: inout Set<Int>, groupKey: inout Bool) {
    switch t.kind {
    case .local(let s): set.insert(s)
    case .groupKey: groupKey = true
    case .constant, .definition, .snapshotRoot, .dealRoot, .invalid: break
    case .field(let b, _), .negate(let b), .not(let b), .convert(let b, _): freeLocals(b, into: &set, groupKey: &groupKey)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b):
      freeLocals(a, into: &set, groupKey: &groupKey)
      freeLocals(b, into: &set, groupKey: &groupKey)
    case .membership(_, let a, let items):
      freeLocals(a, into: &set, groupKey: &groupKey)
      for i in items { freeLocals(i, into: &set, groupKey: &groupKey) }
    case .aggregate(let p):
      for x in [p.list, p.value, p.weight, p.filter].compactMap({ $0 }) { freeLocals(x, into: &set, groupKey: &groupKey) }
      set.remove(p.slot)
    case .quantifier(let q):
      for x in [q.list, q.filter, q.body].compactMap({ $0 }) { freeLocals(x, into: &set, groupKey: &groupKey) }
      set.remove(q.slot)
    case .presence(let x, _): freeLocals(x, into: &set, groupKey: &groupKey)
    case .conditional(let c, let a, let b):
      for x in [c, a, b] { freeLocals(x, into: &set, groupKey: &groupKey) }
    case .extremum(_, let items):
      for x in items { freeLocals(x, into: &set, groupKey: &groupKey) }
    case .trailing(let p):
      for x in [p.list, p.value, p.filter, p.key].compactMap({ $0 }) { freeLocals(x, into: &set, groupKey: &groupKey) }
      set.remove(p.slot)
    }
  }

  /// Two list expressions read the same list (spans aside).
  static func sameList(_ a: TExpr, _ b: TExpr) -> Bool {
    switch (a.kind, b.kind) {
    case (.snapshotRoot, .snapshotRoot), (.dealRoot, .dealRoot): return true
    case (.local(let x), .local(let y)): return x == y
    case (.definition(let x), .definition(let y)): return x == y
    case (.field(let x, let i), .field(let y, let j)): return i == j && sameList(x, y)
    default: return false
    }
  }

  /// True when the list is an element's own sub-list (`holding.loans`), which costs nothing extra.
  func rootedAtLocal(_ t: TExpr) -> Bool {
    switch t.kind {
    case .local: true
    case .field(let b, _): rootedAtLocal(b)
    default: false
    }
  }

  /// Finds, among the filter's `and`-joined conditions, `field = KEY` where KEY does not depend
  /// on the element (`that sector`, `deal.sector`, `power`), and removes it. The aggregate is then
  /// computed for every value of the field in one pass and looked up by KEY: per group, or per
  /// deal, it costs a lookup instead of a scan. A group's own selector is preferred.
  func splitKeySelector(_ filter: TExpr, slot: Int, record: Int) -> (field: Int, key: TExpr, rest: TExpr?)? {
    func selector(_ t: TExpr, groupOnly: Bool) -> (Int, TExpr)? {
      guard case .compare(.eq, let a, let b) = t.kind else { return nil }
      func elementField(_ x: TExpr) -> Int? {
        guard case .field(let base, let f) = x.kind, case .local(let s) = base.kind, s == slot else { return nil }
        switch schema.records[record].fields[f].type {
        case .kind, .text, .country, .bool, .date: return f
        default: return nil
        }
      }
      func isKey(_ x: TExpr) -> Bool {
        if case .groupKey = x.kind { return true }
        if groupOnly { return false }
        var free = Set<Int>()
        var usesGroup = false
        freeLocals(x, into: &free, groupKey: &usesGroup)
        return free.isEmpty && !usesGroup
      }
      if let f = elementField(a), isKey(b) { return (f, b) }
      if let f = elementField(b), isKey(a) { return (f, a) }
      return nil
    }
    func split(_ t: TExpr, groupOnly: Bool) -> (Int, TExpr, TExpr?)? {
      if let (f, k) = selector(t, groupOnly: groupOnly) { return (f, k, nil) }
      guard case .logic(.and, let a, let b) = t.kind else { return nil }
      if let (f, k, rest) = split(a, groupOnly: groupOnly) {
        return (f, k, rest.map { make(.logic(.and, $0, b), .bool, t.span, [$0, b]) } ?? b)
      }
      if let (f, k, rest) = split(b, groupOnly: groupOnly) {
        return (f, k, rest.map { make(.logic(.and, a, $0), .bool, t.span, [a, $0]) } ?? a)
      }
      return nil
    }
    if let r = split(filter, groupOnly: true) { return (r.0, r.1, r.2) }
    if let r = split(filter, groupOnly: false) { return (r.0, r.1, r.2) }
    return nil
  }

  mutating func checkAggregate(_ fn: AggregateFunction, over overExpr: Expr, where cond: Expr?, by: Expr?, span: SourceSpan) -> TExpr {
    // `sum of holdings.value in USD` converts each element's value before aggregating.
    var over = overExpr
    var conversion: Name?
    if case .convert(let inner, let code) = over.kind {
      over = inner
      conversion = code
    }
    guard let (list, rec, projection) = listAndProjection(over) else {
      return invalid(span)
    }
    let slot = newSlot()
    scopes.append(Scope(name: schema.records[rec].name, slot: slot, record: rec))
    defer { scopes.removeLast() }
    var value: TExpr?
    if !projection.isEmpty {
      var v = TExpr(kind: .local(slot), type: .record(rec), span: over.span, usesDeal: false, usesJoinedList: false)
      for n in projection {
        v = member(v, n, over.span)
      }
      if let code = conversion {
        v = checkConversion(v, code, overExpr.span)
      }
      value = v
    } else if let code = conversion {
      report("C025", "`in \(code.text)` converts an amount, but `\(file.text(over.span))` is a list", code.span)
    }
    let weight = by.flatMap { b -> TExpr? in
      guard let (wl, _, wproj) = listAndProjection(b) else { return nil }
      guard Self.sameList(wl, list), !wproj.isEmpty else {
        report("C015", "the weight must be a field of the same list, as in `by \(file.text(over.span).split(separator: ".").first ?? "holdings").value`", b.span)
        return nil
      }
      var v = TExpr(kind: .local(slot), type: .record(rec), span: b.span, usesDeal: false, usesJoinedList: false)
      for n in wproj { v = member(v, n, b.span) }
      return v
    }
    var filter = cond.map { checkCondition($0, what: "a `where` condition") }
    let resultType: ValueType
    let valueType = value?.type
    switch fn {
    case .count:
      resultType = .number(.plain)
    case .sum, .average, .min, .max, .weightedAverage:
      guard let vt = valueType else {
        report("C015", "`\(fn.rawValue) of` needs a field to add up, as in `\(fn.rawValue) of \(file.text(over.span)).value`", over.span)
        return invalid(span)
      }
      switch vt {
      case .number, .money, .error: resultType = vt
      case .date where fn == .min || fn == .max, .duration where fn == .min || fn == .max: resultType = vt
      default:
        report("C015", "cannot take the \(fn.rawValue) of \(schema.typeName(vt))", over.span)
        return invalid(span)
      }
      if fn == .weightedAverage, let w = weight, !(w.type.isNumber || w.type.isMoney || w.type == .error) {
        report("C015", "a weight must be a number or an amount, not \(schema.typeName(w.type))", w.span)
      }
    case .share:
      if let vt = valueType, !(vt.isNumber || vt.isMoney || vt == .error) {
        report("C015", "cannot take a share of \(schema.typeName(vt))", over.span)
        return invalid(span)
      }
      if cond == nil {
        report("C015", "`share of` needs `where`, to say which part of the whole", span, help: "e.g. `share of holdings.value where sector = power`")
      }
      resultType = .number(.percent)
    }
    var keyField: Int?
    var key: TExpr?
    if let f = filter, let split = splitKeySelector(f, slot: slot, record: rec) {
      keyField = split.field
      key = split.key
      filter = split.rest
    }
    // Linear time by construction: an aggregate inside another element's scope must not read
    // that element, or it would rescan its list once per element.
    var free = Set<Int>()
    var usesKey = false
    for x in [value, weight, filter].compactMap({ $0 }) { freeLocals(x, into: &free, groupKey: &usesKey) }
    free.remove(slot)
    var listFree = Set<Int>()
    var listKey = false
    freeLocals(list, into: &listFree, groupKey: &listKey)
    if !free.isEmpty && !rootedAtLocal(list) {
      report("C017", "this aggregate reads the element of an enclosing `every`/`where`, so it would rescan `\(file.text(over.span))` for every element", span,
        help: "compute it once in a `define`, or aggregate over the element's own list")
      return invalid(span)
    }
    if usesKey || listKey {
      report("C018", "inside `for each \(group?.name ?? "")`, an aggregate selects its group with `where \(group?.name ?? "") = that \(group?.name ?? "")`", span,
        help: "other uses of `that \(group?.name ?? "")` inside an aggregate would rescan the list for every group")
      return invalid(span)
    }
    let invariant = free.isEmpty && listFree.isEmpty
    let cacheable = invariant && ![list, value, weight, filter].compactMap({ $0 }).contains(where: \.usesDeal)
    let plan = AggregatePlan(
      id: aggregateCount, function: fn, list: list, slot: slot, value: value, weight: weight, filter: filter,
      keyField: keyField, key: key, invariant: invariant, cacheable: cacheable)
    aggregateCount += 1
    return make(.aggregate(plan), resultType, span, [list, value, weight, filter, key].compactMap { $0 })
  }

  mutating func checkQuantifier(_ q: Quantifier, variable: Name, list listExpr: Expr, where cond: Expr?, body: Expr, span: SourceSpan) -> TExpr {
    guard let (list, rec, projection) = listAndProjection(listExpr) else { return invalid(span) }
    if !projection.isEmpty {
      report("C014", "`\(q.rawValue) \(variable.text) in` takes a list, not a field of its elements", listExpr.span,
        help: "write `\(q.rawValue) \(variable.text) in \(file.text(listExpr.span).split(separator: ".").dropLast().joined(separator: ".")): \(variable.text).\(projection.map(\.text).joined(separator: ".")) …`")
      return invalid(span)
    }
    if definitionIndex[variable.text] != nil {
      duplicateName(variable, "element name (a definition has this name)")
    }
    let slot = newSlot()
    scopes.append(Scope(name: variable.text, slot: slot, record: rec))
    defer { scopes.removeLast() }
    let filter = cond.map { checkCondition($0, what: "a `where` condition") }
    let b = checkCondition(body, what: "the condition after `:`")
    var free = Set<Int>()
    var usesKey = false
    for x in [filter, b].compactMap({ $0 }) { freeLocals(x, into: &free, groupKey: &usesKey) }
    free.remove(slot)
    if !free.isEmpty && !rootedAtLocal(list) {
      report("C017", "this `\(q.rawValue)` reads the element of an enclosing `every`/`where`, so it would rescan `\(file.text(listExpr.span))` for every element", span,
        help: "compute what it needs once in a `define`, or quantify over the element's own list")
      return invalid(span)
    }
    if usesKey {
      report("C018", "`that \(group?.name ?? "")` cannot be used inside `\(q.rawValue)`: it would rescan the list for every group", span,
        help: "write the group's condition as an aggregate, e.g. `count of holdings where \(group?.name ?? "sector") = that \(group?.name ?? "sector") and …`")
      return invalid(span)
    }
    var listFree = Set<Int>()
    var listKey = false
    freeLocals(list, into: &listFree, groupKey: &listKey)
    let invariant = free.isEmpty && listFree.isEmpty
    let cacheable = invariant && ![list, filter, b].compactMap({ $0 }).contains(where: \.usesDeal)
    let plan = QuantifierPlan(id: quantifierCount, quantifier: q, list: list, slot: slot, filter: filter, body: b, invariant: invariant, cacheable: cacheable, labelField: schema.records[rec].labelField)
    quantifierCount += 1
    return make(.quantifier(plan), .bool, span, [list, filter, b].compactMap { $0 })
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
