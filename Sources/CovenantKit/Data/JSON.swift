import Synchronization

// A strict RFC 8259 reader built for 100+ MB portfolio snapshots. Numbers are never converted:
// the document keeps offsets into the source so amounts stay exactly as written.

public enum JSONKind: Sendable { case object, array, string, number, bool, null }

/// A value in a `JSONDocument`: an index, so handing values around costs nothing.
public struct JSONNode: Hashable, Sendable {
  public let index: Int32
}

/// One value's place in the source. Millions of values live in one array of these 16-byte records
/// rather than in millions of heap objects, which is what makes parsing and freeing fast.
struct JSONSlot: Sendable {
  enum Tag: UInt8 { case object, array, string, escapedString, number, `true`, `false`, null }
  /// Offset of the value's first byte: the opening quote or bracket, or the number's first character.
  var start: UInt32
  /// Strings: offset of the closing quote. Numbers and literals: one past the last byte.
  /// Containers: the number of elements or members.
  var end: UInt32
  /// Index of the node after this value and all its descendants: the next sibling.
  var next: UInt32
  var tag: Tag
}

/// A parsed JSON document. Objects store each key as a string node followed by its value node,
/// so children are walked with `next` links and nothing is allocated per child.
public struct JSONDocument: Sendable {
  public let bytes: [UInt8]
  let nodes: [JSONSlot]
  let lines: LineTable

  init(bytes: [UInt8], nodes: [JSONSlot]) {
    self.bytes = bytes
    self.nodes = nodes
    self.lines = LineTable()
  }

  public var root: JSONNode { JSONNode(index: 0) }

  /// Nodes from another document (or made up) read as `null` rather than trapping.
  func slot(_ n: JSONNode) -> JSONSlot? {
    nodes.indices.contains(Int(n.index)) ? nodes[Int(n.index)] : nil
  }

  public func kind(_ n: JSONNode) -> JSONKind {
    switch slot(n)?.tag {
    case .object: .object
    case .array: .array
    case .string, .escapedString: .string
    case .number: .number
    case .true, .false: .bool
    case .null, nil: .null
    }
  }

  /// Slices the source when the string has no escapes; decodes only when it does.
  public func string(_ n: JSONNode) -> String? {
    guard let s = slot(n), s.tag == .string || s.tag == .escapedString else { return nil }
    let content = Int(s.start) + 1..<Int(s.end)
    if s.tag == .string { return String(decoding: bytes[content], as: UTF8.self) }
    return bytes.withUnsafeBufferPointer { String(decoding: JSONParser.unescape($0, content), as: UTF8.self) }
  }

  /// The number exactly as written (`12.50`, `-0`, `1e400`); the reader decides what it may mean.
  public func numberText(_ n: JSONNode) -> Substring? {
    guard let s = slot(n), s.tag == .number else { return nil }
    return Substring(String(decoding: bytes[Int(s.start)..<Int(s.end)], as: UTF8.self))
  }

