/// A day in the proleptic Gregorian calendar, years 1...9999.
///
/// Covenant dates are calendar days with no time of day or zone; Foundation's `Date` is an instant,
/// and converting through it invites off-by-one-day errors at zone boundaries. Plain arithmetic on
/// (year, month, day) is exact and the same on every platform.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let year: Int, month: Int, day: Int

  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      day >= 1, day <= CalendarDate.daysIn(month: month, year: year)
    else { return nil }
    (self.year, self.month, self.day) = (year, month, day)
  }

  static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

  package static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Exactly "YYYY-MM-DD": a fixed shape keeps "2026-7-1" or "26-07-01" from being guessed at.
  public static func parse<S: StringProtocol>(_ text: S) -> CalendarDate? {
    guard text.utf8.count == 10 else { return nil }
    var parts = [0, 0, 0], k = 0
    for (i, b) in text.utf8.enumerated() {
      if i == 4 || i == 7 {
        guard b == UInt8(ascii: "-") else { return nil }
        k += 1
      } else {
        let d = b &- UInt8(ascii: "0")
        guard d < 10 else { return nil }
        parts[k] = parts[k] * 10 + Int(d)
      }
    }
    return CalendarDate(year: parts[0], month: parts[1], day: parts[2])
  }

  /// Days since 1970-01-01 (Howard Hinnant's days_from_civil): a single integer makes day
  /// differences and day offsets plain subtraction and addition.
  public var daysSinceEpoch: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// 0001-01-01 and 9999-12-31 as day numbers; checked first so the arithmetic below stays small.
  static let dayRange = -719_162...2_932_896

  /// Hinnant's civil_from_days; nil outside years 1...9999.
  public init?(daysSinceEpoch: Int) {
    guard CalendarDate.dayRange.contains(daysSinceEpoch) else { return nil }
    let z = daysSinceEpoch + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let m = mp < 10 ? mp + 3 : mp - 9
    self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: doy - (153 * mp + 2) / 5 + 1)
  }

  /// Months first, clamping the day to the month's end (2024-01-31 + 1 month = 2024-02-29, the
  /// usual reading of "one month after"), then days. nil if the result leaves years 1...9999.
  public func adding(_ d: Duration) -> CalendarDate? {
    let (total, o) = (year * 12 + month - 1).addingReportingOverflow(d.months)
    guard !o, (12...119_999).contains(total) else { return nil }  // 0001-01 ... 9999-12
    let (y, m) = (total / 12, total % 12 + 1)
    guard let shifted = CalendarDate(year: y, month: m, day: min(day, CalendarDate.daysIn(month: m, year: y))) else { return nil }
    let (days, o2) = shifted.daysSinceEpoch.addingReportingOverflow(d.days)
    return o2 ? nil : CalendarDate(daysSinceEpoch: days)
  }

  public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
    (a.year, a.month, a.day) < (b.year, b.month, b.day)
  }

  public var description: String {
    func pad(_ v: Int, _ w: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }
}

/// Days from `a` to `b` (positive when `b` is later).
public func daysBetween(_ a: CalendarDate, _ b: CalendarDate) -> Int { b.daysSinceEpoch - a.daysSinceEpoch }

/// The result of comparing two values that may not be comparable at all (see `Duration.compare`).
public enum Ordering: Hashable, Sendable { case less, equal, greater }

/// A calendar duration, kept as months and days because "1 month" is not a fixed number of days:
/// it is 28 to 31 depending on where it lands. A year is exactly 12 months, a week 7 days.
public struct Duration: Hashable, Sendable, CustomStringConvertible {
  public var months: Int, days: Int

  public init(months: Int = 0, days: Int = 0) {
    self.months = months
    self.days = days
  }

  public static func years(_ n: Int) -> Duration? {
    let (m, o) = n.multipliedReportingOverflow(by: 12)
    return o ? nil : Duration(months: m)
  }
  /// Optional only to share a shape with `years` and `weeks`, which can overflow.
  public static func months(_ n: Int) -> Duration? { Duration(months: n) }
  public static func days(_ n: Int) -> Duration? { Duration(days: n) }
  public static func weeks(_ n: Int) -> Duration? {
    let (d, o) = n.multipliedReportingOverflow(by: 7)
    return o ? nil : Duration(days: d)
  }

  /// Component-wise sum; nil on overflow.
  public func adding(_ other: Duration) -> Duration? {
    let (m, o1) = months.addingReportingOverflow(other.months)
    let (d, o2) = days.addingReportingOverflow(other.days)
    return o1 || o2 ? nil : Duration(months: m, days: d)
  }

  /// nil only for `Int.min` components, whose negation does not fit.
  public var negated: Duration? {
    months == .min || days == .min ? nil : Duration(months: -months, days: -days)
  }

  /// Exact ordering, or nil when it depends on the calendar. Since every month is longer than
  /// zero days, the order is certain whenever the months and the days differ in the same
  /// direction (or one of them not at all): 1 year > 6 months, 1 month 5 days > 1 month, but
  /// 1 month vs 30 days is nil.
  public func compare(_ other: Duration) -> Ordering? {
    func cmp(_ a: Int, _ b: Int) -> Int { a < b ? -1 : a == b ? 0 : 1 }
    return switch (cmp(months, other.months), cmp(days, other.days)) {
    case (0, 0): .equal
    case (-1, -1), (-1, 0), (0, -1): .less
    case (1, 1), (1, 0), (0, 1): .greater
    default: nil
    }
  }

  /// "5 years", "18 months", "30 days", "1 month 10 days", "0 days". Whole years print as years;
  /// other month counts stay in months ("18 months", not "1 year 6 months"), as terms are written.
  public var description: String {
    func unit(_ n: Int, _ name: String) -> String { "\(n) \(name)\(n == 1 || n == -1 ? "" : "s")" }
    var parts: [String] = []
    if months != 0 { parts.append(months % 12 == 0 ? unit(months / 12, "year") : unit(months, "month")) }
    if days != 0 || months == 0 { parts.append(unit(days, "day")) }
    return parts.joined(separator: " ")
  }

  private static let units: [Substring: (months: Int, days: Int)] = [
    "year": (12, 0), "years": (12, 0), "month": (1, 0), "months": (1, 0),
    "week": (0, 7), "weeks": (0, 7), "day": (0, 1), "days": (0, 1),
  ]

  /// Parses data text such as "5 years", "18 months", "2 weeks", "1 day", or a sum of such terms
  /// ("1 year 6 months"). Units are case-insensitive; counts are integers, optionally negative.
  public static func parse<S: StringProtocol>(_ text: S) -> Duration? {
    let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard !words.isEmpty, words.count % 2 == 0 else { return nil }
    var total = Duration()
    for i in stride(from: 0, to: words.count, by: 2) {
      guard let n = Int(words[i]), let u = units[words[i + 1]] else { return nil }
      let (m, o1) = n.multipliedReportingOverflow(by: u.months)
      let (d, o2) = n.multipliedReportingOverflow(by: u.days)
      guard !o1, !o2, let sum = total.adding(Duration(months: m, days: d)) else { return nil }
      total = sum
    }
    return total
  }
}
