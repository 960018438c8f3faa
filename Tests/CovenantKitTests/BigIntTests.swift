import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

// BigInt against an independent reference: schoolbook arithmetic on decimal digit strings,
// written here from scratch (no limbs, no shifts), over a seeded random sample.

/// Decimal arithmetic on non-negative digit strings (most significant digit first, no leading zeros).
enum Dec {
  static func norm(_ s: [Int]) -> [Int] {
    let t = Array(s.drop { $0 == 0 })
    return t.isEmpty ? [0] : t
  }
  static func cmp(_ a: [Int], _ b: [Int]) -> Int {
    if a.count != b.count { return a.count < b.count ? -1 : 1 }
    for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
    return 0
  }
  static func add(_ a: [Int], _ b: [Int]) -> [Int] {
    var r: [Int] = []
    var carry = 0
    var i = a.count - 1, j = b.count - 1
    while i >= 0 || j >= 0 || carry > 0 {
      let s = (i >= 0 ? a[i] : 0) + (j >= 0 ? b[j] : 0) + carry
      r.append(s % 10)
      carry = s / 10
      i -= 1
      j -= 1
    }
    return norm(r.reversed())
  }
  /// a − b, a ≥ b.
  static func sub(_ a: [Int], _ b: [Int]) -> [Int] {
    var r: [Int] = []
    var borrow = 0
    var i = a.count - 1, j = b.count - 1
    while i >= 0 {
      var d = a[i] - (j >= 0 ? b[j] : 0) - borrow
      borrow = d < 0 ? 1 : 0
      if d < 0 { d += 10 }
      r.append(d)
      i -= 1
      j -= 1
    }
    return norm(r.reversed())
  }
  static func mul(_ a: [Int], _ b: [Int]) -> [Int] {
    var r = [Int](repeating: 0, count: a.count + b.count)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        r[i + j + 1] += a[i] * b[j]
      }
    }
    for k in stride(from: r.count - 1, to: 0, by: -1) {
      r[k - 1] += r[k] / 10
      r[k] %= 10
    }
    return norm(r)
  }
  /// Long division by repeated subtraction, one digit at a time.
  static func divmod(_ a: [Int], _ b: [Int]) -> ([Int], [Int]) {
    var q: [Int] = []
    var rem = [0]
    for d in a {
      rem = norm(rem + [d])
      var digit = 0
      while cmp(rem, b) >= 0 {
        rem = sub(rem, b)
        digit += 1
      }
      q.append(digit)
    }
    return (norm(q), rem)
  }
  static func gcd(_ a: [Int], _ b: [Int]) -> [Int] {
    var (x, y) = (a, b)
    while y != [0] { (x, y) = (y, divmod(x, y).1) }
    return x
  }
}

/// A signed decimal: sign and digits.
struct SDec: Equatable {
  var neg: Bool
  var d: [Int]
  init(_ s: String) {
    neg = s.hasPrefix("-")
    d = Dec.norm(s.drop { $0 == "-" }.map { Int(String($0))! })
    if d == [0] { neg = false }
  }
  init(neg: Bool, _ d: [Int]) {
    self.d = Dec.norm(d)
    self.neg = neg && self.d != [0]
  }
  var text: String { (neg ? "-" : "") + d.map(String.init).joined() }
  static func + (a: SDec, b: SDec) -> SDec {
    if a.neg == b.neg { return SDec(neg: a.neg, Dec.add(a.d, b.d)) }
    return Dec.cmp(a.d, b.d) >= 0 ? SDec(neg: a.neg, Dec.sub(a.d, b.d)) : SDec(neg: b.neg, Dec.sub(b.d, a.d))
  }
  static prefix func - (a: SDec) -> SDec { SDec(neg: !a.neg, a.d) }
  static func * (a: SDec, b: SDec) -> SDec { SDec(neg: a.neg != b.neg, Dec.mul(a.d, b.d)) }
  func divmod(_ b: SDec) -> (SDec, SDec) {
    let (q, r) = Dec.divmod(d, b.d)
    return (SDec(neg: neg != b.neg, q), SDec(neg: neg, r))
  }
  static func < (a: SDec, b: SDec) -> Bool {
    if a.neg != b.neg { return a.neg }
    let c = Dec.cmp(a.d, b.d)
    return a.neg ? c > 0 : c < 0
  }
}


/// Random decimal text with up to `maxDigits` digits, biased toward the interesting shapes: limb
/// boundaries (2^64 − 1, 2^128), runs of nines and zeros (carries and Knuth's add-back step).
private func randomNumber(_ rng: inout SplitMix, maxDigits: Int) -> String {
  let shapes = Int.random(in: 0..<6, using: &rng)
  var s: String
  switch shapes {
  case 0: s = ["0", "1", "18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211456",
               "340282366920938463463374607431768211455", "170141183460469231731687303715884105728"].randomElement(using: &rng)!
  case 1: s = String(repeating: "9", count: Int.random(in: 1...maxDigits, using: &rng))
  case 2: s = "1" + String(repeating: "0", count: Int.random(in: 0..<maxDigits, using: &rng))
  default:
    let n = Int.random(in: 1...maxDigits, using: &rng)
    s = String(Int.random(in: 1...9, using: &rng))
    for _ in 1..<n { s.append(String(Int.random(in: 0...9, using: &rng))) }
  }
  return Bool.random(using: &rng) ? "-" + s : s
}

