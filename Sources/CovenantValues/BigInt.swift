/// An arbitrary-precision integer: a sign and a magnitude in little-endian 64-bit limbs.
///
/// `Exact` keeps its numerator and denominator in machine words and falls back to these only
/// when a result does not fit (the solver's fits, products of many rates): schoolbook
/// multiplication and Knuth's division are plenty at the sizes `Exact` allows (see
/// `Exact.maxBits`). Invariants: no most-significant zero limb; zero is `[]` and never negative.
struct BigInt: Hashable, Comparable, Sendable, CustomStringConvertible {
  private(set) var negative: Bool
  private(set) var limbs: [UInt64]

  static let zero = BigInt(negative: false, limbs: [])
  static let one = BigInt(negative: false, limbs: [1])

  /// Any limbs (trimmed here); the sign is dropped for zero.
  init(negative: Bool, limbs: [UInt64]) {
    var l = limbs
    BigInt.trim(&l)
    self.limbs = l
    self.negative = negative && !l.isEmpty
  }

  init(_ v: Int) { self.init(Int128(v)) }

  init(_ v: Int128) {
    self.init(negative: v < 0, magnitude: v.magnitude)
  }

  init(negative: Bool, magnitude m: UInt128) {
    self.init(negative: negative, limbs: [UInt64(truncatingIfNeeded: m), UInt64(truncatingIfNeeded: m >> 64)])
  }

  init(_ v: UInt128) { self.init(negative: false, magnitude: v) }

  var isZero: Bool { limbs.isEmpty }
  var signum: Int { limbs.isEmpty ? 0 : negative ? -1 : 1 }
  var magnitude: BigInt { BigInt(negative: false, limbs: limbs) }
  var isOdd: Bool { (limbs.first ?? 0) & 1 == 1 }

  /// Bits in the magnitude (0 for zero).
  var bitWidth: Int {
    guard let top = limbs.last else { return 0 }
    return limbs.count * 64 - top.leadingZeroBitCount
  }

  var trailingZeroBitCount: Int {
    for (i, l) in limbs.enumerated() where l != 0 { return i * 64 + l.trailingZeroBitCount }
    return 0
  }

  /// The magnitude as a `UInt128`, if it fits.
  var magnitude128: UInt128? {
    switch limbs.count {
    case 0: return 0
    case 1: return UInt128(limbs[0])
    case 2: return UInt128(limbs[1]) << 64 | UInt128(limbs[0])
    default: return nil
    }
  }

  /// The value as an `Int128`, if it fits.
  var int128: Int128? {
    guard let m = magnitude128 else { return nil }
    if negative {
      guard m <= Int128.min.magnitude else { return nil }
      return Int128(truncatingIfNeeded: 0 &- m)
    }
    guard m <= UInt128(Int128.max) else { return nil }
    return Int128(m)
  }

  // MARK: Magnitudes

  private static func trim(_ l: inout [UInt64]) {
    while let last = l.last, last == 0 { l.removeLast() }
  }

  static func compareMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> Int {
    if a.count != b.count { return a.count < b.count ? -1 : 1 }
    var i = a.count - 1
    while i >= 0 {
      if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
      i -= 1
    }
    return 0
  }

  static func addMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    let (long, short) = a.count >= b.count ? (a, b) : (b, a)
    var r = [UInt64](repeating: 0, count: long.count + 1)
    var carry: UInt64 = 0
    for i in 0..<long.count {
      let (s1, o1) = long[i].addingReportingOverflow(i < short.count ? short[i] : 0)
      let (s2, o2) = s1.addingReportingOverflow(carry)
      r[i] = s2
      carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    r[long.count] = carry
    trim(&r)
    return r
  }

  /// a − b for |a| ≥ |b|.
  static func subtractMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    var r = a
    var borrow: UInt64 = 0
    for i in 0..<a.count {
      let (d1, o1) = a[i].subtractingReportingOverflow(i < b.count ? b[i] : 0)
      let (d2, o2) = d1.subtractingReportingOverflow(borrow)
      r[i] = d2
      borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    trim(&r)
    return r
  }

