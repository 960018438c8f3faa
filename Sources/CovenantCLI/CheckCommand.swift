import CovenantKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `covenant check COVENANT -p SNAPSHOT [-d DEAL | --deals DEALS]`: through the driver
/// (`CovenantSession`), one deal or a batch, in every report format.
extension Commands {
  static func check(_ o: Options, _ c: Context) -> CommandOutput {
    guard case .success(let fmt) = format(o, documents: true) else { if case .failure(let e) = format(o, documents: true) { return e }; return CommandOutput() }
    guard o.positional.count == 1, let covenantPath = o.positional.first else {
      return usageError(o.positional.isEmpty ? .missingCovenant(command: "check", several: false) : .severalCovenants(command: "check", got: o.positional.count))
    }
    guard let portfolioPath = o.values["portfolio"]?.last else {
      return usageError(.missingPortfolio)
    }
    let deals = o.values["deal"] ?? []
    guard deals.count <= 1 else { return usageError(.severalDeals) }
    let batch = o.values["deals"]?.last
    if batch != nil, !deals.isEmpty { return usageError(.incompatible("--deal", "--deals")) }
    if batch == "-" { return usageError(.dealsFromStandardInput) }
    let color = c.color
    var sources: [String: SourceFile] = [:]
    var out = CommandOutput()

    func invalid(_ diags: [Diagnostic]) -> CommandOutput {
      var r = CommandOutput()
      r.exitCode = ExitCode.invalid
      if fmt != .text { r.stdout = ciDiagnostics(diags, sources: sources, format: fmt, suite: "covenant check") ?? "" }
      r.stderr = render(diags, sources: sources, color: c.errorColor)
      r.stderr += "\ninvalid: nothing was checked\n"
      return r
    }

    let file: SourceFile
    switch readSource(covenantPath, c) {
    case .failure(let d): return invalid([d])
    case .success(let f): file = f
    }
    sources[file.name] = file
    var session: CovenantSession
    switch CovenantSession.compile(file) {
    case .failure(let ds): return invalid(ds.list)
    case .success(let s): session = s
    }
    let covenant = session.covenant
    guard covenant.schema.snapshot != nil else {
      return invalid([Diagnostic(SemanticDiagnostics.dataDeclaration(.snapshotGiven), file: file.name)])
    }
    // The document is held by the session alone (released below): a local copy kept the file's
    // bytes (148 MB for a million holdings) alive through the whole check.
    switch readJSON(portfolioPath, c) {
    case .failure(let d): return invalid([d])
    case .success(let doc):
      if case .failure(let ds) = session.loadSnapshot(doc, file: displayName(portfolioPath)) { return invalid(ds.list) }
    }
    if let batch {
      return checkBatch(session: &session, dealsPath: batch, format: fmt, allGroups: o.flags.contains("all-groups"), context: c)
    }
    var deal: Deal?
    if let dealPath = deals.first {
      guard covenant.schema.deal != nil else {
        return invalid([Diagnostic(SemanticDiagnostics.dataDeclaration(.noDealFields(.dealOption)), file: file.name)])
      }
      let dealDoc: JSONDocument
      switch readJSON(dealPath, c) {
      case .failure(let d): return invalid([d])
      case .success(let doc): dealDoc = doc
      }
      switch session.loadDeal(dealDoc, file: displayName(dealPath)) {
      case .failure(let ds): return invalid(ds.list)
      case .success(let d): deal = d
      }
    }
    // No deal: consents on file in the snapshot still lift its caps.
    var snapshotGovernance: DealGovernance?
    if deal == nil, let g = session.snapshotGovernance() {
      switch g {
      case .failure(let ds): return invalid(ds.list)
      case .success(let g): snapshotGovernance = g
      }
    }
    // The snapshot's document holds the file's bytes (146 MB for a million holdings), which the
    // loaded values no longer need.
    session.releaseSnapshotDocument()
    // Each clause keeps only the groups its report shows (all of them for `--all-groups` in JSON,
    // which lists every group's check), so a covenant of many `for each` clauses is not held whole.
    let allGroups = fmt == .json && o.flags.contains("all-groups")
    let prune: ((inout ClauseResult) -> Void)? = allGroups ? nil : { CheckReport.keepShown(&$0) }
    let result: CheckResult
    switch session.check(deal, governance: snapshotGovernance, prune: prune) {
    case .failure(let ds): return invalid(ds.list)
    case .success(let r): result = r
    }
    var amount: Value?
    if let deal, let f = covenant.proForma?.amountField, case .record(let fields) = deal.values { amount = fields[f] }
    switch fmt {
    case .json:
      out.report = StreamedReport { w in
        w.write(CheckReport.json(result, covenant: covenant, allGroups: allGroups), indent: 0)
        w.write("\n")
      }
    case .sarif: out.stdout = CIFormats.sarif(CIFormats.findings(result, covenant: covenant))
    case .github: out.stdout = CIFormats.github(CIFormats.findings(result, covenant: covenant))
    case .junit: out.stdout = CIFormats.junit(result, covenant: covenant)
    case .markdown: out.stdout = DocumentReport.markdown(result, covenant: covenant, dealAmount: amount)
    case .html: out.stdout = DocumentReport.html(result, covenant: covenant, dealAmount: amount)
    default: out.stdout = CheckReport.text(result, covenant: covenant, color: color, dealAmount: amount, explain: o.flags.contains("explain"))
    }
    out.stderr = render(session.warnings, sources: sources, color: c.errorColor)
    out.exitCode = result.compliant ? ExitCode.compliant : ExitCode.breach
    out.hasWarnings = result.clauses.contains { $0.verdict == .warning }
    out.verdictLine = "result: " + (result.compliant ? "compliant" : "BREACH") + " (" + CheckReport.summary(result) + ")"
    return out
  }


