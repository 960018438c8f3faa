import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantSemantics
@testable import CovenantPlanning

/// The planner's plan identity (`PlanKey`: a hash of the canonical form computed by a walk, and
/// equality by a side-by-side walk) must mean exactly what the canonical copy it replaced meant:
/// the plan with spans cleared and bound slots renumbered in the order met, compared whole. The
/// copy is kept here as the reference, and the plans of the examples and of a covenant written
/// twice under other binders are grouped both ways: the groupings must be the same.
@Suite struct PlanKeyTests {
  /// The former `PlanIdentity`, verbatim: the reference.
  struct CanonicalCopy {
    var renumbered: [Int: Int] = [:]

    mutating func bind(_ slot: Int) -> Int {
      let n = -2 - renumbered.count
      renumbered[slot] = n
      return n
    }

    mutating func aggregate(_ plan: AggregatePlan) -> AggregatePlan {
      var p = plan
      p.list = expr(p.list)
      p.slot = bind(p.slot)
      p.value = p.value.map { expr($0) }
      p.weight = p.weight.map { expr($0) }
      p.filter = p.filter.map { expr($0) }
      p.key = p.key.map { expr($0) }
      return p
    }

    mutating func quantifier(_ plan: QuantifierPlan) -> QuantifierPlan {
      var q = plan
      q.list = expr(q.list)
      q.slot = bind(q.slot)
      q.filter = q.filter.map { expr($0) }
      q.body = expr(q.body)
      return q
    }

    mutating func trailing(_ plan: TrailingPlan) -> TrailingPlan {
      var p = plan
      p.list = expr(p.list)
      p.calendar.list = expr(p.calendar.list)
      p.slot = bind(p.slot)
      p.value = p.value.map { expr($0) }
      p.filter = p.filter.map { expr($0) }
      p.key = p.key.map { expr($0) }
      return p
    }

    mutating func expr(_ t: TExpr) -> TExpr {
      var t = t
      t.span = .none
      switch t.kind {
      case .constant, .definition, .snapshotRoot, .dealRoot, .groupKey, .invalid: break
      case .local(let s): if let n = renumbered[s] { t.kind = .local(n) }
      case .field(let b, let i): t.kind = .field(expr(b), i)
      case .negate(let b): t.kind = .negate(expr(b))
      case .not(let b): t.kind = .not(expr(b))
      case .arithmetic(let op, let a, let b): t.kind = .arithmetic(op, expr(a), expr(b))
      case .compare(let op, let a, let b): t.kind = .compare(op, expr(a), expr(b))
      case .logic(let op, let a, let b): t.kind = .logic(op, expr(a), expr(b))
      case .membership(let negated, let a, let items): t.kind = .membership(negated: negated, expr(a), items.map { expr($0) })
      case .convert(let b, let code): t.kind = .convert(expr(b), code)
      case .presence(let b, let missing): t.kind = .presence(expr(b), missing: missing)
      case .conditional(let c, let a, let b): t.kind = .conditional(expr(c), expr(a), expr(b))
      case .extremum(let isMax, let items): t.kind = .extremum(max: isMax, items.map { expr($0) })
      case .aggregate(let p): t.kind = .aggregate(aggregate(p))
      case .quantifier(let q): t.kind = .quantifier(quantifier(q))
      case .trailing(let p): t.kind = .trailing(trailing(p))
      }
      return t
    }
  }

  /// Every aggregate, quantifier and trailing figure of a planned covenant, inner ones included.
  static func plans(_ c: CheckedCovenant) -> (aggregates: [AggregatePlan], quantifiers: [QuantifierPlan], trailing: [TrailingPlan]) {
    var a: [AggregatePlan] = [], q: [QuantifierPlan] = [], t: [TrailingPlan] = []
    func visit(_ e: TExpr) {
      switch e.kind {
      case .aggregate(let p): a.append(p)
      case .quantifier(let p): q.append(p)
      case .trailing(let p): t.append(p)
      default: break
      }
      e.forEachChild(visit)
    }
    for d in c.definitions { visit(d.value) }
    for clause in c.clauses {
      clause.appliesWhen.forEach(visit)
      clause.requirements.forEach { visit($0.expr) }
      clause.reports.forEach { visit($0.expr) }
      clause.exceptions.forEach { visit($0.condition) }
      if let g = clause.group { visit(g.list) }
    }
    return (a, q, t)
  }

