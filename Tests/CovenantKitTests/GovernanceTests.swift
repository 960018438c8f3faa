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

/// Voting arithmetic at every boundary, checked against hand arithmetic.
@Suite struct GovernanceTests {
  /// Three parties with weights 2, 1 and 1 (plain votes), and a clause per rule under test.
  func covenant(_ rule: String, parties: String = "party a \"A\" weight 2 class sponsor\nparty b \"B\" weight 1 class sponsor\nparty c \"C\" weight 1\n") -> String {
    prelude + parties + Self.declarations + "§9 \"Vote\"\n  \(rule)\n"
  }
  static let declarations = """
    governance votes      from deal "votes" optional
    governance approvals  from deal "approvals" optional
    governance conflicted from deal "conflicted" optional
    governance waivers    from deal "waivers" optional

    """
  let snap = snapshotJSON([("H1", "power", "US", "10")])
  func deal(_ governance: String) -> String {
    #"{"id": "D1", "sector": "power", "domicile": "US", "amount": 1\#(governance.isEmpty ? "" : ", " + governance)}"#
  }
  func outcome(_ rule: String, _ governance: String, parties: String? = nil) throws -> ClauseResult {
    let cov = parties.map { covenant(rule, parties: $0) } ?? covenant(rule)
    let (r, _) = try run(cov, snapshot: snap, deal: deal(governance))
    return try #require(r.clauses.first { $0.id == "9" })
  }

  @Test func percentWeightsThatDoNotAddUpWarn() {
    let parties = "party a \"A\" weight 33.3%\nparty b \"B\" weight 33.3%\nparty c \"C\" weight 33.3%\n"
    let r = compile(prelude + parties)
    #expect(r.covenant != nil)  // a warning, not an error
    #expect(r.diagnostics.filter { $0.severity != .note }.map(\.code) == ["C032"])
    #expect(r.diagnostics.first?.message.contains("99.9%") == true)
    #expect(compile(prelude + "party a \"A\" weight 50%\nparty b \"B\" weight 50%\n").diagnostics.filter { $0.severity != .note }.isEmpty)
  }

