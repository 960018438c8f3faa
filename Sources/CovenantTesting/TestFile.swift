import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantEvaluation

/// A covenant test file (`*.covtest`): data to check and the verdicts expected, in the style of
/// `opa test`. The format is line-based and documented in grammar.md ("Covenant tests").
public struct TestFile: Sendable {
  public var path: String
  public var covenant: Located<String>?
  public var portfolio: DataSpec?
  public var tests: [TestCase] = []

  /// A value with the line and column it came from, for diagnostics and CI annotations.
  public struct Located<T: Sendable>: Sendable {
    public var value: T
    public var line: Int
    public var column: Int
  }

  /// Where data comes from: a file (relative to the test file) or inline JSON, then overrides.
  public struct DataSpec: Sendable {
    public var file: Located<String>?
    public var inline: Located<String>?
    public var overrides: [Override] = []
  }

  public struct Override: Sendable {
    public var path: [PathStep]
    public var pathText: String
    public var json: String
    public var line: Int
  }

  public enum PathStep: Hashable, Sendable {
    case key(String)
    case index(Int)
  }

  public struct TestCase: Sendable {
    public var name: String
    public var line: Int
    public var portfolio: DataSpec?
    public var deal: DataSpec?
    public var expectations: [Expectation] = []
  }

  public struct Expectation: Sendable {
    public enum Kind: Sendable {
      case result(compliant: Bool)
      case verdict(clause: String, Verdict)
      /// `expect §4.2(a) pro forma for "sector power" value = 111/312`
      case figure(clause: String, context: Context?, group: String?, figure: Figure, expected: Expected)
    }
    public enum Context: String, Sendable { case snapshot, proForma = "pro forma" }
    public enum Figure: String, Sendable { case value, limit, headroom, largestAmount = "largest amount" }
    public enum Expected: Sendable {
      /// Exact: a constant in covenant syntax (`111/312`, `$40`, `35%`).
      case exact(String)
      /// The figure as the report shows it (`"≈35.58%"`).
      case shows(String)
    }
    public var kind: Kind
    public var text: String
    public var line: Int
  }
}

/// Reads `*.covtest` files. Problems are diagnostics with codes T001–T009 and a line and column.
public struct TestFileParser {
  let name: String
  let bytes: [UInt8]
  var lines: [(number: Int, start: Int, text: Substring)] = []
  var diagnostics: [Diagnostic] = []

