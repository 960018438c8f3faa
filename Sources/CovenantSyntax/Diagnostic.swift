/// A problem found in a covenant or its data. Every diagnostic carries a stable code
/// (L lexer, P parser, C checker, D data, E evaluation, A command line); a code is never reused.
/// Wording follows Cedar's rules: lowercase, no final period, names in backticks, extra
/// explanation in `help`.
public struct Diagnostic: Hashable, Sendable, Error {
  public enum Severity: String, Hashable, Sendable { case error, warning, note }

  public var code: String
  public var severity: Severity
  public var message: String
  /// The file the problem is in (a covenant, snapshot or deal).
  public var file: String
  /// Where in a covenant source; nil for data files, which use `path` instead.
  public var span: SourceSpan?
  /// JSON path in a data file, e.g. `holdings[3].value`.
  public var path: String?
  /// 1-based line and column in a data file, when known.
  public var dataLocation: Location?
  public var help: String?
  /// False for a diagnostic about the command line as a whole (`Diagnostic.commandLine`): no
  /// file or line to point at, so SARIF, GitHub annotations and JSON give it no location, while
  /// text still shows it as `covenant: error[…]`.
  public var hasLocation = true

  public struct Location: Hashable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
  }

  public init(
    code: String, severity: Severity = .error, message: String, file: String,
    span: SourceSpan? = nil, path: String? = nil, dataLocation: Location? = nil, help: String? = nil
  ) {
    self.code = code
    self.severity = severity
    self.message = message
    self.file = file
    self.span = span
    self.path = path
    self.dataLocation = dataLocation
    self.help = help
  }

  public var isError: Bool { severity == .error }
}

/// Several diagnostics as one failure: a data file is reported whole, not one error at a time.
public struct Diagnostics: Error, Sendable {
  public var list: [Diagnostic]
  public init(_ list: [Diagnostic]) { self.list = list }
}
