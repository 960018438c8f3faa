import Testing
@testable import CovenantKit
@Test func versionIsSet() { #expect(!CovenantKitVersion.string.isEmpty) }
