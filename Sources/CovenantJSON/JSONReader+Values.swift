extension JSONReader {
  /// Validates a string starting at the quote at `i` and moves past its closing quote.
  /// Returns whether it contains escapes, so unescaped strings can later be sliced, not decoded.
  mutating func scanString() throws(JSONSyntaxError) -> Bool {
    let open = i
    var j = i + 1
    var escaped = false
    while j < n {
      // Eight plain bytes at a time; the first byte needing a look is handled below.
      if j + 8 <= n {
        let k = JSONScan.special(JSONScan.word(p, j))
        j += k
        if k == 8 { continue }
      }
      let b = p[j]
      if b &- 0x20 < 0x60, b != 0x22, b != 0x5C {
        j += 1
      } else if b == 0x22 {
        i = j + 1
        return escaped
      } else if b == 0x5C {
        escaped = true
        j = try scanEscape(at: j, open: open)
      } else if b < 0x20 {
        throw failure(JSONDiagnostics.invalidString(.controlCharacter(b)), at: j)
      } else {
        j += try utf8Length(at: j)
      }
    }
    throw failure(JSONDiagnostics.unexpectedEnd(inString: true), at: open)
  }

  /// Checks the escape at the backslash at `j`; returns the offset after it.
  func scanEscape(at j: Int, open: Int) throws(JSONSyntaxError) -> Int {
    guard j + 1 < n else { throw failure(JSONDiagnostics.unexpectedEnd(inString: true), at: open) }
    switch p[j + 1] {
    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: return j + 2
    case 0x75: break
    default:
      let e = p[j + 1]
      let shown = e &- 0x21 < 0x5E ? String(UnicodeScalar(e)) : "0x" + JSONParser.hex(UInt32(e), digits: 2)
      throw failure(JSONDiagnostics.invalidString(.invalidEscape(shown)), at: j)
    }
    let code = try unicodeEscape(at: j, open: open)
    switch code & 0xFC00 {
    case 0xD800:
      if j + 7 < n, p[j + 6] == 0x5C, p[j + 7] == 0x75, try unicodeEscape(at: j + 6, open: open) & 0xFC00 == 0xDC00 {
        return j + 12
      }
      throw failure(JSONDiagnostics.invalidString(.loneHighSurrogate(code)), at: j)
    case 0xDC00:
      throw failure(JSONDiagnostics.invalidString(.loneLowSurrogate(code)), at: j)
    default:
      return j + 6
    }
  }

  /// The value of the `\uXXXX` escape at `j`.
  func unicodeEscape(at j: Int, open: Int) throws(JSONSyntaxError) -> UInt32 {
    for k in j + 2..<j + 6 where k >= n || (p[k] | 0x20) &- 0x61 >= 6 && p[k] &- 0x30 >= 10 {
      throw k >= n
        ? failure(JSONDiagnostics.unexpectedEnd(inString: true), at: open)
        : failure(JSONDiagnostics.invalidString(.shortUnicodeEscape), at: j)
    }
    return JSONParser.hex4(p, j + 2, n) ?? 0
  }

  /// The length of the valid UTF-8 sequence at `j`, rejecting overlong forms, encoded surrogates,
  /// code points above U+10FFFF, stray continuation bytes and truncated sequences.
  func utf8Length(at j: Int) throws(JSONSyntaxError) -> Int {
    let lead = p[j]
    let length: Int, low: UInt8, high: UInt8
    switch lead {
    case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
    case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
    case 0xE1...0xEC, 0xEE, 0xEF: (length, low, high) = (3, 0x80, 0xBF)
    case 0xED: (length, low, high) = (3, 0x80, 0x9F)
    case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
    case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
    case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
    case 0xC0, 0xC1: throw utf8Error("overlong encoding starting with byte", lead, at: j)
    default: throw failure(JSONDiagnostics.invalidUTF8(lead: lead, problem: nil), at: j)
    }
    for k in 1..<length {
      guard j + k < n else { throw utf8Error("truncated sequence starting with byte", lead, at: j) }
      let c = p[j + k]
      if c >= low && c <= high || k > 1 && c &- 0x80 < 0x40 { continue }
      guard k == 1, c &- 0x80 < 0x40 else { throw utf8Error("truncated sequence starting with byte", lead, at: j) }
      switch lead {
      case 0xED: throw utf8Error("encoded surrogate starting with byte", lead, at: j)
      case 0xF4: throw utf8Error("code point above U+10FFFF starting with byte", lead, at: j)
      default: throw utf8Error("overlong encoding starting with byte", lead, at: j)
      }
    }
    return length
  }

  func utf8Error(_ what: String, _ lead: UInt8, at j: Int) -> JSONSyntaxError {
    failure(JSONDiagnostics.invalidUTF8(lead: lead, problem: what), at: j)
  }

  /// Checks number syntax only; the text is kept and interpreted by whoever reads it.
  mutating func scanNumber() throws(JSONSyntaxError) {
    let start = i
    var j = i
    if p[j] == 0x2D { j += 1 }
    guard j < n, p[j] &- 0x30 < 10 else {
      if j < n, p[j] == 0x49 || p[j] == 0x4E { i = j; throw badValue() }
      throw failure(JSONDiagnostics.invalidNumber(.digitAfterMinus), at: j)
    }
    if p[j] == 0x30 {
      j += 1
      if j < n, p[j] &- 0x30 < 10 { throw failure(JSONDiagnostics.invalidNumber(.leadingZeros), at: start) }
    } else {
      j = digits(from: j)
    }
    if j < n, p[j] == 0x2E {
      guard j + 1 < n, p[j + 1] &- 0x30 < 10 else { throw failure(JSONDiagnostics.invalidNumber(.digitAfterPoint), at: j + 1) }
      j = digits(from: j + 1)
    }
    if j < n, p[j] | 0x20 == 0x65 {
      j += 1
      if j < n, p[j] == 0x2B || p[j] == 0x2D { j += 1 }
      guard j < n, p[j] &- 0x30 < 10 else { throw failure(JSONDiagnostics.invalidNumber(.digitInExponent), at: j) }
      j = digits(from: j)
    }
    _ = start
    i = j
  }

  func digits(from j: Int) -> Int {
    var j = j
    while j + 8 <= n, JSONScan.allDigits(JSONScan.word(p, j)) { j += 8 }
    while j < n, p[j] &- 0x30 < 10 { j += 1 }
    return j
  }
}
