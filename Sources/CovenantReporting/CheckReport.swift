import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantEvaluation

/// The report of `covenant check`: text for people, JSON for programs.
public enum CheckReport {
  package static func label(_ v: Verdict) -> String {
    switch v {
    case .pass: "PASS"
    case .warning: "WARNING"
    case .breach: "BREACH"
    case .notApplicable: "N/A"
    case .waived: "WAIVED"
    case .disapplied: "DISAPPLIED"
    }
  }

  public static func summary(_ r: CheckResult) -> String {
    var counts: [Verdict: Int] = [:]
    for c in r.clauses { counts[c.verdict, default: 0] += 1 }
    let parts = [Verdict.breach, .warning, .waived, .pass, .notApplicable, .disapplied].compactMap { v -> String? in
      guard let n = counts[v], n > 0 else { return nil }
      return "\(n) \(v == .notApplicable ? "not applicable" : v == .breach ? (n == 1 ? "breach" : "breaches") : v == .warning ? (n == 1 ? "warning" : "warnings") : v.rawValue)"
    }
    return parts.joined(separator: ", ")
  }

  // MARK: - Text

  /// `explain`: also how each definition the clause uses was derived.
  public static func text(_ r: CheckResult, covenant: CheckedCovenant, color: Bool = false, dealAmount: Value? = nil, explain: Bool = false) -> String {
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
    if !r.fxRates.isEmpty {
      out += "\nFX rates of the snapshot: " + r.fxRates.map { fxText($0, schema) }.joined(separator: ", ")
    }
    out += "\n"
    if let cap = r.capacity {
      for line in capacityLines(cap, r) { out += line + "\n" }
    }
    out += "\n"
    let idWidth = min(12, (r.clauses.map { $0.id.count + 1 }.max() ?? 4))
    // `DISAPPLIED` is wider than the other labels: the column widens only in a report that has one.
    let labelWidth = r.clauses.contains { $0.verdict == .disapplied } ? 11 : 9
    let indent = String(repeating: " ", count: labelWidth)
    for c in r.clauses {
      let id = ("§" + c.id).paddedToUTF16Length(max(idWidth, c.id.count + 1))
      out += paint(label(c.verdict).paddedToUTF16Length(labelWidth), c.verdict) + id + "  " + (c.title ?? "") + "\n"
      if let note = c.note { out += indent + note + "\n" }
      for line in exceptionLines(c) { out += indent + line + "\n" }
      for p in c.subjectTo { out += indent + p.text + "\n" }
      if c.verdict == .disapplied, c.snapshot != nil || c.proForma != nil || c.governance != nil {
        out += indent + "figures had it applied (not part of the result):\n"
      }
      if c.verdict == .notApplicable, c.snapshot == nil, c.proForma == nil, c.governance == nil { continue }
      for a in c.applies { out += indent + "applies: " + ClauseWording.applies(a) + "\n" }
      out += requirementLines(c, schema: schema, indent: indent)
      out += reportedLines(c, schema: schema, indent: indent)
      out += definitionLines(c, schema: schema, indent: indent, explain: explain)
      if let g = c.governance {
        for line in GovernanceWording.lines(g) { out += indent + line + "\n" }
      }
      for line in consentLines(c.consent, details: c.verdict == .breach) { out += indent + line + "\n" }
      if let b = c.largestAmount, let line = boundText(b) { out += indent + line + "\n" }
    }
    out += "\nresult: " + (r.compliant ? "compliant" : "BREACH") + " (" + summary(r) + ")\n"
    return out
  }

  /// A clause's exceptions to others, when its note does not already say them (a clause that
  /// also has requirements): `exception: §4.9 and §4.10 do not apply while … — in effect`.
  static func exceptionLines(_ c: ClauseResult) -> [String] {
    guard !c.exceptions.isEmpty, c.note != ClauseWording.exceptionNote(c.exceptions) else { return [] }
    return ClauseWording.exceptionNote(c.exceptions).splitting(at: "; ")
  }

