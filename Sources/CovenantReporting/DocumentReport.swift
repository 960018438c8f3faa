import CovenantValues
import CovenantSemantics
import CovenantEvaluation

/// The investment-committee report: Markdown (memos, GitHub job summaries) and one self-contained
/// HTML file (inline CSS and SVG, no script, no network, print-friendly). Both are built from the
/// same `CheckResult` and the same figure formatting as the text and JSON reports; a verdict is
/// always written as a word (and a symbol), never shown by colour alone.
public enum DocumentReport {
  // MARK: - The model both documents are built from

  /// One row of a clause's table: a requirement in a group, before and after the deal.
  struct Row {
    var requirement: RequirementOutcome.Requirement
    var group: RequirementOutcome.Group?
    var before: RequirementOutcome?
    var after: RequirementOutcome?
    var severity: Int
    var utilization: Exact
  }

  struct ClauseView {
    var result: ClauseResult
    var rows: [Row]
    /// "… and 16 more groups within their limits", when rows were left out.
    var hidden: String?
    var warnFraction: Exact?
  }

  /// The largest deal amount every applicable clause allows, and the clause that binds it.
  struct Capacity {
    var text: String
    var clause: ClauseResult?
  }

  static func views(_ r: CheckResult, covenant: CheckedCovenant) -> [ClauseView] {
    r.clauses.map { c in
      let before = c.snapshot?.outcomes ?? [], after = c.proForma?.outcomes ?? []
      var order: [CheckReport.RowKey] = []
      var byKey: [CheckReport.RowKey: Row] = [:]
      func key(_ o: RequirementOutcome) -> CheckReport.RowKey { CheckReport.RowKey(o) }
      for (o, isAfter) in before.map({ ($0, false) }) + after.map({ ($0, true) }) {
        let k = key(o)
        if byKey[k] == nil {
          order.append(k)
          byKey[k] = Row(requirement: o.requirement, group: o.group, severity: 0, utilization: .zero)
        }
        if isAfter { byKey[k]?.after = o } else { byKey[k]?.before = o }
      }
      var rows = order.compactMap { byKey[$0] }
      for i in rows.indices {
        rows[i].severity = max(CheckReport.severity(rows[i].before), CheckReport.severity(rows[i].after))
        rows[i].utilization = CheckReport.closeness(rows[i].after ?? rows[i].before)
      }
      var hidden: String?
      if rows.count + c.omittedRows > CheckReport.longGroupList {
        let status = rows.map { (bad: $0.severity, utilization: $0.utilization) }
        let shown = CheckReport.ranked(status)
        hidden = "… and " + CheckReport.hiddenGroups(status, shown: shown, omitted: c.omittedRows)
        rows = shown.map { rows[$0] }
      }
      // Groups in breach first, then warned, then by how close they are to the limit.
      if rows.contains(where: { $0.group != nil }) {
        rows = rows.enumerated().sorted { a, b in
          a.element.severity != b.element.severity ? a.element.severity > b.element.severity
            : a.element.utilization != b.element.utilization ? a.element.utilization > b.element.utilization : a.offset < b.offset
        }.map(\.element)
      }
      let clause = covenant.clauses.first { $0.id == c.id }
      let warn = clause?.warn.flatMap { $0.above ? $0.fraction : nil }
      return ClauseView(result: c, rows: rows, hidden: hidden, warnFraction: warn)
    }
  }

  static func capacity(_ r: CheckResult) -> Capacity? {
    var best: (Exact, Bool, String, ClauseResult)?
    var none: ClauseResult?
    for c in r.clauses where c.verdict != .waived && c.verdict != .notApplicable && c.verdict != .disapplied {
      switch c.largestAmount {
      case .atMost(let x, let cur)?:
        if best == nil || x < best!.0 { best = (x, false, cur, c) }
      case .lessThan(let x, let cur)?:
        if best == nil || x <= best!.0 { best = (x, true, cur, c) }
      case .noAmount?: none = none ?? c
      default: break
      }
    }
    if let none { return Capacity(text: "no deal amount complies on the deal's other terms", clause: none) }
    guard let (x, strict, cur, c) = best else { return nil }
    if strict { return Capacity(text: "below \(Format.money(x, cur))", clause: c) }
    let shown = (try? Exact(num: x.scaled(places: 2, rounding: .down), den: 100)) ?? x
    return Capacity(text: Format.money(shown, cur) + (shown == x ? "" : " (rounded down to the cent)"), clause: c)
  }

