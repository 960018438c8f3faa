import CovenantKit
import Foundation

// The executable only connects the command line to CovenantKit: arguments in, text out, exit code.
let env = CommandEnvironment(
  stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
  noColor: ProcessInfo.processInfo.environment["NO_COLOR"] != nil)
let result = Commands.run(Array(CommandLine.arguments.dropFirst()), env: env)
FileHandle.standardOutput.write(Data(result.stdout.utf8))
FileHandle.standardError.write(Data(result.stderr.utf8))
exit(result.exitCode)
