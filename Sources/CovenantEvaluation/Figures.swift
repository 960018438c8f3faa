import CovenantValues
import CovenantSyntax
import CovenantSemantics

/// The figures a report shows beside a verdict: both views of a cap or floor, the definitions a
/// clause uses and how each was derived, and the elements behind a quantifier's verdict. None of
/// them changes a verdict; they are computed from the same evaluator, exactly.
extension CovenantRunner {
  /// For `A <= P of B` (or `k x B`): A/B against P. For a share or `A / B`: the amounts A and B
  /// and the limit P×B.
  func addOtherView(_ o: inout RequirementOutcome, _ a: TExpr, _ b: TExpr, _ ev: inout Evaluator) throws(EvaluationError) {
    let file = covenant.file
    // A definition stands for its expression: `liquidity >= 4%` with `liquidity = cash / nav`.
    var a = a, b = b
    while case .definition(let i) = a.kind { a = covenant.definitions[i].value }
    while case .definition(let i) = b.kind { b = covenant.definitions[i].value }
    // A <= P of B
    if case .arithmetic(.mul, let l, let r) = b.kind {
      for (k, base) in [(l, r), (r, l)] {
        guard case .number(let style) = k.type, style == .percent || style == .multiple else { continue }
        guard case .number(let p) = try ev.eval(k), let av = o.value.flatMap(Self.magnitude) else { continue }
        let bv = try ev.eval(base)
        guard let bx = Self.magnitude(bv), bx.signum != 0 else { continue }
        o.ratio = try? av.divided(by: bx)
        o.ratioLimit = p
        o.ratioStyle = style
        o.base = bv
        o.baseText = file.text(base.span)
        return
      }
    }
    // share of X where … <= P
    if case .aggregate(let plan) = a.kind, plan.function == .share, case .number(let p) = o.limit {
      let state = try ev.aggregateState(plan, span: a.span)
      if plan.value != nil {
        let currency: String? = if case .money(let c) = plan.value?.type { c ?? state.currency ?? covenant.schema.baseCurrency } else { nil }
        if let currency {
          o.amount = .money(state.sum, currency: currency)
          o.base = .money(state.wholeSum, currency: currency)
          if let lim = try? state.wholeSum.multiplied(by: p) { o.amountLimit = .money(lim, currency: currency) }
        } else {
          o.amount = .number(state.sum)
          o.base = .number(state.wholeSum)
          o.amountLimit = (try? state.wholeSum.multiplied(by: p)).map { .number($0) }
        }
      } else {
        o.amount = .number(Exact(state.count))
        o.base = .number(Exact(state.wholeCount))
        o.amountLimit = (try? Exact(state.wholeCount).multiplied(by: p)).map { .number($0) }
      }
      o.baseText = "all " + file.text(plan.value?.span ?? plan.list.span)
      return
    }
    // A / B <= P
    if case .arithmetic(.div, let num, let den) = a.kind, case .number(let p) = o.limit {
      let nv = try ev.eval(num), dv = try ev.eval(den)
      guard Self.magnitude(nv) != nil, let dx = Self.magnitude(dv) else { return }
      o.amount = nv
      o.base = dv
      o.baseText = file.text(den.span)
      if let lim = try? dx.multiplied(by: p) {
        if case .money(_, let c) = dv { o.amountLimit = .money(lim, currency: c) } else { o.amountLimit = .number(lim) }
      }
    }
  }

  /// The definitions `exprs` use, directly or through other definitions, in declaration order.
  func definitionsUsed(_ exprs: [TExpr]) -> [Int] {
    // The closure captures the definitions alone: capturing `self` copied the whole runner at
    // every level of the walk (~100,000 instructions a clause).
    let definitions = covenant.definitions
    var seen = Set<Int>()
    var work = exprs
    while let t = work.popLast() {
      Self.walk(t) { i in
        if seen.insert(i).inserted { work.append(definitions[i].value) }
      }
    }
    return seen.sorted()
  }

