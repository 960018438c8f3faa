import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantData

/// A batch's per-deal shortcut for the largest compliant amount (issue 17 item 2).
///
/// A clause's bound is solved from its figures sampled at three deal amounts and fitted to
/// (a + b·x) / (1 + d·x) (see Headroom.swift), then verified at the bound and a cent above.
/// When each of its figures provably has that form (a sum over the joined list of a field that
/// is the amount, a share of it, and constants added, subtracted, multiplied or divided by), the
/// exact fit through any three amounts is the same function, so the solution depends only on the
/// deal's other terms the clause reads (its sector, its issuer…), not on the amount: it is solved
/// once per clause and per such terms, and every later deal with the same terms reuses it (the
/// set, the bound and the verification's outcome, which are evaluated at amounts fixed by the
/// set). The same holds for the capacity's verification of the clauses that move with the amount.
/// A clause outside these forms, or a result that was not a clean solution, takes the general
/// path every time; `naive` runners never use the shortcut (the reference in tests).
extension CovenantRunner {
  /// How a figure depends on the deal amount x, when that is provable from its form.
  enum AmountForm: Int, Comparable {
    case constant = 0, affine, mobius
    static func < (a: AmountForm, b: AmountForm) -> Bool { a.rawValue < b.rawValue }
  }

  /// What the shortcut knows of a clause, computed once per runner.
  struct ClosedFormClause {
    /// The deal fields (other than the amount) that any expression of the clause reads: the
    /// clause's results at a given amount are a function of these (and of the deal's governance
    /// data for its verdict).
    var reads: [Int]
    /// Its bound can be reused across deals with the same `reads`: every requirement that moves
    /// with the amount compares two figures of a provable form.
    var solvable: Bool
    /// Its verdict at a given amount is a function of `reads` and the deal's governance data.
    var verdictKnown: Bool
    /// The shares among its figures: the denominator of each must be positive at amount 0 for
    /// the solution to be reused (then it is positive at every amount ≥ 0, so no sample can
    /// find the share undefined).
    var shares: [(plan: AggregatePlan, span: SourceSpan)]
  }

  /// By clause: what the shortcut knows of it (nil: the general path only).
  func closedForm(_ ci: Int) -> ClosedFormClause? {
    if let known = memo.closedForm { return ci < known.count ? known[ci] : nil }
    let all = covenant.clauses.indices.map(analyseClosedForm)
    memo.closedForm = all
    return ci < all.count ? all[ci] : nil
  }

  private func analyseClosedForm(_ ci: Int) -> ClosedFormClause? {
    let clause = covenant.clauses[ci]
    guard let pf = covenant.proForma, let amountField = pf.amountField, proFormaFieldsPlain else { return nil }
    guard clause.group == nil, clause.window == nil, clause.consent == nil else { return nil }
    let exprs = clause.requirements.map(\.expr) + clause.reports.map(\.expr) + clause.appliesWhen + clause.exceptions.map(\.condition)
    guard let reads = dealFieldsRead(exprs, pf: pf, amountField: amountField) else { return nil }
    // Only clauses whose figures move with the amount are worth keeping a solution for.
    var solvable = clause.requirements.contains { dependsOnAmount($0.expr) }
    var shares: [(plan: AggregatePlan, span: SourceSpan)] = []
    for req in clause.requirements where dependsOnAmount(req.expr) {
      guard case .compare(let op, let l, let r) = req.expr.kind, [.le, .lt, .ge, .gt].contains(op),
        amountForm(l, pf: pf, amountField: amountField, shares: &shares) != nil,
        amountForm(r, pf: pf, amountField: amountField, shares: &shares) != nil
      else {
        solvable = false
        break
      }
    }
    let verdictKnown = !clause.hasGovernance && clause.exceptions.isEmpty
    return ClosedFormClause(reads: reads, solvable: solvable, verdictKnown: verdictKnown, shares: shares)
  }

  /// The deal fields other than the amount that `exprs` read, directly, through the definitions
  /// they use, or through a field of a joined element (the pro forma expression that fills it);
  /// nil when an expression reads the deal or a joined element whole, or a trailing figure.
  func dealFieldsRead(_ exprs: [TExpr], pf: CheckedProForma, amountField: Int) -> [Int]? {
    var reads = Set<Int>()
    var seenDefinitions = Set<Int>()
    var seenJoined = Set<Int>()
    var ok = true
    let joined = ValueType.record(pf.record)
    func walk(_ t: TExpr) {
      guard ok else { return }
      switch t.kind {
      case .dealRoot, .groupKey, .trailing, .invalid:
        ok = false
      case .local:
        if t.type == joined { ok = false }
      case .definition(let i):
        guard i < covenant.definitions.count else { ok = false; return }
        if seenDefinitions.insert(i).inserted { walk(covenant.definitions[i].value) }
      case .field(let b, let i):
        if case .dealRoot = b.kind {
          if i != amountField { reads.insert(i) }
          return
        }
        if b.type == joined {
          joinedField(i)
          if case .local = b.kind { return }
        }
        walk(b)
      case .aggregate(let p):
        if let k = p.keyField, p.list.type == .list(joined) {
          // The key selector (split out of the filter) reads the element's field directly; one
          // filled from the amount would select the deal by its amount: not a provable form.
          if k == pf.valueField || (k < pf.fields.count && dependsOnAmount(pf.fields[k])) {
            ok = false
            return
          }
          joinedField(k)
        }
        t.forEachChild(walk)
      default:
        t.forEachChild(walk)
      }
    }
    func joinedField(_ i: Int) {
      guard i < pf.fields.count else { ok = false; return }
      if seenJoined.insert(i).inserted { walk(pf.fields[i]) }
    }
    exprs.forEach(walk)
    return ok ? reads.sorted() : nil
  }

