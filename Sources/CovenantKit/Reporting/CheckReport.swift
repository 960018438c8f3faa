/// The report of `covenant check`: text for people, JSON for programs.
public enum CheckReport {
  static func label(_ v: Verdict) -> String {
    switch v {
    case .pass: "PASS"
    case .warning: "WARNING"
    case .breach: "BREACH"
    case .notApplicable: "N/A"
    case .waived: "WAIVED"
    }
  }

  public static func summary(_ r: CheckResult) -> String {
    var counts: [Verdict: Int] = [:]
    for c in r.clauses { counts[c.verdict, default: 0] += 1 }
    let parts = [Verdict.breach, .warning, .waived, .pass, .notApplicable].compactMap { v -> String? in
      guard let n = counts[v], n > 0 else { return nil }
      return "\(n) \(v == .notApplicable ? "not applicable" : v == .breach ? (n == 1 ? "breach" : "breaches") : v == .warning ? (n == 1 ? "warning" : "warnings") : v.rawValue)"
    }
    return parts.joined(separator: ", ")
  }

  // MARK: - Text

  public static func text(_ r: CheckResult, covenant: CheckedCovenant, color: Bool = false, dealAmount: Value? = nil) -> String {
    let schema = covenant.schema
    func paint(_ s: String, _ v: Verdict) -> String {
      guard color else { return s }
      let code = v == .breach ? "31" : v == .warning ? "33" : v == .pass ? "32" : v == .waived ? "36" : "2"
      return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }
    var out = covenant.title
    if let v = covenant.version { out += " (version \(v))" }
    out += "\n"
    out += "snapshot as of \(r.asOf?.description ?? "unknown")"
    if r.dealID != nil || dealAmount != nil {
      out += " · deal \(r.dealID ?? "(no id)")"
      if let a = dealAmount { out += " of \(Format.value(a, schema))" }
      out += " · figures before → after the deal"
    }
    out += "\n\n"
    let idWidth = min(12, (r.clauses.map { $0.id.count + 1 }.max() ?? 4))
    let indent = String(repeating: " ", count: 9)
    for c in r.clauses {
      let id = ("§" + c.id).padding(toLength: max(idWidth, c.id.count + 1), withPad: " ", startingAt: 0)
      out += paint(label(c.verdict).padding(toLength: 9, withPad: " ", startingAt: 0), c.verdict) + id + "  " + (c.title ?? "") + "\n"
      if let note = c.note { out += indent + note + "\n" }
      if c.verdict == .notApplicable, c.snapshot == nil, c.proForma == nil, c.governance == nil { continue }
      out += requirementLines(c, schema: schema, indent: indent)
      if let g = c.governance {
        for line in g.lines { out += indent + line + "\n" }
      }
      if let b = c.largestAmount, let line = boundText(b) { out += indent + line + "\n" }
    }
    out += "\nresult: " + (r.compliant ? "compliant" : "BREACH") + " (" + summary(r) + ")\n"
    return out
  }

  static func boundText(_ b: AmountBound) -> String? {
    switch b {
    case .atMost(let x, let c):
      let shown = (try? Exact(num: x.scaled(places: 2, rounding: .down), den: 100)) ?? x
      return "largest compliant deal amount: \(Format.money(shown, c))" + (shown == x ? "" : " (rounded down to the cent)")
    case .lessThan(let x, let c):
      return "compliant for a deal amount below \(Format.money(x, c))"
    case .unlimited: return nil
    case .noAmount: return "no deal amount complies on the deal's other terms"
    case .notComputed(let why): return "largest compliant deal amount: not computed (\(why))"
    }
  }

