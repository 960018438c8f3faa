import CovenantCLI

#if canImport(Glibc)
  import Glibc
  import CMalloc
#elseif canImport(Darwin)
  import Darwin
#endif

// The executable only connects the command line to CovenantKit: arguments in, text out, exit code.
// `Commands.main` checks every write (a full disk or a closed descriptor is exit 2, never a trap)
// and ends quietly on a broken pipe. No Foundation here: `ProcessInfo` copies the whole
// environment into a dictionary (~0.4 ms of start-up) to read two variables.
func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
#if canImport(Glibc)
  // Large blocks (128 KiB and up: a snapshot's columns, a group list's totals) each get their own
  // mapping, returned to the system as soon as they are freed. glibc otherwise raises this
  // threshold to the size of the largest block freed so far (up to 32 MiB), after which such
  // blocks come from its heaps, where freed memory stays resident until reused: loading
  // `issuers900k` (a million holdings, 917k issuers) peaked 13 MB higher, its check 35 MB
  // higher (the two halves of the parallel read are joined while the file is still held, and
  // the memory of the second half's columns was kept). A user's `MALLOC_MMAP_THRESHOLD_` wins.
  if variable("MALLOC_MMAP_THRESHOLD_") == nil { _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024) }
#endif
let env = CommandEnvironment(
  stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
  noColorVariable: variable("NO_COLOR"), forceColorVariable: variable("FORCE_COLOR"))
exit(Commands.main(Array(CommandLine.arguments.dropFirst()), env: env))
