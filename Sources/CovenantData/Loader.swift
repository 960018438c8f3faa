import Foundation
import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

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
  public static func readJSON(path given: String, displayName: String? = nil, in directory: String? = nil) -> Result<JSONDocument, Diagnostic> {
    let name = displayName ?? given
    let path = WorkingDirectory.resolve(given, in: directory)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      return .failure(Diagnostic(code: "D010", message: "file not found", file: name, help: "check the path"))
    }
    if isDir.boolValue {
      return .failure(Diagnostic(code: "D010", message: "is a directory, not a JSON file", file: name))
    }
    guard let bytes = readBytes(path) else {
      return .failure(Diagnostic(code: "D010", message: "cannot read the file (permission denied?)", file: name))
    }
    return parseJSON(bytes, file: name)
  }

  /// The file's bytes, read straight into one array: going through `Data` would hold the file
  /// twice at the peak.
  static func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return nil }
    /// Reads into `buffer` until it is full or the file ends; nil on an error.
    func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
      var filled = 0
      while filled < buffer.count {
        let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
        if n < 0 {
          if errno == EINTR { continue }
          return nil
        }
        if n == 0 { break }
        filled += n
      }
      return filled
    }
    // One byte more than the size, to see the end of the file without a second allocation.
    let hint = max(Int(info.st_size), 0) + 1
    var failed = false
    var bytes = [UInt8](unsafeUninitializedCapacity: hint) { buffer, count in
      guard let n = fill(UnsafeMutableRawBufferPointer(buffer)) else {
        failed = true
        count = 0
        return
      }
      count = n
    }
    if failed { return nil }
    // The file grew while being read (or reports no size): read the rest in chunks.
    while bytes.count % hint == 0 || bytes.count >= hint {
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      guard let n = chunk.withUnsafeMutableBytes({ fill($0) }) else { return nil }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[..<n])
    }
    return bytes
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
    // `affiliate_group : text default issuer`: a missing value is the other field's.
    for (i, field) in rec.fields.enumerated() where values[i] == .absent {
      if let o = field.defaultField, o < values.count { values[i] = values[o] }
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

// MARK: - Lists of records, read into columns

extension DataLoader {
  /// How a field of a list's records is read on the fast path: in place, from the bytes, with
  /// nothing allocated per cell. Anything unusual (a missing required field, a value of the wrong
  /// form, an unknown kind or country, an escape in a text) sends the whole row down the general
  /// path, which reports it exactly as it always has.
  enum FastField {
    /// A JSON integer of at most 18 digits, kept as units of 10^-scale.
    case units
    case member
    case text
    case country
    /// Read by `readValue` from its node (rarer types).
    case general
  }

  /// A field's cell for the row being read.
  enum Cell {
    case missing
    case units(Int64)
    case member(UInt8)
    case string(JSONString)
    case node(Int)
  }

  /// What the fast path needs to know about a record, in flat arrays read through pointers.
  struct RowPlan {
    var fast: [FastField] = []
    /// The value when the key is missing or null: the default, `.absent` if optional; nil when
    /// the field is required.
    var missing: [Value?] = []
    var sources: [String] = []
    /// All key and kind-member names, concatenated.
    var text: [UInt8] = []
    /// keyStart[k], keyLen[k] for each key; then fieldsOf: per key, first index into keyFields
    /// (count + 1 entries); keyFields; then per field the first index of its member names
    /// (fields + 1 entries); then nameStart, nameLen per member name.
    var ints: [Int] = []
    var keyCount = 0
    var fieldCount = 0
    var oKeyLen = 0, oFieldsOf = 0, oKeyFields = 0, oNameFirst = 0, oNameStart = 0, oNameLen = 0
    /// Every field is read from a key of the element itself (no nested `from "a.b"`, no
    /// currency from a sibling key): otherwise each row takes the general path.
    var usable = true
  }

  func rowPlan(_ r: Int) -> RowPlan {
    let rec = schema.records[r]
    var plan = RowPlan()
    var keys: [[UInt8]] = []
    var keyFields: [[Int]] = []
    var names: [[[UInt8]]] = []
    for (i, f) in rec.fields.enumerated() {
      // A default taken from another field is filled in by `readRecord`, row by row.
      if f.source.count != 1 || f.currency != nil || f.defaultField != nil { plan.usable = false }
      let key = Array((f.source.first ?? f.name).utf8)
      if let k = keys.firstIndex(of: key) { keyFields[k].append(i) } else {
        keys.append(key)
        keyFields.append([i])
      }
      var fast = FastField.general
      var fieldNames: [[UInt8]] = []
      switch f.type {
      case .money(let fixed):
        if ISOCodes.currencies.contains(fixed ?? schema.baseCurrency) { fast = .units }
      case .kind(let k):
        if schema.kinds[k].members.count < Int(RecordTable.absentMember) {
          fast = .member
          fieldNames = schema.kinds[k].members.map { Array($0.utf8) }
        }
      case .text: fast = .text
      case .country: fast = .country
      default: break
      }
      plan.fast.append(fast)
      plan.missing.append(f.defaultValue ?? (f.optional ? .absent : nil))
      plan.sources.append(f.source.first ?? f.name)
      names.append(fieldNames)
    }
    plan.keyCount = keys.count
    plan.fieldCount = rec.fields.count
    var keyStart: [Int] = [], keyLen: [Int] = []
    for k in keys {
      keyStart.append(plan.text.count)
      keyLen.append(k.count)
      plan.text += k
    }
    var fieldsOf: [Int] = [], flatFields: [Int] = []
    for fs in keyFields {
      fieldsOf.append(flatFields.count)
      flatFields += fs
    }
    fieldsOf.append(flatFields.count)
    var nameFirst: [Int] = [], nameStart: [Int] = [], nameLen: [Int] = []
    for ns in names {
      nameFirst.append(nameStart.count)
      for n in ns {
        nameStart.append(plan.text.count)
        nameLen.append(n.count)
        plan.text += n
      }
    }
    nameFirst.append(nameStart.count)
    plan.ints = keyStart
    plan.oKeyLen = plan.ints.count
    plan.ints += keyLen
    plan.oFieldsOf = plan.ints.count
    plan.ints += fieldsOf
    plan.oKeyFields = plan.ints.count
    plan.ints += flatFields
    plan.oNameFirst = plan.ints.count
    plan.ints += nameFirst
    plan.oNameStart = plan.ints.count
    plan.ints += nameStart
    plan.oNameLen = plan.ints.count
    plan.ints += nameLen
    plan.text += [0, 0, 0, 0, 0, 0, 0, 0]  // never empty, and a word can be read past any name
    return plan
  }

  /// Reads an array of `record` objects into a `RecordTable`, one column per field.
  mutating func readTable(_ node: JSONNode, record r: Int, path: JSONPath) -> Value {
    let rec = schema.records[r]
    let plan = rowPlan(r)
    let expectedRows = doc.count(node)
    let bytes = doc.bytes
    var columns = rec.fields.map { ColumnBuilder(field: $0, schema: schema, capacity: expectedRows) }
    guard let start = doc.offset(node) else { return .list(ListValue(base: [])) }
    if plan.usable, !plan.fast.contains(where: { if case .general = $0 { return true }; return false }),
      let table = parallelTable(start: start, plan: plan, record: r, expectedRows: expectedRows)
    {
      return table
    }
    var cells = [Cell](repeating: .missing, count: rec.fields.count)
    var rows = 0
    bytes.withUnsafeBufferPointer { p in
      plan.text.withUnsafeBufferPointer { text in
        plan.ints.withUnsafeBufferPointer { ints in
          plan.fast.withUnsafeBufferPointer { fast in
            var cursor = JSONScan.firstChild(p, container: start)
            var i = 0
            while let c = cursor {
              var end: Int? = nil
              if plan.usable, p[c] == 0x7B {
                end = Self.fastRow(p, at: c, plan: plan, text: text, ints: ints, fast: fast, cells: &cells, columns: &columns,
                  large: doc.large) { f, o in
                  readValue(doc.node(o), field: rec.fields[f], container: doc.node(c),
                    path: path.appending(index: i).appending(key: plan.sources[f]))
                }
              }
              if end == nil {
                let element = doc.node(c)
                let elementPath = path.appending(index: i)
                if p[c] == 0x7B {
                  if case .record(let values) = readRecord(element, record: r, path: elementPath) {
                    for (f, v) in values.enumerated() { columns[f].append(v) }
                  }
                } else {
                  _ = expected(.record(r), element, elementPath)
                }
                end = JSONScan.skipValue(p, at: c, doc.large)
              }
              rows += 1
              i += 1
              if diagnostics.count >= Self.maxErrors { break }
              cursor = JSONScan.nextSibling(p, after: end!)
            }
          }
        }
      }
    }
    let built = columns.map { $0.build() }
    let count = built.isEmpty ? rows : ColumnBuilder.count(built[0])
    return .list(ListValue(table: RecordTable(count: count, columns: built)))
  }

  /// A long list (tens of thousands of rows or more) read in two halves at once, one per core,
  /// and joined: the same columns as reading it in order. Only when every row takes the fast
  /// path; nil otherwise, and the list is then read in order, so that problems are reported in
  /// order, exactly as before.
  func parallelTable(start: Int, plan: RowPlan, record r: Int, expectedRows: Int) -> Value? {
    let checkpoints = doc.large.checkpoints(of: start)
    guard checkpoints.count >= 2 else { return nil }
    let bytes = doc.bytes, large = doc.large, schema = self.schema, fields = schema.records[r].fields
    return bytes.withUnsafeBufferPointer { p -> Value? in
      guard let first = JSONScan.firstChild(p, container: start) else { return nil }
      let middle = JSONScan.skipSpace(p, checkpoints[checkpoints.count / 2])
      let parts = [(from: first, to: middle), (from: middle, to: -1)]
      var results = [[ColumnBuilder]?](repeating: nil, count: 2)
      results.withUnsafeMutableBufferPointer { out in
        plan.text.withUnsafeBufferPointer { text in
          plan.ints.withUnsafeBufferPointer { ints in
            plan.fast.withUnsafeBufferPointer { fast in
              let shared = SharedBuffers(p: p, text: text, ints: ints, fast: fast, out: out)
              DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                let p = shared.p
                // The first part's columns have room for every row: the second's are appended to
                // them in place.
                let room = part == 0 ? expectedRows : expectedRows - expectedRows / 2 + 1
                var columns = fields.map { ColumnBuilder(field: $0, schema: schema, capacity: room) }
                var cells = [Cell](repeating: .missing, count: fields.count)
                var cursor: Int? = parts[part].from
                while let c = cursor, c != parts[part].to {
                  guard p[c] == 0x7B,
                    let end = Self.fastRow(
                      p, at: c, plan: plan, text: shared.text, ints: shared.ints, fast: shared.fast, cells: &cells, columns: &columns,
                      large: large, general: { _, _ in .absent })
                  else { return }
                  cursor = JSONScan.nextSibling(p, after: end)
                }
                if parts[part].to >= 0, cursor != parts[part].to { return }
                shared.out[part] = columns
              }
            }
          }
        }
      }
      // Taken out of `results`, so the first part's arrays are not shared (and copied) when the
      // second's are appended to them.
      guard var columns = results[0], var second = results[1] else { return nil }
      results = []
      for f in columns.indices {
        guard columns[f].append(contentsOf: second[f]) else { return nil }
        // Each appended column of the second part is released at once.
        second[f] = ColumnBuilder(field: fields[f], schema: schema, capacity: 0)
      }
      let built = columns.map { $0.build() }
      return .list(ListValue(table: RecordTable(count: built.isEmpty ? 0 : ColumnBuilder.count(built[0]), columns: built)))
    }
  }

  /// `p[at..<at+len] == text[start..<start+len]`, eight bytes at a time.
  @inline(__always) static func sameBytes(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ len: Int) -> Bool {
    JSONScan.equalBytes(p, at, text, start, len)
  }

  /// One row on the fast path: returns the offset after the object, or nil (nothing appended)
  /// when the row needs the general path.
  /// `general(field, offset)` reads a field of a rarer type from its node (the sequential path
  /// passes `readValue`; the parallel one never meets such fields).
  static func fastRow(
    _ p: UnsafeBufferPointer<UInt8>, at start: Int, plan: RowPlan, text: UnsafeBufferPointer<UInt8>,
    ints: UnsafeBufferPointer<Int>, fast: UnsafeBufferPointer<FastField>, cells: inout [Cell], columns: inout [ColumnBuilder],
    large: LargeContainers, general: (Int, Int) -> Value
  ) -> Int? {
    let fieldCount = plan.fieldCount, keyCount = plan.keyCount
    let oKeyLen = plan.oKeyLen, oFieldsOf = plan.oFieldsOf, oKeyFields = plan.oKeyFields
    let oNameFirst = plan.oNameFirst, oNameStart = plan.oNameStart, oNameLen = plan.oNameLen
    return cells.withUnsafeMutableBufferPointer { cells -> Int? in
      for f in 0..<fieldCount { cells[f] = .missing }
      var cursor = JSONScan.firstChild(p, container: start)
      var guess = 0
      var end = start + 1
      while let c = cursor {
        // The key: usually the next declared one, compared in place with its closing quote.
        var match = -1
        var keyClose = -1
        if guess < keyCount {
          let len = ints[oKeyLen + guess]
          if c + len + 1 < p.count, p[c + 1 + len] == 0x22, Self.sameBytes(p, c + 1, text, ints[guess], len) {
            match = guess
            keyClose = c + 1 + len
          }
        }
        if match < 0 {
          let key = JSONScan.string(p, at: c)
          if key.escaped { return nil }
          keyClose = key.close
          let len = key.close - key.open - 1
          for k in 0..<keyCount where k != guess && ints[oKeyLen + k] == len && Self.sameBytes(p, c + 1, text, ints[k], len) {
            match = k
            break
          }
        }
        var value = JSONScan.skipSpace(p, keyClose + 1)
        guard value < p.count, p[value] == 0x3A else { return nil }
        value = JSONScan.skipSpace(p, value + 1)
        guard value < p.count else { return nil }
        var valueEnd = -1
        if match >= 0, p[value] != 0x6E {  // null reads as missing
          guess = match + 1
          for q in ints[oFieldsOf + match]..<ints[oFieldsOf + match + 1] {
            let f = ints[oKeyFields + q]
            switch fast[f] {
            case .units:
              // A plain JSON integer (no sign, fraction or exponent) of at most 18 digits.
              var j = value
              var units: Int64 = 0
              if j + 8 <= p.count {
                let w = JSONScan.word(p, j)
                if JSONScan.allDigits(w) {
                  units = Int64(JSONScan.eightDigits(w))
                  j += 8
                }
              }
              while j < p.count, p[j] &- 0x30 < 10, j - value < 18 {
                units = units &* 10 &+ Int64(p[j] &- 0x30)
                j += 1
              }
              guard j > value, j >= p.count || (p[j] &- 0x30 >= 10 && p[j] != 0x2E && p[j] | 0x20 != 0x65) else { return nil }
              cells[f] = .units(units)
              valueEnd = j
            case .member:
              guard p[value] == 0x22 else { return nil }
              let s = JSONScan.string(p, at: value)
              guard !s.escaped else { return nil }
              let len = s.close - s.open - 1
              var m = ints[oNameFirst + f]
              let last = ints[oNameFirst + f + 1]
              while m < last, !(ints[oNameLen + m] == len && Self.sameBytes(p, value + 1, text, ints[oNameStart + m], len)) { m += 1 }
              guard m < last else { return nil }
              cells[f] = .member(UInt8(m - ints[oNameFirst + f]))
              valueEnd = s.close + 1
            case .text, .country:
              guard p[value] == 0x22 else { return nil }
              let s = JSONScan.string(p, at: value)
              guard !s.escaped else { return nil }
              cells[f] = .string(s)
              valueEnd = s.close + 1
            case .general:
              cells[f] = .node(value)
            }
          }
        }
        if valueEnd < 0 { valueEnd = JSONScan.skipValue(p, at: value, large) }
        end = valueEnd
        cursor = JSONScan.nextSibling(p, after: valueEnd)
      }
      // The closing brace.
      end = JSONScan.skipSpace(p, end)
      guard end < p.count, p[end] == 0x7D else { return nil }
      // Check before appending anything: a missing required field, or a country that is not one,
      // goes to the general path, which reports it.
      for f in 0..<fieldCount {
        switch cells[f] {
        case .missing:
          if plan.missing[f] == nil { return nil }
        case .string(let s):
          if case .country = fast[f], !columns[f].isKnownCountry(p, s) { return nil }
        default: break
        }
      }
      for f in 0..<fieldCount {
        switch cells[f] {
        case .missing: columns[f].append(plan.missing[f] ?? .absent)
        case .units(let u): columns[f].appendUnits(u)
        case .member(let m): columns[f].appendMember(m)
        case .string(let s): columns[f].appendString(p, s)
        case .node(let o):
          columns[f].append(general(f, o))
        }
      }
      return end + 1
    }
  }
}