  /// The definitions a clause uses: `nav: before $300,000,000,000, after $312,000,000,000`;
  /// with `explain`, how each was derived.
  static func definitionLines(_ c: ClauseResult, schema: Schema, indent: String, explain: Bool) -> String {
    let before = c.snapshot?.definitions ?? [], after = c.proForma?.definitions ?? []
    var names: [String] = []
    for d in before + after where !names.contains(d.name) { names.append(d.name) }
    var out = ""
    for name in names {
      let b = before.first { $0.name == name }, a = after.first { $0.name == name }
      if explain {
        if let b { out += indent + "how: " + b.derivation + (a != nil ? " (before)" : "") + "\n" }
        if let a { out += indent + "how: " + a.derivation + (b != nil ? " (after)" : "") + "\n" }
        continue
      }
      func show(_ d: DefinitionFigure) -> String { d.value == .absent ? "undefined" : Format.value(d.value, schema, style: d.style) }
      if let b, let a {
        out += indent + "\(name): before \(show(b)), after \(show(a))\n"
      } else if let d = a ?? b {
        out += indent + "\(name): \(show(d))\n"
      }
    }
    return out
  }

  /// The figures of `report` items: `reports: X`, then per group `before …, after …`.
  static func reportedLines(_ c: ClauseResult, schema: Schema, indent: String) -> String {
    let before = c.snapshot?.reported ?? [], after = c.proForma?.reported ?? []
    guard !before.isEmpty || !after.isEmpty else { return "" }
    func key(_ f: ReportedFigure) -> String { f.figure + "\u{0}" + (f.group ?? "") }
    var rows: [(String, ReportedFigure?, ReportedFigure?)] = []
    var index: [String: Int] = [:]
    for f in before { index[key(f)] = rows.count; rows.append((key(f), f, nil)) }
    for f in after {
      if let i = index[key(f)] { rows[i].2 = f } else { index[key(f)] = rows.count; rows.append((key(f), nil, f)) }
    }
    func show(_ f: ReportedFigure?) -> String {
      guard let f else { return "not defined" }
      return f.value == .absent ? "undefined" : Format.value(f.value, schema, style: f.style)
    }
    // Figure by figure, each with its groups.
    var figures: [String] = []
    for r in rows { if let f = r.1 ?? r.2, !figures.contains(f.figure) { figures.append(f.figure) } }
    rows = figures.flatMap { name in rows.filter { ($0.1 ?? $0.2)?.figure == name } }
    var out = ""
    var last: String?
    for (_, b, a) in rows {
      guard let f = b ?? a else { continue }
      if f.figure != last {
        out += indent + "reports: " + f.figure + "\n"
        last = f.figure
      }
      let prefix = indent + "  " + (f.group.map { $0 + ": " } ?? "")
      if !before.isEmpty, !after.isEmpty {
        out += prefix + "before " + show(b) + ", after " + show(a) + "\n"
      } else {
        out += prefix + show(f) + "\n"
      }
    }
    return out
  }

  /// The capacity at the top of the report: the figure, the clause that binds it, and the
  /// thresholds where a clause starts to apply.
  public static func capacityLines(_ c: Capacity, _ r: CheckResult) -> [String] {
    func clause(_ id: String?) -> String {
      guard let id else { return "" }
      let title = r.clauses.first { $0.id == id }?.title
      return "§" + id + (title.map { " (\($0))" } ?? "")
    }
    var lines: [String] = []
    switch c.status {
    case .amount:
      let amount = Format.money(c.amount ?? .zero, c.currency)
      var s = "capacity: the largest deal amount that passes every clause is \(amount)"
      if let e = c.exact, e != c.amount { s += c.strict ? " (the last cent below \(Format.money(e, c.currency)))" : " (rounded down to the cent)" }
      if c.bindingClause != nil { s += "; bound by " + clause(c.bindingClause) }
      lines.append(s)
    case .unlimited:
      lines.append("capacity: no clause limits the deal amount")
    case .none:
      lines.append("capacity: no deal amount passes every clause" + (c.reason.map { " (\($0))" } ?? ""))
    case .notComputed:
      lines.append("capacity: not computed" + (c.reason.map { " — \($0)" } ?? ""))
    }
    for b in c.breakpoints { lines.append("          " + GovernanceWording.breakpoint(b, currency: c.currency)) }
    return lines
  }

  /// The capacity figure as one short cell of a batch line.
  public static func capacityCell(_ c: Capacity?) -> String {
    guard let c else { return "capacity —" }
    switch c.status {
    case .amount: return "capacity \(Format.money(c.amount ?? .zero, c.currency))" + (c.bindingClause.map { " (§\($0))" } ?? "")
    case .unlimited: return "capacity unlimited"
    case .none: return "capacity none" + (c.bindingClause.map { " (§\($0))" } ?? "")
    case .notComputed: return "capacity not computed" + (c.bindingClause.map { " (§\($0))" } ?? "")
    }
  }

