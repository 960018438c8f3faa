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

/// Navigation over validated JSON bytes. Every loop is bounded by the buffer, so offsets that do
/// not start a value (a made-up node) give nonsense but never trap.
package enum JSONScan {
  /// Eight bytes from `j` (the caller checks `j + 8 <= p.count`), first byte lowest.
  @inline(__always) package static func word(_ p: UnsafeBufferPointer<UInt8>, _ j: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + j).loadUnaligned(as: UInt64.self))
  }

  /// `x[i..<i+len] == y[j..<j+len]`, a word at a time: keys are short, so a word (masked to the
  /// length) usually settles it.
  @inline(__always) package static func equalBytes(
    _ x: UnsafeBufferPointer<UInt8>, _ i: Int, _ y: UnsafeBufferPointer<UInt8>, _ j: Int, _ len: Int
  ) -> Bool {
    guard i >= 0, j >= 0, i + len <= x.count, j + len <= y.count else { return false }
    var k = 0
    while k + 8 <= len {
      if word(x, i + k) != word(y, j + k) { return false }
      k += 8
    }
    let rest = len - k
    if rest == 0 { return true }
    if i + k + 8 <= x.count, j + k + 8 <= y.count {
      let mask: UInt64 = (1 << UInt64(rest * 8)) &- 1
      return (word(x, i + k) ^ word(y, j + k)) & mask == 0
    }
    while k < len {
      if x[i + k] != y[j + k] { return false }
      k += 1
    }
    return true
  }

  /// Whether all eight bytes of `w` are ASCII digits.
  @inline(__always) package static func allDigits(_ w: UInt64) -> Bool {
    (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
  }

  /// The value of eight ASCII digits (the first byte the most significant), by three multiplies.
  @inline(__always) package static func eightDigits(_ w: UInt64) -> UInt64 {
    var v = w
    v = ((v & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) >> 8
    v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
    return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
  }

  /// How many of the eight bytes in `w` come before the first one a string scan must look at:
  /// a quote, a backslash, a control character or a non-ASCII byte (8 when there is none).
  /// Bit tricks on the whole word: a flagged byte above the first may be spurious (a borrow),
  /// the first one never is.
  @inline(__always) static func special(_ w: UInt64) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
    let m = (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w) | w) & highs
    return m.trailingZeroBitCount >> 3
  }

  @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

  @inline(__always) package static func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    var i = i
    while i < p.count, isSpace(p[i]) { i += 1 }
    return i
  }

  /// The string whose opening quote is at `at`.
  @inline(__always) package static func string(_ p: UnsafeBufferPointer<UInt8>, at: Int) -> JSONString {
    var j = at + 1
    var escaped = false
    while j < p.count {
      if j + 8 <= p.count {
        let k = special(word(p, j))
        j += k
        if k == 8 { continue }
      }
      let b = p[j]
      if b == 0x22 { return JSONString(open: at, close: j, escaped: escaped) }
      if b == 0x5C {
        escaped = true
        j += 2
      } else {
        j += 1
      }
    }
    return JSONString(open: at, close: max(at + 1, min(j, p.count)), escaped: escaped)
  }

  /// One past the last byte of the number starting at `from`.
  @inline(__always) static func numberEnd(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
    var j = from
    while j < p.count {
      let b = p[j]
      guard b &- 0x30 < 10 || b == 0x2D || b == 0x2B || b == 0x2E || b | 0x20 == 0x65 else { break }
      j += 1
    }
    return j
  }

  /// One past the end of the value starting at `at`.
  package static func skipValue(_ p: UnsafeBufferPointer<UInt8>, at: Int, _ large: LargeContainers) -> Int {
    guard at >= 0, at < p.count else { return p.count }
    switch p[at] {
    case 0x22: return string(p, at: at).close + 1
    case 0x7B, 0x5B:
      if let c = large.find(at) { return min(c.end, p.count) }
      var depth = 0
      var j = at
      while j < p.count {
        switch p[j] {
        case 0x22:
          j = string(p, at: j).close + 1
          continue
        case 0x7B, 0x5B: depth += 1
        case 0x7D, 0x5D:
          depth -= 1
          if depth == 0 { return j + 1 }
        default: break
        }
        j += 1
      }
      return p.count
    case 0x74, 0x6E: return min(at + 4, p.count)
    case 0x66: return min(at + 5, p.count)
    default: return max(numberEnd(p, from: at), at + 1)
    }
  }

  /// The first element (array) or key (object) of the container at `container`, if any.
  package static func firstChild(_ p: UnsafeBufferPointer<UInt8>, container: Int) -> Int? {
    let i = skipSpace(p, container + 1)
    guard i < p.count, p[i] != 0x5D, p[i] != 0x7D else { return nil }
    return i
  }

  /// After a value ending at `after`: the next element or key, or nil at the closing bracket.
  @inline(__always) package static func nextSibling(_ p: UnsafeBufferPointer<UInt8>, after: Int) -> Int? {
    let i = skipSpace(p, after)
    guard i < p.count, p[i] == 0x2C else { return nil }
    let j = skipSpace(p, i + 1)
    return j < p.count ? j : nil
  }

  /// The value of the member whose key starts at `key`.
  @inline(__always) static func valueAfterKey(_ p: UnsafeBufferPointer<UInt8>, key: Int) -> Int {
    let s = string(p, at: key)
    var i = skipSpace(p, s.close + 1)
    if i < p.count, p[i] == 0x3A { i += 1 }
    return skipSpace(p, i)
  }
}

