/// A JSON value to print. Objects keep their members in the order given, so output is
/// byte-identical run to run (no dictionary order).
///
/// Not `Sendable`: `.elements` holds a closure that may capture a batch's snapshot cache.
public indirect enum JSONOut {
  case object([(String, JSONOut)])
  case array([JSONOut])
  /// An array whose `count` elements are made one at a time as they are written, each dropped
  /// once written: a report's clauses and a clause's groups (917k issuers in the largest
  /// portfolio measured) never exist as a whole tree.
  case elements(count: Int, make: (Int) -> JSONOut)
  case string(String)
  /// Printed as is: the caller passes exact digits.
  case number(String)
  case bool(Bool)
  case null
  /// `tree` already rendered (pretty) at `indent`: written as is, re-indented if placed at
  /// another level. A batch renders the snapshot's figures, which every deal repeats, once.
  case rendered([UInt8], indent: Int, tree: JSONOut)

  /// `tree`, rendered once for writing many times at `indent`.
  public static func prerendered(_ tree: JSONOut, indent: Int) -> JSONOut {
    var w = ReportWriter()
    tree.write(&w, indent: indent, pretty: true)
    return .rendered(w.bytes, indent: indent, tree: tree)
  }

  public static func opt(_ s: String?) -> JSONOut { s.map { .string($0) } ?? .null }

  /// The indentation of pretty output, copied a slice at a time.
  static let spaces = [UInt8](repeating: 0x20, count: 64)

  /// Written into bytes, not a `String`: appending to a string scalar by scalar took seconds for
  /// the report of a million-holding portfolio (a check per issuer).
  public func render(indent: Int = 0, pretty: Bool = true) -> String {
    var w = ReportWriter()
    write(&w, indent: indent, pretty: pretty)
    return String(decoding: w.bytes, as: UTF8.self)
  }

  package func write(_ out: inout [UInt8], indent: Int, pretty: Bool) {
    var w = ReportWriter()
    swap(&w.bytes, &out)
    write(&w, indent: indent, pretty: pretty)
    swap(&w.bytes, &out)
  }

  /// Writes the value into `w`, handing full chunks to its sink between members and elements;
  /// once the sink has failed, lazy elements are no longer made.
  package func write(_ w: inout ReportWriter, indent: Int, pretty: Bool) {
    func newline(_ level: Int) {
      guard pretty else { return }
      w.bytes.append(0x0A)
      // Copied from a row of spaces: appending a repeated element is a generic path per byte.
      var n = 2 * level
      while n > 0 {
        let k = Swift.min(n, Self.spaces.count)
        w.bytes.append(contentsOf: Self.spaces[0..<k])
        n -= k
      }
    }
    switch self {
    case .object(let members):
      if members.isEmpty { w.bytes += Array("{}".utf8); return }
      w.bytes.append(UInt8(ascii: "{"))
      for (i, (k, v)) in members.enumerated() {
        newline(indent + 1)
        Self.escape(k, into: &w.bytes)
        w.bytes.append(UInt8(ascii: ":"))
        if pretty { w.bytes.append(0x20) }
        v.write(&w, indent: indent + 1, pretty: pretty)
        if i < members.count - 1 { w.bytes.append(UInt8(ascii: ",")) }
        w.boundary()
      }
      newline(indent)
      w.bytes.append(UInt8(ascii: "}"))
    case .array(let items):
      if items.isEmpty { w.bytes += Array("[]".utf8); return }
      w.bytes.append(UInt8(ascii: "["))
      for (i, v) in items.enumerated() {
        newline(indent + 1)
        v.write(&w, indent: indent + 1, pretty: pretty)
        if i < items.count - 1 { w.bytes.append(UInt8(ascii: ",")) }
        w.boundary()
      }
      newline(indent)
      w.bytes.append(UInt8(ascii: "]"))
    case .elements(let count, let make):
      if count <= 0 { w.bytes += Array("[]".utf8); return }
      w.bytes.append(UInt8(ascii: "["))
      for i in 0..<count {
        // The rest would be thrown away: stop making it.
        if w.failed { return }
        newline(indent + 1)
        make(i).write(&w, indent: indent + 1, pretty: pretty)
        if i < count - 1 { w.bytes.append(UInt8(ascii: ",")) }
        w.boundary()
      }
      newline(indent)
      w.bytes.append(UInt8(ascii: "]"))
    case .string(let s): Self.escape(s, into: &w.bytes)
    case .number(let n): w.bytes.append(contentsOf: n.utf8)
    case .bool(let b): w.bytes.append(contentsOf: (b ? "true" : "false").utf8)
    case .null: w.bytes.append(contentsOf: "null".utf8)
    case .rendered(let bytes, let at, let tree):
      guard pretty else { return tree.write(&w, indent: indent, pretty: pretty) }
      if at == indent { return w.bytes.append(contentsOf: bytes) }
      // A newline occurs only between members (strings escape theirs): re-indent what follows.
      var i = 0
      while i < bytes.count {
        let b = bytes[i]
        i += 1
        guard b == 0x0A else { w.bytes.append(b); continue }
        var spaces = 0
        while i < bytes.count, bytes[i] == 0x20 { spaces += 1; i += 1 }
        w.bytes.append(0x0A)
        w.bytes.append(contentsOf: repeatElement(0x20, count: max(0, spaces + 2 * (indent - at))))
      }
    }
  }

    package static func escape(_ s: String, into out: inout String) {
    var bytes: [UInt8] = []
    escape(s, into: &bytes)
    out += String(decoding: bytes, as: UTF8.self)
  }

  /// Quotes and escapes on UTF-8 bytes: `"`, `\`, and control characters (as `\n`, `\r`, `\t`
  /// or `\u00XX`); every other character, non-ASCII included, is copied as it is.
  /// Runs of bytes that need no escape are copied whole.
  static func escape(_ s: String, into out: inout [UInt8]) {
    out.append(0x22)
    var s = s
    s.withUTF8 { bytes in
      var start = 0
      for i in 0..<bytes.count {
        let b = bytes[i]
        if b >= 0x20, b != 0x22, b != 0x5C, b != 0x7F { continue }
        if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
        start = i + 1
        switch b {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        default: out.append(contentsOf: ("\\u" + String(b, radix: 16).leftPadded(4)).utf8)
        }
      }
      if start < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count])) }
    }
    out.append(0x22)
  }
}

