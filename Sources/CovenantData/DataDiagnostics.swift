import CovenantSyntax

/// The data stage's messages (D010, D101–D199 and the governance data's D2xx), one constructor
/// per code. A message's context (a key the covenant declares, the keys found, the nearest id)
/// is composed by the reader and passed in; the wording is here.
package enum DataDiagnostics {
  package enum FileProblem: Sendable {
    /// `help`: whether to add "check the path" (the snapshot says so; a deal source does not).
    case notFound(help: Bool)
    case directory, unreadable, noDealFiles, standardInput
  }
  package static func unreadableFile(_ problem: FileProblem) -> DiagnosticMessage {
    switch problem {
    case .notFound(let help): .init("D010", .error, "file not found", help: help ? "check the path" : nil)
    case .directory: .init("D010", .error, "is a directory, not a JSON file")
    case .unreadable: .init("D010", .error, "cannot read the file (permission denied?)")
    case .noDealFiles: .init("D010", .error, "no deal files (*.json) in the directory")
    case .standardInput: .init("D010", .error, "cannot read standard input")
    }
  }

  package enum Missing: Sendable {
    /// A currency key next to a money field or inside its amount object.
    case currency(key: String, field: String)
    /// A field of a record: its type described and the key read.
    case field(type: String, key: String)
    /// Members read from a snapshot that was not given; `body` nil for the covenant's own.
    case membersWithoutSnapshot(body: String?)
    /// A governance list the covenant reads from `path`.
    case declared(what: String, path: String)
    case null(what: String)
    /// A key of a record, as `missing the vote `vote`; found …`.
    case key(what: String, key: String, found: String)
    /// The same, with a comma: `missing the clause the waiver lifts, `clause`; found …`.
    case describedKey(what: String, key: String, found: String)
    case votingPower(member: String, key: String, found: String)
  }
  package static func missing(_ m: Missing, help: String? = nil) -> DiagnosticMessage {
    let message: String
    switch m {
    case .currency(let key, let field): message = "missing currency \"\(key)\" next to `\(field)` or inside its amount object"
    case .field(let type, let key): message = "missing \(type) `\(key)`"
    case .membersWithoutSnapshot(nil): message = "the covenant reads its members from the snapshot, and none was given"
    case .membersWithoutSnapshot(let body?): message = "body `\(body)` reads its members from the snapshot, and none was given"
    case .declared(let what, let path): message = "missing \(what): the covenant reads it from \"\(path)\""
    case .null(let what): message = "\(what) is null"
    case .key(let what, let key, let found): message = "missing \(what) `\(key)`; found \(found)"
    case .describedKey(let what, let key, let found): message = "missing \(what), `\(key)`; found \(found)"
    case .votingPower(let member, let key, let found): message = "member \"\(member)\" has no voting power `\(key)`; found \(found)"
    }
    return .init("D101", .error, message, help: help)
  }
  /// `found` nil: the message names only what was expected.
  package static func wrongType(expected: String, found: String?, help: String? = nil) -> DiagnosticMessage {
    .init("D102", .error, "expected \(expected)" + (found.map { ", found \($0)" } ?? ""), help: help)
  }

  package enum Negative: Sendable {
    case fxRate
    /// A money amount, formatted, in a field not declared `signed`.
    case amount(String, field: String)
    case figure(String)
  }
  package static func negative(_ n: Negative) -> DiagnosticMessage {
    switch n {
    case .fxRate: .init("D103", .error, "an FX rate must be positive")
    case .amount(let amount, let field):
      .init("D103", .error, "negative amount \(amount) for `\(field)`",
        help: "amounts in the data are zero or more; a figure that may be negative (EBITDA, net income) is declared `money signed`")
    case .figure(let what): .init("D103", .error, "negative \(what)")
    }
  }
  package static func unknownKindValue(_ value: String, kind: String, help: String) -> DiagnosticMessage {
    .init("D104", .error, "unknown \(kind) \"\(value)\"", help: help)
  }
  package static func unknownCountry(_ value: String, help: String) -> DiagnosticMessage {
    .init("D105", .error, "unknown country code \"\(value)\"", help: help)
  }
  /// `text` is a string that is no date; `found` describes a value that is no string.
  package static func invalidDate(text: String? = nil, found: String? = nil) -> DiagnosticMessage {
    if let text {
      return .init("D106", .error, "\"\(text)\" is not a date", help: "write dates as \"YYYY-MM-DD\", e.g. \"2026-09-30\"")
    }
    return .init("D106", .error, "expected a date \"YYYY-MM-DD\", found \(found ?? "")")
  }

  package enum Inexact: Sendable {
    /// A number read as a percentage (`percent` true) or basis points.
    case scaled(String, percent: Bool)
    case cents(String)
    case inverse(String)
    /// A JSON number, or a decimal written as text (quoted).
    case number(String), text(String)
    case invalid
  }
  package static func inexactNumber(_ problem: Inexact) -> DiagnosticMessage {
    switch problem {
    case .scaled(let d, let percent):
      .init("D107", .error, "\(d) is too large or too precise to read exactly as \(percent ? "a percentage" : "basis points")")
    case .cents(let d): .init("D107", .error, "\(d) is too large or too precise to read exactly as cents")
    case .inverse(let d): .init("D107", .error, "the rate \(d) is too large or too precise to invert exactly")
    case .number(let t):
      .init("D107", .error, "the number \(t) is too large or too precise to keep exactly", help: "numbers keep at most 38 significant digits")
    case .text(let t): .init("D107", .error, "the number \"\(t)\" is too large or too precise to keep exactly")
    case .invalid: .init("D107", .error, "invalid number")
    }
  }

  package enum CurrencyProblem: Sendable {
    case unknown(String, help: String?)
    /// A rate for `code` where the covenant reads rates for `only`.
    case rateOutsideQuote(code: String, only: String)
    case amountWithoutCurrency(keys: String, help: String)
    case wrongCurrency(expected: String, found: String)
  }
  package static func currency(_ problem: CurrencyProblem) -> DiagnosticMessage {
    switch problem {
    case .unknown(let code, let help): .init("D108", .error, "unknown currency \"\(code)\"", help: help)
    case .rateOutsideQuote(let code, let only):
      .init("D108", .error, "a rate for \(code), but the covenant reads these rates as \(only) only",
        help: "declare `quoted currency per …` to read every currency")
    case .amountWithoutCurrency(let keys, let help):
      .init("D108", .error, "an amount object without a currency: found keys " + keys, help: help)
    case .wrongCurrency(let expected, let found): .init("D108", .error, "expected an amount in \(expected), found one in \(found)")
    }
  }
  package static func tooManyErrors() -> DiagnosticMessage {
    .init("D199", .note, "too many errors; stopped reading")
  }

  package enum NotAMember: Sendable {
    case party(name: String, id: String)
    /// `who` votes, approves or consents (`vote by`, `waiver approved by`, …).
    case named(String, id: String, memberOf: String)
  }
  package static func notAMember(_ n: NotAMember, help: String) -> DiagnosticMessage {
    switch n {
    case .party(let name, let id): .init("D201", .error, "party `\(name)` (id \"\(id)\") is not among the members", help: help)
    case .named(let what, let id, let memberOf): .init("D201", .error, "\(what) \"\(id)\", who is not \(memberOf)", help: help)
    }
  }
  package enum Twice: Sendable { case member(String), votes(String), listed(String) }
  package static func listedTwice(_ t: Twice) -> DiagnosticMessage {
    switch t {
    case .member(let id): .init("D202", .error, "member \"\(id)\" is listed twice")
    case .votes(let id): .init("D202", .error, "\"\(id)\" votes twice")
    case .listed(let id): .init("D202", .error, "\"\(id)\" is listed twice")
    }
  }
  package static func unknownVote(_ described: String, words: String) -> DiagnosticMessage {
    .init("D203", .error, "unknown vote \(described)",
      help: "the covenant reads the words \(words); map others in the declaration, e.g. `for = \"for\" | \"yes\"`")
  }
  package static func waiverForUnknownClause(_ clause: String, help: String?) -> DiagnosticMessage {
    .init("D206", .error, "waiver names clause \"\(clause)\", which the covenant does not have", help: help)
  }
  /// A consent for a clause the covenant lacks (`clause`), or given by a body it lacks (`body`).
  package static func unknownConsent(clause: String? = nil, body: String? = nil, help: String?) -> DiagnosticMessage {
    if let clause {
      return .init("D210", .error, "consent for clause \"\(clause)\", which the covenant does not have", help: help)
    }
    return .init("D210", .error, "consent given by \"\(body ?? "")\", which is not a voting body of the covenant", help: help)
  }
}
