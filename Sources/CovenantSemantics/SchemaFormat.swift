import CovenantValues

/// How values are shown where the covenant's schema names them (kind members), and two figures
/// side by side; the value-level rules (rounding, `≈`) are `Format` in CovenantValues.
extension Format {
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

  /// Without `≈`: scalar by scalar (Foundation's `replacingOccurrences` was ~6% of a batch's JSON),
  /// appended one by one (the standard library's generic `append(contentsOf:)` of a lazy filter
  /// is not specialized: ~13,000 instructions a call).
  static func plainDigits(_ s: String) -> String {
    guard s.unicodeScalars.contains("≈") else { return s }
    var t = String.UnicodeScalarView()
    for u in s.unicodeScalars where u != "≈" { t.append(u) }
    return String(t)
  }

  /// A nonzero difference shown as a figure: `less than 0.01x` rather than `≈0.00x` when it
  /// rounds to zero, so a breach never reads as "over by 0".
  public static func difference(_ d: Value, _ schema: Schema, style: NumberStyle?, points usePoints: Bool = false) -> String {
    let shown = usePoints ? { if case .number(let x) = d { return points(x) } else { return value(d, schema, style: style) } }() : value(d, schema, style: style)
    // Scalar by scalar: a figure's digits never carry a combining mark, so this is the character
    // test without breaking the text into characters (~9,000 instructions a figure).
    let zero = !shown.unicodeScalars.contains { $0.value >= 0x31 && $0.value <= 0x39 }
    guard zero, let m = d.magnitude, m.signum != 0 else { return shown }
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
}
