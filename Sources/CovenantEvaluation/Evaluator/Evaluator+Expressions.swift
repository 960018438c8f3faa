import CovenantValues
import CovenantSyntax
import CovenantSemantics

extension Evaluator {
  // MARK: - Expressions

  mutating func eval(_ t: TExpr) throws(EvaluationError) -> Value {
    switch t.kind {
    case .constant(let v): return v
    case .invalid: return .absent
    case .snapshotRoot: return snapshot
    case .dealRoot: return deal ?? .absent
    case .local(let s):
      if s < state.rows.count, let table = state.rows[s].table { return table.record(state.rows[s].row) }
      return state.locals[s]
    case .groupKey: return groupKey
    case .definition(let i):
      if periodDate != nil, context.periodDependent[i] { return try eval(context.covenant.definitions[i].value) }
      if let v = state.definitions[i] { return v }
      let v = try eval(context.covenant.definitions[i].value)
      state.definitions[i] = v
      return v
    case .field(let b, let i):
      if case .local(let s) = b.kind, s < state.rows.count, let table = state.rows[s].table {
        return i < table.columns.count ? table.value(state.rows[s].row, i) : .absent
      }
      guard case .record(let fields) = try eval(b), i < fields.count else { return .absent }
      return fields[i]
    case .negate(let x):
      switch try eval(x) {
      case .number(let n): return .number(try Self.checked(t.span) { () throws(ArithmeticError) in try n.negated() })
      case .money(let n, let c): return .money(try Self.checked(t.span) { () throws(ArithmeticError) in try n.negated() }, currency: c)
      case .duration(let d):
        guard let n = d.negated else { throw EvaluationError(EvaluationDiagnostics.outOfRange(.value("duration")), span: t.span) }
        return .duration(n)
      default: return .absent
      }
    case .not(let x):
      guard case .bool(let b) = try eval(x) else { return .absent }
      return .bool(!b)
    case .logic(let op, let a, let b):
      let x = try eval(a)
      if case .bool(let bx) = x, bx == (op == .or) { return x }
      let y = try eval(b)
      if case .bool(let by) = y {
        if by == (op == .or) { return y }
        if case .bool = x { return y }
      }
      return .absent
    case .compare(let op, let a, let b):
      if op == .le || op == .lt || op == .ge || op == .gt {
        if let r = Self.ratioParts(a, context.covenant.definitions) {
          return try ratioCompare(op, r, b, t.span)
        }
        if let r = Self.ratioParts(b, context.covenant.definitions) {
          return try ratioCompare(op == .le ? .ge : op == .lt ? .gt : op == .ge ? .le : .lt, r, a, t.span)
        }
      }
      return try compare(op, try eval(a), try eval(b), t.span)
    case .membership(let negated, let a, let items):
      let x = try eval(a)
      if x == .absent { return .absent }
      for item in items where try Self.equal(x, try eval(item), t.span) { return .bool(!negated) }
      return .bool(negated)
    case .arithmetic(let op, let a, let b):
      return try arithmetic(op, try eval(a), try eval(b), t.span)
    case .convert(let x, let code):
      guard case .money(let amount, let from) = try eval(x) else { return .absent }
      return .money(try convert(amount, from: from, to: code, t.span), currency: code)
    case .aggregate(let plan):
      return try aggregate(plan, t)
    case .quantifier(let plan):
      return try quantifier(plan).value(plan.quantifier)
    case .presence(let x, let missing):
      return .bool((try eval(x) == .absent) == missing)
    case .conditional(let c, let a, let b):
      switch try eval(c) {
      case .bool(true): return try eval(a)
      case .bool(false): return try eval(b)
      default: return .absent
      }
    case .extremum(let max, let items):
      var best: Value = .absent
      for item in items {
        let v = try eval(item)
        if v == .absent { return .absent }
        if best == .absent {
          best = v
        } else {
          let better = max ? try Self.less(best, v, t.span) : try Self.less(v, best, t.span)
          if better { best = v }
        }
      }
      return best
    case .trailing(let plan):
      return try trailing(plan, t)
    }
  }

  /// `a / b` (written so, or through definitions) when it is a ratio, a pure number.
  static func ratioParts(_ t: TExpr, _ definitions: [CheckedDefinition], depth: Int = 0) -> (numerator: TExpr, denominator: TExpr)? {
    guard t.type.isNumber, depth < 100 else { return nil }
    switch t.kind {
    case .arithmetic(.div, let n, let d): return (n, d)
    case .definition(let i) where i < definitions.count: return ratioParts(definitions[i].value, definitions, depth: depth + 1)
    default: return nil
    }
  }

