/// How figures are shown. Values are exact; only their display is rounded, by these rules:
/// amounts to the cent (half to even), percentages to two decimals, basis points to one,
/// multiples to two, plain numbers to four significant decimals. A shown figure that is not
/// exact carries `≈` (2/3 of the votes shows as `≈66.67%`), so a reader never mistakes a
/// rounded figure for the exact one the verdict used.
public enum Format {
  static let symbols: [String: String] = ["USD": "$", "JPY": "¥", "EUR": "€", "GBP": "£"]

  public static func money(_ x: Exact, _ currency: String) -> String {
    let places = x.isInteger ? 0 : 2
    let approx = x.hasAtMost(places: places) ? "" : "≈"
    let digits = x.formatted(places: places, rounding: .halfEven, grouping: true)
    let (sign, body) = digits.hasPrefix("-") ? ("-", String(digits.dropFirst())) : ("", digits)
    if let s = symbols[currency] { return approx + sign + s + body }
    return approx + sign + currency + " " + body
  }

  public static func number(_ x: Exact, style: NumberStyle) -> String {
    switch style {
    case .percent:
      let p = (try? x.multiplied(by: Exact(100))) ?? x
      return (p.hasAtMost(places: 2) ? "" : "≈") + trimmed(p.formatted(places: 2, rounding: .halfEven), keep: 0) + "%"
    case .bps:
      let p = (try? x.multiplied(by: Exact(10_000))) ?? x
      return (p.hasAtMost(places: 1) ? "" : "≈") + trimmed(p.formatted(places: 1, rounding: .halfEven), keep: 0) + " bps"
    case .multiple:
      return (x.hasAtMost(places: 2) ? "" : "≈") + x.formatted(places: 2, rounding: .halfEven) + "x"
    case .plain:
      if x.isInteger { return x.formatted(places: 0, grouping: true) }
      return (x.hasAtMost(places: 4) ? "" : "≈") + trimmed(x.formatted(places: 4, rounding: .halfEven, grouping: true), keep: 0)
    }
  }

  /// Drops trailing zeros after the point, keeping at least `keep` decimals.
  static func trimmed(_ s: String, keep: Int) -> String {
    guard let dot = s.firstIndex(of: ".") else { return s }
    var out = s
    while out.hasSuffix("0"), out.distance(from: dot, to: out.endIndex) - 1 > keep { out.removeLast() }
    if out.hasSuffix(".") { out.removeLast() }
    return out
  }

  public static func value(_ v: Value, _ schema: Schema, style: NumberStyle? = nil) -> String {
    switch v {
    case .number(let x): number(x, style: style ?? .plain)
    case .money(let x, let c): money(x, c)
    case .date(let d): d.description
    case .duration(let d): d.description
    case .text(let s): "\"\(s)\""
    case .bool(let b): b ? "true" : "false"
    case .country(let c): c
    case .kind(let k, let m): k < schema.kinds.count && m < schema.kinds[k].members.count ? schema.kinds[k].members[m] : "?"
    case .record: "(record)"
    case .list(let l): "(\(l.count) elements)"
    case .fx: "(FX rates)"
    case .absent: "undefined"
    }
  }

  /// A value as a name: group keys and kind values without quotes.
  public static func plain(_ v: Value, _ schema: Schema) -> String {
    switch v {
    case .text(let s): s
    default: value(v, schema)
    }
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
