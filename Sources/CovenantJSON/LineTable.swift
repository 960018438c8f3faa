import Synchronization

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