  public static func parse(_ source: SourceFile) -> (TestFile, [Diagnostic]) {
    var p = TestFileParser(name: source.name, bytes: source.bytes)
    let text = String(decoding: source.bytes, as: UTF8.self)
    var number = 1
    var offset = 0
    for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
      p.lines.append((number, offset, raw))
      offset += raw.utf8.count + 1
      number += 1
    }
    let file = p.run()
    return (file, p.diagnostics)
  }

  mutating func error(_ m: DiagnosticMessage, line: Int, column: Int = 1) {
    diagnostics.append(Diagnostic(m, file: name, dataLocation: .init(line: line, column: column)))
  }

  /// Visits the characters of `s` that are outside JSON strings, with the bracket depth before
  /// each; `body` returns false to stop. One scanner serves comments, inline JSON and overrides.
  static func scanOutsideStrings(_ s: Substring, _ body: (Substring.Index, Character, Int) -> Bool) -> Int {
    var inString = false
    var escaped = false
    var depth = 0
    for i in s.indices {
      let c = s[i]
      if inString {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        continue
      }
      if c == "\"" { inString = true; continue }
      if !body(i, c, depth) { break }
      if c == "{" || c == "[" { depth += 1 } else if c == "}" || c == "]" { depth -= 1 }
    }
    return depth
  }

  /// The line without a trailing `#` comment (a `#` inside quotes is text).
  static func stripComment(_ s: Substring) -> Substring {
    var end = s.endIndex
    _ = scanOutsideStrings(s) { i, c, _ in
      if c == "#" { end = i; return false }
      return true
    }
    return s[..<end]
  }

  static func quoted(_ s: Substring) -> (String, Substring)? {
    let t = s.drop(while: { $0 == " " || $0 == "\t" })
    guard t.first == "\"" else { return nil }
    var out = ""
    var escaped = false
    var i = t.index(after: t.startIndex)
    while i < t.endIndex {
      let c = t[i]
      if escaped {
        out.append(c == "n" ? "\n" : c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "\"" {
        return (out, t[t.index(after: i)...])
      } else {
        out.append(c)
      }
      i = t.index(after: i)
    }
    return nil
  }

  mutating func run() -> TestFile {
    var file = TestFile(path: name)
    var current: TestFile.TestCase?
    var i = 0
    func finish(_ file: inout TestFile, _ current: inout TestFile.TestCase?) {
      if let c = current { file.tests.append(c) }
      current = nil
    }
    while i < lines.count {
      let (number, _, raw) = lines[i]
      i += 1
      let line = Self.stripComment(raw)
      let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
      let column = line.count - trimmed.count + 1
      guard !trimmed.trimmingBlanks().isEmpty else { continue }
      let word = trimmed.prefix(while: { $0.isLetter || $0 == "_" })
      let rest = trimmed.dropFirst(word.count)
      switch word {
      case "covenant":
        guard let (path, after) = Self.quoted(rest), after.trimmingBlanks().isEmpty else {
          error(TestingDiagnostics.misplaced(.covenantPath), line: number, column: column)
          continue
        }
        if current != nil { error(TestingDiagnostics.misplaced(.covenantNotFirst), line: number, column: column) }
        file.covenant = .init(value: path, line: number, column: column)
      case "portfolio", "deal":
        guard let spec = dataLine(rest, number: number, column: column, &i) else { continue }
        if word == "portfolio" {
          if var c = current {
            c.portfolio = merged(c.portfolio, spec)
            current = c
          } else {
            file.portfolio = merged(file.portfolio, spec)
          }
        } else {
          guard var c = current else {
            error(TestingDiagnostics.misplaced(.dealOutsideTest), line: number, column: column)
            continue
          }
          c.deal = merged(c.deal, spec)
          current = c
        }
      case "test":
        finish(&file, &current)
        guard let (title, after) = Self.quoted(rest), after.trimmingBlanks().isEmpty else {
          error(TestingDiagnostics.misplaced(.testName), line: number, column: column)
          current = TestFile.TestCase(name: "(unnamed, line \(number))", line: number)
          continue
        }
        current = TestFile.TestCase(name: title, line: number)
      case "expect":
        guard current != nil else {
          error(TestingDiagnostics.misplaced(.expectOutsideTest), line: number, column: column)
          continue
        }
        if let e = expectation(rest, number: number, column: column) { current?.expectations.append(e) }
      default:
        error(TestingDiagnostics.unknownLine(String(trimmed.prefix(20))), line: number, column: column)
      }
    }
    finish(&file, &current)
    if file.covenant == nil { error(TestingDiagnostics.misplaced(.noCovenant), line: 1) }
    for t in file.tests where t.expectations.isEmpty {
      error(TestingDiagnostics.expectsNothing(t.name), line: t.line)
    }
    return file
  }

  func merged(_ a: TestFile.DataSpec?, _ b: TestFile.DataSpec) -> TestFile.DataSpec {
    guard var a else { return b }
    if b.file != nil || b.inline != nil {
      a.file = b.file
      a.inline = b.inline
    }
    a.overrides += b.overrides
    return a
  }

  /// `"file.json"`, `{ inline JSON … }` (may span lines), or `with path = json, path = json`.
  mutating func dataLine(_ rest: Substring, number: Int, column: Int, _ i: inout Int) -> TestFile.DataSpec? {
    var spec = TestFile.DataSpec()
    let t = rest.drop(while: { $0 == " " || $0 == "\t" })
    var after: Substring = ""
    if let (path, a) = Self.quoted(t) {
      spec.file = .init(value: path, line: number, column: column)
      after = a.drop(while: { $0 == " " || $0 == "\t" })
    } else if t.first == "{" {
      // Inline JSON: collect lines until the braces balance (strings may hold braces).
      var text = String(t)
      var depth = 0
      func balance(_ s: String) -> Int { Self.scanOutsideStrings(Substring(s)) { _, _, _ in true } }
      depth = balance(text)
      while depth > 0, i < lines.count {
        text += "\n" + lines[i].text
        depth = balance(text)
        i += 1
      }
      if depth != 0 {
        error(TestingDiagnostics.unclosedInlineJSON(), line: number, column: column)
        return nil
      }
      spec.inline = .init(value: text, line: number, column: column)
      return spec
    } else {
      after = t
    }
    if after.hasPrefix("with") {
      spec.overrides = overrides(after.dropFirst(4), number: number)
    } else if !after.trimmingBlanks().isEmpty {
      error(TestingDiagnostics.misplaced(.dataSource), line: number, column: column)
      return nil
    }
    return spec
  }

  /// `amount = 9000000000, positions[0].sector = "power"`: JSON values, split at top-level commas.
  mutating func overrides(_ s: Substring, number: Int) -> [TestFile.Override] {
    var parts: [Substring] = []
    var start = s.startIndex
    _ = Self.scanOutsideStrings(s) { i, c, depth in
      if c == ",", depth == 0 {
        parts.append(s[start..<i])
        start = s.index(after: i)
      }
      return true
    }
    parts.append(s[start...])
    var out: [TestFile.Override] = []
    for part in parts {
      guard let eq = part.firstIndex(of: "=") else {
        error(TestingDiagnostics.badOverride(.notAssignment), line: number)
        continue
      }
      let pathText = part[..<eq].trimmingBlanks()
      let json = part[part.index(after: eq)...].trimmingBlanks()
      guard let path = Self.path(pathText) else {
        error(TestingDiagnostics.badOverride(.notAPath(String(pathText))), line: number)
        continue
      }
      if case .failure(let e) = JSONParser.parse(Array(json.utf8)) {
        error(TestingDiagnostics.badOverride(.notJSON(path: String(pathText), reason: e.message)), line: number)
        continue
      }
      out.append(.init(path: path, pathText: pathText, json: json, line: number))
    }
    return out
  }

  static func path(_ s: String) -> [TestFile.PathStep]? {
    var steps: [TestFile.PathStep] = []
    var key = ""
    var chars = Array(s)[...]
    while let c = chars.first {
      chars = chars.dropFirst()
      switch c {
      case ".":
        if !key.isEmpty { steps.append(.key(key)); key = "" } else if steps.isEmpty { return nil }
      case "[":
        if !key.isEmpty { steps.append(.key(key)); key = "" }
        let digits = chars.prefix(while: \.isNumber)
        chars = chars.dropFirst(digits.count)
        guard chars.first == "]", let n = Int(String(digits)) else { return nil }
        chars = chars.dropFirst()
        steps.append(.index(n))
      default:
        guard c.isLetter || c.isNumber || c == "_" || c == "-" else { return nil }
        key.append(c)
      }
    }
    if !key.isEmpty { steps.append(.key(key)) }
    return steps.isEmpty ? nil : steps
  }

  static let verdictWords: [String: Verdict] = [
    "pass": .pass, "passes": .pass, "warning": .warning, "warns": .warning, "breach": .breach, "breaches": .breach,
    "waived": .waived, "disapplied": .disapplied, "not applicable": .notApplicable, "n/a": .notApplicable,
  ]

  /// expect result (compliant|breach) | expect §ID VERDICT
  /// | expect §ID [snapshot|pro forma] [for "GROUP"] (value|limit|headroom|largest amount) (= CONSTANT | shows "TEXT")
  mutating func expectation(_ rest: Substring, number: Int, column: Int) -> TestFile.Expectation? {
    let text = rest.trimmingBlanks()
    let full = "expect " + text
    if text.hasPrefix("result") {
      let v = text.dropFirst(6).trimmingBlanks()
      guard v == "compliant" || v == "breach" else {
        error(TestingDiagnostics.badExpectation(.result), line: number, column: column)
        return nil
      }
      return .init(kind: .result(compliant: v == "compliant"), text: full, line: number)
    }
    guard text.hasPrefix("§") else {
      error(TestingDiagnostics.badExpectation(.clause), line: number, column: column)
      return nil
    }
    var t = Substring(text.dropFirst())
    let id = String(t.prefix(while: { !$0.isWhitespace }))
    t = t.dropFirst(id.count).drop(while: \.isWhitespace)
    if let v = Self.verdictWords[String(t).trimmingBlanks()] {
      return .init(kind: .verdict(clause: id, v), text: full, line: number)
    }
    var context: TestFile.Expectation.Context?
    if t.hasPrefix("snapshot") { context = .snapshot; t = t.dropFirst(8).drop(while: \.isWhitespace) }
    else if t.hasPrefix("pro forma") { context = .proForma; t = t.dropFirst(9).drop(while: \.isWhitespace) }
    var group: String?
    if t.hasPrefix("for ") {
      guard let (g, after) = Self.quoted(t.dropFirst(4)) else {
        error(TestingDiagnostics.badExpectation(.group), line: number, column: column)
        return nil
      }
      group = g
      t = after.drop(while: \.isWhitespace)
    }
    var figure: TestFile.Expectation.Figure?
    for f in [TestFile.Expectation.Figure.largestAmount, .value, .limit, .headroom] where t.hasPrefix(f.rawValue) {
      figure = f
      t = t.dropFirst(f.rawValue.count).drop(while: \.isWhitespace)
      break
    }
    guard let figure else {
      error(TestingDiagnostics.badExpectation(.verdictOrFigure), line: number, column: column)
      return nil
    }
    let expected: TestFile.Expectation.Expected
    if t.hasPrefix("=") {
      let c = t.dropFirst().trimmingBlanks()
      guard !c.isEmpty else { error(TestingDiagnostics.badExpectation(.value), line: number, column: column); return nil }
      expected = .exact(c)
    } else if t.hasPrefix("shows"), let (s, _) = Self.quoted(t.dropFirst(5)) {
      expected = .shows(s)
    } else {
      error(TestingDiagnostics.badExpectation(.figureValue), line: number, column: column)
      return nil
    }
    return .init(kind: .figure(clause: id, context: context, group: group, figure: figure, expected: expected), text: full, line: number)
  }
}