  static func walk(_ t: TExpr, _ visit: (Int) -> Void) {
    switch t.kind {
    case .definition(let i): visit(i)
    case .field(let b, _), .negate(let b), .not(let b), .convert(let b, _), .presence(let b, _): walk(b, visit)
    case .conditional(let c, let a, let b):
      walk(c, visit)
      walk(a, visit)
      walk(b, visit)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b):
      walk(a, visit)
      walk(b, visit)
    case .membership(_, let a, let items):
      walk(a, visit)
      for i in items { walk(i, visit) }
    case .extremum(_, let items):
      for i in items { walk(i, visit) }
    case .aggregate(let p):
      for e in [p.list, p.value, p.weight, p.filter, p.key].compactMap({ $0 }) { walk(e, visit) }
    case .quantifier(let p):
      for e in [p.list, p.filter, p.body].compactMap({ $0 }) { walk(e, visit) }
    case .trailing(let p):
      for e in [p.list, p.value, p.filter, p.key].compactMap({ $0 }) { walk(e, visit) }
    case .constant, .snapshotRoot, .dealRoot, .local, .groupKey, .invalid: break
    }
  }

  /// `holdsOnly`: each definition is evaluated (an error is the same error) but no figure is kept.
  func definitionFigures(_ clause: CheckedClause, _ ev: inout Evaluator, holdsOnly: Bool = false) throws(EvaluationError) -> [DefinitionFigure] {
    var exprs: [TExpr] { clause.requirements.map(\.expr) + clause.reports.map(\.expr) + clause.appliesWhen + clause.exceptions.map(\.condition) }
    // A plain ratio compared with a percentage (`deal_weight <= 25%`) is shown as one.
    var shownAs: [Int: NumberStyle] = [:]
    for r in clause.requirements {
      guard case .compare(_, let a, let b) = r.expr.kind else { continue }
      for (x, y) in [(a, b), (b, a)] {
        if case .definition(let i) = x.kind, Self.style(x) == .plain, let s = Self.style(y), s != .plain { shownAs[i] = s }
      }
    }
    var out: [DefinitionFigure] = []
    let used: [Int]
    if clause.span.start < clause.span.end {
      // The same for every deal: walked once per clause, not once per evaluation.
      let key = RunnerMemo.ClauseKey(start: clause.span.start, end: clause.span.end, id: clause.id)
      if let known = memo.definitionsUsed[key] {
        used = known
      } else {
        used = definitionsUsed(exprs)
        memo.definitionsUsed[key] = used
      }
    } else {
      used = definitionsUsed(exprs)
    }
    for i in used {
      let d = covenant.definitions[i]
      let style = shownAs[i] ?? Self.style(d.value)
      let v: Value
      var how: (pieces: [DefinitionFigure.Piece], result: String)
      do {
        v = try ev.eval(d.value)
        if holdsOnly { continue }
        how = try derivation(d.name, d.value, v, &ev)
      } catch where error.isDivisionByZero {
        // A ratio over a zero denominator: the requirement decides what it means (grammar.md,
        // *Ratios with a zero or negative denominator*); the definition alone has no value.
        out.append(DefinitionFigure(name: d.name, value: .absent, style: style, how: .noValue(covenant.file.text(d.value.span))))
        continue
      }
      var shown: String?
      if let s = shownAs[i], case .number(let x) = v {
        shown = Format.number(x, style: s)
      }
      out.append(DefinitionFigure(name: d.name, value: v, style: style, how: .written(pieces: how.pieces, result: how.result, shownAs: shown)))
    }
    return out
  }

  /// `total_debt = fund.debt ($5,000,000,000) + sum of holdings.debt ($550,000,000,000) =
  /// $555,000,000,000`: the expression as written, each operand followed by its value.
  func derivation(_ name: String, _ t: TExpr, _ value: Value, _ ev: inout Evaluator) throws(EvaluationError) -> (pieces: [DefinitionFigure.Piece], result: String) {
    let schema = covenant.schema
    let result = Format.value(value, schema, style: Self.style(t))
    var operands: [TExpr] = []
    func flatten(_ e: TExpr) {
      if case .arithmetic(let op, let a, let b) = e.kind, case .arithmetic(let top, _, _) = t.kind,
        (op == top) || ([.add, .sub].contains(op) && [.add, .sub].contains(top))
      {
        flatten(a)
        flatten(b)
      } else {
        operands.append(e)
      }
    }
    flatten(t)
    guard operands.count > 1 else {
      return ([.source(covenant.file.text(t.span))], result)
    }
    var pieces: [DefinitionFigure.Piece] = []
    var at = t.span.start
    for e in operands {
      if e.span.start < at || e.span.end > t.span.end { return ([.source(covenant.file.text(t.span))], result) }
      pieces.append(.source(covenant.file.text(SourceSpan(at, e.span.start)) + covenant.file.text(e.span)))
      if case .constant = e.kind {} else {
        pieces.append(.value(Format.value(try ev.eval(e), schema, style: Self.style(e))))
      }
      at = e.span.end
    }
    pieces.append(.source(covenant.file.text(SourceSpan(at, t.span.end))))
    return (pieces, result)
  }

  static func style(_ t: TExpr) -> NumberStyle? {
    if case .number(let s) = t.type { return s }
    return nil
  }

  /// Source text on one line, runs of blanks made one space.
  /// Joined by hand: the standard library's `joined(separator:)` of substrings is not specialized
  /// (~116,000 instructions on its first call).
  package static func clean(_ s: String) -> String {
    // Most texts are clean already (one line, single spaces): returned as they are, which the
    // split below would rebuild word by word for every definition of every deal of a batch.
    if isClean(s) { return s }
    var out = ""
    for word in s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }) {
      if !out.isEmpty { out += " " }
      // A `String`, not the `Substring`: appending that one goes through the standard library's
      // unspecialized `append(contentsOf:)`, whose first call looks up the sequence's associated
      // types by name (~110,000 instructions, 0.7% of a `covenant check` of 1,000 holdings).
      out += String(word)
    }
    return out
  }

  /// ASCII with no tab, no line break, no two spaces running and no space at either end: what
  /// `clean` would give back unchanged. Anything else (non-ASCII among it, where Unicode line
  /// breaks live) goes the long way.
  static func isClean(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { b in
      guard let first = b.first, let last = b.last, first != 0x20, last != 0x20 else { return b.isEmpty }
      var previous: UInt8 = 0
      for c in b {
        if c < 0x20 || c >= 0x7F || (c == 0x20 && previous == 0x20) { return false }
        previous = c
      }
      return true
    }
  }

  /// What an element showed for a quantifier's body: `tranche.spread` and `121 bps`.
  func evidence(_ plan: QuantifierPlan, _ element: Value, _ ev: inout Evaluator) throws(EvaluationError) -> [RequirementOutcome.Evidence] {
    ev.bind(plan.slot, element)
    let schema = covenant.schema
    var shown: [TExpr] = []
    func sides(_ e: TExpr) {
      switch e.kind {
      case .compare(_, let a, let b):
        shown.append(a)
        if case .constant = b.kind {} else { shown.append(b) }
      case .membership(_, let a, _): shown.append(a)
      case .logic(_, let a, let b):
        sides(a)
        sides(b)
      case .not(let a): sides(a)
      default: break
      }
    }
    sides(plan.body)
    var parts: [RequirementOutcome.Evidence] = []
    var seen = Set<String>()
    for e in shown {
      let text = Self.clean(covenant.file.text(e.span))
      guard seen.insert(text).inserted else { continue }
      do {
        parts.append(.value(ShownValue(expression: text, value: Format.value(try ev.eval(e), schema, style: Self.style(e)))))
      } catch where error.isDivisionByZero {
        // A ratio over a zero denominator, which the comparison itself decided.
        parts.append(.zeroDenominator(text))
      }
    }
    return parts
  }

  /// Each element a quantifier examined, with its values (short lists only).
  func passingElements(_ plan: QuantifierPlan, _ list: ListValue, _ ev: inout Evaluator) throws(EvaluationError) -> [RequirementOutcome.ElementValues] {
    var out: [RequirementOutcome.ElementValues] = []
    for i in 0..<list.count {
      let element = i < list.baseCount ? list.base[i] : list.extra[i - list.baseCount]
      ev.bind(plan.slot, element)
      if let f = plan.filter, try ev.eval(f) != .bool(true) { continue }
      let e = try evidence(plan, element, &ev)
      if e.isEmpty { return [] }
      out.append(RequirementOutcome.ElementValues(element: label(list, i, plan.labelField), values: e))
    }
    return out
  }

  /// The first element that satisfies a `some` (the deal's own elements first).
  func witness(_ plan: QuantifierPlan, _ ev: inout Evaluator) throws(EvaluationError) -> RequirementOutcome.ElementValues? {
    guard case .list(let list) = try ev.eval(plan.list) else { return nil }
    func satisfies(_ element: Value) throws(EvaluationError) -> Bool {
      ev.bind(plan.slot, element)
      if let f = plan.filter, try ev.eval(f) != .bool(true) { return false }
      return try ev.eval(plan.body) == .bool(true)
    }
    var found: Int?
    for (k, e) in list.extra.enumerated() where try satisfies(e) {
      found = list.baseCount + k
      break
    }
    if found == nil {
      for i in 0..<list.baseCount where try satisfies(list.base[i]) {
        found = i
        break
      }
    }
    guard let i = found else { return nil }
    let element = i < list.baseCount ? list.base[i] : list.extra[i - list.baseCount]
    return RequirementOutcome.ElementValues(element: label(list, i, plan.labelField), values: try evidence(plan, element, &ev))
  }

  /// The values an `applies when` condition compared: why it is false, or why it holds.
  func conditionValues(_ cond: TExpr, _ ev: inout Evaluator) throws(EvaluationError) -> [ShownValue] {
    let schema = covenant.schema
    var parts: [ShownValue] = []
    func show(_ e: TExpr, _ other: TExpr?) throws(EvaluationError) {
      if case .constant = e.kind { return }
      var style = Self.style(e)
      if style == .plain || style == nil, let o = other, let s = Self.style(o) { style = s }
      parts.append(ShownValue(expression: Self.clean(covenant.file.text(e.span)), value: Format.value(try ev.eval(e), schema, style: style)))
    }
    func walk(_ c: TExpr) throws(EvaluationError) {
      switch c.kind {
      case .compare(_, let a, let b):
        try show(a, b)
        try show(b, a)
      case .membership(_, let a, _): try show(a, nil)
      case .logic(_, let a, let b):
        // A condition that holds: every part; one that is false: the parts that are false.
        let holds = try ev.eval(c) == .bool(true)
        for side in [a, b] {
          if holds { try walk(side); continue }
          if try ev.eval(side) == .bool(false) { try walk(side) }
        }
      case .not(let x): try walk(x)
      default: break
      }
    }
    try walk(cond)
    return parts
  }
}
