import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantEvaluation

extension CheckReport {
  // MARK: - JSON

  /// `points`: a difference of percentages, in percentage points (`"unit": "points"`).
  public static func figure(_ v: Value?, _ schema: Schema, style: NumberStyle? = nil, points: Bool = false) -> JSONOut {
    guard let v, v != .absent else { return .null }
    switch v {
    case .money(let x, let c):
      return .object([("type", .string("money")), ("exact", .string(x.description)), ("currency", .string(c)), ("display", .string(Format.value(v, schema)))])
    case .number(let x):
      // `exact` in the unit displayed: "35" with unit "%" for 35%, "101.25" with "bps".
      let (scale, unit): (Int, String?) = switch style ?? .plain {
      case .percent: (100, "%")
      case .bps: (10_000, "bps")
      case .multiple: (1, "x")
      case .plain: (1, nil)
      }
      let shown = (try? x.multiplied(by: Exact(scale))) ?? x
      let inPoints = points && style == .percent
      return .object([("type", .string((style ?? .plain).rawValue)), ("exact", .string(shown.description))]
        + (unit.map { [("unit", JSONOut.string(inPoints ? "points" : $0))] } ?? [])
        + [("display", .string(inPoints ? Format.points(x) : Format.value(v, schema, style: style)))])
    default:
      return .object([("type", .string("value")), ("display", .string(Format.plain(v, schema)))])
    }
  }

  /// The groups a JSON report lists, as indices into `status`. With more than `longGroupList`
  /// groups (one per issuer: 917k in the largest portfolio measured), every failed and warned
  /// group in order of severity, then utilization, then made up to `groupsShown` with the passing
  /// groups nearest their limits — the text report's five when at most five fail; otherwise all,
  /// in order. A report of every group is `--all-groups`.
  /// `omitted`: groups dropped before the report (`keepShown`), none of which it would list.
  static func listedGroups(_ status: [(bad: Int, utilization: Exact)], all: Bool, omitted: Int = 0) -> [Int] {
    guard !all, status.count + omitted > longGroupList else { return Array(status.indices) }
    let bad = status.indices.filter { status[$0].bad > 0 }
    // The top `groupsShown` contain every bad group when there are no more than that.
    guard bad.count > groupsShown else { return ranked(status) }
    return bad.sorted { ahead(status, $0, $1) }
  }

  /// `allGroups`: every group's check, in order; otherwise a long group list keeps the groups that
  /// matter (`listedGroups`) and `checks_total` says how many there were. Checks are made one at a
  /// time as they are written.
  static func evaluationJSON(_ e: ClauseEvaluation?, _ schema: Schema, allGroups: Bool = false) -> JSONOut {
    guard let e else { return .null }
    let all = e.outcomes
    var listed: [Int]? = nil
    var total: [(String, JSONOut)] = []
    // `omittedOutcomes`: checks dropped as the clause was checked (`keepShown`), none of them listed.
    if !allGroups || e.omittedOutcomes > 0, all.count + e.omittedOutcomes > longGroupList {
      listed = listedGroups(all.indices.map { i in let s = all.status(at: i); return (severity(s), closeness(s)) }, all: false, omitted: e.omittedOutcomes)
      total = [("checks_total", .number("\(all.count + e.omittedOutcomes)"))]
    }
    let reported = e.reported, definitions = e.definitions
    return .object([
      ("verdict", .string(e.verdict.rawValue)),
      ("note", .opt(e.note)),
    ] + total + [
      ("reported", .elements(count: reported.count) { i in
        let f = reported[i]
        return .object([("figure", .string(f.figure)), ("group", .opt(f.group?.text)), ("value", figure(f.value, schema, style: f.style))])
      }),
      ("definitions", .elements(count: definitions.count) { i in
        let d = definitions[i]
        return .object([("name", .string(d.name)), ("value", figure(d.value, schema, style: d.style)), ("derivation", .string(d.derivation))])
      }),
      ("checks", .elements(count: listed?.count ?? all.count) { k in checkJSON(all[listed?[k] ?? k], schema) }),
    ])
  }

