#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few file-system calls and path rules the stages and the command line need, on the C
/// library instead of Foundation: with no Foundation in the executable, start-up does not scan its
/// ~3,700 protocol conformance records (README, Performance, "Start-up"). Each keeps the result
/// the Foundation call it replaces gave (`FileSystemTests` compare the path rules with
/// `NSString`'s), except that a path without a slash has no directory (`""`), where this
/// toolchain's shared Foundation traps, and `~user` is not expanded (only `~` from `HOME`).
package enum FileSystem {
  package enum Kind: Sendable { case file, directory }

  /// What is at `path`, links followed (FileManager's `fileExists(atPath:isDirectory:)`); nil when
  /// nothing is, or it cannot be seen.
  package static func kind(of path: String) -> Kind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
  }

  /// The names in a directory, `.` and `..` left out, in no particular order
  /// (FileManager's `contentsOfDirectory(atPath:)`); nil when it cannot be read.
  package static func names(in directory: String) -> [String]? {
    guard let dir = opendir(directory) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Every path under `directory`, relative to it, directories included, links to directories not
  /// followed (FileManager's `enumerator(atPath:)`, in no particular order).
  package static func walk(_ directory: String) -> [String] {
    var found: [String] = []
    var pending: [String] = [""]
    while let rel = pending.popLast() {
      let full = rel.isEmpty ? directory : appending(rel, to: directory)
      guard let names = names(in: full) else { continue }
      for n in names {
        let r = rel.isEmpty ? n : rel + "/" + n
        found.append(r)
        var info = stat()
        if lstat(appending(r, to: directory), &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { pending.append(r) }
      }
    }
    return found
  }

  /// The whole file (FileManager's `contents(atPath:)`): nil when it cannot be opened or read, or
  /// is a directory. Named pipes and devices are read to their end.
  package static func contents(of path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if n == 0 { return bytes }
      bytes.append(contentsOf: chunk[..<n])
    }
  }

  /// The process's working directory, or nil.
  package static func currentDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: Path rules (`NSString`'s on Linux)

  /// `NSString.appendingPathComponent`: `base/component`, no slash doubled at the join.
  package static func appending(_ component: String, to base: String) -> String {
    if component.isEmpty { return base }
    if base.isEmpty { return component }
    if base.utf8.last == UInt8(ascii: "/") { return base + component }
    return base + "/" + component
  }

  /// Two slashes or more and nothing else, which Foundation's rules treat as empty.
  static func onlySlashes(_ path: String) -> Bool {
    path.utf8.count > 1 && path.utf8.allSatisfy { $0 == UInt8(ascii: "/") }
  }

  /// Runs of slashes made one, trailing slashes dropped (but `/` itself kept).
  static func fixingSlashes(_ path: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(path.utf8.count)
    for b in path.utf8 where !(b == UInt8(ascii: "/") && out.last == UInt8(ascii: "/")) { out.append(b) }
    if out.count > 1, out.last == UInt8(ascii: "/") { out.removeLast() }
    return String(decoding: out, as: UTF8.self)
  }

  /// `NSString.lastPathComponent`: `b` of `a/b/`, `/` of `/`, nothing of `//`.
  package static func lastComponent(_ path: String) -> String {
    if onlySlashes(path) { return "" }
    let p = fixingSlashes(path)
    if p == "/" { return p }
    guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return p }
    return String(p[p.utf8.index(after: slash)...])
  }

  /// `NSString.deletingLastPathComponent`: `a` of `a/b/`, `/` of `/a`; `""` for a path without a
  /// slash.
  package static func deletingLastComponent(_ path: String) -> String {
    if onlySlashes(path) { return "" }
    let p = fixingSlashes(path)
    if p == "/" { return p }
    guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    if slash == p.utf8.startIndex { return "/" }
    return String(p[..<slash])
  }

  /// `NSString.standardizingPath` on Linux: `~` and `~/…` expanded from `HOME`, `.` and empty
  /// components dropped after the first, `..` applied in an absolute path (kept in a relative
  /// one), the links of an absolute path resolved, and a `/private` prefix removed when the path
  /// without it exists.
  package static func standardizing(_ path: String) -> String {
    var path = path
    if path == "~" || path.hasPrefix("~/"), let home = getenv("HOME").map({ String(cString: $0) }) {
      path = fixingSlashes(home + path.dropFirst())
    }
    var components = pathComponents(path)
    guard !components.isEmpty else { return path }
    if components.count > 1, components.last == "/" { components.removeLast() }
    let absolute = components.first == "/"
    var resolved = components.removeFirst()
    for c in components {
      switch c {
      case "", ".": break
      case "..":
        resolved = absolute ? deletingLastComponent(resolved) : appending(c, to: resolved)
      default:
        resolved = appending(c, to: resolved)
        if absolute, let target = linkTarget(resolved) { resolved = target }
      }
    }
    if resolved.hasPrefix("/private/"), kind(of: String(resolved.dropFirst(8))) != nil { resolved = String(resolved.dropFirst(8)) }
    return resolved
  }

  /// `NSString.pathComponents`: `/` first for an absolute path, `/` last after a trailing slash.
  static func pathComponents(_ path: String) -> [String] {
    guard !path.isEmpty else { return [] }
    var parts: [String] = []
    if path.utf8.first == UInt8(ascii: "/") { parts.append("/") }
    parts += path.split(separator: "/").map(String.init)
    if path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") { parts.append("/") }
    return parts
  }

  /// Where a symbolic link finally points, followed while its targets are absolute (Foundation's
  /// `standardizingPath` leaves a link to a relative target as it is); nil when `path` is not
  /// such a link.
  static func linkTarget(_ path: String) -> String? {
    var current = path
    var hops = 0
    while hops < 32 {
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink(current, &buffer, buffer.count - 1)
      guard n >= 0 else { break }
      let dest = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      guard dest.hasPrefix("/") else { break }
      current = dest
      hops += 1
    }
    return hops == 0 ? nil : current
  }
}
