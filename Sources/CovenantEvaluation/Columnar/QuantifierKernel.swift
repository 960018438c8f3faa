import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning

/// `every`/`some`/`no` over a table's rows, read from columns.
struct QuantifierKernel {
  let plan: QuantifierPlan
  let count: Int
  let filter: RowPredicate?
  let body: RowPredicate

  init?(_ plan: QuantifierPlan, _ table: RecordTable, _ ev: inout Evaluator) throws(EvaluationError) {
    guard let b = RowPredicate.compile(plan.body, slot: plan.slot, table: table, value: { try? ev.eval($0) }) else { return nil }
    if let f = plan.filter {
      guard let p = RowPredicate.compile(f, slot: plan.slot, table: table, value: { try? ev.eval($0) }) else { return nil }
      filter = p
    } else {
      filter = nil
    }
    self.plan = plan
    self.count = table.count
    self.body = b
  }

  func scan() -> QuantifierState {
    var q = QuantifierState()
    let every = plan.quantifier == .every, some = plan.quantifier == .some
    // The common form, `every x in list: x.f = CONSTANT` on an interned column, without a filter:
    // one comparison of numbers per row.
    if filter == nil, case .ids(let column, let set, let negated) = body, set.count <= 1 {
      let target = set.first ?? RecordTable.absentID
      column.withUnsafeBufferPointer { column in
        for r in 0..<count {
          let id = column[r]
          q.examined += 1
          if id == RecordTable.absentID {
            q.noteUndefined(r)
            continue
          }
          let holds = (id == target) != negated
          if holds { q.matching += 1 }
          if (every ? !holds : holds) && !some {
            q.offending += 1
            if q.offenders.count < QuantifierState.maxOffenders { q.offenders.append(r) }
          }
        }
      }
      return q
    }
    for r in 0..<count {
      if let f = filter, f.eval(r) != 1 { continue }
      q.examined += 1
      let b = body.eval(r)
      if b == 2 {
        q.noteUndefined(r)
        continue
      }
      let holds = b == 1
      if holds { q.matching += 1 }
      if (every ? !holds : holds) && !some {
        q.offending += 1
        if q.offenders.count < QuantifierState.maxOffenders { q.offenders.append(r) }
      }
    }
    return q
  }
}