  static func word(_ v: Verdict) -> String { CheckReport.label(v) }

  static func symbol(_ v: Verdict) -> String {
    switch v {
    case .pass: "✓"
    case .warning: "!"
    case .breach: "✗"
    case .notApplicable: "–"
    case .waived: "≋"
    case .disapplied: "⊘"
    }
  }

  static func figure(_ o: RequirementOutcome?, _ schema: Schema) -> String {
    guard let o else { return "" }
    if o.comparison != nil, let v = o.value { return Format.value(v, schema, style: o.style) }
    return CheckReport.outcomeText(o, schema: schema)
  }

  static func limit(_ o: RequirementOutcome?, _ schema: Schema) -> String {
    guard let o, let op = o.comparison, let l = o.limit else { return "" }
    return op.rawValue + " " + Format.value(l, schema, style: o.style)
  }

  static func headroom(_ o: RequirementOutcome?, _ schema: Schema) -> String {
    guard let o, let h = o.headroom, o.holds != nil else { return "" }
    if let m = CovenantRunner.magnitude(h), m.signum < 0, let pos = try? m.negated() {
      let over: Value = if case .money(_, let c) = h { .money(pos, currency: c) } else { .number(pos) }
      return "over by " + Format.value(over, schema, style: o.style)
    }
    return Format.value(h, schema, style: o.style)
  }

  static func status(_ o: RequirementOutcome?) -> String {
    guard let o else { return "" }
    switch o.holds {
    case true: return o.warned ? "! above warning level" : "✓ holds"
    case false: return "✗ fails"
    default: return "undefined"
    }
  }

  static func subtitle(_ r: CheckResult, _ schema: Schema, dealAmount: Value?) -> String {
    var s = "Snapshot as of \(r.asOf?.description ?? "unknown")"
    if r.dealID != nil || dealAmount != nil {
      s += " · deal \(r.dealID ?? "(no id)")"
      if let a = dealAmount { s += " of \(Format.value(a, schema))" }
      s += " · figures before → after the deal"
    }
    return s
  }

  static func oneLine(_ s: String) -> String {
    s.split(whereSeparator: \.isNewline).map { $0.trimmingBlanks() }.joined(separator: " ")
  }

  // MARK: - Markdown

  static func cell(_ s: String) -> String {
    oneLine(s).replacingEvery("\\", with: "\\\\").replacingEvery("|", with: "\\|")
  }

  static func code(_ s: String) -> String {
    let t = oneLine(s).replacingEvery("|", with: "\\|")
    return t.contains("`") ? "`` " + t + " ``" : "`" + t + "`"
  }