  static func capacityJSON(_ c: Capacity?) -> JSONOut {
    guard let c else { return .null }
    return .object([
      ("status", .string(c.status.rawValue)),
      ("amount", c.amount.map { .string($0.formatted(places: 2)) } ?? .null),
      ("exact", c.exact.map { .string($0.description) } ?? .null),
      ("strict", .bool(c.strict)),
      ("currency", .string(c.currency)),
      ("binding_clause", c.bindingClause.map { .string("§" + $0) } ?? .null),
      ("reason", .opt(c.reason)),
      ("breakpoints", .array(c.breakpoints.map { .string(GovernanceWording.breakpoint($0, currency: c.currency)) })),
    ])
  }

  package static func boundText(_ b: AmountBound) -> String? {
    switch b {
    case .atMost(let x, let c):
      let shown = (try? Exact(num: x.scaled(places: 2, rounding: .down), den: 100)) ?? x
      return "largest compliant deal amount: \(Format.money(shown, c))" + (shown == x ? "" : " (rounded down to the cent)")
    case .lessThan(let x, let c):
      return "compliant for a deal amount below \(Format.money(x, c))"
    case .unlimited: return nil
    case .noAmount: return "no deal amount complies on the deal's other terms"
    case .notComputed(let why): return "largest compliant deal amount: not computed (\(CapacityWording.unsolvable(why)))"
    }
  }

  /// The relation that holds between a value and its limit when the requirement fails:
  /// `35.58% > 35%` for a failed `<=`.
  static func failing(_ op: BinaryOp) -> String {
    switch op {
    case .le: ">"
    case .lt: ">="
    case .ge: "<"
    case .gt: "<="
    case .eq: "!="
    case .ne: "="
    default: "not " + op.rawValue
    }
  }

  static func isCap(_ op: BinaryOp) -> Bool { op == .le || op == .lt }
  static func isFloor(_ op: BinaryOp) -> Bool { op == .ge || op == .gt }

  /// A margin: "headroom 2 points", "over by $1,800,000,000", "short by $50,000,000".
  static func margin(_ h: Value, cap: Bool, schema: Schema, style: NumberStyle?) -> String {
    let percent = style == .percent
    if let hm = CovenantRunner.magnitude(h), hm.signum < 0, let pos = try? hm.negated() {
      let d: Value = if case .money(_, let c) = h { .money(pos, currency: c) } else { .number(pos) }
      return (cap ? "over by " : "short by ") + Format.difference(d, schema, style: style, points: percent)
    }
    return "headroom " + Format.difference(h, schema, style: style, points: percent)
  }

  /// The main line of an outcome, then the lines with its other figures, then which periods
  /// its trailing figures used.
  static func outcomeLines(_ o: RequirementOutcome, schema: Schema) -> [String] {
    outcomeFigureLines(o, schema: schema) + o.periods.filter { $0.firstEnd != nil }.map(\.text)
  }

