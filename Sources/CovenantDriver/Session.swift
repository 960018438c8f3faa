import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics
import CovenantPlanning
import CovenantData
import CovenantEvaluation
import CovenantFormatting

/// The pipeline, written once: source → tokens → AST (`parse`, for `fmt`) → checked covenant
/// (`compile`, for `validate` and every check) → snapshot (`loadSnapshot`, or `useSnapshot` for one
/// already loaded) → deal (`loadDeal`) → verdicts and figures (`check`, `checkBatch`). Each step
/// stops at the first failing stage and gives its diagnostics; no caller converts an error itself.
/// Every verb, the test runner, the bench and the fuzz targets run through it. Reports are written
/// by the caller (CovenantReporting) from the result.
public struct CovenantSession {
  public let covenant: CheckedCovenant
  /// The covenant as the evaluator runs it: planned once here, between checking and evaluation.
  public let plan: PlannedCovenant
  /// The checker's warnings and notes: the covenant compiled.
  public let warnings: [Diagnostic]
  /// The snapshot's document, kept for the governance data a deal reads from it (members).
  public private(set) var snapshotDocument: JSONDocument?
  public private(set) var snapshotFile = "snapshot"
  private var runner: CovenantRunner?
  /// Evaluate with every aggregate rescanned and no caches: the reference the differential fuzz
  /// target compares the tool's evaluation with. Set before loading the snapshot.
  package var naive = false

  /// A session for a covenant already checked (the test runner checks each covenant once).
  public init(covenant: consuming CheckedCovenant, warnings: [Diagnostic] = []) {
    self.init(plan: Self.plan(covenant), warnings: warnings)
  }

  /// The plan stage, between checking and evaluation: every program that evaluates (the test
  /// runner, the bench, the fuzz targets) plans its covenant here, so the pipeline's order is
  /// written once.
  public static func plan(_ covenant: consuming CheckedCovenant) -> PlannedCovenant { Planner.plan(covenant) }

  /// A session for a covenant already planned (the test runner plans each covenant once).
  public init(plan: PlannedCovenant, warnings: [Diagnostic] = []) {
    self.plan = plan
    self.covenant = plan.covenant
    self.warnings = warnings
  }

  /// Lexes and parses only (`fmt` lays out the tree and never needs it checked): the tree with its
  /// comments and warnings, or the parse errors.
  public static func parse(_ file: SourceFile) -> Result<Parser.Result, Diagnostics> {
    let parsed = Parser.parse(file)
    if parsed.diagnostics.contains(where: \.isError) { return .failure(Diagnostics(parsed.diagnostics)) }
    return .success(parsed)
  }

  /// The canonical layout (`covenant fmt`): the formatter stage parses as it lays out, a
  /// declaration at a time (`Formatter.format`), so no tree of the whole file is held; the
  /// parse's errors, F001, or the text.
  public static func format(_ file: SourceFile) -> Result<String, Diagnostics> { Formatter.format(file) }

  /// Lexes, parses and checks the covenant: a session, or the covenant's errors (with its
  /// warnings).
  public static func compile(_ file: SourceFile) -> Result<CovenantSession, Diagnostics> {
    var compiled = Checker.compile(file)
    guard let covenant = compiled.covenant else { return .failure(Diagnostics(compiled.diagnostics)) }
    // The session's copy is the only one: the planner then writes into it instead of copying.
    compiled.covenant = nil
    return .success(CovenantSession(covenant: covenant, warnings: compiled.diagnostics))
  }

  /// Loads the snapshot as the covenant declares it. On success the session can check.
  public mutating func loadSnapshot(_ document: JSONDocument, file: String) -> Result<Void, Diagnostics> {
    guard let record = covenant.schema.snapshot else {
      return .failure(Diagnostics([Diagnostic(SemanticDiagnostics.dataDeclaration(.snapshotGiven), file: covenant.file.name)]))
    }
    switch DataLoader.load(document, record: record, schema: covenant.schema, file: file) {
    case .failure(let ds): return .failure(ds)
    case .success(let snapshot):
      useSnapshot(snapshot, document: document, file: file)
      return .success(())
    }
  }

  /// Parses the snapshot's bytes, then loads it: stops at the JSON's syntax error.
  public mutating func loadSnapshot(bytes: [UInt8], file: String) -> Result<Void, Diagnostics> {
    switch DataLoader.parseJSON(bytes, file: file) {
    case .failure(let d): return .failure(Diagnostics([d]))
    case .success(let document): return loadSnapshot(document, file: file)
    }
  }

  /// Checks against a snapshot already loaded (the bench loads one and times its evaluation; a
  /// fuzz target checks one snapshot on fresh sessions), with a fresh evaluation: nothing cached
  /// by an earlier check is kept. `document`: the file the deals' governance data reads from it.
  public mutating func useSnapshot(_ snapshot: Value, document: JSONDocument? = nil, file: String = "snapshot") {
    snapshotDocument = document
    snapshotFile = file
    var r = CovenantRunner(plan: plan, snapshot: snapshot)
    r.naive = naive
    runner = r
  }

