import Dispatch
import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

extension DataLoader {
  /// Reads an array of `record` objects into a `RecordTable`, one column per field.
  mutating func readTable(_ node: JSONNode, record r: Int, path: JSONPath) -> Value {
    let rec = schema.records[r]
    let plan = rowPlan(r)
    let expectedRows = doc.count(node)
    let bytes = doc.bytes
    var columns = rec.fields.map { ColumnBuilder(field: $0, schema: schema, capacity: expectedRows) }
    guard let start = doc.offset(node) else { return .list(ListValue(base: [])) }
    if plan.usable, !plan.fast.contains(where: { if case .general = $0 { return true }; return false }),
      let table = parallelTable(start: start, plan: plan, record: r, expectedRows: expectedRows)
    {
      return table
    }
    var cells = [Cell](repeating: .missing, count: rec.fields.count)
    var rows = 0
    bytes.withUnsafeBufferPointer { p in
      plan.text.withUnsafeBufferPointer { text in
        plan.ints.withUnsafeBufferPointer { ints in
          plan.fast.withUnsafeBufferPointer { fast in
            var cursor = JSONScan.firstChild(p, container: start)
            var i = 0
            while let c = cursor {
              var end: Int? = nil
              if plan.usable, p[c] == 0x7B {
                end = Self.fastRow(p, at: c, plan: plan, text: text, ints: ints, fast: fast, cells: &cells, columns: &columns,
                  large: doc.large) { f, o in
                  readValue(doc.node(o), field: rec.fields[f], container: doc.node(c),
                    path: path.appending(index: i).appending(key: plan.sources[f]))
                }
              }
              if end == nil {
                let element = doc.node(c)
                let elementPath = path.appending(index: i)
                if p[c] == 0x7B {
                  if case .record(let values) = readRecord(element, record: r, path: elementPath) {
                    for (f, v) in values.enumerated() { columns[f].append(v) }
                  }
                } else {
                  _ = expected(.record(r), element, elementPath)
                }
                end = JSONScan.skipValue(p, at: c, doc.large)
              }
              rows += 1
              i += 1
              if diagnostics.count >= Self.maxErrors { break }
              cursor = JSONScan.nextSibling(p, after: end!)
            }
          }
        }
      }
    }
    let built = columns.map { $0.build() }
    let count = built.isEmpty ? rows : ColumnBuilder.count(built[0])
    return .list(ListValue(table: RecordTable(count: count, columns: built)))
  }

