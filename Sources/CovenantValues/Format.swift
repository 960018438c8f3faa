/// How figures are shown. Values are exact; only their display is rounded, by these rules:
/// amounts to the cent (half to even), percentages, basis points and multiples to two decimals,
/// plain numbers to four decimals. Two different figures that would show the same (a value just
/// over its limit) show with as many more decimals as tell them apart. A shown figure that is not
/// exact carries `≈` (2/3 of the votes shows as `≈66.67%`), so a reader never mistakes a
/// rounded figure for the exact one the verdict used.
/// How a number is shown and what it is: a plain number, a percentage, basis points, a multiple.
public enum NumberStyle: String, Hashable, Sendable {
  case plain, percent, bps, multiple
}

public enum Format {
  static let symbols: [String: String] = ["USD": "$", "JPY": "¥", "EUR": "€", "GBP": "£"]

  public static func money(_ x: Exact, _ currency: String, extra: Int = 0) -> String {
    let places = x.isInteger ? 0 : 2 + extra
    let approx = x.hasAtMost(places: places) ? "" : "≈"
    let digits = x.formatted(places: places, rounding: .halfEven, grouping: true)
    let (sign, body) = digits.hasPrefix("-") ? ("-", String(digits.dropFirst())) : ("", digits)
    if let s = symbols[currency] { return approx + sign + s + body }
    return approx + sign + currency + " " + body
  }

  public static func number(_ x: Exact, style: NumberStyle, extra: Int = 0) -> String {
    switch style {
    case .percent:
      let p = (try? x.multiplied(by: Exact(100))) ?? x
      return (p.hasAtMost(places: 2 + extra) ? "" : "≈") + trimmed(p.formatted(places: 2 + extra, rounding: .halfEven, grouping: true), keep: 0) + "%"
    case .bps:
      let p = (try? x.multiplied(by: Exact(10_000))) ?? x
      return (p.hasAtMost(places: 2 + extra) ? "" : "≈") + trimmed(p.formatted(places: 2 + extra, rounding: .halfEven, grouping: true), keep: 0) + " bps"
    case .multiple:
      return (x.hasAtMost(places: 2 + extra) ? "" : "≈") + trimmed(x.formatted(places: 2 + extra, rounding: .halfEven, grouping: true), keep: 2) + "x"
    case .plain:
      if x.isInteger { return x.formatted(places: 0, grouping: true) }
      return (x.hasAtMost(places: 4 + extra) ? "" : "≈") + trimmed(x.formatted(places: 4 + extra, rounding: .halfEven, grouping: true), keep: 0)
    }
  }

  /// A difference between two percentages, in percentage points: `0.58 points`.
  public static func points(_ x: Exact, extra: Int = 0) -> String {
    let p = (try? x.multiplied(by: Exact(100))) ?? x
    let text = (p.hasAtMost(places: 2 + extra) ? "" : "≈") + trimmed(p.formatted(places: 2 + extra, rounding: .halfEven, grouping: true), keep: 0)
    return text + (p == .one ? " point" : " points")
  }

  /// A count with thousands separators: `1,000,000`.
  public static func count(_ n: Int) -> String { Exact(n).formatted(places: 0, grouping: true) }

  /// Drops trailing zeros after the point, keeping at least `keep` decimals.
  package static func trimmed(_ s: String, keep: Int) -> String {
    // On the UTF-8 bytes (the digits, separators and point are ASCII): a report trims several
    // figures per deal of a batch, and removing characters one at a time was a tenth of them.
    var s = s
    let end = s.withUTF8 { b -> Int in
      guard let dot = b.firstIndex(of: UInt8(ascii: ".")) else { return b.count }
      var end = b.count
      while end > dot + 1 + keep, b[end - 1] == UInt8(ascii: "0") { end -= 1 }
      if end == dot + 1 { end = dot }
      return end
    }
    guard end < s.utf8.count else { return s }
    return String(decoding: s.utf8.prefix(end), as: UTF8.self)
  }

  /// `2/3` for a fraction with a small denominator, else the percentage.
  public static func fractionText(_ x: Exact) -> String {
    if !x.hasAtMost(places: 4), x.den <= 12 { return "\(x.num)/\(x.den)" }
    return number(x, style: .percent)
  }

  public static func exactFraction(_ a: Exact, _ b: Exact) -> String {
    "\(number(a, style: .plain))/\(number(b, style: .plain))"
  }

  /// The exact value as text: a terminating decimal, or `num/den`.
  public static func exact(_ x: Exact) -> String { x.description }
}
