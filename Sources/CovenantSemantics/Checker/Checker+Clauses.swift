import CovenantValues
import CovenantSyntax

extension Checker {
  // MARK: - Clauses

  mutating func checkClause(_ c: ClauseDecl) -> CheckedClause? {
    var clause = CheckedClause(
      id: c.id, title: c.title, text: c.text, span: c.span, appliesWhen: [], effectiveFrom: nil, until: nil,
      testedOn: .snapshot, severityWarning: false, group: nil, requirements: [], warn: nil, approval: nil,
      votes: nil, waivableBy: [], needsDeal: false)
    var explicitTestedOn: TestedOn?
    group = nil
    clauseID = c.id
    defer { group = nil; clauseID = nil }
    for item in c.items {
      switch item {
      case .appliesWhen(let e):
        clause.appliesWhen.append(checkCondition(e, what: "`applies when`"))
      case .effectiveFrom(let e), .until(let e):
        let checked = checkExpr(e)
        if checked.type != .date && checked.type != .error {
          report("C021", "`\(item.isUntil ? "until" : "effective from")` needs a date, found \(schema.typeName(checked.type))", e.span, help: "write e.g. `effective from 2027-01-01`")
        }
        if schema.snapshot.flatMap({ schema.records[$0].index["as_of"] }) == nil {
          report("C021", "dated clauses need the snapshot's as-of date", e.span,
            help: "declare `as_of : date` in the snapshot (with `from \"…\"` if the file names it differently)")
        }
        if item.isUntil { clause.until = checked } else { clause.effectiveFrom = checked }
      case .testedOn(let t, _):
        explicitTestedOn = t
      case .severity(let severity, _):
        clause.severityWarning = severity == .warning
      case .forEach(let field, let listExpr, let span):
        if clause.group != nil || !clause.requirements.isEmpty || !clause.reports.isEmpty {
          report("C023", "`for each` must come before the clause's requirements, once", span,
            help: "`for each` (also in `report … for each …`) groups the whole clause: put it first, or give the grouped figures a clause of their own")
          continue
        }
        if clause.window != nil {
          report("C050", "a clause is grouped once: by `for each window …` or by `for each \(field.text)`, not both", span,
            help: "give the per-window requirements a clause of their own")
          continue
        }
        if let g = checkGroup(field: field, list: listExpr, span: span) { clause.group = g }
      case .forEachWindow(let n, let listExpr, let span):
        if clause.group != nil || clause.window != nil || !clause.requirements.isEmpty || !clause.reports.isEmpty {
          report("C023", "`for each window …` must come before the clause's requirements, once, and not with another `for each`", span,
            help: "put it first; give other groupings a clause of their own")
          continue
        }
        clause.window = checkWindow(periods: n, list: listExpr, span: span)
      case .requirement(let e):
        let checked = checkCondition(e, what: "a requirement")
        clause.requirements.append(CheckedRequirement(expr: checked, source: file.text(e.span), span: e.span))
      case .report(let e, _):
        let checked = checkExpr(e)
        switch checked.type {
        case .record, .list, .fx:
          report("C060", "`report` shows a figure, not \(schema.typeName(checked.type))", e.span,
            help: "report an amount, a percentage or another single value, e.g. `report share of holdings.value where sector = that sector`")
        default:
          clause.reports.append(CheckedRequirement(expr: checked, source: file.text(e.span), span: e.span))
        }
      case .warn(let above, let inclusive, let fraction, let span):
        let f = checkExpr(fraction)
        guard case .constant(.number(let x)) = f.kind, x.signum > 0 else {
          if f.type != .error { report("C022", "`warn \(above ? "above" : "below")` needs a percentage of the limit, such as `90%`", fraction.span) }
          continue
        }
        if above && x > Exact.one || !above && x < Exact.one {
          report("C022", "`warn \(above ? "above" : "below") \(file.text(fraction.span))` would never warn before the limit is reached", fraction.span,
            help: above ? "a warning threshold for a cap is below 100%, e.g. `warn above 90% of the limit`" : "a warning threshold for a floor is above 100%, e.g. `warn below 110% of the limit`")
        }
        let hasCap = clause.requirements.contains { r in
          if case .compare(let op, _, _) = r.expr.kind { return above ? (op == .le || op == .lt) : (op == .ge || op == .gt) }
          return false
        }
        if !hasCap {
          report("C022", "`warn \(above ? "above" : "below")` needs a requirement of the form `value \(above ? "<=" : ">=") limit` before it", span)
        }
        clause.warn = .init(above: above, fraction: x, inclusive: inclusive)
      case .approvedBy(let rule):
        clause.approval = resolvePartyRefs(rule.parties, what: "approval")
      case .votes(let rule):
        if let body = rule.body {
          if let v = checkBodyVote(rule, body) { clause.bodyVotes.append(v) }
        } else {
          clause.votes = checkVoteRule(rule)
        }
      case .consent(let rule):
        if clause.consent != nil {
          report("C092", "a clause has one consent exception", rule.span, help: "name every body that may consent on one line: `without consent of lps or lpac`")
        } else {
          clause.consent = checkConsent(rule, clause)
        }
      case .waivableBy(let refs, _):
        clause.waivableBy = resolvePartyRefs(refs, what: "waiver", code: "C035")
      case .subjectTo(let refs, _):
        crossReferences.append(CrossReference(clause: c.id, form: .subjectTo, refs: refs))
      case .notwithstanding(let refs, _):
        crossReferences.append(CrossReference(clause: c.id, form: .notwithstanding, refs: refs))
      case .exception(let refs, let condition, _):
        // One condition for the whole clause, not per group: `that sector` has no value here.
        let grouped = group
        group = nil
        let checked = checkCondition(condition, what: "an exception's `when`")
        group = grouped
        clause.exceptions.append(.init(clauses: refs.map(\.text), condition: checked, source: file.text(condition.span)))
        crossReferences.append(CrossReference(clause: c.id, form: .exception, refs: refs, exception: clause.exceptions.count - 1))
      case .quorum(let cmp, let fraction, let span):
        let rule = VoteRule(comparison: .ge, fraction: Expr(.literal(.number(.zero)), span), base: .votingPower, quorum: fraction,
          quorumComparison: cmp, countAbstentions: false, excludeConflicted: false, castingVote: nil, span: span)
        if clause.quorum != nil {
          report("C031", "a clause has one stand-alone quorum", span)
        } else if var q = checkVoteRule(rule) {
          q.quorumOnly = true
          clause.quorum = q
        }
      }
    }
    requireGovernanceData(clause, c, governance)
    let exprs = clause.appliesWhen + clause.requirements.map(\.expr) + clause.reports.map(\.expr) + clause.exceptions.map(\.condition) + [clause.group?.list, clause.window?.calendar.list].compactMap { $0 }
    clause.needsDeal = exprs.contains(where: \.usesDeal) || clause.hasGovernance
    let usesList = exprs.contains(where: \.usesJoinedList)
    clause.testedOn = explicitTestedOn ?? (usesList ? .both : clause.needsDeal ? .proForma : .snapshot)
    if clause.requirements.isEmpty && clause.reports.isEmpty && clause.exceptions.isEmpty && !clause.hasGovernance {
      report("C010", "clause §\(c.id) has no requirement", c.idSpan, help: "add what must hold, e.g. `total_debt <= 2.0x fund.equity`")
    }
    return clause
  }

