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

/// Issue 14 item 4: cross-references between clauses — `notwithstanding §…`, `subject to §…` and
/// exceptions in a section of their own. One test per construct and per finding, with near misses
/// that must not be flagged. The fixture is a euro credit book with camelCase keys and facility
/// codes, unlike the examples.
@Suite struct CrossReferenceTests {
  static let book = """
    covenant "Harbour Credit Fund II"
    base currency EUR
    kind tier = senior | mezzanine | equity_kicker
    record facility
      code  : text  from "facilityCode"
      tier  : tier  from "rank"
      drawn : money from "drawnAmount"
    data book from snapshot
      as_of      : date from "valuationDate"
      facilities : list of facility from "book.facilities"
    data deal from deal
      code         : text  from "dealCode"
      tier         : tier  from "rank"
      amount       : money from "commitment"
      board_waiver : bool  from "boardWaiver" optional
    pro forma: deal joins facilities with code = deal.code, tier = deal.tier, drawn = deal.amount

    §A-1 "Single facility"
      "No Facility shall exceed EUR 50 million."
      deal.amount <= €50 million

    §A-2 "Mezzanine bucket"
      share of facilities.drawn where tier = mezzanine <= 30%

    """

  /// €100m senior and €40m mezzanine: mezzanine is 28.57% before any deal.
  static let snapshot = """
    {"valuationDate": "2026-09-30", "book": {"facilities": [
      {"facilityCode": "HC-001", "rank": "senior", "drawnAmount": 100000000},
      {"facilityCode": "HC-002", "rank": "mezzanine", "drawnAmount": 40000000}]}}
    """

  static func deal(_ tier: String, _ amount: String, waiver: String? = nil) -> String {
    "{\"dealCode\": \"HX-9\", \"rank\": \"\(tier)\", \"commitment\": \(amount)" + (waiver.map { ", \"boardWaiver\": \($0)" } ?? "") + "}"
  }

  static let override = """
    §B-6 "Senior facilities"
      "Notwithstanding Section A-1, a senior Facility may be up to EUR 80 million."
      applies when deal.tier = senior
      notwithstanding §A-1
      deal.amount <= €80 million

    """

  static let waivers = """
    §W "Board waivers"
      "Sections A-1 and A-2 do not apply to a Deal while a Board waiver is in effect."
      sections §A-1 and §A-2 do not apply to a deal when deal.board_waiver = true

    """

  func clause(_ r: CheckResult, _ id: String) -> ClauseResult? { r.clauses.first { $0.id == id } }

  func diagnostics(_ source: String) -> [Diagnostic] { compile(source).diagnostics }

  // MARK: - Syntax

  @Test func eachFormParsesWithItsSections() throws {
    let src = Self.book + """
      §C "Forms"
        subject to § A-1, §A-2
        notwithstanding §A-2 and §A-1
        section §A-1 does not apply when deal.board_waiver = true
        deal.amount <= €1 billion

      """
    let parsed = Parser.parse(SourceFile(name: "t.cov", text: src))
    #expect(parsed.diagnostics.isEmpty)
    guard case .clause(let c)? = parsed.covenant.declarations.last else {
      Issue.record("no clause")
      return
    }
    #expect(c.items.count == 4)
    guard case .subjectTo(let s, _) = c.items[0], case .notwithstanding(let n, _) = c.items[1],
      case .exception(let x, let cond, _) = c.items[2]
    else {
      Issue.record("items: \(c.items)")
      return
    }
    #expect(s.map(\.text) == ["A-1", "A-2"])  // `§ A-1` is the same section as `§A-1`
    #expect(n.map(\.text) == ["A-2", "A-1"])
    #expect(x.map(\.text) == ["A-1"])
    #expect(src.contains(SourceFile(name: "t.cov", text: src).text(cond.span)))
  }