  @Test func exactlyTwoThirdsOfVotesCastMeetsTwoThirds() throws {
    // a (2) for, b (1) against: 2/3 of votes cast, exactly.
    let c = try outcome("votes in favour >= 2/3 of votes cast", #""votes": {"a": "for", "b": "against"}"#)
    #expect(c.verdict == .pass)
    #expect(c.governance?.fraction == (try Exact(num: 2, den: 3)))
  }

  @Test func justBelowTwoThirdsFails() throws {
    // 66.6% as weights 666 for / 334 against.
    let parties = "party a \"A\" weight 666\nparty b \"B\" weight 334\n"
    let c = try outcome("votes in favour >= 2/3 of votes cast", #""votes": {"a": "for", "b": "against"}"#, parties: parties)
    #expect(c.verdict == .breach)
    #expect(c.governance?.fraction == (try Exact(num: 666, den: 1000)))
    let sixtySix = try outcome("votes in favour >= 66⅔% of votes cast", #""votes": {"a": "for", "b": "against"}"#, parties: parties)
    #expect(sixtySix.verdict == .breach)
  }

  @Test func strictMajorityAtExactlyHalfFails() throws {
    let c = try outcome("votes in favour > 1/2 of votes cast", #""votes": {"b": "for", "c": "against"}"#)
    #expect(c.verdict == .breach)
  }

  @Test func abstentionsCountForQuorumNotForVotesCast() throws {
    // a abstains (2), b for (1), c absent: present 3/4 = 75% meets a 75% quorum exactly;
    // votes cast = 1 (b), all for.
    let c = try outcome("votes in favour >= 2/3 of votes cast, quorum 75% of voting power", #""votes": {"a": "abstain", "b": "for"}"#)
    #expect(c.verdict == .pass)
    #expect(c.governance?.quorumPresent == (try Exact(num: 3, den: 4)))
    // Counting abstentions: 1 of 3 present.
    let counting = try outcome("votes in favour >= 2/3 of votes cast, quorum 75% of voting power, counting abstentions", #""votes": {"a": "abstain", "b": "for"}"#)
    #expect(counting.verdict == .breach)
  }

  @Test func quorumJustMissed() throws {
    // a present (2 of 4 = 50%) against a quorum above 50%.
    let c = try outcome("votes in favour >= 1/2 of votes cast, quorum > 50% of voting power", #""votes": {"a": "for"}"#)
    #expect(c.verdict == .breach)
    #expect(c.governance.map(GovernanceWording.lines)?.contains { $0.contains("not met") } == true)
    // The unmet line is known by its fact, not its words: the quorum of voting power.
    let unmet = try #require(c.governance?.lines.first { $0.isUnmet })
    guard case .powerQuorum(_, _, let share, _, _, _, _, let met) = unmet else { Issue.record("\(unmet)"); return }
    let half = try Exact(num: 1, den: 2)
    #expect(!met && share == half)
  }

  @Test func allAbstainAndNoVotesNeverPass() throws {
    let abstain = try outcome("votes in favour >= 1/2 of votes cast", #""votes": {"a": "abstain", "b": "abstain", "c": "abstain"}"#)
    #expect(abstain.verdict == .breach)
    let none = try outcome("votes in favour >= 1/2 of votes cast", "")
    #expect(none.verdict == .breach)
    #expect(none.governance.map(GovernanceWording.lines)?.last?.contains("no votes recorded") == true)
    let empty = try outcome("votes in favour >= 1/2 of votes cast", #""votes": {}"#)
    #expect(empty.verdict == .breach)
    #expect(empty.governance.map(GovernanceWording.lines)?.last?.contains("no votes cast") == true)
  }

  @Test func votingPowerBaseCountsAbsentParties() throws {
    // a for (2) of 4 = 50% of voting power.
    let c = try outcome("votes in favour > 50% of voting power", #""votes": {"a": "for", "b": "for"}"#)
    #expect(c.verdict == .pass)
    let half = try outcome("votes in favour > 50% of voting power", #""votes": {"a": "for"}"#)
    #expect(half.verdict == .breach)
  }

  @Test func conflictedPartiesAreExcludedFromVotesAndBase() throws {
    // a is conflicted: b for, c against → 1/2 of votes cast among b and c.
    let c = try outcome("votes in favour >= 1/2 of voting power, excluding conflicted parties", #""votes": {"a": "against", "b": "for"}, "conflicted": ["a"]"#)
    #expect(c.verdict == .pass)
    #expect(c.governance?.totalPower == Exact(2))
  }

  @Test func castingVoteBreaksATie() throws {
    let rule = "votes in favour > 1/2 of votes cast, ties decided by b"
    let forTie = try outcome(rule, #""votes": {"b": "for", "c": "against"}"#)
    #expect(forTie.verdict == .pass)
    let againstTie = try outcome(rule, #""votes": {"b": "against", "c": "for"}"#)
    #expect(againstTie.verdict == .breach)
  }

  @Test func approvalsByNameAndByClass() throws {
    #expect(try outcome("approved by a and b", #""approvals": ["a", "b"]"#).verdict == .pass)
    #expect(try outcome("approved by a and b", #""approvals": ["a"]"#).verdict == .breach)
    #expect(try outcome("approved by any sponsor", #""approvals": ["b"]"#).verdict == .pass)
    #expect(try outcome("approved by any sponsor", #""approvals": ["c"]"#).verdict == .breach)
    #expect(try outcome("approved by every sponsor", #""approvals": ["a"]"#).verdict == .breach)
  }

  @Test func votingPowerFromTheSnapshotReplacesWeights() throws {
    let cov = covenant("votes in favour >= 2/3 of votes cast") + "governance members from snapshot \"voting_power\"\n"
    let snapWithPower = String(snap.dropLast()) + #", "voting_power": {"a": 1, "b": 1, "c": 2}}"#
    let (r, _) = try run(cov, snapshot: snapWithPower, deal: deal(#""votes": {"a": "for", "b": "for", "c": "against"}"#))
    #expect(r.clauses.first { $0.id == "9" }?.verdict == .breach)  // 2 of 4, not 3 of 4
  }

  struct DataCase: CustomStringConvertible, Sendable {
    var name: String
    var governance: String
    var code: String
    var path: String
    var description: String { name }
  }

  static let dataCases: [DataCase] = [
    .init(name: "vote by unknown party", governance: #""votes": {"zz": "for"}"#, code: "D201", path: "votes.zz"),
    .init(name: "two votes by one party", governance: #""votes": [{"party": "a", "vote": "for"}, {"party": "a", "vote": "against"}]"#, code: "D202", path: "votes[1]"),
    .init(name: "unknown vote", governance: #""votes": {"a": "yes"}"#, code: "D203", path: "votes.a"),
    .init(name: "unknown approver", governance: #""approvals": ["zz"]"#, code: "D201", path: "approvals[0]"),
    .init(name: "waiver of a missing clause", governance: #""waivers": [{"clause": "§99", "approved_by": ["a"]}]"#, code: "D206", path: "waivers[0].clause"),
  ]

  @Test(arguments: dataCases) func governanceDataErrors(_ c: DataCase) {
    let cov = covenant("approved by a")
    #expect {
      try run(cov, snapshot: snap, deal: deal(c.governance))
    } throws: { e in
      let text = "\(e)"
      return text.contains(c.code)
    }
    // The path is part of the diagnostic.
    let compiled = compile(cov).covenant!
    let doc = try! DataLoader.parseJSON(Array(deal(c.governance).utf8), file: "deal.json").get()
    guard case .failure(let ds) = DataLoader.governance(deal: doc, dealFile: "deal.json", snapshot: nil, covenant: compiled) else {
      Issue.record("no error")
      return
    }
    #expect(ds.list.contains { $0.code == c.code && $0.path == c.path }, "\(ds.list.map { "\($0.code) \($0.path ?? "")" })")
  }

  @Test func waiverLiftsABreachOnlyWhenValid() throws {
    let rule = "approved by a\n  waivable by a and b"
    let valid = try outcome(rule, #""waivers": [{"clause": "§9", "approved_by": ["a", "b"], "expires": "2026-06-30"}]"#)
    #expect(valid.verdict == .waived)  // expiring on the as-of date is still in force
    #expect(valid.note == "waived by a, b until 2026-06-30")
    let expired = try outcome(rule, #""waivers": [{"clause": "9", "approved_by": ["a", "b"], "expires": "2026-06-29"}]"#)
    #expect(expired.verdict == .breach)
    #expect(expired.note?.contains("expired 2026-06-29") == true)
    let tooFew = try outcome(rule, #""waivers": [{"clause": "§9", "approved_by": ["a"]}]"#)
    #expect(tooFew.verdict == .breach)
    #expect(tooFew.note?.contains("also needs b") == true)
  }

  @Test func aWaiverOfAClauseWithoutAWaiverProvisionIsShownNotAnError() throws {
    // It used to stop the run (D207); the clause keeps its verdict and says why.
    let c = try outcome("approved by a", #""waivers": [{"clause": "§9", "approved_by": ["a"]}]"#)
    #expect(c.verdict == .breach)
    #expect(c.note == "waiver on file (approved by a) not effective: §9 has no waiver provision")
  }

  @Test func aWaiverWindowIsInclusiveAndNeedsADate() throws {
    let rule = "approved by a\n  waivable by a"
    let opens = try outcome(rule, #""waivers": [{"clause": "§9", "approved_by": ["a"], "granted": "2026-06-30", "expires": "2026-06-30"}]"#)
    #expect(opens.verdict == .waived)  // granted and expiring on the as-of date
    let early = try outcome(rule, #""waivers": [{"clause": "§9", "approved_by": ["a"], "granted": "2026-07-01"}]"#)
    #expect(early.verdict == .breach)
    #expect(early.note?.contains("granted 2026-07-01, after the snapshot's as-of date 2026-06-30") == true)
    // No as-of date and no deal date: an expiring waiver cannot be shown to be in force.
    let cov = covenant(rule).replacingOccurrences(of: "  as_of    : date\n", with: "")
    let noDate = String(snap.drop { $0 != "," }.dropFirst())
    let (r, _) = try run(cov, snapshot: "{" + noDate, deal: deal(#""waivers": [{"clause": "§9", "approved_by": ["a"], "expires": "2027-01-01"}]"#))
    #expect(r.clauses.first?.verdict == .breach)
    #expect(r.clauses.first?.note?.contains("no deal date or as-of date") == true)
  }

  // MARK: Vote arithmetic at the limit of `Exact` (issue 15)

  /// Clause 9 with the parties' voting power read from the snapshot, so it can be any size.
  func hugeVote(_ rule: String, a: String, b: String, votes: String) throws -> (covenant: String, snapshot: String, deal: String) {
    let cov = covenant(rule, parties: "party a \"A\"\nparty b \"B\"\n") + "governance members from snapshot \"voting_power\"\n"
    return (cov, String(snap.dropLast()) + #", "voting_power": {"a": \#(a), "b": \#(b)}}"#, deal(#""votes": \#(votes)"#))
  }

  /// `Exact` holds a numerator and a denominator of up to `Exact.maxBits` (4,096) bits each, so
  /// the largest integer is 2^4096 − 1 (≈1.0444·10^1233). Two weights of 2^4095 each fit, but
  /// their total, 2^4096, does not: the check must stop with E001 (exit 2), never give a verdict.
  /// (Two weights of 5·10^1232 total 10^1233 < 2^4096: that fits, and is judged exactly below.)
  @Test func voteTotalsBeyondExactsLimitAreE001NotAVerdict() throws {
    let half = (BigInt(1) << 4095).description  // 2^4095
    let rules = ["votes in favour > 1/2 of votes cast", "votes in favour >= 2/3 of voting power", "quorum 50% of voting power"]
    let ballots = [#"{"a": "for", "b": "for"}"#, #"{"a": "for", "b": "against"}"#, #"{"a": "against"}"#]
    for rule in rules {
      for votes in ballots {
        let v = try hugeVote(rule, a: half, b: half, votes: votes)
        #expect {
          try run(v.covenant, snapshot: v.snapshot, deal: v.deal)
        } throws: { e in
          (e as? EvaluationError)?.code == "E001" && "\(e)".contains("the voting figures of §9 are too large to compute exactly")
        }
      }
    }
    // The limit is on the bits of the fraction, not on its size: 10^1232 + 10^-1232 is only just
    // over 10^1232, but its numerator (10^2464 + 1) does not fit.
    let tiny = "0." + String(repeating: "0", count: 1231) + "1"
    let mixed = try hugeVote(rules[0], a: "1" + String(repeating: "0", count: 1232), b: tiny, votes: #"{"a": "for", "b": "for"}"#)
    #expect {
      try run(mixed.covenant, snapshot: mixed.snapshot, deal: mixed.deal)
    } throws: { e in (e as? EvaluationError)?.code == "E001" }
    // Through the command line: exit 2 and E001, not exit 1 with a breach.
    let v = try hugeVote(rules[0], a: half, b: half, votes: #"{"a": "for", "b": "against"}"#)
    let out = try checkFiles(v.covenant, snapshot: v.snapshot, deal: v.deal)
    #expect(out.exitCode == 2, "\(out.stdout)\(out.stderr)")
    #expect(out.stderr.contains("E001"))
    #expect(!out.stdout.contains("BREACH") && !out.stdout.contains("PASS"))
  }

  /// Weights up to the limit are exact: a total of 2^4096 − 1, the largest that fits, split one
  /// vote apart, is decided by that one vote; 5·10^1232 twice (10^1233) fits and passes.
  @Test func hugeButRepresentableWeightsGetTheExactVerdict() throws {
    let half = BigInt(1) << 4095
    let big = half.description, bigLess1 = (half - BigInt(1)).description
    let majority = "votes in favour > 1/2 of votes cast"
    // a (2^4095) for, b (2^4095 − 1) against: a majority by one vote in ≈10^1233.
    let carried = try hugeVote(majority, a: big, b: bigLess1, votes: #"{"a": "for", "b": "against"}"#)
    let (r1, _) = try run(carried.covenant, snapshot: carried.snapshot, deal: carried.deal)
    let c1 = try #require(r1.clauses.first { $0.id == "9" })
    #expect(c1.verdict == .pass)
    #expect(c1.governance?.totalPower == (try Exact.parse(((half << 1) - BigInt(1)).description)))
    let oneHalf = try Exact(num: 1, den: 2)
    #expect(c1.governance?.fraction.map { $0 > oneHalf } == true)
    // The other way round: one vote short of a majority.
    let short = try hugeVote(majority, a: bigLess1, b: big, votes: #"{"a": "for", "b": "against"}"#)
    let (r2, _) = try run(short.covenant, snapshot: short.snapshot, deal: short.deal)
    #expect(r2.clauses.first { $0.id == "9" }?.verdict == .breach)
    // Exactly half of the voting power is not more than half.
    let tie = try hugeVote("votes in favour > 50% of voting power", a: bigLess1, b: bigLess1, votes: #"{"a": "for"}"#)
    let (r3, _) = try run(tie.covenant, snapshot: tie.snapshot, deal: tie.deal)
    #expect(r3.clauses.first { $0.id == "9" }?.verdict == .breach)
    #expect(r3.clauses.first { $0.id == "9" }?.governance?.fraction == oneHalf)
    // The weights of issue 15's attempted test, as party weights in the covenant: 10^1233 in all fits.
    let w = "5" + String(repeating: "0", count: 1232)
    let parties = "party a \"A\" weight \(w)\nparty b \"B\" weight \(w)\n"
    let both = try outcome("votes in favour >= 2/3 of votes cast", #""votes": {"a": "for", "b": "for"}"#, parties: parties)
    #expect(both.verdict == .pass)
    #expect(both.governance?.totalPower == (try Exact.parse("1" + String(repeating: "0", count: 1233))))
    #expect(try outcome("votes in favour >= 2/3 of votes cast", #""votes": {"a": "for", "b": "against"}"#, parties: parties).verdict == .breach)
    // And through the command line: exit 0 where the votes carry it, exit 1 where they do not.
    #expect(try checkFiles(carried.covenant, snapshot: carried.snapshot, deal: carried.deal).exitCode == 0)
    #expect(try checkFiles(short.covenant, snapshot: short.snapshot, deal: short.deal).exitCode == 1)
  }

  @Test func aConflictedChairHasNoCastingVote() throws {
    // b chairs and is conflicted: a and c split 1–1 (weights 2 and 1 make it uneven, so use equal weights).
    let parties = "party a \"A\" weight 1\nparty b \"B\" weight 1\nparty c \"C\" weight 1\n"
    let rule = "votes in favour > 1/2 of votes cast, excluding conflicted parties, ties decided by b"
    let c = try outcome(rule, #""votes": {"a": "for", "b": "for", "c": "against"}, "conflicted": ["b"]"#, parties: parties)
    #expect(c.verdict == .breach)
    #expect(c.governance.map(GovernanceWording.lines)?.last?.contains("excluded as conflicted, so has no casting vote") == true)
  }
}

/// `covenant check` on the texts, written to a temporary directory: its exit code and output.
func checkFiles(_ covenant: String, snapshot: String, deal: String) throws -> CommandOutput {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("covcheck-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  let files = [("covenant.cov", covenant), ("portfolio.json", snapshot), ("deal.json", deal)].map { (dir.appendingPathComponent($0.0), $0.1) }
  for (url, text) in files { try text.write(to: url, atomically: true, encoding: .utf8) }
  return Commands.run(["check", files[0].0.path, "--portfolio", files[1].0.path, "--deal", files[2].0.path])
}
