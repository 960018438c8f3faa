import CovenantValues
import CovenantSyntax

extension Checker {
  mutating func checkBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ span: SourceSpan) -> TExpr {
    switch op {
    case .and, .or:
      let x = checkCondition(a, what: "each side of `\(op.rawValue)`")
      let y = checkCondition(b, what: "each side of `\(op.rawValue)`")
      return make(.logic(op, x, y), .bool, span, [x, y])
    case .isIn, .notIn:
      let x = checkExpr(a)
      guard case .list(let items) = b.kind else {
        report(SemanticDiagnostics.list(.inWithoutBrackets), b.span)
        return invalid(span)
      }
      var checked: [TExpr] = []
      for item in items {
        let y = checkExpr(item, hint: x.type)
        if !comparable(x.type, y.type, .eq) {
          report(SemanticDiagnostics.comparisonTypes(.compare(schema.typeName(x.type), schema.typeName(y.type), help: nil)), item.span)
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
          report(SemanticDiagnostics.currenciesMixed(.compare(schema.typeName(x.type), schema.typeName(y.type)), base: schema.baseCurrency), span)
        } else if (op != .eq && op != .ne) && x.type == y.type {
          report(SemanticDiagnostics.comparisonTypes(.onlyEquality(schema.typeName(x.type))), span)
        } else {
          let (tx, ty) = (schema.typeName(x.type), schema.typeName(y.type))
          report(
            Self.isShare(x) && y.type.isMoney || Self.isShare(y) && x.type.isMoney
              ? SemanticDiagnostics.comparisonTypes(.shareWithAmount(tx, ty, sum: shareAsSum(Self.isShare(x) ? x : y)))
              : SemanticDiagnostics.comparisonTypes(.compare(tx, ty, help: unitHelp(x.type, y.type))),
            span)
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
      report(SemanticDiagnostics.shareCapNeverBinds(file.text(y.span), guesses: Self.shareCapGuesses(limit)), y.span)
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

  mutating func arithmeticType(_ op: BinaryOp, _ a: ValueType, _ b: ValueType, _ span: SourceSpan) -> ValueType? {
    if a == .error || b == .error { return .error }
    func fail(_ help: String? = nil) -> ValueType? {
      report(SemanticDiagnostics.operandTypes(.arithmetic(op, schema.typeName(a), schema.typeName(b), help: help)), span)
      return nil
    }
    switch (op, a, b) {
    case (.add, .number(let s), .number(let t)), (.sub, .number(let s), .number(let t)):
      return .number(s == t ? s : .plain)
    case (.add, .money(let x), .money(let y)), (.sub, .money(let x), .money(let y)):
      if let x, let y, x != y {
        report(SemanticDiagnostics.currenciesMixed(.addOrSubtract(add: op == .add, "\(y)", "\(x)"), base: schema.baseCurrency), span)
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
        report(SemanticDiagnostics.currenciesMixed(.divide("\(x)", "\(y)"), base: schema.baseCurrency), span)
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
}
