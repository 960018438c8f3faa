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

// MARK: Exact — parsing

private func ex(_ text: String) throws -> Exact {
  guard let x = try Exact.parse(text) else { throw ParseFailed(text: text) }
  return x
}
private struct ParseFailed: Error { var text: String }
private func frac(_ n: Int128, _ d: Int128) throws -> Exact { try Exact(num: n, den: d) }

@Test func parsesPlainDecimals() throws {
  #expect(try ex("0") == .zero)
  #expect(try ex("-0") == .zero)
  let negZero = try ex("-0")
  #expect(negZero.num == 0 && negZero.den == 1)
  #expect(try ex("12.50") == frac(25, 2))
  #expect(try ex("1e3") == Exact(1000))
  #expect(try ex("1.5E-2") == frac(3, 200))
  #expect(try ex("+3") == Exact(3))
  #expect(try ex("-7.25") == frac(-29, 4))
  #expect(try ex("2.5e+1") == Exact(25))
  #expect(try ex("0.000") == .zero)
  #expect(try ex("0e999999") == .zero)
  #expect(try ex("007") == Exact(7))
  #expect(try ex("100") == Exact(100))
  #expect(try ex("1.05") == frac(21, 20))
  #expect(try ex("123456789012345678901234567890") == Exact(integer: 123456789012345678901234567890))
}

@Test func parseReducesToCanonicalForm() throws {
  let half = try ex("0.50")
  #expect(half == (try Exact(1).divided(by: Exact(2))))
  #expect(half.num == 1 && half.den == 2)
  #expect(try ex("0.5000000000000000000000000000000000000000000000") == half)  // trailing zeros never overflow
  #expect(try ex("1.000e2") == Exact(100))
}

@Test func rejectsMalformedNumbers() throws {
  for bad in ["1.", ".5", "abc", "1e", "", "-", "+", "1e+", "1.2.3", " 1", "1 ", "--1", "0x10", "1,000", "1e5.5", "١"] {
    #expect(try Exact.parse(bad) == nil, "\(bad)")
  }
}

@Test func parseBeyondMachineWordsIsExactUpToTheBound() throws {
  let digits500 = String(repeating: "9", count: 500)
  #expect(try ex(digits500).description == digits500)
  #expect(try ex("1e400").description == "1" + String(repeating: "0", count: 400))
  #expect(try ex("1e-50").description == "0." + String(repeating: "0", count: 49) + "1")
  #expect(try ex("170141183460469231731687303715884105728").description == "170141183460469231731687303715884105728")  // 2^127
  #expect(try ex("-12345678901234567890123456789012345678901234567890.125").description == "-12345678901234567890123456789012345678901234567890.125")
  #expect(try ex("000123456789012345678901234567890123456789012345678901e-10") == ex("12345678901234567890123456789012345678901.2345678901"))
  // Past the documented bound (Exact.maxBits in each part) it is an overflow, never a trap.
  #expect(throws: ArithmeticError.overflow) { try Exact.parse(String(repeating: "9", count: 1300)) }
  #expect(throws: ArithmeticError.overflow) { try Exact.parse("1e4000") }
  #expect(throws: ArithmeticError.overflow) { try Exact.parse("1e-4000") }
  #expect(throws: ArithmeticError.overflow) { try Exact.parse("1e99999999999999999999") }
  #expect(throws: ArithmeticError.overflow) { try Exact.parse(String(repeating: "7", count: 100_000)) }
  // Int128.min itself fits, and a syntax error after a long prefix is still "not a number".
  #expect(try ex("-170141183460469231731687303715884105728").num == Int128.min)
  #expect(try ex("-170141183460469231731687303715884105728").isSmall)
  #expect(try !ex("170141183460469231731687303715884105728").isSmall)
  #expect(try Exact.parse(digits500 + "x") == nil)
}

@Test func parseWorksOnSubstringsAndRawBytes() throws {
  let line = "amount=12.5;"
  let sub = line[line.index(line.startIndex, offsetBy: 7)..<line.index(before: line.endIndex)]
  #expect(try Exact.parse(sub) == frac(25, 2))
  let bytes: [UInt8] = Array("-0.125".utf8)
  let x = try bytes.withUnsafeBufferPointer { b throws(ArithmeticError) in try Exact.parse(bytes: b) }
  #expect(x == (try frac(-1, 8)))
}

