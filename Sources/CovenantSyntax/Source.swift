/// A half-open range of UTF-8 byte offsets into one source file. Positions stay plain integers
/// (as in Go's `go/token`); line and column are computed only when a diagnostic is printed.
public struct SourceSpan: Hashable, Sendable {
  public var start: Int
  public var end: Int
  public init(_ start: Int, _ end: Int) {
    self.start = start
    self.end = max(start, end)
  }
  public static let none = SourceSpan(0, 0)

  // Spans compare (and hash) by position, so diagnostics at different places differ. To compare
  // trees whatever their layout (the formatter's round trip), use `SpanInsensitive.equal`.
  public func union(_ other: SourceSpan) -> SourceSpan {
    SourceSpan(min(start, other.start), max(end, other.end))
  }
}

/// Structural equality that ignores where things were written: two values are equal when they
/// are equal field by field, every `SourceSpan` inside them counted equal. Used where a tree
/// parsed from differently laid-out text must compare equal to the original (`Formatter.format`'s
/// round-trip check, the fuzz targets), while `==` on trees and spans keeps positions.
public enum SpanInsensitive {
  public static func equal(_ a: Any, _ b: Any) -> Bool {
    if a is SourceSpan && b is SourceSpan { return true }
    let ma = Mirror(reflecting: a), mb = Mirror(reflecting: b)
    guard ma.subjectType == mb.subjectType, ma.displayStyle == mb.displayStyle else { return false }
    if ma.children.isEmpty && mb.children.isEmpty {
      // A leaf (a number, a string, an enum case without payload): compare as values.
      if let x = a as? AnyHashable, let y = b as? AnyHashable { return x == y }
      return String(reflecting: a) == String(reflecting: b)
    }
    guard ma.children.count == mb.children.count else { return false }
    for (x, y) in zip(ma.children, mb.children) {
      guard x.label == y.label, equal(x.value, y.value) else { return false }
    }
    return true
  }
}

/// One covenant source file as bytes, with the offsets where lines start.
/// Lines end at LF, CRLF or a lone CR, so files from any editor get correct line numbers.
public struct SourceFile: Sendable {
  public let name: String
  public let bytes: [UInt8]
  public let lineStarts: [Int]

  public init(name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
    var starts = [0]
    var i = 0
    let n = bytes.count
    while i < n {
      let b = bytes[i]
      if b == 0x0A {
        starts.append(i + 1)
      } else if b == 0x0D {
        if i + 1 < n, bytes[i + 1] == 0x0A { i += 1 }
        starts.append(i + 1)
      }
      i += 1
    }
    self.lineStarts = starts
  }

  public init(name: String, text: String) { self.init(name: name, bytes: Array(text.utf8)) }

  /// The 1-based line alone: a binary search, where the column costs a walk along the line.
  public func line(of offset: Int) -> Int {
    let offset = min(max(0, offset), bytes.count)
    var lo = 0, hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
    }
    return lo + 1
  }

  /// 1-based line and column. The column counts Unicode scalar values (a `§` or `¥` is one
  /// column, a tab is one column), which is what editors show for UTF-8 text.
  public func location(of offset: Int) -> (line: Int, column: Int) {
    let offset = min(max(0, offset), bytes.count)
    let lo = line(of: offset) - 1
    var column = 1
    var i = lineStarts[lo]
    // A byte order mark is not a character the user sees, so it takes no column.
    if i == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = min(3, offset) }
    while i < offset {
      if bytes[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    // A continuation byte at `offset` itself belongs to the previous scalar.
    return (lo + 1, column)
  }

  /// The bytes of a 1-based line, without a leading BOM or its line ending.
  public func lineRange(_ line: Int) -> Range<Int> {
    guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
    var start = lineStarts[line - 1]
    if start == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    var end = line < lineStarts.count ? lineStarts[line] : bytes.count
    while end > start, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
    return start..<end
  }

  /// The text of a 1-based line without its line ending; invalid UTF-8 shows as U+FFFD.
  public func lineText(_ line: Int) -> String { String(decoding: bytes[lineRange(line)], as: UTF8.self) }

  /// True when the bytes of `span` are exactly `w`'s (ASCII keywords): no `String` is made.
  package func bytesEqual(_ span: SourceSpan, _ w: StaticString) -> Bool {
    let s = span.start, n = w.utf8CodeUnitCount
    guard span.end - s == n, s >= 0, span.end <= bytes.count else { return false }
    let p = w.utf8Start
    for k in 0..<n where bytes[s + k] != p[k] { return false }
    return true
  }

  public func text(_ span: SourceSpan) -> String { Self.text(bytes, span) }

  /// The text of `span` in `bytes` (a file's), clamped to them; invalid UTF-8 shows as U+FFFD.
  public static func text(_ bytes: [UInt8], _ span: SourceSpan) -> String {
    let s = min(max(0, span.start), bytes.count), e = min(max(s, span.end), bytes.count)
    return String(decoding: bytes[s..<e], as: UTF8.self)
  }
}
