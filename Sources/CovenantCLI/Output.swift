import CovenantKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Every byte the tool writes goes through here, and every write is checked: a full disk, a closed
/// descriptor or an I/O error is an answer (exit 2 and a one-line diagnostic), never a trap.
/// Foundation's `FileHandle.write` traps on these (`try!` inside), so the descriptors are
/// written with `write(2)` directly.
public enum OutputChannel {
  public enum WriteError: Error, Equatable, Sendable {
    /// The reader went away (`covenant check … | head`): a quiet end, not an error.
    case brokenPipe
    case failed(errno: Int32)

    public var message: String {
      switch self {
      case .brokenPipe: "broken pipe"
      case .failed(let e): String(cString: strerror(e))
      }
    }
  }

  /// Writes every byte to `fd`, resuming after short writes and interrupted calls.
  public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Result<Void, WriteError> {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        #if canImport(Glibc)
          return Glibc.write(fd, base + offset, buffer.count - offset)
        #else
          return Darwin.write(fd, base + offset, buffer.count - offset)
        #endif
      }
      if n < 0 {
        let e = errno
        if e == EINTR || e == EAGAIN { continue }
        return .failure(e == EPIPE ? .brokenPipe : .failed(errno: e))
      }
      if n == 0 { return .failure(.failed(errno: EIO)) }
      offset += n
    }
    return .success(())
  }

  /// Reads a descriptor to its end (standard input for `-`); nil on a read error.
  public static func readAll(_ fd: Int32) -> [UInt8]? {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { buffer -> Int in
        #if canImport(Glibc)
          return Glibc.read(fd, buffer.baseAddress, buffer.count)
        #else
          return Darwin.read(fd, buffer.baseAddress, buffer.count)
        #endif
      }
      if n < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        return nil
      }
      if n == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<n])
    }
  }
}

extension Commands {
  /// The whole executable: ignore SIGPIPE, run the command, write its standard output and standard
  /// error with every write checked, and return the exit code. A failed write of the report gives
  /// exit 2 and a one-line diagnostic on standard error (when that can still be written); a broken
  /// pipe ends quietly with the command's own exit code.
  public static func main(_ args: [String], env: CommandEnvironment, stdoutFD: Int32 = 1, stderrFD: Int32 = 2) -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let out = execute(args, env: env)
    return deliver(out, stdoutFD: stdoutFD, stderrFD: stderrFD)
  }

  /// Writes a command's output to the two descriptors; the exit code after checking the writes.
  public static func deliver(_ out: CommandOutput, stdoutFD: Int32 = 1, stderrFD: Int32 = 2) -> Int32 {
    var code = out.exitCode
    var stderrText = out.stderr
    var written: Result<Void, OutputChannel.WriteError> = .success(())
    if !out.stdout.isEmpty {
      written = OutputChannel.writeAll(Array(out.stdout.utf8), to: stdoutFD)
    }
    if case .success = written, let report = out.report {
      written = stream(report, to: stdoutFD)
    }
    // A reader that left ends the command quietly, with its verdict: a report that decides the
    // outcome as it is written (a JSON batch) first decides what it did not get to write.
    var complete = true
    if case .failure(.brokenPipe) = written {
      if let rest = out.report?.unwritten { rest() } else { complete = out.report?.settle == nil }
    } else if case .failure = written {
      complete = false
    }
    // A report that decided the outcome as it was written: its exit code and summary now.
    if let settle = out.report?.settle {
      var settled = out
      settle(&settled)
      code = settled.exitCode
      // A report cut short keeps only what was said before it: no summary of deals unchecked.
      if complete { stderrText = settled.stderr }
    }
    switch written {
    case .success, .failure(.brokenPipe): break
    case .failure(let e):
      // Whatever was written is an incomplete report: never a pass. Standard output is what
      // failed, so the diagnostic is text on standard error, whatever the format.
      code = ExitCode.invalid
      stderrText += DiagnosticRenderer.text(Diagnostic.commandLine(CommandDiagnostics.standardOutputFailed(e.message)), source: nil)
    }
    if !stderrText.isEmpty {
      switch OutputChannel.writeAll(Array(stderrText.utf8), to: stderrFD) {
      case .success, .failure(.brokenPipe): break
      // Nowhere left to say it: the exit code is the only signal.
      case .failure: code = ExitCode.invalid
      }
    }
    return code
  }

  /// Writes a report to `fd` chunk by chunk as it is made; the first failed write stops it.
  static func stream(_ report: StreamedReport, to fd: Int32, chunk: Int = 1 << 16) -> Result<Void, OutputChannel.WriteError> {
    var failure: OutputChannel.WriteError?
    var w = ReportWriter(chunk: chunk) { bytes in
      if case .failure(let e) = OutputChannel.writeAll(bytes, to: fd) { failure = e; return false }
      return true
    }
    report.write(&w)
    w.flush()
    return failure.map { .failure($0) } ?? .success(())
  }
}
