import CovenantSyntax

/// The command line's messages (A codes), one constructor per code. They live in the driver,
/// the earliest stage both the CLI and the test runner (`covenant test`) reach, so that A002 has
/// one constructor for both.
package enum CommandDiagnostics {
  /// A usage error: an unknown subcommand or option, a missing or surplus argument.
  package static func usage(_ message: String, help: String?) -> DiagnosticMessage {
    .init("A001", .error, message, help: help)
  }

  package enum FileProblem: Sendable {
    case notFound, noSuchPath, directory, unreadable, standardInput, unreadableTestFile
  }
  /// A file named on the command line (a covenant, a test file or directory) that cannot be read.
  package static func unreadableFile(_ problem: FileProblem) -> DiagnosticMessage {
    switch problem {
    case .notFound: .init("A002", .error, "file not found", help: "check the path")
    case .noSuchPath: .init("A002", .error, "no such file or directory")
    case .directory: .init("A002", .error, "is a directory, not a covenant file")
    case .unreadable: .init("A002", .error, "cannot read the file (permission denied?)")
    case .standardInput: .init("A002", .error, "cannot read standard input")
    case .unreadableTestFile: .init("A002", .error, "cannot read the test file")
    }
  }
  /// `searched`: the paths given, or `.` when none was.
  package static func noTests(in searched: String) -> DiagnosticMessage {
    .init("A003", .error, "no covenant tests (*.covtest) found in \(searched)")
  }
  /// `fmt --write` leaves the file unchanged; `--output` writes nothing.
  package static func cannotWrite(_ path: String, reason: String, fileUnchanged: Bool) -> DiagnosticMessage {
    .init("A004", .error, "cannot write \(path): \(reason) (\(fileUnchanged ? "the file is left unchanged" : "nothing was written"))")
  }
  package static func standardOutputFailed(_ reason: String) -> DiagnosticMessage {
    .init("A005", .error, "cannot write to standard output: \(reason)")
  }
}
