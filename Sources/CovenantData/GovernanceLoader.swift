import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

/// Reads a deal's governance data — members and voting power, votes, approvals, conflicts,
/// waivers, the deal's date — from exactly where the covenant's `governance … from …`
/// declarations say, under the key names they give. Nothing else is read: a covenant without
/// such declarations reads no `votes`, `approvals` or `waivers` key, whatever the files carry.
extension DataLoader {
  public static func governance(
    deal doc: JSONDocument, dealFile: String, snapshot: JSONDocument?, snapshotFile: String = "snapshot",
    covenant: CheckedCovenant, node: JSONNode? = nil, path: JSONPath = JSONPath()
  ) -> Result<DealGovernance, Diagnostics> {
    readGovernance(deal: doc, dealFile: dealFile, snapshot: snapshot, snapshotFile: snapshotFile, covenant: covenant, node: node, path: path)
  }

  /// Without a deal: what the snapshot holds — members, the bodies' members and the consents on
  /// file — so that a consent recorded in the snapshot lifts a cap on the portfolio as it is.
  /// Nil when the covenant reads no such data from the snapshot.
  public static func snapshotGovernance(snapshot: JSONDocument, snapshotFile: String = "snapshot", covenant: CheckedCovenant) -> Result<DealGovernance, Diagnostics>? {
    guard covenant.governance.consents?.location.file == .snapshot else { return nil }
    return readGovernance(deal: nil, dealFile: "", snapshot: snapshot, snapshotFile: snapshotFile, covenant: covenant, node: nil, path: JSONPath())
  }

