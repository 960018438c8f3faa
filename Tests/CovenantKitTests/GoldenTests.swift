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

/// Compares `actual` with the golden file, or rewrites it when COVENANT_UPDATE_GOLDEN is set.
/// Review every change to a golden file: it is the expected report a user sees.
func assertGolden(_ actual: String, _ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let url = repositoryRoot.appendingPathComponent("Tests/CovenantKitTests/Golden").appendingPathComponent(relativePath)
  if ProcessInfo.processInfo.environment["COVENANT_UPDATE_GOLDEN"] != nil {
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? actual.write(to: url, atomically: true, encoding: .utf8)
    return
  }
  guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
    Issue.record("missing golden file \(relativePath); run with COVENANT_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
    return
  }
  if expected != actual {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
    Issue.record("""
      \(relativePath) differs at line \(first + 1):
        expected: \(first < e.count ? String(e[first]) : "<end>")
        actual:   \(first < a.count ? String(a[first]) : "<end>")
      """, sourceLocation: sourceLocation)
  }
}

/// Runs the command with paths relative to the repository root, as a user would from a checkout.
/// The root is the command's working directory: the process's own is never changed, so tests
/// run in parallel.
func runCommand(_ args: [String], env: CommandEnvironment = CommandEnvironment()) -> CommandOutput {
  var e = env
  e.workingDirectory = repositoryRoot.path
  return Commands.run(args, env: e)
}

@Suite struct GoldenTests {
  static let example = "examples/us-japan-fund"
  static let deals: [(String, Int32)] = [
    ("compliant", 0), ("foreign-target", 1), ("sector-cap", 1), ("over-leverage", 1),
    ("major-approved", 0), ("major-one-sponsor", 1), ("supermajority-short", 1),
    ("waived-cap", 0), ("expired-waiver", 1),
  ]

  @Test func snapshotReport() {
    let out = runCommand(["check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json"])
    #expect(out.exitCode == 0)
    assertGolden(out.stdout + "--- exit code \(out.exitCode)\n", "check/snapshot.txt")
  }

  @Test(arguments: deals.map(\.0)) func dealReport(_ deal: String) {
    let expectedExit = Self.deals.first { $0.0 == deal }?.1
    let out = runCommand([
      "check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json",
      "--deal", "\(Self.example)/deals/\(deal).json",
    ])
    #expect(out.exitCode == expectedExit, "\(out.stderr)")
    #expect(out.stderr.isEmpty)
    assertGolden(out.stdout + "--- exit code \(out.exitCode)\n", "check/\(deal).txt")
  }

  /// The second example: another administrator's shapes (yen amounts, FX quoted per dollar,
  /// investors in the snapshot, ballots as a list, exceptions with windows).
  static let pacific = "examples/pacific-infra-fund"
  static let pacificDeals: [(String, Int32)] = [
    ("compliant", 0), ("class-cap", 1), ("class-cap-excepted", 0), ("exception-lapsed", 1), ("no-quorum", 1),
    ("two-thirds", 0), ("cfius-pending", 1), ("large-one-sponsor", 1), ("follow-on", 0), ("coinvest", 0),
  ]

  @Test(arguments: pacificDeals.map(\.0)) func pacificDealReport(_ deal: String) {
    let out = runCommand([
      "check", "\(Self.pacific)/covenant.cov", "--portfolio", "\(Self.pacific)/portfolio.json",
      "--deal", "\(Self.pacific)/deals/\(deal).json",
    ])
    #expect(out.exitCode == Self.pacificDeals.first { $0.0 == deal }?.1, "\(out.stderr)")
    #expect(out.stderr.isEmpty)
    assertGolden(out.stdout + "--- exit code \(out.exitCode)\n", "check/pacific/\(deal).txt")
  }

  /// The third example: two voting bodies and consent exceptions (a vote with the chair's
  /// casting vote, a conflicted chair, a limit lifted by consent), in text and JSON.
  static let harbour = "examples/harbour-growth-fund"
  static let harbourDeals: [(String, Int32)] = [("consent-by-lpac", 0), ("chair-conflicted", 1), ("non-us-lifted", 0), ("consent-lapsed", 1)]

  @Test(arguments: harbourDeals.map(\.0)) func harbourDealReport(_ deal: String) {
    let out = runCommand([
      "check", "\(Self.harbour)/covenant.cov", "--portfolio", "\(Self.harbour)/portfolio.json",
      "--deal", "\(Self.harbour)/deals/\(deal).json",
    ])
    #expect(out.exitCode == Self.harbourDeals.first { $0.0 == deal }?.1, "\(out.stderr)")
    #expect(out.stderr.isEmpty)
    assertGolden(out.stdout + "--- exit code \(out.exitCode)\n", "check/harbour/\(deal).txt")
  }

  @Test func harbourJSONReport() {
    let out = runCommand([
      "check", "\(Self.harbour)/covenant.cov", "--portfolio", "\(Self.harbour)/portfolio.json",
      "--deal", "\(Self.harbour)/deals/consent-by-lpac.json", "--format", "json",
    ])
    #expect(out.exitCode == 0)
    assertGolden(out.stdout, "check/harbour/consent-by-lpac.json")
  }

  @Test func jsonReport() throws {
    let out = runCommand([
      "check", "\(Self.example)/covenant.cov", "--portfolio", "\(Self.example)/portfolio.json",
      "--deal", "\(Self.example)/deals/sector-cap.json", "--format", "json",
    ])
    #expect(out.exitCode == 1)
    assertGolden(out.stdout, "check/sector-cap.json")
    // It is JSON a program can read, with the fields the README promises.
    let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
    #expect(object?["verdict"] as? String == "breach")
    let clauses = object?["clauses"] as? [[String: Any]] ?? []
    #expect(clauses.count >= 12)
    for c in clauses {
      #expect(c["id"] is String && c["title"] is String && c["verdict"] is String)
    }
  }
}