  static func checkBatch(session: inout CovenantSession, dealsPath: String, format fmt: OutputFormat, allGroups: Bool, context c: Context) -> CommandOutput {
    let covenant = session.covenant
    var out = CommandOutput()
    let sources = [covenant.file.name: covenant.file]
    let inputs: [DealInput]
    switch DealSource.read(dealsPath, in: c.env.workingDirectory) {
    case .failure(let ds):
      out.exitCode = ExitCode.invalid
      out.stderr = render(ds.list, sources: sources, color: c.errorColor) + "\ninvalid: nothing was checked\n"
      if fmt != .text { out.stdout = ciDiagnostics(ds.list, sources: sources, format: fmt, suite: "covenant check") ?? "" }
      return out
    case .success(let d): inputs = d
    }
    // Progress on a terminal only, and only when there is enough to wait for.
    let showProgress = c.env.stderrIsTerminal && !c.quiet && inputs.count >= 200
    var progressText = ""
    let progress: ((Int, Int) -> Void)? = showProgress ? { done, total in
      if done % 100 == 0 || done == total { progressText += "\rchecked \(done) of \(total) deals" }
    } : nil
    if fmt == .text {
      return textBatch(session: &session, inputs, progress: progress, progressText: { progressText }, context: c)
    }
    if fmt == .json {
      if c.quiet { return quietBatch(session: &session, inputs) }
      return jsonBatch(session: session, inputs, allGroups: allGroups, progress: progress, progressText: { progressText })
    }
    let entries = session.checkBatch(inputs, progress: progress)
    if showProgress { out.stderr += progressText + "\n" }
    // Counted in place: `filter` would copy every matching entry (and its result) first.
    var invalid = 0, breaches = 0
    for e in entries {
      if let r = e.result { if !r.compliant { breaches += 1 } } else { invalid += 1 }
    }
    out.exitCode = invalid > 0 ? ExitCode.invalid : breaches > 0 ? ExitCode.breach : ExitCode.compliant
    let summary = "\(entries.count) deal\(entries.count == 1 ? "" : "s"): \(entries.count - breaches - invalid) compliant, \(breaches) in breach" + (invalid > 0 ? ", \(invalid) invalid" : "")
    out.verdictLine = summary
    out.hasWarnings = entries.contains { $0.result?.clauses.contains { $0.verdict == .warning } == true }
    func id(_ e: BatchEntry) -> String { e.result?.dealID ?? e.source }
    switch fmt {
    case .junit:
      out.stdout = CIFormats.junit(suite: covenant.title + " — deals", entries.map { e in
        let status: CIFormats.JUnitCase.Status
        if let r = e.result {
          let breached = r.clauses.filter { $0.verdict == .breach }
          status = breached.isEmpty ? .passed : .failed("breach: " + breached.map { "§" + $0.id }.joined(separator: ", "),
            breached.map { "§\($0.id) \($0.title ?? "")" + ($0.note.map { " — \($0)" } ?? "") }.joined(separator: "\n"))
        } else {
          status = .error("invalid", e.diagnostics.map { DiagnosticRenderer.text($0, source: nil) }.joined(separator: "\n"))
        }
        return CIFormats.JUnitCase(classname: e.source, name: id(e), status: status, output: nil)
      })
    case .sarif, .github:
      var findings: [CIFormats.Finding] = []
      for e in entries {
        if let r = e.result {
          for var f in CIFormats.findings(r, covenant: covenant) {
            f.message = "deal \(id(e)): " + f.message
            findings.append(f)
          }
        } else {
          findings += e.diagnostics.map { CIFormats.finding($0, source: sources[$0.file]) }
        }
      }
      out.stdout = fmt == .sarif ? CIFormats.sarif(findings) : CIFormats.github(findings)
    case .markdown: out.stdout = DocumentReport.markdownBatch(entries, covenant: covenant, summary: summary)
    case .html: out.stdout = DocumentReport.htmlBatch(entries, covenant: covenant, summary: summary)
    default:
      break  // text: `textBatch`; JSON: `jsonBatch`
    }
    out.stderr += summary + "\n"
    return out
  }

