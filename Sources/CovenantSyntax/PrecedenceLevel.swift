/// How tightly the expression grammar binds, loosest first: one level per production of
/// grammar.md from `expr` down to `primary`. The parser reads its binary operators by this table
/// and the formatter decides its parentheses by it: two copies could drift, and a formatter that
/// disagreed with the parser would print a covenant that reads back with another meaning.
package enum PrecedenceLevel: Int, Comparable, Sendable {
  /// `and`, `or` (`expr`); the two are never mixed without parentheses (P002).
  case logic
  /// `not` (`not_expr`).
  case not
  /// `=`, `<=`, `in`, `not in`, `is missing` (`comparison`); never chained (P006).
  case comparison
  /// `+`, `-` (`additive`).
  case additive
  /// `35% of nav` (`of_expr`).
  case of
  /// `*`, `/` (`multiplicative`).
  case multiplicative
  /// `-x` (`unary`).
  case unary
  /// `.field`, `in JPY` (`postfix`).
  case postfix
  /// Literals, names, parentheses, lists, aggregates, quantifiers, conditionals, calls (`primary`).
  case primary

  package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

  /// The next level up: what an operand must at least be when it may not be an unparenthesised
  /// expression of this level.
  package var tighter: PrecedenceLevel { PrecedenceLevel(rawValue: rawValue + 1) ?? .primary }
}

/// How operators of one level group when written in a row without parentheses.
package enum Associativity: Sendable {
  /// `a - b - c` is `(a - b) - c`.
  case left
  /// `35% of 50% of nav` is `35% of (50% of nav)`.
  case right
  /// Not grouped by a rule: comparisons are not chained, and `and`/`or` are only chained with
  /// themselves, where grouping does not change the meaning.
  case none
}

extension BinaryOp {
  package var precedence: PrecedenceLevel {
    switch self {
    case .and, .or: .logic
    case .eq, .ne, .lt, .le, .gt, .ge, .isIn, .notIn: .comparison
    case .add, .sub: .additive
    case .of: .of
    case .mul, .div: .multiplicative
    }
  }

  package var associativity: Associativity {
    switch precedence {
    case .additive, .multiplicative: .left
    case .of: .right
    default: .none
    }
  }

  /// The operator a punctuation token writes, for those written with one (`+ - * /`); words
  /// (`and`, `of`, `in`) and comparisons have productions of their own.
  package init?(punct: Token.Punct) {
    switch punct {
    case .plus: self = .add
    case .minus: self = .sub
    case .star: self = .mul
    case .slash: self = .div
    default: return nil
    }
  }
}
