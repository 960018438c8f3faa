// covenant-bench: times CovenantKit on the peer harness's workload (the fund covenant of
// examples/bench/covenant.cov over 1k…1M holdings and 1,000 deals) and prints medians, rates
// and ratios to the peers and to the targets. A thin driver over CovenantKit's public API.
//
//   swift run -c release covenant-bench [--quick] [--data DIR] [--peers results.json]
//       [--peer-json-load FILE] [--runs K] [--sizes 1000,10000] [--json OUT] [--covenant PATH]
//
// Without --data it generates deterministic data of the harness's shape in a temporary
// directory; with --data it reads the harness's data/portfolio_<N>.json and data/deals.json.

import CovenantKit
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Prints a line at once (stdout may be a pipe to a log).
func say(_ s: String = "") { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

struct Options {
  var quick = false
  var data: String?
  var peers: String?
  var peerJSONLoad: String?
  var runs: Int?
  var sizes: [Int]?
  var jsonOut: String?
  var covenant: String?
  var keep = false
  /// Sections to run (front, json, eval, deals, e2e); all when empty.
  var only: Set<String> = []
  // child mode: one end-to-end check in a fresh process
  var e2e: String?
  var e2eOut: String?
  /// child mode: stop after this phase ("parse", "load") to see its memory
  var e2eStop: String?
}

func usage() -> Never {
  FileHandle.standardError.write(Data("""
    usage: covenant-bench [--quick] [--data DIR] [--peers results.json] [--peer-json-load FILE]
                          [--runs K] [--sizes N,N,...] [--json OUT] [--covenant PATH] [--keep]
                          [--only front,json,eval,deals,e2e]

    """.utf8))
  exit(2)
}

func parseOptions() -> Options {
  var o = Options()
  var args = Array(CommandLine.arguments.dropFirst())
  func value() -> String {
    guard args.count >= 2 else { usage() }
    let v = args[1]
    args.removeFirst()
    return v
  }
  while let a = args.first {
    switch a {
    case "--quick": o.quick = true
    case "--keep": o.keep = true
    case "--data": o.data = value()
    case "--peers": o.peers = value()
    case "--peer-json-load": o.peerJSONLoad = value()
    case "--runs": o.runs = Int(value()) ?? { usage() }()
    case "--sizes": o.sizes = value().split(separator: ",").map { Int($0.replacingOccurrences(of: "_", with: "")) ?? { usage() }() }
    case "--json": o.jsonOut = value()
    case "--covenant": o.covenant = value()
    case "--only": o.only = Set(value().split(separator: ",").map(String.init))
    case "--e2e": o.e2e = value()
    case "--e2e-out": o.e2eOut = value()
    case "--e2e-stop": o.e2eStop = value()
    case "-h", "--help": usage()
    default: usage()
    }
    args.removeFirst()
  }
  return o
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("covenant-bench: \(message)\n".utf8))
  exit(2)
}

func readFile(_ path: String) -> [UInt8] {
  guard let d = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
  return [UInt8](d)
}

/// Every measured step runs through the driver (`CovenantSession`), as `covenant check` runs it.
func compileCovenant(_ path: String) -> CovenantSession {
  switch CovenantSession.compile(SourceFile(name: path, bytes: readFile(path))) {
  case .success(let s): return s
  case .failure(let ds): fail("\(path) is invalid: \(ds.list.map(\.message))")
  }
}

/// The session with `doc` loaded as its snapshot.
func loadSnapshot(_ doc: JSONDocument, _ compiled: CovenantSession, name: String) -> CovenantSession {
  var session = compiled
  if case .failure(let e) = session.loadSnapshot(doc, file: name) { fail("\(name): \(e.list.prefix(3).map(\.message))") }
  return session
}

func parse(_ bytes: [UInt8], name: String) -> JSONDocument {
  switch DataLoader.parseJSON(bytes, file: name) {
  case .success(let d): return d
  case .failure(let e): fail("\(name): \(e.message)")
  }
}

