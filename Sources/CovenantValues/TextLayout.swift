/// Column padding and trimming for the text reports, written on the standard library: Foundation's
/// `padding(toLength:withPad:startingAt:)` and `trimmingCharacters(in:)` bridge through `NSString`
/// and were ~5% of `covenant check`'s start-up on the 1k file. Both keep Foundation's results
/// exactly (lengths in UTF-16 units; the same set of white space), so the reports do not change.
extension StringProtocol {
  /// Foundation's `padding(toLength: length, withPad: " ", startingAt: 0)`: spaces up to `length`
  /// UTF-16 units, or the first `length` units of a longer text.
  package func paddedToUTF16Length(_ length: Int) -> String {
    let count = utf16.count
    if count < length { return String(self) + String(repeating: " ", count: length - count) }
    if count == length { return String(self) }
    return String(decoding: Array(utf16.prefix(Swift.max(0, length))), as: UTF16.self)
  }

  /// Foundation's `trimmingCharacters(in: .whitespaces)`: CoreFoundation's fixed set (tab, space,
  /// no-break space, U+1680, U+2000–U+200B — zero width space included, unlike Unicode's Zs —
  /// U+202F, U+205F, U+3000) removed from both ends.
  package func trimmingBlanks() -> String {
    func blank(_ s: Unicode.Scalar) -> Bool {
      switch s.value {
      case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
      default: false
      }
    }
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !blank($0) })!
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars[first...last])
    return String(out)
  }
}
