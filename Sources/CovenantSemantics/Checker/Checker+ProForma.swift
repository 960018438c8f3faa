import CovenantValues
import CovenantSyntax

extension Checker {
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
    for extra in decls.dropFirst() { report(SemanticDiagnostics.proForma(.twice), extra.span) }
    guard schema.deal != nil else {
      report(SemanticDiagnostics.proForma(.noDeal), decl.span)
      return nil
    }
    let list = checkExpr(decl.list)
    guard case .field(let base, let listField) = list.kind, case .snapshotRoot = base.kind,
      case .list(.record(let rec)) = list.type
    else {
      if list.type != .error {
        report(SemanticDiagnostics.proForma(.notASnapshotList), decl.list.span)
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
        report(SemanticDiagnostics.proForma(.valueType(field: a.field.text, want: schema.typeName(want), given: schema.typeName(value.type))), a.value.span)
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
        report(SemanticDiagnostics.proForma(.missingField(f.name, record: record.name)), decl.span)
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
}
