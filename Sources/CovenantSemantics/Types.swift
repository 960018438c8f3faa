import CovenantValues
import CovenantSyntax

/// The static type of an expression. Percentages, basis points, multiples and plain numbers are
/// all pure numbers (35% is 0.35, 120 bps is 0.012): they compare and combine freely; the style
/// only says how a figure is shown. Money carries its currency when the covenant fixes it, or
/// nil when the currency comes from the data and is checked at evaluation.
///
/// Only `list` is boxed: every checked node carries a type, and an `indirect` enum allocated a
/// box for each `number` or `money` of a large covenant.
public enum ValueType: Hashable, Sendable, CustomStringConvertible {
  case number(NumberStyle)
  case money(currency: String?)
  case date
  case duration
  case text
  case bool
  case country
  case kind(Int)
  case record(Int)
  indirect case list(ValueType)
  case fx
  /// Already reported: suppresses follow-on errors.
  case error

  public var description: String {
    switch self {
    case .number(let s): s.typeName
    case .money(let c): c.map { "money (\($0))" } ?? "money"
    case .date: "date"
    case .duration: "duration"
    case .text: "text"
    case .bool: "true/false"
    case .country: "country"
    case .kind(let k): "kind #\(k)"
    case .record(let r): "record #\(r)"
    case .list(let t): "list of \(t)"
    case .fx: "fx rates"
    case .error: "?"
    }
  }

  public var isNumber: Bool { if case .number = self { true } else { false } }
  public var isMoney: Bool { if case .money = self { true } else { false } }
  public var isError: Bool { self == .error }
}

extension NumberStyle {
  package var typeName: String {
    switch self {
    case .plain: "number"
    case .percent: "percentage"
    case .bps: "basis points"
    case .multiple: "multiple"
    }
  }
}

public struct KindSchema: Hashable, Sendable {
  public var name: String
  public var members: [String]
  public var index: [String: Int]
}

public struct FieldSchema: Hashable, Sendable {
  public var name: String
  public var type: ValueType
  /// JSON keys from the enclosing object to the value (`from "fund.as_of"` is two keys).
  public var source: [String]
  public var optional: Bool
  public var defaultValue: Value?
  public var inCents: Bool
  public var currency: FieldDecl.CurrencySource?
  /// For `fx` fields: the rates are units of the currency per one unit of base (`quoted JPY per
  /// USD`, 150) rather than base per unit (`quoted USD per JPY`, 0.0067); and the one currency
  /// the quote names, when it names one.
  public var fxPerBase = false
  public var fxCurrency: String? = nil
  public var span: SourceSpan
  /// `money signed`: negative amounts are read, not refused (D103).
  public var signed = false
  /// `default issuer`: when missing, the value of this other field of the same record.
  public var defaultField: Int? = nil
}

public struct RecordSchema: Hashable, Sendable {
  public var name: String
  public var role: RecordDecl.Role
  public var fields: [FieldSchema]
  public var index: [String: Int]
  /// The field whose value names an element in reports (its first text field).
  public var labelField: Int?
  /// The date fields declared `period end` / `period start`: the elements are dated periods.
  public var periodEnd: Int? = nil
  public var periodStart: Int? = nil
}

public struct Schema: Hashable, Sendable {
  public var kinds: [KindSchema] = []
  public var records: [RecordSchema] = []
  public var snapshot: Int?
  public var deal: Int?
  public var baseCurrency: String = "USD"

  public func typeName(_ t: ValueType) -> String {
    switch t {
    case .kind(let k): kinds[k].name
    case .record(let r): records[r].name
    case .list(let e): "list of " + typeName(e)
    default: t.description
    }
  }
}