  static func outcomeText(_ o: RequirementOutcome, schema: Schema) -> String {
    if let note = o.note { return (o.holds == true ? "holds" : o.holds == false ? "does not hold" : "undefined") + ": " + note }
    if let op = o.comparison, let v = o.value, let l = o.limit {
      var s = "\(Format.value(v, schema, style: o.style)) \(op.rawValue) \(Format.value(l, schema, style: o.style))"
      if let h = o.headroom, o.holds != nil {
        if let hm = CovenantRunner.magnitude(h), hm.signum < 0, let pos = try? hm.negated() {
          let over: Value = if case .money(_, let c) = h { .money(pos, currency: c) } else { .number(pos) }
          s += ", over by \(Format.value(over, schema, style: o.style))"
        } else {
          s += ", headroom \(Format.value(h, schema, style: o.style))"
        }
      }
      if o.warned { s += ", above the warning level" }
      if o.headroom == nil, o.holds == false { s += ": does not hold" }
      return s
    }
    if o.comparison == nil, o.examined > 0 || o.offenderCount > 0 {
      var parts: [String] = []
      if o.offenderCount > 0 {
        var s = "\(o.offenderCount) of \(o.examined) fail"
        if !o.offenders.isEmpty { s += ": " + o.offenders.joined(separator: ", ") }
        if o.offenderCount > o.offenders.count { s += ", …" }
        parts.append(s)
      }
      if o.notEvaluatedCount > 0 {
        var s = "\(o.notEvaluatedCount) of \(o.examined) could not be evaluated (a figure or field is missing)"
        if !o.notEvaluated.isEmpty { s += ": " + o.notEvaluated.joined(separator: ", ") }
        if o.notEvaluatedCount > o.notEvaluated.count { s += ", …" }
        parts.append(s)
      }
      if parts.isEmpty { return "all \(o.examined) pass" }
      return parts.joined(separator: "; ")
    }
    switch o.holds {
    case true: return "holds"
    case false: return "does not hold"
    default: return "undefined"
    }
  }

  static func requirementLines(_ c: ClauseResult, schema: Schema, indent: String) -> String {
    var out = ""
    let before = c.snapshot?.outcomes ?? []
    let after = c.proForma?.outcomes ?? []
    let both = c.snapshot != nil && c.proForma != nil
    // Rows by requirement and group, in order of first appearance, as indices into `before` and
    // `after`: a million-holding portfolio has hundreds of thousands of issuer groups, so rows
    // hold no copies of the outcomes, and the two lists are matched by key only when their
    // groups differ (a deal that brings a new issuer).
    var rows: [(before: Int?, after: Int?)]
    func key(_ o: RequirementOutcome) -> String { o.requirement + "\u{0}" + (o.group ?? "") }
    if after.isEmpty {
      rows = before.indices.map { ($0, nil) }
    } else if before.isEmpty {
      rows = after.indices.map { (nil, $0) }
    } else if before.count == after.count,
      zip(before, after).allSatisfy({ $0.requirement == $1.requirement && $0.group == $1.group })
    {
      rows = before.indices.map { ($0, $0) }
    } else {
      rows = []
      var index: [String: Int] = [:]
      for (i, o) in before.enumerated() {
        if let r = index[key(o)] { rows[r].before = i } else { index[key(o)] = rows.count; rows.append((i, nil)) }
      }
      for (i, o) in after.enumerated() {
        if let r = index[key(o)] { rows[r].after = i } else { index[key(o)] = rows.count; rows.append((nil, i)) }
      }
    }
    func outcomes(_ r: (before: Int?, after: Int?)) -> (RequirementOutcome?, RequirementOutcome?) {
      (r.before.map { before[$0] }, r.after.map { after[$0] })
    }
    // Long group lists (one per issuer) show what matters: failures, warnings and the
    // closest-to-limit groups.
    let status = rows.map { r -> (bad: Int, utilization: Exact) in
      let (b, a) = outcomes(r)
      return (max(severity(b), severity(a)), (a ?? b)?.utilization ?? .zero)
    }
    let shown = rows.count > longGroupList ? ranked(status) : Array(rows.indices)
    var lastReq: String?
    for k in shown {
      let (rowBefore, rowAfter) = outcomes(rows[k])
      guard let first = rowBefore ?? rowAfter else { continue }
      let row = (req: first.requirement, group: first.group, before: rowBefore, after: rowAfter)
      if row.req != lastReq {
        out += indent + "requires: " + row.req.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") + "\n"
        lastReq = row.req
      }
      let prefix = indent + "  " + (row.group.map { $0 + ": " } ?? "")
      if both, let b = row.before, let a = row.after {
        out += prefix + "before " + outcomeText(b, schema: schema) + "\n"
        out += indent + "  " + String(repeating: " ", count: row.group.map { $0.count + 2 } ?? 0) + "after  " + outcomeText(a, schema: schema) + "\n"
      } else if let o = row.after ?? row.before {
        out += prefix + outcomeText(o, schema: schema) + "\n"
      }
    }
    if shown.count < rows.count {
      out += indent + "  … and " + hiddenGroups(status, shown: shown) + "\n"
    }
    return out
  }

