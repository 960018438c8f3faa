import CovenantValues
import CovenantSyntax

extension TExpr {
  /// Calls `visit` on each direct sub-expression, in source order (a trailing figure's list, value,
  /// filter and key included; a definition's value is not a child: it is reached through
  /// `CheckedCovenant.definitions`). The one place that knows the shape of every node, so a walk
  /// over the checked tree (the drafting checker's unused names, the periods' dependencies, the
  /// trailing figures an expression reads) handles only the nodes it cares about and a new kind of
  /// node is added here once.
  package func forEachChild(_ visit: (TExpr) -> Void) {
    switch kind {
    case .constant, .definition, .snapshotRoot, .dealRoot, .local, .groupKey, .invalid: break
    case .field(let b, _), .negate(let b), .not(let b), .convert(let b, _), .presence(let b, _): visit(b)
    case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b):
      visit(a)
      visit(b)
    case .membership(_, let a, let items):
      visit(a)
      for i in items { visit(i) }
    case .aggregate(let p):
      // Each optional part in turn: an array of them was an allocation per aggregate per walk.
      visit(p.list)
      if let x = p.value { visit(x) }
      if let x = p.weight { visit(x) }
      if let x = p.filter { visit(x) }
      if let x = p.key { visit(x) }
    case .quantifier(let q):
      visit(q.list)
      if let f = q.filter { visit(f) }
      visit(q.body)
    case .conditional(let c, let a, let b):
      visit(c)
      visit(a)
      visit(b)
    case .extremum(_, let items):
      for x in items { visit(x) }
    case .trailing(let p):
      visit(p.list)
      if let x = p.value { visit(x) }
      if let x = p.filter { visit(x) }
      if let x = p.key { visit(x) }
    }
  }
}