  static func outcomeFigureLines(_ o: RequirementOutcome, schema: Schema) -> [String] {
    // A ratio over a zero or negative denominator: the verdict with the reason, no figures.
    if let note = o.note { return [(o.holds == true ? "holds" : o.holds == false ? "does not hold" : "undefined") + ": " + note] }
    if let op = o.comparison, let v = o.value, let l = o.limit {
      if v == .absent || l == .absent {
        return [v == .absent ? "undefined: no value for this data (an empty list, or nothing matched)" : "undefined: the limit has no value for this data"]
      }
      let (vs, ls) = Format.pair(v, l, schema, style: o.style)
      let cap = isCap(op), floor = isFloor(op)
      let rel = o.holds == false ? failing(op) : op.rawValue
      var s = "\(vs) \(rel) \(ls)" + (cap ? " limit" : floor ? " floor" : "")
      if let h = o.headroom, o.holds != nil, cap || floor { s += ", " + margin(h, cap: cap, schema: schema, style: o.style) }
      if o.warned { s += floor ? ", below the warning level" : ", above the warning level" }
      if o.headroom == nil, o.holds == false { s += ": does not hold" }
      var lines = [s]
      if let r = o.ratio, let p = o.ratioLimit, let style = o.ratioStyle, let base = o.base, let text = o.baseText {
        // A <= P of B: the share or multiple of B.
        let (rs, ps) = Format.pair(.number(r), .number(p), schema, style: style)
        let holds = cap ? (op == .le ? r <= p : r < p) : floor ? (op == .ge ? r >= p : r > p) : true
        let head = (try? (cap ? p.subtracting(r) : r.subtracting(p))) ?? .zero
        let of = style == .percent ? " of " : " "
        var t = "= \(rs)\(of)\(text) (\(Format.value(base, schema))) \(holds ? op.rawValue : failing(op)) \(ps)" + (cap ? " limit" : floor ? " floor" : "")
        if cap || floor { t += ", " + margin(.number(head), cap: cap, schema: schema, style: style) }
        lines.append(t)
      } else if let a = o.amount, let base = o.base {
        // A share or A / B: the amounts behind it.
        var t = "= \(Format.value(a, schema)) of \(Format.value(base, schema))" + (o.baseText.map { " (\($0))" } ?? "")
        if let lim = o.amountLimit, let am = CovenantRunner.magnitude(a), let lm = CovenantRunner.magnitude(lim) {
          let (_, lims) = Format.pair(a, lim, schema, style: nil)
          t += ", \(cap ? "limit" : floor ? "floor" : "against") \(lims)"
          if cap || floor, let d = try? (cap ? lm.subtracting(am) : am.subtracting(lm)) {
            let dv: Value = if case .money(_, let c) = lim { .money(d, currency: c) } else { .number(d) }
            t += ", " + margin(dv, cap: cap, schema: schema, style: nil)
          }
        }
        lines.append(t)
      }
      return lines
    }
    if o.comparison == nil, o.examined > 0 || o.offenderCount > 0 || o.satisfiedBy != nil {
      if let w = o.satisfiedBy {
        return ["satisfied by \(w)" + (o.evidence.first.map { $0.isEmpty ? "" : ": " + $0 } ?? "")
          + " (\(Format.count(o.matching)) of \(Format.count(o.examined)) match)"]
      }
      var notEvaluated: [String] = []
      if o.notEvaluatedCount > 0 {
        var t = "\(Format.count(o.notEvaluatedCount)) of \(Format.count(o.examined)) could not be evaluated (a figure or field is missing)"
        if !o.notEvaluated.isEmpty { t += ": " + o.notEvaluated.joined(separator: ", ") }
        if o.notEvaluatedCount > o.notEvaluated.count { t += ", …" }
        notEvaluated.append(t)
      }
      if o.offenderCount == 0 {
        if !notEvaluated.isEmpty { return notEvaluated }
        if o.holds == false { return ["none of \(Format.count(o.examined)) match"] }
        if !o.passing.isEmpty { return ["all \(Format.count(o.examined)) pass:"] + o.passing.map { "  " + $0 } }
        return ["all \(Format.count(o.examined)) pass"]
      }
      var s = "\(Format.count(o.offenderCount)) of \(Format.count(o.examined)) fail"
      var lines: [String] = []
      if o.evidence.allSatisfy(\.isEmpty) {
        if !o.offenders.isEmpty { s += ": " + o.offenders.joined(separator: ", ") }
        if o.offenderCount > o.offenders.count { s += ", …" }
        return [s] + notEvaluated
      }
      s += ":"
      for (i, name) in o.offenders.enumerated() {
        let e = i < o.evidence.count ? o.evidence[i] : ""
        lines.append("  " + name + (e.isEmpty ? "" : ": " + e))
      }
      if o.offenderCount > o.offenders.count { lines.append("  … and \(Format.count(o.offenderCount - o.offenders.count)) more") }
      return [s] + lines + notEvaluated
    }
    if let q = o.quantifier, o.examined == 0 {
      let verdict = o.holds == true ? "holds" : o.holds == false ? "does not hold" : "undefined"
      return ["\(verdict): no elements to examine" + (q == .some ? "" : " (\(q.rawValue) holds when there are none)")]
    }
    switch o.holds {
    case true: return ["holds"]
    case false: return ["does not hold"]
    default: return ["undefined"]
    }
  }

  static func outcomeText(_ o: RequirementOutcome, schema: Schema) -> String {
    outcomeLines(o, schema: schema).joined(separator: "; ")
  }