  /// More groups than this and a report shows `groupsShown` of them.
  static let longGroupList = 8, groupsShown = 5

  /// 2 for a failed requirement, 1 for a warned one, 0 otherwise.
  static func severity(_ o: RequirementOutcome?) -> Int { o?.holds == false ? 2 : o?.warned == true ? 1 : 0 }

  /// The indices of the `groupsShown` groups that matter most — worse status, then higher
  /// utilization, then first in order — in their order. One pass: a million-holding portfolio has
  /// hundreds of thousands of issuer groups.
  static func ranked(_ status: [(bad: Int, utilization: Exact)]) -> [Int] {
    func ahead(_ a: Int, _ b: Int) -> Bool {
      let (sa, ua) = status[a], (sb, ub) = status[b]
      return sa != sb ? sa > sb : ua != ub ? ua > ub : a < b
    }
    var best: [Int] = []
    for i in status.indices where best.count < groupsShown || ahead(i, best[best.count - 1]) {
      best.insert(i, at: best.firstIndex { ahead(i, $0) } ?? best.count)
      if best.count > groupsShown { best.removeLast() }
    }
    return best.sorted()
  }

  /// "12 more groups within their limits", or what the hidden groups hold when some failed.
  static func hiddenGroups(_ status: [(bad: Int, utilization: Exact)], shown: [Int]) -> String {
    let shownSet = Set(shown)
    var failed = 0, warned = 0
    for (i, s) in status.enumerated() where !shownSet.contains(i) {
      if s.bad == 2 { failed += 1 } else if s.bad == 1 { warned += 1 }
    }
    let hidden = status.count - shown.count
    if failed == 0, warned == 0 { return "\(hidden) more groups within their limits" }
    var parts = ["\(hidden) more groups"]
    if failed > 0 { parts.append("\(failed) of them over their limits") }
    if warned > 0 { parts.append("\(warned) warned") }
    return parts.joined(separator: ", ")
  }

  // MARK: - JSON

  public static func figure(_ v: Value?, _ schema: Schema, style: NumberStyle? = nil) -> JSONOut {
    guard let v, v != .absent else { return .null }
    switch v {
    case .money(let x, let c):
      return .object([("type", .string("money")), ("exact", .string(x.description)), ("currency", .string(c)), ("display", .string(Format.value(v, schema)))])
    case .number(let x):
      return .object([("type", .string((style ?? .plain).rawValue)), ("exact", .string(x.description)), ("display", .string(Format.value(v, schema, style: style)))])
    default:
      return .object([("type", .string("value")), ("display", .string(Format.plain(v, schema)))])
    }
  }

