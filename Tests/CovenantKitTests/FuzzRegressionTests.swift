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

// Inputs found by the libFuzzer targets in Fuzz/ (run with scripts/fuzz.sh), minimised with
// `scripts/fuzz.sh minimize TARGET CRASH`. Each test feeds its input through the same steps as
// the target that found it and asserts that a diagnostic with a code comes out, not a trap.

/// The `covenant` target (Fuzz/covenant.swift): compile, render every diagnostic, then format
/// and format the output again. Returns the codes of the diagnostics produced on the way.
private func fuzzCovenantEntry(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> (compile: [String], format: [String]) {
  let file = SourceFile(name: "fuzz.cov", bytes: bytes)
  let result = Checker.compile(file)
  #expect(result.covenant != nil || result.diagnostics.contains { $0.isError }, sourceLocation: sourceLocation)
  for d in result.diagnostics {
    #expect(!d.code.isEmpty, sourceLocation: sourceLocation)
    _ = DiagnosticRenderer.text(d, source: file, color: false)
    _ = DiagnosticRenderer.json(d, source: file).render()
  }
  var formatCodes: [String] = []
  switch Formatter.format(file) {
  case .failure(let ds):
    formatCodes = ds.list.map(\.code)
    #expect(!formatCodes.isEmpty && formatCodes.allSatisfy { !$0.isEmpty }, sourceLocation: sourceLocation)
  case .success(let once):
    switch Formatter.format(SourceFile(name: "fuzz.cov", text: once)) {
    case .failure(let ds):
      Issue.record("formatting the formatter's output failed: \(ds.list.map(\.code))", sourceLocation: sourceLocation)
    case .success(let twice):
      #expect(twice == once, "the formatter is not idempotent", sourceLocation: sourceLocation)
    }
  }
  return (result.diagnostics.map(\.code), formatCodes)
}

@Suite struct FuzzRegressionTests {
  /// covenant target, crash-ce3ed0bb8592577a63edee294a8e7b3d8c23c988, minimised to 39 bytes:
  /// `§3""` then 38 `-` then `t`. The negation chain parses (depth 38 < Parser.maxDepth), but
  /// the formatter used to write each inner negation as `-(…)`, and the parentheses pushed the
  /// output past Parser.maxDepth when it was parsed again (F001 from 33 nested negations on).
  /// It now writes `- -t`, which parses to the same tree at the same depth.
  @Test func formatterDeepNegationChain() throws {
    let minimized: [UInt8] = [0xC2, 0xA7] + Array("3\"\"".utf8) + Array(repeating: UInt8(ascii: "-"), count: 38) + [UInt8(ascii: "t")]
    let parsed = Parser.parse(SourceFile(name: "fuzz.cov", bytes: minimized))
    #expect(!parsed.diagnostics.contains { $0.isError }, "the input itself parses")
    #expect(fuzzCovenantEntry(minimized).format.isEmpty)

    // As a clause a user could write: formatted, and the output means the same.
    for n in [1, 2, 32, 33, 60, 90] {
      let source = "§1 \"Chain\"\n  " + String(repeating: "-", count: n) + "1 < 0\n"
      #expect(fuzzCovenantEntry(Array(source.utf8)).format.isEmpty, "\(n)")
      guard case .success(let once) = Formatter.format(SourceFile(name: "c.cov", text: source)) else { continue }
      let before = Parser.parse(SourceFile(name: "c.cov", text: source)).covenant
      let after = Parser.parse(SourceFile(name: "c.cov", text: once)).covenant
      #expect(SpanInsensitive.equal(before as Any, after as Any), "\(n): \(once)")
    }
  }
}

/// The `fmt` target's finding (2026-11-30): a report quotes a condition as written, so
/// `deal.amount > $0 billion` is quoted `$0 billion` before formatting and `$0` after. Decided:
/// the quotation shows the file as it is; verdicts, figures and every other byte stay the same.
/// The fmt target compares the reports with those quotations masked (ReportComparison), as here.
@Suite struct FormattingPreservesReportsTests {
  @Test func aQuotedConditionIsTheOnlyDifference() throws {
    let cov = prelude + """
      §1 "deal size"
        applies when deal.amount > $0 billion
        deal.amount <= 25% of nav

      """
    let formatted = try Formatter.format(SourceFile(name: "test.cov", text: cov)).get()
    #expect(!formatted.contains("$0 billion"), "the formatter writes a money literal from its value")
    let snap = snapshotJSON([("H1", "power", "US", "600"), ("H2", "logistics", "US", "400")])
    let deal = #"{"id": "D1", "sector": "power", "domicile": "US", "amount": 400}"#
    let (r1, c1) = try run(cov, snapshot: snap, deal: deal)
    let (r2, c2) = try run(formatted, snapshot: snap, deal: deal)
    let a = CheckReport.json(r1, covenant: c1).render(), b = CheckReport.json(r2, covenant: c2).render()
    #expect(a.contains("deal.amount > $0 billion (") && b.contains("deal.amount > $0 ("), "the quotations differ as the files do")
    #expect(a != b)
    let ma = ReportComparison.maskingCovenantQuotations(a), mb = ReportComparison.maskingCovenantQuotations(b)
    #expect(ma == mb)
    #expect(ma.contains("\"verdict\": \"breach\"") && ma.contains("\"applies\": ["), "verdicts are still compared")
    // A changed figure is not masked away.
    #expect(ReportComparison.maskingCovenantQuotations(a.replacingOccurrences(of: "\"$400\"", with: "\"$401\"")) != ma)
    #expect(verdict(r1, "1") == .breach && verdict(r2, "1") == .breach)  // pro forma, $400 of $1,400 is over 25%
  }
}

/// Review findings of issue 15 in the front end.
@Suite struct FrontEndReviewTests {
  @Test func aBackslashBeforeAMultiByteCharacterIsNotInvalidUTF8() {
    #expect(errorCodes("covenant \"x\"\ndefine t = \"caf\\é\"\n").isEmpty)
  }

  @Test func anEscapedNULIsRefusedByValidateAndFmtAlike() {
    let src = "covenant \"x\"\ndefine t=\"\\\u{0}\"\n"
    #expect(compile(src).diagnostics.map(\.code).contains("L002"))
    guard case .failure = Formatter.format(SourceFile(name: "x.cov", text: src)) else {
      Issue.record("fmt formatted a covenant that validate refuses")
      return
    }
  }

  @Test func duplicateNamesReadGrammatically() {
    let src = prelude.replacingOccurrences(of: "value = deal.amount, debt = deal.debt", with: "value = deal.amount, value = deal.amount")
    let d = compile(src).diagnostics
    #expect(d.contains { $0.message.contains("(as an assignment)") }, "\(d.map(\.message))")
  }

  @Test func theWeightHelpSuggestsWhatParses() throws {
    let d = compile(prelude + "party a \"A\" weight $5\n").diagnostics.first { $0.code == "C031" }
    let help = try #require(d?.help)
    #expect(help.contains("`weight 3`") && !help.contains("votes"))
  }
}