/// What the parts of a parallel read share: buffers that nobody writes while they run, and one
/// result slot per part, each written by its own part only.
struct SharedBuffers: @unchecked Sendable {
  let p: UnsafeBufferPointer<UInt8>
  let text: UnsafeBufferPointer<UInt8>
  let ints: UnsafeBufferPointer<Int>
  let fast: UnsafeBufferPointer<DataLoader.FastField>
  let out: UnsafeMutableBufferPointer<[ColumnBuilder]?>
}

/// Builds one column of a `RecordTable`, in the compact form the values allow, falling back to
/// plain values as soon as one value does not fit (another currency, a fraction, a kind member
/// past 254). Each form keeps its own arrays, appended in place.
struct ColumnBuilder {
  enum Mode { case values, money, kind, interned, slices, text }
  var mode: Mode
  let capacity: Int
  let field: FieldSchema
  var values: [Value] = []
  var units: [Int64] = []
  var scale = 0
  var currency = ""
  var kind = 0
  var members: [UInt8] = []
  var ids: [UInt32] = []
  var index = InternIndex()
  var country = false
  /// Text that does not repeat: the texts one after another, and where each row's ends.
  var arena: [UInt8] = []
  var ends: [UInt32] = []
  var texts: [String?] = []
  /// Validated country codes, by two-letter code; and the last one seen.
  var lastCountry: (UInt16, UInt32) = (0, UInt32.max)