  /// `brief`: for a batch, where each deal repeats the snapshot's figures, a long group list
  /// keeps the groups the text report shows, and `checks_total` says how many there were.
  static func evaluationJSON(_ e: ClauseEvaluation?, _ schema: Schema, brief: Bool = false) -> JSONOut {
    guard let e else { return .null }
    var outcomes = e.outcomes
    var total: [(String, JSONOut)] = []
    if brief, outcomes.count > longGroupList {
      outcomes = ranked(outcomes.map { (severity($0), $0.utilization ?? .zero) }).map { e.outcomes[$0] }
      total = [("checks_total", .number("\(e.outcomes.count)"))]
    }
    return .object([
      ("verdict", .string(e.verdict.rawValue)),
      ("note", .opt(e.note)),
    ] + total + [
      ("checks", .array(outcomes.map { o in
        var m: [(String, JSONOut)] = [("requirement", .string(o.requirement)), ("group", .opt(o.group))]
        m.append(("holds", o.holds.map { .bool($0) } ?? .null))
        if let note = o.note { m.append(("note", .string(note))) }
        if let op = o.comparison {
          m += [("comparison", .string(op.rawValue)), ("value", figure(o.value, schema, style: o.style)),
                ("limit", figure(o.limit, schema, style: o.style)), ("headroom", figure(o.headroom, schema, style: o.style)),
                ("utilization", o.utilization.map { .string($0.description) } ?? .null), ("warned", .bool(o.warned))]
        } else if o.examined > 0 || o.offenderCount > 0 {
          m += [("examined", .number("\(o.examined)")), ("offender_count", .number("\(o.offenderCount)")),
                ("offenders", .array(o.offenders.map { .string($0) })),
                ("not_evaluated_count", .number("\(o.notEvaluatedCount)")),
                ("not_evaluated", .array(o.notEvaluated.map { .string($0) }))]
        }
        return .object(m)
      })),
    ])
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
    case .notComputed(let why): return .object([("kind", .string("not computed")), ("reason", .string(why))])
    }
  }

  static func governanceJSON(_ g: GovernanceOutcome?) -> JSONOut {
    guard let g else { return .null }
    func ex(_ x: Exact?) -> JSONOut { x.map { .string($0.description) } ?? .null }
    return .object([
      ("verdict", .string(g.verdict.rawValue)),
      ("votes_for", ex(g.votesFor)), ("votes_against", ex(g.votesAgainst)), ("abstaining", ex(g.abstaining)),
      ("absent", ex(g.absent)), ("total_voting_power", ex(g.totalPower)), ("fraction", ex(g.fraction)),
      ("required", ex(g.required)), ("quorum_present", ex(g.quorumPresent)), ("quorum_required", ex(g.quorumRequired)),
      ("missing_approvals", .array(g.missingApprovals.map { .string($0) })),
      ("lines", .array(g.lines.map { .string($0) })),
    ])
  }

  public static func clauseJSON(_ c: ClauseResult, covenant: CheckedCovenant, brief: Bool = false) -> JSONOut {
    let schema = covenant.schema
    return .object([
      ("id", .string(c.id)), ("title", .opt(c.title)), ("text", .opt(c.text)),
      ("line", .number("\(covenant.file.location(of: c.span.start).line)")),
      ("verdict", .string(c.verdict.rawValue)), ("note", .opt(c.note)),
      ("snapshot", evaluationJSON(c.snapshot, schema, brief: brief)), ("pro_forma", evaluationJSON(c.proForma, schema, brief: brief)),
      ("largest_compliant_amount", boundJSON(c.largestAmount)),
      ("governance", governanceJSON(c.governance)),
    ])
  }

  public static func json(_ r: CheckResult, covenant: CheckedCovenant, brief: Bool = false) -> JSONOut {
    var counts: [(String, JSONOut)] = []
    for v in [Verdict.pass, .warning, .breach, .notApplicable, .waived] {
      counts.append((v.rawValue, .number("\(r.clauses.filter { $0.verdict == v }.count)")))
    }
    return .object([
      ("covenant", .string(covenant.title)), ("version", .opt(covenant.version)),
      ("as_of", .opt(r.asOf?.description)), ("deal", .opt(r.dealID)),
      ("verdict", .string(r.compliant ? "compliant" : "breach")),
      ("summary", .object(counts)),
      ("clauses", .array(r.clauses.map { clauseJSON($0, covenant: covenant, brief: brief) })),
    ])
  }
}
