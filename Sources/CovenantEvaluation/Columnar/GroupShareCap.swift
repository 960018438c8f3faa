import CovenantValues
import CovenantSyntax
import CovenantSemantics

/// The closed form of a `for each` requirement that compares a group's share with a fixed
/// figure: `share of holdings.value where issuer = that issuer <= 10%`.
///
/// Evaluated as written, each group (917k issuers in the largest portfolio measured) went through
/// the general evaluator: the group's totals looked up, turned into an `Exact`, divided by the
/// whole, compared, then divided again by the limit for the utilization — a third of checking
/// that portfolio. But the share is the group's total ÷ the whole, and every group shares the
/// whole and the limit, so the verdict is a comparison of two integers: the group's total in the
/// units the column keeps (cents), times the limit's denominator, against the limit's numerator
/// times the whole, both scaled once for the clause. The utilization is the quotient of the same
/// two integers, reduced once. Nothing is rounded: every figure is the one the evaluator computes,
/// and a group whose integers would not fit 128 bits is evaluated as written
/// (`status` returns nil).
///
/// Only when the evaluator has the group totals at hand as columns (`ColumnGroups`) and no deal's
/// element joins the list (a pro-forma evaluation folds the deal into its group: evaluated as
/// written). `GroupOutcomeTests` compare it with the row-by-row evaluation.
struct GroupShareCap {
  let op: BinaryOp
  let totals: ColumnGroups
  /// `share of holdings where …`: the share of rows, not of an amount.
  let countShare: Bool
  /// The whole (the share's denominator) in the totals' units: its magnitude, and its sign.
  let base: Int128
  let negativeBase: Bool
  /// The limit, as reduced parts (`den` > 0).
  let limitNum: Int128, limitDen: Int128
  /// The warning level (limit × fraction) on this requirement's side, when the clause warns.
  let warnNum: Int128, warnDen: Int128, warnInclusive: Bool, warns: Bool
  let holdsOnly: Bool
  /// `<=`/`<`: a cap (the warning is near it from below); `>=`/`>`: a floor.
  let cap: Bool
  /// The group totals are in the order of the `for each`'s keys: group `n` is slot `n`.
  let aligned: Bool

  /// nil when the requirement is not of this form, or its totals are not at hand as columns:
  /// it is then evaluated as written. `ids`: the `for each`'s keys as numbers in their column.
  init?(
    _ req: CheckedRequirement, _ clause: CheckedClause, _ ev: Evaluator, holdsOnly: Bool,
    ids: (table: RecordTable, ids: [UInt32])?
  ) {
    guard !ev.naive, let group = clause.group, case .compare(let op, let a, let b) = req.expr.kind,
      [.le, .lt, .ge, .gt].contains(op),
      case .aggregate(let plan) = a.kind, plan.function == .share, plan.isPlanned, plan.invariant, plan.keyField != nil,
      let key = plan.key, case .groupKey = key.kind,
      case .constant(.number(let limit)) = b.kind, limit.isSmall,
      let grouped = ev.state.groupedMemo[plan.id], let totals = grouped.columnar,
      let extra = ev.state.extras[plan.id], extra.isEmpty
    else { return nil }
    let whole: Int128
    if plan.value == nil {
      guard grouped.whole.wholeCount > 0 else { return nil }
      whole = Int128(grouped.whole.wholeCount)
    } else {
      // The whole was made from the column's units: as units again, an integer.
      guard totals.addsToSum, let p = Exact.pow10(totals.scale),
        let w = try? grouped.whole.wholeSum.multiplied(by: Exact(integer: p)), w.isSmall, w.isInteger, w.num != 0, w.num != .min
      else { return nil }
      whole = w.num
    }
    self.op = op
    self.totals = totals
    self.countShare = plan.value == nil
    // Never `Int128.min` (refused above), so its magnitude fits.
    self.base = whole < 0 ? -whole : whole
    self.negativeBase = whole < 0
    (limitNum, limitDen) = (limit.num, limit.den)
    self.holdsOnly = holdsOnly
    cap = op == .le || op == .lt
    if let w = clause.warn, w.above == cap, let t = try? limit.multiplied(by: w.fraction), t.isSmall {
      (warnNum, warnDen, warnInclusive, warns) = (t.num, t.den, w.inclusive, true)
    } else {
      (warnNum, warnDen, warnInclusive, warns) = (0, 1, false, false)
    }
    if let ids, let t = totals.table, t === ids.table, totals.field == group.field, let order = totals.order {
      aligned = order == ids.ids
    } else {
      aligned = false
    }
  }

  /// Group `n`'s status, as `CovenantRunner.outcome` would compute it; nil when an integer would
  /// not fit 128 bits (the group is then evaluated as written).
  func status(_ n: Int, key: Value, hint: GroupKeyHint?) -> (holds: Bool, warned: Bool, utilization: Exact?)? {
    let slot = aligned ? n : totals.slot(key, hint: hint)
    var s: Int128 = 0
    if let slot {
      let t = totals.totals[slot]
      s = countShare ? Int128(t.count) : t.sum
    }
    // share = s / whole = sn / base, base > 0.
    guard s != .min else { return nil }
    let sn = negativeBase ? -s : s
    let (l, o1) = sn.multipliedReportingOverflow(by: limitDen)
    let (r, o2) = limitNum.multipliedReportingOverflow(by: base)
    guard !o1, !o2 else { return nil }
    let holds: Bool
    switch op {
    case .le: holds = l <= r
    case .lt: holds = l < r
    case .ge: holds = l >= r
    default: holds = l > r
    }
    if holdsOnly { return (holds, false, nil) }
    // utilization = share ÷ limit = (sn · limitDen) / (base · limitNum), for a positive limit.
    var utilization: Exact? = nil
    if limitNum > 0 {
      guard let u = try? Exact(num: l, den: r) else { return nil }
      utilization = u
    }
    var warned = false
    if holds, warns {
      let (lw, o3) = sn.multipliedReportingOverflow(by: warnDen)
      let (rw, o4) = warnNum.multipliedReportingOverflow(by: base)
      guard !o3, !o4 else { return nil }
      warned = warnInclusive ? (cap ? rw <= lw : lw <= rw) : (cap ? rw < lw : lw < rw)
    }
    return (holds, warned, utilization)
  }
}
