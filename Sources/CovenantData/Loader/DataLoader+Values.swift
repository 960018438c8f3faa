import Foundation
import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

extension DataLoader {
  mutating func readValue(_ node: JSONNode, field: FieldSchema, container: JSONNode, path: JSONPath) -> Value {
    let kind = doc.kind(node)
    switch field.type {
    case .money(let fixed):
      return readMoney(node, field: field, fixed: fixed, container: container, path: path)
    case .number(let style):
      var x: Exact?
      if kind == .number {
        x = exactNumber(node, path)
      } else if kind == .string, let str = doc.string(node) {
        var s = Substring(str)
        if style == .percent, s.hasSuffix("%") { s = s.dropLast() }
        if style == .bps, s.hasSuffix("bps") { s = s.dropLast(3) }
        if style == .multiple, s.hasSuffix("x") { s = s.dropLast() }
        x = exactText(s, node, path, field.type)
      } else {
        return expected(field.type, node, path)
      }
      guard let x else { return .absent }
      let divisor = style == .percent ? 100 : style == .bps ? 10_000 : 1
      guard let v = try? x.divided(by: Exact(divisor)) else {
        // Never undefined: an unscalable figure would make a floor "not applicable" (exit 0).
        fail(path, node, "\(describe(node)) is too large or too precise to read exactly as \(style == .percent ? "a percentage" : "basis points")", code: "D107")
        return .absent
      }
      return .number(v)
    case .date:
      guard kind == .string, let s = doc.string(node) else { return expected(.date, node, path, help: "write dates as \"YYYY-MM-DD\"") }
      guard let d = CalendarDate.parse(s) else {
        fail(path, node, "\"\(s)\" is not a date", code: "D106", help: "write dates as \"YYYY-MM-DD\", e.g. \"2026-09-30\"")
        return .absent
      }
      return .date(d)
    case .duration:
      guard kind == .string, let s = doc.string(node), let d = Duration.parse(s) else {
        return expected(.duration, node, path, help: "write durations as text with a unit, e.g. \"5 years\" or \"18 months\"")
      }
      return .duration(d)
    case .text:
      guard kind == .string, let s = doc.string(node) else { return expected(.text, node, path) }
      return .text(s)
    case .bool:
      guard kind == .bool, let b = doc.bool(node) else { return expected(.bool, node, path, help: "write true or false, without quotes") }
      return .bool(b)
    case .country:
      guard kind == .string, let s = doc.string(node) else { return expected(.country, node, path) }
      guard ISOCodes.countries.contains(s) else {
        let help: String
        let byName = ISOCodes.countries.sorted().first { ISOCodes.countryName($0)?.lowercased() == s.lowercased() }
        if let fix = ISOCodes.commonMistakes[s] ?? (ISOCodes.countries.contains(s.uppercased()) ? s.uppercased() : nil) ?? byName {
          help = "did you mean \"\(fix)\"?"
        } else {
          help = "countries are ISO 3166 two-letter codes in capitals, e.g. \"US\", \"JP\""
        }
        fail(path, node, "unknown country code \"\(s)\"", code: "D105", help: help)
        return .absent
      }
      return .country(s)
    case .kind(let k):
      let ks = schema.kinds[k]
      guard kind == .string, let s = doc.string(node) else { return expected(field.type, node, path) }
      guard let m = ks.index[s] else {
        let help = closestMatch(s, in: ks.members).map { "did you mean \"\($0)\"?" }
          ?? "`\(ks.name)` is one of " + ks.members.map { "\"\($0)\"" }.joined(separator: ", ")
        fail(path, node, "unknown \(ks.name) \"\(s)\"", code: "D104", help: help)
        return .absent
      }
      return .kind(k, m)
    case .record(let r):
      guard kind == .object else { return expected(field.type, node, path) }
      return readRecord(node, record: r, path: path)
    case .list(.record(let r)):
      guard kind == .array else { return expected(field.type, node, path) }
      return readTable(node, record: r, path: path)
    case .fx:
      guard kind == .object else {
        return expected(.fx, node, path, help: "write rates as an object of currencies and rates, e.g. {\"JPY\": 150}")
      }
      var rates: [String: Exact] = [:]
      for (code, rateNode) in doc.members(node) {
        let p = path.appending(key: code)
        guard ISOCodes.currencies.contains(code) else {
          fail(p, rateNode, "unknown currency \"\(code)\"", code: "D108")
          continue
        }
        let rate: Exact?
        switch doc.kind(rateNode) {
        case .number: rate = exactNumber(rateNode, p)
        case .string: rate = exactText(Substring(doc.string(rateNode) ?? ""), rateNode, p, .number(.plain))
        default: rate = nil; _ = expected(.number(.plain), rateNode, p)
        }
        guard let rate else { continue }
        guard rate.signum > 0 else {
          fail(p, rateNode, "an FX rate must be positive", code: "D103")
          continue
        }
        if let only = field.fxCurrency, code != only {
          fail(p, rateNode, "a rate for \(code), but the covenant reads these rates as \(only) only", code: "D108",
            help: "declare `quoted currency per …` to read every currency")
          continue
        }
        // Held as base currency per unit; a rate quoted per unit of base is inverted, exactly.
        if field.fxPerBase {
          guard let inverse = try? Exact.one.divided(by: rate) else {
            fail(p, rateNode, "the rate \(describe(rateNode)) is too large or too precise to invert exactly", code: "D107")
            continue
          }
          rates[code] = inverse
        } else {
          rates[code] = rate
        }
      }
      return .fx(rates)
    case .list, .error:
      return .absent
    }
  }

