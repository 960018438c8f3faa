import Foundation

/// Replaces a file's contents so that at every moment the path holds either the old bytes or the
/// new ones, never a half-written file: write a temporary file beside it, copy the original's
/// permissions, then rename over. A failure before the rename leaves the original untouched and
/// removes the temporary file.
public enum AtomicFile {
  public struct Failure: Error, Sendable {
    public var message: String
  }

  /// `beforeRename` runs after the temporary file is complete; tests use it to simulate a crash.
  public static func replace(_ path: String, with bytes: [UInt8], beforeRename: () throws -> Void = {}) throws(Failure) {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    let temp = (dir as NSString).appendingPathComponent(".\(url.lastPathComponent).covenant-\(UUID().uuidString.prefix(8)).tmp")
    let fm = FileManager.default
    let attributes = try? fm.attributesOfItem(atPath: path)
    guard fm.createFile(atPath: temp, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
      throw Failure(message: "cannot write a temporary file in \(dir)")
    }
    do {
      if let perms = attributes?[.posixPermissions] {
        try fm.setAttributes([.posixPermissions: perms], ofItemAtPath: temp)
      }
      // Make the new bytes durable before they replace the old ones.
      if let handle = FileHandle(forUpdatingAtPath: temp) {
        try? handle.synchronize()
        try? handle.close()
      }
      try beforeRename()
      guard rename(temp, path) == 0 else {
        throw Failure(message: "cannot replace the file: \(String(cString: strerror(errno)))")
      }
    } catch let f as Failure {
      try? fm.removeItem(atPath: temp)
      throw f
    } catch {
      try? fm.removeItem(atPath: temp)
      throw Failure(message: "\(error)")
    }
  }
}

/// A unified diff of two texts by lines, for `fmt --check`.
public enum LineDiff {
  public static func unified(_ old: String, _ new: String, oldName: String, newName: String, context: Int = 3) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // Edit script by longest common subsequence (files are covenants: small). Very large inputs
    // fall back to replacing everything, which is still a correct diff.
    var ops: [(Character, String)] = []
    if a.count * b.count <= 25_000_000 {
      var lcs = [[Int32]](repeating: [Int32](repeating: 0, count: b.count + 1), count: a.count + 1)
      for i in stride(from: a.count - 1, through: 0, by: -1) {
        for j in stride(from: b.count - 1, through: 0, by: -1) {
          lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
        }
      }
      var i = 0, j = 0
      while i < a.count || j < b.count {
        if i < a.count, j < b.count, a[i] == b[j] { ops.append((" ", a[i])); i += 1; j += 1 }
        else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] { ops.append(("-", a[i])); i += 1 }
        else { ops.append(("+", b[j])); j += 1 }
      }
    } else {
      ops = a.map { ("-", $0) } + b.map { ("+", $0) }
    }
    guard ops.contains(where: { $0.0 != " " }) else { return "" }
    var out = "--- \(oldName)\n+++ \(newName)\n"
    var k = 0
    var oldLine = 1, newLine = 1
    while k < ops.count {
      guard let firstChange = ops[k...].firstIndex(where: { $0.0 != " " }) else { break }
      let start = max(k, firstChange - context)
      for op in ops[k..<start] { if op.0 == " " { oldLine += 1; newLine += 1 } }
      // Extend the hunk while changes are within 2·context lines of each other.
      var end = firstChange
      var lastChange = firstChange
      while end < ops.count {
        if ops[end].0 != " " { lastChange = end }
        if end - lastChange > 2 * context { break }
        end += 1
      }
      end = min(ops.count, lastChange + context + 1)
      let hunk = ops[start..<end]
      let oldCount = hunk.filter { $0.0 != "+" }.count
      let newCount = hunk.filter { $0.0 != "-" }.count
      out += "@@ -\(oldLine),\(oldCount) +\(newLine),\(newCount) @@\n"
      for op in hunk { out += "\(op.0)\(op.1)\n" }
      oldLine += oldCount
      newLine += newCount
      k = end
    }
    return out
  }
}