  static func sources() throws -> [String] {
    let examples = repositoryRoot.appendingPathComponent("examples")
    var out: [String] = []
    for dir in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() {
      let file = examples.appendingPathComponent(dir).appendingPathComponent("covenant.cov")
      if let text = try? String(contentsOf: file, encoding: .utf8) { out.append(text) }
    }
    let r = PerformanceRegressionTests.self
    out.append(r.covenantHeader + r.clauses + r.clausesAgain)
    return out
  }

  /// The plans grouped by key and by canonical copy (each in a dictionary, so a key's hash
  /// must agree with its equality for equal keys to meet): the two groupings must be the same
  /// partition, which is the same as every pair comparing alike both ways, at the cost of one
  /// lookup a plan instead of one comparison a pair. Returns how many plans share an id with an
  /// earlier one, so the test also shows that some do.
  func expectSamePartition<P: Hashable>(_ plans: [P], key: (P) -> PlanKey, copy: (P) -> P) -> Int {
    var byKey: [PlanKey: [Int]] = [:], byCopy: [P: [Int]] = [:]
    for (i, p) in plans.enumerated() {
      byKey[key(p), default: []].append(i)
      byCopy[copy(p), default: []].append(i)
    }
    #expect(Set(byKey.values.map { Set($0) }) == Set(byCopy.values.map { Set($0) }))
    return plans.count - byKey.count
  }

  @Test func planKeysMeanWhatCanonicalCopiesMeant() throws {
    var aggregates = 0, quantifiers = 0, trailing = 0, sharedAggregates = 0, sharedQuantifiers = 0
    for source in try Self.sources() {
      let planned = CovenantSession.plan(try #require(compile(source).covenant, "the source compiles"))
      let (a, q, t) = Self.plans(planned.covenant)
      aggregates += a.count
      quantifiers += q.count
      trailing += t.count
      sharedAggregates += expectSamePartition(a, key: { PlanKey($0) }, copy: { var c = CanonicalCopy(); return c.aggregate($0) })
      sharedQuantifiers += expectSamePartition(q, key: { PlanKey($0) }, copy: { var c = CanonicalCopy(); return c.quantifier($0) })
      _ = expectSamePartition(t, key: { PlanKey($0) }, copy: { var c = CanonicalCopy(); return c.trailing($0) })
    }
    // The data exercise both answers: many plans, some of them shared (the covenant written twice).
    #expect(aggregates >= 20 && quantifiers >= 2 && trailing >= 1)
    #expect(sharedAggregates > 0 && sharedQuantifiers > 0)
  }

  /// `PlanKey`'s walks name each stored property they read; a property added to a plan and not
  /// to the walks would make two different computations share one id and one cached value, a
  /// silent wrong answer. This fails first: the properties as the types have them, by `Mirror`,
  /// against the lists the walks (and this suite's reference copy) were written for.
  @Test func theWalksCoverEveryStoredPropertyOfAPlan() throws {
    var a: AggregatePlan?, q: QuantifierPlan?, t: TrailingPlan?
    for source in try Self.sources() {
      let planned = CovenantSession.plan(try #require(compile(source).covenant, "the source compiles"))
      let (xs, ys, zs) = Self.plans(planned.covenant)
      a = a ?? xs.first
      q = q ?? ys.first
      t = t ?? zs.first
    }
    func labels(_ x: Any) -> [String] { Mirror(reflecting: x).children.compactMap(\.label) }
    let aggregate = try #require(a), quantifier = try #require(q), trailing = try #require(t)
    #expect(labels(aggregate) == ["function", "list", "slot", "value", "weight", "filter", "id", "keyField", "key", "invariant", "cacheable"])
    #expect(labels(quantifier) == ["quantifier", "list", "slot", "filter", "body", "labelField", "id", "invariant", "cacheable"])
    #expect(labels(trailing) == ["function", "list", "slot", "value", "filter", "periods", "calendar", "id", "keyField", "key"])
    #expect(labels(trailing.calendar) == ["list", "endField", "startField", "listText"])
    #expect(labels(aggregate.list) == ["kind", "span", "type", "usesDeal", "usesJoinedList"])
  }
}
