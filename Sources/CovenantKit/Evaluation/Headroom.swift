/// The largest deal amount with which a cap still holds, solved exactly.
///
/// Pro forma, each side of `value <= limit` is a function of the deal amount x. For sums,
/// shares, averages and percentages of totals it has the form (a + b·x) / (1 + d·x): affine, or
/// a share such as (S + x) / (N + x). Such a function is fixed by three points, so each side is
/// evaluated at three amounts, fitted exactly, and the inequality — linear once the two sides
/// are cross-multiplied, in every case a covenant writes — solved in exact arithmetic. The
/// answer is then verified by evaluating the clause at it (and just above it); when any step
/// does not fit (a `max`, a threshold in a filter), the report says "not computed" rather than
/// give a wrong figure.
extension CovenantRunner {
  struct Mobius {
    var a: Exact, b: Exact, d: Exact  // (a + b x) / (1 + d x)
  }

  func solveBound(_ clause: CheckedClause, deal: Value) throws(EvaluationError) -> AmountBound? {
    guard let pf = covenant.proForma, let amountField = pf.amountField,
      case .record(let dealFields) = deal, case .money(let amount, let currency) = dealFields[amountField]
    else { return nil }
    let caps = clause.requirements.filter {
      if case .compare(let op, _, _) = $0.expr.kind { return [.le, .lt, .ge, .gt].contains(op) }
      return false
    }
    guard !caps.isEmpty, caps.count == clause.requirements.count else { return nil }
    // Only figures that move with the deal amount: the portfolio's, or the amount itself.
    guard caps.allSatisfy({ r in
      guard case .compare(_, let a, let b) = r.expr.kind else { return false }
      return (a.type.isMoney || a.type.isNumber) && (b.type.isMoney || b.type.isNumber)
    }) else { return nil }
    guard caps.contains(where: { $0.expr.usesJoinedList || Self.reads(dealField: amountField, $0.expr) }) else { return nil }

    func evaluator(at x: Exact) throws(EvaluationError) -> Evaluator {
      var f = dealFields
      f[amountField] = .money(x, currency: currency)
      return try Evaluator(covenant: covenant, snapshot: snapshot, deal: .record(f), proForma: true, cache: cache)
    }
    let half = (try? amount.divided(by: Exact(2))) ?? amount
    let points: [Exact] = amount.signum == 0 ? [.zero, Exact(1_000_000), Exact(2_000_000)] : [.zero, half, amount]
    var evs: [Evaluator] = []
    for p in points { evs.append(try evaluator(at: p)) }

    // The amounts that comply form an interval; each requirement narrows it.
    var feasible = Interval(low: .zero, lowStrict: false, high: nil, highStrict: false)
    let keys: [Value?] = try clause.group.map { g throws(EvaluationError) in try evs[2].groupKeys(g).map { Optional($0) } } ?? [nil]
    for key in keys {
      for req in caps {
        guard case .compare(let op, let lhs, let rhs) = req.expr.kind else { continue }
        var ls: [Exact] = [], rs: [Exact] = []
        for i in evs.indices {
          if let key { evs[i].groupKey = key }
          guard let l = Self.magnitude(try evs[i].eval(lhs)), let r = Self.magnitude(try evs[i].eval(rhs)) else {
            return .notComputed("the figures are undefined at some amounts")
          }
          ls.append(l)
          rs.append(r)
        }
        guard let fl = Self.fit(points, ls), let fr = Self.fit(points, rs) else {
          return .notComputed("the clause's figures do not vary with the deal amount in a way that can be solved exactly")
        }
        // Cap: lhs <= rhs. Floor (>=) is the same with the sides swapped.
        let isCap = op == .le || op == .lt
        let (p, q) = isCap ? (fl, fr) : (fr, fl)
        guard let interval = Self.solve(p, q, strict: op == .lt || op == .gt) else {
          return .notComputed("the inequality is not linear in the deal amount")
        }
        guard let narrowed = feasible.intersect(interval) else { return .noAmount }
        feasible = narrowed
      }
    }
    let best: AmountBound
    if let high = feasible.high {
      best = feasible.highStrict ? .lessThan(high, currency: currency) : .atMost(high, currency: currency)
    } else {
      best = .unlimited
    }
    // Verify: the clause holds at the bound and fails a cent above it.
    if case .atMost(let x, _) = best {
      var at = try evaluator(at: x)
      let holds = try evaluate(clause, &at).outcomes.allSatisfy { $0.holds != false }
      var above = try evaluator(at: (try? x.adding(Exact(num: 1, den: 100))) ?? x)
      let failsAbove = try evaluate(clause, &above).outcomes.contains { $0.holds == false }
      if !holds || !failsAbove { return .notComputed("the solution did not verify") }
    }
    return best
  }

