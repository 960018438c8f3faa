import CovenantValues

/// What a clause's rows and a quantifier's elements are, as facts: names, values as `Format`
/// shows them and source text, never words. CovenantReporting words them (`OutcomeWording`);
/// reports match a clause's rows before and after a deal by these facts, which are equal
/// exactly when their words are.
extension RequirementOutcome {
  /// The requirement a row checks.
  public enum Requirement: Hashable, Sendable {
    /// A requirement of the clause, as written.
    case written(String)
    /// Evaluation's own check that every element of a `for each`'s list has the field it groups
    /// by (the field's name).
    case everyElementHasGroupField(String)
    /// A `for each window of N consecutive periods in LIST:` with no window to test: N and the
    /// list as written.
    case windows(periods: Int, list: String)
  }

  /// The group a row is in.
  public enum Group: Hashable, Sendable {
    /// A `for each` group: the field grouped by, and its key as a name (`Format.plain`).
    case key(field: String, value: String)
    /// The elements without the field a `for each` groups by.
    case missing(field: String)
    /// A window of N consecutive periods, by its last period's end.
    case window(periods: Int, ending: CalendarDate)
  }

  /// An element of a list: its label and where it is.
  public struct Element: Hashable, Sendable {
    /// The text of its record's label field (`Acme`), when it has one.
    public var label: String?
    /// Its position in the data's list; nil for the proposed deal's own element.
    public var position: Int?

    public init(label: String?, position: Int?) {
      self.label = label
      self.position = position
    }
  }

  /// One value an element showed for a quantifier's body.
  public enum Evidence: Hashable, Sendable {
    /// A side of a comparison as written and its value (`tranche.spread`, `121 bps`).
    case value(ShownValue)
    /// A ratio (as written) over a zero denominator, which the comparison itself decided.
    case zeroDenominator(String)
  }

  /// An element with the values it showed (none when the body compares nothing to show).
  public struct ElementValues: Hashable, Sendable {
    public var element: Element
    public var values: [Evidence]

    public init(element: Element, values: [Evidence]) {
      self.element = element
      self.values = values
    }
  }
}
