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
struct JSONReader {
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
    guard i < n else { throw failure(JSONDiagnostics.emptyFile(), at: 0) }
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
      throw failure(JSONDiagnostics.nestedTooDeep(limit: JSONParser.maxDepth), at: i)
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
      if p[i] == 0x7D { throw failure(JSONDiagnostics.invalidSyntax(.trailingComma(before: "}")), at: i) }
      throw unexpected("expected a string key in double quotes")
    }
    let start = i
    if repeatsShapeKey(top) { return }
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

  /// The common case of a list of records, read in one comparison: the key at `i` is, byte for
  /// byte with both quotes, the same-numbered key of the previous object at this depth, which
  /// had no escapes (so no backslash) and was validated. Its copy is then a valid string too, and
  /// no duplicate (that object's keys were distinct, and so far this one's have matched them):
  /// exactly what `scanString` and `checkDuplicate` would find, a few hundred instructions
  /// sooner (they were a third of the reader's work on a list of holdings). Leaves `i` after the
  /// colon, as `readKey` does; false (nothing changed) when anything differs, and `readKey`
  /// then takes the long way, so its diagnostics are unchanged.
  @inline(__always) mutating func repeatsShapeKey(_ top: Int) -> Bool {
    let frame = stack[top]
    let seen = frame.count
    guard frame.sameShape, seen < 16, seen < shapeCount[top] else { return false }
    let previous = keySlots[(frame.slotBase ^ 16) + seen].string
    guard !previous.escaped else { return false }
    let length = previous.close - previous.open + 1
    // The colon straight after the closing quote (the usual layout) is part of the comparison.
    let withColon = previous.close + 1 < n && p[previous.close + 1] == 0x3A ? length + 1 : length
    guard JSONScan.equalBytes(p, i, p, previous.open, withColon) else { return false }
    let key = JSONString(open: i, close: i + length - 1, escaped: false)
    keySlots[frame.slotBase + seen] = SeenKey(print: 0, printed: false, string: key)
    stack[top].key = i
    stack[top].count = seen + 1
    i += withColon
    if withColon == length {
      skipWhitespace()
      guard i < n, p[i] == 0x3A else {
        // Not a member after all: undo, and let the long way say what is wrong.
        i = key.open
        stack[top].count = seen
        stack[top].key = -1
        return false
      }
      i += 1
    }
    return true
  }
}
