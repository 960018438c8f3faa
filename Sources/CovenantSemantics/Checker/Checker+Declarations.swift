import CovenantValues
import CovenantSyntax

extension Checker {
  // MARK: - Declarations

  mutating func run(_ covenant: inout Covenant) -> CheckedCovenant {
    let hasClauses = covenant.declarations.contains { if case .clause = $0 { true } else { false } }
    declare(covenant, hasClauses: hasClauses, clauseCapacity: covenant.declarations.count)
    for i in covenant.declarations.indices {
      guard case .clause(let c) = covenant.declarations[i] else { continue }
      // Nothing reads a clause's items once it is checked: freed here, the syntax of a
      // covenant of many clauses shrinks as fast as its checked form grows.
      var emptied = c
      emptied.items = []
      covenant.declarations[i] = .clause(emptied)
      checkNextClause(c)
    }
    return finish(header: covenant.header)
  }

  /// Everything but the clauses: kinds, records, parties, governance, bodies, definitions and
  /// `pro forma`, in that order. `covenant` needs no clauses (`Checker.compile` passes the
  /// declarations before the first clause and checks each clause as it is parsed); `hasClauses`
  /// says whether the covenant has any.
  mutating func declare(_ covenant: Covenant, hasClauses: Bool, clauseCapacity: Int) {
    if let base = covenant.header?.baseCurrency {
      if ISOCodes.isCurrency(base.text) { schema.baseCurrency = base.text } else { unknownCurrency(base) }
    }
    declareKindsAndRecords(covenant)
    resolveFieldTypes(covenant, hasClauses: hasClauses)
    declareParties(covenant)
    governance = declareGovernance(covenant)
    bodies = declareBodies(covenant)
    if case .fromVotes = governance.approvals, governance.votes == nil,
      let d = covenant.declarations.first(where: { if case .governance(let g) = $0, g.subject == .approvals { true } else { false } })
    {
      report(SemanticDiagnostics.governanceData(.votesUndeclared), d.span)
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
    checkedProForma = checkProForma(covenant)
    // A checked clause is several hundred bytes: growing the array by doubling would hold up to
    // twice that per clause at the peak of a large covenant.
    checkedClauses.reserveCapacity(clauseCapacity)
  }

  /// Checks one clause, after `declare`, in the order of the file.
  mutating func checkNextClause(_ c: ClauseDecl) {
    if let first = seenClauses[c.id] {
      let line = file.line(of: first.start)
      report(SemanticDiagnostics.clauseDefinedTwice(c.id, firstOnLine: line), c.idSpan)
      return
    }
    seenClauses[c.id] = c.idSpan
    if let checked = checkClause(c) { checkedClauses.append(checked) }
  }

  /// What needs every clause (cross-references, trailing figures inside aggregates), and the
  /// checked covenant.
  mutating func finish(header: Header?) -> CheckedCovenant {
    var clauses: [CheckedClause] = []
    swap(&clauses, &checkedClauses)
    seenClauses = [:]
    // After every clause is known, so that a reference resolves wherever its section is.
    let precedence = resolveCrossReferences(&clauses)
    refuseTrailingInsideAggregates(definitions.map { $0 ?? CheckedDefinition(name: "", value: invalid(.none)) }, clauses)
    let asOf = schema.snapshot.flatMap { schema.records[$0].index["as_of"] }
    let fx = schema.snapshot.flatMap { s in schema.records[s].fields.firstIndex { $0.type == .fx } }
    return CheckedCovenant(
      file: file, title: header?.title ?? file.name, version: header?.version,
      schema: schema,
      definitions: definitions.enumerated().map { $1 ?? CheckedDefinition(name: definitionDecls[$0].name.text, value: TExpr(kind: .invalid, type: .error, span: .none, usesDeal: false, usesJoinedList: false)) },
      clauses: clauses, proForma: checkedProForma, parties: parties, governance: governance, bodies: bodies, asOfField: asOf, fxField: fx,
      localCount: localCount, precedenceOrder: precedence)
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
            report(SemanticDiagnostics.dataDeclaration(.declaredTwice(.snapshot)), r.name.span)
            continue
          }
          schema.snapshot = schema.records.count
          snapshotRootName = r.name.text
        case .deal:
          if schema.deal != nil {
            report(SemanticDiagnostics.dataDeclaration(.declaredTwice(.deal)), r.name.span)
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
        report(SemanticDiagnostics.fieldType(.listOf(schema.typeName(inner))), e.span)
      }
      return .error
    case .named(let n):
      if let b = Self.builtinTypes[n.text] { return b }
      if let k = schema.kinds.firstIndex(where: { $0.name == n.text }) { return .kind(k) }
      if let r = schema.records.firstIndex(where: { $0.name == n.text }) {
        if schema.records[r].role != .record {
          report(SemanticDiagnostics.fieldType(.topLevelData(n.text)), n.span)
          return .error
        }
        return .record(r)
      }
      let candidates = Array(Self.builtinTypes.keys) + schema.kinds.map(\.name) + schema.records.map(\.name)
      report(SemanticDiagnostics.fieldType(.unknown(n.text, suggestion: suggestion(n.text, candidates))), n.span)
      return .error
    }
  }

  mutating func resolveFieldTypes(_ covenant: Covenant, hasClauses: Bool) {
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
          report(SemanticDiagnostics.fieldOption(.inCents), f.span)
        }
        if f.currency != nil, !type.isMoney, type != .error {
          report(SemanticDiagnostics.fieldOption(.currency), f.span)
        }
        var fieldType = type
        if case .fixed(let code) = f.currency {
          if ISOCodes.isCurrency(code.text) { fieldType = .money(currency: code.text) } else { unknownCurrency(code) }
        }
        if f.signed, !fieldType.isMoney, type != .error {
          report(SemanticDiagnostics.fieldOption(.signed), f.span)
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
            report(SemanticDiagnostics.fieldDefault(.notFixed(f.name.text, type: schema.typeName(fieldType), isMoney: fieldType.isMoney)), d.span)
          }
        }
        let source = (f.source ?? f.name.text).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if source.contains(where: \.isEmpty), let span = f.sourceSpan {
          report(SemanticDiagnostics.fieldOption(.emptyKey(f.source ?? "")), span)
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
    if schema.snapshot == nil, hasClauses {
      report(SemanticDiagnostics.dataDeclaration(.noSnapshot), SourceSpan(0, 0))
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
        report(SemanticDiagnostics.fieldDefault(.itself(f.name)), other.span)
        continue
      }
      let o = rec.fields[oi]
      if pendingFieldDefaults.contains(where: { $0.0 == ri && $0.1 == oi }) {
        report(SemanticDiagnostics.fieldDefault(.chained(f.name, other: o.name)), other.span)
        continue
      }
      if case .list = o.type {
        report(SemanticDiagnostics.fieldDefault(.list(f.name)), other.span)
        continue
      }
      guard compatible(o.type, f.type), o.type != .error, f.type != .error else {
        if o.type != .error && f.type != .error {
          report(SemanticDiagnostics.fieldDefault(.otherType(f.name, type: schema.typeName(f.type), other: o.name, otherType: schema.typeName(o.type))), other.span)
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
          report(SemanticDiagnostics.fieldType(.recursiveRecord(name)), span)
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
      if let q = f.quote, type != .error { report(SemanticDiagnostics.fieldOption(.quotedNotFX), q.span) }
      return
    }
    guard let q = f.quote else {
      report(SemanticDiagnostics.fieldOption(.quoteMissing(f.name.text, base: base)), f.span)
      return
    }
    for side in [q.units, q.per] where side.text != "currency" && !ISOCodes.isCurrency(side.text) { unknownCurrency(side) }
    let unitsBase = q.units.text == base, perBase = q.per.text == base
    guard unitsBase != perBase else {
      report(SemanticDiagnostics.fieldOption(.quoteAmbiguous(q.units.text, per: q.per.text, base: base)), q.span)
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
          report(SemanticDiagnostics.votingNumber(.partyWeight), w.span)
        }
      }
      partyIndex[p.name.text] = parties.count
      partyDecls.append(p)
      var percent = false
      if case .literal(.percent) = p.weight?.kind { percent = true }
      let id = p.dataID ?? p.name.text
      if let other = parties.first(where: { $0.dataID == id }) {
        report(SemanticDiagnostics.duplicate(.partyID(other.name, p.name.text, id: id)), p.span)
      }
      parties.append(CheckedParty(name: p.name.text, displayName: p.displayName, weight: weight, weightIsPercent: percent, classes: p.classes.map(\.text), dataID: id))
    }
    // Percentage weights that do not add up to 100% are almost always a drafting slip.
    if !parties.isEmpty, parties.allSatisfy(\.weightIsPercent), let first = partyDecls.first {
      let total = parties.reduce(Exact.zero) { (try? $0.adding($1.weight ?? .zero)) ?? $0 }
      if total != .one {
        report(SemanticDiagnostics.weightsNotWhole(Format.number(total, style: .percent)), first.span)
      }
    }
  }
}
