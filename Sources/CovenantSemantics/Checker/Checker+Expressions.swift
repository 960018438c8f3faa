import CovenantValues
import CovenantSyntax

extension Checker {
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
      report(SemanticDiagnostics.condition(.notBoolean(what, type: schema.typeName(t.type))), e.span)
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
        report(SemanticDiagnostics.groupReference(.outsideForEach(n.text)), e.span)
        return invalid(e.span)
      }
      guard g.name == n.text else {
        report(SemanticDiagnostics.groupReference(.wrongGroup(n.text, group: g.name)), n.span)
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
        report(SemanticDiagnostics.operandTypes(.negate(schema.typeName(x.type))), e.span)
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
      report(SemanticDiagnostics.list(.bracketsOutsideIn), e.span)
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
        report(SemanticDiagnostics.list(.missingOnList(missing: missing)), inner.span)
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
        report(SemanticDiagnostics.comparisonTypes(.ifBranches(schema.typeName(x.type), schema.typeName(y.type))), e.span)
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
      report(SemanticDiagnostics.aggregate(.emptyList(word: word)), span)
      return invalid(span)
    }
    var checked: [TExpr] = []
    var type: ValueType = .error
    for item in items {
      let x = checkExpr(item, hint: checked.first?.type)
      switch x.type {
      case .number, .money, .date, .duration, .error: break
      default:
        report(SemanticDiagnostics.aggregate(.listItemType(word: word, type: schema.typeName(x.type))), item.span)
        return invalid(span)
      }
      if let first = checked.first {
        guard let t = branchType(type, x.type) else {
          if x.type.isMoney, first.type.isMoney {
            report(SemanticDiagnostics.currenciesMixed(.compare(schema.typeName(first.type), schema.typeName(x.type)), base: schema.baseCurrency), item.span)
          } else {
            report(SemanticDiagnostics.operandTypes(.mixedList(word: word, schema.typeName(first.type), schema.typeName(x.type), help: unitHelp(first.type, x.type))), item.span)
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
    guard ISOCodes.isCurrency(code.text) else {
      unknownCurrency(code)
      return invalid(span)
    }
    guard x.type.isMoney || x.type == .error else {
      report(SemanticDiagnostics.conversion(.notMoney(code.text, type: schema.typeName(x.type))), x.span)
      return invalid(span)
    }
    if schema.snapshot.flatMap({ s in schema.records[s].fields.firstIndex { $0.type == .fx } }) == nil {
      report(SemanticDiagnostics.conversion(.noFXRates(code.text, base: schema.baseCurrency)), span)
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
        report(SemanticDiagnostics.figureTooPrecise(isPercent: isPercent), span)
        return invalid(span)
      }
      (value, type) = (.number(v), .number(isPercent ? .percent : .bps))
    case .multiple(let x): (value, type) = (.number(x), .number(.multiple))
    case .money(let x, let c):
      guard ISOCodes.isCurrency(c) else {
        unknownCurrency(Name(c, span))
        return invalid(span)
      }
      (value, type) = (.money(x, currency: c), .money(currency: c))
    case .date(let d): (value, type) = (.date(d), .date)
    case .duration(let d): (value, type) = (.duration(d), .duration)
    case .text(let s): (value, type) = (.text(s), .text)
    case .bool(let b): (value, type) = (.bool(b), .bool)
    case .country(let c):
      guard ISOCodes.isCountry(c) else {
        report(SemanticDiagnostics.unknownCountry(c, meant: ISOCodes.commonMistakes[c]), span)
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
        report(SemanticDiagnostics.parameters(.needsArguments(n.text, parameters: definitionDecls[i].parameters.map(\.text))), n.span)
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
      report(SemanticDiagnostics.kindValue(.ofSeveralKinds(n.text, kinds: owners.map { schema.kinds[$0].name })), n.span)
      return invalid(n.span)
    }
    if partyIndex[n.text] != nil {
      report(SemanticDiagnostics.unknownName(.party(n.text)), n.span)
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
    if case .kind(let k) = hint {
      report(SemanticDiagnostics.kindValue(.notOfKind(n.text, kind: schema.kinds[k].name, help: help)), n.span)
    } else {
      report(SemanticDiagnostics.unknownName(.name(n.text, help: help)), n.span)
    }
    return invalid(n.span)
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
      report(SemanticDiagnostics.list(.singleFromList(file.text(b.span), record: schema.records[r].name, field: n.text, help: what)), span)
      return invalid(span)
    default:
      report(SemanticDiagnostics.unknownField(.ofType(n.text, type: schema.typeName(b.type))), n.span)
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
}
