import CovenantValues
import CovenantSyntax
import CovenantSemantics

/// A problem found while evaluating: overflow, division by zero, amounts in two currencies.
/// It makes the result invalid (exit 2), never a pass.
public struct EvaluationError: Error, Hashable, Sendable {
  public var code: String
  public var message: String
  public var span: SourceSpan
  public var help: String?
}

/// Runs the checked covenant over one context: the snapshot alone, or the snapshot with a deal
/// joined (pro forma). Definitions and invariant aggregates are computed once per context.
public struct Evaluator {
  /// The covenant, behind one reference: evaluators are copied often (per clause, per deal),
  /// and a copy then costs one retain instead of one per array of the checked covenant.
  final class Context: Sendable {
    let covenant: CheckedCovenant
    /// Definitions whose value depends on the test date of trailing figures (see Periods.swift):
    /// inside a `for each window` they are computed per window, not taken from the cache.
    let periodDependent: [Bool]
    /// Whether any requirement reads a trailing figure (directly or through a definition): when
    /// none does, no requirement's periods are looked for (`periodsUsed`), per group and per deal.
    let requirementsReadTrailing: Bool
    init(_ covenant: CheckedCovenant) {
      self.covenant = covenant
      self.periodDependent = PeriodDependence.periodDependence(covenant)
      var plans: [TrailingPlan] = []
      var seen = Set<Int>()
      for clause in covenant.clauses {
        // A consent's higher limits replace the requirements when it is given: theirs count too.
        for req in clause.requirements + (clause.consent?.lifted ?? []) {
          Evaluator.collectTrailing(req.expr, covenant.definitions, into: &plans, seen: &seen)
        }
      }
      self.requirementsReadTrailing = !plans.isEmpty
    }
  }
  let context: Context
  var covenant: CheckedCovenant { context.covenant }
  var snapshot: Value
  let deal: Value?
  let proForma: Bool
  /// What the evaluator computes and binds as it goes, behind one reference, so that copying an
  /// evaluator (the runner does, per clause and per deal) costs one retain. A copy shares it:
  /// everything in it is either a value of this context (definitions, invariant aggregates)
  /// or bound afresh before each use (locals).
  final class State {
    @exclusivity(unchecked) var definitions: [Value?]
    @exclusivity(unchecked) var locals: [Value]
    /// A local bound to a row of a table rather than to a value: `locals` then holds `.absent`,
    /// and `x.field` reads the column directly instead of building the row's record. Empty until
    /// a row is first bound (many evaluators — one per deal — never bind one).
    @exclusivity(unchecked) var rows: [(table: RecordTable?, row: Int)] = []
    @exclusivity(unchecked) var memo = Slots<AggregateState>()
    @exclusivity(unchecked) var groupedMemo = Slots<GroupedState>()
    @exclusivity(unchecked) var quantifierMemo = Slots<QuantifierState>()
    /// The joined elements (`extra`) of the list of a keyed aggregate in `groupedMemo`.
    @exclusivity(unchecked) var extras = Slots<[Value]>()
    /// Lists of dated periods, sorted by end date, and the trailing figures' running sums over
    /// them (see Periods.swift): built once per context, then each window is a subtraction.
    @exclusivity(unchecked) var periodCalendars: [PeriodCalendarRef: PeriodCalendar] = [:]
    @exclusivity(unchecked) var periodSeries = Slots<PeriodSeries>()
    init(definitions: Int, locals: Int) {
      self.definitions = Array(repeating: nil, count: definitions)
      self.locals = Array(repeating: .absent, count: locals)
    }
  }
  let state: State
  var groupKey: Value = .absent { didSet { groupKeyHint = nil } }
  /// `groupKey` as a number in the interned column its `for each` reads (`groupKeyIDs`), set after
  /// it: a keyed aggregate over that very column (`where issuer = that issuer`) finds its group
  /// by it, without hashing the text. Cleared whenever the key changes.
  var groupKeyHint: GroupKeyHint? = nil
  /// The test date of trailing figures inside a `for each window`: the window's last period end.
  /// nil: the snapshot's as-of date.
  var periodDate: CalendarDate? = nil
  var quantifierMemo: Slots<QuantifierState> {
    get { state.quantifierMemo }
    nonmutating set { state.quantifierMemo = newValue }
  }
  var cache: SnapshotCache
  /// Evaluate everything by scanning the whole list, without caches or keyed lookups: the
  /// reference that tests compare the incremental evaluation with.
  var naive = false

  /// `deal` given and `proForma` true: the deal joins the snapshot's list as the covenant's
  /// `pro forma` declaration says.
  /// `context`: another evaluator's of the same covenant, shared rather than built again (a
  /// batch builds several evaluators per deal).
  public init(covenant: CheckedCovenant, snapshot: Value, deal: Value?, proForma: Bool, cache: SnapshotCache) throws(EvaluationError) {
    try self.init(covenant: covenant, snapshot: snapshot, deal: deal, proForma: proForma, cache: cache, context: nil)
  }

  init(covenant: CheckedCovenant, snapshot: Value, deal: Value?, proForma: Bool, cache: SnapshotCache, context: Context?) throws(EvaluationError) {
    self.context = context ?? Context(covenant)
    self.snapshot = snapshot
    self.deal = deal
    self.proForma = proForma && deal != nil
    self.state = State(definitions: covenant.definitions.count, locals: covenant.localCount)
    self.cache = cache
    if self.proForma, let pf = covenant.proForma, case .record(var fields) = snapshot,
      case .list(var list) = fields[pf.listField]
    {
      var element: [Value] = []
      for f in pf.fields { element.append(try eval(f)) }
      list.extra = [.record(element)]
      fields[pf.listField] = .list(list)
      self.snapshot = .record(fields)
    }
  }

  public var snapshotCache: SnapshotCache { cache }

  static func checked<T>(_ span: SourceSpan, _ body: () throws(ArithmeticError) -> T) throws(EvaluationError) -> T {
    do throws(ArithmeticError) {
      return try body()
    } catch {
      switch error {
      case .overflow:
        throw EvaluationError(EvaluationDiagnostics.outOfRange(.figure), span: span)
      case .divisionByZero:
        throw EvaluationError(EvaluationDiagnostics.divisionByZero(), span: span)
      }
    }
  }

  static func currencyMix(_ a: String, _ b: String, _ span: SourceSpan) -> EvaluationError {
    EvaluationError(EvaluationDiagnostics.currencyMix(a, b), span: span)
  }

  static func less(_ a: Value, _ b: Value, _ span: SourceSpan) throws(EvaluationError) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)): return x < y
    case (.money(let x, let c), .money(let y, let d)):
      if c != d { throw currencyMix(c, d, span) }
      return x < y
    case (.date(let x), .date(let y)): return x < y
    case (.duration(let x), .duration(let y)):
      guard let o = x.compare(y) else {
        throw EvaluationError(EvaluationDiagnostics.durationsNotComparable("\(x)", "\(y)", ordering: true), span: span)
      }
      return o == .less
    default: return false
    }
  }
}
