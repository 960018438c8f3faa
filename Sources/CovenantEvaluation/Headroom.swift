import CovenantValues
import CovenantSemantics

/// The largest deal amount with which a cap still holds, solved exactly; and the same across the
/// whole covenant (`capacity`).
///
/// Pro forma, each side of `value <= limit` is a function of the deal amount x. For sums,
/// shares, averages and percentages of totals it has the form (a + b·x) / (1 + d·x): affine, or
/// a share such as (S + x) / (N + x). Such a function is fixed by three points, so each side is
/// evaluated at three amounts and fitted exactly (in arbitrary precision: real figures with cents
/// make the fit's fractions far wider than machine words). Cross-multiplied, the inequality is
/// linear in x for every cap a covenant writes, and is solved in closed form: (S + x)/(N + x) ≤ c
/// gives x ≤ (cN − S)/(1 − c). The answer is then verified by evaluating the clause at the amount
/// reported (rounded down to the cent) and one cent above; when a step does not fit (a `max`, a
/// threshold in a filter), the report says "not computed", with the reason, rather than give a
/// wrong figure.
extension CovenantRunner {
  struct Mobius {
    var a: Exact, b: Exact, d: Exact  // (a + b x) / (1 + d x)
  }

  /// Why a set of compliant amounts could not be found.
  struct Unsolved: Error {
    var reason: Unsolvable
  }

  /// One cent, the step in which amounts are reported and verified.
  static let cent = (try? Exact(1, scale: 2)) ?? .one

  /// The deal's amount field, its amount and currency, when the covenant's pro forma varies one.
  func amountContext(_ deal: Value) -> (field: Int, fields: [Value], amount: Exact, currency: String)? {
    guard let pf = covenant.proForma, let amountField = pf.amountField,
      case .record(let dealFields) = deal, case .money(let amount, let currency) = dealFields[amountField]
    else { return nil }
    return (amountField, dealFields, amount, currency)
  }

  func evaluator(_ ctx: (field: Int, fields: [Value], amount: Exact, currency: String), at x: Exact) throws(EvaluationError) -> Evaluator {
    var f = ctx.fields
    f[ctx.field] = .money(x, currency: ctx.currency)
    var e = try Evaluator(covenant: covenant, snapshot: snapshot, deal: .record(f), proForma: true, cache: cache, context: snapshotEvaluator?.context)
    e.naive = naive
    return e
  }

  /// The amounts at which each side is sampled for the fit.
  static func samplePoints(_ amount: Exact) -> [Exact] {
    let half = (try? amount.divided(by: Exact(2))) ?? amount
    return amount.signum <= 0 ? [.zero, Exact(1_000_000), Exact(2_000_000)] : [.zero, half, amount]
  }

  /// The evaluators at the sample amounts, built once per deal and shared by every clause's
  /// bound and by the capacity, with each clause's solved set of amounts.
  struct Samples {
    var ctx: (field: Int, fields: [Value], amount: Exact, currency: String)
    var points: [Exact]
    /// The evaluators at `points`, built when first needed (`sampleEvaluators`).
    var evs: [Evaluator]?
    /// By clause index: the amounts with which its requirements hold, or why they cannot be found.
    var requirementSets: [Int: Result<AmountSet, Unsolved>] = [:]
    /// The evaluators built so far, by deal amount. A clause's bound is verified at its amount
    /// and a cent above, and the capacity at the binding clause's: the same amounts, so the
    /// same evaluators, with the figures they already computed.
    var byAmount: [Exact: Evaluator] = [:]
  }

  /// `pro`: the deal's own pro forma evaluator, which is the evaluator at the deal's amount.
  func samples(_ deal: Value, pro: Evaluator? = nil) throws(EvaluationError) -> Samples? {
    guard let ctx = amountContext(deal) else { return nil }
    let points = Self.samplePoints(ctx.amount)
    var s = Samples(ctx: ctx, points: points, evs: nil)
    if let pro, !naive { s.byAmount[ctx.amount] = pro }
    // Built now unless building them later cannot fail (then a deal whose bounds are all
    // reused never builds them).
    if naive || !proFormaFieldsPlain { _ = try sampleEvaluators(&s) }
    return s
  }

