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

/// The command line as CI uses it: exit codes, and each machine-readable format.
@Suite(.serialized) struct CommandTests {
  static let cov = "examples/us-japan-fund/covenant.cov"
  static let portfolio = "examples/us-japan-fund/portfolio.json"
  static let broken = "Tests/CovenantKitTests/Golden/fixtures/broken.cov"
  static let failingTests = "Tests/CovenantKitTests/Golden/fixtures/failing.covtest"

  @Test func exitCodesForUsageErrors() {
    #expect(runCommand([]).exitCode == 2)
    #expect(runCommand(["chek"]).stderr.contains("did you mean `check`?"))
    #expect(runCommand(["check", Self.cov]).exitCode == 2)  // no --portfolio
    #expect(runCommand(["check", Self.cov, "--portfolio"]).exitCode == 2)
    #expect(runCommand(["check", Self.cov, "--portfolio", Self.portfolio, "--format", "xml"]).exitCode == 2)
    #expect(runCommand(["check", Self.cov, "--portfolio", Self.portfolio, "--frmat", "json"]).stderr.contains("did you mean `--format`?"))
    #expect(runCommand(["check", Self.cov, "--portfolio", "no-such.json"]).exitCode == 2)
    #expect(runCommand(["validate"]).exitCode == 2)
    #expect(runCommand(["help"]).exitCode == 0)
  }

  @Test func invalidCovenantNeverLooksLikeAPass() throws {
    let out = runCommand(["check", Self.broken, "--portfolio", Self.portfolio, "--format", "json"])
    #expect(out.exitCode == 2)
    let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
    #expect(object?["verdict"] as? String == "invalid")
    #expect(out.stderr.contains("error[C002]"))
  }

  @Test func validateText() {
    let out = runCommand(["validate", Self.broken, Self.cov])
    #expect(out.exitCode == 2)
    assertGolden(out.stderr, "validate/broken.txt")
    #expect(runCommand(["validate", Self.cov]).exitCode == 0)
  }

  /// One of each drafting mistake (grammar.md, the drafting checker), as `validate` reports them.
  @Test func validateFindsDraftingMistakes() {
    let out = runCommand(["validate", "Tests/CovenantKitTests/Golden/fixtures/drafting.cov"])
    #expect(out.exitCode == 2)
    assertGolden(out.stderr, "validate/drafting.txt")
    for code in ["C070", "C071", "C072", "C073", "C074", "C075", "C076", "C077"] {
      #expect(out.stderr.contains("[\(code)]"), "no \(code)")
    }
  }

  @Test(arguments: ["sarif", "github", "junit", "json"]) func validateFormats(_ format: String) {
    let out = runCommand(["validate", Self.broken, "--format", format])
    #expect(out.exitCode == 2)
    assertGolden(out.stdout, "validate/broken.\(format)")
  }

  @Test(arguments: ["sarif", "github", "junit"]) func checkFormats(_ format: String) {
    let out = runCommand(["check", Self.cov, "--portfolio", Self.portfolio, "--deal", "examples/us-japan-fund/deals/sector-cap.json", "--format", format])
    #expect(out.exitCode == 1)
    assertGolden(out.stdout, "check/sector-cap.\(format)")
  }

  @Test(arguments: ["text", "junit", "sarif", "github"]) func testFormats(_ format: String) {
    let out = runCommand(["test", Self.failingTests, "--format", format])
    #expect(out.exitCode == 1)
    assertGolden(out.stdout, "test/failing.\(format == "text" ? "txt" : format)")
    if format == "text" { #expect(out.stdout.hasSuffix("1 passed, 1 failed\n")) }
  }

  @Test func exampleTestsPass() {
    let out = runCommand(["test", "examples"])
    #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
    #expect(out.stdout.contains(" passed, 0 failed"))
  }

  @Test func invalidTestFileIsExitTwo() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("covtest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "covenant \"missing.cov\"\ntest \"x\"\n  expect banana\n".write(to: dir.appendingPathComponent("a.covtest"), atomically: true, encoding: .utf8)
    let out = Commands.run(["test", dir.path])
    #expect(out.exitCode == 2)
    #expect(out.stderr.contains("T006"))
    #expect(Commands.run(["test", dir.appendingPathComponent("none").path]).exitCode == 2)
  }

  /// The SARIF 2.1.0 schema's required properties, checked on every result.
  @Test func sarifHasTheRequiredStructure() throws {
    let out = runCommand(["check", Self.cov, "--portfolio", Self.portfolio, "--deal", "examples/us-japan-fund/deals/over-leverage.json", "--format", "sarif"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    #expect(root["version"] as? String == "2.1.0")
    let runs = try #require(root["runs"] as? [[String: Any]])
    #expect(runs.count == 1)
    let driver = (runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any]
    #expect(driver?["name"] as? String == "covenant")
    let rules = driver?["rules"] as? [[String: Any]] ?? []
    let results = try #require(runs[0]["results"] as? [[String: Any]])
    #expect(!results.isEmpty)
    for r in results {
      #expect((r["message"] as? [String: Any])?["text"] is String)
      #expect(["error", "warning", "note", "none"].contains(r["level"] as? String ?? ""))
      let id = r["ruleId"] as? String
      #expect(rules.contains { $0["id"] as? String == id })
      let loc = (r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
      #expect((loc?["artifactLocation"] as? [String: Any])?["uri"] is String)
      let region = loc?["region"] as? [String: Any]
      #expect((region?["startLine"] as? Int ?? 0) >= 1)
    }
  }
}