// MARK: Exact — arithmetic

@Test func constructionNormalisesSignAndReduces() throws {
  let x = try frac(6, -4)
  #expect(x.num == -3 && x.den == 2)
  #expect(try frac(-6, -4) == frac(3, 2))
  let zero = try frac(0, -5)
  #expect(zero == .zero && zero.den == 1)
  #expect(throws: ArithmeticError.divisionByZero) { try Exact(num: 1, den: 0) }
  #expect(try Exact(num: 1, den: .min).multiplied(by: Exact(integer: .min)) == .one)  // den 2^127: the large form
  #expect(try frac(1, 3).multiplied(by: frac(1, .max)).description == "1/510423550381407695195061911147652317181")
  #expect(try frac(2, .min) == frac(-1, Int128(1) << 126))
  #expect(try Exact(12345, scale: 2) == ex("123.45"))
  #expect(try Exact(5, scale: -3) == Exact(5000))
  #expect(try Exact(1, scale: 50) == ex("1e-50"))
  #expect(throws: ArithmeticError.overflow) { try Exact(1, scale: 5000) }
  #expect(try Exact(0, scale: Int.min) == .zero)
}

@Test func addsSubtractsMultipliesDividesExactly() throws {
  #expect(try ex("0.1").adding(ex("0.2")) == ex("0.3"))
  #expect(try frac(1, 6).adding(frac(1, 3)) == frac(1, 2))
  #expect(try frac(1, 4).adding(frac(1, 4)) == frac(1, 2))  // equal denominators, then reduction
  #expect(try frac(1, 6).adding(frac(5, 6)) == .one)
  #expect(try frac(1, 6).subtracting(frac(1, 6)) == .zero)
  #expect(try frac(3, 10).subtracting(frac(1, 15)) == frac(7, 30))
  #expect(try Exact(7).subtracting(Exact(10)) == Exact(-3))
  #expect(try frac(2, 3).multiplied(by: frac(9, 4)) == frac(3, 2))
  #expect(try frac(-2, 3).divided(by: frac(4, -9)) == frac(3, 2))
  #expect(try Exact(5).negated() == Exact(-5))
  #expect(Exact(-2).signum == -1 && Exact.zero.signum == 0 && Exact(3).signum == 1)
  let half = try frac(1, 2)
  #expect(Exact(4).isInteger && !half.isInteger)
}

@Test func additionMatchesNaiveFormulaOnManyFractions() throws {
  let parts: [Int128] = [-12, -7, -4, -1, 0, 1, 2, 3, 6, 8, 9, 10, 15, 30]
  let dens: [Int128] = [1, 2, 3, 4, 6, 9, 10, 12, 15, 30]
  for a in parts { for b in dens { for c in parts { for d in dens {
    let sum = try frac(a, b).adding(frac(c, d))
    #expect(sum == (try frac(a * d + c * b, b * d)), "\(a)/\(b) + \(c)/\(d)")
    #expect(try frac(a, b).multiplied(by: frac(c, d)) == frac(a * c, b * d))
  } } } }
}

@Test func resultsBeyondMachineWordsStayExact() throws {
  let big = Exact(integer: .max)
  #expect(try big.adding(.one).description == "170141183460469231731687303715884105728")
  #expect(try big.adding(.one).subtracting(.one) == big)
  #expect(try big.adding(.one).subtracting(.one).isSmall)  // back to machine words: canonical form
  #expect(try Exact(integer: .min).subtracting(.one).description == "-170141183460469231731687303715884105729")
  #expect(try big.multiplied(by: Exact(2)).divided(by: Exact(2)) == big)
  #expect(try Exact(integer: .min).negated().description == "170141183460469231731687303715884105728")
  #expect(try Exact(integer: .min).negated().negated() == Exact(integer: .min))
  #expect(try Exact.one.divided(by: Exact(integer: .min)).multiplied(by: Exact(integer: .min)) == .one)
  let s = try frac(1, .max).adding(frac(1, .max - 1))
  #expect(try s.subtracting(frac(1, .max - 1)) == frac(1, .max))
  let (lo, hi) = (try frac(2, .max), try frac(2, .max - 1))
  #expect(s > lo && s < hi)
  // Large values read as saturated machine words, so a column bound never sees a wrong small one.
  let huge = try big.multiplied(by: big)
  #expect(huge.num == .max && huge.den == 1 && huge.isInteger && huge.signum == 1)
  #expect(try huge.negated().num == .min)
  #expect(huge.formatted(places: 2) == huge.description + ".00")
  #expect(try huge.divided(by: Exact(3)).formatted(places: 2, rounding: .down).hasSuffix(".33"))
  // Past the bound: an overflow, never a trap.
  var x = Exact(integer: .max)
  #expect(throws: ArithmeticError.overflow) {
    for _ in 0..<64 { x = try x.multiplied(by: x) }
  }
  // Cross-reduction keeps results that fit from overflowing on the way.
  #expect(try big.multiplied(by: frac(1, .max)) == .one)
  #expect(try frac(.max, 3).multiplied(by: frac(3, .max)) == .one)
  #expect(try big.subtracting(big) == .zero)
  #expect(try frac(1, .max).adding(frac(1, .max)) == frac(2, .max))
}