  /// The evaluators at the sample amounts, built once per deal.
  func sampleEvaluators(_ s: inout Samples) throws(EvaluationError) -> [Evaluator] {
    if let known = s.evs { return known }
    var evs: [Evaluator] = []
    for p in s.points { evs.append(try evaluator(at: p, &s)) }
    s.evs = evs
    return evs
  }

  /// The evaluator at deal amount `x`, built once per deal and amount.
  func evaluator(at x: Exact, _ s: inout Samples) throws(EvaluationError) -> Evaluator {
    if let e = s.byAmount[x] { return e }
    let e = try evaluator(s.ctx, at: x)
    if !naive { s.byAmount[x] = e }
    return e
  }

  /// The requirement set of clause `ci`, solved once per deal.
  func requirementSet(_ ci: Int, _ s: inout Samples) throws(EvaluationError) -> Result<AmountSet, Unsolved> {
    if let known = s.requirementSets[ci] { return known }
    let r: Result<AmountSet, Unsolved>
    let clause = covenant.clauses[ci]
    do {
      if !naive, s.evs == nil, proFormaFieldsPlain, clause.group == nil, !clause.requirements.contains(where: { dependsOnAmount($0.expr) }) {
        // Nothing moves with the amount: each requirement is evaluated once, on the evaluator
        // the general path reads it from (the last sample's; the deal's own for a positive
        // amount), without building the others.
        let e = try evaluator(at: s.points[2], &s)
        r = .success(try requirementSet(clause, [e, e, e], s.points))
      } else {
        r = .success(try requirementSet(clause, try sampleEvaluators(&s), s.points))
      }
    } catch let e as Unsolved {
      r = .failure(e)
    } catch let e as EvaluationError {
      throw e
    } catch {
      r = .failure(Unsolved(reason: .error("\(error)")))
    }
    s.requirementSets[ci] = r
    return r
  }

  /// `clause`: the clause as it applies to this deal when that differs from the covenant's (a
  /// consent lifting its limit); its requirement set then replaces the clause's for the capacity.
  func solveBound(_ ci: Int, _ samples: inout Samples, clause override: CheckedClause? = nil) throws(EvaluationError) -> AmountBound? {
    let clause = override ?? covenant.clauses[ci]
    if let override, samples.requirementSets[ci] == nil {
      do {
        samples.requirementSets[ci] = .success(try requirementSet(override, try sampleEvaluators(&samples), samples.points))
      } catch let e as Unsolved {
        samples.requirementSets[ci] = .failure(e)
      } catch let e as EvaluationError {
        throw e
      } catch {
        samples.requirementSets[ci] = .failure(Unsolved(reason: .error("\(error)")))
      }
    }
    let ctx = samples.ctx
    let caps = clause.requirements.filter {
      if case .compare(let op, _, _) = $0.expr.kind { return [.le, .lt, .ge, .gt].contains(op) }
      return false
    }
    guard !caps.isEmpty, caps.count == clause.requirements.count else { return nil }
    // Only clauses whose figures move with the deal: the amount itself, or the joined list.
    guard caps.contains(where: { $0.expr.usesJoinedList || dependsOnAmount($0.expr) }) else { return nil }
    // A solution reused from an earlier deal with the same terms (ClosedForm.swift).
    var reuse: ClosedFormKey? = nil
    if override == nil, !naive, let form = closedForm(ci), form.solvable, let key = closedFormKey(ci, form, ctx) {
      if let known = memo.bounds[key] {
        samples.requirementSets[ci] = .success(known.set)
        return known.bound
      }
      reuse = key
    }
    let set: AmountSet
    switch try requirementSet(ci, &samples) {
    case .success(let s): set = s
    case .failure(let e): return .notComputed(e.reason)
    }
    if let key = reuse, let form = closedForm(ci), try sharesPositive(form, &samples) {
      let bound = try verifiedBound(clause, set, &samples)
      if memo.bounds.count < RunnerMemo.maxEntries { memo.bounds[key] = (bound, set) }
      return bound
    }
    return try verifiedBound(clause, set, &samples)
  }