  /// Interned rows at which to decide whether the text repeats.
  static let probeRows = 4096

  init(field: FieldSchema, schema: Schema, capacity: Int) {
    self.field = field
    self.capacity = capacity
    switch field.type {
    case .money(let fixed) where field.currency == nil:
      mode = .money
      units.reserveCapacity(capacity)
      scale = field.inCents ? 2 : 0
      currency = fixed ?? schema.baseCurrency
    case .kind(let k):
      mode = .kind
      kind = k
      members.reserveCapacity(capacity)
    case .text, .country:
      mode = .interned
      country = field.type == .country
      ids.reserveCapacity(capacity)
    default:
      mode = .values
      values.reserveCapacity(capacity)
    }
  }

  var count: Int {
    switch mode {
    case .values: values.count
    case .money: units.count
    case .kind: members.count
    case .interned: ids.count
    case .slices: ends.count
    case .text: texts.count
    }
  }

  static func count(_ c: RecordTable.Column) -> Int {
    switch c {
    case .values(let v): v.count
    case .money(let u, _, _): u.count
    case .kind(_, let m): m.count
    case .interned(let ids, _, _, _): ids.count
    case .slices(_, let e): e.count
    case .text(let t): t.count
    }
  }

  /// Every row so far as values, and the column from now on as plain values.
  mutating func generalize() {
    guard mode != .values else { return }
    let t = RecordTable(count: count, columns: [build()])
    var out: [Value] = []
    out.reserveCapacity(Swift.max(capacity, t.count))
    for row in 0..<t.count { out.append(t.value(row, 0)) }
    (units, members, ids, index, arena, ends, texts) = ([], [], [], InternIndex(), [], [], [])
    values = out
    mode = .values
  }

