// Fuzz target `exact`: Exact against an independent reference (differential).
//
// Built by scripts/fuzz.sh into the CovenantKit module. The input is text: tokens separated by
// white space, each a decimal `x` or a quotient `x/y` (x, y in Exact.parse's grammar: sign,
// digits, optional fraction, optional exponent). Every token is parsed by Exact.parse and by the
// reference below; they must agree on validity and value. For each value, and each pair of
// consecutive values, the target checks against the reference: description (printing),
// re-parsing the description, +, −, ×, ÷ (division by zero included), <, ==, negation,
// scaled(places:rounding:) for every rule at 0, 2, 6 and 38 places, and formatted (with and without
// grouping). Any disagreement traps.
//
// The reference is a tiny sign-magnitude bignum on [UInt32] limbs with schoolbook arithmetic and
// bit-by-bit long division (limb-wise for a one-limb divisor), written here and sharing no code with Exact or BigInt. Values are
// kept small enough (at most 45 significant digits and |exponent| <= 45 per part) that no result
// comes near Exact.maxBits, so Exact must never report overflow on them.

// MARK: - Reference naturals (little-endian UInt32 limbs, no high zero limbs)

typealias RNat = [UInt32]

func rnorm(_ a: inout RNat) { while a.last == 0 { a.removeLast() } }

func rcmp(_ a: RNat, _ b: RNat) -> Int {
  if a.count != b.count { return a.count < b.count ? -1 : 1 }
  var i = a.count - 1
  while i >= 0 {
    if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
    i -= 1
  }
  return 0
}

func radd(_ a: RNat, _ b: RNat) -> RNat {
  var out = RNat(repeating: 0, count: max(a.count, b.count) + 1)
  var carry: UInt64 = 0
  for i in 0..<out.count {
    let s = UInt64(i < a.count ? a[i] : 0) + UInt64(i < b.count ? b[i] : 0) + carry
    out[i] = UInt32(s & 0xFFFF_FFFF)
    carry = s >> 32
  }
  rnorm(&out)
  return out
}

/// a - b for a >= b.
func rsub(_ a: RNat, _ b: RNat) -> RNat {
  var out = a
  var borrow: Int64 = 0
  for i in 0..<out.count {
    var d = Int64(a[i]) - Int64(i < b.count ? b[i] : 0) - borrow
    borrow = 0
    if d < 0 { d += 1 << 32; borrow = 1 }
    out[i] = UInt32(d)
  }
  precondition(borrow == 0, "reference: rsub underflow")
  rnorm(&out)
  return out
}

func rmul(_ a: RNat, _ b: RNat) -> RNat {
  if a.isEmpty || b.isEmpty { return [] }
  var out = RNat(repeating: 0, count: a.count + b.count)
  for i in 0..<a.count {
    var carry: UInt64 = 0
    for j in 0..<b.count {
      let t = UInt64(a[i]) * UInt64(b[j]) + UInt64(out[i + j]) + carry
      out[i + j] = UInt32(t & 0xFFFF_FFFF)
      carry = t >> 32
    }
    var k = i + b.count
    while carry != 0 {
      let t = UInt64(out[k]) + carry
      out[k] = UInt32(t & 0xFFFF_FFFF)
      carry = t >> 32
      k += 1
    }
  }
  rnorm(&out)
  return out
}

func rbits(_ a: RNat) -> Int { a.isEmpty ? 0 : 32 * (a.count - 1) + (32 - a.last!.leadingZeroBitCount) }

/// Bit-by-bit long division.
func rdivmod(_ a: RNat, _ b: RNat) -> (q: RNat, r: RNat) {
  precondition(!b.isEmpty, "reference: division by zero")
  if rcmp(a, b) < 0 { return ([], a) }
  if b.count == 1 {
    let (q, r) = rdivSmall(a, b[0])
    return (q, r == 0 ? [] : [r])
  }
  var q = RNat(repeating: 0, count: a.count)
  var r: RNat = []
  var i = rbits(a) - 1
  while i >= 0 {
    // r = r << 1 | bit i of a
    var carry: UInt32 = (a[i / 32] >> UInt32(i % 32)) & 1
    for k in 0..<r.count {
      let nc = r[k] >> 31
      r[k] = r[k] << 1 | carry
      carry = nc
    }
    if carry != 0 { r.append(carry) }
    if rcmp(r, b) >= 0 {
      r = rsub(r, b)
      q[i / 32] |= 1 << UInt32(i % 32)
    }
    i -= 1
  }
  rnorm(&q)
  return (q, r)
}

func rsmall(_ v: UInt64) -> RNat {
  var a: RNat = [UInt32(v & 0xFFFF_FFFF), UInt32(v >> 32)]
  rnorm(&a)
  return a
}