  static func reads(dealField f: Int, _ t: TExpr) -> Bool {
    switch t.kind {
    case .field(let b, let i): if case .dealRoot = b.kind, i == f { return true }; return reads(dealField: f, b)
    case .negate(let x), .not(let x), .convert(let x, _): return reads(dealField: f, x)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b):
      return reads(dealField: f, a) || reads(dealField: f, b)
    default: return false
    }
  }

  /// Amounts x ≥ 0 between `low` and `high` (nil: no upper end).
  struct Interval {
    var low: Exact
    var lowStrict: Bool
    var high: Exact?
    var highStrict: Bool

    func intersect(_ o: Interval) -> Interval? {
      var r = self
      if o.low > low || (o.low == low && o.lowStrict) { r.low = o.low; r.lowStrict = o.lowStrict || (o.low == low && lowStrict) }
      if let oh = o.high {
        if let h = high {
          if oh < h || (oh == h && o.highStrict) { r.high = oh; r.highStrict = o.highStrict || (oh == h && highStrict) }
        } else {
          r.high = oh
          r.highStrict = o.highStrict
        }
      }
      if let h = r.high, h < r.low || (h == r.low && (r.highStrict || r.lowStrict)) { return nil }
      return r
    }
  }

  /// Fits (a + b x) / (1 + d x) through three points exactly; nil if no such function does or
  /// its denominator can reach zero for a positive amount.
  static func fit(_ xs: [Exact], _ ys: [Exact]) -> Mobius? {
    do throws(ArithmeticError) {
      // a + b·x − d·x·y = y, for each point: a 3×3 linear system, solved by Cramer's rule.
      func det(_ m: [[Exact]]) throws(ArithmeticError) -> Exact {
        let t1 = try m[0][0].multiplied(by: try m[1][1].multiplied(by: m[2][2]).subtracting(try m[1][2].multiplied(by: m[2][1])))
        let t2 = try m[0][1].multiplied(by: try m[1][0].multiplied(by: m[2][2]).subtracting(try m[1][2].multiplied(by: m[2][0])))
        let t3 = try m[0][2].multiplied(by: try m[1][0].multiplied(by: m[2][1]).subtracting(try m[1][1].multiplied(by: m[2][0])))
        return try t1.subtracting(t2).adding(t3)
      }
      // Affine first: the common case, and the system below is singular for constants.
      let s1 = try ys[1].subtracting(ys[0]).divided(by: try xs[1].subtracting(xs[0]))
      let s2 = try ys[2].subtracting(ys[1]).divided(by: try xs[2].subtracting(xs[1]))
      if s1 == s2 {
        return Mobius(a: try ys[0].subtracting(try s1.multiplied(by: xs[0])), b: s1, d: .zero)
      }
      var m: [[Exact]] = []
      for i in 0..<3 { m.append([.one, xs[i], try (try xs[i].multiplied(by: ys[i])).negated()]) }
      let dm = try det(m)
      guard dm.signum != 0 else { return nil }
      func replaced(_ col: Int) -> [[Exact]] {
        var r = m
        for i in 0..<3 { r[i][col] = ys[i] }
        return r
      }
      let a = try det(replaced(0)).divided(by: dm)
      let b = try det(replaced(1)).divided(by: dm)
      let d = try det(replaced(2)).divided(by: dm)
      guard d.signum >= 0 else { return nil }
      return Mobius(a: a, b: b, d: d)
    } catch {
      return nil
    }
  }

  /// The amounts x ≥ 0 with p(x) ≤ q(x) (or <, when strict); nil when not linear.
  static func solve(_ p: Mobius, _ q: Mobius, strict: Bool) -> Interval? {
    do throws(ArithmeticError) {
      // (pa + pb x)(1 + qd x) − (qa + qb x)(1 + pd x) ≤ 0  →  A x² + B x + C ≤ 0
      let A = try p.b.multiplied(by: q.d).subtracting(try q.b.multiplied(by: p.d))
      guard A.signum == 0 else { return nil }
      let B = try p.a.multiplied(by: q.d).adding(p.b).subtracting(try q.a.multiplied(by: p.d)).subtracting(q.b)
      let C = try p.a.subtracting(q.a)
      let all = Interval(low: .zero, lowStrict: false, high: nil, highStrict: false)
      let none = Interval(low: .one, lowStrict: false, high: .zero, highStrict: false)
      if B.signum == 0 { return (strict ? C.signum < 0 : C.signum <= 0) ? all : none }
      let root = try C.negated().divided(by: B)
      if B.signum > 0 {
        // Holds up to the root.
        if root.signum < 0 || (strict && root.signum == 0) { return none }
        return Interval(low: .zero, lowStrict: false, high: root, highStrict: strict)
      }
      // Holds from the root upward.
      if root.signum <= 0 { return all }
      return Interval(low: root, lowStrict: strict, high: nil, highStrict: false)
    } catch {
      return nil
    }
  }
}
