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
          report(SemanticDiagnostics.datedClause(.notADate(until: item.isUntil, type: schema.typeName(checked.type))), e.span)
        }
        if schema.snapshot.flatMap({ schema.records[$0].index["as_of"] }) == nil {
          report(SemanticDiagnostics.datedClause(.needsAsOf), e.span)
        }
        if item.isUntil { clause.until = checked } else { clause.effectiveFrom = checked }
      case .testedOn(let t, _):
        explicitTestedOn = t
      case .severity(let severity, _):
        clause.severityWarning = severity == .warning
      case .forEach(let field, let listExpr, let span):
        if clause.group != nil || !clause.requirements.isEmpty || !clause.reports.isEmpty {
          report(SemanticDiagnostics.grouping(.forEachNotFirst), span)
          continue
        }
        if clause.window != nil {
          report(SemanticDiagnostics.periods(.groupedTwice(field: field.text)), span)
          continue
        }
        if let g = checkGroup(field: field, list: listExpr, span: span) { clause.group = g }
      case .forEachWindow(let n, let listExpr, let span):
        if clause.group != nil || clause.window != nil || !clause.requirements.isEmpty || !clause.reports.isEmpty {
          report(SemanticDiagnostics.grouping(.windowNotFirst), span)
          continue
        }
        clause.window = checkWindow(periods: n, list: listExpr, span: span)
      case .requirement(let e):
        let checked = checkCondition(e, what: "a requirement")
        clause.requirements.append(CheckedRequirement(expr: checked, file: file, span: e.span))
      case .report(let e, _):
        let checked = checkExpr(e)
        switch checked.type {
        case .record, .list, .fx:
          report(SemanticDiagnostics.reportNotAFigure(schema.typeName(checked.type)), e.span)
        default:
          clause.reports.append(CheckedRequirement(expr: checked, file: file, span: e.span))
        }
      case .warn(let above, let inclusive, let fraction, let span):
        let f = checkExpr(fraction)
        guard case .constant(.number(let x)) = f.kind, x.signum > 0 else {
          if f.type != .error { report(SemanticDiagnostics.warningThreshold(.needsPercentage(above: above)), fraction.span) }
          continue
        }
        if above && x > Exact.one || !above && x < Exact.one {
          report(SemanticDiagnostics.warningThreshold(.neverWarns(above: above, file.text(fraction.span))), fraction.span)
        }
        let hasCap = clause.requirements.contains { r in
          if case .compare(let op, _, _) = r.expr.kind { return above ? (op == .le || op == .lt) : (op == .ge || op == .gt) }
          return false
        }
        if !hasCap {
          report(SemanticDiagnostics.warningThreshold(.needsLimit(above: above)), span)
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
          report(SemanticDiagnostics.consent(.twoExceptions), rule.span)
        } else {
          clause.consent = checkConsent(rule, clause)
        }
      case .waivableBy(let refs, _):
        clause.waivableBy = resolvePartyRefs(refs, what: "waiver", unknown: SemanticDiagnostics.unknownWaiver)
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
          report(SemanticDiagnostics.votingNumber(.standAloneQuorum), span)
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
      report(SemanticDiagnostics.condition(.clauseWithoutRequirement(c.id)), c.idSpan)
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
      report(SemanticDiagnostics.grouping(.needsList(field.text)), span)
      return nil
    }
    guard case .list(.record(let rec)) = list.type else {
      if list.type != .error { report(SemanticDiagnostics.grouping(.notAList), listExpr?.span ?? span) }
      return nil
    }
    guard let fi = schema.records[rec].index[field.text] else {
      unknownField(field, record: rec)
      return nil
    }
    switch schema.records[rec].fields[fi].type {
    case .kind, .text, .country, .bool, .date: break
    default:
      report(SemanticDiagnostics.grouping(.cannotGroupBy(field.text)), field.span)
      return nil
    }
    group = (fi, field.text, rec)
    let slot = newSlot()
    return .init(list: list, field: fi, fieldName: field.text, slot: slot)
  }

  /// `unknown`: the message for a party or class the covenant does not have (C030; C035 for a waiver).
  mutating func resolvePartyRefs(
    _ refs: [PartyRef], what: String,
    unknown: (SemanticDiagnostics.PartyReference) -> DiagnosticMessage = { SemanticDiagnostics.votingParty(.reference($0)) }
  ) -> [ResolvedPartyRef] {
    refs.compactMap { ref in
      switch ref {
      case .party(let n):
        if let i = partyIndex[n.text] { return .party(i) }
        report(unknown(.unknown(n.text, in: what, suggestion: suggestion(n.text, parties.map(\.name)), parties: parties.map(\.name))), n.span)
        return nil
      case .anyOf(let n), .allOf(let n):
        let classes = knownClasses(governance) ?? [n.text]
        guard classes.contains(n.text) else {
          report(unknown(.noClass(n.text, suggestion: suggestion(n.text, Array(classes)))), n.span)
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
        if t.type != .error { report(SemanticDiagnostics.votingNumber(.notFixed(what)), e.span) }
        return nil
      }
      if x > Exact.one || x.signum < 0 {
        report(SemanticDiagnostics.votingNumber(.above100(what, written: file.text(e.span))), e.span)
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
        report(SemanticDiagnostics.votingParty(.castingVote(c.text, help: suggestion(c.text, parties.map(\.name)))), c.span)
      }
    }
    if needsParties && parties.isEmpty && governance.members == nil {
      report(SemanticDiagnostics.votingParty(.noParties), rule.span)
    }
    guard rule.comparison.isComparison, rule.comparison != .eq, rule.comparison != .ne else {
      report(SemanticDiagnostics.votingNumber(.thresholdComparison), rule.span)
      return nil
    }
    return CheckedVoteRule(
      comparison: rule.comparison, fraction: f, base: rule.base, quorum: q, quorumComparison: rule.quorumComparison,
      countAbstentions: rule.countAbstentions, excludeConflicted: rule.excludeConflicted, castingVote: casting)
  }
}
