import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

/// The fast paths (lists of records loaded into columns, aggregates and quantifiers read from
/// columns, snapshot caches shared between deals, the tree-less JSON reader) must give exactly
/// what the general paths give. Each test compares the two on generated data; none measures time.
@Suite struct PerformanceRegressionTests {
  static let covenantHeader = """
    covenant "Columns" version 2026-01-01
    base currency USD
    kind sector = ai_datacenter | power | semiconductor_backend | logistics | other
    record holding
      id       : text
      name     : text
      sector   : sector
      domicile : country
      value    : money  from "value_usd" in cents
      debt     : money  from "debt_usd" in cents optional default $0
      issuer   : text
      rating   : text   optional
      spread   : bps    optional
    data fund from snapshot
      equity   : money  from "fund.equity_usd" in cents
      debt     : money  from "fund.debt_usd" in cents
      holdings : list of holding
    data deal from deal
      id       : text
      name     : text
      sector   : sector
      domicile : country
      value    : money  from "value_usd" in cents
      debt     : money  from "debt_usd" in cents
      issuer   : text
    pro forma: the deal joins holdings with
      id = deal.id, name = deal.name, sector = deal.sector, domicile = deal.domicile,
      value = deal.value, debt = deal.debt, issuer = deal.issuer
    define nav = sum of holdings.value
    define total_debt = fund.debt + sum of holdings.debt

    """

  /// Clauses of every form the columnar paths handle, and some they leave to the general path.
  static let clauses = """
    §1 "domicile"
      every holding in holdings: holding.domicile = US
    §2 "sector cap"
      for each sector:
        share of holdings.value where sector = that sector <= 40%
    §3 "issuer cap"
      for each issuer:
        sum of holdings.value where issuer = that issuer <= 2% of nav
    §4 "per country"
      for each domicile:
        (count of holdings where domicile = that domicile and value > $1m) <= 4000
    §5 "leverage"
      total_debt <= 2.0x fund.equity
    §6 "deal sector"
      tested on pro forma
      share of holdings.value where sector = deal.sector <= 40%
    §7 "deal issuer"
      tested on pro forma
      share of holdings.value where issuer = deal.issuer and domicile = US <= 1%
    §8 "mixed filter"
      (count of holdings where (sector = power or value > $15m) and not (domicile = JP)) <= 1500
    §9 "no overlevered power"
      no holding in holdings where sector = power: holding.debt > holding.value
    §10 "some foreign large"
      some holding in holdings where domicile != US: holding.value >= $5m
    §11 "listed sectors"
      every holding in holdings where sector in [power, logistics]: holding.issuer != "ISS-000001"
    §12 "average"
      average of holdings.value where sector not in [other] >= $1
    §13 "min and max"
      min of holdings.value where sector = power > $0
      max of holdings.value where domicile = GB < $30m
    §14 "weighted"
      weighted average of holdings.spread by holdings.value <= 500 bps
    §15 "share by count"
      share of holdings where domicile = US >= 50%
    §16 "rated"
      sum of holdings.value where rating = "A" <= 60% of nav
    §17 "one holding"
      sum of holdings.value where id = "H0000007" <= $20m
    §18 "by rating"
      for each rating:
        share of holdings.value where rating = that rating <= 70%
    §19 "text inequality"
      (count of holdings where issuer != "ISS-WHALE" and name != "Holding 3") >= 0
    §20 "money bound"
      (count of holdings where value >= $10,000.01 and debt < $100k) <= 5000

    """

  /// Grouping by a text that never repeats: one group per holding (quadratic when evaluated
  /// naively, so it is compared with evaluation over plain values instead).
  static let byName = """
    §21 "by name"
      for each name:
        count of holdings where name = that name <= 2

    """

  static let sectors = ["ai_datacenter", "power", "semiconductor_backend", "logistics", "other"]

