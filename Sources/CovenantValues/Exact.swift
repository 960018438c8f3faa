/// Arithmetic that cannot be done exactly. Reported instead of trapping, so one absurd input cell
/// becomes a diagnostic rather than a crash of the whole run.
public enum ArithmeticError: Error, Hashable, Sendable { case overflow, divisionByZero }

/// How to round when a value has more decimals than will be shown or stored.
public enum RoundingRule: Sendable {
  /// Banker's rounding: ties go to the even neighbour, so repeated rounding carries no bias.
  case halfEven
  /// Toward negative infinity (floor).
  case down
  /// Toward positive infinity (ceiling).
  case up
  /// Truncation: drops the extra digits whatever the sign.
  case towardZero
}

/// An exact rational number `num/den`.
///
/// Money and ratios are compared against covenant limits, where 0.1 + 0.2 must equal 0.3 and
/// 66.6% must be strictly below two thirds; binary floating point can promise neither, so every
/// value is kept as a fraction and every operation either is exact or throws.
///
/// Two forms. The fast one keeps `num/den` in machine words (`Int128`), where every amount,
/// share and rate of a realistic covenant lives. When a result does not fit, the value is kept
/// as a fraction of arbitrary-precision integers (`big`) instead, up to `maxBits` bits in each
/// part; only beyond that does an operation throw `.overflow`. The form is canonical: a value
/// that fits machine words is always in the fast form.
///
/// Invariants: `den > 0`; `gcd(|num|, den) == 1`; zero is `0/1`. Because the form is canonical,
/// the synthesised `==` and `hash` are value equality. `num` may be `Int128.min`: every operation
/// works on magnitudes (`UInt128`) or checked arithmetic, so no operation can trap on it.
///
/// For a value in the large form, `num` and `den` saturate: `num` is `Int128.max` or
/// `Int128.min` by sign, and `den` is 1 for an integer and `Int128.max` otherwise. Code that
/// reads the parts (to pack a bound into a machine-word column, to print a small fraction) thus
/// sees a value beyond every machine-word amount, never a wrong small one.
public struct Exact: Hashable, Comparable, Sendable, CustomStringConvertible {
  public private(set) var num: Int128
  public private(set) var den: Int128
  /// The value, when it does not fit machine words; nil in the fast form.
  private var big: BigFraction?

  /// Bits allowed in the numerator and in the denominator of a value (4,096 bits: about 1,233
  /// decimal digits). A result beyond that is `.overflow` (E001).
  public static let maxBits = 4096

  /// Trusted constructor: the caller has already established the invariants.
  private init(reduced num: Int128, _ den: Int128) {
    self.num = num
    self.den = den
    self.big = nil
  }

  /// Whether the value is held in machine words (then `num` and `den` are its reduced parts,
  /// not saturated ones): closed forms that work on the parts as integers ask first.
  package var isSmall: Bool { big == nil }

  /// The value whose reduced parts are `num` and `den`, read from a small value (`isSmall`) and
  /// kept apart: no reduction again. A long group list keeps each group's utilization as two
  /// 64-bit parts (half the memory of an `Exact`) and rebuilds it when a report reads it; the
  /// parts must be such a value's, or equality and hashing break.
  package init(reducedParts num: Int128, _ den: Int128) { self.init(reduced: num, den) }

  /// Numerator and denominator as arbitrary-precision integers, whatever the form.
  var bigParts: (num: BigInt, den: BigInt) {
    if let big { return (big.num, big.den) }
    return (BigInt(num), BigInt(den))
  }

  /// Reduces num/den (den ≠ 0), moves the sign to the numerator, and picks the form.
  static func make(_ n: BigInt, _ d: BigInt) throws(ArithmeticError) -> Exact {
    guard !d.isZero else { throw .divisionByZero }
    if n.isZero { return .zero }
    let g = BigInt.gcd(n, d)
    var n = n, d = d
    if g != .one { n = n / g; d = d / g }
    if d.signum < 0 { n = -n; d = -d }
    return try reduced(n, d)
  }

