import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantData

/// The batch's per-deal kernel (issue 17 item 2): the verdicts and the capacity of a deal in a
/// few exact integer-rational operations, for a report that shows no figure (the text batch's
/// line, `--quiet`, the deals a closed pipe never showed).
///
/// Why a second path: the general check builds an evaluator per deal and per sample amount,
/// fits and solves every cap, verifies the capacity by two more checks of the covenant, and
/// copies large results; a batch of thousands of deals against one portfolio pays that for each
/// deal although, for the clauses deal teams write most, the portfolio side is fixed and the
/// deal adds its own figures to it. The kernel is built once per batch from the scanned
/// portfolio and reads for each deal only the deal's fields.
///
/// What it recognises, clause by clause (anything else leaves the whole covenant to the general
/// path, and any deal it cannot judge exactly — an absent field, another currency, an
/// arithmetic overflow, a share whose whole is not positive — takes the general path alone):
/// - a clause tested on the snapshot alone that reads no deal: its result is the snapshot's,
///   the same for every deal;
/// - a clause tested pro forma whose requirements are each
///   - a deal field compared with a constant (`deal.domicile = US`);
///   - two figures compared that are affine in the deal's fields: constants, snapshot figures,
///     definitions, unfiltered sums over the list the deal joins (the portfolio's sum plus the
///     deal's own element), added, subtracted or multiplied by a constant (leverage:
///     `total_debt <= 2.0x fund.equity`);
///   - `share of L.v where k = deal.k` compared with a constant strictly between 0 and 100%:
///     the group's total and the whole are the portfolio's (summed once per batch, by key), the
///     deal adds its amount to both.
/// Nothing else: no `applies when`, dates, windows, governance, consents, exceptions, `severity
/// warning`, reported figures or cross-references anywhere in the covenant, no groups or warning
/// levels in a clause judged pro forma, no FX table, and no governance data (waivers, consents)
/// on the deal.
///
/// The capacity is the general path's (`capacity`), solved in closed form on x ≥ 0 (the same
/// sets of amounts, so the same supremum, rounding to the cent and binding clause); the
/// general path's verification at the amount and a cent above holds by construction, since
/// each set is exactly where its clause passes. Tests compare every verdict and capacity with
/// the naive check (DealKernelTests).
struct DealKernel {
  /// An affine figure: `constant + Σ coefficient × deal field`.
  struct Affine {
    var constant: Exact
    var terms: [(field: Int, coefficient: Exact)]

    static func const(_ x: Exact) -> Affine { Affine(constant: x, terms: []) }

    func adding(_ o: Affine, sign: Int) throws(ArithmeticError) -> Affine {
      var r = self
      r.constant = sign > 0 ? try r.constant.adding(o.constant) : try r.constant.subtracting(o.constant)
      for t in o.terms {
        let c = sign > 0 ? t.coefficient : try t.coefficient.negated()
        if let i = r.terms.firstIndex(where: { $0.field == t.field }) {
          r.terms[i].coefficient = try r.terms[i].coefficient.adding(c)
        } else {
          r.terms.append((t.field, c))
        }
      }
      return r
    }

    func scaled(_ k: Exact) throws(ArithmeticError) -> Affine {
      var r = self
      r.constant = try r.constant.multiplied(by: k)
      for i in r.terms.indices { r.terms[i].coefficient = try r.terms[i].coefficient.multiplied(by: k) }
      return r
    }

    /// Its value for the deal's numbers (nil: a field the kernel cannot read).
    func value(_ numbers: [Exact?], amountAt x: Exact? = nil, amountField: Int) throws(ArithmeticError) -> Exact? {
      var v = constant
      for t in terms {
        let n: Exact
        if t.field == amountField, let x { n = x } else {
          guard t.field < numbers.count, let f = numbers[t.field] else { return nil }
          n = f
        }
        v = try v.adding(try n.multiplied(by: t.coefficient))
      }
      return v
    }

    /// The coefficient of the deal amount.
    func slope(_ amountField: Int) -> Exact { terms.first { $0.field == amountField }?.coefficient ?? .zero }
  }

  enum Requirement {
    /// `deal.f = constant` / `deal.f != constant` (not a number or an amount).
    case equals(field: Int, value: Value, negated: Bool)
    /// `lhs op rhs`, both affine in the deal's fields.
    case compare(Comparison)
    /// `share of L.v where k = deal.key op limit`.
    case share(ShareCap)
  }

