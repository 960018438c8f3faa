import CovenantKit

/// The report formats (`--format`).
enum OutputFormat: String, CaseIterable, Sendable {
  case text, json, sarif, junit, github, markdown, html

  /// An investment-committee document: `check` only.
  var isDocument: Bool { self == .markdown || self == .html }
}

extension Commands {
  static let formats = OutputFormat.allCases.map(\.rawValue)

  static func format(_ o: Options, documents: Bool = false) -> Result<OutputFormat, CommandOutput> {
    let f = o.values["format"]?.last ?? "text"
    let allowed = OutputFormat.allCases.filter { documents || !$0.isDocument }.map(\.rawValue)
    guard allowed.contains(f), let format = OutputFormat(rawValue: f) else {
      if formats.contains(f) { return .failure(usageError(.checkOnlyFormat(f, allowed: allowed))) }
      return .failure(usageError(.unknownFormat(f, allowed: allowed)))
    }
    return .success(format)
  }
}
