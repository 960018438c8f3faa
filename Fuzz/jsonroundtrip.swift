// Fuzz target `jsonroundtrip`: the JSON reader against its own re-serialisation (differential).
//
// Built by scripts/fuzz.sh into the CovenantKit module. Bytes → JSONParser.parse; when they
// parse, the document is written out again three ways — compactly with every non-ASCII
// character as a \u escape (surrogate pairs above U+FFFF), indented with UTF-8 as is, and by the
// report writer JSONOut.render — and each text is parsed again. Invariants that trap:
// * every re-serialisation parses, to the same tree: kinds, member keys and order, counts, the
//   exact UTF-8 of every string and the exact text of every number;
// * every number's Exact value (when it has one) prints as a decimal that parses back, as JSON,
//   to the same value; a string written by JSONOut parses back to the same scalars;
// * a document and its re-serialisation load (through CovenantSession: the US–Japan example's
//   snapshot, and its deal with governance data) to the same values, or both fail with the same codes.

import Foundation

private let rtCovenant: CheckedCovenant = {
  guard let data = Data(base64Encoded: fuzzEmbeddedCovenantBase64),
    case .success(let s) = CovenantSession.compile(SourceFile(name: "covenant.cov", bytes: [UInt8](data))),
    s.covenant.schema.snapshot != nil, s.covenant.schema.deal != nil
  else { fatalError("fuzz(jsonroundtrip): the embedded covenant does not compile") }
  return s.covenant
}()

private func hex4(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return "\\u" + String(repeating: "0", count: 4 - s.count) + s
}

/// A JSON string literal written here, independently of the library's writers.
private func quote(_ s: String, asciiOnly: Bool) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case _ where u.value < 0x20 || u.value == 0x7F: out += hex4(u.value)
    case _ where asciiOnly && u.value > 0x7F:
      if u.value > 0xFFFF {
        let v = u.value - 0x10000
        out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
      } else {
        out += hex4(u.value)
      }
    default: out.unicodeScalars.append(u)
    }
  }
  return out + "\""
}

private func write(_ d: JSONDocument, _ n: JSONNode, asciiOnly: Bool, pretty: Bool, depth: Int, into out: inout String) {
  let nl = pretty ? "\n" + String(repeating: "  ", count: depth + 1) : ""
  let close = pretty ? "\n" + String(repeating: "  ", count: depth) : ""
  switch d.kind(n) {
  case .object:
    out += "{"
    var first = true
    for (k, v) in d.members(n) {
      out += (first ? "" : ",") + nl + quote(k, asciiOnly: asciiOnly) + (pretty ? ": " : ":")
      write(d, v, asciiOnly: asciiOnly, pretty: pretty, depth: depth + 1, into: &out)
      first = false
    }
    out += (first ? "" : close) + "}"
  case .array:
    out += "["
    var first = true
    for e in d.elements(n) {
      out += (first ? "" : ",") + nl
      write(d, e, asciiOnly: asciiOnly, pretty: pretty, depth: depth + 1, into: &out)
      first = false
    }
    out += (first ? "" : close) + "]"
  case .string: out += quote(d.string(n)!, asciiOnly: asciiOnly)
  case .number: out += String(d.numberText(n)!)
  case .bool: out += d.bool(n)! ? "true" : "false"
  case .null: out += "null"
  }
}

private func jsonOut(_ d: JSONDocument, _ n: JSONNode) -> JSONOut {
  switch d.kind(n) {
  case .object: return .object(d.members(n).map { ($0.key, jsonOut(d, $0.value)) })
  case .array: return .array(d.elements(n).map { jsonOut(d, $0) })
  case .string: return .string(d.string(n)!)
  case .number: return .number(String(d.numberText(n)!))
  case .bool: return .bool(d.bool(n)!)
  case .null: return .null
  }
}

