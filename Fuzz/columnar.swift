// Fuzz target `columnar`: columnar (cached, incremental) vs naive evaluation (differential).
//
// Built by scripts/fuzz.sh into the CovenantKit module. The input is the `evaluate` target's
// (a covenant, `----`, a snapshot, optionally `----` and a deal). When the covenant compiles and
// the data loads, it is checked twice on fresh sessions, one with `naive = true` (every aggregate
// rescanned, no caches, no grouped memo) and one as the tool runs it. The results must be equal
// (every verdict, figure, headroom, bound and capacity: CheckResult's ==), and so must the JSON
// reports; an evaluation error must be the same error on both. A second check on the columnar
// runner (warm snapshot cache) must agree too.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard case let (_, _, input)? = fuzzCompileAndLoad(data, size) else { return 0 }
  let covenant = input.covenant

  var naive = input.session(naive: true)
  var columnar = input.session()
  let n = naive.check(input.deal), c = columnar.check(input.deal)
  switch (n, c) {
  case (.success(let a), .success(let b)):
    let ja = CheckReport.json(a, covenant: covenant, allGroups: true).render(), jb = CheckReport.json(b, covenant: covenant, allGroups: true).render()
    if ja != jb { fatalError("fuzz(columnar): naive and columnar reports differ\n--- naive ---\n\(ja)\n--- columnar ---\n\(jb)") }
    precondition(a == b, "fuzz(columnar): naive and columnar results differ (reports equal)")
    guard case .success(let w) = columnar.check(input.deal), w == b else { fatalError("fuzz(columnar): a second columnar check disagrees") }
  case (.failure(let a), .failure(let b)):
    precondition(a.list.map(\.code) == b.list.map(\.code) && a.list.map(\.message) == b.list.map(\.message),
      "fuzz(columnar): naive fails with \(fuzzDescribe(a)), columnar with \(fuzzDescribe(b))")
  case (.success, .failure(let e)):
    fatalError("fuzz(columnar): naive succeeds, columnar fails with \(fuzzDescribe(e))")
  case (.failure(let e), .success):
    fatalError("fuzz(columnar): columnar succeeds, naive fails with \(fuzzDescribe(e))")
  }
  return 0
}
