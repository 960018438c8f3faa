import CovenantValues
import CovenantJSON
import CovenantSyntax
import CovenantSemantics

// MARK: - Lists of records, read into columns

extension DataLoader {
  /// How a field of a list's records is read on the fast path: in place, from the bytes, with
  /// nothing allocated per cell. Anything unusual (a missing required field, a value of the wrong
  /// form, an unknown kind or country, an escape in a text) sends the whole row down the general
  /// path, which reports it exactly as it always has.
  enum FastField {
    /// A JSON integer of at most 18 digits, kept as units of 10^-scale.
    case units
    case member
    case text
    case country
    /// Read by `readValue` from its node (rarer types).
    case general
  }

  /// A field's cell for the row being read.
  enum Cell {
    case missing
    case units(Int64)
    case member(UInt8)
    case string(JSONString)
    case node(Int)
  }

  /// What the fast path needs to know about a record, in flat arrays read through pointers.
  struct RowPlan {
    var fast: [FastField] = []
    /// The value when the key is missing or null: the default, `.absent` if optional; nil when
    /// the field is required.
    var missing: [Value?] = []
    var sources: [String] = []
    /// All key and kind-member names, concatenated.
    var text: [UInt8] = []
    /// keyStart[k], keyLen[k] for each key; then fieldsOf: per key, first index into keyFields
    /// (count + 1 entries); keyFields; then per field the first index of its member names
    /// (fields + 1 entries); then nameStart, nameLen per member name.
    var ints: [Int] = []
    var keyCount = 0
    var fieldCount = 0
    var oKeyLen = 0, oFieldsOf = 0, oKeyFields = 0, oNameFirst = 0, oNameStart = 0, oNameLen = 0
    /// Every field is read from a key of the element itself (no nested `from "a.b"`, no
    /// currency from a sibling key): otherwise each row takes the general path.
    var usable = true
  }

  func rowPlan(_ r: Int) -> RowPlan {
    let rec = schema.records[r]
    var plan = RowPlan()
    var keys: [[UInt8]] = []
    var keyFields: [[Int]] = []
    var names: [[[UInt8]]] = []
    for (i, f) in rec.fields.enumerated() {
      // A default taken from another field is filled in by `readRecord`, row by row.
      if f.source.count != 1 || f.currency != nil || f.defaultField != nil { plan.usable = false }
      let key = Array((f.source.first ?? f.name).utf8)
      if let k = keys.firstIndex(of: key) { keyFields[k].append(i) } else {
        keys.append(key)
        keyFields.append([i])
      }
      var fast = FastField.general
      var fieldNames: [[UInt8]] = []
      switch f.type {
      case .money(let fixed):
        if ISOCodes.isCurrency(fixed ?? schema.baseCurrency) { fast = .units }
      case .kind(let k):
        if schema.kinds[k].members.count < Int(RecordTable.absentMember) {
          fast = .member
          fieldNames = schema.kinds[k].members.map { Array($0.utf8) }
        }
      case .text: fast = .text
      case .country: fast = .country
      default: break
      }
      plan.fast.append(fast)
      plan.missing.append(f.defaultValue ?? (f.optional ? .absent : nil))
      plan.sources.append(f.source.first ?? f.name)
      names.append(fieldNames)
    }
    plan.keyCount = keys.count
    plan.fieldCount = rec.fields.count
    var keyStart: [Int] = [], keyLen: [Int] = []
    for k in keys {
      keyStart.append(plan.text.count)
      keyLen.append(k.count)
      plan.text += k
    }
    var fieldsOf: [Int] = [], flatFields: [Int] = []
    for fs in keyFields {
      fieldsOf.append(flatFields.count)
      flatFields += fs
    }
    fieldsOf.append(flatFields.count)
    var nameFirst: [Int] = [], nameStart: [Int] = [], nameLen: [Int] = []
    for ns in names {
      nameFirst.append(nameStart.count)
      for n in ns {
        nameStart.append(plan.text.count)
        nameLen.append(n.count)
        plan.text += n
      }
    }
    nameFirst.append(nameStart.count)
    plan.ints = keyStart
    plan.oKeyLen = plan.ints.count
    plan.ints += keyLen
    plan.oFieldsOf = plan.ints.count
    plan.ints += fieldsOf
    plan.oKeyFields = plan.ints.count
    plan.ints += flatFields
    plan.oNameFirst = plan.ints.count
    plan.ints += nameFirst
    plan.oNameStart = plan.ints.count
    plan.ints += nameStart
    plan.oNameLen = plan.ints.count
    plan.ints += nameLen
    plan.text += [0, 0, 0, 0, 0, 0, 0, 0]  // never empty, and a word can be read past any name
    return plan
  }
}
