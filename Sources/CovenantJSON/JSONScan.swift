/// Navigation over validated JSON bytes. Every loop is bounded by the buffer, so offsets that do
/// not start a value (a made-up node) give nonsense but never trap.
package enum JSONScan {
  /// Eight bytes from `j` (the caller checks `j + 8 <= p.count`), first byte lowest.
  @inline(__always) package static func word(_ p: UnsafeBufferPointer<UInt8>, _ j: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + j).loadUnaligned(as: UInt64.self))
  }

  /// `x[i..<i+len] == y[j..<j+len]`, a word at a time: keys are short, so a word (masked to the
  /// length) usually settles it.
  @inline(__always) package static func equalBytes(
    _ x: UnsafeBufferPointer<UInt8>, _ i: Int, _ y: UnsafeBufferPointer<UInt8>, _ j: Int, _ len: Int
  ) -> Bool {
    guard i >= 0, j >= 0, i + len <= x.count, j + len <= y.count else { return false }
    var k = 0
    while k + 8 <= len {
      if word(x, i + k) != word(y, j + k) { return false }
      k += 8
    }
    let rest = len - k
    if rest == 0 { return true }
    if i + k + 8 <= x.count, j + k + 8 <= y.count {
      // `rest` is 1...7: a plain shift, without the checks of `<<` for a shift past the width.
      let mask: UInt64 = (1 &<< UInt64(truncatingIfNeeded: rest &* 8)) &- 1
      return (word(x, i + k) ^ word(y, j + k)) & mask == 0
    }
    while k < len {
      if x[i + k] != y[j + k] { return false }
      k += 1
    }
    return true
  }

  /// Whether all eight bytes of `w` are ASCII digits.
  @inline(__always) package static func allDigits(_ w: UInt64) -> Bool {
    (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
  }

  /// The value of eight ASCII digits (the first byte the most significant), by three multiplies.
  @inline(__always) package static func eightDigits(_ w: UInt64) -> UInt64 {
    var v = w
    v = ((v & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) >> 8
    v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
    return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
  }

  /// How many of the eight bytes in `w` come before the first one a string scan must look at:
  /// a quote, a backslash, a control character or a non-ASCII byte (8 when there is none).
  /// Bit tricks on the whole word: a flagged byte above the first may be spurious (a borrow),
  /// the first one never is.
  @inline(__always) static func special(_ w: UInt64) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
    let m = (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w) | w) & highs
    return m.trailingZeroBitCount >> 3
  }

  @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

  @inline(__always) package static func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    var i = i
    while i < p.count, isSpace(p[i]) { i += 1 }
    return i
  }

  /// The string whose opening quote is at `at`.
  @inline(__always) package static func string(_ p: UnsafeBufferPointer<UInt8>, at: Int) -> JSONString {
    var j = at + 1
    var escaped = false
    while j < p.count {
      if j + 8 <= p.count {
        let k = special(word(p, j))
        j += k
        if k == 8 { continue }
      }
      let b = p[j]
      if b == 0x22 { return JSONString(open: at, close: j, escaped: escaped) }
      if b == 0x5C {
        escaped = true
        j += 2
      } else {
        j += 1
      }
    }
    return JSONString(open: at, close: max(at + 1, min(j, p.count)), escaped: escaped)
  }

  /// One past the last byte of the number starting at `from`.
  @inline(__always) static func numberEnd(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
    var j = from
    while j < p.count {
      let b = p[j]
      guard b &- 0x30 < 10 || b == 0x2D || b == 0x2B || b == 0x2E || b | 0x20 == 0x65 else { break }
      j += 1
    }
    return j
  }

  /// One past the end of the value starting at `at`.
  package static func skipValue(_ p: UnsafeBufferPointer<UInt8>, at: Int, _ large: LargeContainers) -> Int {
    guard at >= 0, at < p.count else { return p.count }
    switch p[at] {
    case 0x22: return string(p, at: at).close + 1
    case 0x7B, 0x5B:
      if let c = large.find(at) { return min(c.end, p.count) }
      var depth = 0
      var j = at
      while j < p.count {
        switch p[j] {
        case 0x22:
          j = string(p, at: j).close + 1
          continue
        case 0x7B, 0x5B: depth += 1
        case 0x7D, 0x5D:
          depth -= 1
          if depth == 0 { return j + 1 }
        default: break
        }
        j += 1
      }
      return p.count
    case 0x74, 0x6E: return min(at + 4, p.count)
    case 0x66: return min(at + 5, p.count)
    default: return max(numberEnd(p, from: at), at + 1)
    }
  }

  /// The first element (array) or key (object) of the container at `container`, if any.
  package static func firstChild(_ p: UnsafeBufferPointer<UInt8>, container: Int) -> Int? {
    let i = skipSpace(p, container + 1)
    guard i < p.count, p[i] != 0x5D, p[i] != 0x7D else { return nil }
    return i
  }

  /// After a value ending at `after`: the next element or key, or nil at the closing bracket.
  @inline(__always) package static func nextSibling(_ p: UnsafeBufferPointer<UInt8>, after: Int) -> Int? {
    let i = skipSpace(p, after)
    guard i < p.count, p[i] == 0x2C else { return nil }
    let j = skipSpace(p, i + 1)
    return j < p.count ? j : nil
  }

  /// The value of the member whose key starts at `key`.
  @inline(__always) static func valueAfterKey(_ p: UnsafeBufferPointer<UInt8>, key: Int) -> Int {
    let s = string(p, at: key)
    var i = skipSpace(p, s.close + 1)
    if i < p.count, p[i] == 0x3A { i += 1 }
    return skipSpace(p, i)
  }
}
