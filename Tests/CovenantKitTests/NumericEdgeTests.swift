import Foundation
import Testing

@testable import CovenantKit
@testable import CovenantValues
@testable import CovenantJSON
@testable import CovenantSyntax
@testable import CovenantSemantics
@testable import CovenantData
@testable import CovenantEvaluation
@testable import CovenantReporting
@testable import CovenantFormatting
@testable import CovenantTesting
@testable import CovenantCLI

/// Issue 18, item 5: the silent-value class closed for good. Every numeric type and unit, at the
/// edges of what the exactness rule can hold, in the data and in literals: the value read is the
/// exact figure written (scaled by its unit), or there is a diagnostic. Never undefined, never a
/// figure off by its scale. The expected figure is computed here by moving the decimal point in
/// the text, not with the arithmetic under test.
@Suite struct NumericEdgeTests {
  /// Figures at the edges: zero in its spellings, the 64- and 128-bit boundaries, 38 to 40
  /// significant digits, the exponent bounds of the exactness rule (about 1,233 digits) and far
  /// beyond them, tiny fractions, and negatives of each.
  static let figures: [String] = {
    let base = [
      "0", "-0", "0.0", "0e5", "1", "0.01", "0.0001",
      "9223372036854775807", "9223372036854775808", "18446744073709551616",
      "170141183460469231731687303715884105727", "170141183460469231731687303715884105728",
      String(repeating: "9", count: 38), String(repeating: "9", count: 39), String(repeating: "7", count: 40),
      "0.12345678901234567890123456789012345678", "0." + String(repeating: "0", count: 37) + "1",
      "1e38", "1e39", "1.5e300", "1e1200", "1e1232", "1e1240", "1e4000", "1e-38", "1e-300", "1e-1232", "1e-4000",
      "123456789012345678901234567890.123456789",
    ]
    return base + base.filter { !$0.hasPrefix("-") && $0 != "0" }.map { "-" + $0 }
  }()

  /// (declared type, whether the figure F is written as a JSON string, power of ten the stored
  /// value is F times).
  static let dataTypes: [(String, Bool, Int)] = [
    ("money", false, 0),
    ("money", true, 0),
    ("money signed", false, 0),
    ("money in cents", false, -2),
    ("percent", false, -2),
    ("bps", false, -4),
    ("ratio", false, 0),
    ("number", true, 0),
  ]