  /// A reduced fraction with a positive denominator, in the canonical form.
  static func reduced(_ n: BigInt, _ d: BigInt) throws(ArithmeticError) -> Exact {
    if let sn = n.int128, let sd = d.int128 { return Exact(reduced: sn, sd) }
    guard n.bitWidth <= maxBits, d.bitWidth <= maxBits else { throw .overflow }
    var e = Exact(reduced: n.signum < 0 ? .min : .max, d == .one ? 1 : .max)
    e.big = BigFraction(num: n, den: d)
    return e
  }

  public static let zero = Exact(reduced: 0, 1)
  public static let one = Exact(reduced: 1, 1)

  public init(_ value: Int) { self.init(reduced: Int128(value), 1) }
  public init(integer: Int128) { self.init(reduced: integer, 1) }

  /// Reduces and moves the sign to the numerator. Throws `.overflow` only when the reduced
  /// fraction still does not fit (e.g. `1 / Int128.min`, whose denominator would be 2^127).
  public init(num: Int128, den: Int128) throws(ArithmeticError) {
    guard den != 0 else { throw .divisionByZero }
    let g = gcd(num.magnitude, den.magnitude)
    let (n, d) = (quotient(num.magnitude, g), quotient(den.magnitude, g))
    let negative = (num < 0) != (den < 0)
    do { self = try .build(negative: negative, n, d) } catch { self = try .reduced(BigInt(negative: negative, magnitude: n), BigInt(d)) }
  }

  /// `value / 10^scale`; a negative scale multiplies. Builds a decimal with a known number of
  /// places (cents, basis points) without going through text.
  public init(_ value: Int, scale: Int) throws(ArithmeticError) {
    let (e, o) = 0.subtractingReportingOverflow(scale)
    guard !o else { if value == 0 { self = .zero; return }; throw .overflow }
    self = try .decimalAnySize(negative: value < 0, UInt128(value.magnitude), exponent: e)
  }

  /// `units / 10^scale` for a scale of 0 to 18, reduced with 64-bit steps: the form in which
  /// columns of amounts keep cents. Never fails: every such value fits.
  package init(units: Int64, scale: Int) {
    var n = units.magnitude
    guard n != 0 else { self = .zero; return }
    let s = min(max(scale, 0), 18)
    let t = min(n.trailingZeroBitCount, s)
    n >>= UInt64(t)
    var fives = s
    while fives > 0, n % 5 == 0 {
      n /= 5
      fives -= 1
    }
    var d: UInt64 = 1 << UInt64(s - t)
    for _ in 0..<fives { d &*= 5 }
    self.init(reduced: units < 0 ? -Int128(n) : Int128(n), Int128(d))
  }

  /// Builds from a reduced sign-and-magnitude pair, checking that both parts fit `Int128`.
  private static func build(negative: Bool, _ n: UInt128, _ d: UInt128) throws(ArithmeticError) -> Exact {
    guard d <= UInt128(Int128.max) else { throw .overflow }
    if n == 0 { return .zero }
    if negative {
      guard n <= Int128.min.magnitude else { throw .overflow }
      return Exact(reduced: Int128(truncatingIfNeeded: 0 &- n), Int128(d))
    }
    guard n <= UInt128(Int128.max) else { throw .overflow }
    return Exact(reduced: Int128(n), Int128(d))
  }

  private static let powers: [Int128] = {
    var p: [Int128] = [1]
    var x: Int128 = 1
    for _ in 1...38 { x *= 10; p.append(x) }
    return p
  }()

  /// 10^n for 0...38, the range `Int128` can hold; nil otherwise, so callers must decide what
  /// "too many decimals" means for them instead of trapping.
  public static func pow10(_ n: Int) -> Int128? { n >= 0 && n <= 38 ? powers[n] : nil }

  // MARK: Parsing

