import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantData

/// One deal of a batch and its result.
public struct BatchEntry: Sendable {
  public var source: String
  public var result: CheckResult?
  /// The deal could not be read: the entry is invalid, never a pass.
  public var diagnostics: [Diagnostic]
  public var verdict: String { result.map { $0.compliant ? "compliant" : "breach" } ?? "invalid" }
}

extension CovenantRunner {
  /// Checks each deal independently against the same snapshot. The snapshot's aggregates are
  /// computed once, on the first deal; every later deal only folds itself into them.
  public mutating func checkBatch(
    _ deals: [DealInput], snapshotDocument: JSONDocument?, progress: ((Int, Int) -> Void)? = nil
  ) -> [BatchEntry] {
    var entries: [BatchEntry] = []
    entries.reserveCapacity(deals.count)
    guard let dealRecord = covenant.schema.deal else {
      return deals.map { BatchEntry(source: $0.source, result: nil, diagnostics: [
        Diagnostic(code: "C019", message: "the covenant does not declare the deal's fields", file: covenant.file.name, span: nil)]) }
    }
    for (i, d) in deals.enumerated() {
      progress?(i, deals.count)
      var diags: [Diagnostic] = []
      var deal: Value?
      var gov: DealGovernance?
      switch DataLoader.load(d.document, record: dealRecord, schema: covenant.schema, file: d.source, node: d.node, path: d.path) {
      case .success(let v): deal = v
      case .failure(let e): diags += e.list
      }
      switch DataLoader.governance(deal: d.document, dealFile: d.source, snapshot: snapshotDocument, covenant: covenant, node: d.node, path: d.path) {
      case .success(let g): gov = g
      case .failure(let e): diags += e.list
      }
      guard diags.isEmpty, let deal else {
        entries.append(BatchEntry(source: d.source, result: nil, diagnostics: diags))
        continue
      }
      do {
        let r = try check(deal: deal, dealData: gov, bounds: true)
        entries.append(BatchEntry(source: d.source, result: r, diagnostics: []))
      } catch {
        entries.append(BatchEntry(source: d.source, result: nil, diagnostics: [
          Diagnostic(code: error.code, message: error.message, file: covenant.file.name, span: error.span, help: error.help)]))
      }
    }
    progress?(deals.count, deals.count)
    return entries
  }
}
