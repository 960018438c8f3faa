import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

/// What the parts of a parallel read share: buffers that nobody writes while they run, and one
/// result slot per part, each written by its own part only.
struct SharedBuffers: @unchecked Sendable {
  let p: UnsafeBufferPointer<UInt8>
  let text: UnsafeBufferPointer<UInt8>
  let ints: UnsafeBufferPointer<Int>
  let fast: UnsafeBufferPointer<DataLoader.FastField>
  let out: UnsafeMutableBufferPointer<[ColumnBuilder]?>
}

/// Builds one column of a `RecordTable`, in the compact form the values allow, falling back to
/// plain values as soon as one value does not fit (another currency, a fraction, a kind member
/// past 254). Each form keeps its own arrays, appended in place.
struct ColumnBuilder {
  enum Mode { case values, money, kind, interned, slices, text }
  var mode: Mode
  let capacity: Int
  let field: FieldSchema
  var values: [Value] = []
  var units: [Int64] = []
  var scale = 0
  var currency = ""
  var kind = 0
  var members: [UInt8] = []
  var ids: [UInt32] = []
  var index = InternIndex()
  var country = false
  /// Text that does not repeat: the texts one after another, and where each row's ends.
  var arena: [UInt8] = []
  var ends: [UInt32] = []
  var texts: [String?] = []
  /// Validated country codes, by two-letter code; and the last one seen.
  var lastCountry: (UInt16, UInt32) = (0, UInt32.max)

  /// Interned rows at which to decide whether the text repeats.
  static let probeRows = 4096

  init(field: FieldSchema, schema: Schema, capacity: Int) {
    self.field = field
    self.capacity = capacity
    switch field.type {
    case .money(let fixed) where field.currency == nil:
      mode = .money
      units.reserveCapacity(capacity)
      scale = field.inCents ? 2 : 0
      currency = fixed ?? schema.baseCurrency
    case .kind(let k):
      mode = .kind
      kind = k
      members.reserveCapacity(capacity)
    case .text, .country:
      mode = .interned
      country = field.type == .country
      ids.reserveCapacity(capacity)
      // Room for the values of the rows read before the text is probed (`probe`), so the table
      // does not double on the way (its rehashing was 1% of checking 1,000 holdings).
      index.reserve(Swift.min(capacity, Self.probeRows))
    default:
      mode = .values
      values.reserveCapacity(capacity)
    }
  }

  var count: Int {
    switch mode {
    case .values: values.count
    case .money: units.count
    case .kind: members.count
    case .interned: ids.count
    case .slices: ends.count
    case .text: texts.count
    }
  }

  static func count(_ c: RecordTable.Column) -> Int {
    switch c {
    case .values(let v): v.count
    case .money(let u, _, _): u.count
    case .kind(_, let m): m.count
    case .interned(let ids, _, _, _): ids.count
    case .slices(_, let e): e.count
    case .text(let t): t.count
    }
  }

  /// Every row so far as values, and the column from now on as plain values.
  mutating func generalize() {
    guard mode != .values else { return }
    let t = RecordTable(count: count, columns: [build()])
    var out: [Value] = []
    out.reserveCapacity(Swift.max(capacity, t.count))
    for row in 0..<t.count { out.append(t.value(row, 0)) }
    (units, members, ids, index, arena, ends, texts) = ([], [], [], InternIndex(), [], [], [])
    values = out
    mode = .values
  }

  mutating func append(_ v: Value) {
    switch mode {
    case .values:
      values.append(v)
      return
    case .money:
      if v == .absent {
        units.append(RecordTable.absentUnits)
        return
      }
      if case .money(let x, let c) = v, c == currency, let u = Self.units(x, scale: scale) {
        units.append(u)
        return
      }
    case .kind:
      if v == .absent {
        members.append(RecordTable.absentMember)
        return
      }
      if case .kind(let k, let m) = v, k == kind, m >= 0, m < Int(RecordTable.absentMember) {
        members.append(UInt8(m))
        return
      }
    case .interned:
      if v == .absent {
        ids.append(RecordTable.absentID)
        return
      }
      if case .text(let s) = v, !country {
        ids.append(index.insert(s).id)
        if ids.count == Self.probeRows { probe() }
        return
      }
      if case .country(let s) = v, country {
        ids.append(index.insert(s).id)
        return
      }
    case .slices:
      if v == .absent {
        ends.append(UInt32(arena.count) | RecordTable.absentEnd)
        return
      }
      if case .text(let s) = v {
        arena.append(contentsOf: s.utf8)
        ends.append(UInt32(arena.count))
        return
      }
    case .text:
      if v == .absent {
        texts.append(nil)
        return
      }
      if case .text(let s) = v {
        texts.append(s)
        return
      }
    }
    generalize()
    values.append(v)
  }

