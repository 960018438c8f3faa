/// A runtime value. Records and lists are arrays of values in schema order, so a field access is
/// an index, never a name lookup.
public indirect enum Value: Hashable, Sendable {
  case number(Exact)
  case money(Exact, currency: String)
  case date(CalendarDate)
  case duration(Duration)
  case text(String)
  case bool(Bool)
  case country(String)
  /// A member of a closed set: the kind's index and the member's index in the covenant.
  case kind(Int, Int)
  case record([Value])
  case list(ListValue)
  case fx([String: Exact])
  /// Undefined: the maximum of no holdings, a missing optional field. A requirement that
  /// depends on it is reported as not applicable, with the reason.
  case absent
}

/// A list as evaluation sees it: the data's elements, plus — pro forma — the deal joined to them.
/// Keeping the two apart lets aggregates over the data be computed once and reused per deal.
public struct ListValue: Hashable, Sendable {
  public var base: [Value]
  public var extra: [Value]
  public init(base: [Value], extra: [Value] = []) {
    self.base = base
    self.extra = extra
  }
  public var count: Int { base.count + extra.count }
  public func forEach(_ body: (Value, Int) throws -> Void) rethrows {
    for (i, v) in base.enumerated() { try body(v, i) }
    for (i, v) in extra.enumerated() { try body(v, base.count + i) }
  }
}
