import CovenantValues
import CovenantSyntax

extension Checker {
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
      report(SemanticDiagnostics.list(.notAList(file.text(e.span))), e.span)
    }
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
      report(SemanticDiagnostics.conversion(.ofList(code.text, list: file.text(over.span))), code.span)
    }
    let weight = by.flatMap { b -> TExpr? in
      guard let (wl, _, wproj) = listAndProjection(b) else { return nil }
      guard Self.sameList(wl, list), !wproj.isEmpty else {
        report(SemanticDiagnostics.aggregate(.weightNotOfList(list: String(file.text(over.span).split(separator: ".").first ?? "holdings"))), b.span)
        return nil
      }
      var v = TExpr(kind: .local(slot), type: .record(rec), span: b.span, usesDeal: false, usesJoinedList: false)
      for n in wproj { v = member(v, n, b.span) }
      return v
    }
    let filter = cond.map { checkCondition($0, what: "a `where` condition") }
    let resultType: ValueType
    let valueType = value?.type
    switch fn {
    case .count:
      resultType = .number(.plain)
    case .sum, .average, .min, .max, .weightedAverage:
      guard let vt = valueType else {
        report(SemanticDiagnostics.aggregate(.needsField(fn.rawValue, over: file.text(over.span))), over.span)
        return invalid(span)
      }
      switch vt {
      case .number, .money, .error: resultType = vt
      case .date where fn == .min || fn == .max, .duration where fn == .min || fn == .max: resultType = vt
      default:
        report(SemanticDiagnostics.aggregate(.cannotAggregate(fn.rawValue, type: schema.typeName(vt))), over.span)
        return invalid(span)
      }
      if fn == .weightedAverage, let w = weight, !(w.type.isNumber || w.type.isMoney || w.type == .error) {
        report(SemanticDiagnostics.aggregate(.weightType(schema.typeName(w.type))), w.span)
      }
    case .share:
      if let vt = valueType, !(vt.isNumber || vt.isMoney || vt == .error) {
        report(SemanticDiagnostics.aggregate(.shareOfType(schema.typeName(vt))), over.span)
        return invalid(span)
      }
      if cond == nil {
        report(SemanticDiagnostics.aggregate(.shareWithoutWhere), span)
      }
      resultType = .number(.percent)
    }
    // Linear time by construction: an aggregate inside another element's scope must not read
    // that element, or it would rescan its list once per element. Read as the planner will run
    // it: a key selector (`where sector = that sector`) is a lookup, not a rescan.
    let rest = PlanAnalysis.split(filter, slot: slot, list: list, schema: schema).rest
    var free = Set<Int>()
    var usesKey = false
    for x in [value, weight, rest].compactMap({ $0 }) { freeLocals(x, into: &free, groupKey: &usesKey) }
    free.remove(slot)
    var listFree = Set<Int>()
    var listKey = false
    freeLocals(list, into: &listFree, groupKey: &listKey)
    if !free.isEmpty && !rootedAtLocal(list) {
      report(SemanticDiagnostics.rescansPerElement(.aggregate(over: file.text(over.span))), span)
      return invalid(span)
    }
    if usesKey || listKey {
      report(SemanticDiagnostics.rescansPerGroup(.aggregate(group: group?.name)), span)
      return invalid(span)
    }
    // Numbered and annotated (key selector, invariance, cacheability) by CovenantPlanning.
    let plan = AggregatePlan(function: fn, list: list, slot: slot, value: value, weight: weight, filter: filter)
    return make(.aggregate(plan), resultType, span, [list, value, weight, filter].compactMap { $0 })
  }

  mutating func checkQuantifier(_ q: Quantifier, variable: Name, list listExpr: Expr, where cond: Expr?, body: Expr, span: SourceSpan) -> TExpr {
    guard let (list, rec, projection) = listAndProjection(listExpr) else { return invalid(span) }
    if !projection.isEmpty {
      report(SemanticDiagnostics.list(.quantifierOverField(q.rawValue, variable: variable.text, list: file.text(listExpr.span).split(separator: ".").dropLast().joined(separator: "."), projection: projection.map(\.text).joined(separator: "."))), listExpr.span)
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
      report(SemanticDiagnostics.rescansPerElement(.quantifier(q.rawValue, over: file.text(listExpr.span))), span)
      return invalid(span)
    }
    if usesKey {
      report(SemanticDiagnostics.rescansPerGroup(.quantifier(q.rawValue, group: group?.name)), span)
      return invalid(span)
    }
    // Numbered and annotated (invariance, cacheability) by CovenantPlanning.
    let plan = QuantifierPlan(quantifier: q, list: list, slot: slot, filter: filter, body: b, labelField: schema.records[rec].labelField)
    return make(.quantifier(plan), .bool, span, [list, filter, b].compactMap { $0 })
  }
}
