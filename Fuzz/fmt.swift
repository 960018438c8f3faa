// Fuzz target `fmt`: formatting preserves meaning (differential).
//
// Built by scripts/fuzz.sh into the CovenantKit module. The input is the `evaluate` target's
// (a covenant, `----`, a snapshot, optionally `----` and a deal). When the covenant compiles and
// the data loads, the covenant is formatted (Formatter.format), the formatted text compiled, and
// both are checked on the same snapshot and deal as `covenant check --format json` does
// (CovenantRunner.check, then CheckReport.json(...).render()). The two reports must be
// byte-identical, and an evaluation error must be the same error (code and message) on both —
// except for the members that quote the covenant's own text or line (`$0 billion` is quoted so
// before formatting and `$0` after): ReportComparison masks those on both sides, and every
// verdict, figure and status is still compared byte for byte. The formatted covenant must
// compile, and the formatter may not refuse a covenant that compiles.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let sections = fuzzSplitSections(bytes)
  guard sections.count >= 2 else { return 0 }
  let file = SourceFile(name: "covenant.cov", bytes: Array(sections[0]))
  guard let original = Checker.compile(file).covenant, let input = fuzzLoad(original, sections) else { return 0 }

  let formattedText: String
  switch Formatter.format(file) {
  case .failure(let ds):
    fatalError("fuzz(fmt): the formatter refuses a covenant that compiles: " + ds.list.map { "\($0.code) \($0.message)" }.joined(separator: "; "))
  case .success(let t): formattedText = t
  }
  let formattedFile = SourceFile(name: "covenant.cov", text: formattedText)
  let compiled = Checker.compile(formattedFile)
  guard let formatted = compiled.covenant else {
    fatalError("fuzz(fmt): the formatted covenant does not compile: "
      + compiled.diagnostics.map { "\($0.code) \($0.message)" }.joined(separator: "; ") + "\n--- formatted ---\n" + formattedText)
  }
  // The same data, loaded for the formatted covenant (its schema is a separate value).
  guard let again = fuzzLoad(formatted, sections) else {
    fatalError("fuzz(fmt): the data loads for the original covenant but not for the formatted one\n--- formatted ---\n" + formattedText)
  }

  func report(_ c: FuzzCase) -> String {
    var runner = CovenantRunner(plan: c.plan, snapshot: c.snapshot)
    do {
      let r = try runner.check(deal: c.deal, dealData: c.governance)
      return CheckReport.json(r, covenant: c.covenant).render()
    } catch {
      return "error \(error.code): \(error.message)"
    }
  }
  let a = ReportComparison.maskingCovenantQuotations(report(input)), b = ReportComparison.maskingCovenantQuotations(report(again))
  if a != b {
    fatalError("fuzz(fmt): check --format json differs after formatting\n--- formatted ---\n\(formattedText)\n--- original report ---\n\(a)\n--- formatted report ---\n\(b)")
  }
  return 0
}

