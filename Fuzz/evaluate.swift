// Fuzz target `evaluate`: a covenant, a snapshot and an optional deal, end to end.
//
// Built by scripts/fuzz.sh into the CovenantKit module (`-module-name CovenantKit`). The input
// is split at lines that are exactly `----`:
//
//     <covenant source>
//     ----
//     <snapshot JSON>
//     ----
//     <deal JSON>            (optional)
//
// The input runs through the driver, CovenantSession, as `check` runs it: the covenant is
// compiled, the snapshot (and deal, with its governance keys) loaded, and the deal checked; the
// report is rendered as text and JSON. Any stage that reports diagnostics ends the input
// quietly: only traps count.
//
// Invariants that trap: a failed stage reports at least one diagnostic with a code, and checking
// the same deal a second time on the same session (with the snapshot cache warm) gives the same
// result as the first time.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let sections = fuzzSplitSections(bytes)
  guard sections.count >= 2 else { return 0 }

  let file = SourceFile(name: "fuzz.cov", bytes: Array(sections[0]))
  guard var session = fuzzCompile(file) else { return 0 }
  let covenant = session.covenant
  guard covenant.schema.snapshot != nil else { return 0 }

  if case .failure(let ds) = session.loadSnapshot(bytes: Array(sections[1]), file: "snapshot.json") { fuzzRequireCodes(ds.list, "snapshot"); return 0 }

  var deal: Deal?
  if sections.count >= 3, covenant.schema.deal != nil {
    switch session.loadDeal(bytes: Array(sections[2]), file: "deal.json") {
    case .failure(let ds): fuzzRequireCodes(ds.list, "deal"); return 0
    case .success(let d): deal = d
    }
  }

  let first: CheckResult
  switch session.check(deal) {
  case .failure(let ds):
    fuzzRequireCodes(ds.list, "evaluation")
    for d in ds.list { if let span = d.span { _ = file.location(of: span.start) } }
    return 0
  case .success(let r): first = r
  }
  _ = CheckReport.text(first, covenant: covenant, color: false)
  _ = CheckReport.json(first, covenant: covenant, allGroups: true).render()

  // The snapshot's aggregates are cached by the first check; a second check must agree.
  switch session.check(deal) {
  case .success(let second):
    precondition(second == first, "fuzz(evaluate): a second check on the same session gave a different result")
  case .failure(let ds):
    fatalError("fuzz(evaluate): the first check succeeded but the second failed: \(ds.list.map { "\($0.code) \($0.message)" })")
  }
  return 0
}
