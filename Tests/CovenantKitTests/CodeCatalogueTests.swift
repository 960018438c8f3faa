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

/// Holds the message catalogues to their promise, reading the Sources tree: every code of the
/// registry (and so of grammar.md's table) is built by exactly one constructor of exactly one
/// catalogue (`*Diagnostics.swift`), and no other source file names a code.
@Suite struct CodeCatalogueTests {
  static let sources = repositoryRoot.appendingPathComponent("Sources")
  static let registry = "CovenantReporting/DiagnosticCodes.swift"

  /// Every `.swift` file under Sources, by path relative to it.
  static func sourceFiles() throws -> [(path: String, text: String)] {
    let enumerator = FileManager.default.enumerator(atPath: sources.path)
    var files: [(String, String)] = []
    while let path = enumerator?.nextObject() as? String {
      guard path.hasSuffix(".swift") else { continue }
      files.append((path, try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)))
    }
    return files.sorted { $0.0 < $1.0 }
  }

  /// Quoted code literals (`"C001"`) in a text, in order.
  static func codeLiterals(_ text: String) -> [String] {
    let letters = Set("ACDEFPTLW")
    let s = Array(text)
    var out: [String] = []
    var i = 0
    while i + 5 < s.count {
      if s[i] == "\"", letters.contains(s[i + 1]), s[i + 2...i + 4].allSatisfy(\.isASCII), s[i + 2...i + 4].allSatisfy(\.isNumber), s[i + 5] == "\"" {
        out.append(String(s[i + 1...i + 4]))
        i += 6
      } else {
        i += 1
      }
    }
    return out
  }

  static func isCatalogue(_ path: String) -> Bool { path.hasSuffix("Diagnostics.swift") }

  @Test func noCodeLiteralOutsideTheCatalogues() throws {
    var found: [String: Int] = [:]
    for (path, text) in try Self.sourceFiles() where !Self.isCatalogue(path) && path != Self.registry {
      let n = Self.codeLiterals(text).count
      if n > 0 { found[path] = n }
    }
    #expect(found.isEmpty, "code literals outside the catalogues: \(found.sorted { $0.key < $1.key })")
  }

  /// The constructors of every catalogue: each `static func` and the codes its body names.
  static func constructors() throws -> [(file: String, name: String, codes: [String], text: String)] {
    var out: [(String, String, [String], String)] = []
    for (path, text) in try sourceFiles() where isCatalogue(path) {
      let parts = text.components(separatedBy: "static func ")
      for part in parts.dropFirst() {
        let name = String(part.prefix { $0 != "(" })
        out.append((path, name, codeLiterals(part), part))
      }
      // A code outside any constructor would be a second source of the code.
      #expect(codeLiterals(parts[0]).isEmpty, "\(path): a code before its first constructor")
    }
    return out
  }

  @Test func everyCodeHasExactlyOneConstructor() throws {
    let ctors = try Self.constructors()
    var owner: [String: [String]] = [:]
    for c in ctors {
      // One constructor, one code: its variants may repeat the code, never name another.
      #expect(Set(c.codes).count <= 1, "\(c.file) \(c.name) builds several codes: \(Set(c.codes).sorted())")
      for code in Set(c.codes) { owner[code, default: []].append("\(c.file) \(c.name)") }
    }
    for (code, owners) in owner {
      #expect(owners.count == 1, "\(code) is built by \(owners)")
    }
    // The catalogues and the registry (`covenant explain`) know the same codes.
    let registered = Set(DiagnosticCodes.all.filter { !$0.summary.hasPrefix("retired") }.map(\.code))
    let catalogued = Set(owner.keys)
    #expect(catalogued.subtracting(registered).isEmpty, "catalogued but not registered: \(catalogued.subtracting(registered).sorted())")
    #expect(registered.subtracting(catalogued).isEmpty, "registered but built nowhere: \(registered.subtracting(catalogued).sorted())")
    // grammar.md's table is the registry's (retired codes aside).
    #expect(Set(try CodeCoverageTests.documentedCodes()) == registered)
  }

  /// A catalogue states each message's severity next to its code (`.init("P009", .note, …)`); the
  /// JSON reader's messages have none and are errors. The registry marks the severity in the
  /// summary (`warning: …`, `note: …`, `… (note)`); both must agree.
  @Test func severitiesAgreeWithTheRegistry() throws {
    for c in try Self.constructors() {
      for code in Set(c.codes) {
        let summary = try #require(DiagnosticCodes.entry(code)).summary
        let registered = summary.hasPrefix("note:") || summary.hasSuffix("(note)") ? "note" : summary.hasPrefix("warning:") ? "warning" : "error"
        var stated = Set(["error", "warning", "note"].filter { c.text.contains("\"\(code)\", .\($0)") })
        if c.file.hasPrefix("CovenantJSON/") { stated = ["error"] }
        #expect(stated == [registered], "\(code) (\(c.name)): catalogue says \(stated.sorted()), registry \(registered)")
      }
    }
  }

  @Test func literalScannerFindsCodes() {
    #expect(Self.codeLiterals(#"x("C001", "D1", "P0099", "T007")"#) == ["C001", "T007"])
  }
}