  mutating func checkGroup(field: Name, list listExpr: Expr?, span: SourceSpan) -> CheckedClause.Group? {
    let list: TExpr
    if let listExpr {
      list = checkExpr(listExpr)
    } else if let snap = schema.snapshot, let jf = joinedListField ?? schema.records[snap].fields.firstIndex(where: { if case .list = $0.type { true } else { false } }) {
      let f = schema.records[snap].fields[jf]
      list = TExpr(kind: .field(root(snap), jf), type: f.type, span: span, usesDeal: false, usesJoinedList: jf == joinedListField)
    } else {
      report("C023", "`for each \(field.text)` needs a list to group", span, help: "write `for each \(field.text) in holdings:`")
      return nil
    }
    guard case .list(.record(let rec)) = list.type else {
      if list.type != .error { report("C023", "`for each` groups the elements of a list", listExpr?.span ?? span) }
      return nil
    }
    guard let fi = schema.records[rec].index[field.text] else {
      unknownField(field, record: rec)
      return nil
    }
    switch schema.records[rec].fields[fi].type {
    case .kind, .text, .country, .bool, .date: break
    default:
      report("C023", "cannot group by `\(field.text)`: only text, kinds, countries, dates and true/false group", field.span)
      return nil
    }
    group = (fi, field.text, rec)
    let slot = newSlot()
    return .init(list: list, field: fi, fieldName: field.text, slot: slot)
  }

