public enum JSONParser {
  public static let maxDepth = 512

  public static func parse(_ bytes: [UInt8]) -> Result<JSONDocument, JSONSyntaxError> {
    guard bytes.count < Int(Int32.max) else {
      return .failure(JSONSyntaxError(line: 1, column: 1, path: "", message: JSONDiagnostics.invalidSyntax(.tooLarge).message, code: JSONDiagnostics.invalidSyntax(.tooLarge).code))
    }
    do {
      let (root, large) = try bytes.withUnsafeBufferPointer { (p) throws(JSONSyntaxError) -> (Int, LargeContainers) in
        var parser = JSONReader(p: p)
        defer { parser.release() }
        try parser.run()
        parser.large.sort { $0.start < $1.start }
        // Stable: each array's checkpoints stay in order.
        let checkpoints = parser.checkpoints.enumerated().sorted { ($0.element.array, $0.offset) < ($1.element.array, $1.offset) }.map(\.element)
        return (parser.root, LargeContainers(entries: parser.large, checkpoints: checkpoints))
      }
      return .success(JSONDocument(bytes: bytes, rootOffset: root, large: large))
    } catch {
      return .failure(error)
    }
  }

  static func hasBOM(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
    p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
  }

  /// Compares a string in the source to UTF-8 bytes; strings with escapes are decoded first.
  @inline(__always) static func stringEquals(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString, _ k: UnsafeBufferPointer<UInt8>) -> Bool {
    guard !s.escaped else { return unescape(p, s.content).elementsEqual(k) }
    let start = s.open + 1
    guard s.close - start == k.count else { return false }
    var j = 0
    while j < k.count, p[start + j] == k[j] { j += 1 }
    return j == k.count
  }

  static func keysEqual(_ p: UnsafeBufferPointer<UInt8>, _ a: JSONString, _ b: JSONString) -> Bool {
    guard b.escaped else { return stringEquals(p, a, UnsafeBufferPointer(rebasing: p[b.content])) }
    return unescape(p, b.content).withUnsafeBufferPointer { stringEquals(p, a, $0) }
  }

  /// The text of a string in the source.
  package static func decode(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString) -> String {
    let r = s.content.clamped(to: 0..<p.count)
    if s.escaped { return String(decoding: unescape(p, r), as: UTF8.self) }
    return String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self)
  }

  /// Decodes the escapes of an already validated string body.
  static func unescape(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(range.count)
    var j = range.lowerBound
    let end = min(range.upperBound, p.count)
    while j < end {
      let b = p[j]
      guard b == 0x5C, j + 1 < end else {
        out.append(b)
        j += 1
        continue
      }
      let e = p[j + 1]
      j += 2
      switch e {
      case 0x62: out.append(0x08)
      case 0x66: out.append(0x0C)
      case 0x6E: out.append(0x0A)
      case 0x72: out.append(0x0D)
      case 0x74: out.append(0x09)
      case 0x75:
        var code = hex4(p, j, end) ?? 0xFFFD
        j += 4
        if code & 0xFC00 == 0xD800, j + 6 <= end, p[j] == 0x5C, p[j + 1] == 0x75,
          let low = hex4(p, j + 2, end), low & 0xFC00 == 0xDC00
        {
          code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
          j += 6
        }
        out.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
      default: out.append(e)
      }
    }
    return out
  }

  static func hex4(_ p: UnsafeBufferPointer<UInt8>, _ j: Int, _ end: Int) -> UInt32? {
    guard j >= 0, j + 4 <= min(end, p.count) else { return nil }
    var v: UInt32 = 0
    for k in j..<j + 4 {
      let b = p[k]
      let d: UInt8
      switch b {
      case 0x30...0x39: d = b - 0x30
      case 0x41...0x46, 0x61...0x66: d = (b | 0x20) - 0x61 + 10
      default: return nil
      }
      v = v << 4 | UInt32(d)
    }
    return v
  }

  /// A key quoted as a JSON string, for paths and messages.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case _ where u.value < 0x20: out += "\\u" + hex(UInt32(u.value), digits: 4)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }

  static func hex(_ v: UInt32, digits: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }
}
