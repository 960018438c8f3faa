import CovenantSyntax

/// The formatter's message (F code). F001 is its self-check: the layout is parsed again and
/// compared with the original, and a file is never rewritten when they differ.
package enum FormattingDiagnostics {
  package static func layoutChangedMeaning() -> DiagnosticMessage {
    .init("F001", .error, "the formatter could not lay out this covenant without changing its meaning",
      help: "the file was left as it is; please report this covenant")
  }
}
