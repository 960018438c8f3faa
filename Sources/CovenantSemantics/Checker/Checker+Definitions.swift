import CovenantValues
import CovenantSyntax

extension Checker {
  /// Definitions in an order where each comes after those it reads; cycles are reported.
  mutating func definitionOrder() -> [Int] {
    let n = definitionDecls.count
    var deps = [[Int]](repeating: [], count: n)
    for i in 0..<n {
      var names: [Name] = []
      collectNames(definitionDecls[i].value, into: &names)
      let params = Set(definitionDecls[i].parameters.map(\.text))
      deps[i] = names.filter { !params.contains($0.text) }.compactMap { definitionIndex[$0.text] }.uniqued()
    }
    var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on stack, 2 done
    var order: [Int] = []
    var inCycle = Set<Int>()
    for root in 0..<n where state[root] == 0 {
      var stack: [(node: Int, next: Int)] = [(root, 0)]
      state[root] = 1
      while let top = stack.last {
        if top.next < deps[top.node].count {
          stack[stack.count - 1].next += 1
          let d = deps[top.node][top.next]
          if state[d] == 0 {
            state[d] = 1
            stack.append((d, 0))
          } else if state[d] == 1 {
            let cycleStart = stack.firstIndex { $0.node == d } ?? 0
            let members = stack[cycleStart...].map(\.node)
            if !members.contains(where: inCycle.contains) {
              let decl = definitionDecls[d]
              report(SemanticDiagnostics.definitionCycle(.dependsOnItself(decl.name.text, cycle: (members + [d]).map { definitionDecls[$0].name.text })), decl.name.span)
            }
            inCycle.formUnion(members)
          }
        } else {
          state[top.node] = 2
          order.append(top.node)
          stack.removeLast()
        }
      }
    }
    return order.filter { !inCycle.contains($0) }
  }

  func collectNames(_ e: Expr, into names: inout [Name]) {
    switch e.kind {
    case .name(let n): names.append(n)
    case .literal, .that, .invalid: break
    case .member(let b, _), .negate(let b), .not(let b), .convert(let b, _): collectNames(b, into: &names)
    case .binary(_, let a, let b):
      collectNames(a, into: &names)
      collectNames(b, into: &names)
    case .list(let items): for i in items { collectNames(i, into: &names) }
    case .aggregate(_, let over, let cond, let by):
      collectNames(over, into: &names)
      if let cond { collectNames(cond, into: &names) }
      if let by { collectNames(by, into: &names) }
    case .quantifier(_, _, let list, let cond, let body):
      collectNames(list, into: &names)
      if let cond { collectNames(cond, into: &names) }
      collectNames(body, into: &names)
    case .presence(let x, _): collectNames(x, into: &names)
    case .conditional(let c, let a, let b):
      for x in [c, a, b] { collectNames(x, into: &names) }
    case .call(let n, let args):
      names.append(n)
      for x in args { collectNames(x, into: &names) }
    case .trailing(let a, let n):
      collectNames(a, into: &names)
      collectNames(n, into: &names)
    }
  }

  /// Parameters are distinct names, each used in the body.
  mutating func checkParameters(_ d: DefineDecl) {
    var seen = Set<String>()
    var used: [Name] = []
    collectNames(d.value, into: &used)
    for p in d.parameters {
      if !seen.insert(p.text).inserted { duplicateName(p, "parameter of `\(d.name.text)`") }
      if !used.contains(where: { $0.text == p.text }) {
        report(SemanticDiagnostics.parameters(.unusedParameter(p.text, of: d.name.text)), p.span)
      }
    }
  }

  /// `sector_exposure(that sector)`: the definition's body with each parameter replaced by its
  /// argument, checked where it is used, so a `where sector = that sector` inside it is planned
  /// as the one keyed pass it would be if written out (no covenant becomes quadratic).
  mutating func checkCall(_ n: Name, _ args: [Expr], span: SourceSpan, hint: ValueType?) -> TExpr {
    expansionReported = false
    let expanded = expandCall(n, args, span: span)
    var t = checkExpr(expanded, hint: hint)
    t.span = span
    return t
  }

