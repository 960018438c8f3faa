// Fuzz target `fmt`: formatting preserves meaning (differential).
//
// Built by scripts/fuzz.sh into the CovenantKit module. The input is the `evaluate` target's
// (a covenant, `----`, a snapshot, optionally `----` and a deal). When the covenant compiles and
// the data loads, the covenant is formatted (Formatter.format), the formatted text compiled, and
// both are checked on the same snapshot and deal as `covenant check --format json` does
// (through the driver: CovenantSession.check, then CheckReport.json(...).render()). The two reports must be
// byte-identical, and an evaluation error must be the same error (code and message) on both —
// except for the members that quote the covenant's own text or line (`$0 billion` is quoted so
// before formatting and `$0` after): ReportComparison masks those on both sides, and every
// verdict, figure and status is still compared byte for byte. The formatted covenant must
// compile, and the formatter may not refuse a covenant that compiles.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard case let (sections, file, input)? = fuzzCompileAndLoad(data, size) else { return 0 }

  let formattedText: String
  switch CovenantSession.parse(file).flatMap({ Formatter.format($0, of: file) }) {
  case .failure(let ds):
    fatalError("fuzz(fmt): the formatter refuses a covenant that compiles: " + ds.list.map { "\($0.code) \($0.message)" }.joined(separator: "; "))
  case .success(let t): formattedText = t
  }
  let formattedFile = SourceFile(name: "covenant.cov", text: formattedText)
  let formatted: CheckedCovenant
  switch CovenantSession.compile(formattedFile) {
  case .failure(let ds): fatalError("fuzz(fmt): the formatted covenant does not compile: " + fuzzDescribe(ds) + "\n--- formatted ---\n" + formattedText)
  case .success(let s): formatted = s.covenant
  }
  // The same data, loaded for the formatted covenant (its schema is a separate value).
  guard let again = fuzzLoad(formatted, sections) else {
    fatalError("fuzz(fmt): the data loads for the original covenant but not for the formatted one\n--- formatted ---\n" + formattedText)
  }

  func report(_ c: FuzzCase) -> String {
    var session = c.session()
    switch session.check(c.deal) {
    case .success(let r): return CheckReport.json(r, covenant: c.covenant, allGroups: true).render()
    case .failure(let ds): return "error " + fuzzDescribe(ds)
    }
  }
  let a = ReportComparison.maskingCovenantQuotations(report(input)), b = ReportComparison.maskingCovenantQuotations(report(again))
  if a != b {
    fatalError("fuzz(fmt): check --format json differs after formatting\n--- formatted ---\n\(formattedText)\n--- original report ---\n\(a)\n--- formatted report ---\n\(b)")
  }
  return 0
}

