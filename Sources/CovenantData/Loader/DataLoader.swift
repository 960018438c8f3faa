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


  /// Converts a parsed document into the value of record `record` (the snapshot or the deal).
  /// `node` and `path` read one object inside a larger document: a deal in a batch file.
  public static func load(
    _ doc: JSONDocument, record: Int, schema: Schema, file: String, node: JSONNode? = nil, path: JSONPath = JSONPath()
  ) -> Result<Value, Diagnostics> {
    var loader = DataLoader(schema: schema, file: file, doc: doc)
    let root = node ?? doc.root
    guard doc.kind(root) == .object else {
      loader.fail(path, root, DataDiagnostics.wrongType(expected: "an object\(path.description.isEmpty ? " at the top level" : "")", found: loader.describe(root)))
      return .failure(Diagnostics(loader.diagnostics))
    }
    let value = loader.readRecord(root, record: record, path: path)
    if loader.diagnostics.isEmpty { return .success(value) }
    return .failure(Diagnostics(loader.diagnostics))
  }

  mutating func fail(_ path: JSONPath, _ node: JSONNode?, _ m: DiagnosticMessage) {
    guard diagnostics.count < Self.maxErrors else { return }
    let loc = node.map { doc.location($0) }
    diagnostics.append(Diagnostic(
      m, file: file, path: path.description.isEmpty ? nil : path.description,
      dataLocation: loc.map { .init(line: $0.line, column: $0.column) }))
    if diagnostics.count == Self.maxErrors {
      diagnostics.append(Diagnostic(DataDiagnostics.tooManyErrors(), file: file))
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
          fail(fieldPath, current ?? node, DataDiagnostics.missing(.field(type: describeType(field.type), key: field.source.last ?? field.name),
            help: field.source.count > 1 || field.source.first != field.name ? "the covenant reads `\(field.name)` from \"\(field.source.joined(separator: "."))\"" : nil))
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
    fail(path, node, DataDiagnostics.wrongType(expected: describeType(t), found: describe(node), help: help))
    return .absent
  }

  mutating func exactNumber(_ node: JSONNode, _ path: JSONPath) -> Exact? {
    var result: Exact??
    do {
      result = try doc.withNumberBytes(node) { bytes throws(ArithmeticError) in try Exact.parse(bytes: bytes) }
    } catch {
      fail(path, node, DataDiagnostics.inexactNumber(.number(String(doc.numberText(node) ?? ""))))
      return nil
    }
    guard let r = result, let x = r else {
      fail(path, node, DataDiagnostics.inexactNumber(.invalid))
      return nil
    }
    return x
  }

  /// Parses a decimal written as text (`"12.50"`), as spreadsheets often export amounts.
  mutating func exactText(_ text: Substring, _ node: JSONNode, _ path: JSONPath, _ t: ValueType) -> Exact? {
    let trimmed = text.trimmingBlanks().replacingEvery("_", with: "")
    do {
      if let x = try Exact.parse(trimmed) { return x }
    } catch {
      fail(path, node, DataDiagnostics.inexactNumber(.text(String(text))))
      return nil
    }
    let help: String? = text.contains(where: \.isLetter)
      ? "write the amount in figures, e.g. \"12000000000\" or 12000000000, not words" : nil
    fail(path, node, DataDiagnostics.wrongType(expected: describeType(t), found: describe(node), help: help))
    return nil
  }
}