/// Violations as the harness counts them: one per non-US holding (a), per sector (b) and
/// issuer (c) over its cap, and (d) when leverage is over.
func snapshotViolations(_ r: CheckResult) -> [String: Int] {
  var v: [String: Int] = [:]
  for clause in r.clauses {
    guard let e = clause.snapshot else { continue }
    switch clause.id {
    case "a": v["a"] = e.outcomes.reduce(0) { $0 + $1.offenderCount }
    case "b", "c", "d": v[clause.id] = e.outcomes.indices.filter { e.outcomes.status(at: $0).holds == false }.count
    default: break
    }
  }
  return v
}

func describe(_ v: [String: Int]) -> String {
  v.keys.sorted().map { "\($0)=\(v[$0]!)" }.joined(separator: ", ")
}

// MARK: - Child mode: one end-to-end check, as `covenant check` does it

let options = parseOptions()
let benchDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("examples/bench/covenant.cov").path
let covenantPath = options.covenant ?? (FileManager.default.fileExists(atPath: "examples/bench/covenant.cov") ? "examples/bench/covenant.cov" : benchDir)

/// Reads and loads the snapshot, as `covenant check` does; the parsed document is released when
/// this returns (a snapshot check needs only the values), so the peak is whichever is larger:
/// file + values while loading, or values + results while evaluating.
func readAndLoad(_ file: String, _ c: CovenantSession) -> (session: CovenantSession, parseMs: Double, loadMs: Double) {
  let t1 = nowMs()
  guard case .success(let doc) = DataLoader.readJSON(path: file) else { fail("cannot read \(file)") }
  let t2 = nowMs()
  if options.e2eStop == "parse" { say("{\"read_parse\": \(t2 - t1), \"peak\": \(peakResident())}"); exit(0) }
  var session = loadSnapshot(doc, c, name: file)
  session.releaseSnapshotDocument()
  return (session, t2 - t1, nowMs() - t2)
}

if let file = options.e2e {
  let t0 = nowMs()
  let c = compileCovenant(covenantPath)
  let t1 = nowMs()
  let (loaded, parseMs, loadMs) = readAndLoad(file, c)
  var session = loaded
  let t3 = nowMs()
  if options.e2eStop == "load" { say("{\"read_parse\": \(parseMs), \"load\": \(loadMs), \"peak\": \(peakResident())}"); exit(0) }
  guard case .success(let r) = session.check(nil) else { fail("evaluation failed") }
  let t4 = nowMs()
  // The report `covenant check` prints by default: part of the user's wait, so part of the figure.
  let report = CheckReport.text(r, covenant: c.covenant)
  let t5 = nowMs()
  let line = "{\"compile\": \(t1 - t0), \"read_parse\": \(parseMs), \"load\": \(loadMs), \"eval\": \(t4 - t3), \"report\": \(t5 - t4), \"report_bytes\": \(report.utf8.count), \"total\": \(t5 - t0), \"peak\": \(peakResident()), \"violations\": \"\(describe(snapshotViolations(r)))\"}\n"
  if let out = options.e2eOut { _ = FileManager.default.createFile(atPath: out, contents: Data(line.utf8)) } else { FileHandle.standardOutput.write(Data(line.utf8)) }
  exit(r.compliant ? 0 : 1)
}

// MARK: - Set-up

let quick = options.quick
let runs = options.runs ?? (quick ? 3 : 5)
let sizes = options.sizes ?? (quick ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000])
let dealsN = 100_000
let largest = sizes.max()!
var results: [String: Any] = ["quick": quick, "runs": runs]

say("covenant-bench \(quick ? "(quick) " : "")— CovenantKit \(CovenantKitVersion.string), \(ProcessInfo.processInfo.activeProcessorCount) cores")
say("covenant: \(covenantPath)")

let covenant = compileCovenant(covenantPath)

var dataDir: String
var tempDir: String?
if let d = options.data {
  dataDir = d
  say("data: \(d) (the harness's files)")
} else {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("covenant-bench-\(getpid())").path
  try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  tempDir = dir
  dataDir = dir
  let t = nowMs()
  let base = Generator.holdings(dealsN)
  let deals = Generator.deals(1_000, against: base)
  _ = FileManager.default.createFile(atPath: dir + "/deals.json", contents: Data(Generator.dealsJSON(deals)))
  for n in Set(sizes + [dealsN]).sorted() {
    let p = Generator.portfolio(n, deals: deals)
    _ = FileManager.default.createFile(atPath: dir + "/portfolio_\(n).json", contents: Data(Generator.portfolioJSON(p)))
  }
  say("data: generated in \(dir) (\(fmt((nowMs() - t) / 1000, 1)) s; deterministic, seed \(Generator.seed))")
}
@MainActor func portfolioPath(_ n: Int) -> String { dataDir + "/portfolio_\(n).json" }
@MainActor func cleanUp() {
  if let tempDir, !options.keep { try? FileManager.default.removeItem(atPath: tempDir) }
}