  /// Parses a plain decimal text: optional sign ('+' or '-'), digits, optional '.' digits,
  /// optional exponent `e`/`E` [sign] digits — JSON number syntax plus a leading '+' (leading
  /// zeros are tolerated). No whitespace. Returns nil if the text is not such a number; throws
  /// `.overflow` if it is one but does not fit (500 digits, `1e400`, `1e-50`). "-0" is zero.
  public static func parse<S: StringProtocol>(_ text: S) throws(ArithmeticError) -> Exact? {
    let fast = text.utf8.withContiguousStorageIfAvailable { b in
      Result { () throws(ArithmeticError) in try parse(bytes: b) }
    }
    if let fast { return try fast.get() }
    let copy = Array(text.utf8)
    return try copy.withUnsafeBufferPointer { b in
      Result { () throws(ArithmeticError) in try parse(bytes: b) }
    }.get()
  }

  /// The same grammar over raw UTF-8, so a JSON loader can parse numbers in place without
  /// materialising a `String` per cell. A single pass; trailing zeros are held back as a count
  /// rather than multiplied in, so "0.5000000000000000000000000000000000000000" still fits.
  public static func parse(bytes: UnsafeBufferPointer<UInt8>) throws(ArithmeticError) -> Exact? {
    let n = bytes.count
    var i = 0
    var negative = false
    if n > 0, bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
      negative = bytes[0] == UInt8(ascii: "-")
      i = 1
    }
    // value = sig * 10^(pendingZeros + exponent - fractionDigits). The counters are bounded by
    // the buffer length and the exponent is clamped, so their arithmetic cannot overflow.
    var sig: UInt128 = 0
    var pendingZeros = 0, fractionDigits = 0, exponent = 0
    var tooLong = false

    @inline(__always) func digits(fraction: Bool) -> Int {
      let start = i
      while i < n {
        let d = bytes[i] &- UInt8(ascii: "0")
        guard d < 10 else { break }
        i += 1
        if fraction { fractionDigits += 1 }
        if d == 0 { pendingZeros += 1; continue }
        if sig == 0 {
          sig = UInt128(d)
        } else if !tooLong {
          let scale = pendingZeros + 1
          if let p = pow10(scale) {
            let (m, o1) = sig.multipliedReportingOverflow(by: UInt128(p))
            let (s, o2) = m.addingReportingOverflow(UInt128(d))
            (sig, tooLong) = (s, o1 || o2)
          } else {
            tooLong = true
          }
        }
        pendingZeros = 0
      }
      return i - start
    }