@Test func divisionByZeroThrows() {
  #expect(throws: ArithmeticError.divisionByZero) { try Exact(1).divided(by: .zero) }
  #expect(throws: ArithmeticError.divisionByZero) { try Exact.zero.divided(by: .zero) }
}

// MARK: Exact — comparison

@Test func comparesExactly() throws {
  let twoThirds = try frac(2, 3)
  #expect(try ex("0.666") < twoThirds)
  #expect(try ex("0.6667") > twoThirds)
  #expect(try ex("66.6").divided(by: Exact(100)) < twoThirds)  // 66.6% breaches a "below 2/3" limit
  #expect(try ex("0.1").adding(ex("0.2")) == ex("0.3"))
  #expect(Exact(-1) < .zero && !(Exact.one < .one))
  #expect(try frac(-1, 3) < frac(-1, 4))
}

@Test func comparesHugeValuesWithoutOverflow() throws {
  // Naive cross-multiplication of these overflows Int128 many times over.
  let a = try frac(.max, .max - 1)  // just above 1
  let b = try frac(.max - 1, .max - 2)  // slightly further above 1
  #expect(a < b && !(b < a) && a != b)
  #expect(try frac(.min, .max) < frac(-(.max), .max))  // -(2^127)/(2^127-1) < -1
  #expect(try frac(.min, .max - 1) < frac(.min, .max))
  #expect(Exact(integer: .min) < Exact(integer: .max))
  let (tiny, negTiny) = (try frac(1, .max), try frac(-1, .max))
  #expect(tiny > .zero && negTiny < .zero)
  let sorted = [Exact(integer: .max), try frac(1, .max), Exact(integer: .min), .zero].sorted()
  #expect(sorted == [Exact(integer: .min), .zero, try frac(1, .max), Exact(integer: .max)])
}

// MARK: Exact — decimal text

@Test func describesExactly() throws {
  #expect(Exact(12).description == "12")
  #expect(try frac(3, 2).description == "1.5")
  #expect(try frac(-1, 4).description == "-0.25")
  #expect(try frac(2, 3).description == "2/3")
  #expect(try frac(-1, 6).description == "-1/6")
  #expect(try frac(1, 1 << 100).description.hasPrefix("0.000000000000000000000000000000788860905221011805411728565282786229673206435109"))
  #expect(Exact(integer: .min).description == "-170141183460469231731687303715884105728")
}

@Test func formatsWithHalfEvenRoundingAndGrouping() throws {
  #expect(try ex("2.345").formatted(places: 2) == "2.34")
  #expect(try ex("2.355").formatted(places: 2) == "2.36")
  #expect(try ex("-1.005").formatted(places: 2) == "-1.00")
  #expect(try ex("-2.355").formatted(places: 2) == "-2.36")
  #expect(try ex("1234567.891").formatted(places: 2, grouping: true) == "1,234,567.89")
  #expect(try ex("-123456").formatted(places: 0, grouping: true) == "-123,456")
  #expect(try ex("999.5").formatted(places: 0, grouping: true) == "1,000")
  #expect(try ex("0.05").formatted(places: 3) == "0.050")
  #expect(try ex("-0.004").formatted(places: 2) == "0.00")  // no "-0.00"
  #expect(try frac(2, 3).formatted(places: 4) == "0.6667")
  #expect(try ex("1.999").formatted(places: 2, rounding: .down) == "1.99")
  #expect(try ex("1.991").formatted(places: 2, rounding: .up) == "2.00")
  #expect(Exact(integer: .max).formatted(places: 2) == Exact(integer: .max).description + ".00")  // beyond 128 bits
}