/// Line positions for error messages, built on first use. Recording the line every 64 KiB keeps the
/// table tiny and each lookup under 64 KiB of scanning, even for a 124 MB file on a single line.
final class LineTable: Sendable {
  typealias Position = (line: Int, lineStart: Int)
  private static let chunk = 1 << 16
  private let checkpoints = Mutex<[Position]?>(nil)

  func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
    bytes.withUnsafeBufferPointer { p in
      let table = checkpoints.withLock { table in
        if let table { return table }
        var built: [Position] = []
        var pos = Self.origin(p)
        for start in stride(from: 0, to: max(p.count, 1), by: Self.chunk) {
          built.append(pos)
          Self.advance(p, from: start, to: min(start + Self.chunk, p.count), &pos)
        }
        table = built
        return built
      }
      let offset = min(max(offset, 0), p.count)
      let k = min(offset / Self.chunk, table.count - 1)
      var pos = table[k]
      Self.advance(p, from: k * Self.chunk, to: offset, &pos)
      return (pos.line, offset - pos.lineStart + 1)
    }
  }

  /// A byte-order mark is invisible in editors, so it does not count towards the first line's columns.
  static func origin(_ p: UnsafeBufferPointer<UInt8>) -> Position {
    (1, JSONParser.hasBOM(p) ? 3 : 0)
  }

  static func advance(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int, _ pos: inout Position) {
    var j = max(from, 0)
    while j < min(to, p.count) {
      if p[j] == 0x0A { pos = (pos.line + 1, j + 1) }
      j += 1
    }
  }
}

/// A syntax error with where it happened and a stable code:
///
/// | code | meaning |
/// |------|---------|
/// | D001 | invalid syntax or unexpected character (also: a file of 2 GiB or more) |
/// | D002 | unexpected end of file, unterminated string |
/// | D003 | invalid UTF-8 |
/// | D004 | duplicate key |
/// | D005 | nesting deeper than `JSONParser.maxDepth` |
/// | D006 | invalid number, `NaN`, `Infinity` |
/// | D007 | invalid string escape, lone surrogate, unescaped control character |
/// | D008 | empty file |
/// | D009 | trailing content after the value |
///
/// `path` names the most specific value being read: the element `holdings[1]` once its `[` or `,`
/// is read, the member `holdings[1].value` once its key is read, the object itself before that.
/// So `{"holdings":[{"value":1},{"value":}]}` fails at `holdings[1].value`, and a duplicate key
/// names the duplicated member. It is empty at the top level; nesting over 16 levels is elided with `…`.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var path: String
  public var message: String
  public var code: String

  public init(line: Int, column: Int, path: String, message: String, code: String) {
    self.line = line
    self.column = column
    self.path = path
    self.message = message
    self.code = code
  }

  public var description: String {
    "\(line):\(column): \(message)\(path.isEmpty ? "" : " at \(path)") [\(code)]"
  }
}

/// Builds JSON paths for messages. The last two steps are kept unrendered so the pattern readers
/// use, appending a key for every field of every holding, usually costs no string building at all.
public struct JSONPath: Sendable, CustomStringConvertible {
  enum Step: Sendable { case key(String), index(Int) }
  private var head = ""
  private var a: Step?, b: Step?

  public init() {}

  public func appending(key: String) -> JSONPath { appending(.key(key)) }
  public func appending(index: Int) -> JSONPath { appending(.index(index)) }

  private func appending(_ step: Step) -> JSONPath {
    var p = self
    if let a = p.a {
      if let b = p.b {
        p.head = Self.render(a, after: p.head)
        p.a = b
      }
      p.b = step
    } else {
      p.a = step
    }
    return p
  }