    guard digits(fraction: false) > 0 else { return nil }
    if i < n, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard digits(fraction: true) > 0 else { return nil }
    }
    if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
      i += 1
      var expNegative = false
      if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
        expNegative = bytes[i] == UInt8(ascii: "-")
        i += 1
      }
      let start = i
      while i < n {
        let d = bytes[i] &- UInt8(ascii: "0")
        guard d < 10 else { break }
        if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(d) }
        i += 1
      }
      guard i > start else { return nil }
      if expNegative { exponent = -exponent }
    }
    guard i == n else { return nil }
    if tooLong { return try bigDecimal(bytes: bytes, negative: negative, exponent: exponent) }
    return try decimalAnySize(negative: negative, sig, exponent: pendingZeros + exponent - fractionDigits)
  }

  /// `decimal`, falling back to the large form when the value does not fit machine words.
  private static func decimalAnySize(negative: Bool, _ sig: UInt128, exponent e: Int) throws(ArithmeticError) -> Exact {
    do { return try decimal(negative: negative, sig, exponent: e) } catch {}
    return try bigDecimal(BigInt(negative: negative, magnitude: sig), exponent: e)
  }

  /// The digits of an already validated number text whose significand exceeds 128 bits.
  private static func bigDecimal(bytes: UnsafeBufferPointer<UInt8>, negative: Bool, exponent: Int) throws(ArithmeticError) -> Exact {
    var digits: [UInt8] = []
    var fractionDigits = 0
    var inFraction = false
    for b in bytes {
      if b == UInt8(ascii: ".") { inFraction = true; continue }
      if b | 0x20 == UInt8(ascii: "e") { break }
      guard b &- UInt8(ascii: "0") < 10 else { continue }  // the sign
      if digits.isEmpty, b == UInt8(ascii: "0") {
        if inFraction { fractionDigits += 1 }
        continue
      }
      digits.append(b)
      if inFraction { fractionDigits += 1 }
    }
    // Beyond this many significant digits the numerator alone would exceed `maxBits`
    // (and the cost of reading them grows quadratically), however the exponent scales them.
    guard digits.count <= maxBits / 3 else { throw .overflow }
    return try bigDecimal(BigInt.fromDigits(digits[...], negative: negative), exponent: exponent - fractionDigits)
  }

  /// sig · 10^e for a large significand or exponent; bounded before anything large is built.
  private static func bigDecimal(_ sig: BigInt, exponent e: Int) throws(ArithmeticError) -> Exact {
    if sig.isZero { return .zero }
    // 10^e has more than 3.3·e bits: past maxBits / 3 digits the value cannot be held (and a
    // huge exponent would cost time to build).
    guard e.magnitude <= UInt(maxBits / 3 + 1240) else { throw .overflow }
    if e >= 0 { return try make(sig * BigInt.pow10(e), .one) }
    return try make(sig, BigInt.pow10(-e))
  }

  /// ±sig · 10^exponent. For a negative exponent it divides by 2^k · 5^k, cancelling the 2s and 5s
  /// sig shares: that is the whole gcd, found far more cheaply than by Euclid on 128 bits.
  private static func decimal(negative: Bool, _ sig: UInt128, exponent e: Int) throws(ArithmeticError) -> Exact {
    if sig == 0 { return .zero }
    if e >= 0 {
      guard let p = pow10(e) else { throw .overflow }
      let (m, o) = sig.multipliedReportingOverflow(by: UInt128(p))
      guard !o else { throw .overflow }
      return try build(negative: negative, m, 1)
    }
    let k = e.magnitude
    let twosShared = min(UInt(sig.trailingZeroBitCount), k)
    var sig = sig >> twosShared
    var fives = k
    while fives > 0, sig % 5 == 0 { sig /= 5; fives -= 1 }
    guard k - twosShared < 127, fives < 56 else { throw .overflow }  // 5^56 > 2^128
    var d = UInt128(1) << (k - twosShared)
    for _ in 0..<fives {
      let (m, o) = d.multipliedReportingOverflow(by: 5)
      guard !o else { throw .overflow }
      d = m
    }
    return try build(negative: negative, sig, d)
  }

  // MARK: Arithmetic

  public func adding(_ other: Exact) throws(ArithmeticError) -> Exact {
    if big == nil, other.big == nil { do { return try combine(other, subtract: false) } catch {} }
    return try bigCombine(other, subtract: false)
  }

  public func subtracting(_ other: Exact) throws(ArithmeticError) -> Exact {
    if big == nil, other.big == nil { do { return try combine(other, subtract: true) } catch {} }
    return try bigCombine(other, subtract: true)
  }

  /// a/b ± c/d in arbitrary precision, for results that do not fit machine words.
  private func bigCombine(_ o: Exact, subtract: Bool) throws(ArithmeticError) -> Exact {
    let (a, b) = bigParts, (c, d) = o.bigParts
    let g = BigInt.gcd(b, d)
    let (b1, d1) = g == .one ? (b, d) : (b / g, d / g)
    let x = a * d1, y = c * b1
    let n = subtract ? x - y : x + y
    if n.isZero { return .zero }
    let g2 = g == .one ? g : BigInt.gcd(n, g)
    if g2 == .one { return try Exact.reduced(n, b1 * d) }
    return try Exact.reduced(n / g2, b1 * (d / g2))
  }

  /// a/b ± c/d = (a·(d/g) ± c·(b/g)) / (b/g·d) with g = gcd(b, d). The result's common factor can
  /// only divide g, so the final reduction is a gcd with g rather than with the full denominator.
  private func combine(_ o: Exact, subtract: Bool) throws(ArithmeticError) -> Exact {
    func sum(_ x: Int128, _ y: Int128) throws(ArithmeticError) -> Int128 {
      let (r, overflow) = subtract ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
      guard !overflow else { throw .overflow }
      return r
    }
    if o.num == 0 { return self }
    if num == 0 { return subtract ? try o.negated() : o }
    if den == o.den {
      let n = try sum(num, o.num)
      if den == 1 { return Exact(reduced: n, 1) }
      return try Exact(num: n, den: den)
    }
    let gm = gcd(den.magnitude, o.den.magnitude)
    // Denominators are positive, so their quotients are taken on magnitudes (64-bit when small).
    let (b, d) = (Int128(quotient(den.magnitude, gm)), Int128(quotient(o.den.magnitude, gm)))
    let (x, o1) = num.multipliedReportingOverflow(by: d)
    let (y, o2) = o.num.multipliedReportingOverflow(by: b)
    guard !o1, !o2 else { throw .overflow }
    let n = try sum(x, y)
    if n == 0 { return .zero }
    let g2m = gcd(n.magnitude, gm)
    if g2m == 1 {
      let (dn, o3) = b.multipliedReportingOverflow(by: o.den)
      guard !o3 else { throw .overflow }
      return Exact(reduced: n, dn)
    }
    let g2 = Int128(g2m)
    let (dn, o3) = b.multipliedReportingOverflow(by: Int128(quotient(o.den.magnitude, g2m)))
    guard !o3 else { throw .overflow }
    return Exact(reduced: n / g2, dn)
  }

  public func multiplied(by other: Exact) throws(ArithmeticError) -> Exact {
    if big == nil, other.big == nil {
      do {
        return try Exact.product(num < 0, num.magnitude, den.magnitude, other.num < 0, other.num.magnitude, other.den.magnitude)
      } catch {}
    }
    let (a, b) = bigParts, (c, d) = other.bigParts
    return try Exact.bigProduct(a, b, c, d)
  }

  public func divided(by other: Exact) throws(ArithmeticError) -> Exact {
    guard other.num != 0 else { throw .divisionByZero }
    if big == nil, other.big == nil {
      do {
        return try Exact.product(num < 0, num.magnitude, den.magnitude, other.num < 0, other.den.magnitude, other.num.magnitude)
      } catch {}
    }
    let (a, b) = bigParts, (c, d) = other.bigParts
    return c.signum < 0 ? try Exact.bigProduct(-a, b, d, c.magnitude) : try Exact.bigProduct(a, b, d, c)
  }

  /// (an/ad)·(bn/bd) for reduced operands with positive denominators, cross-reducing first.
  private static func bigProduct(_ an: BigInt, _ ad: BigInt, _ bn: BigInt, _ bd: BigInt) throws(ArithmeticError) -> Exact {
    if an.isZero || bn.isZero { return .zero }
    let g1 = BigInt.gcd(an, bd), g2 = BigInt.gcd(bn, ad)
    return try reduced((an / g1) * (bn / g2), (ad / g2) * (bd / g1))
  }

  /// (an/ad)·(bn/bd) on magnitudes, cross-reducing first so that a product whose result fits
  /// never overflows on the way; the operands are reduced, so the result is too.
  private static func product(_ aNeg: Bool, _ an: UInt128, _ ad: UInt128, _ bNeg: Bool, _ bn: UInt128, _ bd: UInt128) throws(ArithmeticError) -> Exact {
    if an == 0 || bn == 0 { return .zero }
    let g1 = gcd(an, bd), g2 = gcd(bn, ad)
    let (n, o1) = quotient(an, g1).multipliedReportingOverflow(by: quotient(bn, g2))
    let (d, o2) = quotient(ad, g2).multipliedReportingOverflow(by: quotient(bd, g1))
    guard !o1, !o2 else { throw .overflow }
    return try build(negative: aNeg != bNeg, n, d)
  }

  /// Throws only for `Int128.min`, whose negation does not fit; kept throwing so callers handle
  /// every arithmetic step the same way.
  public func negated() throws(ArithmeticError) -> Exact {
    if let big { return try Exact.reduced(-big.num, big.den) }
    guard num != .min else { return try Exact.reduced(-BigInt(num), BigInt(den)) }
    return Exact(reduced: -num, den)
  }

  public var signum: Int { num < 0 ? -1 : num == 0 ? 0 : 1 }
  public var isInteger: Bool { den == 1 }

  /// Compares num1·den2 with num2·den1 as 256-bit products, so it is exact for every pair of
  /// values and can never overflow: a comparison must not fail when arithmetic would.
  public static func < (lhs: Exact, rhs: Exact) -> Bool {
    if lhs.big != nil || rhs.big != nil {
      let (a, b) = lhs.bigParts, (c, d) = rhs.bigParts
      return a * d < c * b
    }
    if lhs.den == rhs.den { return lhs.num < rhs.num }
    let l = lhs.num.multipliedFullWidth(by: rhs.den), r = rhs.num.multipliedFullWidth(by: lhs.den)
    return (l.high, l.low) < (r.high, r.low)
  }

  // MARK: Decimal views

  /// Splits a positive denominator into 2^twos · 5^fives · rest; a value is a terminating decimal
  /// exactly when rest is 1, with max(twos, fives) decimals.
  private var decimalFactors: (twos: Int, fives: Int, rest: UInt128) {
    var d = den.magnitude
    let twos = d.trailingZeroBitCount
    d >>= twos
    var fives = 0
    while d % 5 == 0 { d /= 5; fives += 1 }
    return (twos, fives, d)
  }

  /// Exact text: "12", "-0.25", "1.5"; a fraction ("2/3") only when no finite decimal is exact.
  /// Digits come from long division with full-width steps, so this never overflows.
  public var description: String {
    if let big { return big.description }
    if den == 1 { return String(num) }
    guard decimalFactors.rest == 1 else { return "\(num)/\(den)" }
    let d = den.magnitude
    var (q, r) = num.magnitude.quotientAndRemainder(dividingBy: d)
    var text = (num < 0 ? "-" : "") + String(q) + "."
    while r != 0 {
      (q, r) = d.dividingFullWidth(r.multipliedFullWidth(by: 10))
      text.append(Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: q))))
    }
    return text
  }

  /// Rounds to `places` decimals (negative counts as 0) and returns value · 10^places as an
  /// integer — the form fixed-point ledgers store. Throws `.overflow` if that integer does not
  /// fit or `places` exceeds 38.
  public func scaled(places: Int, rounding: RoundingRule) throws(ArithmeticError) -> Int128 {
    if num == 0 { return 0 }
    if big != nil {
      guard places <= 38, let s = try scaledBig(places: places, rounding: rounding).int128 else { throw .overflow }
      return s
    }
    guard let p = Exact.pow10(max(0, places)) else { throw .overflow }
    let d = den.magnitude
    let wide = num.magnitude.multipliedFullWidth(by: p.magnitude)
    guard wide.high < d else { throw .overflow }  // otherwise the quotient needs more than 128 bits
    var (q, r) = d.dividingFullWidth(wide)
    let negative = num < 0
    let away: Bool  // whether to step the magnitude up by one
    switch rounding {
    case .towardZero: away = false
    case .down: away = negative && r != 0
    case .up: away = !negative && r != 0
    case .halfEven:
      let twice = r << 1  // r < d < 2^127, so this cannot lose a bit
      away = twice > d || (twice == d && q & 1 == 1)
    }
    if away {
      let (s, o) = q.addingReportingOverflow(1)
      guard !o else { throw .overflow }
      q = s
    }
    return try Exact.build(negative: negative, q, 1).num
  }

  /// Fixed-point text with exactly `places` decimals, e.g. "1,234,567.89" with grouping. A value
  /// that rounds to zero prints without a minus sign. If the scaled value cannot be represented,
  /// falls back to the exact `description` rather than trapping or printing something wrong.
  public func formatted(places: Int, rounding: RoundingRule = .halfEven, grouping: Bool = false) -> String {
    let places = max(0, places)
    let text: String
    let negative: Bool
    if let s = try? scaled(places: places, rounding: rounding) {
      // Most figures fit 64 bits: their digits are written straight into the string.
      if s.magnitude <= UInt128(UInt64.max) { return Self.layout(UInt64(s.magnitude), negative: s < 0, places: places, grouping: grouping) }
      text = String(s.magnitude)
      negative = s < 0
    } else if places <= 38, let s = try? scaledBig(places: places, rounding: rounding) {
      text = s.magnitude.description
      negative = s.signum < 0
    } else {
      return description
    }
    var digits = Array(text.utf8)
    if digits.count <= places { digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: places + 1 - digits.count), at: 0) }
    let intCount = digits.count - places
    var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
    out.reserveCapacity(digits.count + digits.count / 3 + 2)
    for (k, c) in digits[..<intCount].enumerated() {
      if grouping, k > 0, (intCount - k) % 3 == 0 { out.append(UInt8(ascii: ",")) }
      out.append(c)
    }
    if places > 0 {
      out.append(UInt8(ascii: "."))
      out.append(contentsOf: digits[intCount...])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// `formatted` of a scaled magnitude that fits 64 bits, written into the string's own storage
  /// (a report formats several figures per deal of a batch; the general path makes the digits'
  /// text, an array of them and an array of the result first). The same bytes: at least one
  /// integer digit, zeros after the point up to `places`, groups of three when `grouping`.
  static func layout(_ magnitude: UInt64, negative: Bool, places: Int, grouping: Bool) -> String {
    var digitCount = 1
    var rest = magnitude / 10
    while rest > 0 { digitCount += 1; rest /= 10 }
    let total = Swift.max(digitCount, places + 1)
    let intCount = total - places
    let length = (negative ? 1 : 0) + intCount + (grouping ? (intCount - 1) / 3 : 0) + (places > 0 ? 1 + places : 0)
    return String(unsafeUninitializedCapacity: length) { out in
      // Right to left: fraction digits, the point, then integer digits with their separators.
      var at = length
      var m = magnitude
      var written = 0
      func digit() -> UInt8 {
        defer { written += 1 }
        guard written < digitCount else { return UInt8(ascii: "0") }
        let d = UInt8(truncatingIfNeeded: m % 10)
        m /= 10
        return UInt8(ascii: "0") + d
      }
      for _ in 0..<places { at -= 1; out[at] = digit() }
      if places > 0 { at -= 1; out[at] = UInt8(ascii: ".") }
      for k in 0..<intCount {
        if grouping, k > 0, k % 3 == 0 { at -= 1; out[at] = UInt8(ascii: ",") }
        at -= 1
        out[at] = digit()
      }
      if negative { at -= 1; out[at] = UInt8(ascii: "-") }
      return length
    }
  }

  /// True if the value is exactly representable with at most `places` decimals, i.e. rounding to
  /// that many places would lose nothing.
  public func hasAtMost(places: Int) -> Bool {
    if den == 1 { return true }
    if let big {
      let f = big.decimalFactors
      return f.terminates && f.twos <= places && f.fives <= places
    }
    let f = decimalFactors
    return f.rest == 1 && f.twos <= places && f.fives <= places
  }
}

