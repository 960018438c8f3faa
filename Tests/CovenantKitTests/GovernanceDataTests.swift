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

/// Governance data read as each administrator delivers it: members and voting power in the
/// snapshot, votes keyed by other names, approvals that are votes, waivers with windows.
@Suite struct GovernanceDataTests {
  static let base = """
    covenant "Infrastructure Partners II"
    kind sector = power | logistics
    record asset
      ref    : text
      sector : sector
      nav    : money from "nav_usd"
    record clearance
      authority : text
      status    : text
    data book from snapshot
      as_of  : date from "valuation_date"
      assets : list of asset from "book.assets"
    data deal from deal
      ref        : text
      sector     : sector
      amount     : money from "commitment"
      approvals  : list of clearance
    pro forma: the deal joins assets with ref = deal.ref, sector = deal.sector, nav = deal.amount

    party anchor "Anchor Pension Plan" id "INST-A" class sponsor
    party state  "State Investment Board" id "INST-B" class sponsor

    governance members  from snapshot "governance.members" with id = "id", name = "name", power = "voting_power", class sponsor = "sponsor"
    governance votes    from deal "ballots" with party = "member", vote = "decision", for = "for" | "yes", against = "against" | "no", abstain = "abstain"
    governance approvals from votes
    governance waivers  from deal "waivers" optional with id = "id", clause = "section", approved_by = "approved_by", granted = "granted", expires = "expires"
    governance date     from deal "decision_date"

    """

  static let snapshot = """
    {"valuation_date": "2026-09-30",
     "book": {"assets": [{"ref": "A1", "sector": "power", "nav_usd": 600}, {"ref": "A2", "sector": "logistics", "nav_usd": 400}]},
     "governance": {"members": [
       {"id": "INST-A", "name": "Anchor", "sponsor": true, "voting_power": 40},
       {"id": "INST-B", "name": "State", "sponsor": true, "voting_power": 20},
       {"id": "INST-C", "name": "Endowment", "sponsor": false, "voting_power": 30},
       {"id": "INST-D", "name": "Family Office", "sponsor": false, "voting_power": 10}]}}
    """

  func deal(amount: Int = 100, ballots: String, waivers: String? = nil, date: String = "2026-10-15") -> String {
    """
    {"ref": "D-7", "sector": "logistics", "commitment": \(amount), "decision_date": "\(date)",
     "approvals": [{"authority": "CFIUS", "status": "cleared"}],
     "ballots": \(ballots)\(waivers.map { ", \"waivers\": " + $0 } ?? "")}
    """
  }

  func clause(_ id: String, _ body: String) -> String { "§\(id) \"c\"\n  \(body)\n" }