  /// What a batch's verdict needs, counted deal by deal as each is checked.
  final class BatchTally {
    var count = 0, invalid = 0, breaches = 0
    var warnings = false

    func reset() { (count, invalid, breaches, warnings) = (0, 0, 0, false) }

    func add(_ e: BatchEntry) {
      count += 1
      guard let r = e.result else { invalid += 1; return }
      if !r.compliant { breaches += 1 }
      if !warnings, r.clauses.contains(where: { $0.verdict == .warning }) { warnings = true }
    }

    var exitCode: Int32 { invalid > 0 ? ExitCode.invalid : breaches > 0 ? ExitCode.breach : ExitCode.compliant }

    /// `3 deals: 2 compliant, 1 in breach`: the verdict line and the last line on standard error.
    var summary: String {
      "\(count) deal\(count == 1 ? "" : "s"): \(count - breaches - invalid) compliant, \(breaches) in breach" + (invalid > 0 ? ", \(invalid) invalid" : "")
    }
  }

  /// A JSON batch, written as it is checked: each deal's object is written as soon as the deal is
  /// checked and then dropped, so no deal's result is held, and the first bytes leave before the
  /// last deal is read. The exit code, the verdict line, `--fail-on-warnings` and the summary on
  /// standard error are decided once the last deal is written (`StreamedReport.settle`). A
  /// report cut short by a failed write (a full disk, a closed descriptor) checks no further deal
  /// and exits 2: the deals never checked leave the batch's verdict unknown. A reader that left
  /// (`| head`) is not an error: the remaining deals are checked without their figures
  /// (`StreamedReport.unwritten`), so the command ends quietly with the whole batch's verdict.
  static func jsonBatch(
    session: CovenantSession, _ inputs: [DealInput], allGroups: Bool, progress: ((Int, Int) -> Void)?, progressText: @escaping () -> String
  ) -> CommandOutput {
    let covenant = session.covenant
    let sources = [covenant.file.name: covenant.file]
    let tally = BatchTally()
    var out = CommandOutput()
    // Until the report is written nothing is decided, and nothing may look like a pass.
    out.exitCode = ExitCode.invalid
    out.report = StreamedReport({ w in
      // Each writing checks the batch afresh (tests stream one report several times).
      tally.reset()
      var checking = session
      w.write("[")
      // Deal objects are written at level 1: their clauses' figures at level 4.
      let snapshotJSON = CheckReport.SnapshotJSONCache(indent: 4)
      checking.checkBatch(inputs, progress: progress) { e in
        if w.failed { return false }
        let i = tally.count
        tally.add(e)
        var members: [(String, JSONOut)] = [("id", .opt(e.result?.dealID)), ("source", .string(e.source))]
        if let r = e.result, case .object(let body) = CheckReport.json(r, covenant: covenant, allGroups: allGroups, snapshotCache: snapshotJSON) {
          members += body.filter { $0.0 != "deal" }
        } else {
          members += [("verdict", .string("invalid")), ("diagnostics", .array(e.diagnostics.map { DiagnosticRenderer.json($0, source: sources[$0.file]) }))]
        }
        w.write("\n  ")
        w.write(.object(members), indent: 1)
        w.write(i < inputs.count - 1 ? "," : "\n")
        return !w.failed
      }
      if w.failed { return }
      w.write("]\n")
    }, settle: { out in
      guard tally.count == inputs.count else {
        // Cut short by a failed write, which the writer reports (A005, A004): exit 2.
        out.exitCode = ExitCode.invalid
        return
      }
      out.exitCode = tally.exitCode
      out.verdictLine = tally.summary
      out.hasWarnings = tally.warnings
      if progress != nil { out.stderr += progressText() + "\n" }
      out.stderr += tally.summary + "\n"
    }, unwritten: {
      guard tally.count < inputs.count else { return }
      var rest = session
      rest.checkBatch(Array(inputs[tally.count...]), figures: false, verdictsOnly: true) { tally.add($0) }
    })
    return out
  }

