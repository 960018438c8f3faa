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
  /// The covenant as the driver planned it, for a runner.
  let plan: PlannedCovenant
  let snapshot: Value
  let deal: Value?
  let governance: DealGovernance?
}

func fuzzRequireCodes(_ ds: [Diagnostic], _ stage: String) {
  precondition(!ds.isEmpty, "fuzz: \(stage) failed without a diagnostic")
  for d in ds { precondition(!d.code.isEmpty, "fuzz: \(stage) diagnostic without a code: \(d.message)") }
}

/// Loads the data sections of an input for `covenant` through the driver (`CovenantSession`), as
/// the `check` command does; nil when any stage reports diagnostics.
func fuzzLoad(_ covenant: CheckedCovenant, _ sections: [ArraySlice<UInt8>]) -> FuzzCase? {
  guard sections.count >= 2, covenant.schema.snapshot != nil else { return nil }
  var session = CovenantSession(covenant: covenant)
  let snapDoc: JSONDocument
  switch DataLoader.parseJSON(Array(sections[1]), file: "snapshot.json") {
  case .failure(let d): fuzzRequireCodes([d], "snapshot parse"); return nil
  case .success(let doc): snapDoc = doc
  }
  if case .failure(let ds) = session.loadSnapshot(snapDoc, file: "snapshot.json") {
    fuzzRequireCodes(ds.list, "snapshot load")
    return nil
  }
  var deal: Deal?
  if sections.count >= 3, covenant.schema.deal != nil {
    let dealDoc: JSONDocument
    switch DataLoader.parseJSON(Array(sections[2]), file: "deal.json") {
    case .failure(let d): fuzzRequireCodes([d], "deal parse"); return nil
    case .success(let doc): dealDoc = doc
    }
    switch session.loadDeal(dealDoc, file: "deal.json") {
    case .failure(let ds): fuzzRequireCodes(ds.list, "deal load"); return nil
    case .success(let d): deal = d
    }
  }
  return FuzzCase(covenant: covenant, plan: session.plan, snapshot: session.snapshot, deal: deal?.values, governance: deal?.governance)
}
