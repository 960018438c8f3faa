import CovenantValues
import CovenantSyntax

/// The checker's and drafting checker's messages (C codes), one constructor per code. Where one
/// code has several wordings, a typed parameter names which; type names arrive already shown
/// (`schema.typeName`), and help that depends on what the covenant declares (a nearest name, the
/// list of parties) is computed at the call site and passed in. The checker adds ` in §id` to a
/// message raised inside a clause (`Checker.report`).
package enum SemanticDiagnostics {
  package enum UnknownName: Sendable {
    case name(String, help: String?)
    case definition(String, help: String?)
    case party(String)
  }
  package static func unknownName(_ u: UnknownName) -> DiagnosticMessage {
    switch u {
    case .name(let n, let help): .init("C001", .error, "unknown name `\(n)`", help: help)
    case .definition(let n, let help): .init("C001", .error, "unknown definition `\(n)`", help: help)
    case .party(let n): .init("C001", .error, "`\(n)` is a party and has no value in a formula", help: "parties appear in `approved by`, `votes` and `waivable by`")
    }
  }

  package enum UnknownField: Sendable {
    /// A field a record does not have; `suggestion`: the nearest of the record's `fields`.
    case ofRecord(String, record: String, suggestion: String?, fields: [String])
    /// A field asked of a value that has none (`type`: the value's type, shown).
    case ofType(String, type: String)
  }
  package static func unknownField(_ u: UnknownField) -> DiagnosticMessage {
    switch u {
    case .ofRecord(let f, let record, let suggestion, let fields):
      .init("C002", .error, "unknown field `\(f)` on `\(record)`",
        help: suggestion ?? "`\(record)` has " + fields.map { "`\($0)`" }.joined(separator: ", "))
    case .ofType(let f, let type): .init("C002", .error, "\(type) has no field `\(f)`")
    }
  }

  package enum OperandProblem: Sendable {
    case negate(String)
    /// `min of [...]` / `max of [...]` whose items are of two units.
    case mixedList(word: String, String, String, help: String?)
    /// `a op b` where the operator does not apply to the two types (shown), `a` first.
    case arithmetic(BinaryOp, String, String, help: String?)
  }
  package static func operandTypes(_ p: OperandProblem) -> DiagnosticMessage {
    switch p {
    case .negate(let t): return .init("C003", .error, "cannot negate \(t)")
    case .mixedList(let word, let a, let b, let help): return .init("C003", .error, "`\(word) of [...]` mixes \(a) and \(b)", help: help)
    case .arithmetic(let op, let a, let b, let help):
      let m: String
      switch op {
      case .add: m = "cannot add \(b) to \(a)"
      case .sub: m = "cannot subtract \(b) from \(a)"
      case .mul: m = "cannot multiply \(a) by \(b)"
      case .div: m = "cannot divide \(a) by \(b)"
      default: m = "cannot \(op == .of ? "take" : op.rawValue) \(a) of \(b)"
      }
      return .init("C003", .error, m, help: help)
    }
  }

  package enum ComparisonProblem: Sendable {
    case ifBranches(String, String)
    case compare(String, String, help: String?)
    /// A share compared with an amount; `sum`: the amount the share stands for, as written.
    case shareWithAmount(String, String, sum: String)
    case onlyEquality(String)
  }
  package static func comparisonTypes(_ p: ComparisonProblem) -> DiagnosticMessage {
    switch p {
    case .ifBranches(let a, let b):
      .init("C004", .error, "the two branches of `if` give \(a) and \(b)",
        help: "both branches give the same kind of value, e.g. `if … then $0 else deal.amount`")
    case .compare(let a, let b, let help): .init("C004", .error, "cannot compare \(a) with \(b)", help: help)
    case .shareWithAmount(let a, let b, let sum):
      .init("C004", .error, "cannot compare \(a) with \(b)",
        help: "a share is a fraction of the total, not an amount: compare it with a percentage (`share of … <= 35%`), or compare the amount itself (`\(sum)`)")
    case .onlyEquality(let a): .init("C004", .error, "\(a) values can only be compared with `=` or `!=`")
    }
  }

  /// `line`: where the first clause of that number is.
  package static func clauseDefinedTwice(_ id: String, firstOnLine line: Int) -> DiagnosticMessage {
    .init("C005", .error, "clause §\(id) is defined twice", help: "the first §\(id) is on line \(line); give each clause its own number")
  }

  package enum DefinitionCycle: Sendable {
    /// `cycle`: the definitions of the loop, the first again at the end.
    case dependsOnItself(String, cycle: [String])
    case usesItself(String)
  }
  package static func definitionCycle(_ c: DefinitionCycle) -> DiagnosticMessage {
    let help = "a definition cannot use itself, directly or through others; break the cycle"
    switch c {
    case .dependsOnItself(let n, let cycle):
      return .init("C006", .error, "definition `\(n)` depends on itself: \(cycle.map { "`\($0)`" }.joined(separator: " → "))", help: help)
    case .usesItself(let n): return .init("C006", .error, "definition `\(n)` uses itself", help: help)
    }
  }

  /// `guesses`: the caps that were probably meant (`Checker.shareCapGuesses`).
  package static func shareCapNeverBinds(_ cap: String, guesses: String) -> DiagnosticMessage {
    .init("C007", .error, "a share cannot exceed 100%, so a cap of \(cap) never binds",
      help: "did you mean \(guesses)? caps on shares are between 0% and 100%")
  }

  package enum Duplicate: Sendable {
    /// A name declared twice; `what` is the second declaration's kind (`definition`, `kind`, …).
    case name(String, what: String)
    case partyID(String, String, id: String)
  }
  package static func duplicate(_ d: Duplicate) -> DiagnosticMessage {
    switch d {
    case .name(let n, let what):
      let article = what.first.map { "aeiou".contains($0) } == true ? "an" : "a"
      return .init("C008", .error, "`\(n)` is declared twice (as \(article) \(what))", help: "give each declaration its own name")
    case .partyID(let other, let n, let id):
      return .init("C008", .error, "parties `\(other)` and `\(n)` have the same id \"\(id)\" in the data")
    }
  }

  package enum TypeProblem: Sendable {
    case listOf(String)
    case topLevelData(String)
    /// `suggestion`: the nearest known type, if any.
    case unknown(String, suggestion: String?)
    case recursiveRecord(String)
  }
  package static func fieldType(_ p: TypeProblem) -> DiagnosticMessage {
    switch p {
    case .listOf(let t):
      .init("C009", .error, "a list must hold records, not \(t)",
        help: "declare `record …` with the element's fields and write `list of` that record")
    case .topLevelData(let n):
      .init("C009", .error, "`\(n)` is a top-level data declaration and cannot be a field type", help: "declare it with `record \(n)` instead")
    case .unknown(let n, let suggestion):
      .init("C009", .error, "unknown type `\(n)`",
        help: suggestion ?? "types are `money`, `number`, `percent`, `bps`, `ratio`, `date`, `duration`, `text`, `bool`, `country`, `fx`, a kind or a record")
    case .recursiveRecord(let n):
      .init("C009", .error, "record `\(n)` contains itself", help: "data is read as a tree; give the nested part its own record")
    }
  }

  package enum ConditionProblem: Sendable {
    /// `what` must be true or false but is of `type` (shown).
    case notBoolean(String, type: String)
    case clauseWithoutRequirement(String)
  }
  package static func condition(_ p: ConditionProblem) -> DiagnosticMessage {
    switch p {
    case .notBoolean(let what, let type):
      .init("C010", .error, "\(what) must be true or false, but this is \(type)", help: "compare it with something, e.g. `… <= 35% of nav`")
    case .clauseWithoutRequirement(let id):
      .init("C010", .error, "clause §\(id) has no requirement", help: "add what must hold, e.g. `total_debt <= 2.0x fund.equity`")
    }
  }

  package enum KindValueProblem: Sendable {
    case notOfKind(String, kind: String, help: String?)
    case ofSeveralKinds(String, kinds: [String])
  }
  package static func kindValue(_ p: KindValueProblem) -> DiagnosticMessage {
    switch p {
    case .notOfKind(let n, let kind, let help): .init("C011", .error, "`\(n)` is not one of the values of `\(kind)`", help: help)
    case .ofSeveralKinds(let n, let kinds):
      .init("C011", .error, "`\(n)` is a value of several kinds (\(kinds.map { "`\($0)`" }.joined(separator: ", ")))",
        help: "compare it with a field of the kind meant, e.g. `sector = \(n)`")
    }
  }

  /// `nearest`: the closest ISO 4217 code, if any.
  package static func unknownCurrency(_ code: String, nearest: String?) -> DiagnosticMessage {
    .init("C012", .error, "unknown currency `\(code)`",
      help: nearest.map { "did you mean `\($0)`?" } ?? "currencies are ISO 4217 codes such as `USD`, `JPY`, `EUR`")
  }

  /// `meant`: the code a common mistake stands for (`UK` for `GB`).
  package static func unknownCountry(_ code: String, meant: String?) -> DiagnosticMessage {
    .init("C013", .error, "unknown country code `\(code)`",
      help: meant.map { "did you mean `\($0)`?" } ?? "countries are ISO 3166 two-letter codes, e.g. `US`, `JP`")
  }

  package enum ListProblem: Sendable {
    case notAList(String)
    /// `every h in holdings.value`: `list` is the list written without the projection.
    case quantifierOverField(String, variable: String, list: String, projection: String)
    case bracketsOutsideIn
    case inWithoutBrackets
    case missingOnList(missing: Bool)
    case singleFromList(String, record: String, field: String, help: String?)
  }
  package static func list(_ p: ListProblem) -> DiagnosticMessage {
    switch p {
    case .notAList(let e): .init("C014", .error, "`\(e)` is not a list", help: "aggregates and `every`/`some`/`no` run over a list such as `holdings`")
    case .quantifierOverField(let q, let v, let list, let projection):
      .init("C014", .error, "`\(q) \(v) in` takes a list, not a field of its elements", help: "write `\(q) \(v) in \(list): \(v).\(projection) …`")
    case .bracketsOutsideIn: .init("C014", .error, "a list in brackets can only follow `in`, as in `sector in [power, logistics]`")
    case .inWithoutBrackets: .init("C014", .error, "`in` takes a list in brackets, as in `sector in [power, logistics]`")
    case .missingOnList(let missing):
      .init("C014", .error, "`is \(missing ? "missing" : "present")` applies to a value, not to a list",
        help: "a list is never missing; count its elements instead, e.g. `count of … = 0`")
    case .singleFromList(let e, let record, let field, let help):
      .init("C014", .error, "`\(e)` is a list of \(record) records; a single `\(field)` needs an aggregate", help: help)
    }
  }

  package enum AggregateProblem: Sendable {
    /// `list`: the first segment of the list written (`holdings`).
    case weightNotOfList(list: String)
    case needsField(String, over: String)
    case cannotAggregate(String, type: String)
    case weightType(String)
    case shareOfType(String)
    case shareWithoutWhere
    /// `min of []` / `max of [...]` (`word`: `min` or `max`).
    case emptyList(word: String)
    case listItemType(word: String, type: String)
  }
  package static func aggregate(_ p: AggregateProblem) -> DiagnosticMessage {
    switch p {
    case .weightNotOfList(let list): .init("C015", .error, "the weight must be a field of the same list, as in `by \(list).value`")
    case .needsField(let fn, let over): .init("C015", .error, "`\(fn) of` needs a field to add up, as in `\(fn) of \(over).value`")
    case .cannotAggregate(let fn, let type): .init("C015", .error, "cannot take the \(fn) of \(type)")
    case .weightType(let type): .init("C015", .error, "a weight must be a number or an amount, not \(type)")
    case .shareOfType(let type): .init("C015", .error, "cannot take a share of \(type)")
    case .shareWithoutWhere:
      .init("C015", .error, "`share of` needs `where`, to say which part of the whole", help: "e.g. `share of holdings.value where sector = power`")
    case .emptyList(let word): .init("C015", .error, "`\(word) of []` has no values", help: "write e.g. `\(word) of [$0, a - b]`")
    case .listItemType(let word, let type): .init("C015", .error, "`\(word) of [...]` takes amounts, numbers, dates or durations, not \(type)")
    }
  }

  package enum GroupReference: Sendable {
    case outsideForEach(String)
    case wrongGroup(String, group: String)
  }
  package static func groupReference(_ p: GroupReference) -> DiagnosticMessage {
    switch p {
    case .outsideForEach(let n): .init("C016", .error, "`that \(n)` is only meaningful inside `for each \(n):`")
    case .wrongGroup(let n, let g): .init("C016", .error, "this clause groups by `\(g)`, not `\(n)`", help: "write `that \(g)`")
    }
  }

  package enum Rescan: Sendable {
    case aggregate(over: String)
    case quantifier(String, over: String)
  }
  package static func rescansPerElement(_ r: Rescan) -> DiagnosticMessage {
    switch r {
    case .aggregate(let over):
      .init("C017", .error, "this aggregate reads the element of an enclosing `every`/`where`, so it would rescan `\(over)` for every element",
        help: "compute it once in a `define`, or aggregate over the element's own list")
    case .quantifier(let q, let over):
      .init("C017", .error, "this `\(q)` reads the element of an enclosing `every`/`where`, so it would rescan `\(over)` for every element",
        help: "compute what it needs once in a `define`, or quantify over the element's own list")
    }
  }

  package enum GroupRescan: Sendable {
    case aggregate(group: String?)
    case quantifier(String, group: String?)
  }
  /// `group`: the `for each` name (nil reads as empty in the message, as `sector` in the example).
  package static func rescansPerGroup(_ r: GroupRescan) -> DiagnosticMessage {
    switch r {
    case .aggregate(let group):
      let g = group ?? ""
      return .init("C018", .error, "inside `for each \(g)`, an aggregate selects its group with `where \(g) = that \(g)`",
        help: "other uses of `that \(g)` inside an aggregate would rescan the list for every group")
    case .quantifier(let q, let group):
      return .init("C018", .error, "`that \(group ?? "")` cannot be used inside `\(q)`: it would rescan the list for every group",
        help: "write the group's condition as an aggregate, e.g. `count of holdings where \(group ?? "sector") = that \(group ?? "sector") and …`")
    }
  }

  package enum DataDeclaration: Sendable {
    /// A second `data … from snapshot` (or `deal`).
    case declaredTwice(RecordDecl.Role)
    /// The checker: the covenant reads no snapshot.
    case noSnapshot
    /// A snapshot given to a covenant that declares none (the session, `check`).
    case snapshotGiven
    case snapshotNotLoaded
    /// A deal given to a covenant that declares no deal fields: loading one, a batch, `--deal`.
    case noDealFields(DealUse)
  }
  package enum DealUse: Sendable { case load, batch, dealOption }
  package static func dataDeclaration(_ p: DataDeclaration) -> DiagnosticMessage {
    switch p {
    case .declaredTwice(let role): .init("C019", .error, "only one `data … from \(role.rawValue)` may be declared")
    case .noSnapshot:
      .init("C019", .error, "the covenant does not declare the snapshot it reads",
        help: "add `data fund from snapshot` with the snapshot's fields, e.g. `equity : money`")
    case .snapshotGiven: .init("C019", .error, "the covenant does not declare the snapshot it reads")
    case .snapshotNotLoaded: .init("C019", .error, "no snapshot was loaded")
    case .noDealFields(.load):
      .init("C019", .error, "the covenant does not declare the deal's fields, so a deal cannot be read", help: "add `data deal from deal` with the deal's fields")
    case .noDealFields(.batch): .init("C019", .error, "the covenant does not declare the deal's fields")
    case .noDealFields(.dealOption):
      .init("C019", .error, "the covenant does not declare the deal's fields, so `--deal` cannot be read", help: "add `data deal from deal` with the deal's fields")
    }
  }

  package enum ProFormaProblem: Sendable {
    case twice
    case noDeal
    case notASnapshotList
    case valueType(field: String, want: String, given: String)
    case missingField(String, record: String)
  }
  package static func proForma(_ p: ProFormaProblem) -> DiagnosticMessage {
    switch p {
    case .twice: .init("C020", .error, "only one `pro forma` declaration is allowed")
    case .noDeal: .init("C020", .error, "`pro forma` needs the deal's fields", help: "declare them with `data deal from deal`")
    case .notASnapshotList: .init("C020", .error, "a deal can only join a list of the snapshot, such as `holdings`")
    case .valueType(let f, let want, let given): .init("C020", .error, "`\(f)` is \(want) but the value given is \(given)")
    case .missingField(let f, let record):
      .init("C020", .error, "`pro forma` does not say what the deal gives for `\(f)` of `\(record)`",
        help: "add `\(f) = deal.…` to the `with` list, or make the field `optional`")
    }
  }

  package enum DatedClauseProblem: Sendable {
    case notADate(until: Bool, type: String)
    case needsAsOf
  }
  package static func datedClause(_ p: DatedClauseProblem) -> DiagnosticMessage {
    switch p {
    case .notADate(let until, let type):
      .init("C021", .error, "`\(until ? "until" : "effective from")` needs a date, found \(type)", help: "write e.g. `effective from 2027-01-01`")
    case .needsAsOf:
      .init("C021", .error, "dated clauses need the snapshot's as-of date",
        help: "declare `as_of : date` in the snapshot (with `from \"…\"` if the file names it differently)")
    }
  }

  package enum WarningThreshold: Sendable {
    case needsPercentage(above: Bool)
    case neverWarns(above: Bool, String)
    case needsLimit(above: Bool)
  }
  package static func warningThreshold(_ p: WarningThreshold) -> DiagnosticMessage {
    switch p {
    case .needsPercentage(let above): .init("C022", .error, "`warn \(above ? "above" : "below")` needs a percentage of the limit, such as `90%`")
    case .neverWarns(let above, let fraction):
      .init("C022", .error, "`warn \(above ? "above" : "below") \(fraction)` would never warn before the limit is reached",
        help: above ? "a warning threshold for a cap is below 100%, e.g. `warn above 90% of the limit`" : "a warning threshold for a floor is above 100%, e.g. `warn below 110% of the limit`")
    case .needsLimit(let above):
      .init("C022", .error, "`warn \(above ? "above" : "below")` needs a requirement of the form `value \(above ? "<=" : ">=") limit` before it")
    }
  }

  package enum GroupingProblem: Sendable {
    case forEachNotFirst
    case windowNotFirst
    case needsList(String)
    case notAList
    case cannotGroupBy(String)
  }
  package static func grouping(_ p: GroupingProblem) -> DiagnosticMessage {
    switch p {
    case .forEachNotFirst:
      .init("C023", .error, "`for each` must come before the clause's requirements, once",
        help: "`for each` (also in `report … for each …`) groups the whole clause: put it first, or give the grouped figures a clause of their own")
    case .windowNotFirst:
      .init("C023", .error, "`for each window …` must come before the clause's requirements, once, and not with another `for each`",
        help: "put it first; give other groupings a clause of their own")
    case .needsList(let f): .init("C023", .error, "`for each \(f)` needs a list to group", help: "write `for each \(f) in holdings:`")
    case .notAList: .init("C023", .error, "`for each` groups the elements of a list")
    case .cannotGroupBy(let f): .init("C023", .error, "cannot group by `\(f)`: only text, kinds, countries, dates and true/false group")
    }
  }

  package enum CurrencyMix: Sendable {
    case compare(String, String)
    case addOrSubtract(add: Bool, String, String)
    case divide(String, String)
  }
  /// `base`: the covenant's base currency, which the help converts to.
  package static func currenciesMixed(_ p: CurrencyMix, base: String) -> DiagnosticMessage {
    switch p {
    case .compare(let a, let b):
      .init("C024", .error, "cannot compare \(a) with \(b) without converting", help: "convert one side with `in \(base)`, at the snapshot's FX rates")
    case .addOrSubtract(let add, let y, let x):
      .init("C024", .error, "cannot \(add ? "add" : "subtract") \(y) and \(x) amounts without converting",
        help: "convert one side first, e.g. `(…) in \(base)`, at the snapshot's FX rates")
    case .divide(let x, let y): .init("C024", .error, "cannot divide \(x) by \(y) amounts without converting", help: "convert one side first with `in \(base)`")
    }
  }

  package enum ConversionProblem: Sendable {
    case ofList(String, list: String)
    case notMoney(String, type: String)
    case noFXRates(String, base: String)
  }
  package static func conversion(_ p: ConversionProblem) -> DiagnosticMessage {
    switch p {
    case .ofList(let code, let list): .init("C025", .error, "`in \(code)` converts an amount, but `\(list)` is a list")
    case .notMoney(let code, let type): .init("C025", .error, "only money can be converted to \(code), not \(type)")
    case .noFXRates(let code, let base):
      .init("C025", .error, "converting to \(code) needs FX rates in the snapshot",
        help: "declare a snapshot field such as `fx_rates : fx quoted JPY per \(base)`")
    }
  }

  package enum DefaultProblem: Sendable {
    case notFixed(String, type: String, isMoney: Bool)
    case itself(String)
    case chained(String, other: String)
    case list(String)
    case otherType(String, type: String, other: String, otherType: String)
  }
  package static func fieldDefault(_ p: DefaultProblem) -> DiagnosticMessage {
    switch p {
    case .notFixed(let f, let type, let isMoney):
      .init("C026", .error, "the default of `\(f)` must be a fixed \(type) value", help: isMoney ? "write e.g. `default $0`" : nil)
    case .itself(let f): .init("C026", .error, "the default of `\(f)` cannot be the field itself")
    case .chained(let f, let other):
      .init("C026", .error, "the default of `\(f)` is `\(other)`, which itself defaults to another field",
        help: "a default names a field that is read from the data, one step")
    case .list(let f): .init("C026", .error, "the default of `\(f)` cannot be a list")
    case .otherType(let f, let type, let other, let otherType):
      .init("C026", .error, "the default of `\(f)` (\(type)) is `\(other)`, which is \(otherType)", help: "a field defaults to another field of the same type")
    }
  }

  package enum FieldOptionProblem: Sendable {
    case inCents, currency, signed
    case emptyKey(String)
    case quotedNotFX
    case quoteMissing(String, base: String)
    case quoteAmbiguous(String, per: String, base: String)
  }
  package static func fieldOption(_ p: FieldOptionProblem) -> DiagnosticMessage {
    switch p {
    case .inCents: .init("C027", .error, "`in cents` applies only to money fields", help: "remove `in cents`, or declare the field as `money`")
    case .currency: .init("C027", .error, "`currency` applies only to money fields")
    case .signed: .init("C027", .error, "`signed` applies only to money fields", help: "remove `signed`, or declare the field as `money`")
    case .emptyKey(let source):
      .init("C027", .error, "`from \"\(source)\"` has an empty key", help: "keys are separated by single dots, e.g. `from \"fund.as_of\"`")
    case .quotedNotFX: .init("C027", .error, "`quoted` applies only to `fx` fields")
    case .quoteMissing(let f, let base):
      .init("C027", .error, "say how the FX rates of `\(f)` are quoted",
        help: "`quoted JPY per \(base)` (150 yen per dollar, as markets quote it) or `quoted \(base) per JPY` (0.0067); `currency` stands for each currency: `quoted currency per \(base)`")
    case .quoteAmbiguous(let units, let per, let base):
      .init("C027", .error, "`quoted \(units) per \(per)` is ambiguous: one side must be the base currency \(base), the other a currency",
        help: "e.g. `quoted JPY per \(base)` or `quoted \(base) per JPY`")
    }
  }

  /// A party or class named in an approval, a vote or a waiver that the covenant does not have.
  package enum PartyReference: Sendable {
    /// `what`: where it is named (`approval`, `waiver`, …); `suggestion`: the nearest party;
    /// `parties`: the parties declared.
    case unknown(String, in: String, suggestion: String?, parties: [String])
    /// `suggestion`: the nearest class.
    case noClass(String, suggestion: String?)

    var wording: (message: String, help: String?) {
      switch self {
      case .unknown(let n, let what, let suggestion, let parties):
        ("unknown party `\(n)` in \(what)",
          suggestion ?? (parties.isEmpty ? "declare it with `party \(n) \"Full name\" weight …`" : "parties are " + parties.map { "`\($0)`" }.joined(separator: ", ")))
      case .noClass(let n, let suggestion): ("no party is of class `\(n)`", suggestion ?? "give parties a class with `party … class \(n)`")
      }
    }
  }
  package enum VotingPartyProblem: Sendable {
    case reference(PartyReference)
    case castingVote(String, help: String?)
    case noParties
  }
  package static func votingParty(_ p: VotingPartyProblem) -> DiagnosticMessage {
    switch p {
    case .reference(let r): .init("C030", .error, r.wording.message, help: r.wording.help)
    case .castingVote(let n, let help): .init("C030", .error, "unknown party `\(n)` for the casting vote", help: help)
    case .noParties:
      .init("C030", .error, "a voting rule needs parties",
        help: "declare them with `party treasury \"…\" weight 50%`, or read them with `governance members from snapshot \"…\"`")
    }
  }

  package enum VotingNumberProblem: Sendable {
    case standAloneQuorum
    /// `what`: `the voting threshold` or `the quorum`.
    case notFixed(String)
    case above100(String, written: String)
    case thresholdComparison
    case partyWeight
  }
  package static func votingNumber(_ p: VotingNumberProblem) -> DiagnosticMessage {
    switch p {
    case .standAloneQuorum: .init("C031", .error, "a clause has one stand-alone quorum")
    case .notFixed(let what): .init("C031", .error, "\(what) must be a fixed fraction such as `2/3` or `75%`")
    case .above100(let what, let written):
      .init("C031", .error, "\(what) of \(written) is above 100%", help: "a threshold is a fraction between 0% and 100%, e.g. `2/3` or `66⅔%`")
    case .thresholdComparison: .init("C031", .error, "a voting threshold is `>=` or `>`")
    case .partyWeight: .init("C031", .error, "a party's weight must be a non-negative number or percentage", help: "write e.g. `weight 50%` or `weight 3`")
    }
  }

  /// `total`: the weights' sum, shown as a percentage.
  package static func weightsNotWhole(_ total: String) -> DiagnosticMessage {
    .init("C032", .warning, "the parties' voting weights add up to \(total), not 100%",
      help: "thresholds of voting power are fractions of the total, so check each `weight`")
  }

  package static func unknownWaiver(_ r: PartyReference) -> DiagnosticMessage {
    .init("C035", .error, r.wording.message, help: r.wording.help)
  }

  package static func emptyCovenant() -> DiagnosticMessage {
    .init("C036", .error, "the covenant file is empty",
      help: "a covenant has at least one clause, e.g. `§1 \"Leverage\"` followed by its requirement; see grammar.md")
  }

  package static func figureTooPrecise(isPercent: Bool) -> DiagnosticMessage {
    .init("C037", .error, "this \(isPercent ? "percentage" : "basis-point figure") is too large or too precise to hold exactly",
      help: "write at most 38 significant digits")
  }

  package enum GovernanceDeclarationProblem: Sendable {
    case declaredTwice(String, firstOnLine: Int)
    /// `allowed`: the declaration's keys; `suggestion`: the nearest of them.
    case notAKey(String, subject: String, allowed: [String], suggestion: String?)
    case boundTwice(String)
    case severalKeys(String, count: Int)
    case emptyKey
    case notAPath(String)
    case voteWordTwice(String, String, String)
  }
  package static func governanceDeclaration(_ p: GovernanceDeclarationProblem) -> DiagnosticMessage {
    switch p {
    case .declaredTwice(let subject, let line):
      .init("C038", .error, "`governance \(subject)` is declared twice", help: "the first is on line \(line); keep one")
    case .notAKey(let key, let subject, let allowed, let suggestion):
      .init("C038", .error, "`\(key)` is not a key of `governance \(subject)`",
        help: allowed.isEmpty ? "`governance \(subject)` takes no `with`" : suggestion ?? "its keys are " + allowed.map { "`\($0)`" }.joined(separator: ", "))
    case .boundTwice(let key): .init("C038", .error, "`\(key)` is bound twice")
    case .severalKeys(let key, let count): .init("C038", .error, "`\(key)` names one key, not \(count)", help: "write `\(key) = \"key\"`")
    case .emptyKey: .init("C038", .error, "an empty key or word")
    case .notAPath(let path): .init("C038", .error, "`\"\(path)\"` is not a JSON path", help: "keys separated by dots, e.g. \"governance.members\"")
    case .voteWordTwice(let w, let other, let vote): .init("C038", .error, "the vote word \"\(w)\" is both `\(other)` and `\(vote)`")
    }
  }

  package enum GovernanceDataProblem: Sendable {
    case votesUndeclared
    /// Clause `id` `what` (`counts the votes`, …); `example`: a declaration that would give it.
    case clauseData(String, what: String, example: String)
  }
  package static func governanceData(_ p: GovernanceDataProblem) -> DiagnosticMessage {
    switch p {
    case .votesUndeclared:
      .init("C039", .error, "approvals are read from the votes, but the covenant does not say where the votes are",
        help: "declare them, e.g. `governance votes from deal \"votes\"`")
    case .clauseData(let id, let what, let example):
      .init("C039", .error, "clause §\(id) \(what), but the covenant does not say where that data is", help: "declare it, e.g. `\(example)`")
    }
  }

  package enum ParameterProblem: Sendable {
    case unusedParameter(String, of: String)
    case noParameters(String, help: String?)
    case arity(String, parameters: [String], given: Int)
    case tooDeep(limit: Int)
    case tooLarge
    case needsArguments(String, parameters: [String])
  }
  package static func parameters(_ p: ParameterProblem) -> DiagnosticMessage {
    switch p {
    case .unusedParameter(let p, let d):
      .init("C040", .error, "parameter `\(p)` of `\(d)` is not used in its definition",
        help: "remove it, or use it, as in `define sector_exposure(s) = sum of holdings.value where sector = s`")
    case .noParameters(let n, let help):
      .init("C040", .error, "`\(n)` is a definition without parameters: write it without `(…)`", help: help)
    case .arity(let n, let ps, let given):
      .init("C040", .error, "`\(n)` takes \(ps.count) argument\(ps.count == 1 ? "" : "s") (\(ps.joined(separator: ", "))), not \(given)")
    case .tooDeep(let limit):
      .init("C040", .error, "definitions with parameters used inside one another more than \(limit) deep",
        help: "define the inner figure once, without parameters, and use it by name")
    case .tooLarge:
      .init("C040", .error, "definitions with parameters expand to more than 100,000 terms",
        help: "a definition that uses another several times, nested, grows exponentially; define the shared figure once")
    case .needsArguments(let n, let ps):
      .init("C040", .error, "`\(n)` is defined with parameters (\(ps.joined(separator: ", "))): give its arguments",
        help: "write e.g. `\(n)(that \(ps.first ?? ""))`")
    }
  }

  package enum PeriodProblem: Sendable {
    /// `marker`: `period end` or `period start`, the field marked.
    case markerNotDate(String, field: String, type: String)
    case markerOptional(String)
    case markerOutsideRecord(String, role: String)
    case markerTwice(String, record: String, existing: String)
    case count(max: Int)
    case notPeriods(String)
    case noPeriodEnd(String, record: String, example: String)
    case elementList
    case noAsOf
    case unsupportedAggregate(String)
    case notAfterAggregate
    case nested
    case groupedTwice(field: String)
  }
  package static func periods(_ p: PeriodProblem) -> DiagnosticMessage {
    switch p {
    case .markerNotDate(let what, let f, let type):
      .init("C050", .error, "`\(what)` marks a date field, but `\(f)` is \(type)", help: "declare it as a date: `\(f) : date \(what)`")
    case .markerOptional(let what):
      .init("C050", .error, "the \(what) of a period cannot be optional: a period without it cannot be placed in time",
        help: "remove `optional`/`default`; every period in the data gives its \(what)")
    case .markerOutsideRecord(let what, let role):
      .init("C050", .error, "`\(what)` marks a field of the elements of a list (a `record`), not of `data … from \(role)`")
    case .markerTwice(let what, let record, let existing):
      .init("C050", .error, "`\(record)` already has a \(what): `\(existing)`", help: "a period has one \(what)")
    case .count(let max):
      .init("C050", .error, "the number of periods must be a whole number from 1 to \(max), such as `4`", help: "write e.g. `over the last 4 periods`")
    case .notPeriods(let e):
      .init("C050", .error, "`\(e)` is not a list of periods",
        help: "periods are the elements of a list, e.g. `quarters : list of quarter` with `period_end : date period end`")
    case .noPeriodEnd(let e, let record, let example):
      .init("C050", .error, "the elements of `\(e)` (`\(record)`) have no period end",
        help: "mark the date field that ends each period, e.g. `\(example) : date period end`")
    case .elementList:
      .init("C050", .error, "periods are counted over a list of the snapshot or the deal, not over an element's own list")
    case .noAsOf:
      .init("C050", .error, "periods are counted as of the snapshot's as-of date, which the covenant does not declare",
        help: "declare `as_of : date` in the snapshot (with `from \"…\"` if the file names it differently)")
    case .unsupportedAggregate(let fn):
      .init("C050", .error, "`\(fn) of … over the last N periods` is not supported",
        help: "use `sum of`, `average of`, `count of`, `min of` or `max of`; a share of two trailing sums is `sum of … / sum of …`")
    case .notAfterAggregate:
      .init("C050", .error, "`over the last N periods` follows an aggregate over a list of periods, such as `sum of quarters.ebitda`")
    case .nested:
      .init("C050", .error, "a figure over the last N periods cannot be used inside an aggregate or `every`/`some`/`no`",
        help: "compare the trailing figure outside it, e.g. in a requirement of its own")
    case .groupedTwice(let field):
      .init("C050", .error, "a clause is grouped once: by `for each window …` or by `for each \(field)`, not both",
        help: "give the per-window requirements a clause of their own")
    }
  }

  package static func reportNotAFigure(_ type: String) -> DiagnosticMessage {
    .init("C060", .error, "`report` shows a figure, not \(type)",
      help: "report an amount, a percentage or another single value, e.g. `report share of holdings.value where sector = that sector`")
  }

  // MARK: - The drafting checker (C07x): the drafting checker adds ` in §id`

  /// `guesses`: the caps that were probably meant (`Checker.shareCapGuesses`).
  package static func partCapNeverBinds(_ cap: String, guesses: String) -> DiagnosticMessage {
    .init("C070", .error, "a part of a whole cannot exceed all of it, so this cap of \(cap) of the whole never binds",
      help: "the left side sums part of the list the right side sums in full; did you mean \(guesses)?")
  }
  package static func floorBelowZero(_ figure: String) -> DiagnosticMessage {
    .init("C071", .warning, "a floor below zero on `\(figure)`, which is never negative, always holds",
      help: "`\(figure)` cannot be below zero, so this requirement checks nothing; was a positive floor meant, or a cap (`<=`)?")
  }
  package static func conditionNeverHolds() -> DiagnosticMessage {
    .init("C072", .warning, "this `applies when` can never hold, so the clause never applies",
      help: "the bounds on the same figure leave no value between them; check the amounts and `<`/`>`")
  }
  package static func conditionAlwaysHolds() -> DiagnosticMessage {
    .init("C073", .warning, "this `applies when` always holds, so it limits nothing",
      help: "the figure is never negative; remove the condition or give the threshold meant")
  }
  /// `other`: the clause of the cap, as shown (`§4.2` or `this clause`).
  package static func floorAboveCap(_ floor: String, cap: String, of other: String) -> DiagnosticMessage {
    .init("C074", .error, "the floor `\(floor)` is above the cap `\(cap)` of \(other): no portfolio can meet both",
      help: "the same figure cannot be both at least the floor and at most the cap; one of the two limits is mistyped")
  }
  package static func redundantLimit(_ limit: String, stricter: String, of other: String, isCap: Bool) -> DiagnosticMessage {
    .init("C075", .note, "`\(limit)` is redundant: `\(stricter)` of \(other) is stricter",
      help: "a portfolio that meets the stricter \(isCap ? "cap" : "floor") always meets this one")
  }
  package static func unusedDefinition(_ name: String) -> DiagnosticMessage {
    .init("C076", .note, "definition `\(name)` is never used",
      help: "no clause, definition or `pro forma` reads it; remove it, or use it where it was meant")
  }
  package static func unreadField(_ field: String, of record: String) -> DiagnosticMessage {
    .init("C077", .note, "field `\(field)` of `\(record)` is never read",
      help: "no clause, definition or `pro forma` reads it; remove it, or use it where it was meant (its data is still checked when it is loaded)")
  }

  // MARK: - Cross-references

  /// `word`: how the reference reads before `§` (`subject to`, `notwithstanding`, `section`);
  /// `help`: the nearest sections (`Checker.sectionSuggestion`).
  package static func unknownSection(_ section: String, word: String, in clause: String, help: String) -> DiagnosticMessage {
    .init("C080", .error, "`\(word) §\(section)` in §\(clause) names a section this covenant does not have", help: help)
  }
  /// `section`: the reference as written, which names `clause` itself.
  package static func selfReference(_ clause: String, word: String, section: String) -> DiagnosticMessage {
    .init("C081", .error, "§\(clause) refers to itself (`\(word) §\(section)`)",
      help: "a clause cannot prevail over, yield to or make an exception to itself; name the other section that was meant")
  }
  /// `loop`: `§1 → §2 → §1`; `steps`: what each reference says.
  package static func referenceCycle(_ loop: String, steps: [String]) -> DiagnosticMessage {
    .init("C082", .error, "the cross-references form a cycle, \(loop): \(steps.joined(separator: "; "))",
      help: "each would disapply the next, so none can be applied first; decide which section prevails and remove the reference that says otherwise")
  }
  package static func overrideNeverApplies(_ clause: String, overrides other: String) -> DiagnosticMessage {
    .init("C083", .note, "§\(clause) has no `applies when` and no dates, so `notwithstanding §\(other)` means §\(other) is never applied",
      help: "say where §\(clause) overrides §\(other), e.g. `applies when deal.sector = power`; if §\(clause) replaces §\(other), remove §\(other); if both are to be met, remove the reference")
  }

  // MARK: - Voting bodies and consents

  /// `suggestion`: the nearest body; `bodies`: the voting bodies declared.
  package static func unknownBody(_ name: String, suggestion: String?, bodies: [String]) -> DiagnosticMessage {
    .init("C090", .error, "unknown voting body `\(name)`",
      help: suggestion
        ?? (bodies.isEmpty ? "declare it: `body \(name) \"Full name\"` with `members from snapshot \"…\"`" : "bodies are " + bodies.map { "`\($0)`" }.joined(separator: ", ")))
  }

  package enum BodyProblem: Sendable {
    case sourceTwice(String, subject: String)
    case noMembers(String)
    case weightsTwice(String, power: String, weightBy: String)
    case oneVoteWithPower(String)
    /// `what`: how the body uses the class (`counts`, `weighs`, …); `suggestion`: the nearest class.
    case unknownClass(String, what: String, className: String, suggestion: String?)
    case memberQuorum
    case twoQuorums(String)
    case powerQuorum
  }
  package static func body(_ p: BodyProblem) -> DiagnosticMessage {
    switch p {
    case .sourceTwice(let b, let subject):
      .init("C091", .error, "body `\(b)` says twice where its \(subject) are", help: "keep one `\(subject) from …` line")
    case .noMembers(let b):
      .init("C091", .error, "body `\(b)` does not say where its members are", help: "add e.g. `members from snapshot \"lpac.members\" with id = \"seat\"`")
    case .weightsTwice(let b, let p, let k):
      .init("C091", .error, "body `\(b)` reads its weights twice: `power = \"\(p)\"` and `weight by \"\(k)\"`", help: "keep `weight by \"\(k)\"`")
    case .oneVoteWithPower(let b):
      .init("C091", .error, "body `\(b)` has one vote each, but its members bind `power`",
        help: "remove `power = …`, or write `weight by \"…\"` instead of `one vote each`")
    case .unknownClass(let b, let what, let n, let suggestion):
      .init("C091", .error, "body `\(b)` \(what) class `\(n)`, which its members data does not give",
        help: suggestion ?? "read it with `members from … with class \(n) = \"key\"` (or `class = \"role\"`)")
    case .memberQuorum: .init("C091", .error, "a quorum of members is a whole number, such as `quorum 3 members`")
    case .twoQuorums(let b): .init("C091", .error, "body `\(b)` has two quorums", help: "keep one")
    case .powerQuorum:
      .init("C091", .error, "a quorum of voting power is a fraction between 0% and 100%, such as `quorum 50% of voting power`")
    }
  }

  package enum ConsentProblem: Sendable {
    /// `bodies`: the voting bodies declared.
    case notAConsent(String, type: String, bodies: [String])
    case liftsNoCap(String)
    case liftedUnit(String, type: String, requirement: String, capType: String)
    case noCapBefore
    case twoExceptions
  }
  package static func consent(_ p: ConsentProblem) -> DiagnosticMessage {
    switch p {
    case .notAConsent(let source, let type, let bodies):
      .init("C092", .error, "a consent is given by a voting body or recorded by a true/false field; `\(source)` is \(type)",
        help: bodies.isEmpty ? "declare the body that consents: `body lpac \"Advisory Committee\" members from …`" : "bodies are " + bodies.map { "`\($0)`" }.joined(separator: ", "))
    case .liftsNoCap(let r):
      .init("C092", .error, "`with consent … up to` lifts a cap, and `\(r)` is not one (`value <= limit`)",
        help: "write the clause's requirement as `value <= limit`, or use `without consent of …` to lift the clause")
    case .liftedUnit(let lifted, let type, let r, let capType):
      .init("C092", .error, "the lifted limit `\(lifted)` is \(type), but the limit of `\(r)` is \(capType)", help: "give the higher limit in the same unit as the cap's")
    case .noCapBefore:
      .init("C092", .error, "`with consent … up to` needs a cap before it to lift", help: "write the cap first, then `with consent of … up to …`")
    case .twoExceptions:
      .init("C092", .error, "a clause has one consent exception", help: "name every body that may consent on one line: `without consent of lps or lpac`")
    }
  }
}