  static func checkJSON(_ o: RequirementOutcome, _ schema: Schema) -> JSONOut {
    var m: [(String, JSONOut)] = [("requirement", .string(o.requirement.text)), ("group", .opt(o.group?.text))]
    m.append(("holds", o.holds.map { .bool($0) } ?? .null))
    if let note = o.note { m.append(("note", .string(note))) }
    if !o.periods.isEmpty {
      m.append(("periods", .array(o.periods.map { u in
        .object([("list", .string(u.list)), ("needed", .number("\(u.needed)")), ("available", .number("\(u.available)")),
                 ("as_of", .string(u.testDate.description)), ("first_end", .opt(u.firstEnd?.description)),
                 ("last_end", .opt(u.lastEnd?.description))])
      })))
    }
    if let op = o.comparison {
      m += [("comparison", .string(op.rawValue)), ("value", figure(o.value, schema, style: o.style)),
            ("limit", figure(o.limit, schema, style: o.style)), ("headroom", figure(o.headroom, schema, style: o.style, points: true)),
            ("utilization", o.utilization.map { .string($0.description) } ?? .null), ("warned", .bool(o.warned))]
      if let r = o.ratio, let p = o.ratioLimit, let st = o.ratioStyle {
        let cap = isCap(o.comparison ?? .le)
        m += [("ratio", figure(.number(r), schema, style: st)), ("ratio_limit", figure(.number(p), schema, style: st)),
              ("ratio_headroom", figure((try? (cap ? p.subtracting(r) : r.subtracting(p))).map { .number($0) }, schema, style: st, points: true)),
              ("base", figure(o.base, schema)), ("base_expression", .opt(o.baseText))]
      } else if let a = o.amount, let b = o.base {
        let cap = isCap(o.comparison ?? .le)
        var head: Value?
        if let lim = o.amountLimit, let am = CovenantRunner.magnitude(a), let lm = CovenantRunner.magnitude(lim),
          let d = try? (cap ? lm.subtracting(am) : am.subtracting(lm))
        {
          head = if case .money(_, let c) = lim { .money(d, currency: c) } else { .number(d) }
        }
        m += [("amount", figure(a, schema)), ("base", figure(b, schema)), ("base_expression", .opt(o.baseText)),
              ("amount_limit", figure(o.amountLimit, schema)), ("amount_headroom", figure(head, schema))]
      }
      m.append(("text", .string(outcomeLines(o, schema: schema).joined(separator: " "))))
    } else if o.examined > 0 || o.offenderCount > 0 || o.satisfiedBy != nil {
      m += [("examined", .number("\(o.examined)")), ("offender_count", .number("\(o.offenderCount)")),
            ("offenders", .array(o.offenders.map { x in
              .object([("element", .string(x.element.text)), ("values", .string(x.valuesText))])
            })),
            ("not_evaluated_count", .number("\(o.notEvaluatedCount)")),
            ("not_evaluated", .array(o.notEvaluated.map { .string($0.text) }))]
      if !o.passing.isEmpty { m.append(("elements", .array(o.passing.map { .string($0.text) }))) }
      if let w = o.satisfiedBy {
        m += [("matching", .number("\(o.matching)")), ("satisfied_by", .object([("element", .string(w.element.text)), ("values", .string(w.valuesText))]))]
      }
    }
    return .object(m)
  }

  static func boundJSON(_ b: AmountBound?) -> JSONOut {
    guard let b else { return .null }
    switch b {
    case .atMost(let x, let c):
      return .object([("kind", .string("at most")), ("exact", .string(x.description)), ("currency", .string(c)), ("display", .string(boundText(b) ?? ""))])
    case .lessThan(let x, let c):
      return .object([("kind", .string("less than")), ("exact", .string(x.description)), ("currency", .string(c)), ("display", .string(boundText(b) ?? ""))])
    case .unlimited: return .object([("kind", .string("unlimited"))])
    case .noAmount: return .object([("kind", .string("none"))])
    case .notComputed(let why): return .object([("kind", .string("not computed")), ("reason", .string(CapacityWording.unsolvable(why)))])
    }
  }