  /// `--quiet` with a JSON batch: only the verdict line is shown, so the deals are checked
  /// without their figures (`checkBatch(figures: false)`: the same verdicts and warnings) and no
  /// report is made.
  static func quietBatch(session: inout CovenantSession, _ inputs: [DealInput]) -> CommandOutput {
    let tally = BatchTally()
    session.checkBatch(inputs, figures: false, verdictsOnly: true) { tally.add($0) }
    var out = CommandOutput()
    out.exitCode = tally.exitCode
    out.verdictLine = tally.summary
    out.hasWarnings = tally.warnings
    out.stderr = tally.summary + "\n"
    return out
  }

  /// A batch's text report: a line per deal, made as each deal is checked, so no deal's result
  /// is held once its line is made. A line shows verdicts and the capacity, no figure, so the
  /// deals are checked without them (`checkBatch(figures: false)`: every verdict, bound and
  /// capacity is the full check's). The id column is padded once every id is known.
  static func textBatch(
    session: inout CovenantSession, _ inputs: [DealInput], progress: ((Int, Int) -> Void)?, progressText: () -> String, context c: Context
  ) -> CommandOutput {
    let covenant = session.covenant
    let color = c.color
    let sources = [covenant.file.name: covenant.file]
    var out = CommandOutput()
    var lines: [(id: String, rest: String)] = []
    lines.reserveCapacity(inputs.count)
    var invalid = 0, breaches = 0, warnings = false
    var diagnostics = ""
    session.checkBatch(inputs, figures: false, verdictsOnly: true, progress: progress) { e in
      guard let r = e.result else {
        invalid += 1
        lines.append((e.source, "INVALID    " + (e.diagnostics.first.map { "\($0.path.map { $0 + ": " } ?? "")\($0.message)" } ?? "")))
        diagnostics += render(e.diagnostics, sources: sources, color: c.errorColor)
        return
      }
      if !r.compliant { breaches += 1 }
      // Ids only: `filter` would copy each clause's whole result first.
      var breached: [String] = [], warned: [String] = [], disapplied: [String] = []
      for k in r.clauses.indices {
        switch r.clauses[k].verdict {
        case .breach: breached.append("§" + r.clauses[k].id)
        case .warning: warned.append("§" + r.clauses[k].id)
        case .disapplied: disapplied.append("§" + r.clauses[k].id)
        default: break
        }
      }
      if !warned.isEmpty { warnings = true }
      let word = r.compliant ? "compliant" : "BREACH"
      var line = color ? (r.compliant ? "\u{1B}[32m" : "\u{1B}[31m") + word + "\u{1B}[0m" : word.paddedToUTF16Length(9)
      if let cap = r.capacity {
        line += "  amount " + Format.money(cap.dealAmount, cap.currency)
        line += "  " + CheckReport.capacityCell(cap)
      }
      if !breached.isEmpty { line += "  " + breached.joined(separator: ", ") }
      if !warned.isEmpty { line += "  (warnings: " + warned.joined(separator: ", ") + ")" }
      // A clause lifted by another is not a pass: the line says so, as the single report does.
      if !disapplied.isEmpty { line += "  (disapplied: " + disapplied.joined(separator: ", ") + ")" }
      lines.append((r.dealID ?? e.source, line))
    }
    if progress != nil { out.stderr += progressText() + "\n" }
    out.stderr += diagnostics
    out.exitCode = invalid > 0 ? ExitCode.invalid : breaches > 0 ? ExitCode.breach : ExitCode.compliant
    let summary = "\(lines.count) deal\(lines.count == 1 ? "" : "s"): \(lines.count - breaches - invalid) compliant, \(breaches) in breach" + (invalid > 0 ? ", \(invalid) invalid" : "")
    out.verdictLine = summary
    out.hasWarnings = warnings
    let width = min(24, lines.map { $0.id.count }.max() ?? 0)
    var text = ""
    for (id, rest) in lines {
      text += id.paddedToUTF16Length(max(width, id.count)) + "  " + rest + "\n"
    }
    out.stdout = text + summary + "\n"
    return out
  }
}