  public static func markdown(_ r: CheckResult, covenant: CheckedCovenant, dealAmount: Value? = nil) -> String {
    let schema = covenant.schema
    let views = views(r, covenant: covenant)
    let hasDeal = r.dealID != nil || dealAmount != nil
    var out = "# \(covenant.title)" + (covenant.version.map { " (version \($0))" } ?? "") + "\n\n"
    out += "**Result: " + (r.compliant ? "✓ COMPLIANT" : "✗ BREACH") + "** — " + CheckReport.summary(r) + "\n\n"
    out += subtitle(r, schema, dealAmount: dealAmount) + "\n\n"
    if hasDeal, let cap = capacity(r) {
      out += "Largest compliant deal amount: **\(cap.text)**"
      if let c = cap.clause { out += " — binding clause §\(c.id)" + (c.title.map { " \($0)" } ?? "") }
      out += "\n\n"
    }
    out += "| § | clause | verdict | " + (hasDeal ? "before | after | " : "figure | ") + "headroom |\n"
    out += "|---|---|---|" + (hasDeal ? "---:|---:|" : "---:|") + "---:|\n"
    for v in views {
      let c = v.result
      let top = c.verdict == .disapplied ? nil : v.rows.first  // a disapplied clause: its reason, not its figures
      out += "| [§\(cell(c.id))](#\(anchor(c.id))) | \(cell(c.title ?? "")) | \(symbol(c.verdict)) \(word(c.verdict)) | "
      if top == nil {
        out += (hasDeal ? " | " : "") + cell(fallback(c)) + " | "
      } else if hasDeal {
        out += cell(rowLabel(top) + figure(top?.before, schema)) + " | " + cell(figure(top?.after, schema)) + " | "
      } else {
        out += cell(rowLabel(top) + figure(top?.before ?? top?.after, schema)) + " | "
      }
      out += cell(headroom(top?.after ?? top?.before, schema)) + " |\n"
    }
    out += "\n## Clauses\n"
    for v in views {
      let c = v.result
      out += "\n### <a id=\"\(anchor(c.id))\"></a>§\(c.id) \(c.title ?? "") — \(symbol(c.verdict)) \(word(c.verdict))\n\n"
      if let text = c.text { out += "> " + oneLine(text) + "\n\n" }
      if let note = c.note { out += "*\(cell(note))*\n\n" }
      var lastReq: RequirementOutcome.Requirement?
      var tableOpen = false
      for row in v.rows {
        if row.requirement != lastReq {
          if tableOpen { out += "\n" }
          out += "Requires: \(code(row.requirement.text))\n\n"
          out += "| group | before | after | limit | headroom | status |\n|---|---:|---:|---:|---:|---|\n"
          lastReq = row.requirement
          tableOpen = true
        }
        let worst = row.after ?? row.before
        out += "| \(cell(row.group?.text ?? "—")) | \(cell(figure(row.before, schema))) | \(cell(figure(row.after, schema))) | "
          + "\(cell(limit(worst, schema))) | \(cell(headroom(worst, schema))) | \(cell(status(worst))) |\n"
      }
      if let hidden = v.hidden { out += "| \(cell(hidden)) | | | | | |\n" }
      if tableOpen { out += "\n" }
      if let g = c.governance {
        out += "Votes and approvals (" + word(g.verdict) + "):\n\n" + GovernanceWording.lines(g).map { "- " + cell($0) + "\n" }.joined() + "\n"
      }
      if let b = c.largestAmount, let line = CheckReport.boundText(b) { out += cell(line).prefix(1).uppercased() + cell(line).dropFirst() + ".\n" }
    }
    return out
  }

  /// What a clause without figures shows in the summary: its note, or its vote arithmetic.
  static func fallback(_ c: ClauseResult) -> String {
    c.note ?? c.governance?.lines.last.map(GovernanceWording.line) ?? ""
  }

  static func rowLabel(_ row: Row?) -> String {
    guard let g = row?.group else { return "" }
    return g.text + ": "
  }

  /// `4.2(a)` → `clause-4-2-a`.
  static func anchor(_ id: String) -> String {
    var s = "clause-"
    var dash = false
    for ch in id.lowercased() {
      if ch.isLetter || ch.isNumber, ch.isASCII { s.append(ch); dash = false } else if !dash { s.append("-"); dash = true }
    }
    while s.hasSuffix("-") { s.removeLast() }
    return s
  }

