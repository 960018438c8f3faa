import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics
import CovenantData

/// One deal of a batch and its result.
public struct BatchEntry: Sendable {
  package init(source: String, result: CheckResult? = nil, diagnostics: [Diagnostic]) {
    self.source = source
    self.result = result
    self.diagnostics = diagnostics
  }
  public var source: String
  public var result: CheckResult?
  /// The deal could not be read: the entry is invalid, never a pass.
  public var diagnostics: [Diagnostic]
}

extension CovenantRunner {
  /// Checks each deal independently against the same snapshot. The snapshot's aggregates are
  /// computed once, on the first deal; every later deal only folds itself into them.
  /// `figures: false`: each deal's verdicts, bounds and capacity as with figures, its pro forma
  /// outcomes with their status only (`check(figures:)`), for a report that shows no figure.
  public mutating func checkBatch(
    _ deals: [DealInput], snapshotDocument: JSONDocument?, figures: Bool = true, progress: ((Int, Int) -> Void)? = nil
  ) -> [BatchEntry] {
    var entries: [BatchEntry] = []
    entries.reserveCapacity(deals.count)
    checkBatch(deals, snapshotDocument: snapshotDocument, figures: figures, progress: progress) { entries.append($0) }
    return entries
  }

  /// The same, handing each deal's entry to `each` as soon as it is checked, in order: a report
  /// written deal by deal holds one deal's result at a time.
  public mutating func checkBatch(
    _ deals: [DealInput], snapshotDocument: JSONDocument?, figures: Bool = true, verdictsOnly: Bool = false,
    progress: ((Int, Int) -> Void)? = nil, each: (BatchEntry) -> Void
  ) {
    checkBatch(deals, snapshotDocument: snapshotDocument, figures: figures, verdictsOnly: verdictsOnly, progress: progress) { (e: BatchEntry) -> Bool in
      each(e)
      return true
    }
  }

  /// The same, stopping at the first entry for which `each` returns false: a report streamed to
  /// a reader that went away (a closed pipe, a full disk) checks no further deal, since nobody
  /// will read them.
  ///
  /// `verdictsOnly` (a report that shows each deal's verdicts and capacity and nothing else: the
  /// text batch's line, `--quiet`): a deal the batch's kernel takes (DealKernel.swift) gets
  /// its clauses' verdicts, snapshot results and capacity exactly as the full check gives them,
  /// but no pro forma figure, outcome or per-clause bound; every other deal the full check.
  public mutating func checkBatch(
    _ deals: [DealInput], snapshotDocument: JSONDocument?, figures: Bool = true, verdictsOnly: Bool = false,
    progress: ((Int, Int) -> Void)? = nil, while each: (BatchEntry) -> Bool
  ) {
    guard covenant.schema.deal != nil else {
      for d in deals {
        let going = each(BatchEntry(source: d.source, result: nil, diagnostics: [
          Diagnostic(SemanticDiagnostics.dataDeclaration(.noDealFields(.batch)), file: covenant.file.name)]))
        if !going { return }
      }
      return
    }
    // The kernel is built from the snapshot's results, once one deal was checked in full.
    var checkedInFull = false
    for (i, d) in deals.enumerated() {
      progress?(i, deals.count)
      let deal: Deal
      switch Deal.load(d.document, file: d.source, node: d.node, path: d.path, snapshot: snapshotDocument, covenant: covenant) {
      case .success(let loaded): deal = loaded
      case .failure(let e):
        if !each(BatchEntry(source: d.source, result: nil, diagnostics: e.list)) { return }
        continue
      }
      let entry: BatchEntry
      if verdictsOnly, checkedInFull, deal.governance.waivers.isEmpty, deal.governance.consents.isEmpty,
        let kernel = dealKernel(), let r = kernel.check(deal.values)
      {
        if !each(BatchEntry(source: d.source, result: r, diagnostics: [])) { return }
        continue
      }
      do {
        let r = try check(deal: deal.values, dealData: deal.governance, bounds: true, figures: figures)
        entry = BatchEntry(source: d.source, result: r, diagnostics: [])
        checkedInFull = true
      } catch {
        entry = BatchEntry(source: d.source, result: nil, diagnostics: [error.diagnostic(file: covenant.file.name)])
      }
      if !each(entry) { return }
    }
    progress?(deals.count, deals.count)
  }
}