extension Exact {
  /// value · 10^places rounded to an integer, in arbitrary precision.
  func scaledBig(places: Int, rounding: RoundingRule) throws(ArithmeticError) -> BigInt {
    let (n, d) = bigParts
    let p = max(0, places)
    guard p <= Exact.maxBits else { throw .overflow }
    let (q0, r) = (n.magnitude * BigInt.pow10(p)).quotientAndRemainder(dividingBy: d)
    var q = q0
    let negative = n.signum < 0
    let away: Bool
    switch rounding {
    case .towardZero: away = false
    case .down: away = negative && !r.isZero
    case .up: away = !negative && !r.isZero
    case .halfEven:
      let twice = r << 1
      away = d < twice || (twice == d && q.isOdd)
    }
    if away { q = q + .one }
    return negative ? -q : q
  }
}

/// The large form of an `Exact`: a reduced fraction of arbitrary-precision integers whose parts
/// do not both fit `Int128`. Immutable, so values share it freely.
final class BigFraction: Hashable, Sendable {
  let num: BigInt
  let den: BigInt

  init(num: BigInt, den: BigInt) {
    self.num = num
    self.den = den
  }

  static func == (a: BigFraction, b: BigFraction) -> Bool { a.num == b.num && a.den == b.den }
  func hash(into h: inout Hasher) {
    h.combine(num)
    h.combine(den)
  }