  /// Whether a ratio floor (`floor`: `>=`, `>`) or cap (`<=`, `<`) holds when its denominator is
  /// zero or negative, as agreements mean it: a positive numerator over nothing (or less) is an
  /// unbounded ratio — interest cover with no interest expense, leverage with negative EBITDA —
  /// which meets every floor and no cap; a numerator of zero or less gives no ratio at all, which
  /// meets neither.
  static func ratioHolds(floor: Bool, numerator: Exact, denominatorSign: Int) -> Bool {
    floor && numerator.signum > 0
  }

  /// `ratio OP limit`, where `ratio` is `n / d`: an ordinary comparison when `d` is positive,
  /// otherwise decided by `ratioHolds` instead of a division by zero (E002).
  mutating func ratioCompare(_ op: BinaryOp, _ r: (numerator: TExpr, denominator: TExpr), _ limit: TExpr, _ span: SourceSpan) throws(EvaluationError) -> Value {
    let n = try eval(r.numerator), d = try eval(r.denominator), y = try eval(limit)
    if n == .absent || d == .absent || y == .absent { return .absent }
    guard let dm = CovenantRunner.magnitude(d), let nm = CovenantRunner.magnitude(n) else { return .absent }
    if dm.signum > 0 { return try compare(op, try arithmetic(.div, n, d, span), y, span) }
    return .bool(Self.ratioHolds(floor: op == .ge || op == .gt, numerator: nm, denominatorSign: dm.signum))
  }

  func convert(_ amount: Exact, from: String, to: String, _ span: SourceSpan) throws(EvaluationError) -> Exact {
    if from == to { return amount }
    guard let fx = context.covenant.fxField, case .record(let fields) = snapshot, case .fx(let rates) = fields[fx] else {
      throw EvaluationError(EvaluationDiagnostics.missingRate(.noRates(from: from, to: to)), span: span)
    }
    let base = context.covenant.schema.baseCurrency
    func rate(_ c: String) throws(EvaluationError) -> Exact {
      if c == base { return .one }
      guard let r = rates[c] else {
        throw EvaluationError(EvaluationDiagnostics.missingRate(.noRate(c, base: base)), span: span)
      }
      return r
    }
    let rf = try rate(from), rt = try rate(to)
    return try Self.checked(span) { () throws(ArithmeticError) in try amount.multiplied(by: rf).divided(by: rt) }
  }

  static func equal(_ a: Value, _ b: Value, _ span: SourceSpan) throws(EvaluationError) -> Bool {
    if case .money(_, let c) = a, case .money(_, let d) = b, c != d { throw currencyMix(c, d, span) }
    if case .duration(let x) = a, case .duration(let y) = b {
      guard let o = x.compare(y) else { throw EvaluationError(EvaluationDiagnostics.durationsNotComparable("\(x)", "\(y)", ordering: false), span: span) }
      return o == .equal
    }
    return a == b
  }

  func compare(_ op: BinaryOp, _ x: Value, _ y: Value, _ span: SourceSpan) throws(EvaluationError) -> Value {
    if x == .absent || y == .absent { return .absent }
    switch op {
    case .eq: return .bool(try Self.equal(x, y, span))
    case .ne: return .bool(!(try Self.equal(x, y, span)))
    case .lt: return .bool(try Self.less(x, y, span))
    case .gt: return .bool(try Self.less(y, x, span))
    case .le: return .bool(!(try Self.less(y, x, span)))
    case .ge: return .bool(!(try Self.less(x, y, span)))
    default: return .absent
    }
  }

  func arithmetic(_ op: BinaryOp, _ x: Value, _ y: Value, _ span: SourceSpan) throws(EvaluationError) -> Value {
    try Self.arithmeticValue(op, x, y, span)
  }

  static func arithmeticValue(_ op: BinaryOp, _ x: Value, _ y: Value, _ span: SourceSpan) throws(EvaluationError) -> Value {
    do throws(ValueArithmetic.Failure) {
      return try ValueArithmetic.apply(op, x, y)
    } catch {
      switch error {
      case .arithmetic(let e): return try checked(span) { () throws(ArithmeticError) -> Value in throw e }
      case .currencyMix(let a, let b): throw currencyMix(a, b, span)
      case .outOfRange(let what): throw EvaluationError(EvaluationDiagnostics.outOfRange(.value(what)), span: span)
      }
    }
  }
}