  /// Each source of a consent exception: `consent by lpac (vote): given — in favour: 3 of 5 …`,
  /// `consent C-7 of lps on file: not given — expired 2026-01-31, before …`; with a vote, its tally.
  /// `details`: the tallies of votes that did not qualify (the clause is in breach, so the
  /// reader needs to see why); a vote that lifted the clause always shows its tally.
  static func consentLines(_ c: ConsentOutcome?, details: Bool) -> [String] {
    guard let c else { return [] }
    var out: [String] = []
    for s in c.sources {
      let what = s.kind == .vote ? "vote: \(s.description)" : s.kind == .flag ? "flag: \(s.description)" : s.description
      let reason = ConsentWording.reason(s.reason)
      out.append("consent — \(what): \(s.qualifies ? "given" : "not given") (\(reason))" + (s.location.map { " [\($0)]" } ?? ""))
      if let t = s.tally, s.qualifies ? c.applied : details {
        for line in GovernanceWording.lines(t) where line != reason { out.append("  " + line) }
      }
    }
    return out
  }

  static func consentJSON(_ c: ConsentOutcome) -> JSONOut {
    .object([
      ("given", .bool(c.given)), ("applied", .bool(c.applied)), ("by", .opt(c.by?.description)),
      ("lifted_to", .opt(c.liftedTo)),
      ("sources", .array(c.sources.map { s in
        .object([
          ("kind", .string(s.kind.rawValue)), ("body", .opt(s.body)), ("description", .string(s.description)),
          ("qualifies", .bool(s.qualifies)), ("reason", .string(ConsentWording.reason(s.reason))), ("id", .opt(s.id)),
          ("granted", .opt(s.granted?.description)), ("expires", .opt(s.expires?.description)), ("location", .opt(s.location)),
          ("tally", s.tally.map { governanceJSON($0) } ?? .null),
        ])
      })),
    ])
  }

  static func governanceJSON(_ g: GovernanceOutcome?) -> JSONOut {
    guard let g else { return .null }
    func ex(_ x: Exact?) -> JSONOut { x.map { .string($0.description) } ?? .null }
    // Keys of a body's vote only where there is one, so reports without bodies keep their shape.
    let body: [(String, JSONOut)] = (g.body.map {
      [("body", JSONOut.string($0)), ("rule", .opt(g.rule.map(GovernanceWording.ruleName))),
       ("excluded_by_class", .array(g.excludedByClass.map { .string($0) })), ("excluded_as_conflicted", .array(g.excludedAsConflicted.map { .string($0) })),
       ("quorum_members_present", g.membersPresent.map { .number("\($0)") } ?? .null), ("quorum_members_required", g.membersRequired.map { .number("\($0)") } ?? .null)]
    } ?? [])
      + (g.bodyVotes.isEmpty ? [] : [("body_votes", .array(g.bodyVotes.map { governanceJSON($0) }))])
    return .object(body + [
      ("verdict", .string(g.verdict.rawValue)),
      ("votes_for", ex(g.votesFor)), ("votes_against", ex(g.votesAgainst)), ("abstaining", ex(g.abstaining)),
      ("absent", ex(g.absent)), ("total_voting_power", ex(g.totalPower)), ("fraction", ex(g.fraction)),
      ("required", ex(g.required)), ("quorum_present", ex(g.quorumPresent)), ("quorum_required", ex(g.quorumRequired)),
      ("missing_approvals", .array(g.missingApprovals.map { .string(GovernanceWording.missing($0)) })),
      ("lines", .array(GovernanceWording.lines(g).map { .string($0) })),
    ])
  }

  /// The snapshot figures of a batch, which every deal repeats: each clause's rendered once and
  /// reused while the evaluation is the same (compared in full, so a deal whose snapshot figures
  /// differ gets its own).
  public final class SnapshotJSONCache {
    var entries: [Int: (evaluation: ClauseEvaluation, json: JSONOut)] = [:]
    /// Each clause's text as shown (whitespace folded) and its line, the same for every deal:
    /// made once per clause, reused while the clause's text and place are the same.
    var heads: [Int: (text: String?, span: SourceSpan, shown: JSONOut, line: JSONOut)] = [:]
    /// The level the figures are written at (a batch's deal objects are rendered at level 1).
    let indent: Int
    public init(indent: Int) { self.indent = indent }

