import CovenantValues
import CovenantSyntax

/// The drafting checker: runs after the checker, on a covenant that type-checks, and finds what
/// is well-typed but almost certainly not what the drafter meant — a limit that can never bind, a
/// floor that always holds, a condition that can never (or always) hold, requirements that
/// contradict or repeat each other, and declarations nothing reads. It proves only what follows
/// from the covenant's text (constant bounds, sums of amounts that cannot be negative, the same
/// list summed with and without a filter); it never looks at data. See grammar.md's design notes.
struct DraftingChecker {
  let covenant: CheckedCovenant
  let syntax: Covenant
  let parametrisedUsed: Set<Int>
  var diagnostics: [Diagnostic] = []
  /// Characters a canonical key may have: nested definitions used twice would otherwise grow
  /// exponentially.
  static let keyBudget = 20_000

  init(_ covenant: CheckedCovenant, syntax: Covenant, parametrisedUsed: Set<Int>) {
    self.covenant = covenant
    self.syntax = syntax
    self.parametrisedUsed = parametrisedUsed
  }

  static func run(_ covenant: CheckedCovenant, syntax: Covenant, parametrisedUsed: Set<Int>) -> [Diagnostic] {
    var d = DraftingChecker(covenant, syntax: syntax, parametrisedUsed: parametrisedUsed)
    d.checkCaps()
    d.checkFloors()
    d.checkConditions()
    d.checkAcrossClauses()
    d.checkUnused()
    return d.diagnostics
  }

  mutating func report(_ m: DiagnosticMessage, _ span: SourceSpan, clause: String?) {
    diagnostics.append(diagnostic(m, span, clause: clause))
  }

  func diagnostic(_ m: DiagnosticMessage, _ span: SourceSpan, clause: String?) -> Diagnostic {
    var m = m
    if let clause { m.message += " in §\(clause)" }
    return Diagnostic(m, file: covenant.file.name, span: span)
  }

  func text(_ span: SourceSpan) -> String { covenant.file.text(span) }

  // MARK: - Resolving and comparing expressions

  /// The expression a definition stands for (followed through definitions of definitions).
  func resolve(_ e: TExpr) -> TExpr {
    var e = e
    var steps = 0
    while case .definition(let i) = e.kind, i >= 0, i < covenant.definitions.count, steps < 64 {
      e = covenant.definitions[i].value
      steps += 1
    }
    return e
  }

  /// A text that is equal for two expressions exactly when they compute the same thing the same
  /// way: definitions written out, spans and the numbering of aggregates and element slots left out.
  /// Nil when the expression is invalid or too large to compare.
  func key(_ e: TExpr) -> String? {
    var out = ""
    var budget = Self.keyBudget
    var binders: [Int: Int] = [:]
    return write(e, &out, &budget, &binders, depth: 0) ? out : nil
  }