  mutating func resolvePartyRefs(_ refs: [PartyRef], what: String, code: String = "C030") -> [ResolvedPartyRef] {
    refs.compactMap { ref in
      switch ref {
      case .party(let n):
        if let i = partyIndex[n.text] { return .party(i) }
        report(code, "unknown party `\(n.text)` in \(what)", n.span,
          help: suggestion(n.text, parties.map(\.name)) ?? (parties.isEmpty ? "declare it with `party \(n.text) \"Full name\" weight …`" : "parties are " + parties.map { "`\($0.name)`" }.joined(separator: ", ")))
        return nil
      case .anyOf(let n), .allOf(let n):
        let classes = knownClasses(governance) ?? [n.text]
        guard classes.contains(n.text) else {
          report(code, "no party is of class `\(n.text)`", n.span, help: suggestion(n.text, Array(classes)) ?? "give parties a class with `party … class \(n.text)`")
          return nil
        }
        if case .anyOf = ref { return .anyOf(n.text) }
        return .allOf(n.text)
      }
    }
  }

  mutating func checkVoteRule(_ rule: VoteRule, needsParties: Bool = true) -> CheckedVoteRule? {
    func fraction(_ e: Expr, _ what: String) -> Exact? {
      let t = checkExpr(e)
      guard case .constant(.number(let x)) = t.kind else {
        if t.type != .error { report("C031", "\(what) must be a fixed fraction such as `2/3` or `75%`", e.span) }
        return nil
      }
      if x > Exact.one || x.signum < 0 {
        report("C031", "\(what) of \(file.text(e.span)) is above 100%", e.span, help: "a threshold is a fraction between 0% and 100%, e.g. `2/3` or `66⅔%`")
        return nil
      }
      return x
    }
    guard let f = fraction(rule.fraction, "the voting threshold") else { return nil }
    var q: Exact?
    if let qe = rule.quorum {
      guard let x = fraction(qe, "the quorum") else { return nil }
      q = x
    }
    var casting: Int?
    if let c = rule.castingVote {
      if let i = partyIndex[c.text] { casting = i } else {
        report("C030", "unknown party `\(c.text)` for the casting vote", c.span, help: suggestion(c.text, parties.map(\.name)))
      }
    }
    if needsParties && parties.isEmpty && governance.members == nil {
      report("C030", "a voting rule needs parties", rule.span, help: "declare them with `party treasury \"…\" weight 50%`, or read them with `governance members from snapshot \"…\"`")
    }
    guard rule.comparison.isComparison, rule.comparison != .eq, rule.comparison != .ne else {
      report("C031", "a voting threshold is `>=` or `>`", rule.span)
      return nil
    }
    return CheckedVoteRule(
      comparison: rule.comparison, fraction: f, base: rule.base, quorum: q, quorumComparison: rule.quorumComparison,
      countAbstentions: rule.countAbstentions, excludeConflicted: rule.excludeConflicted, castingVote: casting)
  }
}