  package static func requirementLines(_ c: ClauseResult, schema: Schema, indent: String) -> String {
    var out = ""
    let before = c.snapshot?.outcomes ?? []
    let after = c.proForma?.outcomes ?? []
    let both = c.snapshot != nil && c.proForma != nil
    // Rows by requirement and group, in order of first appearance, as indices into `before` and
    // `after`: a million-holding portfolio has hundreds of thousands of issuer groups, so rows
    // hold no copies of the outcomes, and the two lists are matched by key only when their
    // groups differ (a deal that brings a new issuer).
    // Only the rows shown are read whole (a group's figures are computed when read); the others
    // by their status, requirement and group.
    var rows: [(before: Int?, after: Int?)]
    func key(_ l: RequirementOutcomes, _ i: Int) -> String { l.requirement(at: i) + "\u{0}" + (l.group(at: i) ?? "") }
    if after.isEmpty {
      rows = before.indices.map { ($0, nil) }
    } else if before.isEmpty {
      rows = after.indices.map { (nil, $0) }
    } else if before.sameRows(after) {
      rows = before.indices.map { ($0, $0) }
    } else {
      rows = []
      var index: [String: Int] = [:]
      for i in before.indices {
        let k = key(before, i)
        if let r = index[k] { rows[r].before = i } else { index[k] = rows.count; rows.append((i, nil)) }
      }
      for i in after.indices {
        let k = key(after, i)
        if let r = index[k] { rows[r].after = i } else { index[k] = rows.count; rows.append((nil, i)) }
      }
    }
    func outcomes(_ r: (before: Int?, after: Int?)) -> (RequirementOutcome?, RequirementOutcome?) {
      (r.before.map { before[$0] }, r.after.map { after[$0] })
    }
    func requirement(_ r: (before: Int?, after: Int?)) -> String? {
      r.before.map { before.requirement(at: $0) } ?? r.after.map { after.requirement(at: $0) }
    }
    // Long group lists (one per issuer) show what matters: failures, warnings and the
    // closest-to-limit groups.
    let status = rows.map { r -> (bad: Int, utilization: Exact) in
      let b = r.before.map { before.status(at: $0) }, a = r.after.map { after.status(at: $0) }
      return (max(severity(b), severity(a)), closeness(a ?? b))
    }
    // Requirements in the order written; within one, breaches first, then warnings, then the
    // least headroom.
    var requirementOrder: [String: Int] = [:]
    for r in rows {
      if let q = requirement(r), requirementOrder[q] == nil { requirementOrder[q] = requirementOrder.count }
    }
    func order(_ k: Int) -> Int { requirement(rows[k]).flatMap { requirementOrder[$0] } ?? 0 }
    // Rows dropped as the clause was checked (`keepShown`) are none of these: they count among the rest.
    let picked = rows.count + c.omittedRows > longGroupList ? ranked(status) : Array(rows.indices)
    let shown = picked.sorted { order($0) != order($1) ? order($0) < order($1) : ahead(status, $0, $1) }
    var lastReq: String?
    for k in shown {
      let (rowBefore, rowAfter) = outcomes(rows[k])
      guard let first = rowBefore ?? rowAfter else { continue }
      let row = (req: first.requirement, group: first.group, before: rowBefore, after: rowAfter)
      if row.req != lastReq {
        out += indent + "requires: " + row.req.split(whereSeparator: \.isNewline).map { $0.trimmingBlanks() }.joined(separator: " ") + "\n"
        lastReq = row.req
      }
      let prefix = indent + "  " + (row.group.map { $0 + ": " } ?? "")
      let pad = indent + "  " + String(repeating: " ", count: row.group.map { $0.count + 2 } ?? 0)
      func emit(_ first: String, _ label: String, _ o: RequirementOutcome) {
        var lines = outcomeLines(o, schema: schema)
        if label == "before ", o.holds == nil, o.value == .absent || o.value == nil, row.after?.holds != nil {
          lines = ["not defined before the deal"]
        }
        out += first + label + lines[0] + "\n"
        for l in lines.dropFirst() { out += pad + String(repeating: " ", count: label.count) + l + "\n" }
      }
      if both, let b = row.before, let a = row.after {
        emit(prefix, "before ", b)
        emit(pad, "after  ", a)
      } else if let o = row.after ?? row.before {
        emit(prefix, "", o)
      }
    }
    if shown.count < rows.count + c.omittedRows {
      out += indent + "  … and " + hiddenGroups(status, shown: shown, omitted: c.omittedRows) + "\n"
    }
    return out
  }

  /// More groups than this and a report shows `groupsShown` of them.
  static let longGroupList = 8, groupsShown = 5

  /// 2 for a failed requirement, 1 for a warned one, 0 otherwise.
  static func severity(_ o: RequirementOutcome?) -> Int { severity(o?.status) }
  static func severity(_ o: OutcomeStatus?) -> Int { o?.holds == false ? 2 : o?.warned == true ? 1 : 0 }

