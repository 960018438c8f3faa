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
  let deal: Deal?

  /// A session on this snapshot with nothing cached: copies of one session would share its caches.
  func session(naive: Bool = false) -> CovenantSession {
    var s = CovenantSession(plan: plan)
    s.naive = naive
    s.useSnapshot(snapshot)
    return s
  }
}

/// Compiles through the driver: the session, or nil (every error has a code).
func fuzzCompile(_ file: SourceFile) -> CovenantSession? {
  switch CovenantSession.compile(file) {
  case .failure(let ds): fuzzRequireCodes(ds.list.filter(\.isError), "compile"); return nil
  case .success(let s): return s
  }
}

func fuzzDescribe(_ ds: Diagnostics) -> String { ds.list.map { "\($0.code) \($0.message)" }.joined(separator: "; ") }

func fuzzRequireCodes(_ ds: [Diagnostic], _ stage: String) {
  precondition(!ds.isEmpty, "fuzz: \(stage) failed without a diagnostic")
  for d in ds { precondition(!d.code.isEmpty, "fuzz: \(stage) diagnostic without a code: \(d.message)") }
}

/// An input of the `evaluate` shape (covenant `----` snapshot [`----` deal]) compiled and loaded;
/// nil when it has no snapshot section or a stage reports diagnostics.
func fuzzCompileAndLoad(_ data: UnsafePointer<UInt8>, _ size: Int) -> (sections: [ArraySlice<UInt8>], file: SourceFile, input: FuzzCase)? {
  let sections = fuzzSplitSections(Array(UnsafeBufferPointer(start: data, count: size)))
  guard sections.count >= 2 else { return nil }
  let file = SourceFile(name: "covenant.cov", bytes: Array(sections[0]))
  guard let covenant = fuzzCompile(file)?.covenant, let input = fuzzLoad(covenant, sections) else { return nil }
  return (sections, file, input)
}

/// Loads the data sections of an input for `covenant` through the driver (`CovenantSession`), as
/// the `check` command does; nil when any stage reports diagnostics.
func fuzzLoad(_ covenant: CheckedCovenant, _ sections: [ArraySlice<UInt8>]) -> FuzzCase? {
  guard sections.count >= 2, covenant.schema.snapshot != nil else { return nil }
  var session = CovenantSession(covenant: covenant)
  if case .failure(let ds) = session.loadSnapshot(bytes: Array(sections[1]), file: "snapshot.json") {
    fuzzRequireCodes(ds.list, "snapshot")
    return nil
  }
  var deal: Deal?
  if sections.count >= 3, covenant.schema.deal != nil {
    switch session.loadDeal(bytes: Array(sections[2]), file: "deal.json") {
    case .failure(let ds): fuzzRequireCodes(ds.list, "deal"); return nil
    case .success(let d): deal = d
    }
  }
  return FuzzCase(covenant: covenant, plan: session.plan, snapshot: session.snapshot, deal: deal)
}