private func same(_ a: JSONDocument, _ x: JSONNode, _ b: JSONDocument, _ y: JSONNode, _ path: String, _ how: String) {
  precondition(a.kind(x) == b.kind(y), "fuzz(jsonroundtrip): \(how): \(path): \(a.kind(x)) became \(b.kind(y))")
  switch a.kind(x) {
  case .object:
    let m = Array(a.members(x)), w = Array(b.members(y))
    precondition(m.count == w.count && a.count(x) == b.count(y), "fuzz(jsonroundtrip): \(how): \(path): member count \(m.count) became \(w.count)")
    for (p, q) in zip(m, w) {
      precondition(Array(p.key.utf8) == Array(q.key.utf8), "fuzz(jsonroundtrip): \(how): \(path): key \(String(reflecting: p.key)) became \(String(reflecting: q.key))")
      same(a, p.value, b, q.value, path + "." + p.key, how)
    }
  case .array:
    let m = Array(a.elements(x)), w = Array(b.elements(y))
    precondition(m.count == w.count && a.count(x) == b.count(y), "fuzz(jsonroundtrip): \(how): \(path): element count \(m.count) became \(w.count)")
    for (i, (p, q)) in zip(m, w).enumerated() { same(a, p, b, q, path + "[\(i)]", how) }
  case .string:
    let s = a.string(x)!, t = b.string(y)!
    precondition(Array(s.utf8) == Array(t.utf8), "fuzz(jsonroundtrip): \(how): \(path): string \(String(reflecting: s)) became \(String(reflecting: t))")
    precondition(b.stringEquals(y, s), "fuzz(jsonroundtrip): \(how): \(path): stringEquals disagrees with string")
  case .number:
    precondition(a.numberText(x)! == b.numberText(y)!, "fuzz(jsonroundtrip): \(how): \(path): number \(a.numberText(x)!) became \(b.numberText(y)!)")
  case .bool:
    precondition(a.bool(x) == b.bool(y), "fuzz(jsonroundtrip): \(how): \(path): bool changed")
  case .null: break
  }
}

/// Every number's value prints as a decimal that reads back, through the JSON reader, as itself.
private func numbers(_ d: JSONDocument, _ n: JSONNode) {
  switch d.kind(n) {
  case .object: for (_, v) in d.members(n) { numbers(d, v) }
  case .array: for e in d.elements(n) { numbers(d, e) }
  case .number:
    let text = d.numberText(n)!
    guard let value = try? Exact.parse(text) else {
      precondition((try? Exact.parse(text)) == nil, "unreachable")
      return
    }
    let printed = value.description
    precondition(!printed.contains("/"), "fuzz(jsonroundtrip): the number \(text) prints as a fraction \(printed)")
    guard case .success(let back) = JSONParser.parse(Array(("[" + printed + "]").utf8)),
      let e = back.elements(back.root).first(where: { _ in true }),
      let v = try? back.withNumberBytes(e, { b throws(ArithmeticError) in try Exact.parse(bytes: b) }), v == value
    else { fatalError("fuzz(jsonroundtrip): the number \(text) = \(printed) does not read back as itself") }
  case .string:
    let s = d.string(n)!
    guard case .success(let back) = JSONParser.parse(Array(JSONOut.string(s).render().utf8)),
      back.kind(back.root) == .string, Array(back.string(back.root)!.utf8) == Array(s.utf8)
    else { fatalError("fuzz(jsonroundtrip): JSONOut writes \(String(reflecting: s)) as \(JSONOut.string(s).render()), which reads back differently") }
  default: break
  }
}

private func loads(_ d: JSONDocument) -> (codes: [String], values: [Value]) {
  var out: [String] = []
  var values: [Value] = []
  var session = CovenantSession(covenant: rtCovenant)
  switch session.loadSnapshot(d, file: "f.json") {
  case .success: values.append(session.snapshot); out.append("value")
  case .failure(let ds): out.append("codes " + ds.list.map(\.code).joined(separator: ","))
  }
  switch session.loadDeal(d, file: "f.json", snapshot: d) {
  case .success(let deal): values.append(deal.values); out.append("deal")
  case .failure(let ds): out.append("codes " + ds.list.map(\.code).joined(separator: ","))
  }
  return (out, values)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard case .success(let doc) = JSONParser.parse(bytes) else { return 0 }
  numbers(doc, doc.root)
  let original = loads(doc)
  var ascii = "", pretty = ""
  write(doc, doc.root, asciiOnly: true, pretty: false, depth: 0, into: &ascii)
  write(doc, doc.root, asciiOnly: false, pretty: true, depth: 0, into: &pretty)
  let rendered = jsonOut(doc, doc.root).render()
  for (how, text) in [("ascii", ascii), ("pretty", pretty), ("JSONOut", rendered)] {
    switch JSONParser.parse(Array(text.utf8)) {
    case .failure(let e):
      fatalError("fuzz(jsonroundtrip): the \(how) re-serialisation does not parse: \(e.code) \(e.message)\n\(text)")
    case .success(let again):
      same(doc, doc.root, again, again.root, "$", how)
      let l = loads(again)
      precondition(l.codes == original.codes && l.values == original.values,
        "fuzz(jsonroundtrip): the \(how) re-serialisation loads differently:\n\(original.codes)\n\(l.codes)")
    }
  }
  return 0
}