@Test func scalesWithEachRoundingRule() throws {
  let x = try ex("-2.345")
  #expect(try x.scaled(places: 2, rounding: .halfEven) == -234)
  #expect(try x.scaled(places: 2, rounding: .down) == -235)
  #expect(try x.scaled(places: 2, rounding: .up) == -234)
  #expect(try x.scaled(places: 2, rounding: .towardZero) == -234)
  #expect(try ex("2.345").scaled(places: 2, rounding: .up) == 235)
  #expect(try ex("2.5").scaled(places: 0, rounding: .halfEven) == 2)
  #expect(try ex("3.5").scaled(places: 0, rounding: .halfEven) == 4)
  #expect(try ex("12.5").scaled(places: 3, rounding: .halfEven) == 12500)
  #expect(try Exact(integer: .min).scaled(places: 0, rounding: .halfEven) == .min)
  #expect(throws: ArithmeticError.overflow) { try Exact(integer: .max).scaled(places: 1, rounding: .down) }
  #expect(throws: ArithmeticError.overflow) { try Exact(1).scaled(places: 39, rounding: .down) }
}

@Test func knowsHowManyDecimalsAreExact() throws {
  #expect(try ex("1.25").hasAtMost(places: 2))
  #expect(try !ex("1.125").hasAtMost(places: 2))
  #expect(Exact(7).hasAtMost(places: 0))
  #expect(try !frac(1, 3).hasAtMost(places: 38))
  let tiny = try frac(1, 1 << 100)
  #expect(tiny.hasAtMost(places: 100) && !tiny.hasAtMost(places: 99))
  #expect(Exact.pow10(38) == Int128(10_000_000_000_000_000_000) * 10_000_000_000_000_000_000)
  #expect(Exact.pow10(39) == nil && Exact.pow10(-1) == nil)
}

// MARK: Dates

private func date(_ y: Int, _ m: Int, _ d: Int) throws -> CalendarDate {
  guard let x = CalendarDate(year: y, month: m, day: d) else { throw ParseFailed(text: "\(y)-\(m)-\(d)") }
  return x
}

@Test func validatesDates() {
  #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
  #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
  #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
  #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
  #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
  #expect(CalendarDate(year: 0, month: 1, day: 1) == nil && CalendarDate(year: 10000, month: 1, day: 1) == nil)
  #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil && CalendarDate(year: 2026, month: 1, day: 0) == nil)
}

@Test func parsesOnlyCanonicalDateText() throws {
  #expect(CalendarDate.parse("2026-07-01") == (try date(2026, 7, 1)))
  #expect(CalendarDate.parse("2024-02-29") != nil)
  for bad in ["2026-7-1", "2023-02-29", "26-07-01", "2026/07/01", "2026-07-01 ", "2026-07-0a", "0000-01-01", "", "2026-07-011"] {
    #expect(CalendarDate.parse(bad) == nil, "\(bad)")
  }
  #expect(try date(2026, 7, 1).description == "2026-07-01")
  #expect(try date(5, 1, 9).description == "0005-01-09")
}

@Test func convertsToAndFromEpochDays() throws {
  #expect(try date(1970, 1, 1).daysSinceEpoch == 0)
  #expect(try date(2000, 3, 1).daysSinceEpoch == 11_017)
  #expect(try date(1969, 12, 31).daysSinceEpoch == -1)
  for days in stride(from: -719_162, through: 2_932_896, by: 997) {
    #expect(CalendarDate(daysSinceEpoch: days)?.daysSinceEpoch == days)
  }
  #expect(CalendarDate(daysSinceEpoch: -719_162) == (try date(1, 1, 1)))
  #expect(CalendarDate(daysSinceEpoch: 2_932_896) == (try date(9999, 12, 31)))
  #expect(CalendarDate(daysSinceEpoch: -719_163) == nil && CalendarDate(daysSinceEpoch: 2_932_897) == nil)
  #expect(CalendarDate(daysSinceEpoch: .min) == nil && CalendarDate(daysSinceEpoch: .max) == nil)
  #expect(daysBetween(try date(2024, 1, 1), try date(2025, 1, 1)) == 366)
  #expect(daysBetween(try date(2025, 1, 1), try date(2024, 1, 1)) == -366)
}