  private func write(_ e: TExpr, _ out: inout String, _ budget: inout Int, _ binders: inout [Int: Int], depth: Int) -> Bool {
    guard budget > 0, depth < 200 else { return false }
    budget -= 1
    func w(_ s: String) {
      out += s
      // Characters, as the budget counts them; an ASCII text without a carriage return (CR LF
      // is one character) has as many as bytes (counting characters was a tenth of a key).
      budget -= s.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } ? s.utf8.count : s.count
    }
    func sub(_ x: TExpr) -> Bool { write(x, &out, &budget, &binders, depth: depth + 1) }
    func opt(_ x: TExpr?) -> Bool {
      guard let x else { w("_"); return true }
      return sub(x)
    }
    func bind(_ slot: Int) -> Int? {
      let old = binders[slot]
      binders[slot] = binders.count
      return old
    }
    /// An aggregate or a trailing figure: its list, then its parts with the element's slot bound,
    /// then its key.
    /// `parts` are the first `partCount` of the three (a tuple, not an array: no allocation per
    /// aggregate).
    func overList(_ head: String, _ list: TExpr, slot: Int, _ parts: (TExpr?, TExpr?, TExpr?), partCount: Int, keyField: Int?, key: TExpr?) -> Bool {
      w(head)
      guard sub(list) else { return false }
      let old = bind(slot)
      defer { binders[slot] = old }
      for i in 0..<partCount {
        w(",")
        guard opt(i == 0 ? parts.0 : i == 1 ? parts.1 : parts.2) else { return false }
      }
      w(",k\(keyField.map(String.init) ?? "_"),")
      guard opt(key) else { return false }
      w(")")
      return true
    }
    switch e.kind {
    case .constant(let v): w("c(\(v))")
    case .definition(let i):
      guard i >= 0, i < covenant.definitions.count else { return false }
      return sub(covenant.definitions[i].value)
    case .snapshotRoot: w("S")
    case .dealRoot: w("D")
    case .local(let s): w(binders[s].map { "#\($0)" } ?? "l\(s)")
    case .groupKey: w("G")
    case .field(let b, let i):
      guard sub(b) else { return false }
      w(".\(i)")
    case .negate(let x): w("neg("); guard sub(x) else { return false }; w(")")
    case .not(let x): w("not("); guard sub(x) else { return false }; w(")")
    case .arithmetic(let op, let a, let b), .compare(let op, let a, let b), .logic(let op, let a, let b):
      w("(\(op.rawValue) ")
      guard sub(a) else { return false }
      w(" ")
      guard sub(b) else { return false }
      w(")")
    case .membership(let negated, let x, let list):
      w(negated ? "notin(" : "in(")
      guard sub(x) else { return false }
      for y in list { w(","); guard sub(y) else { return false } }
      w(")")
    case .convert(let x, let c): w("conv(\(c),"); guard sub(x) else { return false }; w(")")
    case .aggregate(let p):
      // As the planner will split it, so `a and s = k` and `s = k and a` read alike.
      let (filter, keyField, key) = p.isPlanned ? (p.filter, p.keyField, p.key) : PlanAnalysis.split(p.filter, slot: p.slot, list: p.list, schema: covenant.schema)
      guard overList("agg(\(p.function.rawValue),", p.list, slot: p.slot, (p.value, p.weight, filter), partCount: 3, keyField: keyField, key: key) else { return false }
    case .quantifier(let q):
      w("q(\(q.quantifier.rawValue),")
      guard sub(q.list) else { return false }
      let old = bind(q.slot)
      defer { binders[q.slot] = old }
      w(",")
      guard opt(q.filter) else { return false }
      w(",")
      guard sub(q.body) else { return false }
      w(")")
    case .presence(let x, let missing): w(missing ? "missing(" : "present("); guard sub(x) else { return false }; w(")")
    case .conditional(let c, let a, let b):
      w("if(")
      guard sub(c), sub(a), sub(b) else { return false }
      w(")")
    case .extremum(let isMax, let xs):
      w(isMax ? "max(" : "min(")
      for x in xs { guard sub(x) else { return false }; w(",") }
      w(")")
    case .trailing(let p):
      let (filter, keyField, key) = p.isPlanned ? (p.filter, p.keyField, p.key) : PlanAnalysis.split(p.filter, slot: p.slot, list: p.list, schema: covenant.schema)
      guard overList("trail(\(p.function.rawValue),\(p.periods),", p.list, slot: p.slot, (p.value, filter, nil), partCount: 2, keyField: keyField, key: key) else { return false }
    case .invalid: return false
    }
    return budget > 0
  }

  /// The record field `e` reads, when it is a plain field read.
  func fieldSchema(_ e: TExpr) -> FieldSchema? {
    guard case .field(let base, let i) = e.kind, case .record(let r) = base.type, r >= 0, r < covenant.schema.records.count,
      i >= 0, i < covenant.schema.records[r].fields.count
    else { return nil }
    return covenant.schema.records[r].fields[i]
  }

  /// Money that the data cannot make negative: a field without `signed` (D103 refuses a
  /// negative amount).
  func isUnsignedMoneyField(_ e: TExpr) -> Bool {
    guard let f = fieldSchema(e), case .money = f.type else { return false }
    return !f.signed
  }

  /// A sum or count over a list: the list, what is summed, and whether a filter selects part of it.
  struct Summation {
    var list: String
    var value: String
    var filtered: Bool
    /// Every term is at least zero (a count, or a sum of unsigned money), so a part is at most the whole.
    var nonNegative: Bool
  }

  func summation(_ e: TExpr) -> Summation? {
    let e = resolve(e)
    guard case .aggregate(let p) = e.kind, p.function == .sum || p.function == .count, let list = key(p.list) else { return nil }
    var value = "count"
    var nonNegative = true
    if p.function == .sum {
      guard let v = p.value else { return nil }
      // The element's own field: `sum of holdings.value`.
      guard case .field(let b, _) = v.kind, case .local(let s) = b.kind, s == p.slot else { return nil }
      value = "\(key(v)?.replacingEvery("l\(s).", with: "#.") ?? "?")"
      nonNegative = isUnsignedMoneyField(v)
    }
    return Summation(list: list, value: value, filtered: p.filter != nil || p.keyField != nil, nonNegative: nonNegative)
  }

  /// A constant number (`135%`), following definitions.
  func constantNumber(_ e: TExpr) -> Exact? {
    if case .constant(.number(let x)) = resolve(e).kind { return x }
    return nil
  }

  /// Never negative, whatever the data: a count, a sum of unsigned money, a share, an unsigned
  /// money field, a part of a whole over the whole.
  func isNonNegative(_ e: TExpr) -> Bool {
    let r = resolve(e)
    if let s = summation(r) { return s.nonNegative }
    if case .aggregate(let p) = r.kind, p.function == .share { return true }
    if isUnsignedMoneyField(r) { return true }
    if case .arithmetic(let op, let a, let b) = r.kind, op == .div || op == .mul { return isNonNegative(a) && isNonNegative(b) }
    if case .constant(let v) = r.kind, let s = sign(v) { return s >= 0 }
    return false
  }

  func sign(_ v: Value) -> Int? {
    switch v {
    case .number(let x), .money(let x, _): x.signum
    default: nil
    }
  }

  /// -1, 0, 1; nil when the two values are not comparable here.
  func order(_ a: Value, _ b: Value) -> Int? {
    switch (a, b) {
    case (.number(let x), .number(let y)): x < y ? -1 : x == y ? 0 : 1
    case (.money(let x, let c), .money(let y, let d)) where c == d: x < y ? -1 : x == y ? 0 : 1
    case (.date(let x), .date(let y)): x < y ? -1 : x == y ? 0 : 1
    default: nil
    }
  }

  // MARK: - 1. A cap on a part of a whole above 100%

  mutating func checkCaps() {
    for clause in covenant.clauses {
      for r in clause.requirements {
        for atom in conjuncts(r.expr) { checkCap(atom, clause) }
      }
    }
  }

  /// The parts of a requirement joined by `and`.
  func conjuncts(_ e: TExpr) -> [TExpr] {
    // Most requirements are one comparison: no stack for them.
    guard case .logic(.and, _, _) = e.kind else { return [e] }
    var out: [TExpr] = []
    var stack = [e]
    while let x = stack.popLast(), out.count < 10_000 {
      if case .logic(.and, let a, let b) = x.kind { stack.append(b); stack.append(a) } else { out.append(x) }
    }
    return out
  }

  /// An ordering comparison read as `low <= high` (`a >= b` is `b <= a`); nil for anything else.
  /// A cap bounds its `low` side by its `high` side, a floor its `high` side by its `low` side.
  func ordered(_ e: TExpr) -> (low: TExpr, high: TExpr)? {
    guard case .compare(let op, let lhs, let rhs) = e.kind else { return nil }
    switch op {
    case .le, .lt: return (lhs, rhs)
    case .ge, .gt: return (rhs, lhs)
    default: return nil
    }
  }

  mutating func checkCap(_ e: TExpr, _ clause: CheckedClause) {
    // `part <= P% of whole`, or `whole * P >= part` written the other way round.
    guard case let (low, high)? = ordered(e) else { return }
    var part = low
    let limit = high
    var fraction: Exact?
    var whole: TExpr?
    if case .arithmetic(.mul, let a, let b) = resolve(limit).kind {
      if let p = constantNumber(a) { fraction = p; whole = b } else if let p = constantNumber(b) { fraction = p; whole = a }
    } else if case .arithmetic(.div, let a, let b) = resolve(part).kind, let p = constantNumber(limit) {
      // `part / whole <= 135%`
      part = a; whole = b; fraction = p
    }
    guard let p = fraction, p > Exact.one, let whole, let s = summation(part), let t = summation(whole),
      s.filtered, !t.filtered, s.nonNegative, s.list == t.list, s.value == t.value
    else { return }
    let pct = Format.trimmed(((try? p.multiplied(by: Exact(100))) ?? p).formatted(places: 4), keep: 0) + "%"
    report(SemanticDiagnostics.partCapNeverBinds(pct, guesses: Checker.shareCapGuesses(p)), e.span, clause: clause.id)
  }

  // MARK: - 2. A floor below zero

  mutating func checkFloors() {
    for clause in covenant.clauses {
      for r in clause.requirements {
        for atom in conjuncts(r.expr) {
          guard case let (c, x)? = ordered(atom) else { continue }
          guard case .constant(let v) = resolve(c).kind, let s = sign(v), s < 0, isNonNegative(x) else { continue }
          report(SemanticDiagnostics.floorBelowZero(text(x.span)), atom.span, clause: clause.id)
        }
      }
    }
  }

  // MARK: - 3. `applies when` that can never hold, or always holds

  /// A bound on a measure: `x >= c` (lower) or `x <= c` (upper); strict for `>`/`<`.
  struct Bound {
    var value: Value
    var strict: Bool
  }

  struct Atom {
    var measure: String
    var expr: TExpr
    var op: BinaryOp
    var value: Value
    var span: SourceSpan
  }

  /// `measure op constant`, with a constant on the left turned round. Nil otherwise.
  /// `keyed: false`: without its measure (an atom found before, whose measure is known).
  func atom(_ e: TExpr, prefix: String = "", keyed: Bool = true) -> Atom? {
    guard case .compare(var op, var x, var c) = e.kind else { return nil }
    if case .constant = resolve(x).kind {
      swap(&x, &c)
      switch op {
      case .lt: op = .gt
      case .le: op = .ge
      case .gt: op = .lt
      case .ge: op = .le
      default: break
      }
    }
    guard case .constant(let v) = resolve(c).kind, order(v, v) != nil, [.lt, .le, .gt, .ge, .eq].contains(op) else { return nil }
    if case .constant = resolve(x).kind { return nil }
    guard keyed else { return Atom(measure: "", expr: x, op: op, value: v, span: e.span) }
    guard let k = key(x) else { return nil }
    return Atom(measure: prefix + k, expr: x, op: op, value: v, span: e.span)
  }

  mutating func checkConditions() {
    for clause in covenant.clauses where !clause.appliesWhen.isEmpty {
      let all = clause.appliesWhen.flatMap(conjuncts)
      var lower: [String: Bound] = [:], upper: [String: Bound] = [:]
      var spans: [String: SourceSpan] = [:]
      var alwaysTrue = true
      var never: SourceSpan?
      for e in all {
        guard let a = atom(e) else { alwaysTrue = false; continue }
        // What the measure can be at all: unsigned money and counts are at least zero.
        if lower[a.measure] == nil, isNonNegative(a.expr), let z = zero(like: a.value) { lower[a.measure] = Bound(value: z, strict: false) }
        let natural = lower[a.measure]
        let old = spans[a.measure]
        spans[a.measure] = old.map { SourceSpan($0.start, max($0.end, a.span.end)) } ?? a.span
        if a.op == .ge || a.op == .gt || a.op == .eq { tighten(&lower, a.measure, Bound(value: a.value, strict: a.op == .gt), lower: true) }
        if a.op == .le || a.op == .lt || a.op == .eq { tighten(&upper, a.measure, Bound(value: a.value, strict: a.op == .lt), lower: false) }
        // Always true: a lower bound the measure meets anyway.
        let implied: Bool = {
          guard let n = natural, a.op == .ge || a.op == .gt, let o = order(a.value, n.value) else { return false }
          return o < 0 || (o == 0 && a.op == .ge)
        }()
        if !implied { alwaysTrue = false }
        if let lo = lower[a.measure], let hi = upper[a.measure], let o = order(lo.value, hi.value), o > 0 || (o == 0 && (lo.strict || hi.strict)) {
          never = never ?? spans[a.measure]
        }
      }
      if let span = never {
        report(SemanticDiagnostics.conditionNeverHolds(), span, clause: clause.id)
      } else if alwaysTrue, let first = all.first {
        let span = SourceSpan(first.span.start, all.map(\.span.end).max() ?? first.span.end)
        report(SemanticDiagnostics.conditionAlwaysHolds(), span, clause: clause.id)
      }
    }
  }

  func zero(like v: Value) -> Value? {
    switch v {
    case .number: .number(Exact.zero)
    case .money(_, let c): .money(Exact.zero, currency: c)
    default: nil
    }
  }

  func tighten(_ bounds: inout [String: Bound], _ measure: String, _ b: Bound, lower: Bool) {
    guard let old = bounds[measure], let o = order(b.value, old.value) else {
      if bounds[measure] == nil { bounds[measure] = b }
      return
    }
    let tighter = lower ? (o > 0 || (o == 0 && b.strict)) : (o < 0 || (o == 0 && b.strict))
    if tighter { bounds[measure] = b }
  }

  // MARK: - 4. Requirements across clauses: contradiction and redundancy

  mutating func checkAcrossClauses() {
    // Two passes over the clauses, keeping only the strictest cap and floor of each measure
    // (the first of equals, in clause order): a list of every limit held a few hundred bytes a
    // clause, the peak of `validate` for a covenant of many small clauses. The second pass finds
    // the same atoms again and reports, per measure in order of first appearance, a floor above
    // the cap, or the looser caps then the looser floors in clause order.
    struct Limit {
      var clauseIndex: Int
      var atom: Atom
    }
    // The closures below read the checker through this one copy: reading `self` inside them
    // copied the whole checker (the covenant's arrays retained one by one) at every call, a
    // third of the drafting checker's time on 10,000 clauses.
    let me = self
    let clauses = covenant.clauses
    var measureIndex: [String: Int] = [:]
    var caps: [Limit?] = [], floors: [Limit?] = []
    // The first pass notes each conjunct's measure (-1: not a limit), so that the second finds
    // the same atoms without writing their comparison keys again (a third of `validate`'s
    // drafting time for 10,000 clauses); four bytes a conjunct.
    var measures: [Int32] = []
    func forEachLimit(first: Bool, _ body: (Int, Int, Atom) -> Void) {
      var n = 0
      for (index, clause) in clauses.enumerated() where !clause.severityWarning {
        // A clause that applies only sometimes neither contradicts nor makes redundant another;
        // nor does one that yields to consent, or that another clause can disapply (`notwithstanding`,
        // an exception): a looser cap that prevails over a stricter one is the point of the reference.
        let unconditional = clause.appliesWhen.isEmpty && clause.effectiveFrom == nil && clause.until == nil && clause.consent == nil && clause.displacedBy.isEmpty
        guard unconditional else { continue }
        var prefix = ""
        if let g = clause.group {
          guard let lk = me.key(g.list) else { continue }
          if first { prefix = "each(\(lk).\(g.field)):" }
        }
        for r in clause.requirements {
          for e in conjuncts(r.expr) {
            if !first {
              let m = measures[n]
              n += 1
              guard m >= 0, let a = me.atom(e, keyed: false) else { continue }
              body(Int(m), index, a)
              continue
            }
            guard let a = me.atom(e, prefix: prefix), a.op != .eq else {
              measures.append(-1)
              continue
            }
            let m: Int
            if let known = measureIndex[a.measure] { m = known } else {
              m = measureIndex.count
              measureIndex[a.measure] = m
              caps.append(nil)
              floors.append(nil)
            }
            measures.append(Int32(truncatingIfNeeded: m))
            body(m, index, a)
          }
        }
      }
    }
    // The strictest of each: the lowest cap, the highest floor.
    func stricter(_ l: Atom, than b: Atom, lower: Bool) -> Bool {
      guard let o = me.order(l.value, b.value) else { return false }
      return lower ? (o > 0 || (o == 0 && l.op == .gt && b.op == .ge)) : (o < 0 || (o == 0 && l.op == .lt && b.op == .le))
    }
    forEachLimit(first: true) { m, index, a in
      let isCap = a.op == .le || a.op == .lt
      let current = isCap ? caps[m] : floors[m]
      if let b = current, !stricter(a, than: b.atom, lower: !isCap) { return }
      if isCap { caps[m] = Limit(clauseIndex: index, atom: a) } else { floors[m] = Limit(clauseIndex: index, atom: a) }
    }
    let count = caps.count
    var contradicted = [Bool](repeating: false, count: count)
    var reports: [(caps: [Diagnostic], floors: [Diagnostic])] = Array(repeating: ([], []), count: count)
    for m in 0..<count {
      if let cap = caps[m], let floor = floors[m], let o = self.order(floor.atom.value, cap.atom.value),
        o > 0 || (o == 0 && (floor.atom.op == .gt || cap.atom.op == .lt))
      {
        contradicted[m] = true
      }
    }
    forEachLimit(first: false) { m, index, l in
      guard !contradicted[m] else { return }
      let isCap = l.op == .le || l.op == .lt
      guard let best = isCap ? caps[m] : floors[m], l.span != best.atom.span else { return }
      guard let o = me.order(l.value, best.atom.value) else { return }
      let looser = isCap ? (o > 0 || (o == 0 && l.op == .le && best.atom.op == .lt)) : (o < 0 || (o == 0 && l.op == .ge && best.atom.op == .gt))
      // The stricter one lifts nothing: it is not waivable, so the looser one never decides.
      guard looser, clauses[best.clauseIndex].waivableBy.isEmpty else { return }
      let other = clauses[best.clauseIndex].id == clauses[index].id ? "this clause" : "§\(clauses[best.clauseIndex].id)"
      let d = me.diagnostic(SemanticDiagnostics.redundantLimit(me.text(l.span), stricter: me.text(best.atom.span), of: other, isCap: isCap), l.span, clause: clauses[index].id)
      if isCap { reports[m].caps.append(d) } else { reports[m].floors.append(d) }
    }
    for m in 0..<count {
      if contradicted[m], let cap = caps[m], let floor = floors[m] {
        let other = clauses[floor.clauseIndex].id == clauses[cap.clauseIndex].id ? "this clause" : "§\(clauses[cap.clauseIndex].id)"
        report(SemanticDiagnostics.floorAboveCap(text(floor.atom.span), cap: text(cap.atom.span), of: other), floor.atom.span, clause: clauses[floor.clauseIndex].id)
        continue
      }
      diagnostics += reports[m].caps
      diagnostics += reports[m].floors
    }
  }

  // MARK: - 5. Unused definitions and record fields

  mutating func checkUnused() {
    var usedDefinitions = parametrisedUsed
    // A field as (record, index) in one value: a two-element array per insert was an allocation
    // per field read of every clause.
    struct FieldUse: Hashable {
      var record: Int
      var field: Int
    }
    var usedFields: Set<FieldUse> = []
    // A tree walk without a set of visited nodes: definitions are references (`.definition`), so
    // nothing is shared, and hashing whole subtrees made this the slowest step of `validate`.
    func visit(_ e: TExpr) {
      var stack = [e]
      while let x = stack.popLast() {
        switch x.kind {
        case .definition(let i): usedDefinitions.insert(i)
        case .field(let b, let i):
          if case .record(let r) = b.type { usedFields.insert(FieldUse(record: r, field: i)) }
        case .aggregate(let p):
          if let k = p.keyField, case .list(.record(let r)) = p.list.type { usedFields.insert(FieldUse(record: r, field: k)) }
        case .trailing(let p):
          if case .list(.record(let r)) = p.list.type {
            if let k = p.keyField { usedFields.insert(FieldUse(record: r, field: k)) }
            usedFields.insert(FieldUse(record: r, field: p.calendar.endField))
            if let s = p.calendar.startField { usedFields.insert(FieldUse(record: r, field: s)) }
          }
        default: break
        }
        x.forEachChild { stack.append($0) }
      }
    }
    for d in covenant.definitions { visit(d.value) }
    for c in covenant.clauses {
      c.appliesWhen.forEach(visit)
      [c.effectiveFrom, c.until].compactMap { $0 }.forEach(visit)
      c.requirements.forEach { visit($0.expr) }
      c.reports.forEach { visit($0.expr) }
      c.exceptions.forEach { visit($0.condition) }
      if let g = c.group {
        visit(g.list)
        if case .list(.record(let r)) = g.list.type { usedFields.insert(FieldUse(record: r, field: g.field)) }
      }
      if let w = c.window {
        visit(w.calendar.list)
        if case .list(.record(let r)) = w.calendar.list.type {
          usedFields.insert(FieldUse(record: r, field: w.calendar.endField))
          if let s = w.calendar.startField { usedFields.insert(FieldUse(record: r, field: s)) }
        }
      }
    }
    if let p = covenant.proForma {
      p.fields.forEach(visit)
      if let s = covenant.schema.snapshot { usedFields.insert(FieldUse(record: s, field: p.listField)) }
    }
    let schema = covenant.schema
    if let s = schema.snapshot {
      if let a = covenant.asOfField { usedFields.insert(FieldUse(record: s, field: a)) }
      if let f = covenant.fxField { usedFields.insert(FieldUse(record: s, field: f)) }
    }
    for (r, rec) in schema.records.enumerated() {
      if let l = rec.labelField { usedFields.insert(FieldUse(record: r, field: l)) }
      for f in rec.fields { if let d = f.defaultField { usedFields.insert(FieldUse(record: r, field: d)) } }
    }
    // Definitions.
    var index = 0
    for decl in syntax.declarations {
      guard case .define(let d) = decl else { continue }
      defer { index += 1 }
      guard index < covenant.definitions.count, covenant.definitions[index].name == d.name.text else { continue }
      if !usedDefinitions.contains(index) {
        report(SemanticDiagnostics.unusedDefinition(d.name.text), d.name.span, clause: nil)
      }
    }
    // Record fields: a record read as a whole (a list of holdings) counts its fields only as read one by one.
    for (r, rec) in schema.records.enumerated() {
      // A record that is never reached (not a field type anywhere, not the snapshot or deal) is
      // not reported field by field.
      for (i, f) in rec.fields.enumerated() where !usedFields.contains(FieldUse(record: r, field: i)) {
        // Text fields name and describe elements (`name`, `id`) for the people reading the data.
        if f.type == .fx || f.type == .text { continue }
        report(SemanticDiagnostics.unreadField(f.name, of: rec.name), f.span, clause: nil)
      }
    }
  }
}
