/// A lexical token. Its text is not stored: it is read back from the source through `span`,
/// which keeps tokens small (the lexer runs over 10,000-clause covenants).
public struct Token: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// A word of letters, digits and `_`. Keywords are words too: most are contextual, so a
    /// field may be called `limit` or `days`; the reserved ones are in `Token.reserved`.
    case word
    /// Digits with an optional fraction and an attached suffix: `35%`, `2.0x`, `1.5bn`, `1,000`.
    case number
    case string
    /// `2026-07-01`
    case date
    /// `§4.2(a)`: the clause reference as a lawyer writes it.
    case clauseID
    /// `$`, `¥`, `€`, `£`
    case currencySymbol
    case punct(Punct)
    case endOfFile
    /// Bytes the lexer could not read; the diagnostic has already been reported.
    case invalid
  }

  public enum Punct: String, Hashable, Sendable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", comma = ",", colon = ":"
    case dot = ".", pipe = "|", plus = "+", minus = "-", star = "*", slash = "/"
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
  }

  // `span` first: the two one-byte fields then share its last word (24 bytes a token, not 32),
  // which matters for a 100 MB covenant of 50 million tokens.
  public var span: SourceSpan
  public var kind: Kind
  /// True when a line break precedes this token: used by error recovery and the formatter.
  public var startsLine: Bool

  /// Words that can never name a field, definition, kind value or binding.
  public static let reserved: Set<String> = [
    "and", "or", "not", "of", "in", "where", "every", "some", "no", "sum", "count", "min", "max",
    "average", "weighted", "share", "that", "true", "false", "define", "kind", "record", "data",
    "covenant", "applies", "when", "effective", "until", "warn", "severity", "for", "each",
    "tested", "pro", "by", "party", "waivable", "approved", "votes", "quorum", "is", "with",
    "if", "then", "else",
  ]
}

/// A `#` comment, kept beside the token stream so that the formatter can put it back.
public struct Comment: Hashable, Sendable {
  public var span: SourceSpan
  /// True when code precedes the comment on its line (a trailing comment).
  public var trailing: Bool
}
