import CovenantValues
import CovenantSyntax

/// The evaluator's messages (E codes), one constructor per code: what can go wrong while a
/// covenant that checked runs over data. Thrown as `EvaluationError(_:span:)` and made a
/// diagnostic in one place (`EvaluationError.diagnostic(file:)`).
package enum EvaluationDiagnostics {
  package enum OutOfRange: Sendable {
    /// A figure beyond the exact numbers' bound.
    case figure
    /// A value of a kind with a range of its own (`duration`).
    case value(String)
    /// A vote's tallies; `body`: the voting body, when the clause names one.
    case votingFigures(body: String?, clause: String)
  }
  package static func outOfRange(_ r: OutOfRange) -> DiagnosticMessage {
    switch r {
    case .figure:
      .init("E001", .error, "a figure is too large to compute exactly",
        help: "figures are exact up to 4,096 bits (about 1,233 digits) in numerator and denominator; check the data for an implausible value")
    case .value(let what): .init("E001", .error, "\(what) out of range")
    case .votingFigures(let body?, let clause):
      .init("E001", .error, "the voting figures of `\(body)` in §\(clause) are too large to compute exactly")
    case .votingFigures(nil, let clause): .init("E001", .error, "the voting figures of §\(clause) are too large to compute exactly")
    }
  }

  package static func divisionByZero() -> DiagnosticMessage {
    .init("E002", .error, "division by zero", help: "the divisor is zero in this data; guard the clause with `applies when … > 0`")
  }

  package static func currencyMix(_ a: String, _ b: String) -> DiagnosticMessage {
    .init("E003", .error, "amounts in \(a) and \(b) are combined without converting",
      help: "convert with `in \(a)` at the snapshot's FX rates, e.g. `sum of holdings.value in \(a)`")
  }

  /// `ordering`: `<`/`>` (with help) rather than `=`/`!=`.
  package static func durationsNotComparable(_ x: String, _ y: String, ordering: Bool) -> DiagnosticMessage {
    .init("E004", .error, "cannot compare \(x) with \(y) exactly",
      help: ordering ? "months and days have no fixed ratio; write both in the same unit" : nil)
  }

  package enum MissingRate: Sendable {
    case noRates(from: String, to: String)
    /// `base`: the covenant's base currency, the rates' unit.
    case noRate(String, base: String)
  }
  package static func missingRate(_ m: MissingRate) -> DiagnosticMessage {
    switch m {
    case .noRates(let from, let to): .init("E005", .error, "no FX rates in the snapshot to convert \(from) to \(to)")
    case .noRate(let c, let base):
      .init("E005", .error, "the snapshot has no FX rate for \(c)", help: "add \"\(c)\" to the snapshot's FX rates (\(base) per unit of \(c))")
    }
  }

  /// A period as the data shows it: its list's JSON path (or the list as written), its
  /// position there, and its label field's text, worded `fiscal_quarters[4] (FY2024 Q3)`.
  package struct Period: Sendable {
    var path: String
    var position: Int
    var label: String?
    var text: String { path + "[\(position)]" + (label.map { " (\($0))" } ?? "") }
  }
  package enum PeriodProblem: Sendable {
    /// `element`: the period; `list`: the list as written.
    case startsAfterEnd(element: Period, list: String, start: CalendarDate, end: CalendarDate)
    case sameEnd(list: String, end: CalendarDate, previous: Period, this: Period)
    /// `gap`: days between the previous end and this start (negative: an overlap);
    /// `expected`: the day after the previous end (nil past the last date there is).
    case notConsecutive(list: String, previous: Period, previousEnd: CalendarDate, expected: CalendarDate?, this: Period, start: CalendarDate, gap: Int)
    /// Consecutive periods without start dates that still break (an end that goes back).
    case breakAt(list: String, this: Period)
  }
  package static func periods(_ p: PeriodProblem) -> DiagnosticMessage {
    let consecutiveHelp = "a figure over consecutive periods needs every period once: add the missing period or correct its dates in the data"
    switch p {
    case .startsAfterEnd(let element, let list, let start, let end):
      return .init("E006", .error, "period \(element.text) of `\(list)` starts on \(start), after it ends on \(end)", help: "correct the period's dates in the data")
    case .sameEnd(let list, let end, let previous, let this):
      return .init("E006", .error, "two periods of `\(list)` end on \(end): \(previous.text) and \(this.text)", help: consecutiveHelp)
    case .notConsecutive(let list, let previous, let previousEnd, let expected, let this, let start, let gap):
      let what = gap > 0 ? "a gap of \(gap) day\(gap == 1 ? "" : "s"): is a period missing?" : "an overlap of \(-gap) day\(-gap == 1 ? "" : "s")"
      return .init("E006", .error,
        "the periods of `\(list)` are not consecutive: \(previous.text) ends on \(previousEnd), so the next period "
          + "should start on \(expected.map { "\($0)" } ?? "the next day"), but the next one, \(this.text), starts on \(start) (\(what))",
        help: consecutiveHelp)
    case .breakAt(let list, let this):
      return .init("E006", .error, "the periods of `\(list)` are not consecutive at \(this.text)", help: consecutiveHelp)
    }
  }
}

extension EvaluationError {
  package init(_ m: DiagnosticMessage, span: SourceSpan) {
    self.init(code: m.code, message: m.message, span: span, help: m.help)
  }

  /// A ratio over a zero denominator, which a comparison may decide (grammar.md, *Ratios with a
  /// zero or negative denominator*).
  var isDivisionByZero: Bool { code == EvaluationDiagnostics.divisionByZero().code }
}