/// Bytes of a report on their way out. Values append to `bytes`; between members and elements
/// `boundary()` hands a full chunk to `sink` (a descriptor, a temporary file), so a report of any
/// size holds one chunk in memory, not the whole text. Without a sink the bytes stay in memory
/// (`render`, goldens, tests). A struct passed `inout`, so appends cost no exclusivity checks.
public struct ReportWriter {
  package var bytes: [UInt8] = []
  /// Takes a chunk; false when it could not be written, after which nothing more is kept.
  let sink: (([UInt8]) -> Bool)?
  let chunk: Int
  /// A chunk could not be written: the report is incomplete, and its writer gives up.
  public private(set) var failed = false

  public init(chunk: Int = 1 << 16, sink: (([UInt8]) -> Bool)? = nil) {
    self.chunk = chunk
    self.sink = sink
    if sink != nil { bytes.reserveCapacity(chunk + chunk / 4) }
  }

  /// Between two values: hands the bytes to the sink once a chunk is full.
  @inline(__always) package mutating func boundary() {
    if sink != nil, bytes.count >= chunk { flush() }
  }

  /// Hands what is buffered to the sink (at the end of a report); false if any chunk failed.
  @discardableResult public mutating func flush() -> Bool {
    guard let sink else { return !failed }
    if !failed, !bytes.isEmpty, !sink(bytes) { failed = true }
    bytes.removeAll(keepingCapacity: true)
    return !failed
  }

  public mutating func write(_ s: String) {
    bytes.append(contentsOf: s.utf8)
    boundary()
  }

  package mutating func write(_ v: JSONOut, indent: Int) {
    v.write(&self, indent: indent, pretty: true)
    boundary()
  }
}
