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
/// The version is MAJOR.MINOR.PATCH and is what `covenant --version` and SARIF's tool entry say.
@Test func versionIsSet() {
  let v = CovenantKitVersion.string
  let parts = v.split(separator: ".", omittingEmptySubsequences: false)
  #expect(parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }, "not MAJOR.MINOR.PATCH: \(v)")
  #expect(Commands.run(["--version"]).stdout == "covenant \(v)\n")
  let sarif = CIFormats.sarif([])
  #expect(sarif.contains("\"version\": \"\(v)\""), "SARIF's tool entry does not carry the version")
}
