import CovenantValues
import CovenantSyntax

/// Cross-references between clauses: `subject to §…`, `notwithstanding §…` and exceptions in a
/// section of their own (`sections §4.9, §4.10 do not apply when …`). Every reference is resolved
/// here, after all clauses are known, so that it may name a section anywhere in the file; a
/// dangling reference (C080), a clause naming itself (C081) or a loop of references (C082) is a
/// rule error found by `validate`, never a reference silently ignored when a deal is checked.
struct CrossReference {
  /// The clause that makes the reference (without `§`).
  var clause: String
  var form: CheckedClause.Displacement.Form
  var refs: [Name]
  var exception: Int? = nil
}

extension Checker {
  /// Records on each clause which others can disapply it, and returns the clause indices in an
  /// order where every clause follows those that prevail over it (empty without references).
  mutating func resolveCrossReferences(_ clauses: inout [CheckedClause]) -> [Int] {
    guard !crossReferences.isEmpty else { return [] }
    var index: [String: Int] = [:]
    for (i, c) in clauses.enumerated() where index[c.id] == nil { index[c.id] = i }
    let ids = clauses.map(\.id)
    // prevailing -> displaced, with the reference that says so (for the cycle's message).
    var edges: [[(to: Int, span: SourceSpan, words: String)]] = Array(repeating: [], count: clauses.count)
    for r in crossReferences {
      guard let from = index[r.clause] else { continue }
      clauseID = r.clause
      let words = r.form == .exception ? "an exception to" : r.form.rawValue
      for ref in r.refs {
        guard let target = index[ref.text] else {
          report(SemanticDiagnostics.unknownSection(ref.text, word: r.form == .exception ? "section" : r.form.rawValue, in: r.clause, help: Self.sectionSuggestion(ref.text, ids.filter { $0 != r.clause })), ref.span)
          continue
        }
        if target == from {
          report(SemanticDiagnostics.selfReference(r.clause, word: r.form == .exception ? "section" : r.form.rawValue, section: ref.text), ref.span)
          continue
        }
        let (prevailing, displaced) = r.form == .subjectTo ? (target, from) : (from, target)
        if r.form == .notwithstanding, Self.alwaysInForce(clauses[from], whenever: clauses[target]) {
          report(SemanticDiagnostics.overrideNeverApplies(r.clause, overrides: ref.text), ref.span)
        }
        if r.form == .subjectTo {
          if !clauses[from].subjectTo.contains(target) { clauses[from].subjectTo.append(target) }
        } else {
          let d = CheckedClause.Displacement(clause: prevailing, form: r.form, exception: r.exception)
          if !clauses[displaced].displacedBy.contains(d) { clauses[displaced].displacedBy.append(d) }
        }
        edges[prevailing].append((displaced, ref.span, "§\(r.clause) \(words) §\(ref.text)"))
      }
    }
    clauseID = nil
    // Kahn's algorithm: an order in which every prevailing clause comes first. What is left over
    // lies on or after a cycle; each cycle is named once. Iterative, so no input can overflow the stack.
    var indegree = Array(repeating: 0, count: clauses.count)
    for es in edges { for e in es { indegree[e.to] += 1 } }
    var order: [Int] = []
    var queue = (0..<clauses.count).filter { indegree[$0] == 0 }
    var head = 0
    while head < queue.count {
      let n = queue[head]
      head += 1
      order.append(n)
      for e in edges[n] {
        indegree[e.to] -= 1
        if indegree[e.to] == 0 { queue.append(e.to) }
      }
    }
    guard order.count < clauses.count else { return order }
    var predecessors: [[Int]] = Array(repeating: [], count: clauses.count)
    for (from, es) in edges.enumerated() { for e in es where indegree[e.to] > 0 && indegree[from] > 0 { predecessors[e.to].append(from) } }
    var handled = Array(repeating: false, count: clauses.count)
    for start in 0..<clauses.count where indegree[start] > 0 && !handled[start] {
      // Walk backwards: every node left over has a predecessor left over, so the walk meets a cycle.
      var position: [Int: Int] = [:]
      var path: [Int] = []
      var n = start
      while position[n] == nil && !handled[n] {
        position[n] = path.count
        path.append(n)
        guard let p = predecessors[n].first else { break }
        n = p
      }
      for p in path { handled[p] = true }
      guard let at = position[n] else { continue }  // reached a cycle already named
      var cycle = Array(path[at...].reversed())  // prevailing order: each prevails over the next
      // Named from the clause that comes first in the file.
      if let first = cycle.indices.min(by: { cycle[$0] < cycle[$1] }) { cycle = Array(cycle[first...] + cycle[..<first]) }
      var steps: [String] = []
      var span = clauses[cycle[0]].span
      for (k, c) in cycle.enumerated() {
        let next = cycle[(k + 1) % cycle.count]
        if let e = edges[c].first(where: { $0.to == next }) {
          steps.append(e.words)
          if k == 0 { span = e.span }
        }
      }
      let loop = (cycle + [cycle[0]]).map { "§" + ids[$0] }.joined(separator: " → ")
      report(SemanticDiagnostics.referenceCycle(loop, steps: steps), span)
    }
    return order
  }

  /// True when `p` is in force whenever `x` is: no `applies when`, no dates, and it needs no deal
  /// (or `x` needs one too). Whether its figures are defined for the data is not known here.
  static func alwaysInForce(_ p: CheckedClause, whenever x: CheckedClause) -> Bool {
    guard p.appliesWhen.isEmpty, p.effectiveFrom == nil, p.until == nil else { return false }
    let pNeedsDeal = p.needsDeal || p.testedOn == .proForma
    let xNeedsDeal = x.needsDeal || x.testedOn == .proForma
    return !pNeedsDeal || xNeedsDeal
  }

  /// "did you mean §4.2 or §4.10?": the nearest section numbers by edit distance; otherwise the
  /// sections under the same head number, or the covenant's sections.
  static func sectionSuggestion(_ id: String, _ ids: [String]) -> String {
    guard !ids.isEmpty else { return "the covenant has no other section" }
    let limit = max(1, id.unicodeScalars.count / 3)
    let scored = ids.map { (id: $0, d: editDistance(id.lowercased(), $0.lowercased(), limit: limit)) }.filter { $0.d <= limit }
    if let best = scored.map(\.d).min() {
      let nearest = scored.filter { $0.d == best }.map { "§" + $0.id }.prefix(3)
      return "did you mean " + Self.orList(Array(nearest)) + "?"
    }
    let head = id.prefix { $0 != "." && $0 != "(" }
    let siblings = ids.filter { $0.prefix { $0 != "." && $0 != "(" } == head }
    let shown = (siblings.isEmpty ? ids : siblings)
    let list = shown.prefix(8).map { "§" + $0 }.joined(separator: ", ") + (shown.count > 8 ? ", …" : "")
    return (siblings.isEmpty ? "the covenant's sections are " : "the sections under §\(head) are ") + list
  }

  static func orList(_ items: [String]) -> String {
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
  }
}