  /// Hands the number's source bytes to `body` without copying, for exact decimal parsing.
  public func withNumberBytes<R, E: Error>(
    _ n: JSONNode, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R? {
    guard let s = slot(n), s.tag == .number else { return nil }
    let range = Int(s.start)..<Int(s.end)
    return try bytes.withUnsafeBufferPointer { (p) throws(E) -> R in try body(UnsafeBufferPointer(rebasing: p[range])) }
  }

  public func bool(_ n: JSONNode) -> Bool? {
    switch slot(n)?.tag {
    case .true: true
    case .false: false
    default: nil
    }
  }

  /// Elements of an array or members of an object; 0 for anything else.
  public func count(_ n: JSONNode) -> Int {
    guard let s = slot(n), s.tag == .object || s.tag == .array else { return 0 }
    return Int(s.end)
  }

  /// The elements of an array in order; empty for anything else (objects use `members`).
  public func elements(_ n: JSONNode) -> Elements {
    guard let s = slot(n), s.tag == .array else { return Elements(nodes: nodes, cursor: 0, remaining: 0) }
    return Elements(nodes: nodes, cursor: Int(n.index) + 1, remaining: Int(s.end))
  }

  /// The members of an object in source order; empty for anything else.
  public func members(_ n: JSONNode) -> Members {
    guard let s = slot(n), s.tag == .object else { return Members(doc: self, cursor: 0, remaining: 0) }
    return Members(doc: self, cursor: Int(n.index) + 1, remaining: Int(s.end))
  }

  public struct Elements: Sequence, IteratorProtocol {
    let nodes: [JSONSlot]
    var cursor: Int, remaining: Int

    public mutating func next() -> JSONNode? {
      guard remaining > 0, nodes.indices.contains(cursor) else { return nil }
      remaining -= 1
      defer { cursor = Int(nodes[cursor].next) }
      return JSONNode(index: Int32(cursor))
    }
  }

  public struct Members: Sequence, IteratorProtocol {
    let doc: JSONDocument
    var cursor: Int, remaining: Int

    public mutating func next() -> (key: String, value: JSONNode)? {
      let key = cursor, value = cursor + 1
      guard remaining > 0, doc.nodes.indices.contains(value) else { return nil }
      remaining -= 1
      cursor = Int(doc.nodes[value].next)
      return (doc.string(JSONNode(index: Int32(key))) ?? "", JSONNode(index: Int32(value)))
    }
  }

  /// Compares UTF-8 bytes in place: objects are small, so a linear scan beats building a table.
  public func member(_ n: JSONNode, _ key: String) -> JSONNode? {
    guard let s = slot(n), s.tag == .object else { return nil }
    var key = key
    return key.withUTF8 { k in
      bytes.withUnsafeBufferPointer { p in
        var j = Int(n.index) + 1
        for _ in 0..<Int(s.end) {
          guard j + 1 < nodes.count else { return nil }
          if JSONParser.stringEquals(p, nodes[j], k) { return JSONNode(index: Int32(j + 1)) }
          j = Int(nodes[j + 1].next)
        }
        return nil
      }
    }
  }

  /// Lets enum-like values (sectors, ratings) be matched without building a String per value.
  public func stringEquals(_ n: JSONNode, _ s: String) -> Bool {
    guard let slot = slot(n) else { return false }
    var s = s
    return s.withUTF8 { k in bytes.withUnsafeBufferPointer { JSONParser.stringEquals($0, slot, k) } }
  }

  /// 1-based line and column (UTF-8 bytes, not counting a BOM) of the value's first byte.
  /// Only error messages need this, so lines are indexed on first use.
  public func location(_ n: JSONNode) -> (line: Int, column: Int) {
    lines.location(of: Int(slot(n)?.start ?? 0), in: bytes)
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
      let nodes = try bytes.withUnsafeBufferPointer { (p) throws(JSONSyntaxError) -> [JSONSlot] in
        var parser = JSONReader(p: p)
        try parser.run()
        return parser.nodes
      }
      return .success(JSONDocument(bytes: bytes, nodes: nodes))
    } catch {
      return .failure(error)
    }
  }

  static func hasBOM(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
    p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
  }

  /// Compares a string node to UTF-8 bytes; strings with escapes are decoded first.
  static func stringEquals(_ p: UnsafeBufferPointer<UInt8>, _ s: JSONSlot, _ k: UnsafeBufferPointer<UInt8>) -> Bool {
    switch s.tag {
    case .string:
      let start = Int(s.start) + 1
      guard Int(s.end) - start == k.count else { return false }
      var j = 0
      while j < k.count, p[start + j] == k[j] { j += 1 }
      return j == k.count
    case .escapedString: return unescape(p, Int(s.start) + 1..<Int(s.end)).elementsEqual(k)
    default: return false
    }
  }

