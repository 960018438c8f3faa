/// What "formatting preserves meaning" compares (the `fmt` fuzz target, issue 18).
///
/// A report quotes the covenant as written: a requirement, an `applies when` condition, the base
/// of a share, a definition's derivation, and the clause's line. `covenant fmt` rewrites that text
/// (`$0 billion` becomes `$0`, `at most` becomes `<=`, lines move), so the report of a formatted
/// covenant quotes the new file — as it should, since the lawyer reads the file as it now is.
/// Everything else must be byte-identical: every verdict, figure, exact value, tally, status,
/// group, count and key. This masks the quoting members of a `check --format json` report (as
/// `JSONOut` renders it: one member per line, array items on their own lines) and keeps the rest.
public enum ReportComparison {
  /// Members whose value quotes the covenant's source text or position.
  static let quoting: Set<Substring> = ["line", "requirement", "base_expression", "derivation", "note", "reason", "text", "applies"]

  public static func maskingCovenantQuotations(_ json: String) -> String {
    var out: [Substring] = []
    var inQuotingArray = false
    for line in json.split(separator: "\n", omittingEmptySubsequences: false) {
      let body = line.drop(while: { $0 == " " })
      let indent = line.prefix(line.count - body.count)
      if inQuotingArray {
        if body.hasPrefix("]") {
          inQuotingArray = false
          out.append(line)
        } else {
          out.append(indent + "…")
        }
        continue
      }
      guard body.hasPrefix("\""), let close = body.dropFirst().firstIndex(of: "\"") else {
        out.append(line)
        continue
      }
      let key = body[body.index(after: body.startIndex)..<close]
      let rest = body[body.index(after: close)...]
      guard quoting.contains(key), rest.hasPrefix(": ") else {
        out.append(line)
        continue
      }
      let value = rest.dropFirst(2)
      if value.hasPrefix("[") && !value.hasPrefix("[]") {
        inQuotingArray = true
        out.append(line)
      } else if value.hasPrefix("null") || value.hasPrefix("[]") {
        out.append(line)  // absent stays distinguishable from present
      } else {
        out.append(indent + "\"\(key)\": …" + (value.hasSuffix(",") ? "," : ""))
      }
    }
    return out.joined(separator: "\n")
  }
}