  /// Boxed, so that walking a deal's requirements retains one reference, not every part.
  final class Comparison {
    let op: BinaryOp
    /// lhs − rhs.
    let difference: Affine
    let movesWithAmount: Bool
    init(op: BinaryOp, difference: Affine, movesWithAmount: Bool) {
      self.op = op
      self.difference = difference
      self.movesWithAmount = movesWithAmount
    }
  }

  /// The group's total (by the deal's key) and the whole are the portfolio's; the deal's element
  /// adds `dealValue` (a deal field) to both, and to the group when its own key
  /// (`dealElementKey`) is the group's.
  final class ShareCap {
    let op: BinaryOp
    let key: Int, dealElementKey: Int, dealValue: Int
    let groups: [Value: Exact]
    let whole: Exact, limit: Exact
    init(op: BinaryOp, key: Int, dealElementKey: Int, dealValue: Int, groups: [Value: Exact], whole: Exact, limit: Exact) {
      (self.op, self.key, self.dealElementKey, self.dealValue) = (op, key, dealElementKey, dealValue)
      (self.groups, self.whole, self.limit) = (groups, whole, limit)
    }
  }

  /// A clause as the kernel judges it; a class, so a deal's walk over the clauses copies nothing.
  final class Clause {
    /// A snapshot clause's result, the same for every deal; a pro forma clause's result with
    /// its verdict and its pro forma evaluation's verdict to set.
    let result: ClauseResult
    /// Empty for a snapshot clause.
    let requirements: [Requirement]
    let isSnapshot: Bool
    init(result: ClauseResult, requirements: [Requirement], isSnapshot: Bool) {
      (self.result, self.requirements, self.isSnapshot) = (result, requirements, isSnapshot)
    }
  }

  let clauses: [Clause]
  let amountField: Int
  let base: String
  let title: String
  let asOf: CalendarDate?
  let labelField: Int?

  /// The deal's verdicts and capacity, or nil when the kernel cannot judge this deal exactly
  /// (the general path then checks it).
  func check(_ deal: Value) -> CheckResult? {
    guard case .record(let fields) = deal, amountField < fields.count,
      case .money(let amount, let currency) = fields[amountField], currency == base
    else { return nil }
    // Each numeric field once: an amount in another currency is the general path's (conversion).
    var numbers: [Exact?] = []
    numbers.reserveCapacity(fields.count)
    for f in fields {
      switch f {
      case .money(let x, let c): numbers.append(c == base ? x : nil)
      case .number(let x): numbers.append(x)
      default: numbers.append(nil)
      }
    }
    var results: [ClauseResult] = []
    results.reserveCapacity(clauses.count)
    var total = CovenantRunner.AmountSet.all
    var sets: [(id: String, set: CovenantRunner.AmountSet)] = []
    sets.reserveCapacity(clauses.count)
    do {
      for c in clauses {
        if c.isSnapshot {
          results.append(c.result)
          let s: CovenantRunner.AmountSet = c.result.verdict == .breach ? .none : .all
          sets.append((c.result.id, s))
          total = total.intersect(s)
          continue
        }
        var holds = true
        var set = CovenantRunner.AmountSet.all
        for q in c.requirements {
          guard let (h, s) = try judge(q, fields, numbers, amount) else { return nil }
          if !h { holds = false }
          if !set.isEmpty { set = set.intersect(s) }
        }
        var r = c.result
        r.verdict = holds ? .pass : .breach
        r.proForma?.verdict = r.verdict
        results.append(r)
        sets.append((r.id, set))
        total = total.intersect(set)
      }
    } catch {
      return nil
    }
    let dealID: String? = if let l = labelField, l < fields.count, case .text(let s) = fields[l] { s } else { nil }
    var result = CheckResult(covenantTitle: title, asOf: asOf, dealID: dealID, clauses: results)
    // As `capacity` assembles it from the clauses' sets (no thresholds, cross-references or
    // waivers in a covenant the kernel takes).
    result.capacity = CovenantRunner.assembleCapacity(sets, total: total, currency: currency, dealAmount: amount).0
    return result
  }

