import CovenantSyntax

extension EvaluationError {
  /// The error as a diagnostic of the covenant `file`: every caller reports it the same way.
  public func diagnostic(file: String) -> Diagnostic {
    Diagnostic(code: code, message: message, file: file, span: span, help: help)
  }
}
