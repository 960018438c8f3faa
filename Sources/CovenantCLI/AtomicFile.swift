import CovenantKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Replaces a file's contents so that at every moment the path holds either the old bytes or the
/// new ones, never a half-written file: write a temporary file beside it (every write checked),
/// give it the original's permissions, `fsync` it, then rename it over. A failure at any step
/// leaves the original untouched and removes the temporary file. Used by `fmt --write` and
/// `--output`.
public enum AtomicFile {
  public struct Failure: Error, Sendable {
    public var message: String
  }

  /// `beforeRename` runs after the temporary file is complete and durable; tests use it to
  /// simulate a crash.
  public static func replace(_ path: String, with bytes: [UInt8], beforeRename: () throws -> Void = {}) throws(Failure) {
    try replace(path, beforeRename: beforeRename) { fd throws(Failure) in
      if case .failure(let e) = OutputChannel.writeAll(bytes, to: fd) { throw Failure(message: e.message) }
    }
  }

  /// A report written into the file chunk by chunk as it is made (`--output` of a JSON report).
  public static func replace(_ path: String, streaming report: StreamedReport, beforeRename: () throws -> Void = {}) throws(Failure) {
    try replace(path, beforeRename: beforeRename) { fd throws(Failure) in
      if case .failure(let e) = Commands.stream(report, to: fd) { throw Failure(message: e.message) }
    }
  }

  /// Eight random hexadecimal digits, as the start of a UUID was.
  static func randomTag() -> String {
    let s = String(UInt32.random(in: .min ... .max), radix: 16, uppercase: true)
    return String(repeating: "0", count: 8 - s.count) + s
  }

  /// `write` puts the new contents into the open descriptor, every write checked.
  static func replace(_ path: String, beforeRename: () throws -> Void, write: (Int32) throws(Failure) -> Void) throws(Failure) {
    // The directory as `URL(fileURLWithPath:)` gave it: absolute, for the messages below.
    let absolute = path.hasPrefix("/") ? path : FileSystem.appending(path, to: FileSystem.currentDirectory() ?? ".")
    let dir = FileSystem.deletingLastComponent(absolute)
    var existing = stat()
    let exists = stat(path, &existing) == 0
    // A device or a pipe (`--output /dev/stdout`, `/dev/null`) cannot be replaced by a rename:
    // it is written in place, every write checked.
    if exists, (existing.st_mode & S_IFMT) != S_IFREG, (existing.st_mode & S_IFMT) != S_IFDIR {
      let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
      guard fd >= 0 else { throw Failure(message: "cannot open: \(String(cString: strerror(errno)))") }
      do throws(Failure) { try write(fd) } catch {
        close(fd)
        throw error
      }
      if close(fd) != 0 { throw Failure(message: String(cString: strerror(errno))) }
      return
    }
    if exists, (existing.st_mode & S_IFMT) == S_IFDIR { throw Failure(message: "is a directory") }
    let temp = FileSystem.appending(".\(FileSystem.lastComponent(path)).covenant-\(randomTag()).tmp", to: dir)
    // 0666 less the umask, as for any new file; an existing file's permissions are copied below.
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else {
      throw Failure(message: "cannot write a temporary file in \(dir): \(String(cString: strerror(errno)))")
    }
    var isOpen = true
    do throws(Failure) {
      try write(fd)
      if exists, fchmod(fd, existing.st_mode & 0o7777) != 0 {
        throw Failure(message: "cannot copy the permissions: \(String(cString: strerror(errno)))")
      }
      // Make the new bytes durable before they replace the old ones.
      if fsync(fd) != 0 { throw Failure(message: String(cString: strerror(errno))) }
      isOpen = false
      if close(fd) != 0 { throw Failure(message: String(cString: strerror(errno))) }
      do { try beforeRename() } catch { throw Failure(message: "\(error)") }
      guard rename(temp, path) == 0 else {
        throw Failure(message: "cannot replace the file: \(String(cString: strerror(errno)))")
      }
    } catch {
      if isOpen { close(fd) }
      unlink(temp)
      throw error
    }
    // The rename itself made durable; a directory that cannot be synced is not an error.
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_CLOEXEC)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
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