  mutating func append(_ v: Value) {
    switch mode {
    case .values:
      values.append(v)
      return
    case .money:
      if v == .absent {
        units.append(RecordTable.absentUnits)
        return
      }
      if case .money(let x, let c) = v, c == currency, let u = Self.units(x, scale: scale) {
        units.append(u)
        return
      }
    case .kind:
      if v == .absent {
        members.append(RecordTable.absentMember)
        return
      }
      if case .kind(let k, let m) = v, k == kind, m >= 0, m < Int(RecordTable.absentMember) {
        members.append(UInt8(m))
        return
      }
    case .interned:
      if v == .absent {
        ids.append(RecordTable.absentID)
        return
      }
      if case .text(let s) = v, !country {
        ids.append(index.insert(s).id)
        if ids.count == Self.probeRows { probe() }
        return
      }
      if case .country(let s) = v, country {
        ids.append(index.insert(s).id)
        return
      }
    case .slices:
      if v == .absent {
        ends.append(UInt32(arena.count) | RecordTable.absentEnd)
        return
      }
      if case .text(let s) = v {
        arena.append(contentsOf: s.utf8)
        ends.append(UInt32(arena.count))
        return
      }
    case .text:
      if v == .absent {
        texts.append(nil)
        return
      }
      if case .text(let s) = v {
        texts.append(s)
        return
      }
    }
    generalize()
    values.append(v)
  }