  /// How close a figure is to its limit, for ranking groups: value ÷ limit for a cap, limit ÷
  /// value for a floor (a window of EBITDA just above its minimum is nearer than one far above).
  static func closeness(_ o: RequirementOutcome?) -> Exact { closeness(o?.status) }
  static func closeness(_ o: OutcomeStatus?) -> Exact {
    guard let o, let u = o.utilization else { return .zero }
    if let op = o.comparison, isFloor(op) {
      guard u.signum > 0 else { return Exact(1_000_000) }
      return (try? Exact.one.divided(by: u)) ?? .zero
    }
    return u
  }

  /// The indices of the `groupsShown` groups that matter most — worse status, then higher
  /// utilization, then first in order — in their order. One pass: a million-holding portfolio has
  /// hundreds of thousands of issuer groups.
  static func ahead(_ status: [(bad: Int, utilization: Exact)], _ a: Int, _ b: Int) -> Bool {
    let (sa, ua) = status[a], (sb, ub) = status[b]
    return sa != sb ? sa > sb : ua != ub ? ua > ub : a < b
  }

  static func ranked(_ status: [(bad: Int, utilization: Exact)]) -> [Int] { ranked(status.count) { status[$0] } }

  /// `ranked` of `count` rows whose statuses are computed when read, each once: a clause of 917k
  /// groups needs no array of them (58 MB).
  static func ranked(_ count: Int, _ status: (Int) -> (bad: Int, utilization: Exact)) -> [Int] {
    var best: [(index: Int, bad: Int, utilization: Exact)] = []
    func ahead(_ a: (index: Int, bad: Int, utilization: Exact), _ b: (index: Int, bad: Int, utilization: Exact)) -> Bool {
      a.bad != b.bad ? a.bad > b.bad : a.utilization != b.utilization ? a.utilization > b.utilization : a.index < b.index
    }
    for i in 0..<count {
      let (bad, utilization) = status(i)
      let row = (index: i, bad: bad, utilization: utilization)
      guard best.count < groupsShown || ahead(row, best[best.count - 1]) else { continue }
      best.insert(row, at: best.firstIndex { ahead(row, $0) } ?? best.count)
      if best.count > groupsShown { best.removeLast() }
    }
    return best.map(\.index)
  }

  /// "12 more groups within their limits", or what the hidden groups hold when some failed.
  /// `omitted`: rows dropped before the report (`keepShown`), every one within its limits.
  static func hiddenGroups(_ status: [(bad: Int, utilization: Exact)], shown: [Int], omitted: Int = 0) -> String {
    let shownSet = Set(shown)
    var failed = 0, warned = 0
    for (i, s) in status.enumerated() where !shownSet.contains(i) {
      if s.bad == 2 { failed += 1 } else if s.bad == 1 { warned += 1 }
    }
    let hidden = status.count + omitted - shown.count
    if failed == 0, warned == 0 { return "\(hidden) more groups within their limits" }
    var parts = ["\(hidden) more groups"]
    if failed > 0 { parts.append("\(failed) of them over their limits") }
    if warned > 0 { parts.append("\(warned) warned") }
    return parts.joined(separator: ", ")
  }

  // MARK: - What the reports show of a long group list

  /// A row of a clause's figures as every report matches them: a requirement in one group.
  struct RowKey: Hashable {
    var requirement: String
    var group: String?
    init(_ list: RequirementOutcomes, _ i: Int) { (requirement, group) = (list.requirement(at: i), list.group(at: i)) }
  }

