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
  /// Inlinable, so that a caller's `Substring` or `String` gets a specialized copy (the generic
  /// one, with the standard library's unspecialized `append(contentsOf:)`, cost ~85,000
  /// instructions a call); the scalars are appended one by one for the same reason.
  @inlinable package func trimmingBlanks() -> String {
    func blank(_ s: Unicode.Scalar) -> Bool {
      switch s.value {
      case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
      default: false
      }
    }
    // ASCII text (most is), on its bytes: of the set only tab and space are ASCII, so the same
    // ends are found without walking scalars (~25,000 instructions for a requirement's line).
    let ascii = utf8.withContiguousStorageIfAvailable { b -> String? in
      guard !b.contains(where: { $0 >= 0x80 }) else { return nil }
      guard let first = b.firstIndex(where: { $0 != 0x09 && $0 != 0x20 }) else { return "" }
      let last = b.lastIndex(where: { $0 != 0x09 && $0 != 0x20 })!
      return String(decoding: UnsafeBufferPointer(rebasing: b[first...last]), as: UTF8.self)
    }
    if case .some(.some(let trimmed)) = ascii { return trimmed }
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !blank($0) })!
    var out = String.UnicodeScalarView()
    for u in scalars[first...last] { out.append(u) }
    return String(out)
  }
}

/// Foundation's literal-text replacement and splitting, for the short ASCII texts the reports and
/// the loader replace or split at (`|`, `%`, a line break, `_`, `; `). `TextLayoutTests` compares
/// them with Foundation.
extension String {
  /// Foundation's `replacingOccurrences(of: target, with: replacement)`: a match is found scalar
  /// by scalar and counts unless a non-spacing or enclosing mark or an emoji modifier follows it
  /// (a line break inside `\r\n` is replaced; a `|` that carries an accent is not).
  package func replacingEvery(_ target: String, with replacement: String) -> String {
    let ranges = literalMatches(target)
    guard !ranges.isEmpty else { return self }
    let scalars = unicodeScalars
    var out = String.UnicodeScalarView()
    var from = scalars.startIndex
    for r in ranges {
      out.append(contentsOf: scalars[from..<r.lowerBound])
      out.append(contentsOf: replacement.unicodeScalars)
      from = r.upperBound
    }
    out.append(contentsOf: scalars[from...])
    return String(out)
  }

  /// Foundation's `components(separatedBy: separator)`: the texts between the separators, empty
  /// ones included (an empty text is one empty component). Unlike the replacement, matched
  /// character by character: `\n` does not split `\r\n`, nor `|` a `|` joined to what follows.
  package func splitting(at separator: String) -> [String] {
    let sep = Array(separator)
    guard !sep.isEmpty else { return [self] }
    let chars = Array(self)
    var parts: [String] = []
    var start = 0, i = 0
    while i + sep.count <= chars.count {
      if chars[i..<i + sep.count].elementsEqual(sep) {
        parts.append(String(chars[start..<i]))
        i += sep.count
        start = i
      } else {
        i += 1
      }
    }
    parts.append(String(chars[start...]))
    return parts
  }

  /// The non-overlapping places of `target`, first to last, each followed by no combining mark.
  private func literalMatches(_ target: String) -> [Range<String.UnicodeScalarView.Index>] {
    let t = Array(target.unicodeScalars)
    guard let first = t.first else { return [] }
    let scalars = unicodeScalars
    var found: [Range<String.UnicodeScalarView.Index>] = []
    var i = scalars.startIndex
    while let start = scalars[i...].firstIndex(of: first) {
      var j = start
      var k = 0
      while k < t.count, j < scalars.endIndex, scalars[j] == t[k] {
        scalars.formIndex(after: &j)
        k += 1
      }
      if k == t.count, j == scalars.endIndex || !scalars[j].isCombiningMark {
        found.append(start..<j)
        i = j
      } else {
        i = scalars.index(after: start)
      }
      if i == scalars.endIndex { break }
    }
    return found
  }
}

extension Unicode.Scalar {
  /// A scalar that Foundation's replacement keeps with the one before it: a non-spacing or
  /// enclosing mark (Mn, Me; not a spacing mark, Mc), a zero-width non-joiner (not a joiner) or
  /// an emoji modifier.
  fileprivate var isCombiningMark: Bool {
    guard value >= 0x300 else { return false }
    if value == 0x200C || (0x1F3FB...0x1F3FF).contains(value) { return true }
    switch properties.generalCategory {
    case .nonspacingMark, .enclosingMark: return true
    default: return false
    }
  }
}

extension Array where Element == String {
  /// The standard library's `joined(separator:)`, the same text, for an array of strings (the
  /// overload the compiler prefers for one). The standard library's is generic and not inlined:
  /// its first call in a process looks up the collection's associated types by their mangled
  /// names, ~110,000 instructions (0.7% of a `covenant check` of 1,000 holdings, whose text
  /// report joins a few lists).
  @inlinable package func joined(separator: String = "") -> String {
    var out = ""
    for (i, s) in enumerated() {
      if i > 0 { out += separator }
      out += s
    }
    return out
  }
}
