import CovenantValues
import CovenantSyntax
import CovenantSemantics
import CovenantEvaluation

/// Outputs that CI systems read: SARIF 2.1.0 (code scanning), JUnit XML, and GitHub Actions
/// workflow annotations. Each is built from the same results as the text report.
public enum CIFormats {
  /// A finding placed on a line of a file: a diagnostic, a breached clause, a failing test.
  public struct Finding: Sendable {
    package init(ruleID: String, level: Diagnostic.Severity, message: String, file: String, line: Int? = nil, column: Int? = nil, endLine: Int? = nil, endColumn: Int? = nil, title: String? = nil) {
      self.ruleID = ruleID
      self.level = level
      self.message = message
      self.file = file
      self.line = line
      self.column = column
      self.endLine = endLine
      self.endColumn = endColumn
      self.title = title
    }
    public var ruleID: String
    public var level: Diagnostic.Severity
    public var message: String
    public var file: String
    public var line: Int?
    public var column: Int?
    public var endLine: Int?
    public var endColumn: Int?
    public var title: String?
    /// False for a diagnostic about the command line (`Diagnostic.hasLocation`): SARIF gives the
    /// result no `locations` (valid in SARIF 2.1.0), a GitHub annotation no `file=`.
    public var located = true
  }

  public static func finding(_ d: Diagnostic, source: SourceFile?) -> Finding {
    var f = Finding(ruleID: d.code, level: d.severity, message: d.message + (d.path.map { " (at \($0))" } ?? "") + (d.help.map { "; help: \($0)" } ?? ""), file: d.file)
    if let span = d.span, let source {
      let (l, c) = source.location(of: span.start)
      let (el, ec) = source.location(of: span.end)
      (f.line, f.column, f.endLine, f.endColumn) = (l, c, el, max(ec, c + 1))
    } else if let loc = d.dataLocation {
      (f.line, f.column) = (loc.line, loc.column)
    }
    f.title = d.code
    f.located = d.hasLocation
    return f
  }

  /// Breaches and warnings of a check, on the clause's line in the covenant.
  public static func findings(_ r: CheckResult, covenant: CheckedCovenant) -> [Finding] {
    r.clauses.compactMap { c in
      let (l, col) = covenant.file.location(of: c.span.start)
      // A clause another one lifted is a notice, not silence: CI shows which and why.
      if c.verdict == .disapplied {
        return Finding(ruleID: "disapplied", level: .note, message: "§\(c.id) \(c.title ?? ""): \(c.note ?? "disapplied")",
          file: covenant.file.name, line: l, column: col, title: "§\(c.id) disapplied")
      }
      guard c.verdict == .breach || c.verdict == .warning else { return nil }
      var msg = "§\(c.id) \(c.title ?? ""): \(c.verdict.rawValue)"
      if let note = c.note { msg += " — \(note)" }
      let all = (c.proForma ?? c.snapshot)?.outcomes ?? []
      let failing = all.indices.lazy.filter { all.status(at: $0).holds == false || all.status(at: $0).warned }.map { all[$0] }
      for o in failing.prefix(3) {
        msg += "; " + (o.group.map { $0.text + ": " } ?? "") + CheckReport.outcomeText(o, schema: covenant.schema)
      }
      for g in c.governance.map(GovernanceWording.lines) ?? [] where c.governance?.verdict == .breach { msg += "; " + g }
      return Finding(ruleID: c.verdict == .breach ? "breach" : "warning", level: c.verdict == .breach ? .error : .warning,
        message: msg, file: covenant.file.name, line: l, column: col, title: "§\(c.id) \(c.verdict.rawValue)")
    }
  }

  // MARK: - SARIF

  static let ruleText: [String: String] = [
    "breach": "A covenant clause is breached", "warning": "A covenant clause is above its warning level",
    "test-failure": "A covenant test failed",
    "disapplied": "A covenant clause was disapplied by another that prevails over it (notwithstanding, or an exception)",
  ]

  public static func sarif(_ findings: [Finding]) -> String {
    var ruleIDs: [String] = []
    for f in findings where !ruleIDs.contains(f.ruleID) { ruleIDs.append(f.ruleID) }
    // A diagnostic's rule carries its explanation from the one registry `covenant explain` reads
    // (no help URL: the tool does not know where its repository is published).
    let rules: [JSONOut] = ruleIDs.map { id in
      let entry = DiagnosticCodes.entry(id)
      var members: [(String, JSONOut)] = [("id", .string(id)), ("shortDescription", .object([("text", .string(ruleText[id] ?? entry?.summary ?? "Covenant diagnostic \(id)"))]))]
      if let entry {
        members.append(("fullDescription", .object([("text", .string(entry.explanation))])))
        members.append(("help", .object([("text", .string("\(entry.explanation)\n\nExample:\n\(entry.example)\n\n`covenant explain \(id)`; every code: \(DiagnosticCodes.reference)"))])))
      }
      return .object(members)
    }
    let results: [JSONOut] = findings.map { f in
      var region: [(String, JSONOut)] = []
      if let l = f.line { region.append(("startLine", .number("\(l)"))) }
      if let c = f.column { region.append(("startColumn", .number("\(c)"))) }
      if let l = f.endLine { region.append(("endLine", .number("\(l)"))) }
      if let c = f.endColumn { region.append(("endColumn", .number("\(c)"))) }
      var physical: [(String, JSONOut)] = [("artifactLocation", .object([("uri", .string(uri(f.file)))]))]
      if !region.isEmpty { physical.append(("region", .object(region))) }
      var result: [(String, JSONOut)] = [
        ("ruleId", .string(f.ruleID)),
        ("ruleIndex", .number("\(ruleIDs.firstIndex(of: f.ruleID) ?? 0)")),
        ("level", .string(f.level == .error ? "error" : f.level == .warning ? "warning" : "note")),
        ("message", .object([("text", .string(f.message))])),
      ]
      if f.located { result.append(("locations", .array([.object([("physicalLocation", .object(physical))])]))) }
      return .object(result)
    }
    return JSONOut.object([
      ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
      ("version", .string("2.1.0")),
      ("runs", .array([.object([
        ("tool", .object([("driver", .object([
          ("name", .string("covenant")), ("version", .string(CovenantKitVersion.string)),
          ("informationUri", .string("https://example.invalid/covenant")), ("rules", .array(rules)),
        ]))])),
        ("results", .array(results)),
      ])])),
    ]).render() + "\n"
  }