  public static func markdownBatch(_ entries: [BatchEntry], covenant: CheckedCovenant, summary: String) -> String {
    var out = "# \(covenant.title) — \(entries.count) deal\(entries.count == 1 ? "" : "s")\n\n"
    let breaches = entries.contains { $0.result?.compliant == false }
    let invalid = entries.contains { $0.result == nil }
    out += "**Result: " + (invalid ? "INVALID" : breaches ? "✗ BREACH" : "✓ COMPLIANT") + "** — " + summary + "\n\n"
    out += "| deal | source | verdict | clauses in breach | warnings |\n|---|---|---|---|---|\n"
    for e in entries {
      if let r = e.result {
        let b = r.clauses.filter { $0.verdict == .breach }.map { "§" + $0.id }.joined(separator: ", ")
        let w = r.clauses.filter { $0.verdict == .warning }.map { "§" + $0.id }.joined(separator: ", ")
        out += "| \(cell(r.dealID ?? e.source)) | \(cell(e.source)) | \(r.compliant ? "✓ compliant" : "✗ BREACH") | \(cell(b)) | \(cell(w)) |\n"
      } else {
        let why = e.diagnostics.first.map { ($0.path.map { $0 + ": " } ?? "") + $0.message } ?? ""
        out += "| \(cell(e.source)) | \(cell(e.source)) | invalid | \(cell(why)) | |\n"
      }
    }
    return out
  }

  /// An invalid run as a document: nothing was checked, and why.
  public static func invalid(_ diagnostics: String, html: Bool, title: String = "Covenant check") -> String {
    if !html {
      return "# \(title)\n\n**Result: INVALID** — nothing was checked\n\n```\n\(diagnostics.replacingEvery("```", with: "'''"))\n```\n"
    }
    return page(title: title, body: """
      <header><h1>\(escape(title))</h1></header>
      <section class="banner v-breach" aria-labelledby="verdict"><p class="verdict" id="verdict"><span aria-hidden="true">✗</span> INVALID</p><p>Nothing was checked.</p></section>
      <pre>\(escape(diagnostics))</pre>
      """)
  }

  // MARK: - HTML

