// Shared by the fuzz targets (compiled into every target by scripts/fuzz.sh; not a target).

/// The byte ranges between separator lines `----` (LF or CRLF line ends).
func fuzzSplitSections(_ b: [UInt8]) -> [ArraySlice<UInt8>] {
  var parts: [ArraySlice<UInt8>] = []
  var start = 0
  var lineStart = 0
  var i = 0
  let dash = UInt8(ascii: "-")
  while i <= b.count {
    if i == b.count || b[i] == 0x0A {
      var end = i
      if end > lineStart, b[end - 1] == 0x0D { end -= 1 }
      if end - lineStart == 4, b[lineStart..<end].allSatisfy({ $0 == dash }) {
        parts.append(b[start..<lineStart])
        start = min(i + 1, b.count)
        if parts.count == 2 { break }
      }
      lineStart = i + 1
    }
    i += 1
  }
  parts.append(b[min(start, b.count)...])
  return parts
}

/// A covenant, its snapshot and an optional deal, loaded as the `check` command loads them.
struct FuzzCase {
  let covenant: CheckedCovenant
  let snapshot: Value
  let deal: Value?
  let governance: DealGovernance?
}

func fuzzRequireCodes(_ ds: [Diagnostic], _ stage: String) {
  precondition(!ds.isEmpty, "fuzz: \(stage) failed without a diagnostic")
  for d in ds { precondition(!d.code.isEmpty, "fuzz: \(stage) diagnostic without a code: \(d.message)") }
}

/// Loads the data sections of an input for `covenant`; nil when any stage reports diagnostics.
func fuzzLoad(_ covenant: CheckedCovenant, _ sections: [ArraySlice<UInt8>]) -> FuzzCase? {
  guard sections.count >= 2, let snapRecord = covenant.schema.snapshot else { return nil }
  let snapDoc: JSONDocument
  switch DataLoader.parseJSON(Array(sections[1]), file: "snapshot.json") {
  case .failure(let d): fuzzRequireCodes([d], "snapshot parse"); return nil
  case .success(let doc): snapDoc = doc
  }
  let snapshot: Value
  switch DataLoader.load(snapDoc, record: snapRecord, schema: covenant.schema, file: "snapshot.json") {
  case .failure(let ds): fuzzRequireCodes(ds.list, "snapshot load"); return nil
  case .success(let v): snapshot = v
  }
  var deal: Value?
  var governance: DealGovernance?
  if sections.count >= 3, let dealRecord = covenant.schema.deal {
    let dealDoc: JSONDocument
    switch DataLoader.parseJSON(Array(sections[2]), file: "deal.json") {
    case .failure(let d): fuzzRequireCodes([d], "deal parse"); return nil
    case .success(let doc): dealDoc = doc
    }
    switch DataLoader.load(dealDoc, record: dealRecord, schema: covenant.schema, file: "deal.json") {
    case .failure(let ds): fuzzRequireCodes(ds.list, "deal load"); return nil
    case .success(let v): deal = v
    }
    switch DataLoader.governance(deal: dealDoc, dealFile: "deal.json", snapshot: snapDoc, covenant: covenant) {
    case .failure(let ds): fuzzRequireCodes(ds.list, "governance"); return nil
    case .success(let g): governance = g
    }
  }
  return FuzzCase(covenant: covenant, snapshot: snapshot, deal: deal, governance: governance)
}
