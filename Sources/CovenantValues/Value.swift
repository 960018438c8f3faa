import Synchronization
/// A runtime value. Records and lists are arrays of values in schema order, so a field access is
/// an index, never a name lookup.
///
/// Small payloads (text, kind members, countries, records) are stored inline, so reading a field
/// allocates nothing; exact figures, dates and lists are boxed to keep every value 24 bytes.
public enum Value: Hashable, Sendable {
  indirect case number(Exact)
  indirect case money(Exact, currency: String)
  indirect case date(CalendarDate)
  case duration(Duration)
  case text(String)
  case bool(Bool)
  case country(String)
  /// A member of a closed set: the kind's index and the member's index in the covenant.
  case kind(Int, Int)
  case record([Value])
  indirect case list(ListValue)
  case fx([String: Exact])
  /// Undefined: the maximum of no holdings, a missing optional field. A requirement that
  /// depends on it is reported as not applicable, with the reason.
  case absent
}

/// A list as evaluation sees it: the data's elements, plus — pro forma — the deal joined to them.
/// Keeping the two apart lets aggregates over the data be computed once and reused per deal.
///
/// The data's elements are either values, or — as the loader builds them for lists of records —
/// a `RecordTable`: one column per field, amounts as scaled integers, kind members as bytes and
/// repeated text interned. A million holdings then take tens of megabytes instead of hundreds,
/// and aggregates run over columns. Either way `base` reads as a collection of record values.
public struct ListValue: Hashable, Sendable {
  package var values: [Value]
  package var table: RecordTable?
  public var extra: [Value]

  public init(base: [Value], extra: [Value] = []) {
    self.values = base
    self.table = nil
    self.extra = extra
  }

  package init(table: RecordTable, extra: [Value] = []) {
    self.values = []
    self.table = table
    self.extra = extra
  }

  /// The data's elements (without the deal's).
  public var base: ListElements {
    get { ListElements(values: values, table: table) }
    set {
      values = Array(newValue)
      table = nil
    }
  }

  package var baseCount: Int { table?.count ?? values.count }
  public var count: Int { baseCount + extra.count }

  public func forEach(_ body: (Value, Int) throws -> Void) rethrows {
    for (i, v) in base.enumerated() { try body(v, i) }
    for (i, v) in extra.enumerated() { try body(v, baseCount + i) }
  }

  public static func == (a: ListValue, b: ListValue) -> Bool {
    guard a.baseCount == b.baseCount, a.extra == b.extra else { return false }
    if let x = a.table, let y = b.table, x === y { return true }
    if a.table == nil, b.table == nil { return a.values == b.values }
    return a.base.elementsEqual(b.base)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(baseCount)
    for v in base { hasher.combine(v) }
    hasher.combine(extra)
  }
}

/// The data's elements of a list, whichever way they are stored.
public struct ListElements: RandomAccessCollection, Sendable {
  let values: [Value]
  let table: RecordTable?

  public var startIndex: Int { 0 }
  public var endIndex: Int { table?.count ?? values.count }
  public subscript(i: Int) -> Value { table?.record(i) ?? values[i] }
}

/// The rows of a list of records, stored by column. Immutable once built, so it is shared by
/// every copy of the snapshot and by every deal's pro-forma view without copying.
package final class RecordTable: Sendable {
  package let count: Int
  package let columns: [Column]

  package init(count: Int, columns: [Column]) {
    self.count = count
    self.columns = columns
  }

  package enum Column: Sendable {
    /// Any values (the general case).
    case values([Value])
    /// Amounts `units / 10^scale` in one currency; `Int64.min` is undefined.
    case money(units: [Int64], scale: Int, currency: String)
    /// Members of kind `kind`; `0xFF` is undefined.
    case kind(kind: Int, members: [UInt8])
    /// Text (or country codes) that repeats: each row holds the number of its distinct value,
    /// `UInt32.max` when undefined; `index` finds the number of a text.
    case interned(ids: [UInt32], strings: InternedStrings, index: InternIndex, country: Bool)
    /// Text that does not repeat (identifiers, names): the texts one after another in `bytes`,
    /// and where each row's ends (it starts where the previous row's ends); the top bit set when
    /// the row's value is undefined. About a third of the memory of as many strings.
    case slices(bytes: [UInt8], ends: [UInt32])
    /// Text kept as strings; nil is undefined.
    case text([String?])
  }

  package static let absentMember: UInt8 = 0xFF
  package static let absentID = UInt32.max
  package static let absentUnits = Int64.min
  package static let absentEnd: UInt32 = 1 << 31

  /// One field of one row as a value.
  @inline(__always) package func value(_ row: Int, _ field: Int) -> Value {
    switch columns[field] {
    case .values(let v): return v[row]
    case .money(let units, let scale, let currency):
      let u = units[row]
      return u == Self.absentUnits ? .absent : .money(Exact(units: u, scale: scale), currency: currency)
    case .kind(let k, let members):
      let m = members[row]
      return m == Self.absentMember ? .absent : .kind(k, Int(m))
    case .interned(let ids, let strings, _, let country):
      let id = ids[row]
      if id == Self.absentID { return .absent }
      return country ? .country(strings[Int(id)]) : .text(strings[Int(id)])
    case .slices(let bytes, let ends):
      guard let range = Self.slice(ends, row) else { return .absent }
      return .text(String(decoding: bytes[range], as: UTF8.self))
    case .text(let t):
      return t[row].map { .text($0) } ?? .absent
    }
  }

  /// Where row `row`'s text is in a `.slices` column's bytes; nil when undefined.
  @inline(__always) package static func slice(_ ends: [UInt32], _ row: Int) -> Range<Int>? {
    let end = ends[row]
    if end & absentEnd != 0 { return nil }
    let start = row == 0 ? 0 : Int(ends[row - 1] & ~absentEnd)
    return start..<Int(end)
  }

  package func record(_ row: Int) -> Value {
    var fields: [Value] = []
    fields.reserveCapacity(columns.count)
    for f in columns.indices { fields.append(value(row, f)) }
    return .record(fields)
  }
}