func rpow10(_ n: Int) -> RNat {
  var p = rsmall(1)
  for _ in 0..<n { p = rmul(p, rsmall(10)) }
  return p
}

func rgcd(_ a: RNat, _ b: RNat) -> RNat {
  var (a, b) = (a, b)
  while !b.isEmpty { (a, b) = (b, rdivmod(a, b).r) }
  return a
}

/// Division by one limb, a limb at a time.
func rdivSmall(_ a: RNat, _ d: UInt32) -> (q: RNat, r: UInt32) {
  var q = RNat(repeating: 0, count: a.count)
  var r: UInt64 = 0
  var i = a.count - 1
  while i >= 0 {
    let cur = r << 32 | UInt64(a[i])
    q[i] = UInt32(cur / UInt64(d))
    r = cur % UInt64(d)
    i -= 1
  }
  rnorm(&q)
  return (q, UInt32(r))
}

func rdecimal(_ a: RNat) -> String {
  if a.isEmpty { return "0" }
  var chunks: [UInt32] = []
  var x = a
  while !x.isEmpty {
    let (q, r) = rdivSmall(x, 1_000_000_000)
    chunks.append(r)
    x = q
  }
  var out = String(chunks.removeLast())
  for c in chunks.reversed() {
    let s = String(c)
    out += String(repeating: "0", count: 9 - s.count) + s
  }
  return out
}

// MARK: - Reference rationals

struct RRat: Equatable {
  var negative: Bool
  var num: RNat  // magnitude
  var den: RNat  // > 0

  init(negative: Bool, num: RNat, den: RNat) {
    let g = rgcd(num, den)
    self.num = rdivmod(num, g).q
    self.den = rdivmod(den, g).q
    self.negative = negative && !num.isEmpty
  }

  var isZero: Bool { num.isEmpty }

  static func signedAdd(_ an: Bool, _ a: RNat, _ bn: Bool, _ b: RNat) -> (Bool, RNat) {
    if an == bn { return (an, radd(a, b)) }
    return rcmp(a, b) >= 0 ? (an, rsub(a, b)) : (bn, rsub(b, a))
  }

  func adding(_ o: RRat) -> RRat {
    let (n, m) = RRat.signedAdd(negative, rmul(num, o.den), o.negative, rmul(o.num, den))
    return RRat(negative: n, num: m, den: rmul(den, o.den))
  }
  func negated() -> RRat { RRat(negative: !negative, num: num, den: den) }
  func subtracting(_ o: RRat) -> RRat { adding(o.negated()) }
  func multiplied(_ o: RRat) -> RRat { RRat(negative: negative != o.negative, num: rmul(num, o.num), den: rmul(den, o.den)) }
  func divided(_ o: RRat) -> RRat? {
    if o.isZero { return nil }
    return RRat(negative: negative != o.negative, num: rmul(num, o.den), den: rmul(den, o.num))
  }

  /// -1, 0, 1.
  func compare(_ o: RRat) -> Int {
    let sa = isZero ? 0 : negative ? -1 : 1, sb = o.isZero ? 0 : o.negative ? -1 : 1
    if sa != sb { return sa < sb ? -1 : 1 }
    let c = rcmp(rmul(num, o.den), rmul(o.num, den))
    return sa < 0 ? -c : c
  }

  /// As Exact.description: integer, terminating decimal without trailing zeros, else "n/d".
  var text: String {
    let sign = negative ? "-" : ""
    if den == [1] { return sign + rdecimal(num) }
    var d = den, twos = 0, fives = 0
    while true { let (q, r) = rdivmod(d, rsmall(2)); if !r.isEmpty { break }; d = q; twos += 1 }
    while true { let (q, r) = rdivmod(d, rsmall(5)); if !r.isEmpty { break }; d = q; fives += 1 }
    guard d == [1] else { return sign + rdecimal(num) + "/" + rdecimal(den) }
    let places = max(twos, fives)
    var digits = Array(rdecimal(rdivmod(rmul(num, rpow10(places)), den).q))
    if digits.count <= places { digits.insert(contentsOf: repeatElement("0", count: places + 1 - digits.count), at: 0) }
    var frac = Array(digits[(digits.count - places)...])
    while frac.last == "0" { frac.removeLast() }
    return sign + String(digits[..<(digits.count - places)]) + "." + String(frac)
  }

  enum Rule: CaseIterable { case halfEven, down, up, towardZero }

  /// value · 10^places rounded to an integer: (negative, magnitude).
  func scaled(_ places: Int, _ rule: Rule) -> (Bool, RNat) {
    var (q, r) = rdivmod(rmul(num, rpow10(places)), den)
    let away: Bool
    switch rule {
    case .towardZero: away = false
    case .down: away = negative && !r.isEmpty
    case .up: away = !negative && !r.isEmpty
    case .halfEven:
      let c = rcmp(radd(r, r), den)
      away = c > 0 || (c == 0 && (q.first ?? 0) & 1 == 1)
    }
    if away { q = radd(q, [1]) }
    return (negative && !q.isEmpty, q)
  }
}