  /// The use `n(args)` written out: its arguments' own uses first (at the caller's level), then
  /// the body with the arguments in place of the parameters, then the body's own uses. An error
  /// gives an `.invalid` node (already reported).
  mutating func expandCall(_ n: Name, _ args: [Expr], span: SourceSpan) -> Expr {
    let bad = Expr(.invalid, span)
    guard let i = definitionIndex[n.text], !definitionDecls[i].parameters.isEmpty else {
      let help = suggestion(n.text, definitionDecls.filter { !$0.parameters.isEmpty }.map(\.name.text))
      report(
        definitionIndex[n.text] != nil
          ? SemanticDiagnostics.parameters(.noParameters(n.text, help: help)) : SemanticDiagnostics.unknownName(.definition(n.text, help: help)),
        n.span)
      return bad
    }
    let d = definitionDecls[i]
    guard args.count == d.parameters.count else {
      report(SemanticDiagnostics.parameters(.arity(n.text, parameters: d.parameters.map(\.text), given: args.count)), span)
      return bad
    }
    guard !expanding.contains(i) else {
      report(SemanticDiagnostics.definitionCycle(.usesItself(n.text)), n.span)
      return bad
    }
    // A bound on the nesting keeps the written-out expression as shallow as the parser's limit
    // allows a few definitions to be.
    guard expanding.count < Self.maxExpansionDepth else {
      // Once per outermost use, not once per branch of it.
      if !expansionReported {
        expansionReported = true
        report(SemanticDiagnostics.parameters(.tooDeep(limit: Self.maxExpansionDepth)), n.span)
      }
      return bad
    }
    var bindings: [String: Expr] = [:]
    for (p, a) in zip(d.parameters, args) { bindings[p.text] = expandCalls(a) }
    var size = 0
    let body = substitute(d.value, bindings, size: &size)
    expansionBudget -= size
    guard expansionBudget >= 0 else {
      if expansionBudget + size >= 0 {
        report(SemanticDiagnostics.parameters(.tooLarge), span)
      }
      return bad
    }
    expanding.insert(i)
    usedParametrised.insert(i)
    defer { expanding.remove(i) }
    // The arguments are in place and written out already; only the body's own uses remain.
    var out = expandCalls(body)
    out.span = span
    return out
  }

  /// `e` with every use of a definition with parameters written out.
  mutating func expandCalls(_ e: Expr) -> Expr {
    var out = e
    switch e.kind {
    case .call(let n, let args): return expandCall(n, args, span: e.span)
    case .name, .literal, .that, .invalid: break
    case .member(let x, let n): out.kind = .member(expandCalls(x), n)
    case .negate(let x): out.kind = .negate(expandCalls(x))
    case .not(let x): out.kind = .not(expandCalls(x))
    case .convert(let x, let c): out.kind = .convert(expandCalls(x), c)
    case .binary(let op, let x, let y): out.kind = .binary(op, expandCalls(x), expandCalls(y))
    case .list(let items):
      var xs: [Expr] = []
      for x in items { xs.append(expandCalls(x)) }
      out.kind = .list(xs)
    case .aggregate(let fn, let over, let cond, let by):
      let o = expandCalls(over)
      let c = cond.map { expandCalls($0) }
      let b = by.map { expandCalls($0) }
      out.kind = .aggregate(fn, over: o, where: c, by: b)
    case .quantifier(let q, let v, let list, let cond, let body):
      let l = expandCalls(list)
      let c = cond.map { expandCalls($0) }
      out.kind = .quantifier(q, variable: v, list: l, where: c, body: expandCalls(body))
    case .presence(let x, let m): out.kind = .presence(expandCalls(x), missing: m)
    case .conditional(let c, let x, let y): out.kind = .conditional(expandCalls(c), then: expandCalls(x), else: expandCalls(y))
    case .trailing(let a, let n): out.kind = .trailing(expandCalls(a), periods: expandCalls(n))
    }
    return out
  }

  func substitute(_ e: Expr, _ b: [String: Expr], size: inout Int) -> Expr {
    size += 1
    func s(_ x: Expr) -> Expr { substitute(x, b, size: &size) }
    var out = e
    switch e.kind {
    case .name(let n): if let a = b[n.text] { out = a }
    case .literal, .that, .invalid: break
    case .member(let x, let n): out.kind = .member(s(x), n)
    case .negate(let x): out.kind = .negate(s(x))
    case .not(let x): out.kind = .not(s(x))
    case .convert(let x, let c): out.kind = .convert(s(x), c)
    case .binary(let op, let x, let y): out.kind = .binary(op, s(x), s(y))
    case .list(let items): out.kind = .list(items.map { s($0) })
    case .aggregate(let fn, let over, let cond, let by): out.kind = .aggregate(fn, over: s(over), where: cond.map { s($0) }, by: by.map { s($0) })
    case .quantifier(let q, let v, let list, let cond, let body):
      // The element's own name shadows a parameter of the same name.
      var inner = b
      inner[v.text] = nil
      out.kind = .quantifier(q, variable: v, list: s(list), where: cond.map { substitute($0, inner, size: &size) }, body: substitute(body, inner, size: &size))
    case .presence(let x, let m): out.kind = .presence(s(x), missing: m)
    case .conditional(let c, let x, let y): out.kind = .conditional(s(c), then: s(x), else: s(y))
    case .call(let n, let args): out.kind = .call(n, args.map { s($0) })
    case .trailing(let a, let n): out.kind = .trailing(s(a), periods: s(n))
    }
    return out
  }
}
