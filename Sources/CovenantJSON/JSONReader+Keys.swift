extension JSONReader {
  /// Up to 16 keys, each new key's fingerprint is compared with the earlier ones' and bytes only
  /// on a match. Larger objects switch to a set of the keys themselves, whose seeded hashing keeps
  /// crafted keys from forcing quadratic work.
  mutating func checkDuplicate(_ key: JSONString, frame: Frame, depth: Int) throws(JSONSyntaxError) {
    let seen = frame.count - 1
    let base = frame.slotBase
    if seen < 16 {
      if frame.sameShape {
        if seen < shapeCount[depth], !key.escaped, Self.sameBytes(p, key, keySlots[(base ^ 16) + seen].string) {
          keySlots[base + seen] = SeenKey(print: 0, printed: false, string: key)
          return
        }
        stack[depth].sameShape = false
        for j in base..<base + seen where !keySlots[j].printed {
          keySlots[j].print = fingerprint(keySlots[j].string)
          keySlots[j].printed = true
        }
      }
      let print = fingerprint(key)
      for j in base..<base + seen {
        if keySlots[j].print == print, JSONParser.keysEqual(p, key, keySlots[j].string) { throw duplicate(key) }
      }
      keySlots[base + seen] = SeenKey(print: print, printed: true, string: key)
      return
    }
    while keySets.count <= depth { keySets.append([]) }
    if seen == 16 {
      keySets[depth].removeAll(keepingCapacity: true)
      for j in base..<base + 16 { keySets[depth].insert(Key(p: p, string: keySlots[j].string)) }
    }
    if !keySets[depth].insert(Key(p: p, string: key)).inserted { throw duplicate(key) }
  }

  func duplicate(_ key: JSONString) -> JSONSyntaxError {
    let name = String(decoding: JSONParser.unescape(p, key.content), as: UTF8.self)
    return failure(JSONDiagnostics.duplicateKey(name), at: key.open)
  }

  /// A key as a set element: hashed and compared by its decoded bytes, read in place.
  struct Key: Hashable {
    let p: UnsafeBufferPointer<UInt8>
    let string: JSONString

    static func == (a: Key, b: Key) -> Bool { JSONParser.keysEqual(a.p, a.string, b.string) }

    func hash(into hasher: inout Hasher) {
      if string.escaped {
        JSONParser.unescape(p, string.content).withUnsafeBytes { hasher.combine(bytes: $0) }
      } else {
        hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[string.content])))
      }
    }
  }

  func fingerprint(_ key: JSONString) -> UInt64 {
    key.escaped
      ? JSONParser.unescape(p, key.content).withUnsafeBufferPointer { Self.fingerprint($0, 0..<$0.count) }
      : Self.fingerprint(p, key.content)
  }

  /// Two unescaped strings with the same bytes.
  @inline(__always) static func sameBytes(_ p: UnsafeBufferPointer<UInt8>, _ a: JSONString, _ b: JSONString) -> Bool {
    let n = a.close - a.open
    guard n == b.close - b.open, !b.escaped else { return false }
    // A key of at most eight bytes (most are): one masked comparison of a word.
    if n <= 9, a.open + 9 <= p.count, b.open + 9 <= p.count {
      let mask: UInt64 = n == 9 ? .max : (1 << UInt64((n - 1) * 8)) &- 1
      return (JSONScan.word(p, a.open + 1) ^ JSONScan.word(p, b.open + 1)) & mask == 0
    }
    var j = 1
    while j + 8 <= n, a.open + j + 8 <= p.count, b.open + j + 8 <= p.count {
      if JSONScan.word(p, a.open + j) != JSONScan.word(p, b.open + j) { return false }
      j += 8
    }
    while j < n {
      if p[a.open + j] != p[b.open + j] { return false }
      j += 1
    }
    return true
  }

  /// A cheap hash reading eight bytes at a time; collisions only cost a byte comparison.
  static func fingerprint(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
    let k: UInt64 = 0x9E37_79B9_7F4A_7C15
    let raw = UnsafeRawBufferPointer(p)
    var h = UInt64(truncatingIfNeeded: r.count) &* k
    var j = r.lowerBound
    while j + 8 <= r.upperBound {
      h = (h ^ raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) &* k
      h ^= h >> 29
      j += 8
    }
    var tail: UInt64 = 0
    while j < r.upperBound {
      tail = tail << 8 | UInt64(p[j])
      j += 1
    }
    return (h ^ tail) &* k
  }
}
