import CovenantJSON
import CovenantSyntax

/// The deals of a batch: a JSON array file, `{"deals": [...]}`, a JSON Lines file, or a
/// directory of deal files. Each deal keeps where it came from, for the report.
public struct DealInput: Sendable {
  /// `deals.json[3]`, `deals.jsonl:12` or `deals/d1.json`
  public var source: String
  public var document: JSONDocument
  public var node: JSONNode
  public var path: JSONPath
}

public enum DealSource {
  /// `path` is shown as given and read relative to `directory` (nil: the current directory).
  public static func read(_ path: String, in directory: String? = nil) -> Result<[DealInput], Diagnostics> {
    let resolved = WorkingDirectory.resolve(path, in: directory)
    guard let kind = FileSystem.kind(of: resolved) else {
      return .failure(Diagnostics([Diagnostic(DataDiagnostics.unreadableFile(.notFound(help: false)), file: path)]))
    }
    if kind == .directory {
      let names = (FileSystem.names(in: resolved) ?? [])
        .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      var deals: [DealInput] = []
      var errors: [Diagnostic] = []
      for n in names {
        let p = FileSystem.appending(n, to: path)
        switch DataLoader.readJSON(path: p, in: directory) {
        case .success(let doc): deals.append(DealInput(source: p, document: doc, node: doc.root, path: JSONPath()))
        case .failure(let d): errors.append(d)
        }
      }
      if !errors.isEmpty { return .failure(Diagnostics(errors)) }
      if deals.isEmpty {
        return .failure(Diagnostics([Diagnostic(DataDiagnostics.unreadableFile(.noDealFiles), file: path)]))
      }
      return .success(deals)
    }
    guard let bytes = FileSystem.contents(of: resolved) else {
      return .failure(Diagnostics([Diagnostic(DataDiagnostics.unreadableFile(.unreadable), file: path)]))
    }
    // One JSON value: an array of deals, or an object holding one under "deals".
    if case .success(let doc) = JSONParser.parse(bytes) {
      var list = doc.root
      var base = JSONPath()
      if doc.kind(list) == .object, let d = doc.member(list, "deals"), doc.kind(d) == .array {
        list = d
        base = base.appending(key: "deals")
      }
      guard doc.kind(list) == .array else {
        return .failure(Diagnostics([Diagnostic(DataDiagnostics.wrongType(expected: "a list of deals (a JSON array, {\"deals\": [...]}, or one deal per line)", found: nil), file: path)]))
      }
      let name = FileSystem.lastComponent(path)
      return .success(doc.elements(list).enumerated().map { i, n in
        DealInput(source: "\(name)[\(i)]", document: doc, node: n, path: base.appending(index: i))
      })
    }
    // JSON Lines: one deal per non-empty line.
    var deals: [DealInput] = []
    var errors: [Diagnostic] = []
    var lineNumber = 0
    let name = FileSystem.lastComponent(path)
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
      switch DataLoader.parseJSON(Array(line), file: "\(path):\(lineNumber)") {
      case .success(let doc): deals.append(DealInput(source: "\(name):\(lineNumber)", document: doc, node: doc.root, path: JSONPath()))
      case .failure(let d): errors.append(d)
      }
      if errors.count >= DataLoader.maxErrors { break }
    }
    if !errors.isEmpty { return .failure(Diagnostics(errors)) }
    return .success(deals)
  }
}
