/// How figures are shown. Values are exact; only their display is rounded, by these rules:
/// amounts to the cent (half to even), percentages, basis points and multiples to two decimals,
/// plain numbers to four decimals. Two different figures that would show the same (a value just
/// over its limit) show with as many more decimals as tell them apart. A shown figure that is not
/// exact carries `≈` (2/3 of the votes shows as `≈66.67%`), so a reader never mistakes a
/// rounded figure for the exact one the verdict used.
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

  /// `value` and `limit` as shown side by side: with more decimals when they differ but would
  /// show the same (`≈7.4x <= 7.40x` for a value a hair over its limit), up to eight more.
  public static func pair(_ v: Value, _ l: Value, _ schema: Schema, style: NumberStyle?) -> (String, String) {
    var a = value(v, schema, style: style), b = value(l, schema, style: style)
    guard v != l, plainDigits(a) == plainDigits(b) else { return (a, b) }
    for extra in 1...8 {
      a = value(v, schema, style: style, extra: extra)
      b = value(l, schema, style: style, extra: extra)
      if plainDigits(a) != plainDigits(b) { break }
    }
    return (a, b)
  }

  /// Without `≈`: scalar by scalar (Foundation's `replacingOccurrences` was ~6% of a batch's JSON).
  static func plainDigits(_ s: String) -> String {
    guard s.unicodeScalars.contains("≈") else { return s }
    var t = String.UnicodeScalarView()
    t.append(contentsOf: s.unicodeScalars.lazy.filter { $0 != "≈" })
    return String(t)
  }

  /// A nonzero difference shown as a figure: `less than 0.01x` rather than `≈0.00x` when it
  /// rounds to zero, so a breach never reads as "over by 0".
  public static func difference(_ d: Value, _ schema: Schema, style: NumberStyle?, points usePoints: Bool = false) -> String {
    let shown = usePoints ? { if case .number(let x) = d { return points(x) } else { return value(d, schema, style: style) } }() : value(d, schema, style: style)
    let zero = shown.allSatisfy { !"123456789".contains($0) }
    guard zero, let m = CovenantRunner.magnitude(d), m.signum != 0 else { return shown }
    let unit: String
    switch d {
    case .money(_, let c): unit = money((try? Exact(num: 1, den: 100)) ?? .one, c)
    case .number:
      if usePoints { unit = "0.01 points" } else {
        switch style ?? .plain {
        case .percent: unit = "0.01%"
        case .bps: unit = "0.01 bps"
        case .multiple: unit = "0.01x"
        case .plain: unit = "0.0001"
        }
      }
    default: return shown
    }
    return "less than " + unit
  }

  /// Drops trailing zeros after the point, keeping at least `keep` decimals.
  static func trimmed(_ s: String, keep: Int) -> String {
    guard let dot = s.firstIndex(of: ".") else { return s }
    var out = s
    while out.hasSuffix("0"), out.distance(from: dot, to: out.endIndex) - 1 > keep { out.removeLast() }
    if out.hasSuffix(".") { out.removeLast() }
    return out
  }

  public static func value(_ v: Value, _ schema: Schema, style: NumberStyle? = nil, extra: Int = 0) -> String {
    switch v {
    case .number(let x): number(x, style: style ?? .plain, extra: extra)
    case .money(let x, let c): money(x, c, extra: extra)
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
