import CovenantCLI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The executable only connects the command line to CovenantKit: arguments in, text out, exit code.
// `Commands.main` checks every write (a full disk or a closed descriptor is exit 2, never a trap)
// and ends quietly on a broken pipe. No Foundation here: `ProcessInfo` copies the whole
// environment into a dictionary (~0.4 ms of start-up) to read two variables.
func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
let env = CommandEnvironment(
  stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
  noColorVariable: variable("NO_COLOR"), forceColorVariable: variable("FORCE_COLOR"))
exit(Commands.main(Array(CommandLine.arguments.dropFirst()), env: env))
