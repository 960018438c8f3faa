import CovenantValues

/// How values are shown where the covenant's schema names them (kind members), and two figures
/// side by side; the value-level rules (rounding, `≈`) are `Format` in CovenantValues.
extension Format {
  /// `value` and `limit` as shown side by side: with more decimals when they differ but would
  /// show the same (`≈7.4x <= 7.40x` for a value a hair over its limit), up to eight more.
  public static func pair(_ v: Value, _ l: Value, _ schema: Schema, style: NumberStyle?) -> (String, String) {
    var a = value(v, schema, style: style), b = value(l, schema, style: style)
    guard v != l, sameWithoutApprox(a, b) else { return (a, b) }
    for extra in 1...8 {
      a = value(v, schema, style: style, extra: extra)
      b = value(l, schema, style: style, extra: extra)
      if !sameWithoutApprox(a, b) { break }
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

  /// `plainDigits(a) == plainDigits(b)`, on the UTF-8 bytes without building either: `≈` is the
  /// one sequence E2 89 88, which no other character contains. Equal bytes are equal text; and
  /// where bytes differ but the texts are canonically equivalent (only a quoted text value can
  /// be: figures are ASCII and precomposed currency symbols), `pair` shows the same two texts
  /// whichever it decides, as more decimals change no text value. Each requirement's line asks
  /// this of its figures: building both without `≈` was ~1,900 instructions a figure.
  static func sameWithoutApprox(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        @inline(__always) func skip(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
          var i = i
          while i + 2 < p.count, p[i] == 0xE2, p[i + 1] == 0x89, p[i + 2] == 0x88 { i += 3 }
          return i
        }
        var i = skip(x, 0), j = skip(y, 0)
        while i < x.count, j < y.count {
          guard x[i] == y[j] else { return false }
          i = skip(x, i + 1)
          j = skip(y, j + 1)
        }
        return i == x.count && j == y.count
      }
    }
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
