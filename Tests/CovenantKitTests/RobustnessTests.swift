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

@Suite(.serialized) struct RobustnessTests {
  /// Nested aggregates that do not depend on the element are computed once per evaluation, so a
  /// covenant over 20,000 holdings with an aggregate inside a `where` stays linear.
  @Test(.timeLimit(.minutes(5))) func nestedInvariantAggregatesStayLinear() throws {
    let n = 20_000
    let holdings = (0..<n).map { ("H\($0)", $0 % 2 == 0 ? "power" : "logistics", "US", "\(1 + $0 % 97)") }
    let cov = prelude + """
      §1 "x"
        count of holdings where value > average of holdings.value and value < max of holdings.value <= 20000
      §2 "y"
        every h in holdings where h.value > average of holdings.value: h.value >= min of holdings.value
      §3 "z"
        for each sector:
          sum of holdings.value where sector = that sector and value > average of holdings.value <= nav

      """
    let (r, _) = try run(cov, snapshot: snapshotJSON(holdings))
    #expect(r.clauses.allSatisfy { $0.verdict == .pass })
  }

  @Test func aggregatesThatWouldBeQuadraticAreRefused() {
    let cov = prelude + """
      §1 "x"
        every h in holdings: (sum of holdings.value where sector = h.sector) <= nav

      """
    #expect(errorCodes(cov) == ["C017"])
  }

  @Test func outputIsByteIdenticalRunToRun() {
    for format in ["text", "json", "sarif", "junit", "github"] {
      let args = ["check", "examples/us-japan-fund/covenant.cov", "--portfolio", "examples/us-japan-fund/portfolio.json",
                  "--deal", "examples/us-japan-fund/deals/sector-cap.json", "--format", format]
      let a = runCommand(args), b = runCommand(args)
      #expect(a.stdout == b.stdout && a.stderr == b.stderr && a.exitCode == b.exitCode)
    }
  }

  /// The real binary under another locale prints the same bytes.
  @Test func outputDoesNotDependOnLocale() throws {
    // Not found is a recorded failure, never a silent skip.
    guard let binary = covenantBinary() else { return }
    func runBinary(_ lang: String) throws -> (String, Int32) {
      let p = Process()
      p.executableURL = binary
      p.currentDirectoryURL = repositoryRoot
      p.arguments = ["check", "examples/us-japan-fund/covenant.cov", "--portfolio", "examples/us-japan-fund/portfolio.json",
                     "--deal", "examples/us-japan-fund/deals/supermajority-short.json", "--format", "json"]
      p.environment = ["LANG": lang, "LC_ALL": lang, "PATH": "/usr/bin:/bin"]
      let pipe = Pipe()
      p.standardOutput = pipe
      p.standardError = FileHandle.nullDevice
      try p.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      return (String(decoding: data, as: UTF8.self), p.terminationStatus)
    }
    let c = try runBinary("C")
    let ja = try runBinary("ja_JP.UTF-8")
    let de = try runBinary("de_DE.UTF-8")
    #expect(c.1 == 1)
    #expect(c == ja && c == de)
  }
}

@Suite struct DepthTests {
  /// The deepest expressions the parser accepts are checked, evaluated and freed without
  /// exhausting a test thread's stack; one level more is a diagnostic.
  @Test func deepestAcceptedExpressionsRunToTheEnd() throws {
    let nested = String(repeating: "(", count: 45) + "nav" + String(repeating: " + $1)", count: 45)
    let chain = "nav" + String(repeating: " + $0", count: 95)
    let notChain = String(repeating: "not ", count: 96) + "(nav > $0)"
    let cov = prelude + "§1 \"a\"\n  \(nested) > $0\n§2 \"b\"\n  \(chain) > $0\n§3 \"c\"\n  \(notChain)\n"
    let (r, _) = try run(cov, snapshot: snapshotJSON([("H1", "power", "US", "10")]))
    #expect(r.clauses.map(\.verdict) == [.pass, .pass, .pass])
  }

  @Test(arguments: [
    "nav" + String(repeating: " + $1", count: 10_000) + " > $0",
    String(repeating: "not ", count: 10_000) + "true",
    "nav > $0" + String(repeating: " and nav > $0", count: 10_000),
    "fund" + String(repeating: ".equity", count: 10_000) + " > $0",
  ]) func longChainsAreADiagnostic(_ requirement: String) {
    #expect(errorCodes(prelude + "§1 \"x\"\n  " + requirement + "\n").contains("P003"))
  }

  @Test func recursiveRecordsAreRefused() {
    #expect(errorCodes("record node\n  child : node\n  kids : list of node\n").contains("C009"))
  }
}
