import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Monotonic time in milliseconds.
func nowMs() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}

/// Runs `body` `runs` times and returns each duration in ms.
func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> [Double] {
  var out: [Double] = []
  for _ in 0..<max(1, runs) {
    let t = nowMs()
    try body()
    out.append(nowMs() - t)
  }
  return out
}

func median(_ xs: [Double]) -> Double {
  guard !xs.isEmpty else { return .nan }
  let s = xs.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Peak resident set of this process so far, in bytes.
func selfMaxRSS() -> Int {
  var u = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &u)
  #else
    getrusage(RUSAGE_SELF, &u)
  #endif
  #if os(Linux)
    return Int(u.ru_maxrss) * 1024
  #else
    return Int(u.ru_maxrss)
  #endif
}

/// Peak resident set of this process, in bytes: VmHWM on Linux (the high-water mark of this
/// process's own memory; `ru_maxrss` of a freshly spawned child can include its parent's at the
/// time of the spawn), else getrusage.
func peakResident() -> Int {
  #if os(Linux)
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
    {
      return kb * 1024
    }
  #endif
  return selfMaxRSS()
}

func executablePath() -> String {
  #if os(Linux)
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    if n > 0 { return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
  #endif
  return CommandLine.arguments[0]
}

/// Runs this executable again with `args`, waits, and returns its wall time (ms), exit status
/// and peak resident set (bytes, from wait4), so each end-to-end run has a fresh process and
/// its own memory figure.
func spawnSelf(_ args: [String]) -> (ms: Double, status: Int32, maxRSS: Int) {
  let path = executablePath()
  let all = [path] + args
  var argv: [UnsafeMutablePointer<CChar>?] = all.map { strdup($0) }
  argv.append(nil)
  defer { for p in argv { free(p) } }
  var pid: pid_t = 0
  let t = nowMs()
  let rc = posix_spawn(&pid, path, nil, nil, argv, environ)
  guard rc == 0 else { return (.nan, -1, 0) }
  var status: Int32 = 0
  var usage = rusage()
  _ = wait4(pid, &status, 0, &usage)
  let ms = nowMs() - t
  #if os(Linux)
    let rss = Int(usage.ru_maxrss) * 1024
  #else
    let rss = Int(usage.ru_maxrss)
  #endif
  return (ms, status, rss)
}

// MARK: Formatting

func fmt(_ x: Double, _ digits: Int = 1) -> String {
  guard x.isFinite else { return "—" }
  if digits == 0 { return group(Int(x.rounded())) }
  let p = pow(10.0, Double(digits))
  let r = (x * p).rounded() / p
  let whole = Int(r.magnitude)
  var frac = String(Int(((r.magnitude - Double(whole)) * p).rounded()))
  while frac.count < digits { frac = "0" + frac }
  return (r < 0 ? "-" : "") + group(whole) + "." + frac
}

/// Three significant figures, at least: 0.0123, 1.23, 12.3, 1,234.
func sig(_ x: Double) -> String {
  guard x.isFinite else { return "—" }
  let a = x.magnitude
  if a >= 100 { return fmt(x, 0) }
  if a >= 10 { return fmt(x, 1) }
  if a >= 1 { return fmt(x, 2) }
  if a >= 0.1 { return fmt(x, 3) }
  return fmt(x, 4)
}

func group(_ n: Int) -> String {
  let s = String(n.magnitude)
  var out = ""
  for (i, c) in s.enumerated() {
    if i > 0, (s.count - i) % 3 == 0 { out.append(",") }
    out.append(c)
  }
  return (n < 0 ? "-" : "") + out
}

func ratio(_ a: Double, _ b: Double) -> String {
  guard a.isFinite, b.isFinite, b > 0 else { return "—" }
  return sig(a / b) + "×"
}

func megabytes(_ bytes: Int) -> String { fmt(Double(bytes) / 1e6, 1) + " MB" }
