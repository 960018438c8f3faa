import CovenantSyntax

/// The command line's messages (A codes), one constructor per code. They live in the driver,
/// the earliest stage both the CLI and the test runner (`covenant test`) reach, so that A002 has
/// one constructor for both.
package enum CommandDiagnostics {
  /// A usage error (A001): what was wrong with the command line, before anything is read.
  package enum Usage: Sendable {
    /// `nearest`: the closest command, if any.
    case unknownCommand(String, nearest: String?)
    /// `nearest`: the closest long option of the verb, if any (shown as `--name`).
    case unknownOption(String, nearest: String?)
    case missingValue(option: String)
    case unknownColor(String)
    case severalStandardInputs
    /// A `check` report format given to another verb; `allowed`: the verb's formats.
    case checkOnlyFormat(String, allowed: [String])
    case unknownFormat(String, allowed: [String])
    /// `several`: the verb takes at least one (`fmt`, `validate`) rather than exactly one.
    case missingCovenant(command: String, several: Bool)
    case severalCovenants(command: String, got: Int)
    case missingPortfolio
    case severalDeals
    /// Two options (`--deal`, `--deals`) that exclude each other.
    case incompatible(String, String)
    case dealsFromStandardInput
    case testFromStandardInput
    case writeStandardInput
    case severalHelpTopics(got: Int)
    /// `nearest`: the closest command; `commands`: all of them.
    case noHelp(String, nearest: String?, commands: [String])
    case missingShell
    case unknownShell(String)
    case missingCode
    /// `nearest`: the closest documented code, if any.
    case unknownCode(String, nearest: String?)
  }
  package static func usage(_ u: Usage) -> DiagnosticMessage {
    func didYouMean(_ s: String?) -> String? { s.map { "did you mean `\($0)`?" } }
    func listed(_ xs: [String]) -> String { xs.map { "`\($0)`" }.joined(separator: ", ") }
    switch u {
    case .unknownCommand(let c, let nearest): return .init("A001", .error, "unknown command `\(c)`", help: didYouMean(nearest))
    case .unknownOption(let o, let nearest): return .init("A001", .error, "unknown option `\(o)`", help: nearest.map { "did you mean `--\($0)`?" })
    case .missingValue(let name): return .init("A001", .error, "`--\(name)` needs a value")
    case .unknownColor(let choice):
      return .init("A001", .error, "unknown colour setting `\(choice)`", help: "use `--color auto`, `--color always` or `--color never`")
    case .severalStandardInputs: return .init("A001", .error, "only one input can be read from standard input (`-`)")
    case .checkOnlyFormat(let f, let allowed):
      return .init("A001", .error, "`--format \(f)` is a report of `check`", help: "formats here are " + listed(allowed))
    case .unknownFormat(let f, let allowed): return .init("A001", .error, "unknown format `\(f)`", help: "formats are " + listed(allowed))
    case .missingCovenant(let command, let several):
      return .init("A001", .error, "`\(command)` needs \(several ? "at least one covenant file" : "a covenant file")")
    case .severalCovenants(let command, let got): return .init("A001", .error, "`\(command)` takes one covenant file, got \(got)")
    case .missingPortfolio: return .init("A001", .error, "`check` needs `--portfolio SNAPSHOT`")
    case .severalDeals: return .init("A001", .error, "`check` takes one `--deal`", help: "to check several deals, use `--deals FILE-OR-DIRECTORY`")
    case .incompatible(let a, let b): return .init("A001", .error, "`\(a)` and `\(b)` cannot be combined")
    case .dealsFromStandardInput:
      return .init("A001", .error, "`--deals` reads a file or a directory, not standard input", help: "use `--deal -` for one deal from standard input")
    case .testFromStandardInput: return .init("A001", .error, "`test` reads test files and directories, not standard input")
    case .writeStandardInput:
      return .init("A001", .error, "`--write` rewrites files; standard input (`-`) has none", help: "use `covenant fmt -` to print the formatted covenant")
    case .severalHelpTopics(let got): return .init("A001", .error, "`help` takes one command, got \(got)")
    case .noHelp(let topic, let nearest, let commands):
      return .init("A001", .error, "no help for `\(topic)`", help: didYouMean(nearest) ?? "commands are " + listed(commands))
    case .missingShell: return .init("A001", .error, "`completions` needs a shell: `bash`, `zsh` or `fish`")
    case .unknownShell(let shell): return .init("A001", .error, "no completions for `\(shell)`", help: "shells are `bash`, `zsh` and `fish`")
    case .missingCode: return .init("A001", .error, "`explain` needs one diagnostic code, such as `C002`")
    case .unknownCode(let code, let nearest):
      return .init("A001", .error, "unknown diagnostic code `\(code)`", help: didYouMean(nearest) ?? "grammar.md lists every code")
    }
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