  /// `holdings[3].value`; keys that are not identifiers are quoted: `holdings[3]["market value"]`.
  public var description: String {
    [a, b].reduce(head) { s, step in step.map { Self.render($0, after: s) } ?? s }
  }

  static func render(_ step: Step, after head: String) -> String {
    if head.isEmpty, case .key(let k) = step, isIdentifier(k) { return k }
    return head + component(step)
  }

  /// One step as it appears after another: `.value`, `[3]` or `["market value"]`.
  static func component(_ step: Step) -> String {
    switch step {
    case .index(let i): "[\(i)]"
    case .key(let k): isIdentifier(k) ? "." + k : "[" + JSONParser.quoted(k) + "]"
    }
  }

  static func isIdentifier(_ k: String) -> Bool {
    guard let first = k.utf8.first, first &- 0x30 >= 10 else { return false }
    return k.utf8.allSatisfy { b in b == 0x5F || (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 }
  }
}

public enum JSONParser {
  public static let maxDepth = 512

  public static func parse(_ bytes: [UInt8]) -> Result<JSONDocument, JSONSyntaxError> {
    guard bytes.count < Int(Int32.max) else {
      return .failure(JSONSyntaxError(line: 1, column: 1, path: "", message: "file of 2 GiB or more is too large", code: "D001"))
    }
    do {
      let (root, large) = try bytes.withUnsafeBufferPointer { (p) throws(JSONSyntaxError) -> (Int, LargeContainers) in
        var parser = JSONReader(p: p)
        defer { parser.release() }
        try parser.run()
        parser.large.sort { $0.start < $1.start }
        // Stable: each array's checkpoints stay in order.
        let checkpoints = parser.checkpoints.enumerated().sorted { ($0.element.array, $0.offset) < ($1.element.array, $1.offset) }.map(\.element)
        return (parser.root, LargeContainers(entries: parser.large, checkpoints: checkpoints))
      }
      return .success(JSONDocument(bytes: bytes, rootOffset: root, large: large))
    } catch {
      return .failure(error)
    }
  }

  static func hasBOM(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
    p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
  }

  /// Compares a string in the source to UTF-8 bytes; strings with escapes are decoded first.
  @inline(__always) static func stringEquals(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString, _ k: UnsafeBufferPointer<UInt8>) -> Bool {
    guard !s.escaped else { return unescape(p, s.content).elementsEqual(k) }
    let start = s.open + 1
    guard s.close - start == k.count else { return false }
    var j = 0
    while j < k.count, p[start + j] == k[j] { j += 1 }
    return j == k.count
  }

  static func keysEqual(_ p: UnsafeBufferPointer<UInt8>, _ a: JSONString, _ b: JSONString) -> Bool {
    guard b.escaped else { return stringEquals(p, a, UnsafeBufferPointer(rebasing: p[b.content])) }
    return unescape(p, b.content).withUnsafeBufferPointer { stringEquals(p, a, $0) }
  }

  /// The text of a string in the source.
  package static func decode(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONString) -> String {
    let r = s.content.clamped(to: 0..<p.count)
    if s.escaped { return String(decoding: unescape(p, r), as: UTF8.self) }
    return String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self)
  }

  /// Decodes the escapes of an already validated string body.
  static func unescape(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(range.count)
    var j = range.lowerBound
    let end = min(range.upperBound, p.count)
    while j < end {
      let b = p[j]
      guard b == 0x5C, j + 1 < end else {
        out.append(b)
        j += 1
        continue
      }
      let e = p[j + 1]
      j += 2
      switch e {
      case 0x62: out.append(0x08)
      case 0x66: out.append(0x0C)
      case 0x6E: out.append(0x0A)
      case 0x72: out.append(0x0D)
      case 0x74: out.append(0x09)
      case 0x75:
        var code = hex4(p, j, end) ?? 0xFFFD
        j += 4
        if code & 0xFC00 == 0xD800, j + 6 <= end, p[j] == 0x5C, p[j + 1] == 0x75,
          let low = hex4(p, j + 2, end), low & 0xFC00 == 0xDC00
        {
          code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
          j += 6
        }
        out.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
      default: out.append(e)
      }
    }
    return out
  }

  static func hex4(_ p: UnsafeBufferPointer<UInt8>, _ j: Int, _ end: Int) -> UInt32? {
    guard j >= 0, j + 4 <= min(end, p.count) else { return nil }
    var v: UInt32 = 0
    for k in j..<j + 4 {
      let b = p[k]
      let d: UInt8
      switch b {
      case 0x30...0x39: d = b - 0x30
      case 0x41...0x46, 0x61...0x66: d = (b | 0x20) - 0x61 + 10
      default: return nil
      }
      v = v << 4 | UInt32(d)
    }
    return v
  }

