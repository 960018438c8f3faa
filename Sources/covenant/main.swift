import CovenantCLI
import Foundation

// The executable only connects the command line to CovenantKit: arguments in, text out, exit code.
// `Commands.main` checks every write (a full disk or a closed descriptor is exit 2, never a trap)
// and ends quietly on a broken pipe.
let environment = ProcessInfo.processInfo.environment
let env = CommandEnvironment(
  stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
  noColorVariable: environment["NO_COLOR"], forceColorVariable: environment["FORCE_COLOR"])
exit(Commands.main(Array(CommandLine.arguments.dropFirst()), env: env))