// Peers measured by the harness (optional): results.json of `python bench.py`.
var peers: [String: [String: Any]] = [:]
if let p = options.peers {
  guard let d = FileManager.default.contents(atPath: p), let j = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else {
    fail("cannot read \(p)")
  }
  for (k, v) in j { if let v = v as? [String: Any] { peers[k] = v } }
}
var cpythonJSONLoad: [Int: Double] = [:]
if let p = options.peerJSONLoad, let d = FileManager.default.contents(atPath: p),
  let j = try? JSONSerialization.jsonObject(with: d) as? [String: Any]
{
  for (k, v) in j { if let n = Int(k), let ms = (v as? NSNumber)?.doubleValue { cpythonJSONLoad[n] = ms } }
}
@MainActor func peer(_ engine: String, _ n: Int, _ key: String) -> Double {
  (peers["\(engine)@\(n)"]?[key] as? NSNumber)?.doubleValue ?? .nan
}
@MainActor func peerExtra(_ engine: String, _ n: Int, _ key: String) -> Double {
  ((peers["\(engine)@\(n)"]?["extra"] as? [String: Any])?[key] as? NSNumber)?.doubleValue ?? .nan
}
@MainActor func peerDeals(_ engine: String, _ key: String) -> Double {
  ((peers["\(engine)@\(dealsN)"]?["deals"] as? [String: Any])?[key] as? NSNumber)?.doubleValue ?? .nan
}

struct Target {
  var name: String
  var measured: String
  var goal: String
  var met: Bool?
}
var targets: [Target] = []
@MainActor func want(_ section: String) -> Bool { options.only.isEmpty || options.only.contains(section) }
var bigSnap: Value? = nil
let hasPeers = !peers.isEmpty

// MARK: - 1. Front end: lexer, parser, checker on a 10,000-clause covenant

if want("front") {
say("\n## Front end (generated covenant of 10,000 clauses)\n")
let bigText = Generator.largeCovenant(clauses: 10_000)
let bigFile = SourceFile(name: "generated.cov", bytes: Array(bigText.utf8))
if case .failure(let ds) = CovenantSession.compile(bigFile) { fail("the generated covenant is invalid: \(ds.list.prefix(3).map(\.message))") }
let frontRuns = max(runs, 5)
// The lexer alone is a stage the driver never stops after; it is timed on its own.
let lexMs = median(measure(frontRuns) { _ = Lexer.lex(bigFile) })
let parseMs = median(measure(frontRuns) { _ = CovenantSession.parse(bigFile) })
let checkMs = median(measure(frontRuns) { _ = CovenantSession.compile(bigFile) })
let lexRate = Double(bigFile.bytes.count) / 1e6 / (lexMs / 1e3)
say("| stage | median | rate |")
say("|---|---:|---:|")
say("| lex (\(megabytes(bigFile.bytes.count))) | \(sig(lexMs)) ms | \(fmt(lexRate)) MB/s |")
say("| lex + parse | \(sig(parseMs)) ms | \(fmt(10_000 / parseMs * 1e3, 0)) clauses/s |")
say("| lex + parse + check | \(sig(checkMs)) ms | \(fmt(10_000 / checkMs * 1e3, 0)) clauses/s |")
results["front"] = ["bytes": bigFile.bytes.count, "lex_ms": lexMs, "parse_ms": parseMs, "check_ms": checkMs]
targets.append(Target(name: "parse+check of 10,000 clauses", measured: "\(sig(checkMs)) ms", goal: "≤ 100 ms", met: checkMs <= 100))
}

// MARK: - 2. JSON: parse only, and parse + load into values

