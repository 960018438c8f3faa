/// What a diagnostic says, apart from where it points: its code, severity, message and help.
/// Built only by the stages' catalogues (`SyntaxDiagnostics`, `JSONDiagnostics`,
/// `DataDiagnostics`, …), one constructor per code, so a code's wording and severity live in one
/// place and `CodeCatalogueTests` can hold every code of grammar.md's table to exactly one
/// constructor. Call sites add the place (`Diagnostic(_:file:span:…)`).
public struct DiagnosticMessage: Hashable, Sendable {
  public var code: String
  public var severity: Diagnostic.Severity
  public var message: String
  public var help: String?

  package init(_ code: String, _ severity: Diagnostic.Severity, _ message: String, help: String? = nil) {
    self.code = code
    self.severity = severity
    self.message = message
    self.help = help
  }
}

extension Diagnostic {
  /// A catalogued message placed in a file: at a span of a covenant, or at a path or line of a
  /// data or test file, or nowhere (a whole file, the command line).
  public init(
    _ m: DiagnosticMessage, file: String, span: SourceSpan? = nil, path: String? = nil, dataLocation: Location? = nil
  ) {
    self.init(code: m.code, severity: m.severity, message: m.message, file: file, span: span, path: path, dataLocation: dataLocation, help: m.help)
  }

  /// A catalogued message about the command line as a whole (a usage error, no tests found, an
  /// output that cannot be written): text names the tool (`covenant: error[A001]: …`), and the
  /// CI formats give it no location rather than a file called `covenant`.
  package static func commandLine(_ m: DiagnosticMessage) -> Diagnostic {
    var d = Diagnostic(m, file: "covenant")
    d.hasLocation = false
    return d
  }
}
