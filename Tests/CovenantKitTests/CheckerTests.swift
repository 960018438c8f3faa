import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

struct CheckCase: CustomStringConvertible, Sendable {
  var name: String
  var clause: String
  var code: String
  /// The text under the caret.
  var at: String
  var help: String? = nil
  var description: String { name }
}

@Suite struct CheckerTests {
  @Test func exampleCovenantIsValid() throws {
    let url = repositoryRoot.appendingPathComponent("examples/us-japan-fund/covenant.cov")
    let bytes = try [UInt8](Data(contentsOf: url))
    let r = Checker.compile(SourceFile(name: "covenant.cov", bytes: bytes))
    #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map { "\($0.code) \($0.message)" })")
    #expect((r.covenant?.clauses.count ?? 0) >= 12)
  }

  static let cases: [CheckCase] = [
    .init(name: "unknown name", clause: "§1 \"x\"\n  navv <= $1", code: "C001", at: "navv", help: "did you mean `nav`?"),
    .init(name: "unknown name before a kind value", clause: "§1 \"x\"\n  count of holdings where sectr = power > 0", code: "C001", at: "sectr", help: "did you mean `sector`?"),
    .init(name: "kind value written first", clause: "§1 \"x\"\n  count of holdings where powr = sector > 0", code: "C001", at: "powr", help: "did you mean `power`?"),
    .init(name: "not a value of the kind", clause: "§1 \"x\"\n  count of holdings where sector = logistic > 0", code: "C011", at: "logistic", help: "did you mean `logistics`?"),
    .init(name: "unknown field", clause: "§1 \"x\"\n  every h in holdings: h.domicle = US", code: "C002", at: "domicle", help: "did you mean `domicile`?"),
    .init(name: "percent plus money", clause: "§1 \"x\"\n  fund.equity + 35% > $0", code: "C003", at: "fund.equity + 35%"),
    .init(name: "percent compared with money", clause: "§1 \"x\"\n  nav <= 35%", code: "C004", at: "nav <= 35%"),
    .init(name: "duplicate clause", clause: "§1 \"x\"\n  nav > $0\n§1 \"y\"\n  nav > $0", code: "C005", at: "§1"),
    .init(name: "cyclic definition", clause: "define a = b + $1\ndefine b = a + $1", code: "C006", at: "a"),
    .init(name: "share cap above 100%", clause: "§1 \"x\"\n  share of holdings.value where sector = power <= 350%", code: "C007", at: "350%"),
    .init(name: "duplicate name", clause: "define nav = $1", code: "C008", at: "nav"),
    .init(name: "unknown type", clause: "record r\n  x : monee", code: "C009", at: "monee", help: "did you mean `money`?"),
    .init(name: "requirement not boolean", clause: "§1 \"x\"\n  nav", code: "C010", at: "nav"),
    .init(name: "not a kind value", clause: "§1 \"x\"\n  every h in holdings: h.sector = powr", code: "C011", at: "powr", help: "did you mean `power`?"),
    .init(name: "unknown currency", clause: "§1 \"x\"\n  nav <= USX 5", code: "C012", at: "USX"),
    .init(name: "unknown country", clause: "§1 \"x\"\n  every h in holdings: h.domicile = UK", code: "C013", at: "UK", help: "did you mean `GB`?"),
    .init(name: "list used as value", clause: "§1 \"x\"\n  holdings.value <= $1", code: "C014", at: "holdings.value"),
    .init(name: "sum of text", clause: "§1 \"x\"\n  sum of holdings.id > $0", code: "C015", at: "holdings.id"),
    .init(name: "that outside for each", clause: "§1 \"x\"\n  sum of holdings.value where sector = that sector <= nav", code: "C016", at: "that sector"),
    .init(name: "quadratic aggregate", clause: "§1 \"x\"\n  every h in holdings: count of holdings where sector = h.sector < 5", code: "C017", at: "count"),
    .init(name: "group key misuse", clause: "§1 \"x\"\n  for each sector:\n    count of holdings where domicile = US and that sector = power >= 0", code: "C018", at: "count"),
    .init(name: "two snapshots", clause: "data other from snapshot\n  x : money", code: "C019", at: "other"),
    .init(name: "second pro forma", clause: "pro forma: deal joins holdings with value = deal.amount", code: "C020", at: "pro forma"),
    .init(name: "two deal declarations", clause: "§1 \"x\"\n  nav > $0\nrecord r\n  x : money\ndata q from deal\n  y : money", code: "C019", at: "q"),
    .init(name: "effective from a number", clause: "§1 \"x\"\n  effective from 5\n  nav > $0", code: "C021", at: "5"),
    .init(name: "warn above 100%", clause: "§1 \"x\"\n  nav <= $5\n  warn above 120% of the limit", code: "C022", at: "120%"),
    .init(name: "group by money", clause: "§1 \"x\"\n  for each value:\n    nav > $0", code: "C023", at: "value"),
    .init(name: "dollars plus yen", clause: "§1 \"x\"\n  $5 + ¥5 > $0", code: "C024", at: "$5 + ¥5"),
    .init(name: "conversion without fx", clause: "§1 \"x\"\n  nav in JPY > ¥0", code: "C025", at: "nav in JPY"),
    .init(name: "bad default", clause: "record r\n  x : money default 5%", code: "C026", at: "5%"),
    .init(name: "cents on text", clause: "record r\n  x : text in cents", code: "C027", at: "x"),
    .init(name: "unknown party", clause: "party a \"A\"\n§1 \"x\"\n  approved by b", code: "C030", at: "b"),
    .init(name: "threshold above 100%", clause: "party a \"A\"\n§1 \"x\"\n  votes in favour >= 3/2 of votes cast", code: "C031", at: "3/2"),
    .init(name: "waiver by unknown party", clause: "party a \"A\"\n§1 \"x\"\n  nav > $0\n  waivable by a and zz", code: "C035", at: "zz"),
  ]