  /// Appends the rows of a column built over the following rows of the same list, as if they
  /// had been appended one by one here: the form this column chose (from its first rows) is
  /// kept, and interned values keep their order of first appearance. False if the two cannot be
  /// joined (the caller then reads the list in order).
  mutating func append(contentsOf o: ColumnBuilder) -> Bool {
    switch (mode, o.mode) {
    case (.money, .money) where scale == o.scale && currency == o.currency:
      units += o.units
    case (.kind, .kind) where kind == o.kind:
      members += o.members
    case (.interned, .interned) where country == o.country:
      var map: [UInt32] = []
      map.reserveCapacity(o.index.count)
      for id in 0..<o.index.count { map.append(Array(o.index.bytes(id)).withUnsafeBufferPointer { index.insert($0).id }) }
      ids.reserveCapacity(ids.count + o.ids.count)
      for id in o.ids { ids.append(id == RecordTable.absentID ? id : map[Int(id)]) }
    case (.interned, .slices) where !country:
      ids.reserveCapacity(ids.count + o.ends.count)
      for row in o.ends.indices {
        guard let range = RecordTable.slice(o.ends, row) else {
          ids.append(RecordTable.absentID)
          continue
        }
        ids.append(o.arena[range].withUnsafeBufferPointer { index.insert($0).id })
      }
    case (.slices, .slices):
      let shift = UInt32(arena.count)
      arena += o.arena
      ends.reserveCapacity(ends.count + o.ends.count)
      for e in o.ends { ends.append(((e & ~RecordTable.absentEnd) + shift) | (e & RecordTable.absentEnd)) }
    case (.slices, .interned) where !o.country:
      for id in o.ids {
        if id != RecordTable.absentID { arena += o.index.bytes(Int(id)) }
        ends.append(UInt32(arena.count) | (id == RecordTable.absentID ? RecordTable.absentEnd : 0))
      }
    case (.values, .values):
      values += o.values
    case (.text, .text):
      texts += o.texts
    default:
      return false
    }
    return true
  }

