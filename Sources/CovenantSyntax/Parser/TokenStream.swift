/// The parser's view of the tokens: indexed like an array (`tokens[pos]`, `tokens[pos - 1]`,
/// `tokens[pos + 2]`), lexed on demand and forgotten once the parser is past them. The parser
/// never looks back more than one token, so memory is the source plus the syntax tree, not the
/// source plus 24 bytes a token (a one-line 100 MB covenant was 50 million tokens).
final class TokenStream {
  // Unchecked exclusivity: the parser reads a token several times per token it consumes, and
  // each read of a class's property was a dynamic access check (`swift_beginAccess`). The
  // stream is the parser's own; nothing else reaches it.
  @exclusivity(unchecked) private(set) var lexer: Lexer
  /// Tokens `base ..< base + buffer.count`; the last one is the end of file once `ended`.
  @exclusivity(unchecked) private var buffer: [Token] = []
  @exclusivity(unchecked) private var base = 0
  @exclusivity(unchecked) private var ended = false

  init(_ lexer: Lexer) { self.lexer = lexer }

  subscript(_ i: Int) -> Token {
    // The common case first, kept small enough to inline at the parser's many reads: a token
    // already lexed and not far enough ahead to trim the buffer. The same token as below.
    let k = i &- base
    if k >= 0, k < buffer.count, k <= 4096 { return buffer[k] }
    return fill(i)
  }

  /// Lexes up to token `i`, trims what the parser is past, and returns it (or the end of file).
  @inline(never)
  private func fill(_ i: Int) -> Token {
    while !ended, base + buffer.count <= i {
      let t = lexer.next()
      buffer.append(t)
      ended = t.kind == .endOfFile
    }
    if i - base > 4096 {
      let drop = i - base - 16
      buffer.removeFirst(drop)
      base += drop
    }
    return buffer[max(0, min(i - base, buffer.count - 1))]
  }
}