if want("json") {
say("\n## JSON loading (portfolio_\(largest).json)\n")
let bigBytes = readFile(portfolioPath(largest))
let jsonRuns = runs
let parseRuns = measure(jsonRuns) { _ = parse(bigBytes, name: "portfolio") }
let parseOnly = median(parseRuns)
let parseLoadRuns = measure(jsonRuns) {
  bigSnap = nil
  let d = parse(bigBytes, name: "portfolio")
  bigSnap = loadSnapshot(d, covenant, name: "portfolio").snapshot
}
let parseLoad = median(parseLoadRuns)
say("runs (ms): parse \(parseRuns.map { fmt($0, 0) }.joined(separator: ", ")); parse + load \(parseLoadRuns.map { fmt($0, 0) }.joined(separator: ", "))\n")
let mb = Double(bigBytes.count) / 1e6
let parseRate = mb / (parseOnly / 1e3), loadRate = mb / (parseLoad / 1e3)
let pyLoad = cpythonJSONLoad[largest] ?? .nan
say("| step | median | rate | CPython json.load | ratio |")
say("|---|---:|---:|---:|---:|")
say("| parse (\(megabytes(bigBytes.count))) | \(sig(parseOnly)) ms | \(fmt(parseRate)) MB/s | \(sig(pyLoad)) ms | \(ratio(pyLoad, parseOnly)) faster |")
say("| parse + load into values | \(sig(parseLoad)) ms | \(fmt(loadRate)) MB/s | | \(ratio(pyLoad, parseLoad)) faster |")
results["json"] = ["n": largest, "bytes": bigBytes.count, "parse_ms": parseOnly, "parse_load_ms": parseLoad, "cpython_json_load_ms": pyLoad]
targets.append(Target(name: "JSON parse + load (exact numbers)", measured: "\(fmt(loadRate)) MB/s (parse alone \(fmt(parseRate)) MB/s)", goal: "≥ 200 MB/s", met: loadRate >= 200))
}

// MARK: - 3. Snapshot evaluation, rules (a)–(d)

if want("eval") {
say("\n## Snapshot evaluation, rules (a)–(d), loaded portfolio\n")
say("| N | median | per holding | violations |" + (hasPeers ? " C floor (string keys) | ratio | C floor (interned) | CPython loop | ratio | OPA | OPA / ours |" : ""))
say("|---:|---:|---:|---|" + (hasPeers ? "---:|---:|---:|---:|---:|---:|---:|" : ""))
var evalResults: [[String: Any]] = []
var evalAt: [Int: Double] = [:]
for n in sizes {
  let snap: Value
  if n == largest, let s = bigSnap {
    snap = s
  } else {
    snap = loadSnapshot(parse(readFile(portfolioPath(n)), name: "portfolio_\(n)"), covenant, name: "portfolio_\(n)").snapshot
  }
  var last: CheckResult?
  let k = runs
  let times = measure(k) {
    var session = covenant
    session.useSnapshot(snap)
    guard case .success(let r) = session.check(nil, bounds: false) else { fail("evaluation failed at \(n)") }
    last = r
  }
  let m = median(times)
  evalAt[n] = m
  let v = describe(snapshotViolations(last!).filter { $0.value > 0 })
  var row = "| \(group(n)) | \(sig(m)) ms | \(sig(m * 1e6 / Double(n))) ns | \(v) |"
  if hasPeers {
    let floor = peer("floor-c", n, "eval_ms_median"), interned = peerExtra("floor-c", n, "eval_interned_ms_median")
    let py = peer("python-baseline", n, "eval_ms_median"), opa = peer("opa-indexed", n, "eval_ms_median")
    row += " \(sig(floor)) ms | \(ratio(m, floor)) | \(sig(interned)) ms | \(sig(py)) ms | \(ratio(m, py)) | \(sig(opa)) ms | \(ratio(opa, m)) |"
  }
  say(row)
  evalResults.append(["n": n, "median_ms": m, "runs": times, "violations": v])
}
bigSnap = nil
results["eval"] = evalResults
if let m = evalAt[1_000_000] {
  let floor = peer("floor-c", 1_000_000, "eval_ms_median")
  let f = floor.isFinite ? floor : 164
  targets.append(Target(name: "snapshot evaluation at 1M", measured: "\(sig(m)) ms = \(ratio(m, f)) the C floor (\(sig(f)) ms)", goal: "≤ 2× C floor with string hashing", met: m <= 2 * f))
}
}

