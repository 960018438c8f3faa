/// Builds JSON paths for messages. The last two steps are kept unrendered so the pattern readers
/// use, appending a key for every field of every holding, usually costs no string building at all.
public struct JSONPath: Sendable, CustomStringConvertible {
  enum Step: Sendable { case key(String), index(Int) }
  private var head = ""
  private var a: Step?, b: Step?

  public init() {}

  public func appending(key: String) -> JSONPath { appending(.key(key)) }
  public func appending(index: Int) -> JSONPath { appending(.index(index)) }

  private func appending(_ step: Step) -> JSONPath {
    var p = self
    if let a = p.a {
      if let b = p.b {
        p.head = Self.render(a, after: p.head)
        p.a = b
      }
      p.b = step
    } else {
      p.a = step
    }
    return p
  }

  /// `holdings[3].value`; keys that are not identifiers are quoted: `holdings[3]["market value"]`.
  public var description: String {
    [a, b].reduce(head) { s, step in step.map { Self.render($0, after: s) } ?? s }
  }

  static func render(_ step: Step, after head: String) -> String {
    if head.isEmpty, case .key(let k) = step, isIdentifier(k) { return k }
    return head + component(step)
  }

  /// One step as it appears after another: `.value`, `[3]` or `["market value"]`.
  static func component(_ step: Step) -> String {
    switch step {
    case .index(let i): "[\(i)]"
    case .key(let k): isIdentifier(k) ? "." + k : "[" + JSONParser.quoted(k) + "]"
    }
  }

  static func isIdentifier(_ k: String) -> Bool {
    guard let first = k.utf8.first, first &- 0x30 >= 10 else { return false }
    return k.utf8.allSatisfy { b in b == 0x5F || (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 }
  }
}
