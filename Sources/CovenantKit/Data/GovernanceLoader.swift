/// Reads the governance keys of a deal file (`votes`, `approvals`, `conflicted`, `waivers`) and
/// a snapshot's `voting_power`, checking every party and clause they name against the covenant.
extension DataLoader {
  public static func governance(
    deal doc: JSONDocument, dealFile: String, snapshot: JSONDocument?, covenant: CheckedCovenant,
    node: JSONNode? = nil, path: JSONPath = JSONPath()
  ) -> Result<DealGovernance, Diagnostics> {
    var loader = DataLoader(schema: covenant.schema, file: dealFile, doc: doc)
    var g = DealGovernance()
    if let snapshot, let vp = snapshot.member(snapshot.root, "voting_power") {
      var sl = DataLoader(schema: covenant.schema, file: "snapshot", doc: snapshot)
      g.votingPower = sl.readVotingPower(vp)
      loader.diagnostics += sl.diagnostics
    }
    var known = Set(covenant.parties.map(\.name))
    if let vp = g.votingPower { known.formUnion(vp.keys) }
    loader.readGovernance(into: &g, known: known, covenant: covenant, root: node ?? doc.root, base: path)
    return loader.diagnostics.isEmpty ? .success(g) : .failure(Diagnostics(loader.diagnostics))
  }

  mutating func readVotingPower(_ node: JSONNode) -> [String: Exact]? {
    let path = JSONPath().appending(key: "voting_power")
    guard doc.kind(node) == .object else {
      fail(path, node, "expected an object of party names and voting power, found \(describe(node))")
      return nil
    }
    var power: [String: Exact] = [:]
    for (name, v) in doc.members(node) {
      let p = path.appending(key: name)
      let x: Exact?
      switch doc.kind(v) {
      case .number: x = exactNumber(v, p)
      case .string: x = exactText(Substring(doc.string(v) ?? ""), v, p, .number(.plain))
      default: x = nil; fail(p, v, "expected a number, found \(describe(v))")
      }
      guard let x else { continue }
      if x.signum < 0 { fail(p, v, "negative voting power", code: "D103"); continue }
      power[name] = x
    }
    return power
  }

  func partyHelp(_ name: String, _ known: Set<String>) -> String {
    closestMatch(name, in: Array(known)).map { "did you mean \"\($0)\"?" }
      ?? "parties are " + known.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
  }

  mutating func readPartyList(_ key: String, known: Set<String>, root: JSONNode, base: JSONPath) -> [String] {
    guard let node = doc.member(root, key) else { return [] }
    let path = base.appending(key: key)
    guard doc.kind(node) == .array else {
      fail(path, node, "expected a list of party names, found \(describe(node))")
      return []
    }
    var out: [String] = []
    for (i, e) in doc.elements(node).enumerated() {
      let p = path.appending(index: i)
      guard let s = doc.string(e) else { fail(p, e, "expected a party name, found \(describe(e))"); continue }
      guard known.contains(s) else { fail(p, e, "unknown party \"\(s)\"", code: "D201", help: partyHelp(s, known)); continue }
      if out.contains(s) { fail(p, e, "\"\(s)\" is listed twice", code: "D202"); continue }
      out.append(s)
    }
    return out
  }

  mutating func readGovernance(into g: inout DealGovernance, known: Set<String>, covenant: CheckedCovenant, root: JSONNode, base: JSONPath) {
    if let votes = doc.member(root, "votes") {
      let path = base.appending(key: "votes")
      func record(_ party: String, _ voteNode: JSONNode, _ p: JSONPath, _ partyNode: JSONNode) {
        guard known.contains(party) else {
          fail(p, partyNode, "vote by unknown party \"\(party)\"", code: "D201", help: partyHelp(party, known))
          return
        }
        guard let s = doc.string(voteNode), let v = DealGovernance.Vote(rawValue: s) else {
          fail(p, voteNode, "unknown vote \(describe(voteNode))", code: "D203", help: "a vote is \"for\", \"against\" or \"abstain\"; leave an absent party out")
          return
        }
        if g.votes[party] != nil {
          fail(p, partyNode, "\"\(party)\" votes twice", code: "D202")
          return
        }
        g.votes[party] = v
      }
      switch doc.kind(votes) {
      case .object:
        for (party, v) in doc.members(votes) { record(party, v, path.appending(key: party), v) }
      case .array:
        for (i, e) in doc.elements(votes).enumerated() {
          let p = path.appending(index: i)
          guard doc.kind(e) == .object, let pn = doc.member(e, "party"), let party = doc.string(pn), let v = doc.member(e, "vote") else {
            fail(p, e, "expected {\"party\": …, \"vote\": …}, found \(describe(e))")
            continue
          }
          record(party, v, p, pn)
        }
      default:
        fail(path, votes, "expected votes as an object such as {\"treasury\": \"for\"}, found \(describe(votes))")
      }
    }
    g.approvals = Set(readPartyList("approvals", known: known, root: root, base: base))
    g.conflicted = Set(readPartyList("conflicted", known: known, root: root, base: base))
    guard let waivers = doc.member(root, "waivers") else { return }
    let path = base.appending(key: "waivers")
    guard doc.kind(waivers) == .array else {
      fail(path, waivers, "expected a list of waivers, found \(describe(waivers))")
      return
    }
    for (i, w) in doc.elements(waivers).enumerated() {
      let p = path.appending(index: i)
      guard doc.kind(w) == .object else { fail(p, w, "expected a waiver object, found \(describe(w))"); continue }
      guard let cn = doc.member(w, "clause"), let cs = doc.string(cn) else {
        fail(p.appending(key: "clause"), w, "missing the clause the waiver lifts", code: "D101", help: "e.g. \"clause\": \"§4.2(a)\"")
        continue
      }
      let id = Governance.normalizedClauseID(cs)
      guard let clause = covenant.clauses.first(where: { $0.id == id }) else {
        fail(p.appending(key: "clause"), cn, "waiver names clause \"\(cs)\", which the covenant does not have", code: "D206",
          help: closestMatch(id, in: covenant.clauses.map(\.id)).map { "did you mean \"§\($0)\"?" })
        continue
      }
      guard !clause.waivableBy.isEmpty else {
        fail(p.appending(key: "clause"), cn, "clause §\(id) is not waivable", code: "D207",
          help: "only clauses declared `waivable by …` can be waived")
        continue
      }
      var approvedBy: [String] = []
      if let a = doc.member(w, "approved_by"), doc.kind(a) == .array {
        for (j, e) in doc.elements(a).enumerated() {
          let q = p.appending(key: "approved_by").appending(index: j)
          guard let s = doc.string(e) else { fail(q, e, "expected a party name, found \(describe(e))"); continue }
          guard known.contains(s) else { fail(q, e, "unknown party \"\(s)\"", code: "D201", help: partyHelp(s, known)); continue }
          approvedBy.append(s)
        }
      } else {
        fail(p.appending(key: "approved_by"), w, "missing the list of parties approving the waiver", code: "D101")
        continue
      }
      var expires: CalendarDate?
      if let e = doc.member(w, "expires") {
        guard let s = doc.string(e), let d = CalendarDate.parse(s) else {
          fail(p.appending(key: "expires"), e, "expected a date \"YYYY-MM-DD\", found \(describe(e))", code: "D106")
          continue
        }
        expires = d
      }
      g.waivers.append(.init(clause: id, approvedBy: approvedBy, expires: expires))
    }
  }
}
