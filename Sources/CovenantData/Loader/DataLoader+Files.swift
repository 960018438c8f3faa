#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CovenantJSON
import CovenantSyntax

extension DataLoader {
  /// Reads and parses `path`; I/O and syntax problems become diagnostics, never a crash.
  public static func readJSON(path given: String, displayName: String? = nil, in directory: String? = nil) -> Result<JSONDocument, Diagnostic> {
    let name = displayName ?? given
    let path = WorkingDirectory.resolve(given, in: directory)
    guard let kind = FileSystem.kind(of: path) else {
      return .failure(Diagnostic(DataDiagnostics.unreadableFile(.notFound(help: true)), file: name))
    }
    if kind == .directory {
      return .failure(Diagnostic(DataDiagnostics.unreadableFile(.directory), file: name))
    }
    guard let bytes = readBytes(path) else {
      return .failure(Diagnostic(DataDiagnostics.unreadableFile(.unreadable), file: name))
    }
    return parseJSON(bytes, file: name)
  }

  /// The file's bytes, read straight into one array: going through `Data` would hold the file
  /// twice at the peak.
  static func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return nil }
    /// Reads into `buffer` until it is full or the file ends; nil on an error.
    func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
      var filled = 0
      while filled < buffer.count {
        let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
        if n < 0 {
          if errno == EINTR { continue }
          return nil
        }
        if n == 0 { break }
        filled += n
      }
      return filled
    }
    // One byte more than the size, to see the end of the file without a second allocation.
    let hint = max(Int(info.st_size), 0) + 1
    var failed = false
    var bytes = [UInt8](unsafeUninitializedCapacity: hint) { buffer, count in
      guard let n = fill(UnsafeMutableRawBufferPointer(buffer)) else {
        failed = true
        count = 0
        return
      }
      count = n
    }
    if failed { return nil }
    // The file grew while being read (or reports no size): read the rest in chunks.
    while bytes.count % hint == 0 || bytes.count >= hint {
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      guard let n = chunk.withUnsafeMutableBytes({ fill($0) }) else { return nil }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[..<n])
    }
    return bytes
  }

  public static func parseJSON(_ bytes: [UInt8], file: String) -> Result<JSONDocument, Diagnostic> {
    switch JSONParser.parse(bytes) {
    case .success(let doc): return .success(doc)
    case .failure(let e):
      return .failure(Diagnostic(
        code: e.code, message: e.message, file: file, path: e.path.isEmpty ? nil : e.path,
        dataLocation: .init(line: e.line, column: e.column)))
    }
  }
}