  /// Drops from a clause's result the group outcomes that no report shows, as soon as the clause
  /// is checked (`CovenantRunner.prune`), so that a covenant of many `for each` clauses does not
  /// hold every group's figures at once. Kept: every failed or warned group (the JSON report lists
  /// them all, SARIF and GitHub cite the first), the groups that rank in the first
  /// `groupsShown` of the text, Markdown and HTML reports (before and after the deal together)
  /// and of each JSON evaluation (alone), and each requirement's first group (the text report
  /// orders requirements by it), each with its figures before and after the deal. The counts of
  /// what was dropped (`ClauseResult.omittedRows`, `ClauseEvaluation.omittedOutcomes`) keep the
  /// reports' totals; every report of the pruned result is the report of the whole one, except
  /// a JSON report with `--all-groups`, which needs every group (do not prune for it). A clause
  /// whose rows repeat (two requirements written alike) is kept whole.
  public static func keepShown(_ c: inout ClauseResult) {
    let before = c.snapshot?.outcomes ?? [], after = c.proForma?.outcomes ?? []
    guard before.count + after.count > longGroupList, c.omittedRows == 0 else { return }
    // Rows as the reports match them: the snapshot's in order, then the deal's new ones.
    // A long group list's rows are distinct by construction, and a deal that brings no new group
    // leaves them in place: match by position, without a label per group (917k issuers), and
    // without a table of the rows.
    if before.rowsDistinctByConstruction, after.isEmpty || before.sameRows(after) {
      pruneRows(&c, before, after, MatchedRows(count: before.count, before: true, after: !after.isEmpty))
    } else if before.isEmpty, after.rowsDistinctByConstruction {
      pruneRows(&c, before, after, MatchedRows(count: after.count, before: false, after: true))
    } else {
      var rowOfBefore: [Int] = [], rowOfAfter: [Int] = []
      var rows: [(before: Int?, after: Int?)] = []
      guard matchRows(before, after, &rows, &rowOfBefore, &rowOfAfter) else { return }
      var matched = MatchedRows(count: rows.count, before: true, after: true)
      (matched.pairs, matched.rowOfBefore, matched.rowOfAfter) = (rows, rowOfBefore, rowOfAfter)
      pruneRows(&c, before, after, matched)
    }
  }

  /// A clause's rows as `keepShown` matched them: row `k`'s outcome before and after the deal,
  /// and the row of each outcome. Without the arrays, row `k` is outcome `k` of each list.
  struct MatchedRows {
    var count: Int
    var before: Bool, after: Bool
    var pairs: [(before: Int?, after: Int?)]? = nil
    var rowOfBefore: [Int]? = nil, rowOfAfter: [Int]? = nil
    subscript(k: Int) -> (before: Int?, after: Int?) { pairs?[k] ?? (before ? k : nil, after ? k : nil) }
    func row(before i: Int) -> Int { rowOfBefore?[i] ?? i }
    func row(after i: Int) -> Int { rowOfAfter?[i] ?? i }
  }

  /// Rows matched by requirement and group (a deal may bring new groups); false when rows repeat
  /// (two requirements written alike), and the clause is then kept whole.
  static func matchRows(
    _ before: RequirementOutcomes, _ after: RequirementOutcomes, _ rows: inout [(before: Int?, after: Int?)],
    _ rowOfBefore: inout [Int], _ rowOfAfter: inout [Int]
  ) -> Bool {
    var index: [RowKey: Int] = [:]
    index.reserveCapacity(max(before.count, after.count))
    for i in before.indices {
      guard index.updateValue(rows.count, forKey: RowKey(before, i)) == nil else { return false }
      rowOfBefore.append(rows.count)
      rows.append((i, nil))
    }
    var seenAfter = Set<RowKey>()
    for i in after.indices {
      let k = RowKey(after, i)
      guard seenAfter.insert(k).inserted else { return false }
      if let r = index[k] {
        rows[r].after = i
        rowOfAfter.append(r)
      } else {
        rowOfAfter.append(rows.count)
        rows.append((nil, i))
      }
    }
    return true
  }

