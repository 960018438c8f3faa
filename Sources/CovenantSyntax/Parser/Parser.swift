import CovenantValues

/// Recursive descent over the token stream, one function per grammar.md production. On an error
/// it reports once per line, puts an `.invalid` node in place, and resynchronises at the next
/// line that starts a clause or declaration, so one run reports several mistakes. Nesting is
/// capped: Swift cannot recover from a stack overflow, so depth is a diagnostic (P003).
public struct Parser {
  public static let maxDepth = 100
  public static let maxErrors = 50

  let file: SourceFile
  let tokens: TokenStream
  var pos = 0
  var depth = 0
  /// Inside an aggregate's `where`, a second comparison ends the condition instead of chaining:
  /// `sum of holdings.value where sector = power <= cap` compares the sum with `cap`.
  var whereDepth = 0
  var diagnostics: [Diagnostic] = []
  var lastErrorLine = -1
  /// `report X for each sector` is read as `for each sector:` then `report X`: the second item.
  var followingItem: ClauseItem?
  /// The clause being parsed, named in its diagnostics.
  var clauseID: String?
  public internal(set) var comments: [Comment] = []

  public struct Result: Sendable {
    public var covenant: Covenant
    public var comments: [Comment]
    public var diagnostics: [Diagnostic]
  }

  public static func parse(_ file: SourceFile) -> Result {
    var p = Parser(file: file, tokens: TokenStream(Lexer(file: file)))
    let covenant = p.parseCovenant()
    // The parser reads to the end of the file, so the lexer has seen every byte by now.
    let lexed = p.tokens.lexer
    return Result(covenant: covenant, comments: lexed.comments, diagnostics: lexed.diagnostics + p.diagnostics)
  }

  /// The declarations one at a time, as `parse` reads them: `Checker.compile` checks each clause
  /// as soon as it is parsed, so a covenant of many clauses never holds its whole syntax tree.
  public struct Stream {
    var parser: Parser
    /// The header, read when the stream is made.
    public let header: Header?
    private var ended = false
    private var errorSeen = false
    private var diagnosticsSeen = 0

    public init(_ file: SourceFile) {
      var p = Parser(file: file, tokens: TokenStream(Lexer(file: file)))
      header = p.parseHeaderIfPresent()
      parser = p
    }

    /// The next declaration; nil at the end of the file (or once there are too many errors).
    public mutating func next() -> Declaration? {
      if ended { return nil }
      guard let d = parser.nextDeclaration() else {
        ended = true
        return nil
      }
      return d
    }

    /// True once the lexer or the parser has reported an error.
    public mutating func hasErrorsSoFar() -> Bool {
      if errorSeen { return true }
      let lexed = parser.tokens.lexer.diagnostics
      let count = lexed.count + parser.diagnostics.count
      if count != diagnosticsSeen {
        diagnosticsSeen = count
        errorSeen = lexed.contains(where: \.isError) || parser.diagnostics.contains(where: \.isError)
      }
      return errorSeen
    }

    /// The lexer's diagnostics then the parser's, as in `Parser.Result`; complete at the end.
    public var diagnostics: [Diagnostic] { parser.tokens.lexer.diagnostics + parser.diagnostics }
    /// The comments read so far; all of them at the end.
    public var comments: [Comment] { parser.tokens.lexer.comments }
  }

  private init(file: SourceFile, tokens: TokenStream) {
    self.file = file
    self.tokens = tokens
  }

  /// The errors so far, the lexer's included: both stop at `maxErrors` together.
  var errorCount: Int { diagnostics.filter(\.isError).count + tokens.lexer.diagnostics.filter(\.isError).count }
}