  /// A key quoted as a JSON string, for paths and messages.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case _ where u.value < 0x20: out += "\\u" + hex(UInt32(u.value), digits: 4)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }

  static func hex(_ v: UInt32, digits: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }
}

/// Memory for the reader's working tables, grown as needed and freed by `free()`: the reader is a
/// single value used once, so no copy can outlive it.
struct RawBuffer<T> {
  private(set) var base: UnsafeMutablePointer<T>
  private(set) var capacity: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 1)
    base = .allocate(capacity: self.capacity)
  }

  /// Room for `count` elements (new ones uninitialized: each is written before it is read).
  mutating func reserve(_ count: Int) {
    guard count > capacity else { return }
    let bigger = UnsafeMutablePointer<T>.allocate(capacity: max(count, capacity * 2))
    bigger.moveInitialize(from: base, count: capacity)
    base.deallocate()
    base = bigger
    capacity = max(count, capacity * 2)
  }

  /// In place: updating a field of an element touches only that field.
  @inline(__always) subscript(_ i: Int) -> T {
    unsafeAddress { UnsafePointer(base + i) }
    nonmutating unsafeMutableAddress { base + i }
  }

  func free() { base.deallocate() }
}

/// The parser proper: an explicit stack instead of recursion, so depth is bounded by `maxDepth`
/// rather than by the thread's stack. Every read of `p` is preceded by a check against `n`.
/// It validates and records nothing per value: only the root's offset and large containers.
private struct JSONReader {
  struct Frame {
    let start: Int
    let isObject: Bool
    /// Where this object's first 16 keys go in `keySlots`.
    let slotBase: Int
    /// Elements or members begun so far; an array's current element is `count - 1`.
    var count = 0
    /// The key being read (its opening quote), or -1 between members.
    var key = -1
    /// So far every key equals the same-numbered key of the previous object at this depth, whose
    /// keys were distinct: no key can be a duplicate yet, and none needs a fingerprint.
    var sameShape = true
  }

  /// One of the first 16 keys of an open object: its fingerprint (once needed) and where it is.
  struct SeenKey {
    var print: UInt64
    var printed: Bool
    var string: JSONString
  }

  let p: UnsafeBufferPointer<UInt8>
  let n: Int
  var i = 0
  var root = 0
  /// The open containers, `depth` of them: raw memory, since every token reads or updates the
  /// innermost one and an array would check its uniqueness each time.
  var stack = RawBuffer<Frame>(capacity: 32)
  var depth = 0
  /// 32 key slots per depth, in two halves: the open object's first 16 keys, and those of the
  /// last object closed at that depth — its shape. A list of holdings repeats one shape, so each
  /// key is checked against one key rather than all, and nothing is copied when objects close.
  var keySlots = RawBuffer<SeenKey>(capacity: 8 * 32)
  /// Per depth: which half holds the open object's keys, and how many keys the other half's
  /// object had (0 when it had none or more than 16).
  var half: [Int] = []
  var shapeCount: [Int] = []
  /// Keys of objects with more than 16, one set per depth, emptied and reused rather than reallocated.
  var keySets: [Set<Key>] = []
  var large: [LargeContainers.Entry] = []
  var checkpoints: [LargeContainers.Checkpoint] = []

  init(p: UnsafeBufferPointer<UInt8>) {
    self.p = p
    self.n = p.count
  }

  func release() {
    stack.free()
    keySlots.free()
  }

