import CovenantValues
import CovenantSyntax

/// Shared wording for diagnostics raised from several places in the checker.
extension Checker {
  func suggestion(_ name: String, _ candidates: [String]) -> String? {
    closestMatch(name, in: candidates.filter { $0 != name }).map { "did you mean `\($0)`?" }
  }

  mutating func unknownField(_ n: Name, record r: Int) {
    let rec = schema.records[r]
    let help = suggestion(n.text, rec.fields.map(\.name))
      ?? "`\(rec.name)` has " + rec.fields.map { "`\($0.name)`" }.joined(separator: ", ")
    report("C002", "unknown field `\(n.text)` on `\(rec.name)`", n.span, help: help)
  }

  mutating func unknownCurrency(_ n: Name) {
    let help = closestMatch(n.text, in: Array(ISOCodes.currencies)).map { "did you mean `\($0)`?" }
      ?? "currencies are ISO 4217 codes such as `USD`, `JPY`, `EUR`"
    report("C012", "unknown currency `\(n.text)`", n.span, help: help)
  }

  mutating func duplicateName(_ n: Name, _ what: String) {
    let article = what.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    report("C008", "`\(n.text)` is declared twice (as \(article) \(what))", n.span, help: "give each declaration its own name")
  }
}
