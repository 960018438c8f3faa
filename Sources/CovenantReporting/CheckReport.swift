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
    struct Key: Hashable {
      var figure: String
      var group: RequirementOutcome.Group?
    }
    func key(_ f: ReportedFigure) -> Key { Key(figure: f.figure, group: f.group) }
    var rows: [(Key, ReportedFigure?, ReportedFigure?)] = []
    var index: [Key: Int] = [:]
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
      let prefix = indent + "  " + (f.group.map { $0.text + ": " } ?? "")
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
        return ["satisfied by \(w.element.text)" + (w.values.isEmpty ? "" : ": " + w.valuesText)
          + " (\(Format.count(o.matching)) of \(Format.count(o.examined)) match)"]
      }
      var notEvaluated: [String] = []
      if o.notEvaluatedCount > 0 {
        var t = "\(Format.count(o.notEvaluatedCount)) of \(Format.count(o.examined)) could not be evaluated (a figure or field is missing)"
        if !o.notEvaluated.isEmpty { t += ": " + o.notEvaluated.map(\.text).joined(separator: ", ") }
        if o.notEvaluatedCount > o.notEvaluated.count { t += ", …" }
        notEvaluated.append(t)
      }
      if o.offenderCount == 0 {
        if !notEvaluated.isEmpty { return notEvaluated }
        if o.holds == false { return ["none of \(Format.count(o.examined)) match"] }
        if !o.passing.isEmpty { return ["all \(Format.count(o.examined)) pass:"] + o.passing.map { "  " + $0.text } }
        return ["all \(Format.count(o.examined)) pass"]
      }
      var s = "\(Format.count(o.offenderCount)) of \(Format.count(o.examined)) fail"
      var lines: [String] = []
      if o.offenders.allSatisfy(\.values.isEmpty) {
        if !o.offenders.isEmpty { s += ": " + o.offenders.map(\.element.text).joined(separator: ", ") }
        if o.offenderCount > o.offenders.count { s += ", …" }
        return [s] + notEvaluated
      }
      s += ":"
      for x in o.offenders {
        lines.append("  " + x.element.text + (x.values.isEmpty ? "" : ": " + x.valuesText))
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
    func key(_ l: RequirementOutcomes, _ i: Int) -> RowKey { RowKey(l, i) }
    if after.isEmpty {
      rows = before.indices.map { ($0, nil) }
    } else if before.isEmpty {
      rows = after.indices.map { (nil, $0) }
    } else if before.sameRows(after) {
      rows = before.indices.map { ($0, $0) }
    } else {
      rows = []
      var index: [RowKey: Int] = [:]
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
    func requirement(_ r: (before: Int?, after: Int?)) -> RequirementOutcome.Requirement? {
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
    var requirementOrder: [RequirementOutcome.Requirement: Int] = [:]
    for r in rows {
      if let q = requirement(r), requirementOrder[q] == nil { requirementOrder[q] = requirementOrder.count }
    }
    func order(_ k: Int) -> Int { requirement(rows[k]).flatMap { requirementOrder[$0] } ?? 0 }
    // Rows dropped as the clause was checked (`keepShown`) are none of these: they count among the rest.
    let picked = rows.count + c.omittedRows > longGroupList ? ranked(status) : Array(rows.indices)
    let shown = picked.sorted { order($0) != order($1) ? order($0) < order($1) : ahead(status, $0, $1) }
    var lastReq: RequirementOutcome.Requirement?
    for k in shown {
      let (rowBefore, rowAfter) = outcomes(rows[k])
      guard let first = rowBefore ?? rowAfter else { continue }
      let row = (req: first.requirement, group: first.group?.text, before: rowBefore, after: rowAfter)
      if row.req != lastReq {
        out += indent + "requires: " + oneLine(row.req.text) + "\n"
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

  /// A requirement as one line: its lines, each trimmed, joined by a space. Most are one ASCII
  /// line, with no byte of a line break (LF, VT, FF, CR; the others `isNewline` splits at are not
  /// ASCII): the text trimmed, without splitting it into characters (~20,000 instructions).
  static func oneLine(_ text: String) -> String {
    if !text.utf8.contains(where: { $0 >= 0x0A && $0 <= 0x0D || $0 >= 0x80 }) { return text.trimmingBlanks() }
    return text.split(whereSeparator: \.isNewline).map { $0.trimmingBlanks() }.joined(separator: " ")
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
    var ranking = Ranking()
    for i in 0..<count {
      let (bad, utilization) = status(i)
      ranking.offer(i, bad: bad, utilization: utilization)
    }
    return ranking.indices
  }

  /// `ranked` fed one row at a time, in index order, so that a caller reading each row's status
  /// for other purposes too reads it once (`pruneRows`).
  struct Ranking {
    private var best: [(index: Int, bad: Int, utilization: Exact)] = []
    private func ahead(_ a: (index: Int, bad: Int, utilization: Exact), _ b: (index: Int, bad: Int, utilization: Exact)) -> Bool {
      a.bad != b.bad ? a.bad > b.bad : a.utilization != b.utilization ? a.utilization > b.utilization : a.index < b.index
    }
    mutating func offer(_ i: Int, bad: Int, utilization: Exact) {
      let row = (index: i, bad: bad, utilization: utilization)
      guard best.count < CheckReport.groupsShown || ahead(row, best[best.count - 1]) else { return }
      best.insert(row, at: best.firstIndex { ahead(row, $0) } ?? best.count)
      if best.count > CheckReport.groupsShown { best.removeLast() }
    }
    /// The first `groupsShown` rows, most severe and closest to their limits first.
    var indices: [Int] { best.map(\.index) }
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
}
