import CovenantValues
import CovenantSemantics
import CovenantEvaluation

/// The words of how a figure was reached: a definition's derivation, why a requirement was
/// decided without its usual figures (a ratio without a positive denominator, too few periods),
/// which periods a trailing figure used. Evaluation returns the pieces (`DefinitionFigure.how`,
/// `RequirementOutcome.explanation`, `PeriodsUsed`); the report words them, the same in every format.
public enum FigureWording {
  /// `total_debt = fund.debt ($5,000,000,000) + sum of holdings.debt ($550,000,000,000) = $555,000,000,000`.
  public static func derivation(_ d: DefinitionFigure) -> String {
    switch d.how {
    case .noValue(let expression):
      return "\(d.name) = \(expression): no value (its denominator is zero)"
    case .written(let pieces, let result, let shownAs):
      var text = ""
      for p in pieces {
        switch p {
        case .source(let s): text += s
        case .value(let v): text += " (" + v + ")"
        }
      }
      return "\(d.name) = \(CovenantRunner.clean(text)) = \(result)" + (shownAs.map { " = " + $0 } ?? "")
    }
  }

  public static func explanation(_ e: RequirementOutcome.Explanation) -> String {
    switch e {
    case .ratio(let r):
      let num = "`\(r.numerator.expression)` = \(r.numerator.value)"
      let den = "`\(r.denominator.expression)` = \(r.denominator.value)"
      let zero = r.denominatorNegative ? "negative" : "zero"
      let what = r.floor ? "floor" : "cap"
      if r.numeratorPositive {
        return "the denominator \(den) is \(zero) and the numerator \(num) is positive: the ratio is unbounded, so the \(what) of \(r.limit) is \(r.floor ? "met" : "not met")"
      }
      return "the denominator \(den) is \(zero) and the numerator \(num) is not positive: there is no ratio, so the \(what) of \(r.limit) is not met"
    case .periods(let p): return periods(p)
    case .noAsOfDateForPeriods: return "the snapshot has no as-of date to count periods to"
    }
  }

  /// "periods: the last 4 of `quarters` as of 2025-06-30, ended 2024-09-29 to 2025-06-29", or why
  /// too few periods leave the figure undefined.
  public static func periods(_ p: PeriodsUsed) -> String {
    if let f = p.firstEnd, let l = p.lastEnd {
      return "periods: the last \(p.needed) of `\(p.list)` as of \(p.testDate), ended \(f) to \(l)"
    }
    let n = p.available
    return "only \(n) period\(n == 1 ? "" : "s") of `\(p.list)` end\(n == 1 ? "s" : "") on or before \(p.testDate); "
      + "the last \(p.needed) are needed, so the figure is undefined"
  }
}

extension RequirementOutcome {
  /// Why the verdict was reached without the usual figures, worded (`FigureWording.explanation`).
  public var note: String? { explanation.map(FigureWording.explanation) }
}

extension DefinitionFigure {
  /// How the definition was derived, worded (`FigureWording.derivation`).
  public var derivation: String { FigureWording.derivation(self) }
}

extension PeriodsUsed {
  /// Which periods the figure used, worded (`FigureWording.periods`).
  public var text: String { FigureWording.periods(self) }
}

extension Format {
  /// A nonzero difference shown as a figure: `less than 0.01x` rather than `≈0.00x` when it
  /// rounds to zero, so a breach never reads as "over by 0".
  public static func difference(_ d: Value, _ schema: Schema, style: NumberStyle?, points usePoints: Bool = false) -> String {
    let shown = usePoints ? { if case .number(let x) = d { return points(x) } else { return value(d, schema, style: style) } }() : value(d, schema, style: style)
    // Scalar by scalar: a figure's digits never carry a combining mark, so this is the character
    // test without breaking the text into characters (~9,000 instructions a figure).
    let zero = !shown.unicodeScalars.contains { $0.value >= 0x31 && $0.value <= 0x39 }
    guard zero, let m = d.magnitude, m.signum != 0 else { return shown }
    let unit: String
    switch d {
    case .money(_, let c): unit = money((try? Exact(num: 1, den: 100)) ?? .one, c)
    case .number:
      if usePoints { unit = "0.01 points" } else {
        switch style ?? .plain {
        case .percent: unit = "0.01%"
        case .bps: unit = "0.01 bps"
        case .multiple: unit = "0.01x"
        case .plain: unit = "0.0001"
        }
      }
    default: return shown
    }
    return "less than " + unit
  }
}