  /// SARIF wants URIs: relative paths stay relative (to the repository), with `/` separators.
  static func uri(_ path: String) -> String {
    var out = ""
    for u in path.unicodeScalars {
      if u.isASCII, u.properties.isAlphabetic || ("0"..."9").contains(u) || "/-._~".unicodeScalars.contains(u) {
        out.unicodeScalars.append(u)
      } else {
        for b in String(u).utf8 { out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2) }
      }
    }
    return out
  }

  // MARK: - GitHub annotations

  public static func github(_ findings: [Finding]) -> String {
    findings.map { f in
      var props = f.located ? ["file=\(escapeProperty(f.file))"] : []
      if let l = f.line { props.append("line=\(l)") }
      if let c = f.column { props.append("col=\(c)") }
      if let l = f.endLine { props.append("endLine=\(l)") }
      if let c = f.endColumn { props.append("endColumn=\(c)") }
      if let t = f.title { props.append("title=\(escapeProperty(t))") }
      let cmd = f.level == .error ? "error" : f.level == .warning ? "warning" : "notice"
      return "::\(cmd) \(props.joined(separator: ","))::\(escapeData(f.message))\n"
    }.joined()
  }

  static func escapeData(_ s: String) -> String {
    s.replacingEvery("%", with: "%25").replacingEvery("\r", with: "%0D").replacingEvery("\n", with: "%0A")
  }
  static func escapeProperty(_ s: String) -> String {
    escapeData(s).replacingEvery(":", with: "%3A").replacingEvery(",", with: "%2C")
  }

  // MARK: - JUnit

  public struct JUnitCase: Sendable {
    package init(classname: String, name: String, status: CIFormats.JUnitCase.Status, output: String? = nil) {
      self.classname = classname
      self.name = name
      self.status = status
      self.output = output
    }
    public var classname: String
    public var name: String
    public enum Status: Sendable { case passed, failed(String, String), skipped(String), error(String, String) }
    public var status: Status
    public var output: String?
  }

  public static func junit(suite: String, _ cases: [JUnitCase]) -> String {
    let failures = cases.filter { if case .failed = $0.status { true } else { false } }.count
    let errors = cases.filter { if case .error = $0.status { true } else { false } }.count
    let skipped = cases.filter { if case .skipped = $0.status { true } else { false } }.count
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuites name=\"covenant\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
    out += "  <testsuite name=\"\(xml(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
    for c in cases {
      out += "    <testcase classname=\"\(xml(c.classname))\" name=\"\(xml(c.name))\""
      switch c.status {
      case .passed where c.output == nil:
        out += "/>\n"
        continue
      default:
        out += ">\n"
      }
      switch c.status {
      case .passed: break
      case .failed(let m, let body): out += "      <failure message=\"\(xml(m))\" type=\"breach\">\(xml(body))</failure>\n"
      case .error(let m, let body): out += "      <error message=\"\(xml(m))\" type=\"invalid\">\(xml(body))</error>\n"
      case .skipped(let m): out += "      <skipped message=\"\(xml(m))\"/>\n"
      }
      if let o = c.output { out += "      <system-out>\(xml(o))</system-out>\n" }
      out += "    </testcase>\n"
    }
    out += "  </testsuite>\n</testsuites>\n"
    return out
  }

  static func xml(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n", "\t", "\r": out.unicodeScalars.append(u)
      default:
        // XML 1.0 cannot carry other control characters, even escaped.
        if u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
      }
    }
    return out
  }

  public static func junit(_ r: CheckResult, covenant: CheckedCovenant) -> String {
    let cases: [JUnitCase] = r.clauses.map { c in
      let name = "§\(c.id) \(c.title ?? "")"
      var body = c.note.map { $0 + "\n" } ?? ""
      body += CheckReport.requirementLines(c, schema: covenant.schema, indent: "")
      for g in c.governance.map(GovernanceWording.lines) ?? [] { body += g + "\n" }
      let status: JUnitCase.Status
      switch c.verdict {
      case .breach: status = .failed("breach", body)
      case .notApplicable: status = .skipped(c.note ?? "not applicable")
      case .disapplied: status = .skipped(c.note ?? "disapplied")
      default: status = .passed
      }
      let output: String? = c.verdict == .warning || c.verdict == .waived ? "\(c.verdict.rawValue)\n" + body : nil
      return JUnitCase(classname: covenant.file.name, name: name, status: status, output: output)
    }
    return junit(suite: covenant.title + (r.dealID.map { " — deal \($0)" } ?? ""), cases)
  }
}
