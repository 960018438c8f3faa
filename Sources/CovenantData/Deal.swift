import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

/// A proposed deal: its values, as the covenant's `data deal` declares them, and its governance
/// data (members, votes, approvals, waivers), as its `governance … from …` declarations read them.
public struct Deal: Sendable {
  public var values: Value
  public var governance: DealGovernance

  public init(values: Value, governance: DealGovernance) {
    self.values = values
    self.governance = governance
  }

  /// Reads the deal's values and its governance data from its document (a file, or one element
  /// of a batch at `node`/`path`): the deal, or every problem of both.
  public static func load(
    _ document: JSONDocument, file: String, node: JSONNode? = nil, path: JSONPath = JSONPath(),
    snapshot: JSONDocument?, snapshotFile: String = "snapshot", covenant: CheckedCovenant
  ) -> Result<Deal, Diagnostics> {
    guard let record = covenant.schema.deal else {
      return .failure(Diagnostics([Diagnostic(SemanticDiagnostics.dataDeclaration(.noDealFields(.load)), file: covenant.file.name)]))
    }
    var problems: [Diagnostic] = []
    var values: Value?
    var governance: DealGovernance?
    switch DataLoader.load(document, record: record, schema: covenant.schema, file: file, node: node, path: path) {
    case .failure(let ds): problems += ds.list
    case .success(let v): values = v
    }
    switch DataLoader.governance(
      deal: document, dealFile: file, snapshot: snapshot, snapshotFile: snapshotFile, covenant: covenant, node: node, path: path)
    {
    case .failure(let ds): problems += ds.list
    case .success(let g): governance = g
    }
    guard problems.isEmpty, let values, let governance else { return .failure(Diagnostics(problems)) }
    return .success(Deal(values: values, governance: governance))
  }
}