  /// Whether a requirement holds at the deal's amount, and the amounts x ≥ 0 at which it holds
  /// with the deal's other terms; nil when the kernel cannot tell exactly.
  func judge(_ q: Requirement, _ fields: [Value], _ numbers: [Exact?], _ amount: Exact) throws(ArithmeticError) -> (Bool, CovenantRunner.AmountSet)? {
    switch q {
    case .equals(let f, let value, let negated):
      guard f < fields.count, fields[f] != .absent else { return nil }
      if case .money = fields[f] { return nil }
      let h = (fields[f] == value) != negated
      return (h, h ? .all : .none)
    case .compare(let cmp):
      let (op, d, moves) = (cmp.op, cmp.difference, cmp.movesWithAmount)
      guard let at = try d.value(numbers, amountField: amountField) else { return nil }
      let h = Self.holds(op, at.signum)
      guard moves else { return (h, h ? .all : .none) }
      // d(x) = a + b·x on x ≥ 0; a flat one the general fit treats its own way.
      let b = d.slope(amountField)
      guard let a = try d.value(numbers, amountAt: .zero, amountField: amountField) else { return nil }
      // d(x) op 0 ⇔ x op' −a/b, op' flipped when b < 0.
      let root = try (try a.negated()).divided(by: b)
      var upper = op == .le || op == .lt
      if b.signum < 0 { upper.toggle() }
      let strict = op == .lt || op == .gt
      return (h, Self.halfLine(root, upper: upper, strict: strict))
    case .share(let cap):
      let (op, key, elementKey, valueField, whole, limit) = (cap.op, cap.key, cap.dealElementKey, cap.dealValue, cap.whole, cap.limit)
      guard key < fields.count, elementKey < fields.count, valueField < numbers.count, fields[key] != .absent,
        let v = numbers[valueField]
      else { return nil }
      // The deal's element always joins the whole; a deal outside its own group the general path takes.
      guard fields[elementKey] == fields[key] else { return nil }
      let g0 = cap.groups[fields[key]] ?? .zero
      let w = try whole.adding(v)
      guard w.signum > 0 else { return nil }
      // share op p ⇔ (g0 + v) op p·(W0 + v), the whole being positive.
      let diff = try (try g0.adding(v)).subtracting(try limit.multiplied(by: w))
      let h = Self.holds(op, diff.signum)
      guard valueField == amountField else { return (h, h ? .all : .none) }
      // (g0 + x) op p·(W0 + x) ⇔ (1 − p)·x op p·W0 − g0, 0 < p < 1.
      let root = try (try (try limit.multiplied(by: whole)).subtracting(g0)).divided(by: try Exact.one.subtracting(limit))
      return (h, Self.halfLine(root, upper: op == .le || op == .lt, strict: op == .lt || op == .gt))
    }
  }

  static func holds(_ op: BinaryOp, _ sign: Int) -> Bool {
    switch op {
    case .le: sign <= 0
    case .lt: sign < 0
    case .ge: sign >= 0
    case .gt: sign > 0
    case .eq: sign == 0
    default: sign != 0
    }
  }

  /// The amounts x ≥ 0 with x ≤ root (`upper`) or x ≥ root, strictly or not, as the solver has them.
  static func halfLine(_ root: Exact, upper: Bool, strict: Bool) -> CovenantRunner.AmountSet {
    CovenantRunner.halfLine(root, upper: upper, strict: strict).map { CovenantRunner.AmountSet(parts: [$0]) } ?? .none
  }
}

extension CovenantRunner {
  /// The batch's kernel for this covenant and snapshot, built once on the first call after the
  /// snapshot's clauses were checked (nil: the covenant has a clause the kernel does not take).
  mutating func dealKernel() -> DealKernel? {
    guard !naive, prune == nil else { return nil }
    if let known = memo.kernel { return known }
    let k = buildKernel()
    memo.kernel = .some(k)
    return k
  }

