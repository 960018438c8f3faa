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
// The covenant is compiled, the snapshot (and deal, with its governance keys) loaded as the
// `check` command does, and CovenantRunner.check runs with the deal; the report is rendered as
// text and JSON. Any stage that reports diagnostics ends the input quietly: only traps count.
//
// Invariants that trap: a failed stage reports at least one diagnostic with a code, an
// evaluation error has a code, and checking the same deal a second time on the same runner
// (with the snapshot cache warm) gives the same result as the first time.

private func requireCodes(_ ds: [Diagnostic], _ stage: String) {
  precondition(!ds.isEmpty, "fuzz(evaluate): \(stage) failed without a diagnostic")
  for d in ds { precondition(!d.code.isEmpty, "fuzz(evaluate): \(stage) diagnostic without a code: \(d.message)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let sections = fuzzSplitSections(bytes)
  guard sections.count >= 2 else { return 0 }

  let file = SourceFile(name: "fuzz.cov", bytes: Array(sections[0]))
  let compiled = Checker.compile(file)
  guard let covenant = compiled.covenant else {
    requireCodes(compiled.diagnostics.filter(\.isError), "compile")
    return 0
  }
  guard let snapRecord = covenant.schema.snapshot else { return 0 }

  let snapDoc: JSONDocument
  switch DataLoader.parseJSON(Array(sections[1]), file: "snapshot.json") {
  case .failure(let d): requireCodes([d], "snapshot parse"); return 0
  case .success(let doc): snapDoc = doc
  }
  let snapshot: Value
  switch DataLoader.load(snapDoc, record: snapRecord, schema: covenant.schema, file: "snapshot.json") {
  case .failure(let ds): requireCodes(ds.list, "snapshot load"); return 0
  case .success(let v): snapshot = v
  }

  var deal: Value?
  var governance: DealGovernance?
  if sections.count >= 3, let dealRecord = covenant.schema.deal {
    let dealDoc: JSONDocument
    switch DataLoader.parseJSON(Array(sections[2]), file: "deal.json") {
    case .failure(let d): requireCodes([d], "deal parse"); return 0
    case .success(let doc): dealDoc = doc
    }
    switch DataLoader.load(dealDoc, record: dealRecord, schema: covenant.schema, file: "deal.json") {
    case .failure(let ds): requireCodes(ds.list, "deal load"); return 0
    case .success(let v): deal = v
    }
    switch DataLoader.governance(deal: dealDoc, dealFile: "deal.json", snapshot: snapDoc, covenant: covenant) {
    case .failure(let ds): requireCodes(ds.list, "governance"); return 0
    case .success(let g): governance = g
    }
  }

  var runner = CovenantRunner(covenant: covenant, snapshot: snapshot)
  let first: CheckResult
  do {
    first = try runner.check(deal: deal, dealData: governance)
  } catch {
    precondition(!error.code.isEmpty, "fuzz(evaluate): evaluation error without a code: \(error.message)")
    _ = file.location(of: error.span.start)
    return 0
  }
  _ = CheckReport.text(first, covenant: covenant, color: false)
  _ = CheckReport.json(first, covenant: covenant).render()

  // The snapshot's aggregates are cached by the first check; a second check must agree.
  do {
    let second = try runner.check(deal: deal, dealData: governance)
    precondition(second == first, "fuzz(evaluate): a second check on the same runner gave a different result")
  } catch {
    fatalError("fuzz(evaluate): the first check succeeded but the second threw \(error.code) \(error.message)")
  }
  return 0
}
