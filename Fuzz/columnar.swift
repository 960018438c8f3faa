// Fuzz target `columnar`: columnar (cached, incremental) vs naive evaluation (differential).
//
// Built by scripts/fuzz.sh into the CovenantKit module. The input is the `evaluate` target's
// (a covenant, `----`, a snapshot, optionally `----` and a deal). When the covenant compiles and
// the data loads, it is checked twice on fresh runners, one with `naive = true` (every aggregate
// rescanned, no caches, no grouped memo) and one as the tool runs it. The results must be equal
// (every verdict, figure, headroom, bound and capacity: CheckResult's ==), and so must the JSON
// reports; an evaluation error must be the same error on both. A second check on the columnar
// runner (warm snapshot cache) must agree too.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let sections = fuzzSplitSections(bytes)
  guard sections.count >= 2 else { return 0 }
  let file = SourceFile(name: "covenant.cov", bytes: Array(sections[0]))
  guard let covenant = Checker.compile(file).covenant, let input = fuzzLoad(covenant, sections) else { return 0 }

  var naive = CovenantRunner(plan: input.plan, snapshot: input.snapshot)
  naive.naive = true
  var columnar = CovenantRunner(plan: input.plan, snapshot: input.snapshot)
  let n: Result<CheckResult, EvaluationError> = Result { () throws(EvaluationError) in try naive.check(deal: input.deal, dealData: input.governance) }
  let c: Result<CheckResult, EvaluationError> = Result { () throws(EvaluationError) in try columnar.check(deal: input.deal, dealData: input.governance) }
  switch (n, c) {
  case (.success(let a), .success(let b)):
    let ja = CheckReport.json(a, covenant: covenant).render(), jb = CheckReport.json(b, covenant: covenant).render()
    if ja != jb { fatalError("fuzz(columnar): naive and columnar reports differ\n--- naive ---\n\(ja)\n--- columnar ---\n\(jb)") }
    precondition(a == b, "fuzz(columnar): naive and columnar results differ (reports equal)")
    let warm = Result { () throws(EvaluationError) in try columnar.check(deal: input.deal, dealData: input.governance) }
    guard case .success(let w) = warm, w == b else { fatalError("fuzz(columnar): a second columnar check disagrees") }
  case (.failure(let a), .failure(let b)):
    precondition(a.code == b.code && a.message == b.message,
      "fuzz(columnar): naive fails with \(a.code) \(a.message), columnar with \(b.code) \(b.message)")
  case (.success, .failure(let e)):
    fatalError("fuzz(columnar): naive succeeds, columnar fails with \(e.code) \(e.message)")
  case (.failure(let e), .success):
    fatalError("fuzz(columnar): columnar succeeds, naive fails with \(e.code) \(e.message)")
  }
  return 0
}
