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
        fail(path, node, DataDiagnostics.inexactNumber(.scaled(describe(node), percent: style == .percent)))
        return .absent
      }
      return .number(v)
    case .date:
      guard kind == .string, let s = doc.string(node) else { return expected(.date, node, path, help: "write dates as \"YYYY-MM-DD\"") }
      guard let d = CalendarDate.parse(s) else {
        fail(path, node, DataDiagnostics.invalidDate(text: s))
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
      guard ISOCodes.isCountry(s) else {
        let help: String
        let byName = ISOCodes.countries.sorted().first { ISOCodes.countryName($0)?.lowercased() == s.lowercased() }
        if let fix = ISOCodes.commonMistakes[s] ?? (ISOCodes.countries.contains(s.uppercased()) ? s.uppercased() : nil) ?? byName {
          help = "did you mean \"\(fix)\"?"
        } else {
          help = "countries are ISO 3166 two-letter codes in capitals, e.g. \"US\", \"JP\""
        }
        fail(path, node, DataDiagnostics.unknownCountry(s, help: help))
        return .absent
      }
      return .country(s)
    case .kind(let k):
      let ks = schema.kinds[k]
      guard kind == .string, let s = doc.string(node) else { return expected(field.type, node, path) }
      guard let m = ks.index[s] else {
        let help = closestMatch(s, in: ks.members).map { "did you mean \"\($0)\"?" }
          ?? "`\(ks.name)` is one of " + ks.members.map { "\"\($0)\"" }.joined(separator: ", ")
        fail(path, node, DataDiagnostics.unknownKindValue(s, kind: ks.name, help: help))
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
        guard ISOCodes.isCurrency(code) else {
          fail(p, rateNode, DataDiagnostics.currency(.unknown(code, help: nil)))
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
          fail(p, rateNode, DataDiagnostics.negative(.fxRate))
          continue
        }
        if let only = field.fxCurrency, code != only {
          fail(p, rateNode, DataDiagnostics.currency(.rateOutsideQuote(code: code, only: only)))
          continue
        }
        // Held as base currency per unit; a rate quoted per unit of base is inverted, exactly.
        if field.fxPerBase {
          guard let inverse = try? Exact.one.divided(by: rate) else {
            fail(p, rateNode, DataDiagnostics.inexactNumber(.inverse(describe(rateNode))))
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
        fail(path, node, DataDiagnostics.missing(.currency(key: key, field: field.name),
          help: "found keys " + keys.prefix(8).map { "`\($0)`" }.joined(separator: ", ") + "; `currency from \"KEY\"` names the key that holds the currency code"))
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
        fail(path, node, DataDiagnostics.currency(.amountWithoutCurrency(keys: keys.prefix(8).map { "`\($0)`" }.joined(separator: ", "),
          help: keys.first { $0 != "amount" }.map { "if `\($0)` holds the currency code, declare `currency from \"\($0)\"` on `\(field.name)`" }
            ?? "give the currency (\"currency\": \"USD\"), or declare `currency USD` on `\(field.name)`")))
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
    guard ISOCodes.isCurrency(currency) else {
      fail(path, node, DataDiagnostics.currency(.unknown(currency,
        help: closestMatch(currency, in: Array(ISOCodes.currencies)).map { "did you mean \"\($0)\"?" })))
      return .absent
    }
    if let fixed, currency != fixed {
      fail(path, node, DataDiagnostics.currency(.wrongCurrency(expected: fixed, found: currency)))
      return .absent
    }
    if amount.signum < 0, !field.signed {
      fail(path, node, DataDiagnostics.negative(.amount(amount.formatted(places: 2, grouping: true), field: field.name)))
      return .absent
    }
    if field.inCents {
      guard let a = try? amount.divided(by: Exact(100)) else {
        fail(path, node, DataDiagnostics.inexactNumber(.cents(describe(node))))
        return .absent
      }
      amount = a
    }
    return .money(amount, currency: currency)
  }
}