/// The distinct texts of an interned column as strings, made on first read rather than as the
/// column is loaded: 917k issuers were 917k strings (15 MB) made while the snapshot's file
/// was still held — at the peak of memory, and a tenth of loading a small file — though only a
/// `for each` over the column (its group keys) or a row read as a value needs them, once the
/// file is gone.
package final class InternedStrings: Sendable {
  let index: InternIndex
  private let made = Mutex<[String]?>(nil)

  package init(_ index: InternIndex) { self.index = index }

  package var count: Int { index.count }

  /// Every text, in the order of their numbers; made once, on the first read.
  package var all: [String] {
    made.withLock { made in
      if let made { return made }
      var strings: [String] = []
      strings.reserveCapacity(index.count)
      for id in 0..<index.count { strings.append(String(decoding: index.bytes(id), as: UTF8.self)) }
      made = strings
      return strings
    }
  }

  package subscript(id: Int) -> String { all[id] }
}

/// Numbers distinct byte strings 0, 1, 2… in order of first insertion: an open-addressing table
/// over a byte arena, so interning a value read from the source allocates nothing per row.
/// The hash is keyed with a per-process random seed, so crafted data cannot force collisions.
package struct InternIndex: Sendable {
  package init() {
  }
  package private(set) var arena: [UInt8] = []
  /// Where each value starts in `arena`; it ends where the next one starts.
  private(set) var starts: [UInt32] = [0]
  private var slots: [UInt32] = [UInt32](repeating: UInt32.max, count: 16)
  /// Each value's hash (its low 32 bits), by number. Compared before the bytes, so a probe that
  /// meets another value reads one word instead of its bounds and its bytes (two cache misses
  /// each, with 917k issuers); and reused, not recomputed, when the table grows or another
  /// index's values are added (`absorb`, joining the two halves of a parallel read).
  private var hashes: [UInt32] = []

  static let seed: UInt64 = UInt64.random(in: 0...UInt64.max)

  package var count: Int { starts.count - 1 }

  package func bytes(_ id: Int) -> ArraySlice<UInt8> { arena[Int(starts[id])..<Int(starts[id + 1])] }

  @inline(__always) static func hash(_ b: UnsafeBufferPointer<UInt8>) -> Int {
    @inline(__always) func mix(_ x: UInt64) -> UInt64 {
      var x = x
      x ^= x >> 32
      x &*= 0xD6E8_FEB8_6659_FD93
      x ^= x >> 32
      return x
    }
    var h = seed ^ (UInt64(b.count) &* 0x9E37_79B9_7F4A_7C15)
    var j = 0
    let raw = UnsafeRawBufferPointer(b)
    while j + 8 <= b.count {
      h = mix(h ^ raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) &+ 0x9E37_79B9_7F4A_7C15
      j += 8
    }
    var tail: UInt64 = 0xFF
    while j < b.count {
      tail = tail << 8 | UInt64(b[j])
      j += 1
    }
    return Int(truncatingIfNeeded: mix(h ^ tail))
  }

  @inline(__always) private func equals(_ id: UInt32, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = Int(starts[Int(id)]), end = Int(starts[Int(id) + 1])
    guard end - start == b.count else { return false }
    return arena.withUnsafeBufferPointer { a in
      var j = 0
      while j < b.count, a[start + j] == b[j] { j += 1 }
      return j == b.count
    }
  }

  package func find(_ b: UnsafeBufferPointer<UInt8>) -> UInt32? {
    let h = UInt32(truncatingIfNeeded: Self.hash(b))
    let mask = slots.count - 1
    var i = Int(h) & mask
    while true {
      let id = slots[i]
      if id == UInt32.max { return nil }
      if hashes[Int(id)] == h, equals(id, b) { return id }
      i = (i + 1) & mask
    }
  }

  package func find(_ s: String) -> UInt32? {
    if let id = s.utf8.withContiguousStorageIfAvailable({ find($0) }) { return id }
    var s = s
    return s.withUTF8 { find($0) }
  }

  /// The number of `b`, inserting it if new.
  package mutating func insert(_ b: UnsafeBufferPointer<UInt8>) -> (id: UInt32, inserted: Bool) {
    insert(b, hash: UInt32(truncatingIfNeeded: Self.hash(b)))
  }

  /// Adds every value of `other` (an index of this process: the same seed) in its order, as if
  /// inserted one by one, and returns the number here of each of its numbers; `other` is left
  /// empty. Joining the two halves of a parallel read, at the peak of memory (the file still
  /// held): `other`'s table of slots is dropped first (its values are looked up here, not
  /// there), the numbers are written over its hashes as each is read (no second array), and its
  /// bytes and bounds are given back page by page as they are copied (`ConsumedPages`), so the
  /// two halves are not held beside the joined table.
  package mutating func absorb(_ other: inout InternIndex) -> [UInt32] {
    var map = other.hashes, bytes = other.arena, bounds = other.starts
    other = InternIndex()
    reserve(count + map.count)
    arena.reserveCapacity(arena.count + bytes.count)
    starts.reserveCapacity(starts.count + map.count)
    map.withUnsafeMutableBufferPointer { map in
      bytes.withUnsafeMutableBufferPointer { bytes in
        bounds.withUnsafeMutableBufferPointer { bounds in
          var releasedBytes = 0, releasedBounds = 0
          for id in 0..<map.count {
            let start = Int(bounds[id]), end = Int(bounds[id + 1])
            map[id] = insert(UnsafeBufferPointer(rebasing: bytes[start..<end]), hash: map[id]).id
            if id & 0xFFFF == 0xFFFF {
              ConsumedPages.release(bytes, upTo: start, released: &releasedBytes)
              ConsumedPages.release(bounds, upTo: id, released: &releasedBounds)
            }
          }
        }
      }
    }
    return map
  }

  private mutating func insert(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt32) -> (id: UInt32, inserted: Bool) {
    let mask = slots.count - 1
    var i = Int(h) & mask
    while true {
      let id = slots[i]
      if id == UInt32.max { break }
      if hashes[Int(id)] == h, equals(id, b) { return (id, false) }
      i = (i + 1) & mask
    }
    let id = UInt32(count)
    arena.append(contentsOf: b)
    starts.append(UInt32(arena.count))
    hashes.append(h)
    slots[i] = id
    if count * 2 > slots.count { grow() }
    return (id, true)
  }

  package mutating func insert(_ s: String) -> (id: UInt32, inserted: Bool) {
    var s = s
    return s.withUTF8 { insert($0) }
  }

  /// Makes room for `n` values in all without growing the table on the way.
  package mutating func reserve(_ n: Int) {
    hashes.reserveCapacity(n)
    var size = slots.count
    while n * 2 > size { size *= 2 }
    if size > slots.count { grow(to: size) }
  }

  private mutating func grow() { grow(to: slots.count * 2) }

  private mutating func grow(to size: Int) {
    // The old slots are not read (the hashes place every value): dropped first, so the old and
    // the new table are not held at once.
    slots = []
    var bigger = [UInt32](repeating: UInt32.max, count: size)
    let mask = bigger.count - 1
    hashes.withUnsafeBufferPointer { hashes in
      bigger.withUnsafeMutableBufferPointer { bigger in
        for id in 0..<hashes.count {
          var i = Int(hashes[id]) & mask
          while bigger[i] != UInt32.max { i = (i + 1) & mask }
          bigger[i] = UInt32(id)
        }
      }
    }
    slots = bigger
  }
}

extension Value {
  /// The figure of a number or an amount of money, without its unit.
  public var magnitude: Exact? {
    switch self {
    case .number(let x), .money(let x, _): x
    default: nil
    }
  }
}