  static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for ch in s {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(ch)
      }
    }
    return out
  }

  static func cls(_ v: Verdict) -> String {
    switch v {
    case .pass: "v-pass"
    case .warning: "v-warning"
    case .breach: "v-breach"
    case .notApplicable: "v-na"
    case .waived: "v-waived"
    case .disapplied: "v-disapplied"
    }
  }

  static func badge(_ v: Verdict) -> String {
    "<span class=\"badge \(cls(v))\"><span aria-hidden=\"true\">\(symbol(v))</span> \(word(v))</span>"
  }

  static let css = """
    :root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--pass:#1a7f37;--warn:#9a6700;--breach:#cf222e;--waived:#0969da;--na:#6e7781;--bg:#fff}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
    main{max-width:980px;margin:0 auto;padding:24px 20px 48px}
    h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
    h3{font-size:1.1em;margin:0 0 6px;display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
    .sub{color:var(--muted);margin:0}
    .banner{border:2px solid;border-left-width:10px;border-radius:6px;padding:12px 16px;margin:16px 0}
    .banner p{margin:2px 0}.banner .verdict{font-size:1.5em;font-weight:700}
    .banner.v-pass{border-color:var(--pass);background:#dafbe1}.banner.v-breach{border-color:var(--breach);background:#ffebe9}
    .capacity strong{font-size:1.15em}
    .badge{display:inline-block;border:1px solid;border-radius:4px;padding:0 6px;font-size:.85em;font-weight:700;white-space:nowrap}
    .badge.v-pass{color:var(--pass)}.badge.v-warning{color:var(--warn)}.badge.v-breach{color:#fff;background:var(--breach);border-color:var(--breach)}
    .badge.v-waived{color:var(--waived)}.badge.v-na,.badge.v-disapplied{color:var(--na)}
    .wrap{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-variant-numeric:tabular-nums}
    caption{text-align:left;color:var(--muted);font-size:.9em;padding:2px 0}
    th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
    th{font-weight:600;background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
    article{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:12px 0;break-inside:avoid}
    article.v-breach{border-left:6px solid var(--breach)}article.v-warning{border-left:6px solid var(--warn)}article.v-waived{border-left:6px solid var(--waived)}
    blockquote{margin:6px 0;padding:2px 12px;border-left:3px solid var(--line);color:#24292f;font-style:italic}
    code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
    .note{color:var(--muted);margin:4px 0}
    svg.bars{width:100%;max-width:260px;height:auto;display:block}
    .legend{color:var(--muted);font-size:.85em}
    ul.votes{margin:4px 0;padding-left:20px}
    pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:12px;border-radius:6px}
    a{color:var(--waived)}
    @media print{body{font-size:11pt}main{max-width:none;padding:0}.banner,.badge,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
      a{color:inherit;text-decoration:none}h2{break-after:avoid}@page{margin:14mm}}
    """

  static func page(title: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escape(title))</title>
    <style>
    \(css)
    </style>
    </head>
    <body>
    <main>
    \(body)
    </main>
    </body>
    </html>

    """
  }

  /// A number between 0 and a few, for drawing only (figures are printed from exact values).
  static func drawable(_ x: Exact?) -> Double? {
    guard let x else { return nil }
    return Double(x.formatted(places: 4, rounding: .halfEven))
  }

  /// Before and after bars against the limit (at 100%), with the warning band shaded. The bar
  /// carries its figures in text too: the picture is never the only way to read them.
  static func bars(_ row: Row, warn: Exact?) -> String {
    guard let o = row.after ?? row.before, let op = o.comparison, op == .le || op == .lt, o.utilization != nil else { return "" }
    let b = drawable(row.before?.utilization), a = drawable(row.after?.utilization)
    let top = max(1.0, b ?? 0, a ?? 0) * 1.1
    let w = 240.0, left = 52.0
    func x(_ u: Double) -> Double { left + (w - left) * min(u, top) / top }
    let limitX = x(1.0)
    var svg = ""
    var label: [String] = []
    if let warnExact = warn, let warn = drawable(warnExact), warn < 1 {
      svg += "<rect x=\"\(fmt(x(warn)))\" y=\"0\" width=\"\(fmt(limitX - x(warn)))\" height=\"\(row.before != nil && row.after != nil ? 34 : 18)\" fill=\"#d4a72c\" fill-opacity=\"0.35\" class=\"band\"/>"
      label.append("warning band from \(Format.number(warnExact, style: .percent)) of the limit")
    }
    var y = 2.0
    for (name, u, o) in [("before", b, row.before), ("after", a, row.after)] {
      guard let u, let o else { continue }
      let color = o.holds == false ? "#cf222e" : o.warned ? "#bf8700" : "#2da44e"
      svg += "<text x=\"0\" y=\"\(fmt(y + 11))\" font-size=\"10\" fill=\"#57606a\">\(name)</text>"
      svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(y))\" width=\"\(fmt(max(1, x(u) - left)))\" height=\"12\" fill=\"\(color)\"/>"
      let pct = Format.number(o.utilization ?? .zero, style: .percent)
      label.append("\(name) \(pct) of the limit")
      y += 16
    }
    svg += "<line x1=\"\(fmt(limitX))\" y1=\"0\" x2=\"\(fmt(limitX))\" y2=\"\(fmt(y))\" stroke=\"#1b1f24\" stroke-width=\"2\"/>"
    let aria = escape(label.joined(separator: "; ") + "; the line is the limit")
    return "<svg class=\"bars\" viewBox=\"0 0 \(Int(w)) \(Int(y) + 2)\" role=\"img\" aria-label=\"\(aria)\"><title>\(aria)</title>"
      + svg + "</svg>"
  }

  static func fmt(_ d: Double) -> String {
    let r = (d * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
  }

  public static func html(_ r: CheckResult, covenant: CheckedCovenant, dealAmount: Value? = nil) -> String {
    let schema = covenant.schema
    let views = views(r, covenant: covenant)
    let hasDeal = r.dealID != nil || dealAmount != nil
    let title = covenant.title + (covenant.version.map { " (version \($0))" } ?? "")
    var body = "<header><h1>\(escape(title))</h1><p class=\"sub\">\(escape(subtitle(r, schema, dealAmount: dealAmount)))</p></header>\n"
    let v: Verdict = r.compliant ? .pass : .breach
    body += "<section class=\"banner \(cls(v))\" aria-labelledby=\"verdict\">"
    body += "<p class=\"verdict\" id=\"verdict\"><span aria-hidden=\"true\">\(symbol(v))</span> \(r.compliant ? "COMPLIANT" : "BREACH")</p>"
    body += "<p>\(escape(CheckReport.summary(r)))</p>"
    let breached = r.clauses.filter { $0.verdict == .breach }
    if !breached.isEmpty {
      body += "<p>In breach: " + breached.map { "<a href=\"#\(anchor($0.id))\">§\(escape($0.id)) \(escape($0.title ?? ""))</a>" }.joined(separator: ", ") + "</p>"
    }
    if hasDeal, let cap = capacity(r) {
      body += "<p class=\"capacity\">Largest compliant deal amount: <strong>\(escape(cap.text))</strong>"
      if let c = cap.clause { body += " — binding clause <a href=\"#\(anchor(c.id))\">§\(escape(c.id)) \(escape(c.title ?? ""))</a>" }
      body += "</p>"
    }
    body += "</section>\n"
    // Summary table.
    body += "<section aria-labelledby=\"summary\"><h2 id=\"summary\">Clauses</h2><div class=\"wrap\"><table>"
    body += "<thead><tr><th scope=\"col\">§</th><th scope=\"col\">Clause</th><th scope=\"col\">Verdict</th>"
    body += hasDeal ? "<th scope=\"col\">Before</th><th scope=\"col\">After</th>" : "<th scope=\"col\">Figure</th>"
    body += "<th scope=\"col\">Headroom</th></tr></thead><tbody>"
    for view in views {
      let c = view.result, top = c.verdict == .disapplied ? nil : view.rows.first  // a disapplied clause: its reason
      body += "<tr><td><a href=\"#\(anchor(c.id))\">§\(escape(c.id))</a></td><td>\(escape(c.title ?? ""))</td><td>\(badge(c.verdict))</td>"
      if top == nil {
        body += "<td colspan=\"\(hasDeal ? 2 : 1)\">\(escape(fallback(c)))</td>"
      } else if hasDeal {
        body += "<td class=\"num\">\(escape(rowLabel(top) + figure(top?.before, schema)))</td><td class=\"num\">\(escape(figure(top?.after, schema)))</td>"
      } else {
        body += "<td class=\"num\">\(escape(rowLabel(top) + figure(top?.before ?? top?.after, schema)))</td>"
      }
      body += "<td class=\"num\">\(escape(headroom(top?.after ?? top?.before, schema)))</td></tr>"
    }
    body += "</tbody></table></div></section>\n"
    // Clause by clause.
    body += "<section aria-labelledby=\"details\"><h2 id=\"details\">Clause by clause</h2>\n"
    for view in views {
      let c = view.result
      body += "<article class=\"\(cls(c.verdict))\" id=\"\(anchor(c.id))\" aria-labelledby=\"h-\(anchor(c.id))\">"
      body += "<h3 id=\"h-\(anchor(c.id))\"><span>§\(escape(c.id)) \(escape(c.title ?? ""))</span> \(badge(c.verdict))</h3>"
      if let text = c.text { body += "<blockquote>\(escape(oneLine(text)))</blockquote>" }
      if let note = c.note { body += "<p class=\"note\">\(escape(note))</p>" }
      var lastReq: RequirementOutcome.Requirement?
      var open = false
      for row in view.rows {
        if row.requirement != lastReq {
          if open { body += "</tbody></table></div>" }
          body += "<p>Requires: <code>\(escape(oneLine(row.requirement.text)))</code></p><div class=\"wrap\"><table>"
          body += "<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Before</th><th scope=\"col\">After</th><th scope=\"col\">Limit</th>"
          body += "<th scope=\"col\">Headroom</th><th scope=\"col\">Status</th><th scope=\"col\">Against the limit</th></tr></thead><tbody>"
          lastReq = row.requirement
          open = true
        }
        let worst = row.after ?? row.before
        body += "<tr><th scope=\"row\">\(escape(row.group?.text ?? "—"))</th><td class=\"num\">\(escape(figure(row.before, schema)))</td>"
        body += "<td class=\"num\">\(escape(figure(row.after, schema)))</td><td class=\"num\">\(escape(limit(worst, schema)))</td>"
        body += "<td class=\"num\">\(escape(headroom(worst, schema)))</td><td>\(escape(status(worst)))</td><td>\(bars(row, warn: view.warnFraction))</td></tr>"
      }
      if let hidden = view.hidden { body += "<tr><td colspan=\"7\">\(escape(hidden))</td></tr>" }
      if open { body += "</tbody></table></div>" }
      if let g = c.governance {
        body += "<p>Votes and approvals: \(badge(g.verdict))</p><ul class=\"votes\">" + GovernanceWording.lines(g).map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
      }
      if let b = c.largestAmount, let line = CheckReport.boundText(b) { body += "<p class=\"note\">\(escape(line))</p>" }
      body += "</article>\n"
    }
    body += "</section>\n"
    body += "<p class=\"legend\">Bars: each clause's figure before and after the deal as a share of its limit (the black line); the shaded band is the warning level. Every figure is also printed in the table. Figures marked ≈ are rounded for display; verdicts use exact values.</p>"
    return page(title: title, body: body)
  }

  public static func htmlBatch(_ entries: [BatchEntry], covenant: CheckedCovenant, summary: String) -> String {
    let breaches = entries.contains { $0.result?.compliant == false }
    let invalid = entries.contains { $0.result == nil }
    let v: Verdict = breaches || invalid ? .breach : .pass
    var body = "<header><h1>\(escape(covenant.title))</h1><p class=\"sub\">\(entries.count) deal\(entries.count == 1 ? "" : "s") checked against one snapshot</p></header>\n"
    body += "<section class=\"banner \(cls(v))\" aria-labelledby=\"verdict\"><p class=\"verdict\" id=\"verdict\"><span aria-hidden=\"true\">\(symbol(v))</span> "
    body += (invalid ? "INVALID" : breaches ? "BREACH" : "COMPLIANT") + "</p><p>\(escape(summary))</p></section>\n"
    body += "<section aria-labelledby=\"deals\"><h2 id=\"deals\">Deals</h2><div class=\"wrap\"><table><thead><tr><th scope=\"col\">Deal</th><th scope=\"col\">Source</th>"
    body += "<th scope=\"col\">Verdict</th><th scope=\"col\">Clauses in breach</th><th scope=\"col\">Warnings</th></tr></thead><tbody>"
    for e in entries {
      if let r = e.result {
        let b = r.clauses.filter { $0.verdict == .breach }.map { "§" + $0.id }.joined(separator: ", ")
        let w = r.clauses.filter { $0.verdict == .warning }.map { "§" + $0.id }.joined(separator: ", ")
        body += "<tr><th scope=\"row\">\(escape(r.dealID ?? e.source))</th><td>\(escape(e.source))</td><td>\(badge(r.compliant ? .pass : .breach))</td>"
        body += "<td>\(escape(b))</td><td>\(escape(w))</td></tr>"
      } else {
        let why = e.diagnostics.first.map { ($0.path.map { $0 + ": " } ?? "") + $0.message } ?? ""
        body += "<tr><th scope=\"row\">\(escape(e.source))</th><td>\(escape(e.source))</td><td><span class=\"badge v-breach\">INVALID</span></td><td>\(escape(why))</td><td></td></tr>"
      }
    }
    body += "</tbody></table></div></section>\n"
    return page(title: covenant.title + " — deals", body: body)
  }
}
