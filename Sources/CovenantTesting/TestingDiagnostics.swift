import CovenantSyntax

/// The messages of covenant test files (T codes), one constructor per code. Where one code has
/// several wordings, a parameter names which; what the line says is passed in.
package enum TestingDiagnostics {
  /// `found`: the start of the line, shortened.
  package static func unknownLine(_ found: String) -> DiagnosticMessage {
    .init("T001", .error, "expected `covenant`, `portfolio`, `test`, `deal` or `expect`, found `\(found)`")
  }

  package enum Misplaced: Sendable {
    case covenantPath, covenantNotFirst, dealOutsideTest, testName, expectOutsideTest, dataSource, noCovenant
  }
  package static func misplaced(_ m: Misplaced) -> DiagnosticMessage {
    switch m {
    case .covenantPath: .init("T002", .error, "expected the covenant's path in quotes", help: "e.g. covenant \"../covenant.cov\"")
    case .covenantNotFirst: .init("T002", .error, "`covenant` goes at the top of the file, before the tests")
    case .dealOutsideTest: .init("T002", .error, "`deal` belongs to a test: write it under `test \"…\"`")
    case .testName:
      .init("T002", .error, "expected the test's name in quotes", help: "e.g. test \"a $12bn AI deal breaches the sector cap\"")
    case .expectOutsideTest: .init("T002", .error, "`expect` belongs to a test: write it under `test \"…\"`")
    case .dataSource: .init("T002", .error, "expected a file in quotes, inline `{ … }` JSON, or `with field = value`")
    case .noCovenant:
      .init("T002", .error, "the test file does not say which covenant it tests", help: "start it with covenant \"path/to/covenant.cov\"")
    }
  }
  package static func expectsNothing(_ test: String) -> DiagnosticMessage {
    .init("T003", .error, "test \"\(test)\" expects nothing", help: "add e.g. expect §4.2(a) breach")
  }
  package static func unclosedInlineJSON() -> DiagnosticMessage {
    .init("T004", .error, "inline JSON is not closed", help: "end it with a matching `}`")
  }

  package enum Override: Sendable {
    case notAssignment
    case notAPath(String)
    /// The value is not JSON: the reader's message.
    case notJSON(path: String, reason: String)
  }
  package static func badOverride(_ o: Override) -> DiagnosticMessage {
    switch o {
    case .notAssignment: .init("T005", .error, "expected `field = value` in `with`", help: "e.g. deal with amount = 9000000000")
    case .notAPath(let p):
      .init("T005", .error, "`\(p)` is not a JSON path", help: "write keys with dots and list positions in brackets: positions[0].market_value")
    case .notJSON(let p, let reason):
      .init("T005", .error, "the value for `\(p)` is not JSON: \(reason)", help: "text goes in double quotes: sector = \"power\"")
    }
  }

  package enum Expectation: Sendable { case result, clause, group, verdictOrFigure, value, figureValue }
  package static func badExpectation(_ e: Expectation) -> DiagnosticMessage {
    switch e {
    case .result: .init("T006", .error, "expected `expect result compliant` or `expect result breach`")
    case .clause: .init("T006", .error, "expected a clause number such as §4.2(a), or `result`")
    case .group: .init("T006", .error, "expected the group in quotes after `for`, e.g. for \"sector power\"")
    case .verdictOrFigure:
      .init("T006", .error, "expected a verdict (pass, warning, breach, waived, disapplied, not applicable) or a figure (value, limit, headroom, largest amount)")
    case .value: .init("T006", .error, "expected a value after `=`")
    case .figureValue: .init("T006", .error, "expected `= value` or `shows \"text\"` after the figure")
    }
  }

  package enum NotFound: Sendable {
    case covenant(String), dataFile(String)
    /// The covenant declares no `snapshot` or no `deal` record.
    case noSnapshot, noDeal
  }
  package static func notFound(_ n: NotFound) -> DiagnosticMessage {
    switch n {
    case .covenant(let p): .init("T007", .error, "covenant \"\(p)\" not found")
    case .dataFile(let p): .init("T007", .error, "data file \"\(p)\" not found")
    case .noSnapshot: .init("T007", .error, "the covenant declares no snapshot")
    case .noDeal: .init("T007", .error, "the covenant declares no deal")
    }
  }

  package enum Unusable: Sendable {
    case overridesWithoutData
    case noSuchPlace(String)
    case noPortfolio(test: String)
  }
  package static func unusableData(_ u: Unusable) -> DiagnosticMessage {
    switch u {
    case .overridesWithoutData: .init("T008", .error, "`with` overrides need a file or inline data to change")
    case .noSuchPlace(let p):
      .init("T008", .error, "cannot set `\(p)`: the data has no such place", help: "list positions must exist; object keys are added when missing")
    case .noPortfolio(let test):
      .init("T008", .error, "test \"\(test)\" has no portfolio", help: "add portfolio \"portfolio.json\" at the top of the file or in the test")
    }
  }
}