  @Test(arguments: 0..<dataTypes.count)
  func dataIsExactOrRefused(_ t: Int) throws {
    let (type, quoted, power) = Self.dataTypes[t]
    let cov = """
      covenant "Edges" base currency USD
      data fund from snapshot
        x : \(type)
      §1 "defined"
        fund.x >= fund.x

      """
    let c = try #require(compile(cov).covenant)
    var read = 0, refused = 0
    defer {
      // Both sides of the edge are reached: most figures are read exactly, the extremes refused.
      #expect(read >= 25 && refused >= 4, "\(type): \(read) read, \(refused) refused")
    }
    for figure in Self.figures {
      let json = quoted ? "{\"x\": \"\(figure)\"}" : "{\"x\": \(figure)}"
      let loaded: Value
      switch DataLoader.parseJSON(Array(json.utf8), file: "p.json") {
      case .failure(let d):
        #expect(d.code.hasPrefix("D"), "\(type) \(figure): \(d.code) \(d.message)")
        continue
      case .success(let doc):
        switch DataLoader.load(doc, record: try #require(c.schema.snapshot), schema: c.schema, file: "p.json") {
        case .failure(let ds):
          let codes = ds.list.map(\.code)
          // Refused: too many digits for the exactness rule (D107), or a negative amount (D103).
          let negative = Self.shifted(figure, by: 0)?.hasPrefix("-") ?? false
          #expect(codes.allSatisfy { $0 == "D107" || ($0 == "D103" && negative && type.hasPrefix("money") && !type.contains("signed")) },
                  "\(type) \(figure): \(codes)")
          #expect(ds.list.allSatisfy { $0.path == "x" }, "\(type) \(figure): the path is named")
          refused += 1
          continue
        case .success(let v):
          loaded = v
          read += 1
        }
      }
      guard case .record(let fields) = loaded else {
        Issue.record("\(type) \(figure): not a record")
        continue
      }
      let expected = try #require(Self.shifted(figure, by: power), "\(type) \(figure)")
      let exact: Exact?
      switch fields[0] {
      case .number(let x): exact = x
      case .money(let x, let currency):
        #expect(currency == "USD")
        exact = x
      default: exact = nil
      }
      // The figure as written, scaled by its unit: parsed from the shifted text, or nothing if
      // even the text is beyond the exactness rule (then the loader must have refused it above).
      let reference = try? Exact.parse(expected)
      #expect(exact != nil && exact == reference ?? nil, "\(type) \(figure): read \(fields[0]), expected \(expected)")
      if Self.shifted(figure, by: 0)?.hasPrefix("-") == true, type.hasPrefix("money"), !type.contains("signed") {
        Issue.record("\(type) \(figure): a negative amount was accepted")
      }
      // A requirement on the figure has an answer (or an evaluation error): never "not applicable".
      var runner = CovenantRunner(covenant: c, snapshot: loaded)
      do {
        let r = try runner.check(deal: nil, dealData: nil)
        #expect(verdict(r, "1") == .pass || verdict(r, "1") == .breach, "\(type) \(figure): \(String(describing: verdict(r, "1")))")
      } catch {
        #expect(error.code.hasPrefix("E"), "\(type) \(figure): \(error.code)")
      }
    }
  }

  /// Literal spellings (suffix, power of ten): the figure F written with the unit is F × 10^power.
  static let literalUnits: [(String, String, Int)] = [
    ("", "", 0), ("", "%", -2), ("", " bps", -4), ("", "x", 0),
    ("$", "", 0), ("$", " million", 6), ("$", " billion", 9), ("$", " trillion", 12),
  ]

  @Test(arguments: 0..<literalUnits.count)
  func literalsAreExactOrRefused(_ u: Int) throws {
    let (prefix, suffix, power) = Self.literalUnits[u]
    // A literal has no sign and no exponent in the language: the edge figures are digit strings.
    let figures = Self.figures.filter { !$0.hasPrefix("-") && !$0.contains("e") }
      + ["1" + String(repeating: "0", count: 1240), "0." + String(repeating: "0", count: 1240) + "1"]
    for figure in figures {
      let literal = prefix + figure + suffix
      let lhs = prefix == "$" ? "fund.m" : "fund.n"
      let cov = """
        covenant "Edges" base currency USD
        data fund from snapshot
          n : number
          m : money
        §1 "limit"
          \(lhs) <= \(literal)

        """
      let result = compile(cov)
      guard let c = result.covenant else {
        let codes = result.diagnostics.filter(\.isError).map(\.code)
        // C037: the unit's scaling does not fit the exactness rule; P008: more digits than it allows.
        #expect(codes.allSatisfy { $0 == "C037" || $0 == "P008" }, "\(literal): \(codes)")
        #expect(!codes.isEmpty)
        continue
      }
      guard case .compare(_, _, let rhs) = c.clauses[0].requirements[0].expr.kind, case .constant(let value) = rhs.kind else {
        Issue.record("\(literal): expected a comparison with a constant")
        continue
      }
      let x: Exact? = switch value {
      case .number(let x): x
      case .money(let x, _): x
      default: nil
      }
      let expected = try #require(Self.shifted(figure, by: power))
      #expect(x != nil && x == (try? Exact.parse(expected)) ?? nil, "\(literal): read \(value), expected \(expected)")
    }
  }

  /// The decimal text of `figure` × 10^power, by moving the point (exponents are folded in first).
  static func shifted(_ figure: String, by power: Int) -> String? {
    var s = Substring(figure)
    var negative = false
    if s.hasPrefix("-") {
      negative = true
      s = s.dropFirst()
    }
    var exponent = power
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      guard let n = Int(s[s.index(after: e)...]) else { return nil }
      exponent += n
      s = s[..<e]
    }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
    var point = parts[0].count + exponent  // digits before the point
    if point <= 0 {
      digits = String(repeating: "0", count: 1 - point) + digits
      point = 1
    } else if point > digits.count {
      digits += String(repeating: "0", count: point - digits.count)
    }
    let intPart = digits.prefix(point).drop(while: { $0 == "0" })
    let fracPart = digits.dropFirst(point).reversed().drop(while: { $0 == "0" }).reversed()
    let text = (intPart.isEmpty ? "0" : String(intPart)) + (fracPart.isEmpty ? "" : "." + String(fracPart))
    return (negative && text != "0" ? "-" : "") + text
  }

  @Test func shiftingTheDecimalPoint() {
    #expect(Self.shifted("12.5", by: -2) == "0.125")
    #expect(Self.shifted("1e3", by: 0) == "1000")
    #expect(Self.shifted("-0.01", by: 2) == "-1")
    #expect(Self.shifted("-0", by: 4) == "0")
    #expect(Self.shifted("35", by: -2) == "0.35")
    #expect(Self.shifted("1.5e-2", by: 9) == "15000000")
  }
}
