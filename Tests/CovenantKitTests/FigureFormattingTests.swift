import Testing

@testable import CovenantValues
@testable import CovenantSemantics

/// A batch's JSON formats several figures per deal, so `Exact.formatted` writes the digits of a
/// 64-bit magnitude straight into its string and `Format.trimmed` works on bytes. Both must give
/// exactly what the character-by-character versions they replaced gave (kept here as the
/// reference), on values of every length, sign, scale and rounding edge.
@Suite struct FigureFormattingTests {
  /// The previous `formatted`, for a scaled integer: its text, zero-padded, grouped from the left.
  static func reference(_ s: Int128, places: Int, grouping: Bool) -> String {
    var digits = Array(String(s.magnitude).utf8)
    if digits.count <= places { digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: places + 1 - digits.count), at: 0) }
    let intCount = digits.count - places
    var out: [UInt8] = s < 0 ? [UInt8(ascii: "-")] : []
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

  /// The previous `trimmed`, a character at a time.
  static func referenceTrimmed(_ s: String, keep: Int) -> String {
    guard let dot = s.firstIndex(of: ".") else { return s }
    var out = s
    while out.hasSuffix("0"), out.distance(from: dot, to: out.endIndex) - 1 > keep { out.removeLast() }
    if out.hasSuffix(".") { out.removeLast() }
    return out
  }

  static func samples() -> [Int128] {
    var rng = SystemRandomNumberGenerator()
    var out: [Int128] = [0, 1, -1, 9, 10, 99, 100, 999, 1_000, 1_001, 123_456, 1_000_000, Int128(Int64.max), Int128(UInt64.max), -Int128(UInt64.max)]
    for digits in 1...19 {
      var p: UInt64 = 1
      for _ in 1..<digits { p *= 10 }
      out.append(Int128(p))
      out.append(Int128(p) - 1)
      out.append(-Int128(UInt64.random(in: 0..<p, using: &rng)))
      out.append(Int128(UInt64.random(in: 0..<p, using: &rng)))
    }
    return out
  }

  @Test func sixtyFourBitLayoutIsTheGeneralOne() throws {
    for s in Self.samples() {
      for places in 0...8 {
        for grouping in [false, true] {
          #expect(Exact.layout(UInt64(s.magnitude), negative: s < 0, places: places, grouping: grouping) == Self.reference(s, places: places, grouping: grouping),
                  "\(s) places \(places) grouping \(grouping)")
        }
      }
    }
  }

  /// Through `formatted` itself: exact values rounded half-even, amounts of money with cents, a
  /// value whose scaled magnitude is above 64 bits (the general path).
  @Test func formattedIsUnchanged() throws {
    let values: [(Int, Int)] = [(12_345_678_901, 2), (-5, 3), (1, 3), (2, 3), (1, 8), (999_999_995, 3), (-999_999_995, 3), (0, 0), (7, 0)]
    for (n, d) in values {
      let x = try Exact(n, scale: d)
      for places in 0...6 {
        let scaled = try x.scaled(places: places, rounding: .halfEven)
        #expect(x.formatted(places: places, rounding: .halfEven, grouping: true) == Self.reference(scaled, places: places, grouping: true))
      }
    }
    let third = try Exact(1).divided(by: Exact(3))
    #expect(third.formatted(places: 4) == "0.3333")
    let huge = try Exact(Int(Int64.max)).multiplied(by: Exact(1_000))
    #expect(huge.formatted(places: 2, grouping: true) == "9,223,372,036,854,775,807,000.00")
  }

  @Test func trimmedIsTheCharacterVersion() {
    for s in ["12", "12.", "12.0", "12.50", "12.500", "0.00", "1,234.5600", "-0.10", "≈3.1400", "100", "100.000", "5.05"] {
      for keep in 0...3 { #expect(Format.trimmed(s, keep: keep) == Self.referenceTrimmed(s, keep: keep), "\(s) keep \(keep)") }
    }
  }

  /// `Format.pair` compares its two figures without `≈` on their bytes; the answer must be the
  /// comparison of the texts built without it (`plainDigits`, kept as the reference), for
  /// figures of every form, `≈` anywhere (or twice), currency symbols, and prefixes.
  @Test func sameWithoutApproxIsTheComparisonOfTheTexts() {
    let texts = [
      "", "≈", "≈≈", "7.4x", "≈7.4x", "7.40x", "≈7.40x", "7.4≈x", "$1,234.56", "≈$1,234.56", "-≈$1", "≈-$1", "-$1",
      "¥45", "≈¥45", "€7.5", "£7.5", "USD 12", "≈USD 12", "12%", "≈12%", "12", "1", "≈1", "1≈", "12 bps", "≈12 bps",
      "\"Acme\"", "\"Ac≈me\"", "\"Acme\"≈", "0.5 points", "≈0.5 points", "≈", "≈7", "7≈≈",
    ]
    for a in texts {
      for b in texts {
        #expect(Format.sameWithoutApprox(a, b) == (Format.plainDigits(a) == Format.plainDigits(b)), "\(a) vs \(b)")
      }
    }
  }
}
