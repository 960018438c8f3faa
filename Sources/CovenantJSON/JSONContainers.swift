import Synchronization

/// The members of the object last searched by `JSONDocument.member` (its first `limit`).
final class MemberCache: Sendable {
  struct Entry {
    var object = -1
    var keys: [JSONString] = []
    var values: [Int] = []
    var complete = true
  }
  static let limit = 64
  let entry = Mutex(Entry())
}

/// The extents of large containers, sorted by start offset.
package struct LargeContainers: Sendable {
  struct Entry: Sendable {
    var start: UInt32
    var end: UInt32
    var count: UInt32
  }
  var entries: [Entry] = []
  /// Where every `JSONDocument.checkpointEvery`-th element of an array begins (just after the
  /// comma before it), by array and then position.
  struct Checkpoint: Sendable {
    var array: UInt32
    var at: UInt32
  }
  var checkpoints: [Checkpoint] = []

  /// The checkpoints of the array starting at `start`, in order.
  package func checkpoints(of start: Int) -> [Int] {
    let s = UInt32(truncatingIfNeeded: start)
    var lo = 0, hi = checkpoints.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if checkpoints[mid].array < s { lo = mid + 1 } else { hi = mid }
    }
    var out: [Int] = []
    while lo < checkpoints.count, checkpoints[lo].array == s {
      out.append(Int(checkpoints[lo].at))
      lo += 1
    }
    return out
  }

  func find(_ start: Int) -> (end: Int, count: Int)? {
    var lo = 0, hi = entries.count
    let s = UInt32(truncatingIfNeeded: start)
    while lo < hi {
      let mid = (lo + hi) / 2
      if entries[mid].start < s { lo = mid + 1 } else { hi = mid }
    }
    guard lo < entries.count, entries[lo].start == s, start >= 0 else { return nil }
    return (Int(entries[lo].end), Int(entries[lo].count))
  }
}
