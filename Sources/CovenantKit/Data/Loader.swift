import Foundation

/// Reads a snapshot or a deal file into values, following the covenant's data declarations.
/// Every mismatch is reported with the file and the JSON path (`portfolio.json: holdings[3].value:
/// expected money`); up to `maxErrors` are collected so a broken export is fixed in one pass.
public struct DataLoader {
  public static let maxErrors = 25

  let schema: Schema
  let file: String
  let doc: JSONDocument
  var diagnostics: [Diagnostic] = []

  /// Reads and parses `path`; I/O and syntax problems become diagnostics, never a crash.
  public static func readJSON(path: String, displayName: String? = nil) -> Result<JSONDocument, Diagnostic> {
    let name = displayName ?? path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      return .failure(Diagnostic(code: "D010", message: "file not found", file: name, help: "check the path"))
    }
    if isDir.boolValue {
      return .failure(Diagnostic(code: "D010", message: "is a directory, not a JSON file", file: name))
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      return .failure(Diagnostic(code: "D010", message: "cannot read the file (permission denied?)", file: name))
    }
    return parseJSON([UInt8](data), file: name)
  }

  public static func parseJSON(_ bytes: [UInt8], file: String) -> Result<JSONDocument, Diagnostic> {
    switch JSONParser.parse(bytes) {
    case .success(let doc): return .success(doc)
    case .failure(let e):
      return .failure(Diagnostic(
        code: e.code, message: e.message, file: file, path: e.path.isEmpty ? nil : e.path,
        dataLocation: .init(line: e.line, column: e.column)))
    }
  }

  /// Converts a parsed document into the value of record `record` (the snapshot or the deal).
  /// `node` and `path` read one object inside a larger document: a deal in a batch file.
  public static func load(
    _ doc: JSONDocument, record: Int, schema: Schema, file: String, node: JSONNode? = nil, path: JSONPath = JSONPath()
  ) -> Result<Value, Diagnostics> {
    var loader = DataLoader(schema: schema, file: file, doc: doc)
    let root = node ?? doc.root
    guard doc.kind(root) == .object else {
      loader.fail(path, root, "expected an object\(path.description.isEmpty ? " at the top level" : ""), found \(loader.describe(root))")
      return .failure(Diagnostics(loader.diagnostics))
    }
    let value = loader.readRecord(root, record: record, path: path)
    if loader.diagnostics.isEmpty { return .success(value) }
    return .failure(Diagnostics(loader.diagnostics))
  }

  mutating func fail(_ path: JSONPath, _ node: JSONNode?, _ message: String, code: String = "D102", help: String? = nil) {
    guard diagnostics.count < Self.maxErrors else { return }
    let loc = node.map { doc.location($0) }
    diagnostics.append(Diagnostic(
      code: code, message: message, file: file, path: path.description.isEmpty ? nil : path.description,
      dataLocation: loc.map { .init(line: $0.line, column: $0.column) }, help: help))
    if diagnostics.count == Self.maxErrors {
      diagnostics.append(Diagnostic(code: "D199", severity: .note, message: "too many errors; stopped reading", file: file))
    }
  }

  func describe(_ n: JSONNode) -> String {
    switch doc.kind(n) {
    case .object: "an object"
    case .array: "a list"
    case .string: "text \"\(String((doc.string(n) ?? "").prefix(40)))\""
    case .number: "the number \(doc.numberText(n) ?? "")"
    case .bool: doc.bool(n) == true ? "true" : "false"
    case .null: "null"
    }
  }

  mutating func readRecord(_ node: JSONNode, record: Int, path: JSONPath) -> Value {
    let rec = schema.records[record]
    var values: [Value] = []
    values.reserveCapacity(rec.fields.count)
    for field in rec.fields {
      // Walk the field's `from` keys through nested objects.
      var current: JSONNode? = node
      var fieldPath = path
      for key in field.source {
        fieldPath = fieldPath.appending(key: key)
        guard let c = current, doc.kind(c) == .object else {
          current = nil
          break
        }
        current = doc.member(c, key)
      }
      guard let valueNode = current, doc.kind(valueNode) != .null else {
        if let d = field.defaultValue {
          values.append(d)
        } else if field.optional {
          values.append(.absent)
        } else {
          fail(fieldPath, current ?? node, "missing \(describeType(field.type)) `\(field.source.last ?? field.name)`", code: "D101",
            help: field.source.count > 1 || field.source.first != field.name ? "the covenant reads `\(field.name)` from \"\(field.source.joined(separator: "."))\"" : nil)
          values.append(.absent)
        }
        continue
      }
      values.append(readValue(valueNode, field: field, container: node, path: fieldPath))
    }
    return .record(values)
  }

  func describeType(_ t: ValueType) -> String {
    switch t {
    case .money: "money"
    case .number(let s): s == .plain ? "number" : s.typeName
    case .kind(let k): schema.kinds[k].name
    case .record(let r): "`\(schema.records[r].name)` object"
    case .list(let e): "list of \(describeType(e))"
    default: t.description
    }
  }

  mutating func expected(_ t: ValueType, _ node: JSONNode, _ path: JSONPath, help: String? = nil) -> Value {
    fail(path, node, "expected \(describeType(t)), found \(describe(node))", help: help)
    return .absent
  }

  mutating func exactNumber(_ node: JSONNode, _ path: JSONPath) -> Exact? {
    var result: Exact??
    do {
      result = try doc.withNumberBytes(node) { bytes throws(ArithmeticError) in try Exact.parse(bytes: bytes) }
    } catch {
      fail(path, node, "the number \(doc.numberText(node) ?? "") is too large or too precise to keep exactly", code: "D107",
        help: "numbers keep at most 38 significant digits")
      return nil
    }
    guard let r = result, let x = r else {
      fail(path, node, "invalid number", code: "D107")
      return nil
    }
    return x
  }

  /// Parses a decimal written as text (`"12.50"`), as spreadsheets often export amounts.
  mutating func exactText(_ text: Substring, _ node: JSONNode, _ path: JSONPath, _ t: ValueType) -> Exact? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
    do {
      if let x = try Exact.parse(trimmed) { return x }
    } catch {
      fail(path, node, "the number \"\(text)\" is too large or too precise to keep exactly", code: "D107")
      return nil
    }
    let help: String? = text.contains(where: \.isLetter)
      ? "write the amount in figures, e.g. \"12000000000\" or 12000000000, not words" : nil
    fail(path, node, "expected \(describeType(t)), found \(describe(node))", help: help)
    return nil
  }

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
      guard let v = try? x.divided(by: Exact(divisor)) else { return .absent }
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
      var items: [Value] = []
      items.reserveCapacity(doc.count(node))
      var i = 0
      for element in doc.elements(node) {
        let p = path.appending(index: i)
        if doc.kind(element) == .object {
          items.append(readRecord(element, record: r, path: p))
        } else {
          _ = expected(.record(r), element, p)
        }
        i += 1
        if diagnostics.count >= Self.maxErrors { break }
      }
      return .list(ListValue(base: items))
    case .fx:
      guard kind == .object else {
        return expected(.fx, node, path, help: "write rates as an object, e.g. {\"JPY\": \"0.0067\"}: base currency per unit")
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
        rates[code] = rate
      }
      return .fx(rates)
    case .list, .error:
      return .absent
    }
  }

  mutating func readMoney(_ node: JSONNode, field: FieldSchema, fixed: String?, container: JSONNode, path: JSONPath) -> Value {
    var currency = fixed ?? schema.baseCurrency
    if case .field(let key) = field.currency {
      if let c = doc.member(container, key), let s = doc.string(c) {
        currency = s
      } else {
        fail(path, node, "missing currency \"\(key)\" next to `\(field.name)`", code: "D101")
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
    if amount.signum < 0 {
      fail(path, node, "negative amount \(amount.formatted(places: 2, grouping: true)) for `\(field.name)`", code: "D103",
        help: "amounts in the data are zero or more")
      return .absent
    }
    if field.inCents {
      guard let a = try? amount.divided(by: Exact(100)) else { return .absent }
      amount = a
    }
    return .money(amount, currency: currency)
  }
}