/// The reference's reading of a decimal text: nil if the text is not in the grammar; `.big` if it
/// is but too large for the reference to compute (more than 60 significant digits or an exponent
/// beyond ±60 after the fraction); else the value.
enum RParse { case invalid, big, value(RRat) }

func rparse(_ s: Substring) -> RParse {
  var b = Array(s.utf8)[...]
  var negative = false
  if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); b = b.dropFirst() }
  func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
  var mantissa: [UInt8] = []
  var fraction = 0
  let intDigits = b.prefix(while: isDigit)
  guard !intDigits.isEmpty else { return .invalid }
  mantissa += intDigits
  b = b.dropFirst(intDigits.count)
  if b.first == UInt8(ascii: ".") {
    b = b.dropFirst()
    let f = b.prefix(while: isDigit)
    guard !f.isEmpty else { return .invalid }
    mantissa += f
    fraction = f.count
    b = b.dropFirst(f.count)
  }
  var exponent = 0
  if let e = b.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
    b = b.dropFirst()
    var expNegative = false
    if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { expNegative = f == UInt8(ascii: "-"); b = b.dropFirst() }
    let d = b.prefix(while: isDigit)
    guard !d.isEmpty else { return .invalid }
    for c in d where exponent < 1_000_000 { exponent = exponent * 10 + Int(c - 48) }
    if expNegative { exponent = -exponent }
    b = b.dropFirst(d.count)
  }
  guard b.isEmpty else { return .invalid }
  while mantissa.first == UInt8(ascii: "0") { mantissa.removeFirst() }
  if mantissa.isEmpty { return .value(RRat(negative: false, num: [], den: [1])) }
  let e = exponent - fraction
  guard mantissa.count <= 45, abs(e) <= 45 else { return .big }
  var n: RNat = []
  for c in mantissa { n = radd(rmul(n, rsmall(10)), rsmall(UInt64(c - 48))) }
  if e >= 0 { return .value(RRat(negative: negative, num: rmul(n, rpow10(e)), den: [1])) }
  return .value(RRat(negative: negative, num: n, den: rpow10(-e)))
}

// MARK: - Comparing

func toInt128(_ negative: Bool, _ m: RNat) -> Int128? {
  guard rbits(m) <= 128 else { return nil }
  var u: UInt128 = 0
  for (i, l) in m.enumerated() { u |= UInt128(l) << (32 * i) }
  if negative {
    if u == UInt128(1) << 127 { return Int128.min }
    return u < UInt128(1) << 127 ? -Int128(u) : nil
  }
  return u < UInt128(1) << 127 ? Int128(u) : nil
}

func exactRule(_ r: RRat.Rule) -> RoundingRule {
  switch r {
  case .halfEven: .halfEven
  case .down: .down
  case .up: .up
  case .towardZero: .towardZero
  }
}

func fixedText(_ negative: Bool, _ m: RNat, places: Int, grouping: Bool) -> String {
  var digits = Array(rdecimal(m))
  if digits.count <= places { digits.insert(contentsOf: repeatElement("0", count: places + 1 - digits.count), at: 0) }
  let intCount = digits.count - places
  var out = negative ? "-" : ""
  for (k, c) in digits[..<intCount].enumerated() {
    if grouping, k > 0, (intCount - k) % 3 == 0 { out.append(",") }
    out.append(c)
  }
  if places > 0 { out += "." + String(digits[intCount...]) }
  return out
}

func agree(_ e: Exact, _ r: RRat, _ what: @autoclosure () -> String) {
  let t = r.text
  precondition(e.description == t, "fuzz(exact): \(what()): Exact gives \(e.description), the reference \(t)")
}

