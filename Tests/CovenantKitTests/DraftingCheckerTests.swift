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

@Suite struct DraftingCheckerTests {
  static let prelude = """
    covenant "T" version 1
    kind sector = power | logistics
    record holding
      sector : sector
      value  : money
      ltv    : percent
    data fund from snapshot
      equity   : money
      holdings : list of holding
    data deal from deal
      amount : money
      sector : sector
    define nav = sum of holdings.value

    """

  func codes(_ body: String) -> [String] {
    compile(Self.prelude + body).diagnostics.filter { !["C076", "C077"].contains($0.code) }.map(\.code)
  }

  @Test func capOnAPartAboveTheWholeIsAnError() {
    let r = compile(Self.prelude + "§4.4 \"Sector\"\n  for each sector:\n    sum of holdings.value where sector = that sector <= 135% of nav\n")
    #expect(r.diagnostics.first { $0.code == "C070" }?.message.contains("in §4.4") == true, "\(r.diagnostics)")
    #expect(r.covenant == nil)
    #expect(codes("§1 \"x\"\n  sum of holdings.value where sector = power <= 120% of sum of holdings.value\n") == ["C070"])
    #expect(codes("§1 \"x\"\n  (sum of holdings.value where sector = power) / nav <= 150%\n") == ["C070"])
  }

  @Test func nearMissesAreNotFlagged() {
    #expect(codes("§1 \"x\"\n  every h in holdings: h.ltv <= 120%\n") == [])
    #expect(codes("§1 \"x\"\n  nav <= 200% of fund.equity\n") == [])
    #expect(codes("§1 \"x\"\n  sum of holdings.value where sector = power <= 35% of nav\n") == [])
  }

  @Test func floorBelowZeroWarns() {
    #expect(codes("§1 \"x\"\n  share of holdings.value where sector = power >= -5%\n") == ["C071"])
    #expect(codes("§1 \"x\"\n  nav >= -$5m\n") == ["C071"])
    #expect(codes("§1 \"x\"\n  every h in holdings: h.ltv >= -5%\n") == [])
  }

  @Test func warnAtOrAboveBeyondTheLimitIsC022() {
    #expect(codes("§1 \"x\"\n  nav <= $5bn\n  warn at or above 110% of the limit\n").contains("C022"))
  }

  @Test func conditionsThatNeverOrAlwaysHold() {
    #expect(codes("§1 \"x\"\n  applies when deal.amount > $10bn and deal.amount < $5bn\n  nav <= $5bn\n") == ["C072"])
    #expect(codes("§1 \"x\"\n  applies when deal.amount >= $0\n  nav <= $5bn\n") == ["C073"])
    #expect(codes("§1 \"x\"\n  applies when deal.amount > $5bn and deal.amount < $10bn\n  nav <= $5bn\n") == [])
  }

  @Test func contradictoryAndRedundantRequirementsAcrossClauses() {
    let share = "share of holdings.value where sector = power"
    #expect(codes("§1 \"a\"\n  \(share) >= 40%\n§2 \"b\"\n  \(share) <= 35%\n") == ["C074"])
    #expect(codes("§1 \"a\"\n  \(share) >= 10%\n§2 \"b\"\n  \(share) <= 35%\n") == [])
    #expect(codes("§1 \"a\"\n  \(share) <= 35%\n  waivable by treasury\n§2 \"b\"\n  \(share) <= 40%\n").filter { $0 == "C075" } == [])
    // Not waivable: the 40% cap can never decide anything.
    let redundant = compile(Self.prelude + "§1 \"a\"\n  \(share) <= 35%\n§2 \"b\"\n  \(share) <= 40%\n").diagnostics.filter { $0.code == "C075" }
    #expect(redundant.count == 1)
    #expect(redundant.first?.message.contains("`share of holdings.value where sector = power <= 40%` is redundant") == true, "\(redundant.map(\.message))")
  }

  @Test func unusedDefinitionsAndFields() {
    let d = compile(Self.prelude + "define unused = fund.equity\n§1 \"x\"\n  nav <= $5bn\n").diagnostics
    #expect(d.contains { $0.code == "C076" && $0.message.contains("`unused`") && $0.severity == .note })
    #expect(d.contains { $0.code == "C077" && $0.message.contains("`ltv`") })
    #expect(!d.contains { $0.code == "C077" && $0.message.contains("`value`") })
  }

  @Test func examplesHaveNoDraftingErrors() throws {
    for name in ["us-japan-fund", "pacific-infra-fund", "bench"] {
      let url = repositoryRoot.appendingPathComponent("examples/\(name)/covenant.cov")
      let r = Checker.compile(SourceFile(name: "covenant.cov", bytes: try [UInt8](Data(contentsOf: url))))
      #expect(r.diagnostics.filter { $0.severity != .note }.isEmpty, "\(name): \(r.diagnostics.map(\.message))")
    }
  }
}