  static func keysEqual(_ p: UnsafeBufferPointer<UInt8>, _ a: JSONSlot, _ b: JSONSlot) -> Bool {
    let content = Int(b.start) + 1..<Int(b.end)
    guard b.tag == .escapedString else { return stringEquals(p, a, UnsafeBufferPointer(rebasing: p[content])) }
    return unescape(p, content).withUnsafeBufferPointer { stringEquals(p, a, $0) }
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

/// The parser proper: an explicit stack instead of recursion, so depth is bounded by `maxDepth`
/// rather than by the thread's stack. Every read of `p` is preceded by a check against `n`.
private struct JSONReader {
  struct Frame {
    let node: Int
    let isObject: Bool
    /// Where this object's key fingerprints start in `keyPrints`.
    let printBase: Int
    /// Elements or members begun so far; an array's current element is `count - 1`.
    var count = 0
    /// The node of the key being read, or -1 between members.
    var key = -1
  }

  let p: UnsafeBufferPointer<UInt8>
  let n: Int
  var i = 0
  var nodes: [JSONSlot] = []
  var stack: [Frame] = []
  /// Fingerprints of the first 16 keys of every open object, innermost last.
  var keyPrints: [UInt64] = []
  /// Keys of objects with more than 16, one set per depth, emptied and reused rather than reallocated.
  var keySets: [Set<Key>] = []

  init(p: UnsafeBufferPointer<UInt8>) {
    self.p = p
    self.n = p.count
    nodes.reserveCapacity(n / 6 + 16)
    stack.reserveCapacity(32)
    keyPrints.reserveCapacity(64)
  }

  mutating func run() throws(JSONSyntaxError) {
    if JSONParser.hasBOM(p) { i = 3 }
    skipWhitespace()
    guard i < n else { throw failure("D008", "the file is empty", at: 0) }
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
          stack[stack.count - 1].count = 1
          continue value
        }
      case 0x22:
        let start = i
        let escaped = try scanString()
        nodes.append(JSONSlot(start: UInt32(start), end: UInt32(i - 1), next: UInt32(nodes.count + 1), tag: escaped ? .escapedString : .string))
      case 0x2D, 0x30...0x39:
        try scanNumber()
      case 0x74 where matches("true"): literal(.true, 4)
      case 0x66 where matches("false"): literal(.false, 5)
      case 0x6E where matches("null"): literal(.null, 4)
      default:
        throw badValue()
      }
      // A value is complete: close finished containers, or step to the next element or member.
      while true {
        skipWhitespace()
        guard let top = stack.last else {
          guard i == n else { throw trailing() }
          return
        }
        guard i < n else { throw endOfFile() }
        switch (p[i], top.isObject) {
        case (0x2C, true):
          i += 1
          try readKey()
          continue value
        case (0x2C, false):
          i += 1
          stack[stack.count - 1].count += 1
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

  mutating func skipWhitespace() {
    while i < n {
      let b = p[i]
      guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
      i += 1
    }
  }

  func matches(_ literal: StaticString) -> Bool {
    literal.withUTF8Buffer { l in i + l.count <= n && l.indices.allSatisfy { p[i + $0] == l[$0] } }
  }

  mutating func literal(_ tag: JSONSlot.Tag, _ length: Int) {
    nodes.append(JSONSlot(start: UInt32(i), end: UInt32(i + length), next: UInt32(nodes.count + 1), tag: tag))
    i += length
  }

  mutating func open(object: Bool) throws(JSONSyntaxError) {
    guard stack.count < JSONParser.maxDepth else {
      throw failure("D005", "nesting deeper than \(JSONParser.maxDepth) levels", at: i)
    }
    stack.append(Frame(node: nodes.count, isObject: object, printBase: keyPrints.count))
    nodes.append(JSONSlot(start: UInt32(i), end: 0, next: 0, tag: object ? .object : .array))
    i += 1
  }

  mutating func close() {
    guard let f = stack.popLast() else { return }
    nodes[f.node].end = UInt32(f.count)
    nodes[f.node].next = UInt32(nodes.count)
    if f.isObject { keyPrints.removeSubrange(min(f.printBase, keyPrints.count)...) }
  }

  /// Reads `"key" :` after `{` or `,`, leaving `i` where the member's value starts.
  mutating func readKey() throws(JSONSyntaxError) {
    let top = stack.count - 1
    stack[top].key = -1
    skipWhitespace()
    guard i < n else { throw endOfFile() }
    guard p[i] == 0x22 else {
      if p[i] == 0x7D { throw failure("D001", "trailing comma before `}`", at: i) }
      throw unexpected("expected a string key in double quotes")
    }
    let start = i
    let escaped = try scanString()
    let key = JSONSlot(start: UInt32(start), end: UInt32(i - 1), next: UInt32(nodes.count + 1), tag: escaped ? .escapedString : .string)
    stack[top].key = nodes.count
    stack[top].count += 1
    nodes.append(key)
    try checkDuplicate(key, frame: stack[top], depth: top)
    skipWhitespace()
    guard i < n else { throw endOfFile() }
    guard p[i] == 0x3A else { throw unexpected("expected `:` after object key") }
    i += 1
  }

  /// Up to 16 keys, each new key's fingerprint is compared with the earlier ones' and bytes only
  /// on a match. Larger objects switch to a set of the keys themselves, whose seeded hashing keeps
  /// crafted keys from forcing quadratic work.
  mutating func checkDuplicate(_ key: JSONSlot, frame: Frame, depth: Int) throws(JSONSyntaxError) {
    let seen = frame.count - 1
    if seen < 16 {
      let content = Int(key.start) + 1..<Int(key.end)
      let print = key.tag == .string
        ? Self.fingerprint(p, content)
        : JSONParser.unescape(p, content).withUnsafeBufferPointer { Self.fingerprint($0, 0..<$0.count) }
      if keyPrints[frame.printBase...].contains(print) {
        var j = frame.node + 1
        for _ in 0..<seen where j + 1 < nodes.count {
          if JSONParser.keysEqual(p, key, nodes[j]) { throw duplicate(key) }
          j = Int(nodes[j + 1].next)
        }
      }
      keyPrints.append(print)
      return
    }
    while keySets.count <= depth { keySets.append([]) }
    if seen == 16 {
      keySets[depth].removeAll(keepingCapacity: true)
      var j = frame.node + 1
      for _ in 0..<seen where j + 1 < nodes.count {
        keySets[depth].insert(Key(p: p, slot: nodes[j]))
        j = Int(nodes[j + 1].next)
      }
    }
    if !keySets[depth].insert(Key(p: p, slot: key)).inserted { throw duplicate(key) }
  }

  func duplicate(_ key: JSONSlot) -> JSONSyntaxError {
    let name = String(decoding: JSONParser.unescape(p, Int(key.start) + 1..<Int(key.end)), as: UTF8.self)
    return failure("D004", "duplicate key `\(name)`", at: Int(key.start))
  }

  /// A key as a set element: hashed and compared by its decoded bytes, read in place.
  struct Key: Hashable {
    let p: UnsafeBufferPointer<UInt8>
    let slot: JSONSlot

    static func == (a: Key, b: Key) -> Bool { JSONParser.keysEqual(a.p, a.slot, b.slot) }

    func hash(into hasher: inout Hasher) {
      let content = Int(slot.start) + 1..<Int(slot.end)
      if slot.tag == .string {
        hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[content])))
      } else {
        JSONParser.unescape(p, content).withUnsafeBytes { hasher.combine(bytes: $0) }
      }
    }
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
    nodes.append(JSONSlot(start: UInt32(start), end: UInt32(j), next: UInt32(nodes.count + 1), tag: .number))
    i = j
  }

  func digits(from j: Int) -> Int {
    var j = j
    while j < n, p[j] &- 0x30 < 10 { j += 1 }
    return j
  }

  // MARK: Errors

  /// Explains a byte that cannot start a value, naming the usual mistakes.
  func badValue() -> JSONSyntaxError {
    let b = p[i]
    let w = word(at: i)
    switch b {
    case 0x5D where stack.last?.isObject == false: return failure("D001", "trailing comma before `]`", at: i)
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
    for f in stack {
      if !f.isObject {
        steps.append(JSONPath.component(.index(max(f.count - 1, 0))))
      } else if f.key >= 0, nodes.indices.contains(f.key) {
        let k = nodes[f.key]
        let name = String(decoding: JSONParser.unescape(p, Int(k.start) + 1..<Int(k.end)), as: UTF8.self)
        steps.append(JSONPath.component(.key(name)))
      }
    }
    if steps.count > 16 { steps = steps.prefix(8) + ["…"] + steps.suffix(8) }
    let joined = steps.joined()
    return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
  }
}