func checkValue(_ e: Exact, _ r: RRat, _ what: String) {
  agree(e, r, what)
  // Printing then parsing gives the value back, when the text is a decimal.
  if !e.description.contains("/") {
    do {
      guard let back = try Exact.parse(e.description) else { fatalError("fuzz(exact): \(what): its description \(e.description) does not parse") }
      precondition(back == e, "fuzz(exact): \(what): \(e.description) parses back as \(back)")
    } catch { fatalError("fuzz(exact): \(what): its description \(e.description) overflows when parsed") }
  }
  precondition(e.signum == (r.isZero ? 0 : r.negative ? -1 : 1), "fuzz(exact): \(what): signum \(e.signum)")
  for places in [0, 2, 6, 38] {
    for rule in RRat.Rule.allCases {
      let (neg, mag) = r.scaled(places, rule)
      let want = toInt128(neg, mag)
      let got = try? e.scaled(places: places, rounding: exactRule(rule))
      if let want {
        precondition(got == want, "fuzz(exact): \(what).scaled(\(places), \(rule)): Exact \(got.map { String($0) } ?? "overflow"), reference \(want)")
      } else {
        precondition(got == nil, "fuzz(exact): \(what).scaled(\(places), \(rule)): Exact \(got!) but the reference does not fit Int128")
      }
      if places <= 6 || rule == .halfEven {
        for grouping in [false, true] {
          let f = e.formatted(places: places, rounding: exactRule(rule), grouping: grouping)
          let w = fixedText(neg, mag, places: places, grouping: grouping)
          precondition(f == w, "fuzz(exact): \(what).formatted(\(places), \(rule), grouping: \(grouping)): Exact \(f), reference \(w)")
        }
      }
    }
  }
  let hasAtMost = r.scaled(6, .down) == r.scaled(6, .up)
  precondition(e.hasAtMost(places: 6) == hasAtMost, "fuzz(exact): \(what).hasAtMost(6) is \(!hasAtMost)")
}

/// Parses one part with both; nil when either cannot be compared further.
func parsePart(_ s: Substring) -> (Exact, RRat)? {
  let ref = rparse(s)
  let got: Exact?
  var overflow = false
  do { got = try Exact.parse(s) } catch { got = nil; overflow = true }
  switch ref {
  case .invalid:
    precondition(got == nil && !overflow, "fuzz(exact): Exact.parse accepts \(String(reflecting: String(s))), which is not a number")
    return nil
  case .big:
    precondition(got != nil || overflow, "fuzz(exact): Exact.parse refuses the number \(String(reflecting: String(s)))")
    return nil
  case .value(let r):
    guard let got else {
      fatalError("fuzz(exact): Exact.parse \(overflow ? "overflows on" : "refuses") \(String(reflecting: String(s))) = \(r.text)")
    }
    agree(got, r, "parse(\(s))")
    return (got, r)
  }
}

func parseToken(_ t: Substring) -> (Exact, RRat)? {
  let parts = t.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
  guard let (a, ra) = parsePart(parts[0]) else { return nil }
  if parts.count == 1 { return (a, ra) }
  guard let (b, rb) = parsePart(parts[1]) else { return nil }
  return binary(a, ra, b, rb, "\(t)")?.quotient
}

func binary(_ a: Exact, _ ra: RRat, _ b: Exact, _ rb: RRat, _ name: String) -> (sum: (Exact, RRat), quotient: (Exact, RRat)?)? {
  func run(_ op: String, _ f: (Exact) throws(ArithmeticError) -> Exact, _ r: RRat) -> Exact {
    do {
      let v = try f(b)
      agree(v, r, "\(a) \(op) \(b)")
      return v
    } catch { fatalError("fuzz(exact): \(a) \(op) \(b) throws \(error); the reference gives \(r.text)") }
  }
  let rsum = ra.adding(rb)
  let sum: (Exact, RRat) = (run("+", a.adding, rsum), rsum)
  _ = run("-", a.subtracting, ra.subtracting(rb))
  _ = run("*", a.multiplied, ra.multiplied(rb))
  var quotient: (Exact, RRat)?
  if let rq = ra.divided(rb) {
    quotient = (run("/", a.divided, rq), rq)
  } else {
    do {
      let v = try a.divided(by: b)
      fatalError("fuzz(exact): \(a) / \(b) gives \(v); the divisor is zero")
    } catch {
      precondition(error == .divisionByZero, "fuzz(exact): \(a) / 0 throws \(error), not divisionByZero")
    }
  }
  let c = ra.compare(rb)
  precondition((a < b) == (c < 0) && (a == b) == (c == 0) && (b < a) == (c > 0),
    "fuzz(exact): comparing \(a) with \(b): Exact says <:\(a < b) ==:\(a == b), the reference \(c)")
  precondition((a == b) == (a.hashValue == b.hashValue) || a != b, "fuzz(exact): equal values hash differently")
  _ = name
  return (sum: sum, quotient: quotient)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size <= 4096 else { return 0 }
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).prefix(8)
  var values: [(Exact, RRat)] = []
  for t in tokens {
    guard let v = parseToken(t) else { continue }
    checkValue(v.0, v.1, "\(t)")
    do {
      let n = try v.0.negated()
      agree(n, v.1.negated(), "-(\(t))")
    } catch { fatalError("fuzz(exact): negating \(v.0) throws \(error)") }
    values.append(v)
  }
  for i in values.indices.dropFirst() {
    let (a, ra) = values[i - 1], (b, rb) = values[i]
    guard let r = binary(a, ra, b, rb, "pair") else { continue }
    checkValue(r.sum.0, r.sum.1, "\(a) + \(b)")
    if let q = r.quotient { checkValue(q.0, q.1, "\(a) / \(b)") }
  }
  return 0
}