  /// `x` as units of 10^-scale in an Int64 (not the undefined marker), if exact.
  static func units(_ x: Exact, scale: Int) -> Int64? {
    guard let p = Exact.pow10(scale), let scaled = try? x.multiplied(by: Exact(integer: p)), scaled.isInteger,
      let u = Int64(exactly: scaled.num), u != RecordTable.absentUnits
    else { return nil }
    return u
  }

  /// A JSON integer read on the fast path: units of the field (cents when `in cents`).
  mutating func appendUnits(_ u: Int64) {
    let scale = field.inCents ? 2 : 0
    if mode == .money, scale == self.scale {
      units.append(u)
    } else {
      append(.money(Exact(units: u, scale: scale), currency: currency))
    }
  }

  mutating func appendMember(_ m: UInt8) {
    if mode == .kind { members.append(m) } else if case .kind(let k) = field.type { append(.kind(k, Int(m))) }
  }

  /// Whether the (unescaped) country code at `s` is a valid one; valid codes are interned, so
  /// each is checked once.
  mutating func isKnownCountry(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString) -> Bool {
    guard mode == .interned, country else { return ISOCodes.countries.contains(JSONParser.decode(p, s)) }
    let body = UnsafeBufferPointer(rebasing: p[s.open + 1..<s.close])
    if body.count == 2, lastCountry.1 != UInt32.max, UInt16(body[0]) << 8 | UInt16(body[1]) == lastCountry.0 { return true }
    if index.find(body) != nil { return true }
    return ISOCodes.countries.contains(JSONParser.decode(p, s))
  }