  private mutating func buildKernel() -> DealKernel? {
    guard covenant.precedenceOrder.isEmpty, covenant.fxField == nil, let pf = covenant.proForma,
      let amountField = pf.amountField, proFormaFieldsPlain, let dealRecord = covenant.schema.deal, var snap = snapshotEvaluator,
      case .record(let top) = snapshot, pf.listField < top.count, case .list(let list) = top[pf.listField]
    else { return nil }
    let base = covenant.schema.baseCurrency
    var clauses: [DealKernel.Clause] = []
    // The portfolio's sums by key, per (key field, value field), summed once.
    var sums: [[Int]: (groups: [Value: Exact], whole: Exact)?] = [:]
    func groupSums(key: Int, value: Int) -> (groups: [Value: Exact], whole: Exact)? {
      if let known = sums[[key, value]] { return known }
      var groups: [Value: Exact] = [:]
      var whole = Exact.zero
      var ok = true
      for e in list.base {
        guard case .record(let f) = e, key < f.count, value < f.count, f[key] != .absent,
          case .money(let x, let c) = f[value], c == base,
          let w = try? whole.adding(x), let g = try? (groups[f[key]] ?? .zero).adding(x)
        else { ok = false; break }
        whole = w
        groups[f[key]] = g
      }
      let r = ok && list.extra.isEmpty ? (groups, whole) : nil
      sums[[key, value]] = .some(r)
      return r
    }
    // A figure of the snapshot alone, as the general path evaluates it.
    func snapshotNumber(_ t: TExpr) -> Exact? {
      guard let v = try? snap.eval(t) else { return nil }
      switch v {
      case .money(let x, let c): return c == base ? x : nil
      case .number(let x): return x
      default: return nil
      }
    }
    /// Reads neither the deal nor the list it joins (through definitions too).
    func pure(_ t: TExpr, depth: Int = 0) -> Bool {
      guard depth < 64 else { return false }
      switch t.kind {
      case .dealRoot, .groupKey, .trailing, .invalid: return false
      case .definition(let i):
        return i < covenant.definitions.count && pure(covenant.definitions[i].value, depth: depth + 1)
      case .field(let b, let i):
        if case .snapshotRoot = b.kind, i == pf.listField { return false }
        return pure(b, depth: depth + 1)
      default:
        var ok = true
        t.forEachChild { if ok, !pure($0, depth: depth + 1) { ok = false } }
        return ok
      }
    }
    func joinedDealField(_ j: Int) -> Int? {
      guard j < pf.fields.count, case .field(let d, let k) = pf.fields[j].kind, case .dealRoot = d.kind else { return nil }
      return k
    }
    func affine(_ t: TExpr, depth: Int = 0) -> DealKernel.Affine? {
      guard depth < 64, t.type.isMoney || t.type.isNumber else { return nil }
      if pure(t) { return snapshotNumber(t).map { .const($0) } }
      switch t.kind {
      case .definition(let i):
        return i < covenant.definitions.count ? affine(covenant.definitions[i].value, depth: depth + 1) : nil
      case .field(let b, let i):
        guard case .dealRoot = b.kind else { return nil }
        return DealKernel.Affine(constant: .zero, terms: [(i, .one)])
      case .negate(let x):
        return affine(x, depth: depth + 1).flatMap { try? $0.scaled(try Exact.one.negated()) }
      case .arithmetic(let op, let a, let b):
        switch op {
        case .add, .sub:
          guard let x = affine(a, depth: depth + 1), let y = affine(b, depth: depth + 1) else { return nil }
          return try? x.adding(y, sign: op == .add ? 1 : -1)
        case .mul:
          if pure(a), let k = snapshotNumber(a), let y = affine(b, depth: depth + 1) { return try? y.scaled(k) }
          if pure(b), let k = snapshotNumber(b), let x = affine(a, depth: depth + 1) { return try? x.scaled(k) }
          return nil
        default:
          return nil
        }
      case .aggregate(let p):
        // An unfiltered sum over the joined list: the portfolio's, plus the deal's element.
        guard p.function == .sum, p.weight == nil, p.filter == nil, p.keyField == nil, p.key == nil,
          case .field(let root, let lf) = p.list.kind, case .snapshotRoot = root.kind, lf == pf.listField,
          let v = p.value, case .field(let el, let j) = v.kind, case .local(let slot) = el.kind, slot == p.slot,
          let d = joinedDealField(j), let portfolio = wholeSum(j)
        else { return nil }
        return DealKernel.Affine(constant: portfolio, terms: [(d, .one)])
      default:
        return nil
      }
    }
    /// The portfolio's sum of a field (money in the base currency everywhere).
    func wholeSum(_ j: Int) -> Exact? {
      var whole = Exact.zero
      for e in list.base {
        guard case .record(let f) = e, j < f.count, case .money(let x, let c) = f[j], c == base, let w = try? whole.adding(x) else { return nil }
        whole = w
      }
      return list.extra.isEmpty ? whole : nil
    }
    func requirement(_ t: TExpr) -> DealKernel.Requirement? {
      guard case .compare(let op, let l, let r) = t.kind, [.le, .lt, .ge, .gt, .eq, .ne].contains(op) else { return nil }
      // `deal.f = constant`.
      if op == .eq || op == .ne, case .field(let d, let f) = l.kind, case .dealRoot = d.kind, case .constant(let c) = r.kind {
        switch c {
        case .money, .number, .absent, .duration, .list, .record, .fx: return nil
        default: return .equals(field: f, value: c, negated: op == .ne)
        }
      }
      // `share of L.v where k = deal.k op p`.
      if case .aggregate(let p) = l.kind, p.function == .share {
        guard [.le, .lt, .ge, .gt].contains(op), pure(r), let limit = snapshotNumber(r), limit.signum > 0, limit < .one,
          p.weight == nil, p.filter == nil, let kf = p.keyField, let key = p.key, case .field(let d, let dealKey) = key.kind,
          case .dealRoot = d.kind,
          case .field(let root, let lf) = p.list.kind, case .snapshotRoot = root.kind, lf == pf.listField,
          let v = p.value, case .field(let el, let j) = v.kind, case .local(let slot) = el.kind, slot == p.slot,
          let elementKey = joinedDealField(kf), let dealValue = joinedDealField(j),
          let (groups, whole) = groupSums(key: kf, value: j), whole.signum > 0
        else { return nil }
        // Whether it moves with the amount, as the general path decides it, must be what the
        // kernel solves: otherwise the general path's.
        guard dependsOnAmount(t) == (dealValue == amountField) else { return nil }
        return .share(DealKernel.ShareCap(op: op, key: dealKey, dealElementKey: elementKey, dealValue: dealValue, groups: groups, whole: whole, limit: limit))
      }
      guard [.le, .lt, .ge, .gt].contains(op), let a = affine(l), let b = affine(r), let d = try? a.adding(b, sign: -1) else { return nil }
      // A figure that moves with the amount has a slope (a flat one the general fit treats its own way).
      let moves = dependsOnAmount(t)
      guard moves == (d.slope(amountField).signum != 0) else { return nil }
      return .compare(DealKernel.Comparison(op: op, difference: d, movesWithAmount: moves))
    }
    for (ci, clause) in covenant.clauses.enumerated() {
      guard clause.window == nil, clause.consent == nil, clause.exceptions.isEmpty, clause.appliesWhen.isEmpty,
        !clause.hasGovernance, clause.effectiveFrom == nil, clause.until == nil, !clause.severityWarning,
        clause.reports.isEmpty, clause.subjectTo.isEmpty, clause.displacedBy.isEmpty, !clause.requirements.isEmpty
      else { return nil }
      switch clause.testedOn {
      case .snapshot:
        // Its groups and warning levels are the snapshot's: the same result for every deal.
        guard !clause.needsDeal, let e = snapshotResults[ci] else { return nil }
        var r = ClauseResult(id: clause.id, title: clause.title, text: clause.text, span: clause.span, verdict: e.verdict)
        r.snapshot = e
        clauses.append(DealKernel.Clause(result: r, requirements: [], isSnapshot: true))
      case .proForma:
        guard clause.group == nil, clause.warn == nil else { return nil }
        var reqs: [DealKernel.Requirement] = []
        for q in clause.requirements {
          guard let k = requirement(q.expr) else { return nil }
          reqs.append(k)
        }
        var r = ClauseResult(id: clause.id, title: clause.title, text: clause.text, span: clause.span, verdict: .pass)
        r.proForma = ClauseEvaluation(verdict: .pass, outcomes: [])
        clauses.append(DealKernel.Clause(result: r, requirements: reqs, isSnapshot: false))
      case .both:
        return nil
      }
    }
    snapshotEvaluator = snap
    return DealKernel(clauses: clauses, amountField: amountField, base: base, title: covenant.title, asOf: asOf,
      labelField: covenant.schema.records[dealRecord].labelField)
  }
}
