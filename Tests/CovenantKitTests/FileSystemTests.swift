import Foundation
import Testing
@testable import CovenantData

// Files and paths are read without Foundation (it is not linked into the executable, for
// start-up); the results must be those of the Foundation calls they replace.
@Suite struct FileSystemTests {
  static let paths = [
    "", "/", "//", "///", "//a", "a", "a/", "a//", "/a", "/a/", "a/b", "a/b/", "a//b", "/a/b", "//a//b//", "./x", "../x", "x.json",
    "deals/d1.json", "/tmp/x/y.covtest", "é/ü", "a/./b", "a/../b",
  ]

  @Test func pathRulesMatchFoundation() {
    for p in Self.paths {
      #expect(FileSystem.lastComponent(p) == (p as NSString).lastPathComponent, "last of \(p.debugDescription)")
      // Foundation traps on a relative path of one component ("a", "a/"): covenant says "".
      if FileSystem.fixingSlashes(p).contains("/") {
        #expect(FileSystem.deletingLastComponent(p) == (p as NSString).deletingLastPathComponent, "directory of \(p.debugDescription)")
      }
      for c in ["", "y", "y/", "/y", "z.json", "b/c"] {
        #expect(FileSystem.appending(c, to: p) == (p as NSString).appendingPathComponent(c), "\(p.debugDescription) + \(c.debugDescription)")
      }
    }
    #expect(FileSystem.deletingLastComponent("a") == "")
    #expect(FileSystem.deletingLastComponent("a/") == "")
  }

  @Test func standardizingMatchesFoundation() throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/real/sub", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/real")
    try FileManager.default.createSymbolicLink(atPath: dir + "/rel", withDestinationPath: "real/sub")
    for p in Self.paths + [dir + "/link/sub/x.cov", dir + "/rel/../y", dir + "/real/./sub//z/", dir + "/a/../../b", "lnk/x", "~", "~/x.cov"] {
      #expect(FileSystem.standardizing(p) == (p as NSString).standardizingPath, "\(p.debugDescription)")
    }
  }

  @Test func filesMatchFoundation() throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir + "/d/.hidden/e", withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/d/a.json"))
    try Data().write(to: URL(fileURLWithPath: dir + "/d/empty.json"))
    try Data(repeating: 7, count: 200_000).write(to: URL(fileURLWithPath: dir + "/d/.hidden/e/big.covtest"))
    try fm.createSymbolicLink(atPath: dir + "/d/loop", withDestinationPath: dir + "/d")
    for p in ["/d", "/d/a.json", "/d/empty.json", "/d/missing", "/d/loop", "/d/.hidden/e/big.covtest"] {
      var isDir: ObjCBool = false
      let exists = fm.fileExists(atPath: dir + p, isDirectory: &isDir)
      let kind = FileSystem.kind(of: dir + p)
      #expect(kind == (exists ? (isDir.boolValue ? .directory : .file) : nil), "\(p)")
      #expect(FileSystem.contents(of: dir + p) == fm.contents(atPath: dir + p).map { [UInt8]($0) }, "\(p)")
    }
    #expect(FileSystem.names(in: dir + "/d")?.sorted() == (try fm.contentsOfDirectory(atPath: dir + "/d")).sorted())
    #expect(FileSystem.names(in: dir + "/missing") == nil)
    var expected: [String] = []
    let e = fm.enumerator(atPath: dir + "/d")
    while let rel = e?.nextObject() as? String { expected.append(rel) }
    #expect(FileSystem.walk(dir + "/d").sorted() == expected.sorted())
    #expect(FileSystem.currentDirectory() == fm.currentDirectoryPath)
  }

  static func scratch() throws -> String {
    let dir = NSTemporaryDirectory() + "covenant-fs-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return (dir as NSString).standardizingPath
  }
}

/// No source of the executable's targets imports Foundation: linked, its ~3,700 conformance
/// records were scanned at start-up (README, Performance, "Start-up"). The benchmark may.
@Test func noStageImportsFoundation() throws {
  let sources = repositoryRoot.appendingPathComponent("Sources").path
  let e = FileManager.default.enumerator(atPath: sources)
  var offenders: [String] = []
  while let rel = e?.nextObject() as? String {
    guard rel.hasSuffix(".swift"), !rel.hasPrefix("covenant-bench/") else { continue }
    let text = try String(contentsOfFile: sources + "/" + rel, encoding: .utf8)
    for line in text.split(separator: "\n") where line.contains("import Foundation") {
      offenders.append(rel)
    }
  }
  #expect(offenders.isEmpty, "\(offenders)")
}
