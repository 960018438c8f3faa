import CovenantEvaluation

/// The words of a clause's rows and of a quantifier's elements (`RequirementOutcome.Requirement`,
/// `Group`, `Element`, `Evidence`): `requires: every element has a `sector` to group by`,
/// `sector Tech`, `4 periods ending 2024-12-28`, `Acme [3]`, `tranche.spread = 121 bps`.
public enum OutcomeWording {
  public static func requirement(_ r: RequirementOutcome.Requirement) -> String {
    switch r {
    case .written(let source): source
    case .everyElementHasGroupField(let field): "every element has a `\(field)` to group by"
    case .windows(let periods, let list): "each window of \(periods) consecutive periods of `\(list)`"
    }
  }

  public static func group(_ g: RequirementOutcome.Group) -> String {
    switch g {
    case .key(let field, let value): field + " " + value
    case .missing(let field): field + " missing"
    case .window(let periods, let end): "\(periods) periods ending \(end)"
    }
  }

  /// `Acme [3]`, `[3]`, `Acme (the proposed deal)`, `the proposed deal`.
  public static func element(_ e: RequirementOutcome.Element) -> String {
    switch (e.label, e.position) {
    case (let label?, let i?): "\(label) [\(i)]"
    case (nil, let i?): "[\(i)]"
    case (let label?, nil): label + " (the proposed deal)"
    case (nil, nil): "the proposed deal"
    }
  }

  /// `tranche.spread = 121 bps, tranche.rating = "AA"`; empty when nothing was shown.
  public static func values(_ values: [RequirementOutcome.Evidence]) -> String {
    values.map { v in
      switch v {
      case .value(let s): s.expression + " = " + s.value
      case .zeroDenominator(let ratio): ratio + ": its denominator is zero"
      }
    }.joined(separator: ", ")
  }
}

extension BatchEntry {
  /// `compliant`, `breach`, or `invalid` when the deal could not be read.
  public var verdict: String { result.map { $0.compliant ? "compliant" : "breach" } ?? "invalid" }
}

extension RequirementOutcome.Requirement {
  /// The requirement as a report shows it (`OutcomeWording.requirement`).
  public var text: String { OutcomeWording.requirement(self) }
}

extension RequirementOutcome.Group {
  /// `sector Tech` (`OutcomeWording.group`).
  public var text: String { OutcomeWording.group(self) }
}

extension RequirementOutcome.Element {
  /// `Acme [3]` (`OutcomeWording.element`).
  public var text: String { OutcomeWording.element(self) }
}

extension RequirementOutcome.ElementValues {
  /// `tranche.spread = 121 bps` (`OutcomeWording.values`); empty when nothing was shown.
  public var valuesText: String { OutcomeWording.values(values) }
  /// `Senior A [0]: tranche.spread = 100 bps`, as a passing element is listed.
  public var text: String { element.text + ": " + valuesText }
}