  @Test func votesByMemberWithMappedWordsAndPowerFromTheSnapshot() throws {
    let cov = Self.base + clause("8.1", "votes in favour >= 2/3 of votes cast, quorum 75% of voting power")
    // A 40 + B 20 yes = 60, C 30 no: 60 of 90 cast = 2/3 exactly; present 90 of 100.
    let ballots = #"[{"member": "INST-A", "decision": "yes"}, {"member": "INST-B", "decision": "for"}, {"member": "INST-C", "decision": "no"}]"#
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: deal(ballots: ballots))
    #expect(verdict(r, "8.1") == .pass)
    #expect(r.clauses[0].governance?.fraction == (try Exact(num: 2, den: 3)))
    #expect(r.clauses[0].governance?.quorumPresent == (try Exact(num: 9, den: 10)))
  }

  @Test func aStandAloneQuorum() throws {
    let cov = Self.base + clause("8.2", "quorum: at least 75% of voting power present")
    let met = #"[{"member": "INST-A", "decision": "abstain"}, {"member": "INST-C", "decision": "no"}, {"member": "INST-D", "decision": "yes"}]"#
    #expect(verdict(try run(cov, snapshot: Self.snapshot, deal: deal(ballots: met)).0, "8.2") == .pass)  // 80 of 100
    let short = #"[{"member": "INST-A", "decision": "yes"}, {"member": "INST-C", "decision": "yes"}]"#
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: deal(ballots: short))
    #expect(verdict(r, "8.2") == .breach)  // 70 of 100
    #expect(r.clauses[0].governance.map(GovernanceWording.lines)?.last == "quorum: 70 of 100 = 70% present, >= 75% required — not met")
  }

  @Test func approvalByEachSponsorsVoteFor() throws {
    let cov = Self.base + clause("8.3", "approved by every sponsor")
    let both = #"[{"member": "INST-A", "decision": "yes"}, {"member": "INST-B", "decision": "yes"}]"#
    #expect(verdict(try run(cov, snapshot: Self.snapshot, deal: deal(ballots: both)).0, "8.3") == .pass)
    let one = #"[{"member": "INST-A", "decision": "yes"}, {"member": "INST-B", "decision": "abstain"}]"#
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: deal(ballots: one))
    #expect(verdict(r, "8.3") == .breach)
    #expect(r.clauses[0].governance?.missingApprovals == [.party("state")])
  }

  @Test func regulatoryApprovalsAreOrdinaryData() throws {
    let cov = Self.base + clause("9.1", "every c in deal.approvals: c.status = \"cleared\"")
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: deal(ballots: "[]"))
    #expect(verdict(r, "9.1") == .pass)
  }

  @Test func waiverWindowOnTheDealsDate() throws {
    let cov = Self.base + clause("4.1", "share of assets.nav where sector = logistics <= 40%\n  waivable by anchor and state")
    // 500 of 1,100 in logistics: 45% breaches; waived only inside the waiver's window.
    func check(_ granted: String, _ expires: String, by: String = #"["INST-A", "INST-B"]"#) throws -> ClauseResult {
      let w = #"[{"id": "W-12", "section": "§4.1", "approved_by": \#(by), "granted": "\#(granted)", "expires": "\#(expires)"}]"#
      return try run(cov, snapshot: Self.snapshot, deal: deal(ballots: "[]", waivers: w)).0.clauses[0]
    }
    #expect(try check("2026-10-15", "2026-10-15").verdict == .waived)  // both ends inclusive
    let early = try check("2026-10-16", "2027-01-01")
    #expect(early.verdict == .breach)
    #expect(early.note == "waiver W-12 on file (approved by anchor, state) not effective: granted 2026-10-16, after the deal's date 2026-10-15")
    #expect(try check("2026-01-01", "2026-10-14").verdict == .breach)
    let one = try check("2026-01-01", "2027-01-01", by: #"["INST-A"]"#)
    #expect(one.verdict == .breach)
    #expect(one.note?.hasSuffix("it also needs state") == true)
  }

  struct ErrorCase: CustomStringConvertible, Sendable {
    var name: String
    var snapshot: String?
    var deal: String
    var code: String
    var path: String
    var help: String?
    var description: String { name }
  }

  static let ballots = #"[{"member": "INST-A", "decision": "yes"}]"#
  static let errorCases: [ErrorCase] = [
    .init(name: "the voter under another key", deal: #"[{"voter": "INST-A", "decision": "yes"}]"#, code: "D101", path: "ballots[0].member",
      help: "found keys `voter`, `decision`"),
    .init(name: "a vote word not mapped", deal: #"[{"member": "INST-A", "decision": "aye"}]"#, code: "D203", path: "ballots[0].decision",
      help: "for = \"for\" | \"yes\""),
    .init(name: "a vote by a non-member", deal: #"[{"member": "INST-Z", "decision": "yes"}]"#, code: "D201", path: "ballots[0]", help: "did you mean"),
    .init(name: "the votes missing", deal: "null", code: "D101", path: "ballots", help: "optional"),
    .init(name: "a member without voting power", snapshot: #"{"id": "INST-C"}"#, deal: ballots, code: "D101", path: "governance.members[2].voting_power",
      help: "every member needs its voting power"),
    .init(name: "a covenant party missing from the members", snapshot: #"{"id": "INST-X", "voting_power": 5}"#, deal: ballots, code: "D201",
      path: "governance.members", help: "state"),
  ]

  @Test(arguments: errorCases) func governanceDataErrorsSayWhatToDo(_ c: ErrorCase) throws {
    let cov = Self.base + clause("8.1", "votes in favour > 1/2 of votes cast")
    let compiled = try #require(compile(cov).covenant)
    var snap = Self.snapshot
    if let member = c.snapshot {
      // Replace the second member (INST-B) with the case's member.
      snap = snap.replacingOccurrences(of: #"{"id": "INST-B", "name": "State", "sponsor": true, "voting_power": 20}"#, with: member)
      if c.name.contains("voting power") {
        snap = Self.snapshot.replacingOccurrences(of: #"{"id": "INST-C", "name": "Endowment", "sponsor": false, "voting_power": 30}"#, with: member)
      }
    }
    var dealText = deal(ballots: c.deal)
    if c.deal == "null" { dealText = dealText.replacingOccurrences(of: #", "ballots": null"#, with: "") }
    let snapDoc = try DataLoader.parseJSON(Array(snap.utf8), file: "book.json").get()
    let dealDoc = try DataLoader.parseJSON(Array(dealText.utf8), file: "deal.json").get()
    guard case .failure(let ds) = DataLoader.governance(deal: dealDoc, dealFile: "deal.json", snapshot: snapDoc, snapshotFile: "book.json", covenant: compiled) else {
      Issue.record("no error")
      return
    }
    let d = ds.list.first { $0.code == c.code && $0.path == c.path }
    #expect(d != nil, "\(ds.list.map { "\($0.code) \($0.path ?? ""): \($0.message) help: \($0.help ?? "")" })")
    if let h = c.help {
      let said = (d?.message ?? "") + " " + (d?.help ?? "")
      #expect(said.contains(h), "\(said)")
    }
  }

  /// A covenant without governance declarations reads none of these keys: whatever a deal
  /// file carries under `votes`, `approvals` and `waivers`, the verdicts are the same.
  @Test func withoutDeclarationsGovernanceKeysAreIgnored() throws {
    let cov = prelude + """
      §1 "cap"
        share of holdings.value where sector = power <= 60%
      §2 "size"
        deal.amount <= $50

      """
    let snap = snapshotJSON([("H1", "power", "US", "50"), ("H2", "logistics", "US", "50")])
    let extras = [
      "", #", "votes": {"x": "maybe"}"#, #", "votes": [{"member": "Q"}]"#, #", "approvals": [{"authority": "CFIUS"}]"#,
      #", "approvals": 7"#, #", "waivers": [{"clause": "§1", "approved_by": "nobody", "expires": "never"}]"#,
      #", "waivers": {"§2": true}, "votes": null, "approvals": ["a", "a"]"#,
    ]
    var generator = SystemRandomNumberGenerator()
    for amount in (0..<6).map({ _ in Int.random(in: 1...100, using: &generator) }) {
      var seen: Set<[Verdict]> = []
      for extra in extras {
        let deal = #"{"id": "D", "sector": "power", "domicile": "US", "amount": \#(amount)\#(extra)}"#
        let (r, _) = try run(cov, snapshot: snap, deal: deal)
        seen.insert(r.clauses.map(\.verdict))
      }
      #expect(seen.count == 1, "amount \(amount): \(seen)")
    }
  }

  @Test func declarationMistakesAreRuleErrors() {
    // A vote rule with nowhere to read votes from.
    #expect(errorCodes(prelude + "party a \"A\"\n§1 \"v\"\n  votes in favour > 1/2 of votes cast\n") == ["C039"])
    #expect(errorCodes(prelude + "party a \"A\"\n§1 \"v\"\n  approved by a\n") == ["C039"])
    #expect(errorCodes(prelude + "party a \"A\"\n§1 \"v\"\n  deal.amount <= $1\n  waivable by a\n") == ["C039"])
    #expect(errorCodes(prelude + "party a \"A\"\ngovernance approvals from votes\n") == ["C039"])
    // Bindings checked: an unknown key, a key bound twice, the same word for two votes.
    #expect(errorCodes(prelude + "governance votes from deal \"v\" with voter = \"member\"\n") == ["C038"])
    #expect(errorCodes(prelude + "governance votes from deal \"v\" with party = \"a\", party = \"b\"\n") == ["C038"])
    #expect(errorCodes(prelude + "governance votes from deal \"v\" with for = \"y\", against = \"y\"\n") == ["C038"])
    #expect(errorCodes(prelude + "governance votes from deal \"v\"\ngovernance votes from deal \"w\"\n") == ["C038"])
    #expect(errorCodes(prelude + "governance members from snapshot \"a..b\"\n") == ["C038"])
  }

  @Test func governanceDeclarationsFormatAndRoundTrip() throws {
    let src = "covenant \"x\"\ngovernance votes from deal \"ballots\"  optional with party=\"member\",for=\"for\"|\"yes\"\n"
    let out = try Formatter.format(SourceFile(name: "x.cov", text: src)).get()
    #expect(out == """
      covenant "x"

      governance votes from deal "ballots" optional with
        party = "member",
        for   = "for" | "yes"

      """)
  }

  /// A stand-alone quorum beside a vote excluding conflicted parties counts all voting power,
  /// as "60% of all voting interests" says; the vote's own base excludes the conflicted.
  @Test func aStandAloneQuorumBesideAVoteCountsAllVotingPower() throws {
    let cov = Self.base.replacingOccurrences(of: "governance approvals from votes\n", with: "governance conflicted from deal \"conflicts\" optional\n")
      + clause("8.4", "votes in favour > 50% of votes cast, excluding conflicted parties\n  quorum 60% of voting power")
    // INST-A (40) conflicted; B 20 for, D 10 against: 20 of 30 cast in favour; present 30 of 100.
    let ballots = #"[{"member": "INST-B", "decision": "yes"}, {"member": "INST-D", "decision": "no"}], "conflicts": ["INST-A"]"#
    let (r, _) = try run(cov, snapshot: Self.snapshot, deal: deal(ballots: ballots))
    #expect(verdict(r, "8.4") == .breach)
    #expect(r.clauses[0].governance.map(GovernanceWording.lines)?.contains("quorum: 30 of 100 = 30% present, >= 60% required — not met") == true,
      "\(r.clauses[0].governance.map(GovernanceWording.lines) ?? [])")
    let present = #"[{"member": "INST-B", "decision": "yes"}, {"member": "INST-C", "decision": "yes"}, {"member": "INST-D", "decision": "no"}], "conflicts": ["INST-A"]"#
    #expect(verdict(try run(cov, snapshot: Self.snapshot, deal: deal(ballots: present)).0, "8.4") == .pass)
  }
}
