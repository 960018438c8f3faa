#if canImport(Glibc)
  import Glibc
#endif

/// Reading an array that is about to be thrown away, giving its memory back to the system as it
/// is read rather than all at once at the end.
///
/// Why: the two halves of a large snapshot's parallel read are joined column by column while the
/// file's bytes are still held, and the peak of memory of the whole check is there (issue 17:
/// 1M holdings with ~917k distinct issuers). Copying a half's 7 MB of names into the joined
/// column, or inserting its 459k issuers into the joined table, held the copy and the original
/// side by side until the original was freed; released page by page as it is read, the original
/// shrinks as the copy grows. Only whole pages already read are released (`madvise`
/// `MADV_DONTNEED`: the kernel takes them back at once; on other systems nothing is done and the
/// array is freed at the end as before).
package enum ConsumedPages {
  #if canImport(Glibc)
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
  #endif

  /// Releases the whole pages of `base[..<upTo]` not released yet; `released` is where the last
  /// call stopped (a page boundary, or the start), updated.
  @inline(__always)
  static func release(_ base: UnsafeMutableRawPointer, upTo: Int, released: inout Int) {
    #if canImport(Glibc)
      let start = UInt(bitPattern: Int(bitPattern: base) + released)
      let end = UInt(bitPattern: Int(bitPattern: base) + upTo) & ~UInt(pageSize - 1)
      // The first page may hold something else before the elements (the array's header):
      // round the start up.
      let from = (start + UInt(pageSize - 1)) & ~UInt(pageSize - 1)
      guard end > from, end - from >= UInt(pageSize) * 16 else { return }
      _ = madvise(UnsafeMutableRawPointer(bitPattern: from), Int(end - from), MADV_DONTNEED)
      released = Int(bitPattern: end) - Int(bitPattern: base)
    #endif
  }

  /// Calls `body` on `array`'s elements chunk by chunk, in order, and empties it; the pages of
  /// each chunk are given back once `body` has read it. The elements are plain values (bytes,
  /// numbers), so nothing is owed to them when their memory goes.
  package static func consume<T: BitwiseCopyable>(_ array: inout [T], _ body: (UnsafeBufferPointer<T>) -> Void) {
    // Taken out first, so the buffer is this function's alone (a shared one would be copied).
    var owned = array
    array = []
    let chunk = Swift.max(1, (1 << 18) / Swift.max(1, MemoryLayout<T>.stride))
    owned.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      var released = 0
      var at = 0
      while at < buffer.count {
        let n = Swift.min(chunk, buffer.count - at)
        body(UnsafeBufferPointer(start: base + at, count: n))
        at += n
        release(UnsafeMutableRawPointer(base), upTo: at * MemoryLayout<T>.stride, released: &released)
      }
    }
  }

  /// Releases the pages of `buffer` before element `upTo` (those already read, and never read
  /// again); for a caller that reads an array in order in its own loop.
  @inline(__always)
  package static func release<T>(_ buffer: UnsafeMutableBufferPointer<T>, upTo: Int, released: inout Int) {
    guard let base = buffer.baseAddress else { return }
    release(UnsafeMutableRawPointer(base), upTo: upTo * MemoryLayout<T>.stride, released: &released)
  }
}