// MARK: - 4. Deals: 1,000 proposed deals against 100k holdings

if want("deals") {
say("\n## 1,000 deals pro forma against N = \(group(dealsN)) holdings\n")
  let doc = parse(readFile(portfolioPath(dealsN)), name: "portfolio_\(dealsN)")
  let loaded = loadSnapshot(doc, covenant, name: "portfolio_\(dealsN)")
  guard case .success(let inputs) = DealSource.read(dataDir + "/deals.json") else { fail("cannot read deals.json") }
  var batchTimes: [Double] = []
  var scanTimes: [Double] = []
  var counts: [String: Int] = [:]
  for _ in 0..<runs {
    // The one portfolio scan: the snapshot's rules and the aggregates the deal rules look up
    // (computed on the first deal), then every deal of the batch against the warm runner.
    var session = covenant
    session.useSnapshot(loaded.snapshot, document: doc, file: "portfolio_\(dealsN)")
    let t = nowMs()
    guard case .success = session.check(nil, bounds: false) else { fail("evaluation failed") }
    _ = session.checkBatch(Array(inputs.prefix(1)))
    scanTimes.append(nowMs() - t)
    let t2 = nowMs()
    let entries = session.checkBatch(inputs)
    batchTimes.append(nowMs() - t2)
    counts = [:]
    for e in entries {
      guard let r = e.result else { fail("deal \(e.source) invalid: \(e.diagnostics.map(\.message))") }
      for c in r.clauses where c.id.hasPrefix("e.") && c.verdict == .breach { counts[c.id, default: 0] += 1 }
    }
  }
  // Of which reading each deal (its fields and governance) from the parsed file:
  let loadTimes = measure(runs) {
    for d in inputs { _ = loaded.loadDeal(d.document, file: d.source, node: d.node, path: d.path) }
  }
  let dealLoad = median(loadTimes)
  let batch = median(batchTimes), scan = median(scanTimes)
  let perDeal = batch / Double(inputs.count)
  let floorBatch = peerDeals("floor-c", "eval_ms_median"), pyBatch = peerDeals("python-baseline", "eval_ms_median")
  let opaBatch = peerDeals("opa-indexed", "eval_ms_median")
  say("| step | median | per deal | violations |" + (hasPeers ? " C floor (whole batch) | CPython (whole batch) | OPA (whole batch) |" : ""))
  say("|---|---:|---:|---|" + (hasPeers ? "---:|---:|---:|" : ""))
  say("| the one portfolio scan (snapshot rules + first deal) | \(sig(scan)) ms | | |" + (hasPeers ? " | | |" : ""))
  say("| \(inputs.count) deals after it (load each deal + check) | \(sig(batch)) ms | \(sig(perDeal * 1000)) µs | \(describe(counts)) |"
    + (hasPeers ? " \(sig(floorBatch)) ms | \(sig(pyBatch)) ms | \(sig(opaBatch)) ms |" : ""))
  say("| … of which reading the deals' fields and governance | \(sig(dealLoad)) ms | \(sig(dealLoad)) µs | |" + (hasPeers ? " | | |" : ""))
  if hasPeers {
    say("| scan + \(inputs.count) deals | \(sig(scan + batch)) ms | | | \(ratio(scan + batch, floorBatch)) the C floor | \(ratio(pyBatch, scan + batch)) faster | \(ratio(opaBatch, scan + batch)) faster |")
  }
  results["deals"] = ["n": dealsN, "m": inputs.count, "scan_ms": scan, "batch_ms": batch, "deal_load_ms": dealLoad, "violations": counts]
  targets.append(Target(name: "1,000 deals against 100k, after the scan", measured: "\(sig(batch)) ms (\(sig(perDeal * 1000)) µs per deal)", goal: "≤ 10 ms", met: batch <= 10))
}

// MARK: - 5. End to end, in a fresh process: read + parse + load + evaluate + the text report,
// as `covenant check` does, and peak memory