    func json(_ index: Int, _ e: ClauseEvaluation?, _ schema: Schema, allGroups: Bool) -> JSONOut {
      guard let e else { return .null }
      if let known = entries[index], known.evaluation == e { return known.json }
      let j = JSONOut.prerendered(evaluationJSON(e, schema, allGroups: allGroups), indent: indent)
      entries[index] = (e, j)
      return j
    }

    /// Whole clauses without a pro forma evaluation (`tested on snapshot`): in a batch their
    /// object — verdict, note, figures, everything — is usually the same for every deal, so it is
    /// rendered once, as bytes, and copied into each deal's object (~20 KB of the ~35 KB a deal
    /// of the peer benchmark writes). Reused only while the clause's result equals the one
    /// rendered, compared in full (the snapshot's figures by their shared storage): a deal whose
    /// governance, waivers, consent, `applies when` or disapplication change the clause gets it
    /// rendered afresh, the general way, and that rendering is kept for the deals after it.
    var clauses: [Int: (result: ClauseResult, json: JSONOut)] = [:]

    func clause(_ index: Int, _ c: ClauseResult, covenant: CheckedCovenant, allGroups: Bool) -> JSONOut {
      if let known = clauses[index], known.result == c { return known.json }
      let tree = clauseJSON(c, covenant: covenant, allGroups: allGroups,
        snapshot: json(index, c.snapshot, covenant.schema, allGroups: allGroups), head: head(index, c, covenant.file))
      // A clause is an element of `clauses`, one level above its members (`indent`).
      let j = JSONOut.prerendered(tree, indent: indent - 1)
      clauses[index] = (c, j)
      return j
    }

    func head(_ index: Int, _ c: ClauseResult, _ file: SourceFile) -> (text: JSONOut, line: JSONOut) {
      if let known = heads[index], known.span == c.span, known.text == c.text { return (known.shown, known.line) }
      let made = (clauseText(c), clauseLine(c, file))
      heads[index] = (c.text, c.span, made.0, made.1)
      return made
    }
  }

  static func clauseText(_ c: ClauseResult) -> JSONOut { .opt(c.text.map(CovenantRunner.clean)) }
  static func clauseLine(_ c: ClauseResult, _ file: SourceFile) -> JSONOut { .number("\(file.location(of: c.span.start).line)") }

  public static func clauseJSON(_ c: ClauseResult, covenant: CheckedCovenant, allGroups: Bool = false) -> JSONOut {
    clauseJSON(c, covenant: covenant, allGroups: allGroups, snapshot: evaluationJSON(c.snapshot, covenant.schema, allGroups: allGroups))
  }

  /// `head`: the clause's text and line when already made (`SnapshotJSONCache.head`).
  static func clauseJSON(_ c: ClauseResult, covenant: CheckedCovenant, allGroups: Bool, snapshot: JSONOut, head: (text: JSONOut, line: JSONOut)? = nil) -> JSONOut {
    let schema = covenant.schema
    let applies: [JSONOut] = c.applies.map { .string(ClauseWording.applies($0)) }
    return .object([
      ("id", .string(c.id)), ("section", .string("§" + c.id)), ("title", .opt(c.title)), ("text", head?.text ?? clauseText(c)),
      ("line", head?.line ?? clauseLine(c, covenant.file)),
      ("verdict", .string(c.verdict.rawValue)), ("note", .opt(c.note)),
      ("applies", .array(applies)),
      ("snapshot", snapshot), ("pro_forma", evaluationJSON(c.proForma, schema, allGroups: allGroups)),
      ("largest_compliant_amount", boundJSON(c.largestAmount)),
      ("governance", governanceJSON(c.governance)),
    ] + (c.consent.map { [("consent", consentJSON($0))] } ?? []) + crossReferenceJSON(c))
  }