  @Test func fmtWritesTheCanonicalFormsAndRoundTrips() throws {
    let src = Self.book + """
      §C "Forms"
        subject to §A-1,§A-2
        deal.amount <= €1 billion

      §D "More forms"
        applies when deal.tier = senior
        notwithstanding   §A-2 # the bucket
        sections §A-1, §A-2 do not apply to the deal when deal.board_waiver = true
        section §A-2 does not apply when deal.amount < €1 million
        deal.amount <= €1 billion

      """
    guard case .success(let once) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: src)) else {
      Issue.record("fmt failed")
      return
    }
    #expect(once.contains("\n  subject to §A-1 and §A-2\n"))
    #expect(once.contains("\n  notwithstanding §A-2  # the bucket\n"))
    #expect(once.contains("\n  sections §A-1 and §A-2 do not apply when deal.board_waiver = true\n"))
    #expect(once.contains("\n  section §A-2 does not apply when deal.amount < €1 million\n"))
    guard case .success(let twice) = CovenantKit.Formatter.format(SourceFile(name: "t.cov", text: once)) else {
      Issue.record("fmt output does not format")
      return
    }
    #expect(once == twice)
    // The same meaning: the formatted covenant checks to the same verdicts.
    let (a, _) = try run(src, snapshot: Self.snapshot, deal: Self.deal("senior", "60000000", waiver: "true"))
    let (b, _) = try run(once, snapshot: Self.snapshot, deal: Self.deal("senior", "60000000", waiver: "true"))
    #expect(a.clauses.map(\.verdict) == b.clauses.map(\.verdict))
  }

  @Test func wordsOfTheFormsRemainNamesElsewhere() throws {
    // Near misses: `subject`, `section` and `notwithstanding` as definitions used in requirements.
    let src = Self.book + """
      define subject = count of facilities
      define section = sum of facilities.drawn
      define notwithstanding = deal.amount
      §C "Names"
        subject >= 1
        section <= €1 billion
        notwithstanding <= €1 billion

      """
    #expect(errorCodes(src) == [])
    let (r, _) = try run(src, snapshot: Self.snapshot, deal: Self.deal("senior", "10000000"))
    #expect(verdict(r, "C") == .pass)
  }

  @Test func aBareNumberIsRefusedWithTheSectionSign() {
    let src = Self.book + """
      §C "Bare"
        applies when deal.tier = senior
        notwithstanding A-1
        deal.amount <= €80 million

      """
    let d = diagnostics(src).first { $0.code == "P001" }
    #expect(d != nil)
    let number = Self.book + "§C \"Bare\"\n  sections 4.9 do not apply when deal.board_waiver = true\n"
    let n = diagnostics(number).first { $0.code == "P001" }
    #expect(n?.help?.contains("`sections §4.9`") == true)
    let doubled = Self.book + "§C \"Plural\"\n  sections §§A-1, A-2 do not apply when deal.board_waiver = true\n"
    #expect(diagnostics(doubled).first { $0.code == "L005" }?.help?.contains("each section with its own `§`") == true)
    let verb = Self.book + "§C \"Verb\"\n  sections §A-1 apply when deal.board_waiver = true\n"
    #expect(diagnostics(verb).first { $0.code == "P001" }?.message.contains("do not apply when") == true)
  }

  // MARK: - Rule errors

  @Test func aDanglingReferenceIsC080NamingTheClauseAndTheNearestSections() {
    for item in ["notwithstanding §A-3", "subject to §A-3", "sections §A-1 and §A-3 do not apply when deal.board_waiver = true"] {
      let src = Self.book + "§C \"Dangling\"\n  applies when deal.tier = senior\n  \(item)\n  deal.amount <= €80 million\n"
      let ds = diagnostics(src).filter(\.isError)
      #expect(ds.map(\.code) == ["C080"], "\(item)")
      #expect(ds.first?.message.contains("§A-3") == true)
      #expect(ds.first?.message.contains("in §C") == true)
      #expect(ds.first?.help == "did you mean §A-1 or §A-2?")
      // The caret is under the reference.
      let file = SourceFile(name: "t.cov", text: src)
      if let span = ds.first?.span { #expect(file.text(span) == "§A-3") }
    }
  }

  @Test func aFarOffReferenceListsTheSectionsUnderItsHead() {
    let src = Self.book + Self.override + "§C \"Far\"\n  applies when deal.tier = senior\n  notwithstanding §B-61.2\n  deal.amount <= €80 million\n"
    let d = diagnostics(src).first { $0.code == "C080" }
    #expect(d?.help == "the sections under §B-61 are §B-6" || d?.help?.hasPrefix("the covenant's sections are §A-1, §A-2") == true)
    let unrelated = Self.book + "§C \"Far\"\n  applies when deal.tier = senior\n  notwithstanding §12.4(b)\n  deal.amount <= €80 million\n"
    #expect(diagnostics(unrelated).first { $0.code == "C080" }?.help == "the covenant's sections are §A-1, §A-2")
  }

  @Test func referencesResolveWhereverTheSectionIs() {
    // Near miss: the section cited comes later in the file.
    let src = Self.book.replacingOccurrences(of: "EUR 50 million.\"", with: "EUR 50 million.\"\n  subject to §Z-9") + """
      §Z-9 "Later"
        deal.amount <= €90 million

      """
    #expect(errorCodes(src) == [])
  }

  @Test func aClauseNamingItselfIsC081() {
    let src = Self.book + "§C \"Self\"\n  applies when deal.tier = senior\n  notwithstanding §A-1, §C\n  deal.amount <= €80 million\n"
    let ds = diagnostics(src).filter(\.isError)
    #expect(ds.map(\.code) == ["C081"])
    #expect(ds.first?.message.contains("§C refers to itself") == true)
  }

  @Test func aLoopOfReferencesIsC082NamingTheCycle() {
    let two = Self.book + """
      §P "One"
        applies when deal.tier = senior
        notwithstanding §Q
        deal.amount <= €70 million

      §Q "Two"
        applies when deal.tier = mezzanine
        notwithstanding §P
        deal.amount <= €60 million

      """
    let d = diagnostics(two).filter(\.isError)
    #expect(d.map(\.code) == ["C082"])
    #expect(d.first?.message.contains("§P → §Q → §P") == true)  // from the clause first in the file
    #expect(d.first?.message.contains("§P notwithstanding §Q") == true)
    #expect(d.first?.message.contains("§Q notwithstanding §P") == true)
    // Three clauses, mixing forms: P over Q, Q over R (exception), R over P (P is subject to R).
    let three = Self.book + """
      §P "One"
        applies when deal.tier = senior
        notwithstanding §Q
        subject to §R
        deal.amount <= €70 million

      §Q "Two"
        section §R does not apply when deal.board_waiver = true
        deal.amount <= €60 million

      §R "Three"
        deal.amount <= €65 million

      """
    let t = diagnostics(three).filter(\.isError)
    #expect(t.map(\.code) == ["C082"])
    #expect(t.first?.message.contains("§P subject to §R") == true)
    #expect(t.first?.message.contains("§Q an exception to §R") == true)
  }

  @Test func chainsAndSharedTargetsAreNoCycle() {
    // Near misses: A over B over C, and two clauses over the same one, are orders, not loops.
    let src = Self.book + """
      §P "One"
        applies when deal.tier = senior
        notwithstanding §Q, §A-1
        deal.amount <= €70 million

      §Q "Two"
        applies when deal.tier = mezzanine
        notwithstanding §A-1
        subject to §A-2
        deal.amount <= €60 million

      """
    #expect(errorCodes(src) == [])
  }

  @Test func anUnconditionalOverrideIsC083AndAScopedOneIsNot() {
    let always = Self.book + "§C \"Always\"\n  notwithstanding §A-1\n  deal.amount <= €80 million\n"
    let w = diagnostics(always).filter { $0.code == "C083" }
    #expect(w.count == 1)
    #expect(w.first?.severity == .note)
    #expect(w.first?.message.contains("§A-1 is never applied") == true)
    #expect(diagnostics(Self.book + Self.override).contains { $0.code == "C083" } == false)
    // A clause on the deal overriding one on the snapshot is not in force without a deal.
    let snapshotOnly = Self.book + """
      §S "Book size"
        sum of facilities.drawn <= €500 million

      §C "Deal"
        notwithstanding §S
        deal.amount <= €80 million

      """
    #expect(diagnostics(snapshotOnly).contains { $0.code == "C083" } == false)
  }

  @Test func aLooserCapThatPrevailsIsNotRedundant() {
    // Without the reference, the looser cap is noted as redundant (C075); with it, the point of
    // the override is the looser cap, and nothing is noted.
    let plain = Self.book + "§C \"Looser\"\n  deal.amount <= €80 million\n"
    #expect(diagnostics(plain).contains { $0.code == "C075" })
    let overriding = Self.book + "§C \"Looser\"\n  notwithstanding §A-1\n  deal.amount <= €80 million\n"
    #expect(diagnostics(overriding).contains { $0.code == "C075" } == false)
  }

  @Test func anExceptionConditionMustBeTrueOrFalse() {
    let src = Self.book + "§W \"Bad\"\n  section §A-1 does not apply when deal.amount\n"
    #expect(errorCodes(src) == ["C010"])
    // One condition for the whole clause: a group's `that` has no value in it.
    let grouped = Self.book + "§W \"Grouped\"\n  for each tier:\n    count of facilities where tier = that tier <= 5\n  section §A-1 does not apply when that tier = senior\n"
    #expect(errorCodes(grouped) == ["C016"])
  }

  // MARK: - Evaluation

  @Test func notwithstandingDisappliesTheOtherWhileItApplies() throws {
    let cov = Self.book + Self.override
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("senior", "70000000"))
    let a1 = try #require(clause(r, "A-1"))
    #expect(a1.verdict == .disapplied)
    #expect(a1.disapplied?.clause == "§B-6")
    #expect(a1.disapplied?.form == .notwithstanding)
    #expect(a1.disapplied?.verdictHadItApplied == .breach)
    #expect(a1.note == "disapplied: §B-6 (Senior facilities) applies, notwithstanding §A-1; had it applied: breach")
    #expect(r.compliant)
    // Its figures are still there, for the reader.
    #expect(a1.proForma?.outcomes.first?.holds == false)
    // Near miss: a mezzanine deal — §B-6 does not apply, so §A-1 applies as written.
    let (m, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000"))
    #expect(verdict(m, "A-1") == .breach)
    #expect(clause(m, "A-1")?.disapplied == nil)
    #expect(!m.compliant)
  }

  @Test func theOverridingClauseStillBinds() throws {
    let (r, _) = try run(Self.book + Self.override, snapshot: Self.snapshot, deal: Self.deal("senior", "90000000"))
    #expect(verdict(r, "B-6") == .breach)
    #expect(verdict(r, "A-1") == .disapplied)
    #expect(!r.compliant)
  }

  @Test func withoutADealTheDealClauseIsNotInForce() throws {
    // §B-6 reads the deal; without one it is not applicable and disapplies nothing.
    let cov = Self.book + Self.override + "§S \"Book\"\n  notwithstanding §A-2\n  deal.amount <= €1 billion\n"
    let (r, _) = try run(cov, snapshot: Self.snapshot)
    #expect(verdict(r, "A-2") == .pass)
    #expect(clause(r, "A-2")?.disapplied == nil)
  }

  @Test func anExceptionLiftsTheSectionsItNamesWhileItsConditionHolds() throws {
    let cov = Self.book + Self.waivers
    let (on, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000", waiver: "true"))
    #expect(verdict(on, "A-1") == .disapplied)
    #expect(verdict(on, "A-2") == .disapplied)
    #expect(clause(on, "A-2")?.disapplied?.reason == "exception §W (Board waivers) is in effect: `deal.board_waiver = true` (deal.board_waiver is true) holds")
    #expect(verdict(on, "W") == .pass)
    #expect(clause(on, "W")?.note?.hasPrefix("exception in effect: §A-1 and §A-2 do not apply") == true)
    #expect(on.compliant)
    let (off, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000", waiver: "false"))
    #expect(verdict(off, "A-1") == .breach)
    #expect(verdict(off, "A-2") == .breach)
    #expect(verdict(off, "W") == .notApplicable)
    #expect(clause(off, "W")?.note?.contains("is false, so §A-1 and §A-2 apply as written") == true)
    // Undefined (the optional flag absent): not in effect, and said so.
    let (none, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000"))
    #expect(verdict(none, "A-1") == .breach)
    #expect(clause(none, "W")?.exceptions.first?.holds == nil)
    #expect(clause(none, "W")?.note?.contains("undefined for this data") == true)
  }

  @Test func aClauseThatDoesNotApplyAnywayKeepsItsReason() throws {
    let cov = Self.book + """
      §S "Senior only"
        applies when deal.tier = senior
        deal.amount <= €40 million

      §W "Book waiver"
        section §S does not apply when count of facilities >= 1

      """
    let (m, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("equity_kicker", "1000000"))
    #expect(verdict(m, "S") == .notApplicable)
    #expect(clause(m, "S")?.note?.hasPrefix("does not apply") == true)
    let (s, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("senior", "45000000"))
    #expect(verdict(s, "S") == .disapplied)
    #expect(s.compliant)
  }

  @Test func anExceptionInAClauseThatDoesNotApplyLiftsNothing() throws {
    let cov = Self.book + """
      §W "Board waivers"
        applies when deal.tier = senior
        sections §A-1 and §A-2 do not apply when deal.board_waiver = true

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000", waiver: "true"))
    #expect(verdict(r, "A-1") == .breach)
    #expect(clause(r, "W")?.exceptions.isEmpty == true)
  }

  @Test func aDisappliedClauseDisappliesNothing() throws {
    // §P lifts §Q for senior deals; §Q would lift §A-1. With §Q disapplied, §A-1 applies.
    let cov = Self.book + """
      §Q "Large deals"
        applies when deal.amount > €10 million
        notwithstanding §A-1
        deal.amount <= €100 million

      §P "Senior"
        applies when deal.tier = senior
        notwithstanding §Q
        deal.amount <= €200 million

      """
    let (r, c) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("senior", "70000000"))
    #expect(verdict(r, "Q") == .disapplied)
    #expect(verdict(r, "A-1") == .breach)
    // The order is the references', not the file's.
    #expect(c.precedenceOrder.firstIndex(of: 3)! < c.precedenceOrder.firstIndex(of: 2)!)
    let (m, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000"))
    #expect(verdict(m, "Q") == .pass)
    #expect(verdict(m, "A-1") == .disapplied)
  }

  @Test func subjectToAppliesBothAndShowsTheOthersVerdict() throws {
    let cov = Self.book + """
      §M "Mezzanine floor"
        "Subject to Section A-2, at least 10% of the book shall be mezzanine."
        subject to §A-2
        share of facilities.drawn where tier = mezzanine >= 10%

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("mezzanine", "70000000"))
    #expect(verdict(r, "A-2") == .breach)
    #expect(verdict(r, "M") == .pass)  // never disapplied by `subject to`
    #expect(clause(r, "M")?.subjectTo.map(\.text) == ["subject to §A-2 (Mezzanine bucket), which is in breach"])
    #expect(!r.compliant)
  }

  @Test func reportsSayWhyAClauseWasDisapplied() throws {
    let cov = Self.book + Self.override + Self.waivers
    let (r, c) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("senior", "70000000"))
    let text = CheckReport.text(r, covenant: c)
    #expect(text.contains("DISAPPLIED §A-1"))
    #expect(text.contains("disapplied: §B-6 (Senior facilities) applies, notwithstanding §A-1; had it applied: breach"))
    #expect(text.contains("figures had it applied (not part of the result):"))
    #expect(text.contains("1 disapplied"))
    let json = CheckReport.json(r, covenant: c).render()
    #expect(json.contains(#""verdict": "disapplied""#))
    #expect(json.contains(#""disapplied_by": {"#))
    #expect(json.contains(#""form": "notwithstanding""#))
    #expect(json.contains(#""verdict_had_it_applied": "breach""#))
    #expect(json.contains(#""exceptions": ["#))
    #expect(json.contains(#""disapplied": 1"#))
    let junit = CIFormats.junit(r, covenant: c)
    #expect(junit.contains("<skipped message=\"disapplied: §B-6"))
    let findings = CIFormats.findings(r, covenant: c)
    #expect(findings.contains { $0.ruleID == "disapplied" && $0.level == .note && $0.message.contains("§B-6") })
    #expect(CIFormats.github(findings).contains("::notice "))
    let md = DocumentReport.markdown(r, covenant: c)
    #expect(md.contains("DISAPPLIED"))
  }

  @Test func capacityCountsAClauseOnlyWhereItIsNotDisapplied() throws {
    // §L lifts the €50m cap above €60m for senior deals and allows up to €80m: a senior deal's
    // capacity is €80m (amounts between €50m and €60m breach §A-1, but the capacity is the largest).
    let cov = Self.book + """
      §L "Large senior facilities"
        applies when deal.tier = senior
        applies when deal.amount > €60 million
        notwithstanding §A-1
        deal.amount <= €80 million

      """
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: Self.deal("senior", "70000000"))
    let cap = try #require(r.capacity)
    #expect(cap.status == .amount)
    #expect(cap.amount == Exact(80_000_000))
    #expect(cap.bindingClause == "L")
    #expect(cap.breakpoints.map { GovernanceWording.breakpoint($0, currency: cap.currency) } == ["above €60,000,000, §L (Large senior facilities) applies, and §A-1 is disapplied"])
    #expect(verdict(r, "A-1") == .disapplied)
  }

  @Test func aLongChainIsSettledInOrderAndItsCapacityBounded() throws {
    // §N0 overrides §A-1 above €1m, §N1 overrides §N0 above €2m, … : with €70m, §N68 is the
    // last in force, so every other link down the chain is disapplied, and §A-1 is disapplied
    // by §N0. The capacity's sets alternate at every threshold: beyond 64 it says so.
    var src = Self.book
    for i in 0..<300 {
      src += "§N\(i) \"Link\"\n  applies when deal.amount > €\(i + 1) million\n  notwithstanding §\(i == 0 ? "A-1" : "N\(i - 1)")\n  deal.amount <= €\(100 + i) million\n\n"
    }
    let (r, c) = try run(src, snapshot: Self.snapshot, deal: Self.deal("senior", "70000000"))
    #expect(c.precedenceOrder.count == c.clauses.count)
    #expect(verdict(r, "N68") == .pass)
    #expect(verdict(r, "N67") == .disapplied)
    #expect(verdict(r, "N66") == .pass)
    #expect(verdict(r, "N1") == .disapplied)
    #expect(verdict(r, "N0") == .pass)
    #expect(verdict(r, "A-1") == .disapplied)
    #expect(r.capacity?.status == .notComputed)
    #expect(r.capacity?.reason?.contains("more than 64 amounts") == true)
  }

  @Test func amountSetsMergeIntoDisjointIntervals() {
    typealias I = CovenantRunner.Interval
    let m = Exact(1_000_000)
    let s = CovenantRunner.AmountSet(parts: [
      I(low: m, lowStrict: true, high: Exact(3_000_000), highStrict: false),
      I(low: .zero, lowStrict: false, high: m, highStrict: true),
      I(low: Exact(3_000_000), lowStrict: true, high: nil, highStrict: false),
      I(low: Exact(5_000_000), lowStrict: false, high: Exact(6_000_000), highStrict: false),
    ]).merged()
    // [0, 1m) and (1m, 3m] do not join (1m is in neither); (1m, 3m] and (3m, ∞) do; [5m, 6m] is inside.
    #expect(s.parts.count == 2)
    #expect(!s.contains(m))
    #expect(s.contains(Exact(3_000_000)) && s.contains(Exact(7_000_000)))
    #expect(s.parts.last?.high == nil)
  }

  @Test func aBatchLineNamesTheDisappliedClauses() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xref-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data((Self.book + Self.override).utf8).write(to: dir.appendingPathComponent("c.cov"))
    try Data(Self.snapshot.utf8).write(to: dir.appendingPathComponent("p.json"))
    try Data(("[" + Self.deal("senior", "70000000") + ", " + Self.deal("equity_kicker", "20000000") + "]").utf8).write(to: dir.appendingPathComponent("d.json"))
    let out = runCommand(["check", dir.appendingPathComponent("c.cov").path, "--portfolio", dir.appendingPathComponent("p.json").path,
      "--deals", dir.appendingPathComponent("d.json").path])
    #expect(out.exitCode == 0, "\(out.stderr)")
    let lines = out.stdout.split(separator: "\n")
    #expect(lines.first?.contains("compliant") == true && lines.first?.contains("(disapplied: §A-1)") == true)
    #expect(lines.dropFirst().first?.contains("disapplied") == false)
  }

  @Test func validateNamesEachMistakeWithItsClause() {
    let out = runCommand(["validate", "Tests/CovenantKitTests/Golden/fixtures/xref.cov"])
    #expect(out.exitCode == 2)
    assertGolden(out.stderr, "validate/xref.txt")
  }

  @Test func aTestFileExpectsDisapplied() throws {
    let (f, ds) = TestFileParser.parse(SourceFile(name: "t.covtest", text: "covenant \"c.cov\"\nportfolio \"p.json\"\ntest \"x\"\n  expect §A-1 disapplied\n"))
    #expect(ds.isEmpty)
    #expect(f.tests.first?.expectations.count == 1)
  }
}
