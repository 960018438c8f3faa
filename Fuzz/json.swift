// Fuzz target `json`: arbitrary bytes as a snapshot or deal file.
//
// Built by scripts/fuzz.sh into the CovenantKit module (`-module-name CovenantKit`). Bytes →
// JSONParser.parse; on success the document is walked (every accessor, every node's location)
// and read through the driver (CovenantSession) as the snapshot and as the deal of the US–Japan
// example covenant, with the deal's governance data (the document serves as both the deal and the
// snapshot, so `voting_power`, `votes`, `approvals`, `conflicted` and `waivers` are all read).
//
// The covenant is compiled once. Its text is embedded at build time by the script
// (`fuzzEmbeddedCovenantBase64`, in a generated file); if that is missing or does not compile,
// the target traps at the first input, so a broken build is never mistaken for a clean run.

import Foundation

/// The checked covenant (Sendable, unlike a session): each input gets a fresh session on it.
private let fuzzCovenant: CheckedCovenant = {
  guard let data = Data(base64Encoded: fuzzEmbeddedCovenantBase64) else {
    fatalError("fuzz(json): the embedded covenant is not valid base64")
  }
  switch CovenantSession.compile(SourceFile(name: "covenant.cov", bytes: [UInt8](data))) {
  case .failure(let ds): fatalError("fuzz(json): the embedded covenant does not compile: " + fuzzDescribe(ds))
  case .success(let s):
    guard s.covenant.schema.snapshot != nil, s.covenant.schema.deal != nil else {
      fatalError("fuzz(json): the embedded covenant lacks snapshot/deal records")
    }
    return s.covenant
  }
}()

/// Touches every accessor of every node; nesting is bounded by JSONParser.maxDepth.
private func walk(_ doc: JSONDocument, _ n: JSONNode, depth: Int) {
  precondition(depth <= JSONParser.maxDepth + 1, "fuzz(json): document deeper than JSONParser.maxDepth")
  let loc = doc.location(n)
  precondition(loc.line >= 1 && loc.column >= 1, "fuzz(json): location \(loc) is not 1-based")
  switch doc.kind(n) {
  case .object:
    var count = 0
    for (key, value) in doc.members(n) {
      count += 1
      // `member` finds the first value stored under a key (duplicates are rejected anyway).
      precondition(doc.member(n, key) != nil, "fuzz(json): member(\(key)) not found")
      walk(doc, value, depth: depth + 1)
    }
    precondition(count == doc.count(n), "fuzz(json): object count \(doc.count(n)) but \(count) members")
  case .array:
    var count = 0
    for e in doc.elements(n) {
      count += 1
      walk(doc, e, depth: depth + 1)
    }
    precondition(count == doc.count(n), "fuzz(json): array count \(doc.count(n)) but \(count) elements")
  case .string:
    let s = doc.string(n)
    precondition(s != nil, "fuzz(json): string node without a string")
    _ = doc.stringEquals(n, s!)
  case .number:
    _ = doc.numberText(n)
    _ = try? doc.withNumberBytes(n) { bytes throws(ArithmeticError) in try Exact.parse(bytes: bytes) }
  case .bool:
    precondition(doc.bool(n) != nil, "fuzz(json): bool node without a bool")
  case .null:
    break
  }
}

private func checkDiagnostics(_ ds: [Diagnostic]) {
  for d in ds {
    precondition(!d.code.isEmpty, "fuzz(json): diagnostic without a code: \(d.message)")
    _ = DiagnosticRenderer.text(d, source: nil, color: false)
    _ = DiagnosticRenderer.json(d, source: nil).render()
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var session = CovenantSession(covenant: fuzzCovenant)
  switch JSONParser.parse(bytes) {
  case .failure(let e):
    precondition(!e.code.isEmpty, "fuzz(json): syntax error without a code: \(e.message)")
    precondition(e.line >= 1 && e.column >= 1, "fuzz(json): syntax error at \(e.line):\(e.column)")
    // The same bytes through the loader's entry point give the same diagnostic.
    guard case .failure(let d) = DataLoader.parseJSON(bytes, file: "fuzz.json") else {
      fatalError("fuzz(json): parse failed but parseJSON succeeded")
    }
    checkDiagnostics([d])
  case .success(let doc):
    walk(doc, doc.root, depth: 0)
    if case .failure(let ds) = session.loadSnapshot(doc, file: "fuzz.json") {
      precondition(!ds.list.isEmpty, "fuzz(json): the snapshot failed to load without diagnostics")
      checkDiagnostics(ds.list)
    }
    // The deal's values and governance data, with the document as the snapshot too (loaded or not).
    if case .failure(let ds) = session.loadDeal(doc, file: "fuzz.json", snapshot: doc) {
      precondition(!ds.list.isEmpty, "fuzz(json): the deal failed to load without diagnostics")
      checkDiagnostics(ds.list)
    }
  }
  return 0
}