  /// The snapshot as loaded (`.absent` before `loadSnapshot`).
  public var snapshot: Value { runner?.snapshot ?? .absent }

  /// Reads a deal (values and governance data) against the loaded snapshot.
  /// `snapshot`: the document its governance data reads from the snapshot, when it is not the
  /// loaded snapshot's (the JSON fuzz targets read one document as both files, loaded or not).
  public func loadDeal(
    _ document: JSONDocument, file: String, node: JSONNode? = nil, path: JSONPath = JSONPath(), snapshot: JSONDocument? = nil
  ) -> Result<Deal, Diagnostics> {
    Deal.load(document, file: file, node: node, path: path, snapshot: snapshot ?? snapshotDocument, snapshotFile: snapshotFile, covenant: covenant)
  }

  /// Parses the deal's bytes, then reads it: stops at the JSON's syntax error.
  public func loadDeal(bytes: [UInt8], file: String) -> Result<Deal, Diagnostics> {
    switch DataLoader.parseJSON(bytes, file: file) {
    case .failure(let d): return .failure(Diagnostics([d]))
    case .success(let document): return loadDeal(document, file: file)
    }
  }

  /// Drops the snapshot's document (it holds the file's bytes) once no deal will read it.
  public mutating func releaseSnapshotDocument() { snapshotDocument = nil }

  /// The governance data the snapshot holds on its own (consents on file), for a check without a
  /// deal; nil when the covenant reads none from the snapshot.
  public func snapshotGovernance() -> Result<DealGovernance, Diagnostics>? {
    guard let snapshotDocument else { return nil }
    return DataLoader.snapshotGovernance(snapshot: snapshotDocument, snapshotFile: snapshotFile, covenant: covenant)
  }

  /// Evaluates every clause on the snapshot, and pro forma with the deal when one is given
  /// (`governance`: the snapshot's own governance data, used when there is no deal). `prune`:
  /// applied to each clause's result as soon as it is made, to drop what the report will not show
  /// (`CovenantRunner.prune`; the command line passes `CheckReport.keepShown`).
  public mutating func check(
    _ deal: Deal?, governance: DealGovernance? = nil, bounds: Bool = true, prune: ((inout ClauseResult) -> Void)? = nil
  ) -> Result<CheckResult, Diagnostics> {
    guard runner != nil else { return .failure(Diagnostics([Self.noSnapshot(covenant)])) }
    runner!.prune = prune
    do {
      // In place (`runner!`): the runner's snapshot caches are kept for the next deal, not copied.
      return .success(try runner!.check(deal: deal?.values, dealData: deal?.governance ?? governance, bounds: bounds))
    } catch {
      return .failure(Diagnostics([error.diagnostic(file: covenant.file.name)]))
    }
  }

  /// Checks each deal of a batch against the one snapshot, scanned once. `figures: false`: for a
  /// report that shows each deal's verdicts and capacity but no figure (`CovenantRunner.check(figures:)`).
  public mutating func checkBatch(_ deals: [DealInput], figures: Bool = true, progress: ((Int, Int) -> Void)? = nil) -> [BatchEntry] {
    guard runner != nil else {
      return deals.map { BatchEntry(source: $0.source, result: nil, diagnostics: [Self.noSnapshot(covenant)]) }
    }
    // A batch's report shows each deal's own groups: nothing pruned, whatever an earlier check set.
    runner!.prune = nil
    return runner!.checkBatch(deals, snapshotDocument: snapshotDocument, figures: figures, progress: progress)
  }

  /// The same, handing each deal's entry to `each` as soon as it is checked, in order.
  /// `verdictsOnly`: for a report that reads each deal's verdicts and capacity alone
  /// (`CovenantRunner.checkBatch(verdictsOnly:)`: the batch's kernel where it applies).
  public mutating func checkBatch(
    _ deals: [DealInput], figures: Bool = true, verdictsOnly: Bool = false, progress: ((Int, Int) -> Void)? = nil, each: (BatchEntry) -> Void
  ) {
    guard runner != nil else {
      for d in deals { each(BatchEntry(source: d.source, result: nil, diagnostics: [Self.noSnapshot(covenant)])) }
      return
    }
    runner!.prune = nil
    runner!.checkBatch(deals, snapshotDocument: snapshotDocument, figures: figures, verdictsOnly: verdictsOnly, progress: progress, each: each)
  }

  /// The same, stopping at the first entry for which `each` returns false (its reader went away).
  public mutating func checkBatch(_ deals: [DealInput], figures: Bool = true, progress: ((Int, Int) -> Void)? = nil, while each: (BatchEntry) -> Bool) {
    guard runner != nil else {
      for d in deals where !each(BatchEntry(source: d.source, result: nil, diagnostics: [Self.noSnapshot(covenant)])) { return }
      return
    }
    runner!.prune = nil
    runner!.checkBatch(deals, snapshotDocument: snapshotDocument, figures: figures, progress: progress, while: each)
  }

  static func noSnapshot(_ c: CheckedCovenant) -> Diagnostic {
    Diagnostic(SemanticDiagnostics.dataDeclaration(.snapshotNotLoaded), file: c.file.name)
  }
}