@Test func addsDurationsMonthsFirstWithClamping() throws {
  #expect(try date(2024, 1, 31).adding(Duration(months: 1)) == date(2024, 2, 29))
  #expect(try date(2023, 1, 31).adding(Duration(months: 1)) == date(2023, 2, 28))
  #expect(try date(2024, 2, 29).adding(Duration(months: 12)) == date(2025, 2, 28))
  #expect(try date(2024, 11, 30).adding(Duration(months: 3)) == date(2025, 2, 28))
  #expect(try date(2024, 3, 31).adding(Duration(months: -1)) == date(2024, 2, 29))
  #expect(try date(2024, 1, 31).adding(Duration(months: 1, days: 1)) == date(2024, 3, 1))
  #expect(try date(2024, 12, 25).adding(Duration(days: 10)) == date(2025, 1, 4))
  #expect(try date(2024, 1, 15).adding(Duration(months: -13)) == date(2022, 12, 15))
  #expect(try date(9999, 12, 1).adding(Duration(months: 1)) == nil)
  #expect(try date(1, 1, 1).adding(Duration(days: -1)) == nil)
  #expect(try date(2024, 1, 1).adding(Duration(months: .min, days: .max)) == nil)
  #expect(try date(2024, 1, 1).adding(Duration(days: .max)) == nil)
}

@Test func comparesDates() throws {
  #expect(try date(2024, 12, 31) < date(2025, 1, 1))
  #expect(try date(2025, 1, 2) > date(2025, 1, 1))
  #expect(try date(2025, 2, 1) > date(2025, 1, 31))
  #expect(try date(2025, 1, 1) == CalendarDate.parse("2025-01-01"))
}

// MARK: Durations

@Test func parsesDurations() {
  #expect(Duration.parse("5 years") == Duration(months: 60))
  #expect(Duration.parse("1 year") == Duration(months: 12))
  #expect(Duration.parse("18 months") == Duration(months: 18))
  #expect(Duration.parse("30 days") == Duration(days: 30))
  #expect(Duration.parse("2 weeks") == Duration(days: 14))
  #expect(Duration.parse("1 Day") == Duration(days: 1))
  #expect(Duration.parse("1 year 6 months") == Duration(months: 18))
  for bad in ["", "5", "years", "5 fortnights", "1.5 years", "5 years 3", "99999999999999999999 days"] {
    #expect(Duration.parse(bad) == nil, "\(bad)")
  }
  #expect(Duration.parse("\(Int.max) years") == nil)
  #expect(Duration.years(Int.max) == nil && Duration.weeks(Int.min) == nil)
}

@Test func describesDurations() {
  #expect(Duration(months: 60).description == "5 years")
  #expect(Duration(months: 12).description == "1 year")
  #expect(Duration(months: 18).description == "18 months")
  #expect(Duration(months: 1).description == "1 month")
  #expect(Duration(days: 30).description == "30 days")
  #expect(Duration().description == "0 days")
  #expect(Duration(months: 1, days: 10).description == "1 month 10 days")
  #expect(Duration.parse(Duration(months: 18, days: 3).description) == Duration(months: 18, days: 3))
}

@Test func comparesDurationsOnlyWhenExact() {
  #expect(Duration(months: 12).compare(Duration(months: 6)) == .greater)
  #expect(Duration(days: 14).compare(Duration(days: 30)) == .less)
  #expect(Duration.years(1)?.compare(Duration(months: 12)) == .equal)
  #expect(Duration(months: 1).compare(Duration(days: 30)) == nil)
  #expect(Duration(days: 31).compare(Duration(months: 1)) == nil)
  #expect(Duration().compare(Duration(months: 1)) == .less)
  #expect(Duration(months: 1, days: 5).compare(Duration(months: 1)) == .greater)
  #expect(Duration(months: .min).compare(Duration(months: .max)) == .less)
}

// MARK: Codes and suggestions