if want("e2e") {
say("\n## End to end: `check` of the N = \(group(largest)) snapshot in a fresh process\n")
  let path = portfolioPath(largest)
  let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 1
  let k = runs
  var walls: [Double] = []
  var rss: [Int] = []
  var phases: [[String: Any]] = []
  let out = FileManager.default.temporaryDirectory.appendingPathComponent("covenant-bench-e2e-\(getpid()).json").path
  for _ in 0..<k {
    let r = spawnSelf(["--e2e", path, "--e2e-out", out, "--covenant", covenantPath])
    guard r.status >= 0, let d = FileManager.default.contents(atPath: out),
      let j = try? JSONSerialization.jsonObject(with: d) as? [String: Any]
    else { fail("end-to-end child failed (status \(r.status))") }
    walls.append(r.ms)
    // The child's own high-water mark (VmHWM); wait4's figure can include this process's.
    rss.append((j["peak"] as? NSNumber)?.intValue ?? r.maxRSS)
    phases.append(j)
  }
  try? FileManager.default.removeItem(atPath: out)
  func phase(_ key: String) -> Double { median(phases.compactMap { ($0[key] as? NSNumber)?.doubleValue }) }
  let wall = median(walls), peak = rss.max() ?? 0
  let opaTotal = peer("opa-indexed", largest, "load_ms") + peer("opa-indexed", largest, "eval_ms_median")
  let py = cpythonJSONLoad[largest] ?? .nan
  say("| measure | median |" + (hasPeers ? " OPA load + eval | OPA / ours | CPython json.load alone | json.load / ours |" : ""))
  say("|---|---:|" + (hasPeers ? "---:|---:|---:|---:|" : ""))
  say("| process wall time (spawn → exit) | \(sig(wall)) ms |" + (hasPeers ? " \(sig(opaTotal)) ms | \(ratio(opaTotal, wall)) | \(sig(py)) ms | \(ratio(py, wall)) |" : ""))
  for (key, label) in [("read_parse", "read + parse"), ("load", "load into values"), ("eval", "evaluate (a)–(d)"), ("report", "text report"), ("total", "in-process total")] {
    say("| \(label) | \(sig(phase(key))) ms |" + (hasPeers ? " | | | |" : ""))
  }
  say("| peak memory (resident high-water mark) | \(megabytes(peak)) = \(fmt(Double(peak) / Double(size), 2))× the file (\(megabytes(size))) |" + (hasPeers ? " | | | |" : ""))
  say("\nviolations: \(phases.last?["violations"] ?? "")")
  results["e2e"] = ["n": largest, "bytes": size, "wall_ms": wall, "walls": walls, "max_rss": peak,
    "read_parse_ms": phase("read_parse"), "load_ms": phase("load"), "eval_ms": phase("eval"), "report_ms": phase("report")]
  if largest >= 1_000_000 {
    let opa = opaTotal.isFinite ? opaTotal : 31_000
    let cp = py.isFinite ? py : 1_700
    targets.append(Target(name: "end-to-end check of 1M vs OPA load + eval", measured: "\(sig(wall)) ms = \(ratio(opa, wall)) faster than OPA (\(sig(opa)) ms)", goal: "≥ 20× faster", met: opa / wall >= 20))
    targets.append(Target(name: "end-to-end check of 1M vs CPython json.load", measured: "\(sig(wall)) ms vs \(sig(cp)) ms", goal: "faster", met: wall < cp))
    targets.append(Target(name: "peak memory at 1M", measured: "\(megabytes(peak)) = \(fmt(Double(peak) / Double(size), 2))× the file", goal: "≤ 2× the file size", met: Double(peak) <= 2 * Double(size)))
  }
}

// MARK: - Targets

say("\n## Targets\n")
say("| target | measured | goal | met |")
say("|---|---|---|---|")
for t in targets {
  say("| \(t.name) | \(t.measured) | \(t.goal) | \(t.met.map { $0 ? "yes" : "**no**" } ?? "—") |")
}
results["targets"] = targets.map { ["name": $0.name, "measured": $0.measured, "goal": $0.goal, "met": $0.met as Any] }
results["self_max_rss"] = selfMaxRSS()

if let out = options.jsonOut, let d = try? JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys]) {
  _ = FileManager.default.createFile(atPath: out, contents: d)
}
cleanUp()