  @Test(arguments: cases) func reportsEachProblemWithItsCode(_ c: CheckCase) {
    let source = prelude + c.clause + "\n"
    let file = SourceFile(name: "test.cov", text: source)
    let r = Checker.compile(file)
    let d = r.diagnostics.first { $0.code == c.code }
    #expect(d != nil, "expected \(c.code), got \(r.diagnostics.map { "\($0.code) \($0.message)" })")
    #expect(r.covenant == nil)
    guard let d, let span = d.span else { return }
    #expect(file.text(span).hasPrefix(c.at), "caret under `\(file.text(span))`, expected `\(c.at)`")
    #expect(file.location(of: span.start).line > prelude.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
    if let help = c.help { #expect(d.help == help) }
  }

  @Test func renderedDiagnosticHasLocationCaretAndHelp() {
    let source = prelude + "§3.1 \"US domicile\"\n  every holding in holdings: holding.domicle = US\n"
    let file = SourceFile(name: "covenant.cov", text: source)
    let d = Checker.compile(file).diagnostics[0]
    let text = DiagnosticRenderer.text(d, source: file)
    let line = source.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    #expect(text == """
      covenant.cov:\(line):38: error[C002]: unknown field `domicle` on `holding` in §3.1
         |
      \(line) |   every holding in holdings: holding.domicle = US
         |                                      ^^^^^^^
         = help: did you mean `domicile`?

      """)
  }

  @Test func datesHaveAMinimumButNoSum() {
    let cov = "covenant \"D\"\nrecord event\n  at : date\ndata fund from snapshot\n  events : list of event\n"
    #expect(errorCodes(cov + "§1 \"x\"\n  max of fund.events.at > 2026-01-01\n") == [])
    #expect(errorCodes(cov + "§1 \"x\"\n  sum of fund.events.at > 2026-01-01\n") == ["C015"])
    #expect(errorCodes(cov + "§1 \"x\"\n  average of fund.events.at > 2026-01-01\n") == ["C015"])
  }

  @Test func moneyOfOneCurrencyAndPureNumbersCombine() {
    let ok = prelude + """
      §1 "x"
        total <= 2.0x fund.equity
        fund.debt / fund.equity <= 200%
        sum of holdings.value where sector = power <= 35% of nav
        fund.as_of + 5 years > 2027-01-01
      define total = fund.debt + sum of holdings.debt

      """
    #expect(errorCodes(ok) == [])
  }
}

/// Issue #15: `severity breach` is a clause setting, not a requirement `true`.
@Suite struct CheckerSeverityTests {
  @Test func severityBreachIsNotARequirement() throws {
    let r = compile(prelude + "§1 \"x\"\n  severity breach\n  nav > $0\n")
    #expect(r.diagnostics.filter(\.isError).isEmpty, "\(r.diagnostics.map(\.message))")
    let clause = try #require(r.covenant?.clauses.first)
    #expect(clause.requirements.map(\.source) == ["nav > $0"])
    #expect(!clause.severityWarning)
    let (result, c) = try run(prelude + "§1 \"x\"\n  severity breach\n  nav > $0\n",
      snapshot: snapshotJSON([("h1", "power", "US", "100")]))
    let text = CheckReport.text(result, covenant: c, explain: true)
    #expect(!text.contains("requires: severity"), "\(text)")
  }

  @Test func aClauseWithOnlySeverityBreachHasNoRequirement() {
    #expect(errorCodes(prelude + "§1 \"x\"\n  severity breach\n") == ["C010"])
    #expect(errorCodes(prelude + "§1 \"x\"\n  severity warning\n") == ["C010"])
  }

  @Test func severityBreachMayComeBeforeForEach() {
    let source = prelude + "§1 \"x\"\n  severity breach\n  for each sector:\n    sum of holdings.value where sector = that sector <= nav\n"
    #expect(errorCodes(source) == [])
  }
}

/// Issue #15: a bare two-capital word is a value of a declared kind where the other side is of
/// that kind; elsewhere it is a country code.
@Suite struct CheckerBareWordTests {
  @Test func aKindValueThatLooksLikeACountryCode() {
    // The kind's members win where the other side is of the kind, in either order and in lists.
    let ok = """
      covenant "R"
      kind rating = AA | BB
      record bond
        rating   : rating
        grade    : rating default AA
        domicile : country
      data book from snapshot
        bonds : list of bond
      §1 "x"
        every b in bonds: b.rating = AA or BB = b.rating
        count of bonds where rating in [AA, BB] and rating != BB and domicile = US >= 0
        count of bonds where domicile = BB >= 0

      """
    let r = compile(ok)
    #expect(r.diagnostics.filter(\.isError).isEmpty, "\(r.diagnostics.map { "\($0.code) \($0.message)" })")
    // Elsewhere a two-capital word is still a country code, checked as before.
    let bad = ok.replacingOccurrences(of: "domicile = US", with: "domicile = UK")
    let d = compile(bad).diagnostics.filter(\.isError)
    #expect(d.map(\.code) == ["C013"])
    #expect(d.first?.help == "did you mean `GB`?")
    // Not a member of the kind, and not a country: the country diagnostic.
    let notMember = ok.replacingOccurrences(of: "b.rating = AA", with: "b.rating = UK")
    #expect(compile(notMember).diagnostics.filter(\.isError).map(\.code).contains("C013"))
  }
}