  /// den = 2^twos · 5^fives · rest; the value is a terminating decimal when rest is 1.
  var decimalFactors: (twos: Int, fives: Int, terminates: Bool) {
    let twos = den.trailingZeroBitCount
    var d = den >> twos
    var fives = 0
    while true {
      let (q, r) = BigInt.divideMagnitude(d.limbs, by: 5)
      guard r == 0 else { break }  // d is odd and at least 1, so this ends
      d = BigInt(negative: false, limbs: q)
      fives += 1
    }
    return (twos, fives, d == .one)
  }

  /// Exact text, as `Exact.description`: a decimal when one is exact, else "num/den".
  var description: String {
    if den == .one { return num.description }
    let f = decimalFactors
    guard f.terminates else { return "\(num)/\(den)" }
    let places = max(f.twos, f.fives)
    let scaled = (num.magnitude * BigInt.pow10(places)) / den
    var digits = Array(scaled.description.utf8)
    if digits.count <= places { digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: places + 1 - digits.count), at: 0) }
    let intCount = digits.count - places
    var frac = Array(digits[intCount...])
    while frac.last == UInt8(ascii: "0") { frac.removeLast() }
    return (num.signum < 0 ? "-" : "") + String(decoding: digits[..<intCount], as: UTF8.self) + "." + String(decoding: frac, as: UTF8.self)
  }
}

