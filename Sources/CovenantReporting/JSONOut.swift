/// A JSON value to print. Objects keep their members in the order given, so output is
/// byte-identical run to run (no dictionary order).
public indirect enum JSONOut: Sendable {
  case object([(String, JSONOut)])
  case array([JSONOut])
  case string(String)
  /// Printed as is: the caller passes exact digits.
  case number(String)
  case bool(Bool)
  case null
  /// `tree` already rendered (pretty) at `indent`: written as is, re-indented if placed at
  /// another level. A batch renders the snapshot's figures, which every deal repeats, once.
  case rendered([UInt8], indent: Int, tree: JSONOut)

  /// `tree`, rendered once for writing many times at `indent`.
  public static func prerendered(_ tree: JSONOut, indent: Int) -> JSONOut {
    var bytes: [UInt8] = []
    tree.write(&bytes, indent: indent, pretty: true)
    return .rendered(bytes, indent: indent, tree: tree)
  }

  public static func opt(_ s: String?) -> JSONOut { s.map { .string($0) } ?? .null }

  /// Written into bytes, not a `String`: appending to a string scalar by scalar took seconds for
  /// the report of a million-holding portfolio (a check per issuer).
  public func render(indent: Int = 0, pretty: Bool = true) -> String {
    var out: [UInt8] = []
    write(&out, indent: indent, pretty: pretty)
    return String(decoding: out, as: UTF8.self)
  }

  package func write(_ out: inout [UInt8], indent: Int, pretty: Bool) {
    func newline(_ level: Int) {
      guard pretty else { return }
      out.append(0x0A)
      out.append(contentsOf: repeatElement(0x20, count: 2 * level))
    }
    switch self {
    case .object(let members):
      if members.isEmpty { out += Array("{}".utf8); return }
      out.append(UInt8(ascii: "{"))
      for (i, (k, v)) in members.enumerated() {
        newline(indent + 1)
        Self.escape(k, into: &out)
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(0x20) }
        v.write(&out, indent: indent + 1, pretty: pretty)
        if i < members.count - 1 { out.append(UInt8(ascii: ",")) }
      }
      newline(indent)
      out.append(UInt8(ascii: "}"))
    case .array(let items):
      if items.isEmpty { out += Array("[]".utf8); return }
      out.append(UInt8(ascii: "["))
      for (i, v) in items.enumerated() {
        newline(indent + 1)
        v.write(&out, indent: indent + 1, pretty: pretty)
        if i < items.count - 1 { out.append(UInt8(ascii: ",")) }
      }
      newline(indent)
      out.append(UInt8(ascii: "]"))
    case .string(let s): Self.escape(s, into: &out)
    case .number(let n): out.append(contentsOf: n.utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .null: out.append(contentsOf: "null".utf8)
    case .rendered(let bytes, let at, let tree):
      guard pretty else { return tree.write(&out, indent: indent, pretty: pretty) }
      if at == indent { return out.append(contentsOf: bytes) }
      // A newline occurs only between members (strings escape theirs): re-indent what follows.
      var i = 0
      while i < bytes.count {
        let b = bytes[i]
        i += 1
        guard b == 0x0A else { out.append(b); continue }
        var spaces = 0
        while i < bytes.count, bytes[i] == 0x20 { spaces += 1; i += 1 }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: max(0, spaces + 2 * (indent - at))))
      }
    }
  }

  package static func escape(_ s: String, into out: inout String) {
    var bytes: [UInt8] = []
    escape(s, into: &bytes)
    out += String(decoding: bytes, as: UTF8.self)
  }

  /// Quotes and escapes on UTF-8 bytes: `"`, `\`, and control characters (as `\n`, `\r`, `\t`
  /// or `\u00XX`); every other character, non-ASCII included, is copied as it is.
  static func escape(_ s: String, into out: inout [UInt8]) {
    out.append(0x22)
    for b in s.utf8 {
      switch b {
      case 0x22: out += [0x5C, 0x22]
      case 0x5C: out += [0x5C, 0x5C]
      case 0x0A: out += [0x5C, UInt8(ascii: "n")]
      case 0x0D: out += [0x5C, UInt8(ascii: "r")]
      case 0x09: out += [0x5C, UInt8(ascii: "t")]
      case 0..<0x20, 0x7F: out.append(contentsOf: ("\\u" + String(b, radix: 16).leftPadded(4)).utf8)
      default: out.append(b)
      }
    }
    out.append(0x22)
  }
}