  /// Schoolbook multiplication.
  static func multiplyMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    if a.isEmpty || b.isEmpty { return [] }
    var r = [UInt64](repeating: 0, count: a.count + b.count)
    for i in 0..<a.count {
      var carry: UInt64 = 0
      let ai = a[i]
      if ai == 0 { continue }
      for j in 0..<b.count {
        let (hi, lo) = ai.multipliedFullWidth(by: b[j])
        let (s1, o1) = lo.addingReportingOverflow(r[i + j])
        let (s2, o2) = s1.addingReportingOverflow(carry)
        r[i + j] = s2
        carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)  // cannot overflow: hi ≤ 2^64 − 2
      }
      r[i + b.count] = carry
    }
    trim(&r)
    return r
  }

  /// Divides by one limb; returns the quotient and the remainder.
  static func divideMagnitude(_ a: [UInt64], by d: UInt64) -> ([UInt64], UInt64) {
    var q = [UInt64](repeating: 0, count: a.count)
    var r: UInt64 = 0
    var i = a.count - 1
    while i >= 0 {
      (q[i], r) = d.dividingFullWidth((r, a[i]))
      i -= 1
    }
    trim(&q)
    return (q, r)
  }

  static func shiftLeft(_ a: [UInt64], _ s: Int) -> [UInt64] {
    if a.isEmpty { return a }
    let words = s / 64, bits = s % 64
    var r = [UInt64](repeating: 0, count: a.count + words + 1)
    for i in 0..<a.count {
      r[i + words] |= a[i] << UInt64(bits)
      if bits > 0 { r[i + words + 1] |= a[i] >> UInt64(64 - bits) }
    }
    trim(&r)
    return r
  }

  static func shiftRight(_ a: [UInt64], _ s: Int) -> [UInt64] {
    let words = s / 64, bits = s % 64
    guard words < a.count else { return [] }
    var r = [UInt64](repeating: 0, count: a.count - words)
    for i in 0..<r.count {
      r[i] = a[i + words] >> UInt64(bits)
      if bits > 0, i + words + 1 < a.count { r[i] |= a[i + words + 1] << UInt64(64 - bits) }
    }
    trim(&r)
    return r
  }

  /// Knuth's Algorithm D (TAOCP 4.3.1): quotient and remainder of magnitudes, b non-zero.
  static func divModMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> ([UInt64], [UInt64]) {
    precondition(!b.isEmpty)
    if compareMagnitudes(a, b) < 0 { return ([], a) }
    if b.count == 1 {
      let (q, r) = divideMagnitude(a, by: b[0])
      return (q, r == 0 ? [] : [r])
    }
    // D1: normalise so that the divisor's top limb has its high bit set.
    let s = b.last!.leadingZeroBitCount
    let v = shiftLeft(b, s)
    var u = shiftLeft(a, s)
    if u.count == a.count { u.append(0) }
    if u.count < a.count + 1 { u.append(contentsOf: repeatElement(0, count: a.count + 1 - u.count)) }
    let n = v.count, m = u.count - n
    var q = [UInt64](repeating: 0, count: m)
    let vTop = v[n - 1], vNext = v[n - 2]
    var j = m - 1
    while j >= 0 {
      // D3: estimate q̂ from the top two limbs of the remainder and the top limb of the divisor.
      var qhat: UInt64
      var rhat: UInt64
      var rhatOverflow = false
      if u[j + n] >= vTop {
        qhat = UInt64.max
        let (r, o) = u[j + n - 1].addingReportingOverflow(vTop)
        rhat = r
        rhatOverflow = o
        // u[j+n] == vTop here (the remainder is below v), so rhat = u[j+n-1] + vTop.
      } else {
        (qhat, rhat) = vTop.dividingFullWidth((u[j + n], u[j + n - 1]))
      }
      while !rhatOverflow {
        let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
        if ph > rhat || (ph == rhat && pl > u[j + n - 2]) {
          qhat -= 1
          let (r, o) = rhat.addingReportingOverflow(vTop)
          rhat = r
          rhatOverflow = o
        } else {
          break
        }
      }
      // D4: multiply and subtract.
      var borrow: UInt64 = 0
      var carry: UInt64 = 0
      for i in 0..<n {
        let (ph, pl) = qhat.multipliedFullWidth(by: v[i])
        let (pl2, oc) = pl.addingReportingOverflow(carry)
        carry = ph &+ (oc ? 1 : 0)
        let (d1, o1) = u[i + j].subtractingReportingOverflow(pl2)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
        u[i + j] = d2
        borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
      }
      let (t1, o1) = u[j + n].subtractingReportingOverflow(carry)
      let (t2, o2) = t1.subtractingReportingOverflow(borrow)
      u[j + n] = t2
      if o1 || o2 {
        // D6: q̂ was one too large; add the divisor back.
        qhat -= 1
        var c: UInt64 = 0
        for i in 0..<n {
          let (s1, a1) = u[i + j].addingReportingOverflow(v[i])
          let (s2, a2) = s1.addingReportingOverflow(c)
          u[i + j] = s2
          c = (a1 ? 1 : 0) + (a2 ? 1 : 0)
        }
        u[j + n] &+= c
      }
      q[j] = qhat
      j -= 1
    }
    trim(&q)
    trim(&u)
    return (q, shiftRight(u, s))
  }

  // MARK: Arithmetic

  static func + (a: BigInt, b: BigInt) -> BigInt {
    if a.negative == b.negative { return BigInt(negative: a.negative, limbs: addMagnitudes(a.limbs, b.limbs)) }
    let c = compareMagnitudes(a.limbs, b.limbs)
    if c == 0 { return .zero }
    return c > 0
      ? BigInt(negative: a.negative, limbs: subtractMagnitudes(a.limbs, b.limbs))
      : BigInt(negative: b.negative, limbs: subtractMagnitudes(b.limbs, a.limbs))
  }

  static prefix func - (a: BigInt) -> BigInt { BigInt(negative: !a.negative, limbs: a.limbs) }
  static func - (a: BigInt, b: BigInt) -> BigInt { a + (-b) }

  static func * (a: BigInt, b: BigInt) -> BigInt {
    BigInt(negative: a.negative != b.negative, limbs: multiplyMagnitudes(a.limbs, b.limbs))
  }

  /// Truncating division (the quotient rounds toward zero; the remainder has the dividend's
  /// sign), like Swift's integers. The divisor must not be zero.
  func quotientAndRemainder(dividingBy d: BigInt) -> (quotient: BigInt, remainder: BigInt) {
    let (q, r) = BigInt.divModMagnitudes(limbs, d.limbs)
    return (BigInt(negative: negative != d.negative, limbs: q), BigInt(negative: negative, limbs: r))
  }

  static func / (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).quotient }
  static func % (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).remainder }

  static func << (a: BigInt, s: Int) -> BigInt { BigInt(negative: a.negative, limbs: shiftLeft(a.limbs, s)) }
  /// Shifts the magnitude (truncates toward zero).
  static func >> (a: BigInt, s: Int) -> BigInt { BigInt(negative: a.negative, limbs: shiftRight(a.limbs, s)) }

  /// Greatest common divisor of the magnitudes (Euclid); gcd(0, x) = |x|.
  static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
    var x = a.limbs, y = b.limbs
    while !y.isEmpty {
      if x.count <= 2, y.count <= 2 {
        let g = gcd128(BigInt(negative: false, limbs: x).magnitude128!, BigInt(negative: false, limbs: y).magnitude128!)
        return BigInt(g)
      }
      let r = divModMagnitudes(x, y).1
      x = y
      y = r
    }
    return BigInt(negative: false, limbs: x)
  }

  static func < (a: BigInt, b: BigInt) -> Bool {
    if a.negative != b.negative { return a.negative }
    let c = compareMagnitudes(a.limbs, b.limbs)
    return a.negative ? c > 0 : c < 0
  }

  // MARK: Text

  /// Decimal digits, with a leading '-' when negative.
  var description: String {
    if limbs.isEmpty { return "0" }
    var chunks: [UInt64] = []
    var m = limbs
    let base: UInt64 = 10_000_000_000_000_000_000  // 10^19
    while !m.isEmpty {
      let (q, r) = BigInt.divideMagnitude(m, by: base)
      chunks.append(r)
      m = q
    }
    var s = negative ? "-" : ""
    s += String(chunks.last!)
    for c in chunks.dropLast().reversed() {
      let t = String(c)
      s += String(repeating: "0", count: 19 - t.count) + t
    }
    return s
  }

  /// Parses an optional '-' or '+' and decimal digits; nil for anything else.
  init?<S: StringProtocol>(_ text: S) {
    var bytes = Array(text.utf8)
    var neg = false
    if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
      neg = f == UInt8(ascii: "-")
      bytes.removeFirst()
    }
    guard !bytes.isEmpty, bytes.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
    self = BigInt.fromDigits(bytes[...], negative: neg)
  }

  /// Digits (ASCII) to a value, 19 at a time.
  static func fromDigits(_ digits: ArraySlice<UInt8>, negative: Bool) -> BigInt {
    var limbs: [UInt64] = []
    var i = digits.startIndex
    while i < digits.endIndex {
      let end = min(i + 19, digits.endIndex)
      var chunk: UInt64 = 0
      var scale: UInt64 = 1
      for k in i..<end {
        chunk = chunk * 10 + UInt64(digits[k] &- UInt8(ascii: "0"))
        scale *= 10
      }
      limbs = multiplyMagnitudes(limbs, [scale])
      limbs = addMagnitudes(limbs, chunk == 0 ? [] : [chunk])
      i = end
    }
    return BigInt(negative: negative, limbs: limbs)
  }

  /// 10^n.
  static func pow10(_ n: Int) -> BigInt {
    var r = BigInt.one
    var k = n
    while k >= 19 { r = r * BigInt(Int128(10_000_000_000_000_000_000 as UInt64)); k -= 19 }
    if k > 0 { r = r * BigInt(Exact.pow10(k)!) }
    return r
  }

  /// 5^n.
  static func pow5(_ n: Int) -> BigInt {
    var r = BigInt.one
    var k = n
    let five27: Int128 = 7_450_580_596_923_828_125  // 5^27 < 2^64
    while k >= 27 { r = r * BigInt(five27); k -= 27 }
    var p: Int128 = 1
    for _ in 0..<k { p *= 5 }
    return r * BigInt(p)
  }
}

/// The free `gcd` of two 128-bit magnitudes, for `BigInt.gcd`, whose own name hides it.
private func gcd128(_ a: UInt128, _ b: UInt128) -> UInt128 { gcd(a, b) }