@Suite struct BigIntTests {
  @Test func parsePrintRoundTrips() {
    for s in ["0", "1", "-1", "18446744073709551615", "18446744073709551616", "-340282366920938463463374607431768211456",
              "123456789012345678901234567890123456789012345678901234567890"] {
      #expect(BigInt(s)?.description == s)
    }
    #expect(BigInt("-0")?.description == "0")
    #expect(BigInt("+007")?.description == "7")
    #expect(BigInt("") == nil && BigInt("-") == nil && BigInt("1x") == nil && BigInt("1.5") == nil)
    #expect(BigInt(Int128.min).description == String(Int128.min))
    #expect(BigInt(Int128.min).int128 == Int128.min && BigInt(Int128.max).int128 == Int128.max)
    #expect((BigInt(Int128.max) + .one).int128 == nil && (BigInt(Int128.min) - .one).int128 == nil)
  }

  @Test func arithmeticMatchesDecimalReference() {
    var rng = SplitMix(seed: 12)
    for _ in 0..<200 {
      let sa = randomNumber(&rng, maxDigits: 70), sb = randomNumber(&rng, maxDigits: 45)
      let a = BigInt(sa)!, b = BigInt(sb)!
      let ra = SDec(sa), rb = SDec(sb)
      #expect((a + b).description == (ra + rb).text, "\(sa) + \(sb)")
      #expect((a - b).description == (ra + -rb).text, "\(sa) - \(sb)")
      #expect((a * b).description == (ra * rb).text, "\(sa) * \(sb)")
      #expect((a < b) == (ra < rb), "\(sa) < \(sb)")
      #expect((a == b) == (ra == rb))
      if !b.isZero {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        let (rq, rr) = ra.divmod(rb)
        #expect(q.description == rq.text, "\(sa) / \(sb)")
        #expect(r.description == rr.text, "\(sa) % \(sb)")
      }
      #expect(BigInt.gcd(a, b).description == Dec.gcd(ra.d, rb.d).map(String.init).joined(), "gcd(\(sa), \(sb))")
    }
  }

  @Test func knuthDivisionEdgeCases() {
    // Divisors whose top limb is all ones and dividends built to need the add-back step.
    let b = BigInt("340282366920938463463374607431768211455")!  // 2^128 − 1
    let cases = [(b * b) + b - .one, b * b * b, (BigInt.one << 192) - .one, BigInt.one << 255]
    for a in cases {
      for d in [b, b - .one, (BigInt.one << 127) + .one, (BigInt.one << 64) + BigInt(3)] {
        let (q, r) = a.quotientAndRemainder(dividingBy: d)
        #expect(q * d + r == a)
        #expect(!r.isZero ? r < d && r.signum > 0 : true)
      }
    }
    #expect(BigInt.pow10(40).description == "1" + String(repeating: "0", count: 40))
    #expect(BigInt.pow5(30).description == "931322574615478515625")
    #expect(((BigInt.one << 130) >> 129).description == "2")
  }

  /// Exact's large form against the same reference: sums and products of fractions.
  @Test func exactLargeFormMatchesReference() throws {
    var rng = SplitMix(seed: 7)
    for _ in 0..<150 {
      let (n1, d1, n2, d2) = (randomNumber(&rng, maxDigits: 50), randomNumber(&rng, maxDigits: 30),
                              randomNumber(&rng, maxDigits: 50), randomNumber(&rng, maxDigits: 30))
      guard SDec(d1).d != [0], SDec(d2).d != [0] else { continue }
      let x = try Exact.make(BigInt(n1)!, BigInt(d1)!), y = try Exact.make(BigInt(n2)!, BigInt(d2)!)
      // a/b + c/d == (ad + cb)/bd and a/b · c/d == ac/bd, compared by cross-multiplication in decimal.
      func same(_ e: Exact, _ n: SDec, _ d: SDec) -> Bool {
        let (en, ed) = e.bigParts
        return SDec(en.description) * d == n * SDec(ed.description)
      }
      let (a, b, c, d) = (SDec(n1), SDec(d1), SDec(n2), SDec(d2))
      #expect(same(try x.adding(y), a * d + c * b, b * d))
      #expect(same(try x.subtracting(y), a * d + -(c * b), b * d))
      #expect(same(try x.multiplied(by: y), a * c, b * d))
      if c.d != [0] { #expect(same(try x.divided(by: y), a * d, b * c)) }
      #expect((x < y) == (a * b * d * d < c * d * b * b))
      // The canonical form: equal values are equal whatever their path.
      #expect(try x.adding(y).subtracting(y) == x)
    }
  }
}