  /// Holdings in the harness's shape with the irregularities real exports have: keys out of
  /// order, extra keys, escapes, whitespace, optional fields missing or null, amounts as text.
  static func holdingsJSON(_ n: Int, seed: UInt64, issuers: Int) -> String {
    var rng = SplitMix(seed: seed)
    var items: [String] = []
    for i in 0..<n {
      let value = 1_000_000 + Int(rng.next() % 2_000_000_000)
      let debt = value * Int(rng.next() % 70) / 100
      let sector = sectors[Int(rng.next() % 5)]
      let domicile = rng.next() % 50 == 0 ? ["GB", "JP", "DE"][Int(rng.next() % 3)] : "US"
      var issuer = "ISS-" + String(format: "%06d", Int(rng.next() % UInt64(issuers)))
      if rng.next() % 97 == 0 { issuer = "ISS-WHALE" }
      var fields: [(String, String)] = [
        ("id", "\"H\(String(format: "%07d", i))\""),
        ("name", "\"Holding \(i)\""),
        ("sector", "\"\(sector)\""),
        ("domicile", "\"\(domicile)\""),
        ("value_usd", rng.next() % 61 == 0 ? "\"\(value)\"" : "\(value)"),
        ("debt_usd", "\(debt)"),
        ("issuer", rng.next() % 89 == 0 ? "\"ISS-\\u0030" + issuer.dropFirst(5) + "\"" : "\"\(issuer)\""),
      ]
      switch rng.next() % 5 {
      case 0: fields.append(("rating", "\"A\""))
      case 1: fields.append(("rating", "\"BB\""))
      case 2: fields.append(("rating", "null"))
      default: break
      }
      if rng.next() % 3 == 0 { fields.append(("spread", "\(Int(rng.next() % 900))")) }
      if rng.next() % 7 == 0 { fields.append(("extra_column", "{\"nested\": [1, 2, {\"x\": \"y\"}]}")) }
      if rng.next() % 11 == 0 { fields.removeAll { $0.0 == "debt_usd" } }
      if rng.next() % 13 == 0 {
        for k in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(k, Int(rng.next() % UInt64(k + 1))) }
      }
      if rng.next() % 17 == 0, let k = fields.firstIndex(where: { $0.0 == "id" }) { fields[k].0 = "i\\u0064" }  // an escaped key
      let sep = rng.next() % 19 == 0 ? " ,\n  " : ","
      items.append("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: sep) + "}")
    }
    return "{\"fund\": {\"equity_usd\": 9000000000000, \"debt_usd\": 1000000000}, \"holdings\": [\n" + items.joined(separator: ",\n") + "\n]}"
  }

  static func dealsJSON(_ m: Int, seed: UInt64, issuers: Int) -> [String] {
    var rng = SplitMix(seed: seed)
    return (0..<m).map { j in
      let issuer = rng.next() % 3 == 0 ? "ISS-NEW-\(j)" : "ISS-" + String(format: "%06d", Int(rng.next() % UInt64(issuers)))
      let value = 100_000_000 + Int(rng.next() % 200_000_000_000)
      return """
        {"id": "D\(j)", "name": "Deal \(j)", "sector": "\(sectors[Int(rng.next() % 5)])", "domicile": "\(rng.next() % 4 == 0 ? "CA" : "US")", "value_usd": \(value), "debt_usd": \(value / 3), "issuer": "\(issuer)"}
        """
    }
  }

  func load(_ c: CheckedCovenant, _ text: String) throws -> (Value, JSONDocument) {
    let doc = try JSONParser.parse(Array(text.utf8)).get()
    return (try DataLoader.load(doc, record: try #require(c.schema.snapshot), schema: c.schema, file: "p.json").get(), doc)
  }

  @Test func columnsHoldWhatRecordByRecordLoadingReads() throws {
    let c = try #require(compile(Self.covenantHeader + Self.clauses).covenant)
    let text = Self.holdingsJSON(6_000, seed: 1, issuers: 900)
    let (snap, doc) = try load(c, text)
    guard case .record(let fields) = snap, case .list(let list) = fields[2] else { Issue.record("no list"); return }
    #expect(list.table != nil)
    let holdings = try #require(doc.member(doc.root, "holdings"))
    let record = try #require(c.schema.records.firstIndex { $0.name == "holding" })
    let elements = Array(doc.elements(holdings))
    #expect(list.base.count == elements.count)
    for (i, e) in elements.enumerated() {
      let one = try DataLoader.load(doc, record: record, schema: c.schema, file: "p.json", node: e, path: JSONPath().appending(key: "holdings").appending(index: i)).get()
      if list.base[i] != one { Issue.record("row \(i): \(list.base[i]) != \(one)"); break }
    }
    // The unique texts are kept as slices of the source, the repeated ones interned.
    guard let table = list.table else { return }
    if case .slices = table.columns[0], case .slices = table.columns[1] {} else { Issue.record("identifiers and names not kept as slices") }
    if case .interned = table.columns[6] {} else { Issue.record("issuers not interned") }
    if case .money(_, 2, "USD") = table.columns[4] {} else { Issue.record("amounts not in cents") }
  }

  @Test func badRowsAreReportedAsRecordByRecordReportsThem() throws {
    let c = try #require(compile(Self.covenantHeader + Self.clauses).covenant)
    var text = Self.holdingsJSON(300, seed: 2, issuers: 50)
    // Break a few rows in different ways.
    text = text.replacingOccurrences(of: "\"sector\":\"power\"", with: "\"sector\":\"powr\"", options: [], range: text.range(of: "\"sector\":\"power\""))
    text = text.replacingOccurrences(of: "\"domicile\":\"US\",\"value_usd\":1", with: "\"domicile\":\"UK\",\"value_usd\":-1", options: [], range: text.range(of: "\"domicile\":\"US\",\"value_usd\":1"))
    text = text.replacingOccurrences(of: "\"name\":\"Holding 42\",", with: "")
    text = text.replacingOccurrences(of: "\"id\":\"H0000077\"", with: "\"id\":77")
    text = text.replacingOccurrences(of: "\"id\":\"H0000078\"", with: "\"id\":null")
    let doc = try JSONParser.parse(Array(text.utf8)).get()
    guard case .failure(let all) = DataLoader.load(doc, record: try #require(c.schema.snapshot), schema: c.schema, file: "p.json") else {
      Issue.record("the broken data loaded")
      return
    }
    let holdings = try #require(doc.member(doc.root, "holdings"))
    let record = try #require(c.schema.records.firstIndex { $0.name == "holding" })
    var expected: [Diagnostic] = []
    for (i, e) in doc.elements(holdings).enumerated() {
      if case .failure(let d) = DataLoader.load(doc, record: record, schema: c.schema, file: "p.json", node: e, path: JSONPath().appending(key: "holdings").appending(index: i)) {
        expected += d.list
      }
    }
    #expect(all.list.count >= 5)
    #expect(all.list == expected)
  }

  @Test func columnarEvaluationEqualsNaiveEvaluation() throws {
    let c = try #require(compile(Self.covenantHeader + Self.clauses).covenant)
    let (snap, doc) = try load(c, Self.holdingsJSON(1_200, seed: 3, issuers: 150))
    var fast = CovenantRunner(covenant: c, snapshot: snap)
    var naive = CovenantRunner(covenant: c, snapshot: snap)
    naive.naive = true
    #expect(try fast.check(deal: nil) == naive.check(deal: nil))
    var verdicts = Set<Verdict>()
    for expected in try expectEqualToNaive(&fast, c, snap, doc, deals: Self.dealsJSON(12, seed: 4, issuers: 150)) {
      for clause in expected.clauses { verdicts.insert(clause.verdict) }
    }
    #expect(verdicts.isSuperset(of: [.pass, .breach]))
  }

  /// Each deal checked by `fast` (caches kept across deals) against a fresh, naive check of it
  /// alone; returns the naive results.
  func expectEqualToNaive(_ fast: inout CovenantRunner, _ c: CheckedCovenant, _ snap: Value, _ doc: JSONDocument, deals: [String]) throws -> [CheckResult] {
    let dealRecord = try #require(c.schema.deal)
    var results: [CheckResult] = []
    for text in deals {
      let dealDoc = try JSONParser.parse(Array(text.utf8)).get()
      let deal = try DataLoader.load(dealDoc, record: dealRecord, schema: c.schema, file: "d.json").get()
      let gov = try DataLoader.governance(deal: dealDoc, dealFile: "d.json", snapshot: doc, covenant: c).get()
      var fresh = CovenantRunner(covenant: c, snapshot: snap)
      fresh.naive = true
      let expected = try fresh.check(deal: deal, dealData: gov)
      #expect(try fast.check(deal: deal, dealData: gov) == expected)
      results.append(expected)
    }
    return results
  }

  /// The clauses again under other ids, with other binder names and spacing: what the 10,000-clause
  /// benchmark covenant is (its 1,250 `for each issuer` clauses each computed the per-issuer
  /// totals while the planner told copies apart by their spans and slots).
  static var clausesAgain: String {
    clauses.replacingOccurrences(of: "§", with: "§10")
      .replacingOccurrences(of: "holding in holdings", with: "h in  holdings")
      .replacingOccurrences(of: "holding.", with: "h.")
      .replacingOccurrences(of: "that ", with: "that  ")
  }

  @Test func identicalAggregatesOfDifferentClausesShareTheirIDs() throws {
    let once = CovenantSession.plan(try #require(compile(Self.covenantHeader + Self.clauses).covenant))
    let c = try #require(compile(Self.covenantHeader + Self.clauses + Self.clausesAgain).covenant)
    let twice = CovenantSession.plan(c)
    #expect(twice.covenant.clauses.count == 2 * once.covenant.clauses.count)
    #expect(twice.aggregateCount == once.aggregateCount)
    #expect(twice.quantifierCount == once.quantifierCount)
    // Different aggregates still have different ids: the sector and issuer caps, a deal's.
    #expect(once.aggregateCount >= 10)
    // Each copy gives what its original gives, and what a naive evaluation gives.
    let (snap, doc) = try load(c, Self.holdingsJSON(900, seed: 8, issuers: 120))
    var fast = CovenantRunner(covenant: c, snapshot: snap)
    var naive = CovenantRunner(covenant: c, snapshot: snap)
    naive.naive = true
    let report = try fast.check(deal: nil)
    #expect(try report == naive.check(deal: nil))
    let n = once.covenant.clauses.count
    for i in 0..<n {
      #expect(report.clauses[i].verdict == report.clauses[n + i].verdict)
      #expect(report.clauses[i].snapshot?.outcomes.map(\.holds) == report.clauses[n + i].snapshot?.outcomes.map(\.holds))
    }
    _ = try expectEqualToNaive(&fast, c, snap, doc, deals: Self.dealsJSON(6, seed: 9, issuers: 120))
  }

  /// What a covenant of many small clauses holds per clause (issue 18.4: `validate` of 90,000
  /// one-line clauses within 4× the file): a checked node 48 bytes inline, a clause record
  /// without its rarely used parts, a requirement's text read from the file when reported.
  @Test func checkedNodesAndClausesStaySmall() throws {
    #expect(MemoryLayout<TExpr>.stride <= 48)
    #expect(MemoryLayout<CheckedClause>.stride <= 88)
    let source = Self.covenantHeader + "§1 \"leverage\"\n  total_debt   <= 2.0x fund.equity\n"
    let c = try #require(compile(source).covenant)
    #expect(c.clauses[0].requirements[0].source == "total_debt   <= 2.0x fund.equity")
    #expect(c.clauses[0].appliesWhen.isEmpty && c.clauses[0].reports.isEmpty && c.clauses[0].displacedBy.isEmpty)
    var r = c.clauses[0].requirements[0]
    r.source = "written"
    #expect(r.source == "written" && r != c.clauses[0].requirements[0])
  }

  @Test func evaluationOverColumnsEqualsEvaluationOverValues() throws {
    // The same snapshot held as plain values (as before columns existed) gives the same report;
    // 4,500 holdings, so that identifiers and names are kept as slices of the source.
    let c = try #require(compile(Self.covenantHeader + Self.clauses + Self.byName).covenant)
    let (snap, _) = try load(c, Self.holdingsJSON(4_500, seed: 5, issuers: 300))
    guard case .record(var fields) = snap, case .list(let list) = fields[2] else { Issue.record("no list"); return }
    fields[2] = .list(ListValue(base: Array(list.base)))
    var columns = CovenantRunner(covenant: c, snapshot: snap)
    var values = CovenantRunner(covenant: c, snapshot: .record(fields))
    #expect(try columns.check(deal: nil) == values.check(deal: nil))
  }

  @Test func batchSharesTheSnapshotScanAndEqualsNaive() throws {
    let c = try #require(compile(Self.covenantHeader + Self.clauses).covenant)
    let text = Self.holdingsJSON(800, seed: 6, issuers: 100)
    let (snap, doc) = try load(c, text)
    let deals = "{\"deals\": [" + Self.dealsJSON(15, seed: 7, issuers: 100).joined(separator: ",") + "]}"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("deals-\(UUID().uuidString).json")
    try Data(deals.utf8).write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    let inputs = try DealSource.read(path.path).get()
    var runner = CovenantRunner(covenant: c, snapshot: snap)
    let batch = runner.checkBatch(inputs, snapshotDocument: doc)
    // Every deal after the first found the pro-forma group totals already computed.
    #expect(runner.cache.grouped(1) != nil || runner.cache.store.tables.withLock { !$0.grouped.isEmpty })
    for (input, entry) in zip(inputs, batch) {
      var fresh = CovenantRunner(covenant: c, snapshot: snap)
      fresh.naive = true
      let deal = try DataLoader.load(input.document, record: try #require(c.schema.deal), schema: c.schema, file: input.source, node: input.node, path: input.path).get()
      let gov = try DataLoader.governance(deal: input.document, dealFile: input.source, snapshot: doc, covenant: c, node: input.node, path: input.path).get()
      // The naive reference without the solver (which would run it per group over every row);
      // the solver's figures are compared with a fresh incremental check below.
      var verdictsOnly = entry.result
      verdictsOnly?.capacity = nil
      for i in verdictsOnly?.clauses.indices ?? 0..<0 { verdictsOnly?.clauses[i].largestAmount = nil }
      #expect(try fresh.check(deal: deal, dealData: gov, bounds: false) == verdictsOnly, "\(input.source)")
      var incremental = CovenantRunner(covenant: c, snapshot: snap)
      #expect(try incremental.check(deal: deal, dealData: gov) == entry.result, "\(input.source)")
    }
  }

  @Test func largeDocumentsAreNavigatedWithoutRescanning() throws {
    let c = try #require(compile(Self.covenantHeader + Self.clauses).covenant)
    let text = Self.holdingsJSON(2_000, seed: 8, issuers: 100).dropLast() + ", \"after\": {\"k\": [1, 2, 3]}}"
    let doc = try JSONParser.parse(Array(text.utf8)).get()
    let holdings = try #require(doc.member(doc.root, "holdings"))
    #expect(doc.count(holdings) == 2_000)
    #expect(doc.large.find(Int(holdings.index)) != nil)
    #expect(doc.member(doc.root, "after").flatMap { doc.member($0, "k") }.map(doc.count) == 3)
    #expect(Array(doc.members(doc.root)).map(\.key) == ["fund", "holdings", "after"])
    let last = try #require(Array(doc.elements(holdings)).last)
    #expect(doc.member(last, "name").flatMap(doc.string) == "Holding 1999")
    _ = c
  }

  @Test func exactSumsOfCentsAreReduced() throws {
    // Columns keep cents as integers; figures built from them are reduced fractions.
    #expect(Exact(units: 1_050, scale: 2) == (try Exact(num: 21, den: 2)))
    #expect(Exact(units: -7, scale: 2) == (try Exact(num: -7, den: 100)))
    #expect(Exact(units: 0, scale: 2) == .zero)
    #expect(Exact(units: Int64.max, scale: 0) == Exact(integer: Int128(Int64.max)))
    #expect(try Exact.fromUnits(Int128(Int64.max) * 1_000, scale: 2) == (try Exact(num: Int128(Int64.max) * 10, den: 1)))
    #expect(gcd(UInt128(1) << 100, 1 << 40) == 1 << 40)
    #expect(gcd(12, UInt128(18) << 70) == 12)
    #expect(gcd(UInt128(6) << 80, UInt128(15) << 64) == UInt128(3) << 64)
  }
}

extension PerformanceRegressionTests {
  @Test func fastGcdAgreesWithEuclid() {
    func euclid(_ a: UInt128, _ b: UInt128) -> UInt128 { b == 0 ? a : euclid(b, a % b) }
    var rng = SplitMix(seed: 9)
    for i in 0..<20_000 {
      // Operands of every size class: small, 64-bit, mixed, 128-bit, with shared powers of two.
      let shiftA = UInt128(rng.next() % 40), shiftB = UInt128(rng.next() % 40)
      var a = UInt128(rng.next() >> (rng.next() % 64)), b = UInt128(rng.next() >> (rng.next() % 64))
      if i % 3 == 0 { a = a << 64 | UInt128(rng.next()) }
      if i % 5 == 0 { b = b << 50 | UInt128(rng.next()) }
      a <<= shiftA % 20
      b <<= shiftB % 20
      #expect(gcd(a, b) == euclid(a, b))
    }
  }

  @Test func sortedKeysFollowByteOrder() {
    var rng = SplitMix(seed: 10)
    let alphabet = Array("AZaz09-_é\u{0}".utf8)
    var strings = Set<String>()
    while strings.count < 3_000 {
      let n = Int(rng.next() % 24)
      let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      strings.insert(String(decoding: bytes, as: UTF8.self))
    }
    let list = Array(strings)
    let order = RecordTable.sortedByBytes(list.count, [Bool](repeating: true, count: list.count)) { ArraySlice(list[$0].utf8) }
    #expect(order.map { list[$0] } == list.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
  }
}

extension PerformanceRegressionTests {
  @Test func eightDigitsAtOnce() {
    var rng = SplitMix(seed: 11)
    for _ in 0..<10_000 {
      let n = rng.next() % 100_000_000
      let text = String(format: "%08llu", n)
      let w = Array(text.utf8).withUnsafeBufferPointer { JSONScan.word($0, 0) }
      #expect(JSONScan.allDigits(w))
      #expect(JSONScan.eightDigits(w) == n)
    }
    for bad in ["1234567a", "/2345678", ":2345678", "1234 678", "12345.78"] {
      #expect(!Array(bad.utf8).withUnsafeBufferPointer { JSONScan.allDigits(JSONScan.word($0, 0)) })
    }
  }
}

extension PerformanceRegressionTests {
  static let cleanCovenant = """
    covenant "Clean" version 2026-01-01
    base currency USD
    kind sector = ai_datacenter | power | semiconductor_backend | logistics | other
    record holding
      id       : text
      name     : text
      sector   : sector
      domicile : country
      value    : money  from "value_usd" in cents
      debt     : money  from "debt_usd" in cents optional default $0
      issuer   : text
      rating   : text   optional
    data fund from snapshot
      holdings : list of holding
    §1 "cap"
      for each issuer:
        share of holdings.value where issuer = that issuer <= 1%

    """

  /// Rows every field of which takes the fast path, so that a long list is read in parallel.
  static func cleanHoldings(_ n: Int, seed: UInt64) -> String {
    var rng = SplitMix(seed: seed)
    var items: [String] = []
    for i in 0..<n {
      let value = 1_000_000 + Int(rng.next() % 2_000_000_000)
      var row = "{\"id\":\"H\(i)\",\"name\":\"Holding \(i)\",\"sector\":\"\(sectors[Int(rng.next() % 5)])\","
        + "\"domicile\":\"\(rng.next() % 40 == 0 ? "JP" : "US")\",\"value_usd\":\(value),"
      if rng.next() % 9 != 0 { row += "\"debt_usd\":\(value / 3)," }
      if rng.next() % 3 == 0 { row += "\"rating\":\"\(["A", "BB", "C"][Int(rng.next() % 3)])\"," }
      row += "\"issuer\":\"ISS-\(rng.next() % UInt64(n / 4))\"}"
      items.append(row)
    }
    return "{\"holdings\": [" + items.joined(separator: ",\n") + "]}"
  }

  @Test func longListsReadInParallelEqualRecordByRecordReading() throws {
    let c = try #require(compile(Self.cleanCovenant).covenant)
    let text = Self.cleanHoldings(40_000, seed: 12)
    let (snap, doc) = try load(c, text)
    guard case .record(let fields) = snap, case .list(let list) = fields[0], let table = list.table else {
      Issue.record("no table")
      return
    }
    let holdings = try #require(doc.member(doc.root, "holdings"))
    #expect(doc.large.checkpoints(of: Int(holdings.index)).count == 4)
    let elements = Array(doc.elements(holdings))
    #expect(table.count == elements.count)
    var firstSeen: [String] = []
    var seen = Set<String>()
    for (i, e) in elements.enumerated() {
      let one = try DataLoader.load(doc, record: 0, schema: c.schema, file: "p.json", node: e, path: JSONPath().appending(key: "holdings").appending(index: i)).get()
      if list.base[i] != one {
        Issue.record("row \(i): \(list.base[i]) != \(one)")
        break
      }
      if case .record(let f) = one, case .text(let issuer) = f[6], seen.insert(issuer).inserted { firstSeen.append(issuer) }
    }
    // Interned values are numbered in order of first appearance, as a reading in order numbers them.
    if case .interned(_, let strings, _, _) = table.columns[6] { #expect(strings.all == firstSeen) } else { Issue.record("issuers not interned") }
    if case .slices = table.columns[0] {} else { Issue.record("identifiers not kept as slices") }
  }

  @Test func aBadRowInALongListIsReportedInOrder() throws {
    let c = try #require(compile(Self.cleanCovenant).covenant)
    var text = Self.cleanHoldings(30_000, seed: 13)
    text = text.replacingOccurrences(of: "{\"id\":\"H29000\",\"name\":\"Holding 29000\",\"sector\":\"", with: "{\"id\":\"H29000\",\"name\":\"Holding 29000\",\"sector\":\"x")
    text = text.replacingOccurrences(of: "{\"id\":\"H20000\",\"name\":\"Holding 20000\",", with: "{\"id\":\"H20000\",")
    let doc = try JSONParser.parse(Array(text.utf8)).get()
    guard case .failure(let all) = DataLoader.load(doc, record: try #require(c.schema.snapshot), schema: c.schema, file: "p.json") else {
      Issue.record("the broken data loaded")
      return
    }
    let holdings = try #require(doc.member(doc.root, "holdings"))
    var expected: [Diagnostic] = []
    for (i, e) in doc.elements(holdings).enumerated() {
      if case .failure(let d) = DataLoader.load(doc, record: 0, schema: c.schema, file: "p.json", node: e, path: JSONPath().appending(key: "holdings").appending(index: i)) {
        expected += d.list
      }
    }
    #expect(all.list.count == 2)
    #expect(all.list == expected)
  }
}

extension PerformanceRegressionTests {
  /// The join of a parallel read gives back an array's pages as it reads it: every element must
  /// still be read, in order, whatever the size and element width, and the array is left empty.
  @Test func consumingAnArrayReadsEveryElementInOrder() {
    var rng = SplitMix(seed: 21)
    for n in [0, 1, 4095, 65_537, 1_000_003] {
      let wide = (0..<n).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
      var source = wide
      var read: [UInt32] = []
      var chunks = 0
      ConsumedPages.consume(&source) {
        read.append(contentsOf: $0)
        chunks += 1
      }
      #expect(read == wide, "\(n) words")
      #expect(source.isEmpty)
      #expect(n < 200_000 || chunks > 1, "a large array is read in more than one chunk")
      var bytes = wide.map { UInt8(truncatingIfNeeded: $0) }
      let copy = bytes
      var back: [UInt8] = []
      ConsumedPages.consume(&bytes) { back.append(contentsOf: $0) }
      #expect(back == copy, "\(n) bytes")
    }
  }

  /// Joining the second half's intern table into the first numbers every value as inserting
  /// the second half's values in order would, with the second's numbers mapped; more than
  /// 65,536 values, so that its bytes and bounds are given back on the way.
  @Test func absorbingAnInternIndexNumbersAsInsertingInOrder() {
    var rng = SplitMix(seed: 22)
    func text() -> String {
      switch rng.next() % 10 {
      case 0: return ""
      case 1: return ["Café", "Cafe\u{301}", "CAFÉ", "café"][Int(rng.next() % 4)]
      case 2: return "obl/\(rng.next() % 300)"
      default: return "ISS-\(rng.next() % 400_000)-" + String(repeating: "x", count: Int(rng.next() % 20))
      }
    }
    let first = (0..<60_000).map { _ in text() }
    let second = (0..<160_000).map { _ in text() }
    var a = InternIndex(), b = InternIndex(), whole = InternIndex()
    for s in first {
      _ = a.insert(s)
      _ = whole.insert(s)
    }
    for s in second {
      _ = b.insert(s)
      _ = whole.insert(s)
    }
    let secondValues = (0..<b.count).map { Array(b.bytes($0)) }
    #expect(secondValues.count > 65_536)
    let map = a.absorb(&b)
    #expect(b.count == 0)
    #expect(a.count == whole.count)
    #expect(map.count == secondValues.count)
    for id in 0..<whole.count where a.bytes(id) != whole.bytes(id) {
      Issue.record("value \(id) differs")
      break
    }
    for (id, value) in secondValues.enumerated() {
      let found = value.withUnsafeBufferPointer { a.find($0) }
      if found != map[id] || found != value.withUnsafeBufferPointer({ whole.find($0) }) {
        Issue.record("second half's value \(id) mapped to \(map[id]), found \(String(describing: found))")
        break
      }
    }
    #expect(a.find("never inserted") == nil)
  }
}