  mutating func run() throws(JSONSyntaxError) {
    if JSONParser.hasBOM(p) { i = 3 }
    skipWhitespace()
    guard i < n else { throw failure("D008", "the file is empty", at: 0) }
    root = i
    value: while true {
      skipWhitespace()
      guard i < n else { throw endOfFile() }
      switch p[i] {
      case 0x7B:  // {
        try open(object: true)
        skipWhitespace()
        if i < n, p[i] == 0x7D {
          i += 1
          close()
        } else {
          try readKey()
          continue value
        }
      case 0x5B:  // [
        try open(object: false)
        skipWhitespace()
        if i < n, p[i] == 0x5D {
          i += 1
          close()
        } else {
          stack[depth - 1].count = 1
          continue value
        }
      case 0x22:
        _ = try scanString()
      case 0x2D, 0x30...0x39:
        try scanNumber()
      case 0x74 where matches("true"): i += 4
      case 0x66 where matches("false"): i += 5
      case 0x6E where matches("null"): i += 4
      default:
        throw badValue()
      }
      // A value is complete: close finished containers, or step to the next element or member.
      while true {
        skipWhitespace()
        guard depth > 0 else {
          guard i == n else { throw trailing() }
          return
        }
        guard i < n else { throw endOfFile() }
        let isObject = stack[depth - 1].isObject
        switch (p[i], isObject) {
        case (0x2C, true):
          i += 1
          try readKey()
          continue value
        case (0x2C, false):
          i += 1
          stack[depth - 1].count += 1
          // Every few thousand elements, where the next one begins: a long list can then be read
          // in parts, one per core.
          if stack[depth - 1].count & (JSONDocument.checkpointEvery - 1) == 1 {
            checkpoints.append(.init(array: UInt32(stack[depth - 1].start), at: UInt32(i)))
          }
          continue value
        case (0x7D, true), (0x5D, false):
          i += 1
          close()
        case (_, true): throw unexpected("expected `,` or `}` after object member")
        case (_, false): throw unexpected("expected `,` or `]` after array element")
        }
      }
    }
  }

  @inline(__always) mutating func skipWhitespace() {
    while i < n {
      let b = p[i]
      guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
      i += 1
    }
  }

  func matches(_ literal: StaticString) -> Bool {
    literal.withUTF8Buffer { l in i + l.count <= n && l.indices.allSatisfy { p[i + $0] == l[$0] } }
  }

  mutating func open(object: Bool) throws(JSONSyntaxError) {
    guard depth < JSONParser.maxDepth else {
      throw failure("D005", "nesting deeper than \(JSONParser.maxDepth) levels", at: i)
    }
    if object, half.count <= depth {
      half.append(contentsOf: repeatElement(0, count: depth + 1 - half.count))
      shapeCount.append(contentsOf: repeatElement(0, count: depth + 1 - shapeCount.count))
      keySlots.reserve((depth + 1) * 32)
    }
    stack.reserve(depth + 1)
    stack[depth] = Frame(start: i, isObject: object, slotBase: object ? depth * 32 + half[depth] * 16 : 0)
    depth += 1
    i += 1
  }

  mutating func close() {
    guard depth > 0 else { return }
    depth -= 1
    let f = stack[depth]
    if i - f.start >= JSONDocument.indexedSize {
      large.append(.init(start: UInt32(f.start), end: UInt32(i), count: UInt32(f.count)))
    }
    if f.isObject {
      if f.count <= 16 {
        shapeCount[depth] = f.count
        half[depth] ^= 1
      } else {
        shapeCount[depth] = 0
      }
    }
  }

  /// Reads `"key" :` after `{` or `,`, leaving `i` where the member's value starts.
  mutating func readKey() throws(JSONSyntaxError) {
    let top = depth - 1
    stack[top].key = -1
    skipWhitespace()
    guard i < n else { throw endOfFile() }
    guard p[i] == 0x22 else {
      if p[i] == 0x7D { throw failure("D001", "trailing comma before `}`", at: i) }
      throw unexpected("expected a string key in double quotes")
    }
    let start = i
    let escaped = try scanString()
    let key = JSONString(open: start, close: i - 1, escaped: escaped)
    stack[top].key = start
    stack[top].count += 1
    try checkDuplicate(key, frame: stack[top], depth: top)
    skipWhitespace()
    guard i < n else { throw endOfFile() }
    guard p[i] == 0x3A else { throw unexpected("expected `:` after object key") }
    i += 1
  }

  /// Up to 16 keys, each new key's fingerprint is compared with the earlier ones' and bytes only
  /// on a match. Larger objects switch to a set of the keys themselves, whose seeded hashing keeps
  /// crafted keys from forcing quadratic work.
  mutating func checkDuplicate(_ key: JSONString, frame: Frame, depth: Int) throws(JSONSyntaxError) {
    let seen = frame.count - 1
    let base = frame.slotBase
    if seen < 16 {
      if frame.sameShape {
        if seen < shapeCount[depth], !key.escaped, Self.sameBytes(p, key, keySlots[(base ^ 16) + seen].string) {
          keySlots[base + seen] = SeenKey(print: 0, printed: false, string: key)
          return
        }
        stack[depth].sameShape = false
        for j in base..<base + seen where !keySlots[j].printed {
          keySlots[j].print = fingerprint(keySlots[j].string)
          keySlots[j].printed = true
        }
      }
      let print = fingerprint(key)
      for j in base..<base + seen {
        if keySlots[j].print == print, JSONParser.keysEqual(p, key, keySlots[j].string) { throw duplicate(key) }
      }
      keySlots[base + seen] = SeenKey(print: print, printed: true, string: key)
      return
    }
    while keySets.count <= depth { keySets.append([]) }
    if seen == 16 {
      keySets[depth].removeAll(keepingCapacity: true)
      for j in base..<base + 16 { keySets[depth].insert(Key(p: p, string: keySlots[j].string)) }
    }
    if !keySets[depth].insert(Key(p: p, string: key)).inserted { throw duplicate(key) }
  }