/// Binary (Stein's) gcd: shifts and subtractions only, which on 128 bits is far cheaper than
/// Euclid's software division. gcd(0, x) == x. Values that fit 64 bits (amounts, cents, most
/// denominators) take a 64-bit path: one remainder brings a 128-bit operand down to 64 bits.
func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
  if a == 0 { return b }
  if b == 0 { return a }
  if a == 1 || b == 1 { return 1 }
  let aSmall = a >> 64 == 0, bSmall = b >> 64 == 0
  if aSmall && bSmall { return UInt128(gcd64(UInt64(truncatingIfNeeded: a), UInt64(truncatingIfNeeded: b))) }
  if aSmall { return UInt128(gcd64(UInt64(truncatingIfNeeded: a), UInt64(truncatingIfNeeded: b % a))) }
  if bSmall { return UInt128(gcd64(UInt64(truncatingIfNeeded: b), UInt64(truncatingIfNeeded: a % b))) }
  var a = a, b = b
  let shift = (a | b).trailingZeroBitCount
  a >>= a.trailingZeroBitCount
  repeat {
    b >>= b.trailingZeroBitCount
    if a > b { swap(&a, &b) }
    b -= a
  } while b != 0
  return a << shift
}

@inline(__always) func gcd64(_ a: UInt64, _ b: UInt64) -> UInt64 {
  var a = a, b = b
  if a == 0 { return b }
  if b == 0 { return a }
  // Sizes far apart (a denominator of 10 against a total): one remainder first, where the
  // binary loop would take a step per bit of the larger.
  if a > b {
    if a >> 8 > b {
      a %= b
      if a == 0 { return b }
    }
  } else if b >> 8 > a {
    b %= a
    if b == 0 { return a }
  }
  let shift = (a | b).trailingZeroBitCount
  var u = a >> UInt64(a.trailingZeroBitCount)
  var v = b >> UInt64(b.trailingZeroBitCount)
  // Both odd: replace the larger by the odd part of the difference. Written without branches
  // (min and magnitude), since which one is larger is a coin toss for the predictor.
  while u != v {
    let d = u &- v
    let negative = u < v
    v = negative ? u : v
    let m = negative ? 0 &- d : d
    u = m >> UInt64(m.trailingZeroBitCount)
  }
  return u << UInt64(shift)
}

/// a / b, on 64 bits when both fit (the usual case), where the hardware divides in one step.
@inline(__always) func quotient(_ a: UInt128, _ b: UInt128) -> UInt128 {
  if (a | b) >> 64 == 0 { return UInt128(UInt64(truncatingIfNeeded: a) / UInt64(truncatingIfNeeded: b)) }
  return a / b
}
