import CovenantValues
import CovenantSyntax
import CovenantSemantics

extension RecordTable {
  /// The distinct defined values of a kind or text column, in `Evaluator.keyOrder`; nil for
  /// other columns.
  func distinctValues(_ field: Int) -> [Value]? {
    guard field < columns.count else { return nil }
    switch columns[field] {
    case .kind(let k, let members):
      var present = [Bool](repeating: false, count: 256)
      for m in members { present[Int(m)] = true }
      return (0..<255).filter { present[$0] }.map { .kind(k, $0) }
    case .interned(_, let interned, _, let country):
      let strings = interned.all
      return distinctIDs(field)?.map { country ? .country(strings[Int($0)]) : .text(strings[Int($0)]) }
    case .slices(let bytes, let ends):
      var index = InternIndex()
      bytes.withUnsafeBufferPointer { p in
        for row in ends.indices {
          if let range = RecordTable.slice(ends, row) { _ = index.insert(UnsafeBufferPointer(rebasing: p[range])) }
        }
      }
      return Self.sortedByBytes(index.count, [Bool](repeating: true, count: index.count)) { index.bytes($0) }
        .map { .text(String(decoding: index.bytes($0), as: UTF8.self)) }
    case .text(let column):
      var index = InternIndex()
      for s in column { if let s { _ = index.insert(s) } }
      return Self.sortedByBytes(index.count, [Bool](repeating: true, count: index.count)) { index.bytes($0) }
        .map { .text(String(decoding: index.bytes($0), as: UTF8.self)) }
    default:
      return nil
    }
  }

  /// The numbers of the distinct defined values of an interned column, in byte order (the order
  /// of `distinctValues`); nil for other columns.
  func distinctIDs(_ field: Int) -> [UInt32]? {
    guard field < columns.count, case .interned(let ids, let strings, let index, _) = columns[field] else { return nil }
    var present = [Bool](repeating: false, count: strings.count)
    for id in ids where id != RecordTable.absentID { present[Int(id)] = true }
    return Self.sortedByBytes(index.count, present) { index.bytes($0) }.map { UInt32($0) }
  }

  /// The numbers of the present values in byte order: a radix sort on their first 16 bytes read
  /// as a 128-bit integer (only on the digits where the values differ), then the rare ties
  /// (longer texts sharing those bytes) by all bytes.
  static func sortedByBytes(_ count: Int, _ present: [Bool], _ bytes: (Int) -> ArraySlice<UInt8>) -> [Int] {
    struct Key {
      var hi: UInt64, lo: UInt64, index: Int32
    }
    var keys: [Key] = []
    keys.reserveCapacity(count)
    var orHi: UInt64 = 0, andHi = UInt64.max, orLo: UInt64 = 0, andLo = UInt64.max
    for i in 0..<count where present[i] {
      var hi: UInt64 = 0, lo: UInt64 = 0
      bytes(i).withUnsafeBufferPointer { b in
        for n in 0..<min(b.count, 16) {
          if n < 8 { hi |= UInt64(b[n]) << (56 - 8 * UInt64(n)) } else { lo |= UInt64(b[n]) << (56 - 8 * UInt64(n - 8)) }
        }
      }
      (orHi, andHi, orLo, andLo) = (orHi | hi, andHi & hi, orLo | lo, andLo & lo)
      keys.append(Key(hi: hi, lo: lo, index: Int32(i)))
    }
    if keys.count > 4_096 {
      // LSD radix sort, 16 bits at a time, only on the digits where some keys differ. Each pass
      // clears and sums 65,536 counts, so below a few thousand keys a comparison sort is cheaper
      // (at 64 keys and up this was 15% of `check` on 1,000 holdings).
      var other = keys
      var counts = [Int](repeating: 0, count: 65_536)
      for pass in 0..<8 {
        let high = pass >= 4
        let shift = UInt64((pass % 4) * 16)
        let varying = high ? (orHi ^ andHi) : (orLo ^ andLo)
        if (varying >> shift) & 0xFFFF == 0 { continue }
        keys.withUnsafeBufferPointer { src in
          other.withUnsafeMutableBufferPointer { dst in
            counts.withUnsafeMutableBufferPointer { counts in
              for j in 0..<counts.count { counts[j] = 0 }
              for k in src { counts[Int(truncatingIfNeeded: ((high ? k.hi : k.lo) >> shift) & 0xFFFF)] += 1 }
              var total = 0
              for j in 0..<counts.count {
                let c = counts[j]
                counts[j] = total
                total += c
              }
              for k in src {
                let d = Int(truncatingIfNeeded: ((high ? k.hi : k.lo) >> shift) & 0xFFFF)
                dst[counts[d]] = k
                counts[d] += 1
              }
            }
          }
        }
        swap(&keys, &other)
      }
      // Ties on the first 16 bytes: order those runs by all their bytes.
      var i = 0
      while i < keys.count {
        var j = i + 1
        while j < keys.count, keys[j].hi == keys[i].hi, keys[j].lo == keys[i].lo { j += 1 }
        if j - i > 1 { keys[i..<j].sort { bytes(Int($0.index)).lexicographicallyPrecedes(bytes(Int($1.index))) } }
        i = j
      }
    } else {
      keys.sort { a, b in
        if a.hi != b.hi { return a.hi < b.hi }
        if a.lo != b.lo { return a.lo < b.lo }
        return bytes(Int(a.index)).lexicographicallyPrecedes(bytes(Int(b.index)))
      }
    }
    return keys.map { Int($0.index) }
  }
}