  /// Appends the rows of a column built over the following rows of the same list, as if they
  /// had been appended one by one here: the form this column chose (from its first rows) is
  /// kept, and interned values keep their order of first appearance. False if the two cannot be
  /// joined (the caller then reads the list in order; `o` is then untouched). When joined, `o`'s
  /// arrays are read once and given back to the system as they are read (`ConsumedPages`): the
  /// join is the peak of memory of a large snapshot (the file is still held), and the copy and
  /// the original were held side by side there.
  mutating func append(contentsOf o: inout ColumnBuilder) -> Bool {
    switch (mode, o.mode) {
    case (.money, .money) where scale == o.scale && currency == o.currency:
      units.reserveCapacity(units.count + o.units.count)
      ConsumedPages.consume(&o.units) { units.append(contentsOf: $0) }
    case (.kind, .kind) where kind == o.kind:
      members.reserveCapacity(members.count + o.members.count)
      ConsumedPages.consume(&o.members) { members.append(contentsOf: $0) }
    case (.interned, .interned) where country == o.country:
      // Every value of both parts at once (no table doubling on the way), each hashed once.
      let map = index.absorb(&o.index)
      ids.reserveCapacity(ids.count + o.ids.count)
      map.withUnsafeBufferPointer { map in
        ConsumedPages.consume(&o.ids) { part in
          for id in part { ids.append(id == RecordTable.absentID ? id : map[Int(id)]) }
        }
      }
    case (.interned, .slices) where !country:
      ids.reserveCapacity(ids.count + o.ends.count)
      for row in o.ends.indices {
        guard let range = RecordTable.slice(o.ends, row) else {
          ids.append(RecordTable.absentID)
          continue
        }
        ids.append(o.arena[range].withUnsafeBufferPointer { index.insert($0).id })
      }
    case (.slices, .slices):
      let shift = UInt32(arena.count)
      arena.reserveCapacity(arena.count + o.arena.count)
      ConsumedPages.consume(&o.arena) { arena.append(contentsOf: $0) }
      ends.reserveCapacity(ends.count + o.ends.count)
      ConsumedPages.consume(&o.ends) { part in
        for e in part { ends.append(((e & ~RecordTable.absentEnd) + shift) | (e & RecordTable.absentEnd)) }
      }
    case (.slices, .interned) where !o.country:
      for id in o.ids {
        if id != RecordTable.absentID { arena += o.index.bytes(Int(id)) }
        ends.append(UInt32(arena.count) | (id == RecordTable.absentID ? RecordTable.absentEnd : 0))
      }
    case (.values, .values):
      values += o.values
    case (.text, .text):
      texts += o.texts
    default:
      return false
    }
    return true
  }

  /// `x` as units of 10^-scale in an Int64 (not the undefined marker), if exact.
  static func units(_ x: Exact, scale: Int) -> Int64? {
    guard let p = Exact.pow10(scale), let scaled = try? x.multiplied(by: Exact(integer: p)), scaled.isInteger,
      let u = Int64(exactly: scaled.num), u != RecordTable.absentUnits
    else { return nil }
    return u
  }

  /// A JSON integer read on the fast path: units of the field (cents when `in cents`).
  mutating func appendUnits(_ u: Int64) {
    let scale = field.inCents ? 2 : 0
    if mode == .money, scale == self.scale {
      units.append(u)
    } else {
      append(.money(Exact(units: u, scale: scale), currency: currency))
    }
  }

  mutating func appendMember(_ m: UInt8) {
    if mode == .kind { members.append(m) } else if case .kind(let k) = field.type { append(.kind(k, Int(m))) }
  }

  /// Whether the (unescaped) country code at `s` is a valid one; valid codes are interned, so
  /// each is checked once.
  mutating func isKnownCountry(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString) -> Bool {
    guard mode == .interned, country else { return ISOCodes.isCountry(JSONParser.decode(p, s)) }
    let body = UnsafeBufferPointer(rebasing: p[s.open + 1..<s.close])
    if body.count == 2, lastCountry.1 != UInt32.max, UInt16(body[0]) << 8 | UInt16(body[1]) == lastCountry.0 { return true }
    if index.find(body) != nil { return true }
    return ISOCodes.isCountry(JSONParser.decode(p, s))
  }

  /// After the first rows: text whose every value so far is distinct (identifiers, names) is
  /// not worth an index: it is kept as bytes one after another instead.
  mutating func probe() {
    guard mode == .interned, !country, index.count == ids.count else { return }
    // Room for all rows at the average length so far, and a quarter more: reserved memory
    // costs nothing until written, a reallocation of a grown arena costs a copy.
    arena.reserveCapacity(index.arena.count * Swift.max(capacity, ids.count) / Swift.max(ids.count, 1) * 5 / 4 + 64)
    ends.reserveCapacity(Swift.max(capacity, ids.count))
    for id in ids {
      arena.append(contentsOf: index.bytes(Int(id)))
      ends.append(UInt32(arena.count))
    }
    (ids, index) = ([], InternIndex())
    mode = .slices
  }

  /// An unescaped string read on the fast path.
  mutating func appendString(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString) {
    let body = UnsafeBufferPointer(rebasing: p[s.open + 1..<s.close])
    switch mode {
    case .interned:
      if country, body.count == 2, lastCountry.1 != UInt32.max, UInt16(body[0]) << 8 | UInt16(body[1]) == lastCountry.0 {
        ids.append(lastCountry.1)
        return
      }
      let id = index.insert(body).id
      ids.append(id)
      if country {
        if body.count == 2 { lastCountry = (UInt16(body[0]) << 8 | UInt16(body[1]), id) }
        return
      }
      if ids.count == Self.probeRows { probe() }
    case .slices:
      arena.append(contentsOf: body)
      ends.append(UInt32(arena.count))
    case .text:
      texts.append(JSONParser.decode(p, s))
    default:
      let text = JSONParser.decode(p, s)
      append(country ? .country(text) : .text(text))
    }
  }

  func build() -> RecordTable.Column {
    switch mode {
    case .values: return .values(values)
    case .money: return .money(units: units, scale: scale, currency: currency)
    case .kind: return .kind(kind: kind, members: members)
    case .interned:
      return .interned(ids: ids, strings: InternedStrings(index), index: index, country: country)
    case .slices: return .slices(bytes: arena, ends: ends)
    case .text: return .text(texts)
    }
  }
}