  static func readGovernance(
    deal doc: JSONDocument?, dealFile: String, snapshot: JSONDocument?, snapshotFile: String,
    covenant: CheckedCovenant, node: JSONNode?, path: JSONPath
  ) -> Result<DealGovernance, Diagnostics> {
    let spec = covenant.governance
    var g = DealGovernance()
    var diagnostics: [Diagnostic] = []
    // One reader per file, each rooted where its data starts (a batch's deal is an element).
    var dealReader = doc.map { GovernanceReader(loader: DataLoader(schema: covenant.schema, file: dealFile, doc: $0), root: node ?? $0.root, base: path) }
    var snapReader = snapshot.map { GovernanceReader(loader: DataLoader(schema: covenant.schema, file: snapshotFile, doc: $0), root: $0.root, base: JSONPath()) }
    /// Nil when the file is not given (no deal: nothing of the deal's is recorded).
    func withReader<T>(_ file: CheckedGovernance.File, _ body: (inout GovernanceReader) -> T) -> T? {
      if file == .deal {
        guard var r = dealReader else { return nil }
        defer { dealReader = r }
        return body(&r)
      }
      guard var r = snapReader else { return nil }
      defer { snapReader = r }
      return body(&r)
    }

    let read: [DealGovernance.Member]?? = withReader(spec.members?.location.file ?? .snapshot) { $0.members(spec.members, covenant) }
    g.members = (read ?? nil) ?? GovernanceReader.covenantMembers(covenant)
    if spec.members != nil, snapReader == nil, spec.members?.location.file == .snapshot {
      diagnostics.append(Diagnostic(DataDiagnostics.missing(.membersWithoutSnapshot(body: nil)), file: snapshotFile))
    }
    let known = Dictionary(g.members.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    if let v = spec.votes {
      withReader(v.location.file) { r in
        if let votes = r.votes(v, known: known) { g.votes = votes } else { g.votesRecorded = false }
      }
    }
    switch spec.approvals {
    case .list(let l)?:
      withReader(l.location.file) { r in g.approvals = Set(r.partyList(l, known: known, what: "approval") ?? []) }
    case .fromVotes?:
      g.approvals = Set(g.votes.filter { $0.value == .yes }.map(\.key))
    case nil: break
    }
    if let c = spec.conflicted {
      withReader(c.location.file) { r in g.conflicted = Set(r.partyList(c, known: known, what: "conflicted member") ?? []) }
    }
    if let w = spec.waivers {
      withReader(w.location.file) { r in g.waivers = r.waivers(w, known: known, covenant: covenant) }
    }
    if let d = spec.date {
      withReader(d.file) { r in g.date = r.date(d) }
    }
    // Each body from its own declared paths; a body's members need not be the covenant's parties.
    for (bi, body) in covenant.bodies.enumerated() {
      var data = DealGovernance.BodyData()
      let read: [DealGovernance.Member]?? = withReader(body.members.location.file) { $0.members(body.members, covenant, body: body.name) }
      data.members = (read ?? nil) ?? []
      if read == nil, body.members.location.file == .snapshot {
        diagnostics.append(Diagnostic(DataDiagnostics.missing(.membersWithoutSnapshot(body: body.name)), file: snapshotFile))
      }
      let bodyKnown = Dictionary(data.members.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
      if let v = body.votes {
        let votes: [String: DealGovernance.Vote]?? = withReader(v.location.file) { $0.votes(v, known: bodyKnown, body: body.name) }
        if let votes = votes ?? nil { data.votes = votes } else { data.votesRecorded = false }
      } else {
        data.votesRecorded = false
      }
      if let c = body.conflicted {
        withReader(c.location.file) { r in data.conflicted = Set(r.partyList(c, known: bodyKnown, what: "conflicted member", body: body.name) ?? []) }
      }
      // Conflicts declared for the whole covenant apply to the body's members too.
      data.conflicted.formUnion(g.conflicted.filter { bodyKnown[$0] != nil })
      _ = bi
      g.bodies.append(data)
    }
    if let c = spec.consents {
      withReader(c.location.file) { r in g.consents = r.consents(c, covenant: covenant) }
    }
    diagnostics += (dealReader?.loader.diagnostics ?? []) + (snapReader?.loader.diagnostics ?? [])
    return diagnostics.isEmpty ? .success(g) : .failure(Diagnostics(diagnostics))
  }
}

/// Walks one JSON file for the governance declarations; every problem is a diagnostic with the
/// JSON path, naming the keys found and the declaration that would read them.
struct GovernanceReader {
  var loader: DataLoader
  let root: JSONNode
  let base: JSONPath
  var doc: JSONDocument { loader.doc }

  mutating func fail(_ path: JSONPath, _ node: JSONNode?, _ m: DiagnosticMessage) {
    loader.fail(path, node, m)
  }

  /// The node at a declared location, or nil (with an error unless it is optional).
  mutating func locate(_ l: CheckedGovernance.Location, what: String, declaration: String) -> (JSONNode, JSONPath)? {
    var node = root
    var path = base
    for k in l.keys {
      path = path.appending(key: k)
      guard doc.kind(node) == .object, let next = doc.member(node, k) else {
        if l.optional { return nil }
        let found = doc.kind(node) == .object ? doc.members(node).map(\.0) : []
        fail(path, doc.kind(node) == .object ? node : nil, DataDiagnostics.missing(.declared(what: what, path: l.path),
          help: (found.isEmpty ? "" : "found keys " + found.prefix(8).map { "`\($0)`" }.joined(separator: ", ") + "; ")
            + "point `\(declaration)` at the right key, or add `optional` if the file may have none"))
        return nil
      }
      node = next
    }
    if doc.kind(node) == .null {
      if l.optional { return nil }
      fail(path, node, DataDiagnostics.missing(.null(what: what), help: "add `optional` to the declaration if the file may have none"))
      return nil
    }
    return (node, path)
  }

  func keysOf(_ n: JSONNode) -> String {
    let keys = doc.members(n).map(\.0)
    return keys.isEmpty ? "no keys" : "keys " + keys.prefix(8).map { "`\($0)`" }.joined(separator: ", ")
  }

  static func covenantMembers(_ c: CheckedCovenant) -> [DealGovernance.Member] {
    c.parties.enumerated().map { i, p in
      DealGovernance.Member(id: p.dataID, label: p.name, weight: p.weight ?? .one, classes: Set(p.classes), party: i)
    }
  }

  func idHelp(_ id: String, _ known: [String: Int]) -> String {
    closestMatch(id, in: Array(known.keys)).map { "did you mean \"\($0)\"?" }
      ?? "members are " + known.keys.sorted().prefix(12).map { "\"\($0)\"" }.joined(separator: ", ")
  }

  // MARK: Members

  /// `body`: the members of that voting body, who need not be the covenant's parties.
  mutating func members(_ spec: CheckedGovernance.Members?, _ covenant: CheckedCovenant, body: String? = nil) -> [DealGovernance.Member]? {
    guard let spec else { return nil }
    let declaration = body.map { "members from \(spec.location.file.rawValue) \"\(spec.location.path)\"` in `body \($0)" }
      ?? "governance members from \(spec.location.file.rawValue) \"\(spec.location.path)\""
    guard let (node, path) = locate(spec.location, what: "the members", declaration: declaration) else { return nil }
    var out: [DealGovernance.Member] = []
    var seen: Set<String> = []
    let byID = Dictionary(covenant.parties.enumerated().map { ($1.dataID, $0) }, uniquingKeysWith: { a, _ in a })
    func add(_ id: String, _ name: String?, _ power: Exact?, _ classes: Set<String>, _ p: JSONPath, _ n: JSONNode) {
      guard seen.insert(id).inserted else {
        fail(p, n, DataDiagnostics.listedTwice(.member(id)))
        return
      }
      let party = byID[id]
      let weight = power ?? party.flatMap { covenant.parties[$0].weight } ?? .one
      let label = party.map { covenant.parties[$0].name } ?? name ?? id
      out.append(.init(id: id, label: label, weight: weight, classes: classes.union(party.map { Set(covenant.parties[$0].classes) } ?? []), party: party))
    }
    switch doc.kind(node) {
    case .object:
      // {"UST": 45, "MOF": 45}: member ids and their voting power.
      for (id, v) in doc.members(node) {
        let p = path.appending(key: id)
        guard let power = number(v, p, what: "voting power") else { continue }
        add(id, nil, power, [], p, v)
      }
    case .array:
      for (i, e) in doc.elements(node).enumerated() {
        let p = path.appending(index: i)
        if let id = doc.string(e) {
          add(id, nil, nil, [], p, e)
          continue
        }
        guard doc.kind(e) == .object else {
          fail(p, e, DataDiagnostics.wrongType(expected: "a member (an object or an id)", found: loader.describe(e)))
          continue
        }
        guard let idNode = doc.member(e, spec.idKey), let id = doc.string(idNode) ?? doc.numberText(idNode).map(String.init) else {
          fail(p.appending(key: spec.idKey), e, DataDiagnostics.missing(.key(what: "the member's id", key: spec.idKey, found: keysOf(e)),
            help: "declare the key that holds the id: `\(declaration) with id = \"…\"`"))
          continue
        }
        var name: String?
        if let k = spec.nameKey, let n = doc.member(e, k) { name = doc.string(n) }
        var power: Exact?
        if let k = spec.powerKey {
          guard let pn = doc.member(e, k) else {
            fail(p.appending(key: k), e, DataDiagnostics.missing(.votingPower(member: id, key: k, found: keysOf(e)),
              help: "every member needs its voting power when the covenant reads it from the data"))
            continue
          }
          guard let x = number(pn, p.appending(key: k), what: "voting power") else { continue }
          power = x
        }
        var classes: Set<String> = []
        for flag in spec.classFlags {
          guard let fn = doc.member(e, flag.key) else { continue }
          guard let b = doc.bool(fn) else {
            fail(p.appending(key: flag.key), fn, DataDiagnostics.wrongType(expected: "true or false (is the member a \(flag.name)?)", found: loader.describe(fn)))
            continue
          }
          if b { classes.insert(flag.name) }
        }
        if let k = spec.classKey, let cn = doc.member(e, k) {
          if let c = doc.string(cn) {
            classes.insert(c)
          } else if doc.kind(cn) == .array {
            for c in doc.elements(cn) { if let s = doc.string(c) { classes.insert(s) } }
          } else {
            fail(p.appending(key: k), cn, DataDiagnostics.wrongType(expected: "a class name or a list of them", found: loader.describe(cn)))
          }
        }
        add(id, name, power, classes, p, e)
      }
    default:
      fail(path, node, DataDiagnostics.wrongType(expected: "the members as a list of records or an object of ids and voting power", found: loader.describe(node)))
      return nil
    }
    for p in covenant.parties where body == nil && !seen.contains(p.dataID) {
      fail(path, node, DataDiagnostics.notAMember(.party(name: p.name, id: p.dataID),
        help: closestMatch(p.dataID, in: Array(seen)).map { "did you mean `id \"\($0)\"` on `party \(p.name)`?" }
          ?? "give the party the id the data uses: `party \(p.name) … id \"…\"`"))
    }
    return out
  }

  mutating func number(_ n: JSONNode, _ p: JSONPath, what: String) -> Exact? {
    let x: Exact?
    switch doc.kind(n) {
    case .number: x = loader.exactNumber(n, p)
    case .string: x = loader.exactText(Substring(doc.string(n) ?? ""), n, p, .number(.plain))
    default:
      fail(p, n, DataDiagnostics.wrongType(expected: "\(what) as a number", found: loader.describe(n)))
      return nil
    }
    guard let x else { return nil }
    if x.signum < 0 {
      fail(p, n, DataDiagnostics.negative(.figure(what)))
      return nil
    }
    return x
  }

  // MARK: Votes

  mutating func votes(_ spec: CheckedGovernance.Votes, known: [String: Int], body: String? = nil) -> [String: DealGovernance.Vote]? {
    let declaration = body.map { "votes from \(spec.location.file.rawValue) \"\(spec.location.path)\"` in `body \($0)" }
      ?? "governance votes from \(spec.location.file.rawValue) \"\(spec.location.path)\""
    let memberOf = body.map { "a member of `\($0)`" } ?? "a member"
    guard let (node, path) = locate(spec.location, what: "the votes", declaration: declaration) else { return nil }
    var out: [String: DealGovernance.Vote] = [:]
    let words = spec.words.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
    func record(_ party: String, _ voteNode: JSONNode, _ p: JSONPath, _ partyNode: JSONNode, votePath: JSONPath? = nil) {
      guard known[party] != nil else {
        fail(p, partyNode, DataDiagnostics.notAMember(.named("vote by", id: party, memberOf: memberOf), help: idHelp(party, known)))
        return
      }
      guard let s = doc.string(voteNode), let v = spec.words[s] else {
        fail(votePath ?? p, voteNode, DataDiagnostics.unknownVote(loader.describe(voteNode), words: words))
        return
      }
      if out[party] != nil {
        fail(p, partyNode, DataDiagnostics.listedTwice(.votes(party)))
        return
      }
      out[party] = v
    }
    switch doc.kind(node) {
    case .object:
      for (party, v) in doc.members(node) { record(party, v, path.appending(key: party), v) }
    case .array:
      for (i, e) in doc.elements(node).enumerated() {
        let p = path.appending(index: i)
        guard doc.kind(e) == .object else {
          fail(p, e, DataDiagnostics.wrongType(expected: "a vote record with `\(spec.partyKey)` and `\(spec.voteKey)`", found: loader.describe(e)))
          continue
        }
        guard let pn = doc.member(e, spec.partyKey), let party = doc.string(pn) else {
          let found = doc.members(e).map(\.0)
          let guess = found.first { $0 != spec.voteKey && ["member", "party", "voter", "id", "member_id", "party_id", "name"].contains($0) }
          fail(p.appending(key: spec.partyKey), e, DataDiagnostics.missing(.key(what: "the voter", key: spec.partyKey, found: keysOf(e)),
            help: guess.map { "the covenant reads the voter from `\(spec.partyKey)`: declare `\(declaration) with party = \"\($0)\"`" }
              ?? "declare the key that names the voter: `\(declaration) with party = \"…\"`"))
          continue
        }
        guard let vn = doc.member(e, spec.voteKey) else {
          fail(p.appending(key: spec.voteKey), e, DataDiagnostics.missing(.key(what: "the vote", key: spec.voteKey, found: keysOf(e)),
            help: "declare the key that holds the vote: `\(declaration) with vote = \"…\"`"))
          continue
        }
        record(party, vn, p, pn, votePath: p.appending(key: spec.voteKey))
      }
    default:
      fail(path, node, DataDiagnostics.wrongType(expected: "votes as a list of records or an object of member ids and votes", found: loader.describe(node)))
      return nil
    }
    return out
  }

  /// A list of member ids, a list of records naming the member under `partyKey`, or an object
  /// of ids and true/false.
  mutating func partyList(_ spec: CheckedGovernance.PartyList, known: [String: Int], what: String, body: String? = nil) -> [String]? {
    let subject = what == "approval" ? "approvals" : "conflicted"
    let declaration = body.map { "\(subject) from \(spec.location.file.rawValue) \"\(spec.location.path)\"` in `body \($0)" }
      ?? "governance \(subject) from \(spec.location.file.rawValue) \"\(spec.location.path)\""
    let memberOf = body.map { "a member of `\($0)`" } ?? "a member"
    guard let (node, path) = locate(spec.location, what: "the \(what)s", declaration: declaration) else { return nil }
    var out: [String] = []
    func add(_ id: String, _ p: JSONPath, _ n: JSONNode) {
      guard known[id] != nil else {
        fail(p, n, DataDiagnostics.notAMember(.named(what, id: id, memberOf: memberOf), help: idHelp(id, known)))
        return
      }
      if out.contains(id) {
        fail(p, n, DataDiagnostics.listedTwice(.listed(id)))
        return
      }
      out.append(id)
    }
    switch doc.kind(node) {
    case .array:
      for (i, e) in doc.elements(node).enumerated() {
        let p = path.appending(index: i)
        if let s = doc.string(e) {
          add(s, p, e)
        } else if doc.kind(e) == .object {
          guard let pn = doc.member(e, spec.partyKey), let s = doc.string(pn) else {
            fail(p.appending(key: spec.partyKey), e, DataDiagnostics.missing(.key(what: "the member", key: spec.partyKey, found: keysOf(e)),
              help: "declare the key that names the member: `\(declaration) with party = \"…\"`; if these are not approvals by members (regulatory clearances, say), declare them as ordinary data instead"))
            continue
          }
          add(s, p.appending(key: spec.partyKey), pn)
        } else {
          fail(p, e, DataDiagnostics.wrongType(expected: "a member id", found: loader.describe(e)))
        }
      }
    case .object:
      for (id, v) in doc.members(node) {
        guard let b = doc.bool(v) else {
          fail(path.appending(key: id), v, DataDiagnostics.wrongType(expected: "true or false", found: loader.describe(v)))
          continue
        }
        if b { add(id, path.appending(key: id), v) }
      }
    default:
      fail(path, node, DataDiagnostics.wrongType(expected: "a list of member ids", found: loader.describe(node)))
      return nil
    }
    return out
  }

  // MARK: Waivers

  mutating func waivers(_ spec: CheckedGovernance.Waivers, known: [String: Int], covenant: CheckedCovenant) -> [DealGovernance.Waiver] {
    let declaration = "governance waivers from \(spec.location.file.rawValue) \"\(spec.location.path)\""
    guard let (node, path) = locate(spec.location, what: "the waivers", declaration: declaration) else { return [] }
    guard doc.kind(node) == .array else {
      fail(path, node, DataDiagnostics.wrongType(expected: "a list of waivers", found: loader.describe(node)))
      return []
    }
    var out: [DealGovernance.Waiver] = []
    for (i, w) in doc.elements(node).enumerated() {
      let p = path.appending(index: i)
      guard doc.kind(w) == .object else {
        fail(p, w, DataDiagnostics.wrongType(expected: "a waiver record", found: loader.describe(w)))
        continue
      }
      guard let cn = doc.member(w, spec.clauseKey), let cs = doc.string(cn) else {
        fail(p.appending(key: spec.clauseKey), w, DataDiagnostics.missing(.describedKey(what: "the clause the waiver lifts", key: spec.clauseKey, found: keysOf(w)),
          help: "declare the key that names the clause: `\(declaration) with clause = \"…\"`"))
        continue
      }
      let id = CheckedClause.normalizedID(cs)
      guard let clause = covenant.clauses.first(where: { $0.id == id }) else {
        fail(p.appending(key: spec.clauseKey), cn, DataDiagnostics.waiverForUnknownClause(cs,
          help: closestMatch(id, in: covenant.clauses.map(\.id)).map { "did you mean \"§\($0)\"?" }))
        continue
      }
      var waiver = DealGovernance.Waiver(clause: id, approvedBy: [], granted: nil, expires: nil)
      if let k = spec.idKey, let n = doc.member(w, k) { waiver.id = doc.string(n) ?? doc.numberText(n).map(String.init) }
      if clause.waivableBy.isEmpty { waiver.noWaiverProvision = true }
      if let a = doc.member(w, spec.approvedByKey) {
        let q = p.appending(key: spec.approvedByKey)
        let items: [(JSONNode, JSONPath)] = doc.kind(a) == .array ? doc.elements(a).enumerated().map { ($1, q.appending(index: $0)) } : [(a, q)]
        for (e, ep) in items {
          guard let s = doc.string(e) else {
            fail(ep, e, DataDiagnostics.wrongType(expected: "a member id", found: loader.describe(e)))
            continue
          }
          guard known[s] != nil else {
            fail(ep, e, DataDiagnostics.notAMember(.named("waiver approved by", id: s, memberOf: "a member"), help: idHelp(s, known)))
            continue
          }
          waiver.approvedBy.append(s)
        }
      } else {
        fail(p.appending(key: spec.approvedByKey), w, DataDiagnostics.missing(.describedKey(what: "who approved the waiver", key: spec.approvedByKey, found: keysOf(w)),
          help: "declare the key that lists the approvers: `\(declaration) with approved_by = \"…\"`"))
        continue
      }
      func day(_ key: String) -> CalendarDate?? {
        guard let n = doc.member(w, key), doc.kind(n) != .null else { return .some(nil) }
        guard let s = doc.string(n), let d = CalendarDate.parse(s) else {
          fail(p.appending(key: key), n, DataDiagnostics.invalidDate(found: loader.describe(n)))
          return nil
        }
        return .some(d)
      }
      guard let granted = day(spec.grantedKey), let expires = day(spec.expiresKey) else { continue }
      waiver.granted = granted
      waiver.expires = expires
      out.append(waiver)
    }
    return out
  }

  // MARK: Consents

  /// Consents on file: each names the clause it is for and the body that gave it, with its
  /// dates and the deal it covers when it names one.
  mutating func consents(_ spec: CheckedGovernance.Consents, covenant: CheckedCovenant) -> [DealGovernance.Consent] {
    let declaration = "governance consents from \(spec.location.file.rawValue) \"\(spec.location.path)\""
    guard let (node, path) = locate(spec.location, what: "the consents", declaration: declaration) else { return [] }
    guard doc.kind(node) == .array else {
      fail(path, node, DataDiagnostics.wrongType(expected: "a list of consents", found: loader.describe(node)))
      return []
    }
    let bodyIDs = covenant.bodies.map(\.dataID)
    var out: [DealGovernance.Consent] = []
    for (i, c) in doc.elements(node).enumerated() {
      let p = path.appending(index: i)
      guard doc.kind(c) == .object else {
        fail(p, c, DataDiagnostics.wrongType(expected: "a consent record", found: loader.describe(c)))
        continue
      }
      func text(_ key: String, _ what: String, _ binding: String) -> (String, JSONNode)? {
        guard let n = doc.member(c, key) else {
          fail(p.appending(key: key), c, DataDiagnostics.missing(.describedKey(what: what, key: key, found: keysOf(c)),
            help: "declare the key that holds it: `\(declaration) with \(binding) = \"…\"`"))
          return nil
        }
        guard let s = doc.string(n) else {
          fail(p.appending(key: key), n, DataDiagnostics.wrongType(expected: "\(what) as text", found: loader.describe(n)))
          return nil
        }
        return (s, n)
      }
      guard let (cs, cn) = text(spec.clauseKey, "the clause the consent is for", "clause"),
        let (bs, bn) = text(spec.bodyKey, "the body that consented", "body")
      else { continue }
      let clauseID = CheckedClause.normalizedID(cs)
      guard covenant.clauses.contains(where: { $0.id == clauseID }) else {
        fail(p.appending(key: spec.clauseKey), cn, DataDiagnostics.unknownConsent(clause: cs,
          help: closestMatch(clauseID, in: covenant.clauses.map(\.id)).map { "did you mean \"§\($0)\"?" }))
        continue
      }
      guard let body = bodyIDs.firstIndex(of: bs) ?? covenant.bodies.firstIndex(where: { $0.name == bs }) else {
        fail(p.appending(key: spec.bodyKey), bn, DataDiagnostics.unknownConsent(body: bs,
          help: closestMatch(bs, in: bodyIDs).map { "did you mean \"\($0)\"?" }
            ?? (bodyIDs.isEmpty ? "declare the body: `body NAME \"…\" id \"\(bs)\"`" : "bodies are " + bodyIDs.map { "\"\($0)\"" }.joined(separator: ", "))))
        continue
      }
      var consent = DealGovernance.Consent(clause: clauseID, body: body, location: "\(loader.file): \(p)")
      if let k = spec.idKey, let n = doc.member(c, k) { consent.id = doc.string(n) ?? doc.numberText(n).map(String.init) }
      if let k = spec.dealKey, let n = doc.member(c, k), doc.kind(n) != .null {
        guard let d = doc.string(n) ?? doc.numberText(n).map(String.init) else {
          fail(p.appending(key: k), n, DataDiagnostics.wrongType(expected: "the deal's reference as text", found: loader.describe(n)))
          continue
        }
        consent.deal = d
      }
      func day(_ key: String) -> CalendarDate?? {
        guard let n = doc.member(c, key), doc.kind(n) != .null else { return .some(nil) }
        guard let s = doc.string(n), let d = CalendarDate.parse(s) else {
          fail(p.appending(key: key), n, DataDiagnostics.invalidDate(found: loader.describe(n)))
          return nil
        }
        return .some(d)
      }
      guard let granted = day(spec.grantedKey), let expires = day(spec.expiresKey) else { continue }
      consent.granted = granted
      consent.expires = expires
      out.append(consent)
    }
    return out
  }

  mutating func date(_ l: CheckedGovernance.Location) -> CalendarDate? {
    guard let (node, path) = locate(l, what: "the deal's date", declaration: "governance date from \(l.file.rawValue) \"\(l.path)\"") else { return nil }
    guard let s = doc.string(node), let d = CalendarDate.parse(s) else {
      fail(path, node, DataDiagnostics.invalidDate(found: loader.describe(node)))
      return nil
    }
    return d
  }
}
