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

/// `covenant fmt` as a user runs it: nothing is ever lost or half-written.
@Suite struct FmtCommandTests {
  let messy = "covenant \"T\"\nrecord holding\n  value:money\ndata fund from snapshot\n  holdings : list of holding\n§1 \"x\"\n  sum of holdings.value   ≤ $5   # cap\n"

  func tempDir() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fmt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test func writeRewritesAtomicallyAndKeepsPermissions() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("c.cov")
    try messy.write(to: file, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
    let check = Commands.run(["fmt", "--check", file.path])
    #expect(check.exitCode == 1)
    #expect(check.stdout.contains("-  sum of holdings.value   ≤ $5   # cap"))
    let write = Commands.run(["fmt", "--write", file.path])
    #expect(write.exitCode == 0, "\(write.stderr)")
    let after = try String(contentsOf: file, encoding: .utf8)
    #expect(after != messy)
    #expect(after.contains("# cap"))
    let perms = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
    #expect(perms == 0o640)
    #expect(Commands.run(["fmt", "--check", file.path]).exitCode == 0)
    // Nothing else was written in the directory.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["c.cov"])
  }

  @Test func unparsableFileIsLeftByteForByte() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("bad.cov")
    let bytes = Data("§1 \"x\"\n  nav <= (\n\u{0}\r\n".utf8)
    try bytes.write(to: file)
    let out = Commands.run(["fmt", "--write", file.path])
    #expect(out.exitCode == 2)
    #expect(out.stderr.contains("left unchanged"))
    #expect(try Data(contentsOf: file) == bytes)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad.cov"])
  }

  @Test func aFailureBetweenWriteAndRenameLosesNothing() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("c.cov")
    try messy.write(to: file, atomically: false, encoding: .utf8)
    struct Crash: Error {}
    #expect(throws: AtomicFile.Failure.self) {
      try AtomicFile.replace(file.path, with: Array("new".utf8)) { throw Crash() }
    }
    #expect(try String(contentsOf: file, encoding: .utf8) == messy)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["c.cov"])
  }

  @Test func missingFileAndDirectoryAreExitTwo() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(Commands.run(["fmt", dir.path]).exitCode == 2)
    #expect(Commands.run(["fmt", dir.appendingPathComponent("none.cov").path]).exitCode == 2)
    #expect(Commands.run(["fmt", "--check", "--write", "x.cov"]).exitCode == 2)
  }

  @Test func exampleCovenantsAreFormatted() {
    let out = runCommand(["fmt", "--check", "examples/us-japan-fund/covenant.cov"])
    #expect(out.exitCode == 0, "\(out.stdout)")
  }
}
