import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

// Hostile and malformed inputs (issue "Robustness"): each must end in a diagnostic with a code,
// never a crash, a hang or a stack overflow. Whole-command cases run `covenant check` in process
// on temporary files and expect exit code 2 with the code on stderr.

private let advRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let advExampleCovenant = advRoot.appendingPathComponent("examples/us-japan-fund/covenant.cov").path
private let advExamplePortfolio = advRoot.appendingPathComponent("examples/us-japan-fund/portfolio.json").path

/// A small valid covenant; tests splice hostile text into it.
private let advCovenant = """
  covenant "Adversarial Fund" version 2026-01-01
  base currency USD
  record holding
    id    : text
    value : money
  data fund from snapshot
    equity   : money
    holdings : list of holding
  define nav = sum of holdings.value

  §1 "Size"
    nav <= 10x fund.equity

  """

private let advSnapshot = #"{"equity": 100, "holdings": [{"id": "a", "value": 5}]}"#

/// A fresh directory for one test's files, removed by the caller's `defer`.
private func advTempDir() throws -> URL {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("covenant-adversarial-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  return dir
}

private func advWrite(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> String {
  let url = dir.appendingPathComponent(name)
  try Data(bytes).write(to: url)
  return url.path
}

private func advCompile(_ bytes: [UInt8]) -> Checker.Result {
  Checker.compile(SourceFile(name: "adversarial.cov", bytes: bytes))
}

private func advErrorCodes(_ bytes: [UInt8]) -> [String] {
  advCompile(bytes).diagnostics.filter(\.isError).map(\.code)
}

/// Runs `check COVENANT --portfolio SNAPSHOT` on temporary copies of the given bytes.
private func advCheck(covenant: [UInt8], snapshot: [UInt8]) throws -> CommandOutput {
  let dir = try advTempDir()
  defer { try? FileManager.default.removeItem(at: dir) }
  let c = try advWrite(covenant, "covenant.cov", in: dir)
  let s = try advWrite(snapshot, "portfolio.json", in: dir)
  return Commands.run(["check", c, "--portfolio", s])
}

/// `check` of the US–Japan example covenant against a snapshot given as bytes.
private func advCheckExample(snapshot: [UInt8]) throws -> CommandOutput {
  let dir = try advTempDir()
  defer { try? FileManager.default.removeItem(at: dir) }
  let s = try advWrite(snapshot, "portfolio.json", in: dir)
  return Commands.run(["check", advExampleCovenant, "--portfolio", s])
}

private func expectInvalid(_ out: CommandOutput, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(out.exitCode == ExitCode.invalid, "exit \(out.exitCode), stderr: \(out.stderr.prefix(500))", sourceLocation: sourceLocation)
  #expect(out.stderr.contains("[\(code)]"), "stderr lacks [\(code)]: \(out.stderr.prefix(500))", sourceLocation: sourceLocation)
}

/// The example portfolio with its fund equity (a money field) written as `equity`.
private func examplePortfolio(equity: String) throws -> [UInt8] {
  let text = try String(contentsOfFile: advExamplePortfolio, encoding: .utf8)
  let original = "\"equity\": 300000000000"
  #expect(text.contains(original), "the example portfolio changed; update this test")
  return Array(text.replacingOccurrences(of: original, with: "\"equity\": \(equity)").utf8)
}

private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct AdversarialTests {
  // MARK: - Deep nesting

  @Test(.timeLimit(.minutes(5))) func parenthesesTenThousandDeep() throws {
    let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
    let source = utf8(advCovenant + "define deep = \(deep)\n")
    #expect(advErrorCodes(source).contains("P003"))
    expectInvalid(try advCheck(covenant: source, snapshot: utf8(advSnapshot)), "P003")
  }

  @Test(.timeLimit(.minutes(5))) func notTenThousandDeep() throws {
    let deep = String(repeating: "not ", count: 10_000) + "true"
    let source = utf8(advCovenant + "§2 \"Deep\"\n  \(deep)\n")
    #expect(advErrorCodes(source).contains("P003"))
    expectInvalid(try advCheck(covenant: source, snapshot: utf8(advSnapshot)), "P003")
  }

  @Test(.timeLimit(.minutes(5))) func negationAndOfTenThousandDeep() {
    // Other right-recursive forms share the same depth limit.
    let minus = String(repeating: "-", count: 10_000) + "1"
    #expect(advErrorCodes(utf8(advCovenant + "define m = \(minus)\n")).contains("P003"))
    let of = String(repeating: "2x of ", count: 10_000) + "nav"
    #expect(advErrorCodes(utf8(advCovenant + "define o = \(of)\n")).contains("P003"))
  }

  @Test(.timeLimit(.minutes(5))) func jsonArraysTenThousandDeep() throws {
    let deep = utf8(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
    guard case .failure(let e) = JSONParser.parse(deep) else {
      Issue.record("a 10,000-deep array was accepted")
      return
    }
    #expect(e.code == "D005")
    let inField = utf8(#"{"equity": 1, "holdings": "# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}")
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: inField), "D005")
  }

  @Test(.timeLimit(.minutes(5))) func jsonObjectsTenThousandDeep() {
    let deep = utf8(String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000))
    guard case .failure(let e) = JSONParser.parse(deep) else {
      Issue.record("a 10,000-deep object was accepted")
      return
    }
    #expect(e.code == "D005")
  }

  // MARK: - Huge numbers

  @Test func fiveHundredDigitLiteralInCovenant() throws {
    // 1,300 significant digits, and 9·10^1299 (one significant digit): beyond Exact.maxBits.
    let nines = String(repeating: "9", count: 1300)
    let big = "9" + String(repeating: "0", count: 1299)
    for literal in [nines, big, "$" + nines, "$" + big, nines + "%", "0." + nines, big + " million", "1,000." + nines] {
      let source = utf8(advCovenant + "§2 \"Huge\"\n  nav <= \(literal)\n")
      #expect(advErrorCodes(source).contains("P008"), "\(literal.prefix(20))…")
    }
    // Trailing zeros are exact: 0.9000…0 (1,300 digits) is 0.9, which is fine as a number.
    #expect(advErrorCodes(utf8(advCovenant + "define f = 0.9" + String(repeating: "0", count: 1299) + "\n")).isEmpty)
    expectInvalid(try advCheck(covenant: utf8(advCovenant + "define huge = $\(nines)\n"), snapshot: utf8(advSnapshot)), "P008")
  }

  @Test func fiveHundredDigitNumberInJSON() throws {
    let nines = String(repeating: "9", count: 1300)  // beyond Exact.maxBits
    let big = "9" + String(repeating: "0", count: 1299)
    // The reader keeps numbers as written; reading one as money reports it.
    guard case .success = JSONParser.parse(utf8("[\(nines), \(big), 0.\(nines)]")) else {
      Issue.record("500-digit numbers are valid JSON")
      return
    }
    for equity in [nines, big, "\"\(nines)\"", "\"\(big)\"", "0.\(nines)", "\"USD \(nines)\"", "{\"amount\": \(nines)}"] {
      expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: equity)), "D107")
    }
  }

  @Test func exponentOverflowWhereMoneyIsExpected() throws {
    expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: "1e4000")), "D107")
    expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: "1E+4000")), "D107")
    expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: "1e-4000")), "D107")
  }

  /// `-0` is a valid JSON number equal to zero: it reads as a zero amount, not a negative one.
  @Test func negativeZeroWhereMoneyIsExpected() throws {
    let compiled = advCompile(utf8(advCovenant))
    let covenant = try #require(compiled.covenant)
    let doc = try JSONParser.parse(utf8(#"{"equity": -0, "holdings": []}"#)).get()
    switch DataLoader.load(doc, record: try #require(covenant.schema.snapshot), schema: covenant.schema, file: "s.json") {
    case .failure(let ds):
      Issue.record("-0 was rejected: \(ds.list.map { "\($0.code) \($0.message)" })")
    case .success(let v):
      guard case .record(let fields) = v, case .money(let amount, let currency) = fields[0] else {
        Issue.record("unexpected value \(v)")
        return
      }
      #expect(amount.signum == 0 && currency == "USD")
    }
    // Whole command: zero equity is valid data (the leverage clause then decides).
    let out = try advCheckExample(snapshot: try examplePortfolio(equity: "-0"))
    #expect(out.exitCode != ExitCode.invalid, "stderr: \(out.stderr.prefix(300))")
    #expect(!out.stderr.contains("[D"))
  }

  @Test func notANumberWhereMoneyIsExpected() throws {
    // Quoted: valid JSON text that is not an amount.
    for text in ["\"NaN\"", "\"nan\"", "\"Infinity\"", "\"-Infinity\"", "\"\"", "\"1e400x\""] {
      let out = try advCheckExample(snapshot: try examplePortfolio(equity: text))
      #expect(out.exitCode == ExitCode.invalid, "\(text): exit \(out.exitCode)")
      #expect(out.stderr.contains("[D10"), "\(text): \(out.stderr.prefix(300))")
    }
    expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: "\"NaN\"")), "D102")
    // Bare: not JSON at all.
    expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: "NaN")), "D006")
    expectInvalid(try advCheckExample(snapshot: try examplePortfolio(equity: "Infinity")), "D006")
  }

  // MARK: - Bytes that are not text

  @Test func invalidUTF8InCovenant() throws {
    for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
      let inCode = utf8(advCovenant + "define bad = 1 ") + bad + utf8("\n")
      #expect(advErrorCodes(inCode).contains("L001"), "\(bad)")
      let inText = utf8(advCovenant + "§2 \"T") + bad + utf8("\"\n  nav > 0\n")
      #expect(advErrorCodes(inText).contains("L001"), "\(bad) in text")
    }
    // A truncated multi-byte character at the very end of the file.
    #expect(advErrorCodes(utf8(advCovenant) + [0xE2, 0x89]).contains("L001"))
    let source = utf8(advCovenant + "define bad = 1 ") + [0xFF, 0xFE] + utf8("\n")
    expectInvalid(try advCheck(covenant: source, snapshot: utf8(advSnapshot)), "L001")
  }

  @Test func nulBytesInCovenant() throws {
    let inCode = utf8(advCovenant + "define bad = 1 ") + [0] + utf8("\n")
    #expect(advErrorCodes(inCode).contains("L002"))
    let inText = utf8(advCovenant + "§2 \"a") + [0] + utf8("b\"\n  nav > 0\n")
    #expect(advErrorCodes(inText).contains("L002"))
    // UTF-16 (every other byte NUL) is what usually puts NULs in a file.
    let utf16 = Array(advCovenant.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    #expect(advErrorCodes(utf16).contains("L002"))
    expectInvalid(try advCheck(covenant: inCode, snapshot: utf8(advSnapshot)), "L002")
  }

  @Test func byteOrderMarkIsAccepted() throws {
    let source: [UInt8] = [0xEF, 0xBB, 0xBF] + utf8(advCovenant)
    let result = advCompile(source)
    #expect(result.covenant != nil)
    #expect(result.diagnostics.filter(\.isError).isEmpty, "\(result.diagnostics.map(\.code))")
    let out = try advCheck(covenant: source, snapshot: utf8(advSnapshot))
    #expect(out.exitCode == ExitCode.compliant, "stderr: \(out.stderr.prefix(300))")
    // Columns on the first line do not count the BOM, as editors do not show it.
    let bad = SourceFile(name: "b.cov", bytes: [0xEF, 0xBB, 0xBF] + utf8("covenant \"T\" @\n"))
    let firstError = Checker.compile(bad).diagnostics.first { $0.isError }
    let diag = try #require(firstError)
    #expect(diag.code == "L003")
    let span = try #require(diag.span)
    #expect(span.start == 16)
    #expect(bad.location(of: span.start) == (1, 14))
    #expect(bad.lineText(1) == "covenant \"T\" @")
    #expect(bad.location(of: 18) == (2, 1))
    // A BOM in the middle of a file is not whitespace.
    #expect(!advErrorCodes(utf8(advCovenant + "define x = 1 \u{FEFF}\n")).isEmpty)
  }

  // MARK: - Line ends and tabs

  /// Line 14, column 10 holds `@` in every variant: CRLF and lone CR count as one line end.
  private func sourceWithError(lineEnd: String) -> (bytes: [UInt8], offset: Int) {
    let text = (advCovenant + "§2 \"Bad\"\n  nav <= @ 3\n").replacingOccurrences(of: "\n", with: lineEnd)
    let bytes = utf8(text)
    return (bytes, bytes.firstIndex(of: UInt8(ascii: "@"))!)
  }

  @Test(arguments: ["\n", "\r\n", "\r"]) func lineEndsAreAcceptedWithCorrectLocations(lineEnd: String) throws {
    let clean = utf8(advCovenant.replacingOccurrences(of: "\n", with: lineEnd))
    let ok = advCompile(clean)
    #expect(ok.covenant != nil && ok.diagnostics.filter(\.isError).isEmpty, "\(ok.diagnostics.map(\.code))")
    let okOut = try advCheck(covenant: clean, snapshot: utf8(advSnapshot))
    #expect(okOut.exitCode == ExitCode.compliant, "stderr: \(okOut.stderr.prefix(300))")

    let (bytes, offset) = sourceWithError(lineEnd: lineEnd)
    let file = SourceFile(name: "adversarial.cov", bytes: bytes)
    let firstError = Checker.compile(file).diagnostics.first { $0.isError }
    let diag = try #require(firstError)
    #expect(diag.code == "L003")
    let span = try #require(diag.span)
    #expect(span.start == offset)
    #expect(file.location(of: span.start) == (14, 10))
    #expect(file.lineText(14) == "  nav <= @ 3")
    let out = try advCheck(covenant: bytes, snapshot: utf8(advSnapshot))
    expectInvalid(out, "L003")
    #expect(out.stderr.contains("covenant.cov:14:10: error[L003]"), "\(out.stderr.prefix(400))")
  }

  @Test func mixedLineEndsCountEachBreakOnce() {
    // LF, CRLF, CR, LF CR (two breaks), CR LF (one break).
    let file = SourceFile(name: "m.cov", bytes: utf8("a\nb\r\nc\rd\n\re\r\nf"))
    #expect(file.lineStarts.count == 7)
    #expect(file.location(of: file.bytes.firstIndex(of: UInt8(ascii: "e"))!) == (6, 1))
    #expect(file.location(of: file.bytes.firstIndex(of: UInt8(ascii: "f"))!) == (7, 1))
  }

  @Test func tabsAreAccepted() throws {
    let tabbed = advCovenant.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      let spaces = line.prefix(while: { $0 == " " }).count
      return String(repeating: "\t", count: spaces / 2) + line.dropFirst(spaces).replacingOccurrences(of: " : ", with: "\t:\t")
    }.joined(separator: "\n")
    #expect(tabbed.contains("\t"))
    let result = advCompile(utf8(tabbed))
    #expect(result.covenant != nil && result.diagnostics.filter(\.isError).isEmpty, "\(result.diagnostics.map { "\($0.code) \($0.message)" })")
    // A tab is one column.
    let bad = SourceFile(name: "t.cov", bytes: utf8(tabbed + "§2 \"Bad\"\n\tnav\t<=\t@\n"))
    let firstError = Checker.compile(bad).diagnostics.first { $0.isError }
    let diag = try #require(firstError)
    #expect(diag.code == "L003")
    let badSpan = try #require(diag.span)
    #expect(bad.location(of: badSpan.start) == (14, 9))
  }

  // MARK: - Size

  /// A file of one very long line (the issue asks for 100 MB; `scripts/hostile.sh` runs that size
  /// on the release build): the diagnostic shows a window of the line around the caret, so its
  /// size does not grow with the line's.
  @Test(.timeLimit(.minutes(5))) func oneVeryLongLine() throws {
    let terms = 250_000
    let line = "define z = " + String(repeating: "1 + ", count: terms) + "@ 1\n"
    let source = utf8(advCovenant + line)
    let out = try advCheck(covenant: source, snapshot: utf8(advSnapshot))
    expectInvalid(out, "L003")
    let column = "define z = ".count + 4 * terms + 1
    #expect(out.stderr.contains(":13:\(column): error[L003]"), "\(out.stderr.prefix(300))")
    #expect(out.stderr.utf8.count < 2_000, "\(out.stderr.utf8.count) bytes of diagnostics")
    // The window: clipped on the left with `…`, the caret under the `@`.
    let lines = out.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let at = try #require(lines.firstIndex { $0.contains("[L003]") })
    let shown = lines[at + 2], caret = lines[at + 3]
    #expect(shown.hasPrefix("13 | …1 + ") && shown.hasSuffix("+ @ 1"), "\(shown)")
    let caretColumn = try #require(caret.firstIndex(of: "^"))
    let atColumn = try #require(shown.firstIndex(of: "@"))
    #expect(caret.distance(from: caret.startIndex, to: caretColumn) == shown.distance(from: shown.startIndex, to: atColumn))
  }

  /// A megabyte of characters the lexer cannot read: errors stop at the parser's limit with a
  /// note, instead of a million diagnostics.
  @Test(.timeLimit(.minutes(5))) func aMegabyteOfUnreadableCharacters() {
    for text in [String(repeating: "@", count: 1 << 20), String(repeating: "@ \n", count: 300_000)] {
      let result = advCompile(utf8(text))
      #expect(result.diagnostics.filter(\.isError).count == Parser.maxErrors)
      #expect(result.diagnostics.filter { $0.code == "P009" }.count == 1)
    }
  }

  /// A long clause text and a wide caret are clipped too, keeping tabs so the caret lines up.
  @Test func diagnosticWindowKeepsTabsAndClipsTheCaret() throws {
    let file = SourceFile(name: "w.cov", text: "\t\tx = " + String(repeating: "y", count: 500) + "\n")
    let d = Diagnostic(code: "C001", message: "m", file: "w.cov", span: SourceSpan(6, 506))
    let text = DiagnosticRenderer.text(d, source: file)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[2] == "1 | \t\tx = " + String(repeating: "y", count: 140) + "…")
    #expect(lines[3] == "  | \t\t    " + String(repeating: "^", count: DiagnosticRenderer.maxCaret))
  }

  // MARK: - Empty and truncated files

  /// An empty file is not a covenant that asks nothing: `validate` and `check` reject it (C036).
  @Test func emptyCovenantFile() throws {
    #expect(advErrorCodes([]) == ["C036"])
    expectInvalid(try advCheck(covenant: [], snapshot: utf8(advSnapshot)), "C036")
    // Whitespace and comments only, and a BOM only: the same.
    expectInvalid(try advCheck(covenant: utf8("\n\r\n\t  # nothing here\n"), snapshot: utf8(advSnapshot)), "C036")
    expectInvalid(try advCheck(covenant: [0xEF, 0xBB, 0xBF], snapshot: utf8(advSnapshot)), "C036")
    let dir = try advTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let empty = try advWrite([], "empty.cov", in: dir)
    expectInvalid(Commands.run(["validate", empty]), "C036")
    // A header alone is a covenant still being written, not an empty file.
    #expect(!advErrorCodes(utf8("covenant \"Draft\" version 2026-01-01\n")).contains("C036"))
  }

  @Test func emptyJSONFile() throws {
    guard case .failure(let e) = JSONParser.parse([]) else {
      Issue.record("an empty file was accepted")
      return
    }
    #expect(e.code == "D008")
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: []), "D008")
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: utf8(" \n\t\r\n")), "D008")
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: [0xEF, 0xBB, 0xBF]), "D008")
  }

  @Test func truncatedJSON() throws {
    let whole = utf8(advSnapshot)
    // Every proper prefix of a valid document is an error with a code.
    for n in 1..<whole.count {
      guard case .failure(let e) = JSONParser.parse(Array(whole[..<n])) else {
        Issue.record("prefix of \(n) bytes was accepted")
        continue
      }
      #expect(!e.code.isEmpty && e.line >= 1 && e.column >= 1)
    }
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: Array(whole.dropLast())), "D002")
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: utf8(#"{"equity": 1"#)), "D002")
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: utf8(#"{"equity": "10"#)), "D002")
    // Truncated inside a multi-byte character: the incomplete character is reported first.
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: Array(utf8(#"{"equity": 1, "x": "§"#).dropLast())), "D003")
  }

  @Test func duplicateJSONKeys() throws {
    guard case .failure(let e) = JSONParser.parse(utf8(#"{"a": 1, "b": 2, "a": 3}"#)) else {
      Issue.record("duplicate keys were accepted")
      return
    }
    #expect(e.code == "D004")
    let dup = utf8(#"{"equity": 100, "equity": 200, "holdings": []}"#)
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: dup), "D004")
    // The same key spelled with an escape is the same key.
    let escaped = utf8(#"{"equity": 100, "\u0065quity": 200, "holdings": []}"#)
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: escaped), "D004")
    let nested = utf8(#"{"equity": 100, "holdings": [{"id": "a", "value": 1, "id": "b"}]}"#)
    expectInvalid(try advCheck(covenant: utf8(advCovenant), snapshot: nested), "D004")
  }

  // MARK: - Files that cannot be read

  @Test func covenantPathIsADirectory() throws {
    let dir = try advTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let s = try advWrite(utf8(advSnapshot), "portfolio.json", in: dir)
    expectInvalid(Commands.run(["check", dir.path, "--portfolio", s]), "A002")
    expectInvalid(Commands.run(["validate", dir.path]), "A002")
  }

  @Test func portfolioPathIsADirectory() throws {
    let dir = try advTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let c = try advWrite(utf8(advCovenant), "covenant.cov", in: dir)
    expectInvalid(Commands.run(["check", c, "--portfolio", dir.path]), "D010")
  }

  @Test func missingFiles() throws {
    let dir = try advTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let c = try advWrite(utf8(advCovenant), "covenant.cov", in: dir)
    let s = try advWrite(utf8(advSnapshot), "portfolio.json", in: dir)
    let missing = dir.appendingPathComponent("missing").path
    expectInvalid(Commands.run(["check", missing, "--portfolio", s]), "A002")
    expectInvalid(Commands.run(["check", c, "--portfolio", missing]), "D010")
    expectInvalid(Commands.run(["check", advExampleCovenant, "--portfolio", advExamplePortfolio, "--deal", missing + ".json"]), "D010")
  }

  @Test func unreadableFiles() throws {
    let dir = try advTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let c = try advWrite(utf8(advCovenant), "covenant.cov", in: dir)
    let s = try advWrite(utf8(advSnapshot), "portfolio.json", in: dir)
    let lockedCovenant = try advWrite(utf8(advCovenant), "locked.cov", in: dir)
    let lockedSnapshot = try advWrite(utf8(advSnapshot), "locked.json", in: dir)
    for path in [lockedCovenant, lockedSnapshot] {
      try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
    }
    defer {
      for path in [lockedCovenant, lockedSnapshot] {
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
      }
    }
    // As root, permissions do not stop reading: then the files are simply valid.
    guard !FileManager.default.isReadableFile(atPath: lockedCovenant) else {
      let out = Commands.run(["check", lockedCovenant, "--portfolio", lockedSnapshot])
      #expect(out.exitCode == ExitCode.compliant, "stderr: \(out.stderr.prefix(300))")
      return
    }
    expectInvalid(Commands.run(["check", lockedCovenant, "--portfolio", s]), "A002")
    expectInvalid(Commands.run(["check", c, "--portfolio", lockedSnapshot]), "D010")
  }
}