  mutating func readMoney(_ node: JSONNode, field: FieldSchema, fixed: String?, container: JSONNode, path: JSONPath) -> Value {
    var currency = fixed ?? schema.baseCurrency
    var currencyFound = fixed != nil
    if case .field(let key) = field.currency {
      // The currency key sits next to the field, or inside an amount object: {"amount": …, "ccy": "NOK"}.
      let inside = doc.kind(node) == .object ? doc.member(node, key) : nil
      if let c = inside ?? doc.member(container, key), let s = doc.string(c) {
        currency = s
        currencyFound = true
      } else {
        let keys = doc.kind(node) == .object ? doc.members(node).map(\.0) : doc.members(container).map(\.0)
        fail(path, node, "missing currency \"\(key)\" next to `\(field.name)` or inside its amount object", code: "D101",
          help: "found keys " + keys.prefix(8).map { "`\($0)`" }.joined(separator: ", ") + "; `currency from \"KEY\"` names the key that holds the currency code")
        return .absent
      }
    }
    var amount: Exact?
    switch doc.kind(node) {
    case .number:
      amount = exactNumber(node, path)
    case .string:
      var s = Substring(doc.string(node) ?? "")
      // "JPY 4500000000": a currency code, a space, an amount.
      if s.count > 4, let space = s.firstIndex(of: " "), s.distance(from: s.startIndex, to: space) == 3,
        s[s.startIndex..<space].allSatisfy({ $0.isUppercase && $0.isASCII })
      {
        currency = String(s[s.startIndex..<space])
        s = s[s.index(after: space)...]
      }
      amount = exactText(s, node, path, field.type)
    case .object:
      guard let a = doc.member(node, "amount") else {
        return expected(field.type, node, path, help: "an amount object has \"amount\" and \"currency\"")
      }
      if let c = doc.member(node, "currency") {
        guard let s = doc.string(c) else { return expected(.text, c, path.appending(key: "currency")) }
        currency = s
      } else if !currencyFound, doc.members(node).contains(where: { $0.0 != "amount" }) {
        // Never assume the base currency for an amount object that may name its currency under
        // another key: {"amount": "900000000", "ccy": "NOK"} read as dollars is a silently wrong
        // figure. `{"amount": …}` alone is in the base currency, like a bare number.
        let keys = doc.members(node).map(\.0)
        fail(path, node, "an amount object without a currency: found keys " + keys.prefix(8).map { "`\($0)`" }.joined(separator: ", "), code: "D108",
          help: keys.first { $0 != "amount" }.map { "if `\($0)` holds the currency code, declare `currency from \"\($0)\"` on `\(field.name)`" }
            ?? "give the currency (\"currency\": \"USD\"), or declare `currency USD` on `\(field.name)`")
        return .absent
      }
      let p = path.appending(key: "amount")
      if doc.kind(a) == .number { amount = exactNumber(a, p) } else if let s = doc.string(a) {
        amount = exactText(Substring(s), a, p, field.type)
      } else {
        return expected(field.type, a, p)
      }
    default:
      return expected(field.type, node, path)
    }
    guard var amount else { return .absent }
    guard ISOCodes.currencies.contains(currency) else {
      fail(path, node, "unknown currency \"\(currency)\"", code: "D108",
        help: closestMatch(currency, in: Array(ISOCodes.currencies)).map { "did you mean \"\($0)\"?" })
      return .absent
    }
    if let fixed, currency != fixed {
      fail(path, node, "expected an amount in \(fixed), found one in \(currency)", code: "D108")
      return .absent
    }
    if amount.signum < 0, !field.signed {
      fail(path, node, "negative amount \(amount.formatted(places: 2, grouping: true)) for `\(field.name)`", code: "D103",
        help: "amounts in the data are zero or more; a figure that may be negative (EBITDA, net income) is declared `money signed`")
      return .absent
    }
    if field.inCents {
      guard let a = try? amount.divided(by: Exact(100)) else {
        fail(path, node, "\(describe(node)) is too large or too precise to read exactly as cents", code: "D107")
        return .absent
      }
      amount = a
    }
    return .money(amount, currency: currency)
  }
}
