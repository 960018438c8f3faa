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
