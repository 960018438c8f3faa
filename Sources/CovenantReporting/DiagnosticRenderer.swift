import CovenantSyntax

/// Prints diagnostics the way compilers do (rustc, swift, CEL): location, code, message, the
/// source line with a caret under the problem, and the help.
public enum DiagnosticRenderer {
  public static func text(_ d: Diagnostic, source: SourceFile?, color: Bool = false) -> String {
    let (bold, red, yellow, blue, reset) = color ? ("\u{1B}[1m", "\u{1B}[31m", "\u{1B}[33m", "\u{1B}[34m", "\u{1B}[0m") : ("", "", "", "", "")
    let sev = d.severity == .error ? red + "error" : d.severity == .warning ? yellow + "warning" : blue + "note"
    var out = ""
    if let span = d.span, let source {
      let (line, col) = source.location(of: span.start)
      out += "\(bold)\(d.file):\(line):\(col): \(sev)[\(d.code)]\(reset)\(bold): \(d.message)\(reset)\n"
      let shown = excerpt(source, line: line, span: span)
      let gutter = String(repeating: " ", count: String(line).count)
      out += "\(blue)\(gutter) |\(reset)\n"
      out += "\(blue)\(line) |\(reset) \(shown.text)\n"
      out += "\(blue)\(gutter) |\(reset) \(shown.pad)\(red)\(String(repeating: "^", count: shown.width))\(reset)\n"
      if let help = d.help { out += "\(gutter) = help: \(help)\n" }
    } else {
      var loc = d.file
      if let path = d.path { loc += ": " + path }
      var at = ""
      if let l = d.dataLocation { at = " (line \(l.line), column \(l.column))" }
      out += "\(bold)\(loc): \(sev)[\(d.code)]\(reset)\(bold): \(d.message)\(reset)\(at)\n"
      if let help = d.help { out += "  = help: \(help)\n" }
    }
    return out
  }

  /// Scalars of context shown either side of the caret, and the longest caret drawn, so a
  /// diagnostic in a 100 MB one-line file stays a few lines long; clipped sides show `…`.
  static let context = 60, maxCaret = 80

  /// The part of the span's first line to print, the indentation of the caret (tabs copied so it
  /// lines up) and the caret's width. Works on bytes, never materialising the whole line.
  static func excerpt(_ source: SourceFile, line: Int, span: SourceSpan) -> (text: String, pad: String, width: Int) {
    let bytes = source.bytes
    let range = source.lineRange(line)
    let lineStart = range.lowerBound, lineEnd = range.upperBound
    let caretStart = min(max(span.start, lineStart), lineEnd)
    let caretEnd = min(max(span.end, caretStart), lineEnd)
    func isScalarStart(_ i: Int) -> Bool { bytes[i] & 0xC0 != 0x80 }
    /// The offset `n` scalars before `from`, not before `floor`.
    func back(_ from: Int, _ n: Int, floor: Int) -> Int {
      var i = from, left = n
      while i > floor, left > 0 {
        i -= 1
        while i > floor, !isScalarStart(i) { i -= 1 }
        left -= 1
      }
      return i
    }
    /// The offset `n` scalars after `from`, not after `ceiling`.
    func forward(_ from: Int, _ n: Int, ceiling: Int) -> Int {
      var i = from, left = n
      while i < ceiling, left > 0 {
        i += 1
        while i < ceiling, !isScalarStart(i) { i += 1 }
        left -= 1
      }
      return i
    }
    func scalars(_ r: Range<Int>) -> Int { r.reduce(0) { $0 + (isScalarStart($1) ? 1 : 0) } }
    let windowStart = back(caretStart, context, floor: lineStart)
    let caretShown = forward(caretStart, maxCaret, ceiling: caretEnd)
    let windowEnd = forward(caretShown, context, ceiling: lineEnd)
    let head = windowStart > lineStart ? "…" : "", tail = windowEnd < lineEnd ? "…" : ""
    let text = head + String(decoding: bytes[windowStart..<windowEnd], as: UTF8.self) + tail
    var pad = head.isEmpty ? "" : " "
    for i in windowStart..<caretStart where isScalarStart(i) { pad += bytes[i] == 0x09 ? "\t" : " " }
    return (text, pad, max(1, scalars(caretStart..<caretShown)))
  }

  public static func json(_ d: Diagnostic, source: SourceFile?) -> JSONOut {
    var members: [(String, JSONOut)] = [
      ("code", .string(d.code)), ("severity", .string(d.severity.rawValue)), ("message", .string(d.message)),
      ("file", d.hasLocation ? .string(d.file) : .null),
    ]
    if let span = d.span, let source {
      let (l, c) = source.location(of: span.start)
      let (el, ec) = source.location(of: span.end)
      members += [("line", .number("\(l)")), ("column", .number("\(c)")), ("end_line", .number("\(el)")), ("end_column", .number("\(ec)"))]
    } else if let loc = d.dataLocation {
      members += [("line", .number("\(loc.line)")), ("column", .number("\(loc.column)"))]
    }
    if let p = d.path { members.append(("path", .string(p))) }
    members.append(("help", .opt(d.help)))
    return .object(members)
  }
}