  /// The bound of a solved set of amounts, verified by evaluating the clause at it (to the cent)
  /// and a cent above.
  func verifiedBound(_ clause: CheckedClause, _ set: AmountSet, _ samples: inout Samples) throws(EvaluationError) -> AmountBound {
    let ctx = samples.ctx
    let best: AmountBound
    switch set.supremum {
    case .none: return .noAmount
    case .some((nil, _)): best = .unlimited
    case .some(let (high?, strict)): best = strict ? .lessThan(high, currency: ctx.currency) : .atMost(high, currency: ctx.currency)
    }
    // Verify: the clause holds at the amount reported (to the cent) and fails a cent above it.
    if let (at, above) = Self.verificationAmounts(best) {
      var e1 = try evaluator(at: at, &samples)
      let atBound = try evaluate(clause, &e1, holdsOnly: true).outcomes
      let holds = atBound.indices.allSatisfy { atBound.status(at: $0).holds != false }
      var e2 = try evaluator(at: above, &samples)
      let overBound = try evaluate(clause, &e2, holdsOnly: true).outcomes
      let failsAbove = overBound.indices.contains { overBound.status(at: $0).holds == false }
      if !holds || !failsAbove {
        return .notComputed(.boundDidNotVerify)
      }
    }
    return best
  }

  /// The largest whole-cent amount a bound allows, and one cent more; nil when there is none.
  static func verificationAmounts(_ b: AmountBound) -> (Exact, Exact)? {
    let x: Exact
    switch b {
    case .atMost(let h, _): x = h
    case .lessThan(let h, _):
      guard let c = try? h.subtracting(cent), let s = try? c.scaled(places: 2, rounding: .up), let r = try? Exact(num: s, den: 100) else { return nil }
      x = r
    default: return nil
    }
    guard let s = try? x.scaled(places: 2, rounding: .down), let at = try? Exact(num: s, den: 100), at.signum >= 0,
      let above = try? at.adding(cent)
    else { return nil }
    return (at, above)
  }

  /// The amounts with which every requirement of `clause` holds, in every group. Throws
  /// `Unsolved` with the true reason when a requirement's dependence on the amount has no form
  /// that can be solved exactly.
  func requirementSet(_ clause: CheckedClause, _ evs: [Evaluator], _ points: [Exact]) throws -> AmountSet {
    var evs = evs
    var set = AmountSet.all
    let keys: [Value?] = try clause.group.map { g throws(EvaluationError) in try evs[2].groupKeys(g).map { Optional($0) } } ?? [nil]
    for key in keys {
      for req in clause.requirements {
        for i in evs.indices { evs[i].groupKey = key ?? .absent }
        set = set.intersect(try conditionSet(req.expr, &evs, points, what: .requirement(req.source)))
        if set.isEmpty { return set }
      }
    }
    return set
  }

