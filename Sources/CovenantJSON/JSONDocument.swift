import Synchronization

// A strict RFC 8259 reader built for 100+ MB portfolio snapshots. Numbers are never converted:
// the document is the source bytes themselves, so amounts stay exactly as written.
//
// Parsing validates the whole text but builds no tree: a value is named by the offset of its
// first byte, and the accessors read the bytes in place. A 146 MB snapshot therefore costs 146 MB,
// not several times that in nodes. The only table kept is the extent of large containers (at
// least `JSONDocument.indexedSize` bytes), so that stepping over a portfolio's list of holdings to
// reach a key after it is one lookup, never a rescan.

public enum JSONKind: Sendable { case object, array, string, number, bool, null }

/// A value in a `JSONDocument`: the offset of its first byte in the source (the root is also
/// reachable as index 0, whatever whitespace precedes it), so handing values around costs nothing.
public struct JSONNode: Hashable, Sendable {
  public let index: Int32
}

/// A string in the source: offsets of its opening and closing quotes, and whether it has escapes
/// (only those need decoding; all others are sliced as they are).
package struct JSONString: Sendable {
  package var open: Int
  package var close: Int
  package var escaped: Bool
  var content: Range<Int> { open + 1..<close }
}

/// A parsed (validated) JSON document. Accessors trust the validation for speed, but every read
/// is bounds-checked, so a node from another document (or made up) reads as `null` or garbage,
/// never as a trap.
public struct JSONDocument: Sendable {
  public let bytes: [UInt8]
  /// Offset of the root value's first byte.
  let rootOffset: Int
  /// Containers of at least `indexedSize` bytes, by start offset: where they end (one past the
  /// closing bracket) and how many elements or members they have.
  package let large: LargeContainers
  let lines: LineTable
  /// The members of the object last looked up: a reader asks one object for each of its fields
  /// in turn (a deal's fields, then its governance keys), and each ask would rescan it.
  let lastObject: MemberCache

  static let indexedSize = 512
  /// Arrays record where every `checkpointEvery`-th element starts (a power of two).
  static let checkpointEvery = 8192

  init(bytes: [UInt8], rootOffset: Int, large: LargeContainers) {
    self.bytes = bytes
    self.rootOffset = rootOffset
    self.large = large
    self.lines = LineTable()
    self.lastObject = MemberCache()
  }

  public var root: JSONNode { JSONNode(index: 0) }

  /// The offset a node names, if it lies in the document.
  @inline(__always) package func offset(_ n: JSONNode) -> Int? {
    let o = n.index == 0 ? rootOffset : Int(n.index)
    return o >= 0 && o < bytes.count ? o : nil
  }

  @inline(__always) package func node(_ offset: Int) -> JSONNode {
    JSONNode(index: offset == rootOffset ? 0 : Int32(truncatingIfNeeded: offset))
  }

  static func kind(of b: UInt8) -> JSONKind {
    switch b {
    case 0x7B: .object
    case 0x5B: .array
    case 0x22: .string
    case 0x2D, 0x30...0x39: .number
    case 0x74, 0x66: .bool
    default: .null
    }
  }

  public func kind(_ n: JSONNode) -> JSONKind {
    guard let o = offset(n) else { return .null }
    return Self.kind(of: bytes[o])
  }

  /// Slices the source when the string has no escapes; decodes only when it does.
  public func string(_ n: JSONNode) -> String? {
    guard let o = offset(n), bytes[o] == 0x22 else { return nil }
    return bytes.withUnsafeBufferPointer { p in
      let s = JSONScan.string(p, at: o)
      return JSONParser.decode(p, s)
    }
  }

  /// The string at `n` as its quotes' offsets, for reading in place.
  func stringRange(_ n: JSONNode) -> JSONString? {
    guard let o = offset(n), bytes[o] == 0x22 else { return nil }
    return bytes.withUnsafeBufferPointer { JSONScan.string($0, at: o) }
  }

  /// The number exactly as written (`12.50`, `-0`, `1e400`); the reader decides what it may mean.
  public func numberText(_ n: JSONNode) -> Substring? {
    guard let r = numberRange(n) else { return nil }
    return Substring(String(decoding: bytes[r], as: UTF8.self))
  }

  func numberRange(_ n: JSONNode) -> Range<Int>? {
    guard let o = offset(n), Self.kind(of: bytes[o]) == .number else { return nil }
    return o..<bytes.withUnsafeBufferPointer { JSONScan.numberEnd($0, from: o) }
  }

