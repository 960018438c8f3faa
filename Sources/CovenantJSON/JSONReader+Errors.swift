extension JSONReader {
  // MARK: Errors

  /// Explains a byte that cannot start a value, naming the usual mistakes.
  func badValue() -> JSONSyntaxError {
    let b = p[i]
    let w = word(at: i)
    switch b {
    case 0x5D where depth > 0 && !stack[depth - 1].isObject: return failure(JSONDiagnostics.invalidSyntax(.trailingComma(before: "]")), at: i)
    case 0x2B: return failure(JSONDiagnostics.invalidNumber(.leadingPlus), at: i)
    case 0x2E: return failure(JSONDiagnostics.invalidNumber(.leadingPoint), at: i)
    case _ where ["nan", "infinity", "inf"].contains(w.lowercased()):
      let name = w.lowercased() == "nan" ? "NaN" : "Infinity"
      return failure(JSONDiagnostics.invalidNumber(.notANumber(name)), at: i)
    case _ where ["true", "false", "null"].contains(w.lowercased()):
      return failure(JSONDiagnostics.invalidSyntax(.wrongCase(w)), at: i)
    case _ where !w.isEmpty && i + w.utf8.count == n && ["true", "false", "null"].contains(where: { $0.hasPrefix(w) }):
      return failure(JSONDiagnostics.unexpectedEnd(inString: false), at: n)
    default: return unexpected("expected a value")
    }
  }

  func word(at j: Int) -> String {
    var k = j
    while k < n, k - j < 24, p[k] == 0x5F || (p[k] | 0x20) &- 0x61 < 26 || p[k] &- 0x30 < 10 { k += 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: p[j..<k]), as: UTF8.self)
  }

  /// `expected …, found X`, unless the byte is invalid UTF-8 or a well-known mistake.
  func unexpected(_ expected: String) -> JSONSyntaxError {
    let b = p[i]
    let found: String
    switch b {
    case 0x27: return failure(JSONDiagnostics.invalidSyntax(.singleQuotes), at: i)
    case 0x2F: return failure(JSONDiagnostics.invalidSyntax(.comment), at: i)
    case 0x80...:
      do {
        let length = try utf8Length(at: i)
        found = "`" + String(decoding: UnsafeBufferPointer(rebasing: p[i..<i + length]), as: UTF8.self) + "`"
      } catch {
        return error
      }
    case ..<0x20, 0x7F: found = "control character U+\(JSONParser.hex(UInt32(b), digits: 4).uppercased())"
    default:
      let w = word(at: i)
      found = "`" + (w.isEmpty ? String(UnicodeScalar(b)) : w) + "`"
    }
    return failure(JSONDiagnostics.invalidSyntax(.unexpected(expected: expected, found: found)), at: i)
  }

  func trailing() -> JSONSyntaxError {
    if p[i] >= 0x80 {
      do { _ = try utf8Length(at: i) } catch { return error }
    }
    return failure(JSONDiagnostics.trailingCharacters(), at: i)
  }

  /// Reported just after the last non-blank byte, where the missing text belongs.
  func endOfFile() -> JSONSyntaxError {
    var j = n
    while j > 0, p[j - 1] == 0x20 || p[j - 1] == 0x0A || p[j - 1] == 0x0D || p[j - 1] == 0x09 { j -= 1 }
    return failure(JSONDiagnostics.unexpectedEnd(inString: false), at: j)
  }

  func failure(_ m: JSONMessage, at offset: Int) -> JSONSyntaxError {
    var pos = LineTable.origin(p)
    LineTable.advance(p, from: 0, to: offset, &pos)
    return JSONSyntaxError(line: pos.line, column: max(offset - pos.lineStart, 0) + 1, path: path(), message: m.message, code: m.code)
  }

  /// The path of the value being read, from the open containers.
  func path() -> String {
    var steps: [String] = []
    for f in (0..<depth).map({ stack[$0] }) {
      if !f.isObject {
        steps.append(JSONPath.component(.index(max(f.count - 1, 0))))
      } else if f.key >= 0 {
        let k = JSONScan.string(p, at: f.key)
        let name = String(decoding: JSONParser.unescape(p, k.content), as: UTF8.self)
        steps.append(JSONPath.component(.key(name)))
      }
    }
    if steps.count > 16 { steps = steps.prefix(8) + ["…"] + steps.suffix(8) }
    let joined = steps.joined()
    return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
  }
}
