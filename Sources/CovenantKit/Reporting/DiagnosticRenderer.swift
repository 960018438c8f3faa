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
      let text = source.lineText(line)
      let gutter = String(repeating: " ", count: String(line).count)
      // Caret under the span, kept to the first line; tabs are copied so the caret lines up.
      let lineStart = source.lineStarts[line - 1]
      let prefixScalars = Array(text.unicodeScalars.prefix(col - 1))
      let endOffset = min(span.end, lineStart + text.utf8.count)
      let (_, endCol) = source.location(of: max(endOffset, span.start))
      let width = max(1, endCol - col)
      let pad = String(String.UnicodeScalarView(prefixScalars.map { $0 == "\t" ? "\t" : " " }))
      out += "\(blue)\(gutter) |\(reset)\n"
      out += "\(blue)\(line) |\(reset) \(text)\n"
      out += "\(blue)\(gutter) |\(reset) \(pad)\(red)\(String(repeating: "^", count: width))\(reset)\n"
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

  public static func json(_ d: Diagnostic, source: SourceFile?) -> JSONOut {
    var members: [(String, JSONOut)] = [
      ("code", .string(d.code)), ("severity", .string(d.severity.rawValue)), ("message", .string(d.message)),
      ("file", .string(d.file)),
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
