// Fuzz target `covenant`: arbitrary bytes as a covenant source file.
//
// Built by scripts/fuzz.sh into the CovenantKit module itself (`-module-name CovenantKit`), so
// internal API is visible. Bytes → SourceFile → CovenantSession.compile (lex, parse, check); every
// diagnostic is rendered; and, when the formatter is present (`-D COVENANT_HAVE_FORMATTER`,
// set by the script when Formatting/Formatter.swift declares `format(_:)`), the source is
// formatted and the output formatted again, which must give the same text.
//
// Invariants that trap (so libFuzzer reports them as crashes):
// * a compile without a covenant reports at least one error, and every diagnostic has a code
//   and a span inside the file;
// * formatting its own output succeeds and changes nothing (idempotence);
// * the formatter's F001 ("could not lay out this covenant without changing its meaning") is
//   its own bug, so it traps too unless COVENANT_FUZZ_ALLOW_F001=1 is set. (The one cause found,
//   a chain of 33 or more negations written `-(-(-x))` past Parser.maxDepth, is fixed: see
//   FuzzRegressionTests.formatterDeepNegationChain.)

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

private func fuzzFlag(_ name: String) -> Bool { getenv(name).map { String(cString: $0) == "1" } ?? false }
private let allowF001 = fuzzFlag("COVENANT_FUZZ_ALLOW_F001")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let file = SourceFile(name: "fuzz.cov", bytes: bytes)
  let diagnostics: [Diagnostic]
  switch CovenantSession.compile(file) {
  case .failure(let ds):
    if !ds.list.contains(where: \.isError) { fatalError("fuzz(covenant): compile gave neither a covenant nor an error") }
    diagnostics = ds.list
  case .success(let session): diagnostics = session.warnings
  }
  for d in diagnostics {
    precondition(!d.code.isEmpty, "fuzz(covenant): diagnostic without a code: \(d.message)")
    if let s = d.span {
      precondition(s.start >= 0 && s.start <= s.end && s.end <= bytes.count,
        "fuzz(covenant): \(d.code) span \(s.start)..<\(s.end) outside a \(bytes.count)-byte file")
    }
    _ = file.location(of: d.span?.start ?? 0)
    _ = DiagnosticRenderer.text(d, source: file, color: false)
    _ = DiagnosticRenderer.json(d, source: file).render()
  }

  #if COVENANT_HAVE_FORMATTER
    switch CovenantSession.parse(file).flatMap({ Formatter.format($0, of: file) }) {
    case .failure(let ds):
      if !allowF001, let f = ds.list.first(where: { $0.code == "F001" }) {
        fatalError("fuzz(covenant): formatter failed on a covenant that parses: \(f.code) \(f.message)")
      }
    case .success(let once):
      let again = SourceFile(name: "fuzz.cov", text: once)
      switch Formatter.format(again) {
      case .failure(let ds):
        let codes = ds.list.map { "\($0.code) \($0.message)" }.joined(separator: "; ")
        fatalError("fuzz(covenant): formatting the formatter's output failed: \(codes)\n--- output ---\n\(once)")
      case .success(let twice):
        if twice != once {
          fatalError("fuzz(covenant): formatter is not idempotent\n--- once ---\n\(once)\n--- twice ---\n\(twice)")
        }
      }
    }
  #endif
  return 0
}