  /// Hands the number's source bytes to `body` without copying, for exact decimal parsing.
  public func withNumberBytes<R, E: Error>(
    _ n: JSONNode, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R? {
    guard let range = numberRange(n) else { return nil }
    return try bytes.withUnsafeBufferPointer { (p) throws(E) -> R in try body(UnsafeBufferPointer(rebasing: p[range])) }
  }

  public func bool(_ n: JSONNode) -> Bool? {
    guard let o = offset(n) else { return nil }
    switch bytes[o] {
    case 0x74: return true
    case 0x66: return false
    default: return nil
    }
  }

  /// Elements of an array or members of an object; 0 for anything else.
  public func count(_ n: JSONNode) -> Int {
    guard let o = offset(n), bytes[o] == 0x7B || bytes[o] == 0x5B else { return 0 }
    if let c = large.find(o) { return c.count }
    return bytes.withUnsafeBufferPointer { p in
      var k = 0
      var cursor = JSONScan.firstChild(p, container: o)
      while let c = cursor {
        k += 1
        let end = JSONScan.skipValue(p, at: bytes[o] == 0x7B ? JSONScan.valueAfterKey(p, key: c) : c, large)
        cursor = JSONScan.nextSibling(p, after: end)
      }
      return k
    }
  }

  /// The elements of an array in order; empty for anything else (objects use `members`).
  public func elements(_ n: JSONNode) -> Elements {
    guard let o = offset(n), bytes[o] == 0x5B else { return Elements(doc: self, cursor: nil) }
    return Elements(doc: self, cursor: bytes.withUnsafeBufferPointer { JSONScan.firstChild($0, container: o) })
  }

  /// The members of an object in source order; empty for anything else.
  public func members(_ n: JSONNode) -> Members {
    guard let o = offset(n), bytes[o] == 0x7B else { return Members(doc: self, cursor: nil) }
    return Members(doc: self, cursor: bytes.withUnsafeBufferPointer { JSONScan.firstChild($0, container: o) })
  }

  public struct Elements: Sequence, IteratorProtocol {
    let doc: JSONDocument
    var cursor: Int?

    public mutating func next() -> JSONNode? {
      guard let c = cursor else { return nil }
      cursor = doc.bytes.withUnsafeBufferPointer { p in
        JSONScan.nextSibling(p, after: JSONScan.skipValue(p, at: c, doc.large))
      }
      return doc.node(c)
    }
  }

  public struct Members: Sequence, IteratorProtocol {
    let doc: JSONDocument
    var cursor: Int?

    public mutating func next() -> (key: String, value: JSONNode)? {
      guard let c = cursor else { return nil }
      return doc.bytes.withUnsafeBufferPointer { p in
        let key = JSONScan.string(p, at: c)
        let value = JSONScan.valueAfterKey(p, key: c)
        cursor = JSONScan.nextSibling(p, after: JSONScan.skipValue(p, at: value, doc.large))
        return (JSONParser.decode(p, key), doc.node(value))
      }
    }
  }

  /// Compares UTF-8 bytes in place: objects are small, so a linear scan beats building a table.
  /// The object's keys and values found by the scan are kept for the next lookup in it.
  public func member(_ n: JSONNode, _ key: String) -> JSONNode? {
    guard let o = offset(n), bytes[o] == 0x7B else { return nil }
    var key = key
    return key.withUTF8 { k in
      bytes.withUnsafeBufferPointer { p -> JSONNode? in
        lastObject.entry.withLock { entry -> JSONNode? in
          if entry.object != o {
            entry.object = o
            entry.keys.removeAll(keepingCapacity: true)
            entry.values.removeAll(keepingCapacity: true)
            var cursor = JSONScan.firstChild(p, container: o)
            while let c = cursor, entry.keys.count < MemberCache.limit {
              let value = JSONScan.valueAfterKey(p, key: c)
              entry.keys.append(JSONScan.string(p, at: c))
              entry.values.append(value)
              cursor = JSONScan.nextSibling(p, after: JSONScan.skipValue(p, at: value, large))
            }
            entry.complete = cursor == nil
          }
          for (i, s) in entry.keys.enumerated() where JSONParser.stringEquals(p, s, k) { return node(entry.values[i]) }
          guard !entry.complete, let last = entry.values.last else { return nil }
          // An object too large to keep: scan on past the kept members.
          var cursor = JSONScan.nextSibling(p, after: JSONScan.skipValue(p, at: last, large))
          while let c = cursor {
            let value = JSONScan.valueAfterKey(p, key: c)
            if JSONParser.stringEquals(p, JSONScan.string(p, at: c), k) { return node(value) }
            cursor = JSONScan.nextSibling(p, after: JSONScan.skipValue(p, at: value, large))
          }
          return nil
        }
      }
    }
  }

  /// Lets enum-like values (sectors, ratings) be matched without building a String per value.
  public func stringEquals(_ n: JSONNode, _ s: String) -> Bool {
    guard let r = stringRange(n) else { return false }
    var s = s
    return s.withUTF8 { k in bytes.withUnsafeBufferPointer { JSONParser.stringEquals($0, r, k) } }
  }

  /// 1-based line and column (UTF-8 bytes, not counting a BOM) of the value's first byte.
  /// Only error messages need this, so lines are indexed on first use.
  public func location(_ n: JSONNode) -> (line: Int, column: Int) {
    lines.location(of: offset(n) ?? 0, in: bytes)
  }
}