  func duplicate(_ key: JSONString) -> JSONSyntaxError {
    let name = String(decoding: JSONParser.unescape(p, key.content), as: UTF8.self)
    return failure("D004", "duplicate key `\(name)`", at: key.open)
  }

  /// A key as a set element: hashed and compared by its decoded bytes, read in place.
  struct Key: Hashable {
    let p: UnsafeBufferPointer<UInt8>
    let string: JSONString

    static func == (a: Key, b: Key) -> Bool { JSONParser.keysEqual(a.p, a.string, b.string) }

    func hash(into hasher: inout Hasher) {
      if string.escaped {
        JSONParser.unescape(p, string.content).withUnsafeBytes { hasher.combine(bytes: $0) }
      } else {
        hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[string.content])))
      }
    }
  }

  func fingerprint(_ key: JSONString) -> UInt64 {
    key.escaped
      ? JSONParser.unescape(p, key.content).withUnsafeBufferPointer { Self.fingerprint($0, 0..<$0.count) }
      : Self.fingerprint(p, key.content)
  }

  /// Two unescaped strings with the same bytes.
  @inline(__always) static func sameBytes(_ p: UnsafeBufferPointer<UInt8>, _ a: JSONString, _ b: JSONString) -> Bool {
    let n = a.close - a.open
    guard n == b.close - b.open, !b.escaped else { return false }
    // A key of at most eight bytes (most are): one masked comparison of a word.
    if n <= 9, a.open + 9 <= p.count, b.open + 9 <= p.count {
      let mask: UInt64 = n == 9 ? .max : (1 << UInt64((n - 1) * 8)) &- 1
      return (JSONScan.word(p, a.open + 1) ^ JSONScan.word(p, b.open + 1)) & mask == 0
    }
    var j = 1
    while j + 8 <= n, a.open + j + 8 <= p.count, b.open + j + 8 <= p.count {
      if JSONScan.word(p, a.open + j) != JSONScan.word(p, b.open + j) { return false }
      j += 8
    }
    while j < n {
      if p[a.open + j] != p[b.open + j] { return false }
      j += 1
    }
    return true
  }

  /// A cheap hash reading eight bytes at a time; collisions only cost a byte comparison.
  static func fingerprint(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
    let k: UInt64 = 0x9E37_79B9_7F4A_7C15
    let raw = UnsafeRawBufferPointer(p)
    var h = UInt64(truncatingIfNeeded: r.count) &* k
    var j = r.lowerBound
    while j + 8 <= r.upperBound {
      h = (h ^ raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) &* k
      h ^= h >> 29
      j += 8
    }
    var tail: UInt64 = 0
    while j < r.upperBound {
      tail = tail << 8 | UInt64(p[j])
      j += 1
    }
    return (h ^ tail) &* k
  }

  /// Validates a string starting at the quote at `i` and moves past its closing quote.
  /// Returns whether it contains escapes, so unescaped strings can later be sliced, not decoded.
  mutating func scanString() throws(JSONSyntaxError) -> Bool {
    let open = i
    var j = i + 1
    var escaped = false
    while j < n {
      // Eight plain bytes at a time; the first byte needing a look is handled below.
      if j + 8 <= n {
        let k = JSONScan.special(JSONScan.word(p, j))
        j += k
        if k == 8 { continue }
      }
      let b = p[j]
      if b &- 0x20 < 0x60, b != 0x22, b != 0x5C {
        j += 1
      } else if b == 0x22 {
        i = j + 1
        return escaped
      } else if b == 0x5C {
        escaped = true
        j = try scanEscape(at: j, open: open)
      } else if b < 0x20 {
        throw failure("D007", "control character U+\(JSONParser.hex(UInt32(b), digits: 4).uppercased()) in string must be escaped", at: j)
      } else {
        j += try utf8Length(at: j)
      }
    }
    throw failure("D002", "unterminated string", at: open)
  }

  /// Checks the escape at the backslash at `j`; returns the offset after it.
  func scanEscape(at j: Int, open: Int) throws(JSONSyntaxError) -> Int {
    guard j + 1 < n else { throw failure("D002", "unterminated string", at: open) }
    switch p[j + 1] {
    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: return j + 2
    case 0x75: break
    default:
      let e = p[j + 1]
      let shown = e &- 0x21 < 0x5E ? String(UnicodeScalar(e)) : "0x" + JSONParser.hex(UInt32(e), digits: 2)
      throw failure("D007", "invalid escape `\\\(shown)` in string", at: j)
    }
    let code = try unicodeEscape(at: j, open: open)
    switch code & 0xFC00 {
    case 0xD800:
      if j + 7 < n, p[j + 6] == 0x5C, p[j + 7] == 0x75, try unicodeEscape(at: j + 6, open: open) & 0xFC00 == 0xDC00 {
        return j + 12
      }
      throw failure("D007", "lone surrogate `\\u\(JSONParser.hex(code, digits: 4))` in string: a high surrogate must be followed by a low one", at: j)
    case 0xDC00:
      throw failure("D007", "lone surrogate `\\u\(JSONParser.hex(code, digits: 4))` in string: a low surrogate must follow a high one", at: j)
    default:
      return j + 6
    }
  }

  /// The value of the `\uXXXX` escape at `j`.
  func unicodeEscape(at j: Int, open: Int) throws(JSONSyntaxError) -> UInt32 {
    for k in j + 2..<j + 6 where k >= n || (p[k] | 0x20) &- 0x61 >= 6 && p[k] &- 0x30 >= 10 {
      throw k >= n
        ? failure("D002", "unterminated string", at: open)
        : failure("D007", "invalid escape: `\\u` must be followed by four hex digits", at: j)
    }
    return JSONParser.hex4(p, j + 2, n) ?? 0
  }

  /// The length of the valid UTF-8 sequence at `j`, rejecting overlong forms, encoded surrogates,
  /// code points above U+10FFFF, stray continuation bytes and truncated sequences.
  func utf8Length(at j: Int) throws(JSONSyntaxError) -> Int {
    let lead = p[j]
    let length: Int, low: UInt8, high: UInt8
    switch lead {
    case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
    case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
    case 0xE1...0xEC, 0xEE, 0xEF: (length, low, high) = (3, 0x80, 0xBF)
    case 0xED: (length, low, high) = (3, 0x80, 0x9F)
    case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
    case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
    case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
    case 0xC0, 0xC1: throw utf8Error("overlong encoding starting with byte", lead, at: j)
    default: throw failure("D003", "invalid UTF-8 byte 0x\(JSONParser.hex(UInt32(lead), digits: 2))", at: j)
    }
    for k in 1..<length {
      guard j + k < n else { throw utf8Error("truncated sequence starting with byte", lead, at: j) }
      let c = p[j + k]
      if c >= low && c <= high || k > 1 && c &- 0x80 < 0x40 { continue }
      guard k == 1, c &- 0x80 < 0x40 else { throw utf8Error("truncated sequence starting with byte", lead, at: j) }
      switch lead {
      case 0xED: throw utf8Error("encoded surrogate starting with byte", lead, at: j)
      case 0xF4: throw utf8Error("code point above U+10FFFF starting with byte", lead, at: j)
      default: throw utf8Error("overlong encoding starting with byte", lead, at: j)
      }
    }
    return length
  }

  func utf8Error(_ what: String, _ lead: UInt8, at j: Int) -> JSONSyntaxError {
    failure("D003", "invalid UTF-8: \(what) 0x\(JSONParser.hex(UInt32(lead), digits: 2))", at: j)
  }

  /// Checks number syntax only; the text is kept and interpreted by whoever reads it.
  mutating func scanNumber() throws(JSONSyntaxError) {
    let start = i
    var j = i
    if p[j] == 0x2D { j += 1 }
    guard j < n, p[j] &- 0x30 < 10 else {
      if j < n, p[j] == 0x49 || p[j] == 0x4E { i = j; throw badValue() }
      throw failure("D006", "invalid number: expected a digit after `-`", at: j)
    }
    if p[j] == 0x30 {
      j += 1
      if j < n, p[j] &- 0x30 < 10 { throw failure("D006", "invalid number: leading zeros are not allowed", at: start) }
    } else {
      j = digits(from: j)
    }
    if j < n, p[j] == 0x2E {
      guard j + 1 < n, p[j + 1] &- 0x30 < 10 else { throw failure("D006", "invalid number: expected a digit after the decimal point", at: j + 1) }
      j = digits(from: j + 1)
    }
    if j < n, p[j] | 0x20 == 0x65 {
      j += 1
      if j < n, p[j] == 0x2B || p[j] == 0x2D { j += 1 }
      guard j < n, p[j] &- 0x30 < 10 else { throw failure("D006", "invalid number: expected a digit in the exponent", at: j) }
      j = digits(from: j)
    }
    _ = start
    i = j
  }

  func digits(from j: Int) -> Int {
    var j = j
    while j + 8 <= n, JSONScan.allDigits(JSONScan.word(p, j)) { j += 8 }
    while j < n, p[j] &- 0x30 < 10 { j += 1 }
    return j
  }

  // MARK: Errors

  /// Explains a byte that cannot start a value, naming the usual mistakes.
  func badValue() -> JSONSyntaxError {
    let b = p[i]
    let w = word(at: i)
    switch b {
    case 0x5D where depth > 0 && !stack[depth - 1].isObject: return failure("D001", "trailing comma before `]`", at: i)
    case 0x2B: return failure("D006", "invalid number: a number cannot start with `+`", at: i)
    case 0x2E: return failure("D006", "invalid number: write a digit before the decimal point, e.g. `0.5`", at: i)
    case _ where ["nan", "infinity", "inf"].contains(w.lowercased()):
      let name = w.lowercased() == "nan" ? "NaN" : "Infinity"
      return failure("D006", "\(name) is not valid JSON; write a number or a quoted decimal", at: i)
    case _ where ["true", "false", "null"].contains(w.lowercased()):
      return failure("D001", "`\(w)` is not valid JSON; write `\(w.lowercased())`", at: i)
    case _ where !w.isEmpty && i + w.utf8.count == n && ["true", "false", "null"].contains(where: { $0.hasPrefix(w) }):
      return failure("D002", "unexpected end of file", at: n)
    default: return unexpected("expected a value")
    }
  }

  func word(at j: Int) -> String {
    var k = j
    while k < n, k - j < 24, p[k] == 0x5F || (p[k] | 0x20) &- 0x61 < 26 || p[k] &- 0x30 < 10 { k += 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: p[j..<k]), as: UTF8.self)
  }

  /// `expected …, found X`, unless the byte is invalid UTF-8 or a well-known mistake.
  func unexpected(_ expected: String) -> JSONSyntaxError {
    let b = p[i]
    let found: String
    switch b {
    case 0x27: return failure("D001", "single quotes are not valid JSON; use double quotes", at: i)
    case 0x2F: return failure("D001", "comments are not valid JSON", at: i)
    case 0x80...:
      do {
        let length = try utf8Length(at: i)
        found = "`" + String(decoding: UnsafeBufferPointer(rebasing: p[i..<i + length]), as: UTF8.self) + "`"
      } catch {
        return error
      }
    case ..<0x20, 0x7F: found = "control character U+\(JSONParser.hex(UInt32(b), digits: 4).uppercased())"
    default:
      let w = word(at: i)
      found = "`" + (w.isEmpty ? String(UnicodeScalar(b)) : w) + "`"
    }
    return failure("D001", "\(expected), found \(found)", at: i)
  }

  func trailing() -> JSONSyntaxError {
    if p[i] >= 0x80 {
      do { _ = try utf8Length(at: i) } catch { return error }
    }
    return failure("D009", "trailing characters after the JSON value", at: i)
  }

  /// Reported just after the last non-blank byte, where the missing text belongs.
  func endOfFile() -> JSONSyntaxError {
    var j = n
    while j > 0, p[j - 1] == 0x20 || p[j - 1] == 0x0A || p[j - 1] == 0x0D || p[j - 1] == 0x09 { j -= 1 }
    return failure("D002", "unexpected end of file", at: j)
  }

  func failure(_ code: String, _ message: String, at offset: Int) -> JSONSyntaxError {
    var pos = LineTable.origin(p)
    LineTable.advance(p, from: 0, to: offset, &pos)
    return JSONSyntaxError(line: pos.line, column: max(offset - pos.lineStart, 0) + 1, path: path(), message: message, code: code)
  }

  /// The path of the value being read, from the open containers.
  func path() -> String {
    var steps: [String] = []
    for f in (0..<depth).map({ stack[$0] }) {
      if !f.isObject {
        steps.append(JSONPath.component(.index(max(f.count - 1, 0))))
      } else if f.key >= 0 {
        let k = JSONScan.string(p, at: f.key)
        let name = String(decoding: JSONParser.unescape(p, k.content), as: UTF8.self)
        steps.append(JSONPath.component(.key(name)))
      }
    }
    if steps.count > 16 { steps = steps.prefix(8) + ["…"] + steps.suffix(8) }
    let joined = steps.joined()
    return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
  }
}
