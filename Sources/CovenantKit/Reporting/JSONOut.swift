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

  public static func opt(_ s: String?) -> JSONOut { s.map { .string($0) } ?? .null }

  public func render(indent: Int = 0, pretty: Bool = true) -> String {
    var out = ""
    write(&out, indent: indent, pretty: pretty)
    return out
  }

  func write(_ out: inout String, indent: Int, pretty: Bool) {
    let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
    let close = pretty ? String(repeating: "  ", count: indent) : ""
    let nl = pretty ? "\n" : ""
    switch self {
    case .object(let members):
      if members.isEmpty { out += "{}"; return }
      out += "{" + nl
      for (i, (k, v)) in members.enumerated() {
        out += pad
        Self.escape(k, into: &out)
        out += pretty ? ": " : ":"
        v.write(&out, indent: indent + 1, pretty: pretty)
        out += (i < members.count - 1 ? "," : "") + nl
      }
      out += close + "}"
    case .array(let items):
      if items.isEmpty { out += "[]"; return }
      out += "[" + nl
      for (i, v) in items.enumerated() {
        out += pad
        v.write(&out, indent: indent + 1, pretty: pretty)
        out += (i < items.count - 1 ? "," : "") + nl
      }
      out += close + "]"
    case .string(let s): Self.escape(s, into: &out)
    case .number(let n): out += n
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  static func escape(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          out += "\\u" + String(u.value, radix: 16).leftPadded(4)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    out += "\""
  }
}