  /// The amounts at which a true/false expression holds, for the group key set on `evs`.
  /// `undefinedHolds`: an undefined requirement is no breach, an undefined condition does not apply.
  func conditionSet(_ t: TExpr, _ evs: inout [Evaluator], _ points: [Exact], what: Unsolvable.Part, undefinedHolds: Bool = true) throws -> AmountSet {
    if !dependsOnAmount(t) {
      // Evaluated at the deal's own amount: the same at every amount.
      switch try evs[2].eval(t) {
      case .bool(let b): return b ? .all : .none
      default: return undefinedHolds ? .all : .none
      }
    }
    guard case .compare(let op, let lhs, let rhs) = t.kind, [.le, .lt, .ge, .gt].contains(op),
      lhs.type.isMoney || lhs.type.isNumber, rhs.type.isMoney || rhs.type.isNumber
    else {
      throw Unsolved(reason: .notACapOrFloor(what))
    }
    if let why = unsolvableForm(lhs) ?? unsolvableForm(rhs) {
      throw Unsolved(reason: .form(what, why))
    }
    var ls: [Exact] = [], rs: [Exact] = []
    for i in evs.indices {
      guard let l = Self.magnitude(try evs[i].eval(lhs)), let r = Self.magnitude(try evs[i].eval(rhs)) else {
        throw Unsolved(reason: .undefinedAtSomeAmounts(what))
      }
      ls.append(l)
      rs.append(r)
    }
    guard let fl = try Self.fit(points, ls), let fr = try Self.fit(points, rs) else {
      throw Unsolved(reason: .notSteady(what))
    }
    // Cap: lhs <= rhs. Floor (>=) is the same with the sides swapped.
    let isCap = op == .le || op == .lt
    let (p, q) = isCap ? (fl, fr) : (fr, fl)
    guard let interval = try Self.solve(p, q, strict: op == .lt || op == .gt) else {
      throw Unsolved(reason: .twoShares(what))
    }
    return AmountSet(parts: interval.map { [$0] } ?? [])
  }