@Test func knowsISOCodes() {
  #expect(ISOCodes.countries.count == 249)
  for c in ["US", "JP", "GB", "DE", "KY", "LU"] { #expect(ISOCodes.countries.contains(c), "\(c)") }
  for c in ["UK", "EU", "us", "USA"] { #expect(!ISOCodes.countries.contains(c), "\(c)") }
  for c in ["USD", "JPY", "EUR", "GBP", "CHF", "CNY"] { #expect(ISOCodes.currencies.contains(c), "\(c)") }
  for c in ["XXX", "XTS", "HRK", "usd", "RMB"] { #expect(!ISOCodes.currencies.contains(c), "\(c)") }
  #expect(ISOCodes.symbols["$"] == "USD" && ISOCodes.symbols["¥"] == "JPY")
  #expect(ISOCodes.symbols["€"] == "EUR" && ISOCodes.symbols["£"] == "GBP")
  #expect(ISOCodes.commonMistakes["UK"] == "GB" && ISOCodes.commonMistakes["JA"] == "JP")
  #expect(ISOCodes.commonMistakes.keys.allSatisfy { !ISOCodes.countries.contains($0) })
  #expect(ISOCodes.commonMistakes.values.allSatisfy { ISOCodes.countries.contains($0) })
  #expect(ISOCodes.symbols.values.allSatisfy { ISOCodes.currencies.contains($0) })
  #expect(ISOCodes.countryName("JP") == "Japan" && ISOCodes.countryName("ZZ") == nil)
}

/// The lookups a check uses (a binary search of the sorted table) agree with the sets on every
/// two- and three-letter code and on texts of other lengths, cases and bytes.
@Test func looksUpISOCodesWithoutTheSets() {
  let letters = (UInt8(ascii: "A")...UInt8(ascii: "Z")).map { String(UnicodeScalar($0)) }
  var countries = 0, currencies = 0, disagree: [String] = []
  for a in letters {
    for b in letters {
      if ISOCodes.isCountry(a + b) != ISOCodes.countries.contains(a + b) { disagree.append(a + b) }
      if ISOCodes.isCountry(a + b) { countries += 1 }
      for c in letters {
        if ISOCodes.isCurrency(a + b + c) != ISOCodes.currencies.contains(a + b + c) { disagree.append(a + b + c) }
        if ISOCodes.isCurrency(a + b + c) { currencies += 1 }
      }
    }
  }
  #expect(disagree.isEmpty, "\(disagree)")
  #expect(countries == ISOCodes.countries.count && currencies == ISOCodes.currencies.count)
  for c in ["", "U", "us", "USA", "US ", " US", "ÜS", "AD", "ZW", "AA", "ZZ"] {
    #expect(ISOCodes.isCountry(c) == ISOCodes.countries.contains(c), "\(c)")
  }
  for c in ["", "US", "usd", "USDX", "AED", "ZWL", "AAA", "ZZZ", "ÜSD", "US\u{0}"] {
    #expect(ISOCodes.isCurrency(c) == ISOCodes.currencies.contains(c), "\(c)")
  }
}

@Test func measuresEditDistance() {
  #expect(editDistance("kitten", "sitting") == 3)
  #expect(editDistance("", "abc") == 3 && editDistance("abc", "") == 3)
  #expect(editDistance("same", "same") == 0)
  #expect(editDistance("domicle", "domicile") == 1)
  #expect(editDistance("café", "cafe") == 1)  // one scalar, not bytes
  #expect(editDistance("abcdef", "uvwxyz", limit: 2) > 2)
  #expect(editDistance("a", "abcdefgh", limit: 2) > 2)
}

@Test func suggestsClosestMatch() {
  #expect(closestMatch("domicle", in: ["domicile", "debt"]) == "domicile")
  #expect(closestMatch("DEBT", in: ["domicile", "debt"]) == "debt")
  #expect(closestMatch("zzz", in: ["domicile", "debt"]) == nil)
  #expect(closestMatch("cat", in: ["bat", "cab"]) == "bat")  // tie: lexicographically first
  #expect(closestMatch("cat", in: ["cab", "bat"]) == "bat")
  #expect(closestMatch("USDD", in: ISOCodes.currencies) == "USD")
  #expect(closestMatch("USX", in: ISOCodes.currencies) == "UGX")  // USD ties at 1 edit; the order rule decides
  #expect(closestMatch("x", in: [String]()) == nil)
}