  /// Keeps the rows some report shows (see `keepShown`), and counts the rest.
  static func pruneRows(
    _ c: inout ClauseResult, _ before: RequirementOutcomes, _ after: RequirementOutcomes, _ rows: MatchedRows
  ) {
    guard rows.count > longGroupList else { return }
    // Read in place: an outcome is a large value, and a clause may have hundreds of thousands.
    // Statuses only: a long list computes a group's figures when it is read (`RequirementOutcomes`).
    func severity(_ list: RequirementOutcomes, _ i: Int?) -> Int {
      guard let i else { return 0 }
      return CheckReport.severity(list.status(at: i))
    }
    func closeness(_ list: RequirementOutcomes, _ i: Int) -> Exact { CheckReport.closeness(list.status(at: i)) }
    var keep = [Bool](repeating: false, count: rows.count)
    var requirements = Set<String>()
    var lastRequirement: String?
    // Each row's status is computed when ranked, not kept: an array of them was 58 MB for 917k groups.
    func status(_ k: Int) -> (bad: Int, utilization: Exact) {
      let r = rows[k]
      return (max(severity(before, r.before), severity(after, r.after)),
        r.after.map { closeness(after, $0) } ?? r.before.map { closeness(before, $0) } ?? .zero)
    }
    for k in 0..<rows.count {
      let r = rows[k]
      let bad = max(severity(before, r.before), severity(after, r.after))
      if bad > 0 { keep[k] = true }
      let first = r.before.map { before.requirement(at: $0) } ?? r.after.map { after.requirement(at: $0) } ?? ""
      if first != lastRequirement, requirements.insert(first).inserted { keep[k] = true }
      lastRequirement = first
    }
    for k in ranked(rows.count, status) { keep[k] = true }
    // A JSON evaluation lists all of a short list, and ranks a long one on its own (as the rows
    // do when there is one evaluation).
    if !before.isEmpty, !after.isEmpty {
      for (list, isBefore) in [(before, true), (after, false)] {
        let own = list.count > longGroupList ? ranked(list.count) { (severity(list, $0), closeness(list, $0)) } : Array(list.indices)
        for i in own { keep[isBefore ? rows.row(before: i) : rows.row(after: i)] = true }
      }
    }
    let kept = keep.lazy.filter { $0 }.count
    guard kept < rows.count else { return }
    c.omittedRows += rows.count - kept
    if var e = c.snapshot {
      e.outcomes = RequirementOutcomes(before.indices.filter { keep[rows.row(before: $0)] }.map { before[$0] })
      e.omittedOutcomes += before.count - e.outcomes.count
      c.snapshot = e
    }
    if var e = c.proForma {
      e.outcomes = RequirementOutcomes(after.indices.filter { keep[rows.row(after: $0)] }.map { after[$0] })
      e.omittedOutcomes += after.count - e.outcomes.count
      c.proForma = e
    }
  }

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
        return .object([("figure", .string(f.figure)), ("group", .opt(f.group)), ("value", figure(f.value, schema, style: f.style))])
      }),
      ("definitions", .elements(count: definitions.count) { i in
        let d = definitions[i]
        return .object([("name", .string(d.name)), ("value", figure(d.value, schema, style: d.style)), ("derivation", .string(d.derivation))])
      }),
      ("checks", .elements(count: listed?.count ?? all.count) { k in checkJSON(all[listed?[k] ?? k], schema) }),
    ])
  }

  static func checkJSON(_ o: RequirementOutcome, _ schema: Schema) -> JSONOut {
    var m: [(String, JSONOut)] = [("requirement", .string(o.requirement)), ("group", .opt(o.group))]
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
            ("offenders", .array(o.offenders.enumerated().map { i, name in
              .object([("element", .string(name)), ("values", .string(i < o.evidence.count ? o.evidence[i] : ""))])
            })),
            ("not_evaluated_count", .number("\(o.notEvaluatedCount)")),
            ("not_evaluated", .array(o.notEvaluated.map { .string($0) }))]
      if !o.passing.isEmpty { m.append(("elements", .array(o.passing.map { .string($0) }))) }
      if let w = o.satisfiedBy {
        m += [("matching", .number("\(o.matching)")), ("satisfied_by", .object([("element", .string(w)), ("values", .string(o.evidence.first ?? ""))]))]
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
  }

  public static func clauseJSON(_ c: ClauseResult, covenant: CheckedCovenant, allGroups: Bool = false) -> JSONOut {
    clauseJSON(c, covenant: covenant, allGroups: allGroups, snapshot: evaluationJSON(c.snapshot, covenant.schema, allGroups: allGroups))
  }

  static func clauseJSON(_ c: ClauseResult, covenant: CheckedCovenant, allGroups: Bool, snapshot: JSONOut) -> JSONOut {
    let schema = covenant.schema
    let applies: [JSONOut] = c.applies.map { .string(ClauseWording.applies($0)) }
    return .object([
      ("id", .string(c.id)), ("section", .string("§" + c.id)), ("title", .opt(c.title)), ("text", .opt(c.text.map(CovenantRunner.clean))),
      ("line", .number("\(covenant.file.location(of: c.span.start).line)")),
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
    var counts: [(String, JSONOut)] = []
    for v in [Verdict.pass, .warning, .breach, .notApplicable, .waived, .disapplied] {
      counts.append((v.rawValue, .number("\(r.clauses.filter { $0.verdict == v }.count)")))
    }
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
        return clauseJSON(c, covenant: covenant, allGroups: allGroups,
          snapshot: snapshotCache?.json(i, c.snapshot, covenant.schema, allGroups: allGroups) ?? evaluationJSON(c.snapshot, covenant.schema, allGroups: allGroups))
      }),
    ])
  }
}