  /// Whether an expression's value can change with the deal amount: it reads the amount field,
  /// a joined-record field the pro forma fills from it, or a definition that does.
  func dependsOnAmount(_ t: TExpr) -> Bool {
    guard let pf = covenant.proForma, let amountField = pf.amountField, t.usesDeal || t.usesJoinedList else { return false }
    var fromAmount = Set<Int>()
    for (i, f) in pf.fields.enumerated() where Self.reads(dealField: amountField, f) { fromAmount.insert(i) }
    if let v = pf.valueField { fromAmount.insert(v) }
    var seen = Set<Int>()
    func walk(_ t: TExpr) -> Bool {
      switch t.kind {
      case .constant, .snapshotRoot, .dealRoot, .local, .groupKey, .invalid: return false
      case .definition(let i):
        guard seen.insert(i).inserted, i < covenant.definitions.count else { return false }
        return walk(covenant.definitions[i].value)
      case .field(let b, let i):
        if case .dealRoot = b.kind, i == amountField { return true }
        if case .record(let r) = b.type, r == pf.record, fromAmount.contains(i) { return true }
        return walk(b)
      case .negate(let x), .not(let x), .convert(let x, _), .presence(let x, _): return walk(x)
      case .conditional(let c, let a, let b): return walk(c) || walk(a) || walk(b)
      case .extremum(_, let xs): return xs.contains(where: walk)
      case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b): return walk(a) || walk(b)
      case .membership(_, let x, let xs): return walk(x) || xs.contains(where: walk)
      case .aggregate(let p):
        return walk(p.list) || p.value.map(walk) == true || p.weight.map(walk) == true || p.filter.map(walk) == true
          || p.key.map(walk) == true
      case .quantifier(let p):
        return walk(p.list) || p.filter.map(walk) == true || walk(p.body)
      case .trailing(let p):
        return walk(p.list) || p.value.map(walk) == true || p.filter.map(walk) == true || p.key.map(walk) == true
      }
    }
    return walk(t)
  }

  /// Why a figure is not a sum, share or ratio of the deal amount (the forms the fit solves
  /// exactly), or nil when it is one. Sampling alone cannot tell a `max` that happens to be flat
  /// between the amounts sampled from a constant, so the form is checked first.
  func unsolvableForm(_ t: TExpr) -> Unsolvable.Form? {
    guard dependsOnAmount(t) else { return nil }
    switch t.kind {
    case .definition(let i):
      return i < covenant.definitions.count ? unsolvableForm(covenant.definitions[i].value) : nil
    case .negate(let x), .convert(let x, _): return unsolvableForm(x)
    case .arithmetic(let op, let a, let b):
      if op == .mul, dependsOnAmount(a), dependsOnAmount(b) { return .product }
      return unsolvableForm(a) ?? unsolvableForm(b)
    case .aggregate(let p):
      if p.filter.map(dependsOnAmount) == true || p.key.map(dependsOnAmount) == true {
        return .threshold
      }
      if p.function == .min || p.function == .max {
        return .aggregateExtremum(max: p.function == .max)
      }
      return nil
    case .quantifier: return .quantifier
    case .trailing: return .trailing
    case .extremum(let isMax, _): return .extremum(max: isMax)
    case .conditional: return .conditional
    case .compare, .logic, .not, .membership: return .condition
    default: return nil
    }
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
  struct Interval: Hashable {
    var low: Exact
    var lowStrict: Bool
    var high: Exact?
    var highStrict: Bool

    static let all = Interval(low: .zero, lowStrict: false, high: nil, highStrict: false)

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

    /// The amounts x ≥ 0 outside this interval: at most two intervals.
    var complement: [Interval] {
      var r: [Interval] = []
      if low.signum > 0 || lowStrict {
        r.append(Interval(low: .zero, lowStrict: false, high: low, highStrict: !lowStrict))
      }
      if let high { r.append(Interval(low: high, lowStrict: !highStrict, high: nil, highStrict: false)) }
      return r
    }
  }

  /// A set of amounts: a union of intervals (not necessarily disjoint).
  struct AmountSet: Hashable {
    var parts: [Interval]

    static let all = AmountSet(parts: [.all])
    static let none = AmountSet(parts: [])
    var isEmpty: Bool { parts.isEmpty }

    func intersect(_ o: AmountSet) -> AmountSet {
      var r: [Interval] = []
      for a in parts { for b in o.parts { if let c = a.intersect(b) { r.append(c) } } }
      return AmountSet(parts: r)
    }

    func union(_ o: AmountSet) -> AmountSet { AmountSet(parts: parts + o.parts) }

    var complement: AmountSet {
      var r = AmountSet.all
      for p in parts { r = r.intersect(AmountSet(parts: p.complement)) }
      return r
    }

    /// The least upper bound: nil when empty; `.some(nil)` when unbounded; else the bound and
    /// whether it is excluded.
    var supremum: (Exact?, Bool)? {
      guard !parts.isEmpty else { return nil }
      var best: (Exact, Bool)? = nil
      for p in parts {
        guard let h = p.high else { return (nil, false) }
        if let b = best {
          if h > b.0 || (h == b.0 && !p.highStrict) { best = (h, p.highStrict) }
        } else {
          best = (h, p.highStrict)
        }
      }
      return best.map { ($0.0, $0.1) }
    }

    /// Whether x is in the set.
    func contains(_ x: Exact) -> Bool {
      parts.contains { p in
        (p.low < x || (p.low == x && !p.lowStrict)) && (p.high.map { x < $0 || (x == $0 && !p.highStrict) } ?? true)
      }
    }
  }

  /// Fits (a + b x) / (1 + d x) through three points exactly; nil if no such function does or
  /// its denominator can reach zero for a positive amount. Throws `Unsolved` only past the bound
  /// of exact arithmetic.
  static func fit(_ xs: [Exact], _ ys: [Exact]) throws -> Mobius? {
    do throws(ArithmeticError) {
      // Affine first: the common case, and the system below is singular for constants.
      let s1 = try ys[1].subtracting(ys[0]).divided(by: try xs[1].subtracting(xs[0]))
      let s2 = try ys[2].subtracting(ys[1]).divided(by: try xs[2].subtracting(xs[1]))
      if s1 == s2 {
        return Mobius(a: try ys[0].subtracting(try s1.multiplied(by: xs[0])), b: s1, d: .zero)
      }
      // a + b·x − d·x·y = y at each point. With x0 = 0 (the usual first sample) a = y0, and the
      // other two points leave a 2×2 system in b and d, solved in closed form.
      guard xs[0].signum == 0 else { return try fitGeneral(xs, ys) }
      let a = ys[0]
      // b·xi − d·xi·yi = yi − a, i = 1, 2.
      let (p1, q1, r1) = (xs[1], try (try xs[1].multiplied(by: ys[1])).negated(), try ys[1].subtracting(a))
      let (p2, q2, r2) = (xs[2], try (try xs[2].multiplied(by: ys[2])).negated(), try ys[2].subtracting(a))
      let det = try p1.multiplied(by: q2).subtracting(try q1.multiplied(by: p2))
      guard det.signum != 0 else { return nil }
      let b = try r1.multiplied(by: q2).subtracting(try q1.multiplied(by: r2)).divided(by: det)
      let d = try p1.multiplied(by: r2).subtracting(try r1.multiplied(by: p2)).divided(by: det)
      guard d.signum >= 0 else { return nil }
      return Mobius(a: a, b: b, d: d)
    } catch {
      throw Unsolved(reason: .tooLarge(bits: Exact.maxBits))
    }
  }

  /// The same through three arbitrary points, by Cramer's rule.
  static func fitGeneral(_ xs: [Exact], _ ys: [Exact]) throws(ArithmeticError) -> Mobius? {
    func det(_ m: [[Exact]]) throws(ArithmeticError) -> Exact {
      let t1 = try m[0][0].multiplied(by: try m[1][1].multiplied(by: m[2][2]).subtracting(try m[1][2].multiplied(by: m[2][1])))
      let t2 = try m[0][1].multiplied(by: try m[1][0].multiplied(by: m[2][2]).subtracting(try m[1][2].multiplied(by: m[2][0])))
      let t3 = try m[0][2].multiplied(by: try m[1][0].multiplied(by: m[2][1]).subtracting(try m[1][1].multiplied(by: m[2][0])))
      return try t1.subtracting(t2).adding(t3)
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
  }

  /// The amounts x ≥ 0 with x ≤ root (`upper`) or x ≥ root (< or > when strict); nil when there
  /// are none. One definition for the solver and the batch's kernel (`DealKernel`): where a bound
  /// at or below 0 falls decides between a capacity of zero and none.
  static func halfLine(_ root: Exact, upper: Bool, strict: Bool) -> Interval? {
    if upper {
      if root.signum < 0 || (strict && root.signum == 0) { return nil }
      return Interval(low: .zero, lowStrict: false, high: root, highStrict: strict)
    }
    if root.signum < 0 || (root.signum == 0 && !strict) { return Interval.all }
    return Interval(low: root, lowStrict: strict, high: nil, highStrict: false)
  }

  /// The amounts x ≥ 0 with p(x) ≤ q(x) (or <, when strict): an interval, `.some(nil)` when
  /// there are none; nil when not linear.
  static func solve(_ p: Mobius, _ q: Mobius, strict: Bool) throws -> Interval?? {
    do throws(ArithmeticError) {
      // (pa + pb x)(1 + qd x) − (qa + qb x)(1 + pd x) ≤ 0  →  A x² + B x + C ≤ 0
      let A = try p.b.multiplied(by: q.d).subtracting(try q.b.multiplied(by: p.d))
      guard A.signum == 0 else { return nil }
      let B = try p.a.multiplied(by: q.d).adding(p.b).subtracting(try q.a.multiplied(by: p.d)).subtracting(q.b)
      let C = try p.a.subtracting(q.a)
      if B.signum == 0 { return .some((strict ? C.signum < 0 : C.signum <= 0) ? Interval.all : nil) }
      // The closed form: for (S + x)/(N + x) ≤ c this root is (cN − S)/(1 − c).
      let root = try C.negated().divided(by: B)
      // Holds up to the root when B > 0, from the root upward when B < 0.
      return .some(halfLine(root, upper: B.signum > 0, strict: strict))
    } catch {
      throw Unsolved(reason: .tooLarge(bits: Exact.maxBits))
    }
  }
}