  /// `disapplied_by` on a disapplied clause and `exceptions` on a clause that makes them; absent
  /// otherwise, like `capacity` without a deal.
  static func crossReferenceJSON(_ c: ClauseResult) -> [(String, JSONOut)] {
    var out: [(String, JSONOut)] = []
    if let d = c.disapplied {
      out.append(("disapplied_by", .object([
        ("clause", .string(d.clause)), ("title", .opt(d.title)), ("form", .string(d.form.rawValue)),
        ("reason", .string(d.reason)), ("verdict_had_it_applied", .string(d.verdictHadItApplied.rawValue)),
      ])))
    }
    if !c.subjectTo.isEmpty {
      out.append(("subject_to", .array(c.subjectTo.map { p in
        .object([("clause", .string(p.clause)), ("title", .opt(p.title)), ("verdict", .string(p.verdict.rawValue))])
      })))
    }
    if !c.exceptions.isEmpty {
      out.append(("exceptions", .array(c.exceptions.map { x in
        .object([
          ("clauses", .array(x.clauses.map { .string($0) })), ("condition", .string(x.condition)), ("values", .string(ClauseWording.values(x.values))),
          ("in_effect", .bool(x.holds == true)), ("condition_holds", x.holds.map { .bool($0) } ?? .null),
        ])
      })))
    }
    return out
  }

  /// `150 JPY per USD` or `0.0067 USD per JPY`, as the data quotes it.
  static func fxText(_ f: FXRate, _ schema: Schema) -> String {
    let rate = Format.number(f.quoted, style: .plain)
    return f.quotedPerBase ? "\(rate) \(f.currency) per \(schema.baseCurrency)" : "\(rate) \(schema.baseCurrency) per \(f.currency)"
  }

  /// The report of one check. Its clauses, and each clause's checks, are made as they are
  /// written (`JSONOut.elements`): written to a `ReportWriter` with a sink, the report streams.
  /// `allGroups`: every group's check (`--all-groups`); otherwise the groups that matter
  /// (`listedGroups`).
  public static func json(_ r: CheckResult, covenant: CheckedCovenant, allGroups: Bool = false, snapshotCache: SnapshotJSONCache? = nil) -> JSONOut {
    // Counted in place: `filter` copied every matching clause's result, six times per deal of a batch.
    let order: [Verdict] = [.pass, .warning, .breach, .notApplicable, .waived, .disapplied]
    var tally = [Int](repeating: 0, count: order.count)
    for i in r.clauses.indices {
      if let k = order.firstIndex(of: r.clauses[i].verdict) { tally[k] += 1 }
    }
    var counts: [(String, JSONOut)] = []
    for (k, v) in order.enumerated() { counts.append((v.rawValue, .number("\(tally[k])"))) }
    return .object([
      ("covenant", .string(covenant.title)), ("version", .opt(covenant.version)),
      ("as_of", .opt(r.asOf?.description)), ("deal", .opt(r.dealID)),
      ("fx_rates", .array(r.fxRates.map { f in
        .object([("currency", .string(f.currency)), ("quoted", .string(fxText(f, covenant.schema))),
                 ("base_per_unit", .string(f.basePerUnit.description))])
      })),
      ("verdict", .string(r.compliant ? "compliant" : "breach")),
      ("summary", .object(counts)),
    ] + (r.capacity == nil ? [] : [("capacity", capacityJSON(r.capacity))]) + [
      ("clauses", .elements(count: r.clauses.count) { i in
        let c = r.clauses[i]
        if let cache = snapshotCache, c.proForma == nil { return cache.clause(i, c, covenant: covenant, allGroups: allGroups) }
        return clauseJSON(c, covenant: covenant, allGroups: allGroups,
          snapshot: snapshotCache?.json(i, c.snapshot, covenant.schema, allGroups: allGroups) ?? evaluationJSON(c.snapshot, covenant.schema, allGroups: allGroups),
          head: snapshotCache?.head(i, c, covenant.file))
      }),
    ])
  }
}