  /// A long list (tens of thousands of rows or more) read in two halves at once, one per core,
  /// and joined: the same columns as reading it in order. Only when every row takes the fast
  /// path; nil otherwise, and the list is then read in order, so that problems are reported in
  /// order, exactly as before.
  func parallelTable(start: Int, plan: RowPlan, record r: Int, expectedRows: Int) -> Value? {
    let checkpoints = doc.large.checkpoints(of: start)
    guard checkpoints.count >= 2 else { return nil }
    let bytes = doc.bytes, large = doc.large, schema = self.schema, fields = schema.records[r].fields
    return bytes.withUnsafeBufferPointer { p -> Value? in
      guard let first = JSONScan.firstChild(p, container: start) else { return nil }
      let middle = JSONScan.skipSpace(p, checkpoints[checkpoints.count / 2])
      let parts = [(from: first, to: middle), (from: middle, to: -1)]
      var results = [[ColumnBuilder]?](repeating: nil, count: 2)
      results.withUnsafeMutableBufferPointer { out in
        plan.text.withUnsafeBufferPointer { text in
          plan.ints.withUnsafeBufferPointer { ints in
            plan.fast.withUnsafeBufferPointer { fast in
              let shared = SharedBuffers(p: p, text: text, ints: ints, fast: fast, out: out)
              DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                let p = shared.p
                // The first part's columns have room for every row: the second's are appended to
                // them in place.
                let room = part == 0 ? expectedRows : expectedRows - expectedRows / 2 + 1
                var columns = fields.map { ColumnBuilder(field: $0, schema: schema, capacity: room) }
                var cells = [Cell](repeating: .missing, count: fields.count)
                var cursor: Int? = parts[part].from
                while let c = cursor, c != parts[part].to {
                  guard p[c] == 0x7B,
                    let end = Self.fastRow(
                      p, at: c, plan: plan, text: shared.text, ints: shared.ints, fast: shared.fast, cells: &cells, columns: &columns,
                      large: large, general: { _, _ in .absent })
                  else { return }
                  cursor = JSONScan.nextSibling(p, after: end)
                }
                if parts[part].to >= 0, cursor != parts[part].to { return }
                shared.out[part] = columns
              }
            }
          }
        }
      }
      // Taken out of `results`, so the first part's arrays are not shared (and copied) when the
      // second's are appended to them.
      guard var columns = results[0], var second = results[1] else { return nil }
      results = []
      for f in columns.indices {
        guard columns[f].append(contentsOf: &second[f]) else { return nil }
        // Each appended column of the second part is released at once.
        second[f] = ColumnBuilder(field: fields[f], schema: schema, capacity: 0)
      }
      let built = columns.map { $0.build() }
      return .list(ListValue(table: RecordTable(count: built.isEmpty ? 0 : ColumnBuilder.count(built[0]), columns: built)))
    }
  }

  /// `p[at..<at+len] == text[start..<start+len]`, eight bytes at a time.
  @inline(__always) static func sameBytes(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ len: Int) -> Bool {
    JSONScan.equalBytes(p, at, text, start, len)
  }

  /// One row on the fast path: returns the offset after the object, or nil (nothing appended)
  /// when the row needs the general path.
  /// `general(field, offset)` reads a field of a rarer type from its node (the sequential path
  /// passes `readValue`; the parallel one never meets such fields).
  static func fastRow(
    _ p: UnsafeBufferPointer<UInt8>, at start: Int, plan: RowPlan, text: UnsafeBufferPointer<UInt8>,
    ints: UnsafeBufferPointer<Int>, fast: UnsafeBufferPointer<FastField>, cells: inout [Cell], columns: inout [ColumnBuilder],
    large: LargeContainers, general: (Int, Int) -> Value
  ) -> Int? {
    let fieldCount = plan.fieldCount, keyCount = plan.keyCount
    let oKeyLen = plan.oKeyLen, oFieldsOf = plan.oFieldsOf, oKeyFields = plan.oKeyFields
    let oNameFirst = plan.oNameFirst, oNameStart = plan.oNameStart, oNameLen = plan.oNameLen
    return cells.withUnsafeMutableBufferPointer { cells -> Int? in
      for f in 0..<fieldCount { cells[f] = .missing }
      var cursor = JSONScan.firstChild(p, container: start)
      var guess = 0
      var end = start + 1
      while let c = cursor {
        // The key: usually the next declared one, compared in place with its closing quote.
        var match = -1
        var keyClose = -1
        if guess < keyCount {
          let len = ints[oKeyLen + guess]
          if c + len + 1 < p.count, p[c + 1 + len] == 0x22, Self.sameBytes(p, c + 1, text, ints[guess], len) {
            match = guess
            keyClose = c + 1 + len
          }
        }
        if match < 0 {
          let key = JSONScan.string(p, at: c)
          if key.escaped { return nil }
          keyClose = key.close
          let len = key.close - key.open - 1
          for k in 0..<keyCount where k != guess && ints[oKeyLen + k] == len && Self.sameBytes(p, c + 1, text, ints[k], len) {
            match = k
            break
          }
        }
        var value = JSONScan.skipSpace(p, keyClose + 1)
        guard value < p.count, p[value] == 0x3A else { return nil }
        value = JSONScan.skipSpace(p, value + 1)
        guard value < p.count else { return nil }
        var valueEnd = -1
        if match >= 0, p[value] != 0x6E {  // null reads as missing
          guess = match + 1
          for q in ints[oFieldsOf + match]..<ints[oFieldsOf + match + 1] {
            let f = ints[oKeyFields + q]
            switch fast[f] {
            case .units:
              // A plain JSON integer (no sign, fraction or exponent) of at most 18 digits.
              var j = value
              var units: Int64 = 0
              if j + 8 <= p.count {
                let w = JSONScan.word(p, j)
                if JSONScan.allDigits(w) {
                  units = Int64(JSONScan.eightDigits(w))
                  j += 8
                }
              }
              while j < p.count, p[j] &- 0x30 < 10, j - value < 18 {
                units = units &* 10 &+ Int64(p[j] &- 0x30)
                j += 1
              }
              guard j > value, j >= p.count || (p[j] &- 0x30 >= 10 && p[j] != 0x2E && p[j] | 0x20 != 0x65) else { return nil }
              cells[f] = .units(units)
              valueEnd = j
            case .member:
              guard p[value] == 0x22 else { return nil }
              let s = JSONScan.string(p, at: value)
              guard !s.escaped else { return nil }
              let len = s.close - s.open - 1
              var m = ints[oNameFirst + f]
              let last = ints[oNameFirst + f + 1]
              while m < last, !(ints[oNameLen + m] == len && Self.sameBytes(p, value + 1, text, ints[oNameStart + m], len)) { m += 1 }
              guard m < last else { return nil }
              cells[f] = .member(UInt8(m - ints[oNameFirst + f]))
              valueEnd = s.close + 1
            case .text, .country:
              guard p[value] == 0x22 else { return nil }
              let s = JSONScan.string(p, at: value)
              guard !s.escaped else { return nil }
              cells[f] = .string(s)
              valueEnd = s.close + 1
            case .general:
              cells[f] = .node(value)
            }
          }
        }
        if valueEnd < 0 { valueEnd = JSONScan.skipValue(p, at: value, large) }
        end = valueEnd
        cursor = JSONScan.nextSibling(p, after: valueEnd)
      }
      // The closing brace.
      end = JSONScan.skipSpace(p, end)
      guard end < p.count, p[end] == 0x7D else { return nil }
      // Check before appending anything: a missing required field, or a country that is not one,
      // goes to the general path, which reports it.
      for f in 0..<fieldCount {
        switch cells[f] {
        case .missing:
          if plan.missing[f] == nil { return nil }
        case .string(let s):
          if case .country = fast[f], !columns[f].isKnownCountry(p, s) { return nil }
        default: break
        }
      }
      for f in 0..<fieldCount {
        switch cells[f] {
        case .missing: columns[f].append(plan.missing[f] ?? .absent)
        case .units(let u): columns[f].appendUnits(u)
        case .member(let m): columns[f].appendMember(m)
        case .string(let s): columns[f].appendString(p, s)
        case .node(let o):
          columns[f].append(general(f, o))
        }
      }
      return end + 1
    }
  }
}