  /// After the first rows: text whose every value so far is distinct (identifiers, names) is
  /// not worth an index: it is kept as bytes one after another instead.
  mutating func probe() {
    guard mode == .interned, !country, index.count == ids.count else { return }
    // Room for all rows at the average length so far, and a quarter more: reserved memory
    // costs nothing until written, a reallocation of a grown arena costs a copy.
    arena.reserveCapacity(index.arena.count * Swift.max(capacity, ids.count) / Swift.max(ids.count, 1) * 5 / 4 + 64)
    ends.reserveCapacity(Swift.max(capacity, ids.count))
    for id in ids {
      arena.append(contentsOf: index.bytes(Int(id)))
      ends.append(UInt32(arena.count))
    }
    (ids, index) = ([], InternIndex())
    mode = .slices
  }

  /// An unescaped string read on the fast path.
  mutating func appendString(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString) {
    let body = UnsafeBufferPointer(rebasing: p[s.open + 1..<s.close])
    switch mode {
    case .interned:
      if country, body.count == 2, lastCountry.1 != UInt32.max, UInt16(body[0]) << 8 | UInt16(body[1]) == lastCountry.0 {
        ids.append(lastCountry.1)
        return
      }
      let id = index.insert(body).id
      ids.append(id)
      if country {
        if body.count == 2 { lastCountry = (UInt16(body[0]) << 8 | UInt16(body[1]), id) }
        return
      }
      if ids.count == Self.probeRows { probe() }
    case .slices:
      arena.append(contentsOf: body)
      ends.append(UInt32(arena.count))
    case .text:
      texts.append(JSONParser.decode(p, s))
    default:
      let text = JSONParser.decode(p, s)
      append(country ? .country(text) : .text(text))
    }
  }

  func build() -> RecordTable.Column {
    switch mode {
    case .values: return .values(values)
    case .money: return .money(units: units, scale: scale, currency: currency)
    case .kind: return .kind(kind: kind, members: members)
    case .interned:
      var strings: [String] = []
      strings.reserveCapacity(index.count)
      for id in 0..<index.count { strings.append(String(decoding: index.bytes(id), as: UTF8.self)) }
      return .interned(ids: ids, strings: strings, index: index, country: country)
    case .slices: return .slices(bytes: arena, ends: ends)
    case .text: return .text(texts)
    }
  }
}