  /// The form of `t` in the deal amount, when provable; nil otherwise. Shares met on the way
  /// are added to `shares`.
  func amountForm(_ t: TExpr, pf: CheckedProForma, amountField: Int, shares: inout [(plan: AggregatePlan, span: SourceSpan)], depth: Int = 0) -> AmountForm? {
    guard depth < 64 else { return nil }
    if !dependsOnAmount(t) { return .constant }
    func form(_ x: TExpr) -> AmountForm? { amountForm(x, pf: pf, amountField: amountField, shares: &shares, depth: depth + 1) }
    switch t.kind {
    case .definition(let i):
      return i < covenant.definitions.count ? form(covenant.definitions[i].value) : nil
    case .field(let b, let i):
      if case .dealRoot = b.kind, i == amountField { return .affine }
      return nil
    case .negate(let x):
      return form(x)
    case .arithmetic(let op, let a, let b):
      guard let fa = form(a), let fb = form(b) else { return nil }
      switch op {
      case .add, .sub:
        if max(fa, fb) <= .affine { return max(fa, fb) }
        return min(fa, fb) == .constant ? .mobius : nil
      case .mul:
        return fa == .constant ? fb : fb == .constant ? fa : nil
      case .div:
        return fb == .constant ? fa : nil
      default:
        return nil
      }
    case .aggregate(let p):
      guard p.function == .sum || p.function == .share, p.weight == nil,
        p.filter.map(dependsOnAmount) != true, p.key.map(dependsOnAmount) != true,
        case .field(let root, let listField) = p.list.kind, case .snapshotRoot = root.kind, listField == pf.listField,
        let v = p.value, case .field(let element, let j) = v.kind, case .local = element.kind, j < pf.fields.count
      else { return nil }
      // The joined element's value is the amount itself (or does not move with it).
      let filled = pf.fields[j]
      let isAmount: Bool
      if case .field(let d, let k) = filled.kind, case .dealRoot = d.kind, k == amountField { isAmount = true } else { isAmount = false }
      guard isAmount || !dependsOnAmount(filled) else { return nil }
      if p.function == .sum { return .affine }
      shares.append((p, t.span))
      return .mobius
    default:
      return nil
    }
  }

  /// The deal's terms a clause's results depend on, besides the amount: the key of its reused
  /// solution.
  struct ClosedFormKey: Hashable {
    var clause: Int
    var currency: String
    var terms: [Value]
  }

  /// A clause's verdict at one deal amount, with the deal's governance data (waivers).
  struct VerdictKey: Hashable {
    var clause: ClosedFormKey
    var amount: Exact
    var governance: DealGovernance?
  }

  /// Whether the capacity needs the evaluators at the sample amounts: for dates, `applies when`
  /// conditions and cross-references (the requirement sets come per clause, solved or reused).
  var needsSampleEvaluators: Bool {
    if naive { return true }
    if let known = memo.needsSampleEvaluators { return known }
    let needs = !covenant.precedenceOrder.isEmpty
      || covenant.clauses.contains { !$0.appliesWhen.isEmpty || $0.effectiveFrom != nil || $0.until != nil }
    memo.needsSampleEvaluators = needs
    return needs
  }

  func closedFormKey(_ ci: Int, _ form: ClosedFormClause, _ ctx: (field: Int, fields: [Value], amount: Exact, currency: String)) -> ClosedFormKey? {
    var terms: [Value] = []
    terms.reserveCapacity(form.reads.count)
    for i in form.reads {
      guard i < ctx.fields.count else { return nil }
      terms.append(ctx.fields[i])
    }
    return ClosedFormKey(clause: ci, currency: ctx.currency, terms: terms)
  }

  /// Whether every share of a clause's figures has a positive denominator at amount 0 (the
  /// joined element adds the amount to it, so it stays positive at every amount ≥ 0).
  func sharesPositive(_ form: ClosedFormClause, _ s: inout Samples) throws(EvaluationError) -> Bool {
    guard !form.shares.isEmpty else { return true }
    var ev = try evaluator(at: .zero, &s)
    ev.groupKey = .absent
    for (plan, span) in form.shares {
      let state = try ev.aggregateState(plan, span: span)
      guard state.wholeSum.signum > 0 else { return false }
    }
    return true
  }

  /// Whether building the evaluators at other amounts can fail: never when every field of the
  /// joined element is a constant or a deal field read as it is.
  var proFormaFieldsPlain: Bool {
    if let known = memo.proFormaFieldsPlain { return known }
    let plain = covenant.proForma?.fields.allSatisfy { f in
      switch f.kind {
      case .constant: return true
      case .field(let b, _): if case .dealRoot = b.kind { return true }; return false
      default: return false
      }
    } ?? false
    memo.proFormaFieldsPlain = plain
    return plain
  }
}
