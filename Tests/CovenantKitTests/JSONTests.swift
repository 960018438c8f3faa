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

private func parse(_ text: String) -> Result<JSONDocument, JSONSyntaxError> { JSONParser.parse(Array(text.utf8)) }

private func doc(_ text: String) throws -> JSONDocument { try parse(text).get() }

private func failure(_ bytes: [UInt8]) -> JSONSyntaxError? {
  if case .failure(let e) = JSONParser.parse(bytes) { return e }
  return nil
}

private func failure(_ text: String) -> JSONSyntaxError? { failure(Array(text.utf8)) }

/// Checks code, position and path together, so a test names the whole expected error.
private func expectError(
  _ input: String, _ code: String, line: Int = 1, column: Int, path: String = "", message: String? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  expectError(Array(input.utf8), code, line: line, column: column, path: path, message: message, sourceLocation: sourceLocation)
}

private func expectError(
  _ input: [UInt8], _ code: String, line: Int = 1, column: Int, path: String = "", message: String? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let e = failure(input) else {
    Issue.record("expected \(code), but the input parsed", sourceLocation: sourceLocation)
    return
  }
  #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
  #expect(e.line == line && e.column == column, "\(e)", sourceLocation: sourceLocation)
  #expect(e.path == path, "\(e)", sourceLocation: sourceLocation)
  if let message { #expect(e.message == message, sourceLocation: sourceLocation) }
}

/// Groups the tests so `swift test --filter JSONTests` selects exactly these.
struct JSONTests {}

// MARK: Valid documents

extension JSONTests {
  @Test func parsesEveryKindAndNesting() throws {
    let d = try doc(#"{"s":"x","n":12.50,"t":true,"f":false,"z":null,"a":[1,[2,{}],[]],"o":{"k":{}}}"#)
    let r = d.root
    #expect(d.kind(r) == .object)
    #expect(d.count(r) == 7)
    #expect(d.member(r, "s").flatMap(d.string) == "x")
    #expect(d.member(r, "n").flatMap(d.numberText) == "12.50")
    #expect(d.member(r, "t").flatMap(d.bool) == true)
    #expect(d.member(r, "f").flatMap(d.bool) == false)
    #expect(d.member(r, "z").map(d.kind) == .null)
    let a = try #require(d.member(r, "a"))
    #expect(d.kind(a) == .array && d.count(a) == 3)
    let items = Array(d.elements(a))
    #expect(items.map(d.kind) == [.number, .array, .array])
    #expect(d.count(items[1]) == 2 && d.count(items[2]) == 0)
    #expect(Array(d.elements(items[1])).map(d.kind) == [.number, .object])
    let o = try #require(d.member(r, "o"))
    let k = try #require(d.member(o, "k"))
    #expect(d.kind(k) == .object && d.count(k) == 0)
    #expect(d.member(r, "missing") == nil)
    #expect(d.member(a, "s") == nil)
  }

  @Test func scalarRootsAndEmptyContainers() throws {
    #expect(try doc(#" "x" "#).string(JSONNode(index: 0)) == "x")
    #expect(try doc("42").numberText(JSONNode(index: 0)) == "42")
    #expect(try doc("true").bool(JSONNode(index: 0)) == true)
    #expect(try doc("null").kind(JSONNode(index: 0)) == .null)
    #expect(try doc("[]").count(JSONNode(index: 0)) == 0)
    #expect(try doc(" {\n} ").kind(JSONNode(index: 0)) == .object)
  }

  @Test func elementsAndMembersKeepSourceOrder() throws {
    let d = try doc(#"[1, [2, 3], {"a": [4]}, 5, "six"]"#)
    let items = Array(d.elements(d.root))
    #expect(items.count == 5 && d.count(d.root) == 5)
    #expect(items.compactMap(d.numberText) == ["1", "5"])
    #expect(Array(d.elements(items[1])).compactMap(d.numberText) == ["2", "3"])
    #expect(d.string(items[4]) == "six")
    let m = try doc(#"{"z": 1, "a": {"x": 0}, "m": [9]}"#)
    let members = Array(m.members(m.root))
    #expect(members.map(\.key) == ["z", "a", "m"])
    #expect(members.map { m.kind($0.value) } == [.number, .object, .array])
    #expect(Array(m.members(members[1].value)).map(\.key) == ["x"])
    #expect(Array(m.elements(m.root)).isEmpty)
    #expect(Array(d.members(d.root)).isEmpty)
  }

  @Test func decodesEscapes() throws {
    let d = try doc(#"["a\nb\u00e9\ud83d\ude00\"\\\/\t\b\f\r", "plain é😀", {"caf\u00e9": 1}]"#)
    let items = Array(d.elements(d.root))
    #expect(d.string(items[0]) == "a\nbé😀\"\\/\t\u{8}\u{c}\r")
    #expect(d.string(items[1]) == "plain é😀")
    #expect(d.stringEquals(items[0], "a\nbé😀\"\\/\t\u{8}\u{c}\r"))
    #expect(d.stringEquals(items[1], "plain é😀"))
    #expect(!d.stringEquals(items[1], "plain"))
    #expect(d.member(items[2], "café") != nil)
    #expect(Array(d.members(items[2])).map(\.key) == ["café"])
  }

  @Test func keepsNumberTextExactly() throws {
    let d = try doc("[12.50, -0, 1e400, -1.5E-7, 0, 100000000000000000000000000000000001, 2e+3]")
    let texts = d.elements(d.root).compactMap(d.numberText)
    #expect(texts == ["12.50", "-0", "1e400", "-1.5E-7", "0", "100000000000000000000000000000000001", "2e+3"])
    let first = try #require(d.elements(d.root).first { _ in true })
    #expect(d.withNumberBytes(first) { Array($0) } == Array("12.50".utf8))
    #expect(d.withNumberBytes(d.root) { $0.count } == nil)
    #expect(d.numberText(d.root) == nil && d.string(first) == nil && d.bool(first) == nil)
  }

  @Test func memberLookupOnLargeObjects() throws {
    let keys = (0..<40).map { "key_\($0)" }
    let d = try doc("{" + keys.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ",") + "}")
    #expect(d.count(d.root) == 40)
    for (i, k) in keys.enumerated() { #expect(d.member(d.root, k).flatMap(d.numberText) == Substring("\(i)")) }
    #expect(d.member(d.root, "key_40") == nil)
  }

  @Test func sameKeyInDifferentObjectsIsNotADuplicate() throws {
    let d = try doc(#"{"x": {"a": 1}, "a": {"a": {"a": 2}}, "b": [{"a": 1}, {"a": 2}]}"#)
    #expect(d.member(d.root, "a").flatMap { d.member($0, "a") }.flatMap { d.member($0, "a") }.flatMap(d.numberText) == "2")
  }

  @Test func locationsOnMultiLineInputWithCRLF() throws {
    let d = try doc("{\r\n  \"a\": 1,\r\n  \"b\": [true,\n    null]\r\n}")
    #expect(d.location(d.root) == (1, 1))
    let a = try #require(d.member(d.root, "a"))
    #expect(d.location(a) == (2, 8))
    let b = try #require(d.member(d.root, "b"))
    #expect(d.location(b) == (3, 8))
    let items = Array(d.elements(b))
    #expect(d.location(items[0]) == (3, 9))
    #expect(d.location(items[1]) == (4, 5))
  }

  @Test func locationsFarIntoALargeFile() throws {
    let lines = (0..<20_000).map { "  {\"id\": \($0)}" }
    let d = try doc("[\n" + lines.joined(separator: ",\n") + "\n]")
    let items = Array(d.elements(d.root))
    #expect(d.location(items[0]) == (2, 3))
    #expect(d.location(items[19_999]) == (20_001, 3))
    #expect(d.location(try #require(d.member(items[12_345], "id"))) == (12_347, 10))
  }

  @Test func acceptsAndSkipsByteOrderMark() throws {
    let d = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8)).get()
    #expect(d.member(d.root, "a").flatMap(d.numberText) == "1")
    #expect(d.location(d.root) == (1, 1))
    expectError([0xEF, 0xBB, 0xBF], "D008", column: 1)
    expectError([0xEF, 0xBB, 0xBF] + Array("[1,]".utf8), "D001", column: 4, path: "[1]")
  }

  @Test func foreignNodesDoNotTrap() throws {
    let d = try doc("[1]")
    let bogus = JSONNode(index: 99)
    #expect(d.kind(bogus) == .null && d.count(bogus) == 0 && d.string(bogus) == nil)
    #expect(Array(d.elements(bogus)).isEmpty && d.member(bogus, "a") == nil)
    #expect(d.location(JSONNode(index: -1)) == (1, 1))
  }
}

// MARK: Errors, by code

extension JSONTests {
  @Test func d001InvalidSyntax() {
    expectError(#"{"holdings":[{"value":1},{"value":}]}"#, "D001", column: 35, path: "holdings[1].value",
      message: "expected a value, found `}`")
    expectError("[1,2,]", "D001", column: 6, path: "[2]", message: "trailing comma before `]`")
    expectError(#"{"a":1,}"#, "D001", column: 8, message: "trailing comma before `}`")
    expectError("[1,\r\n2,\r\n]", "D001", line: 3, column: 1, path: "[2]")
    expectError(#"{"a":1 "b":2}"#, "D001", column: 8, path: "a", message: "expected `,` or `}` after object member, found `\"`")
    expectError("[1 2]", "D001", column: 4, path: "[0]", message: "expected `,` or `]` after array element, found `2`")
    expectError("[1}", "D001", column: 3, path: "[0]")
    expectError(#"{"a" 1}"#, "D001", column: 6, path: "a", message: "expected `:` after object key, found `1`")
    expectError("{a:1}", "D001", column: 2, message: "expected a string key in double quotes, found `a`")
    expectError("{'a':1}", "D001", column: 2, message: "single quotes are not valid JSON; use double quotes")
    expectError("[1, // note\n2]", "D001", column: 5, path: "[1]", message: "comments are not valid JSON")
    expectError("[True]", "D001", column: 2, path: "[0]", message: "`True` is not valid JSON; write `true`")
    expectError("[undefined]", "D001", column: 2, path: "[0]", message: "expected a value, found `undefined`")
    expectError(#"{"market value": [x]}"#, "D001", column: 19, path: #"["market value"][0]"#)
    expectError("[é]", "D001", column: 2, path: "[0]", message: "expected a value, found `é`")
  }

  @Test func d001NulByteOutsideStrings() throws {
    expectError([0x5B, 0x31, 0x2C, 0x00, 0x5D], "D001", column: 4, path: "[1]", message: "expected a value, found control character U+0000")
    expectError([0x00], "D001", column: 1, message: "expected a value, found control character U+0000")
    #expect(try JSONParser.parse(Array("[\"a\\u0000b\"]".utf8)).get().string(JSONNode(index: 1)) == "a\u{0}b")
  }

  @Test func d002UnexpectedEndOfFile() {
    expectError(#"{"a":[1,2"#, "D002", column: 10, path: "a[1]", message: "unexpected end of file")
    expectError("{\"a\":[1,2,\n\n", "D002", column: 11, path: "a[2]")
    expectError(#"{"a""#, "D002", column: 5, path: "a")
    expectError(#"{"a":"xyz"#, "D002", column: 6, path: "a", message: "unterminated string")
    expectError(#"["\u12"#, "D002", column: 2, path: "[0]", message: "unterminated string")
    expectError("[tru", "D002", column: 5, path: "[0]")
    expectError("{", "D002", column: 2)
  }

  @Test func d003InvalidUTF8() {
    let q: UInt8 = 0x22
    expectError([0x5B, q, 0xFF, q, 0x5D], "D003", column: 3, path: "[0]", message: "invalid UTF-8 byte 0xff")
    expectError([q, 0x80, q], "D003", column: 2, message: "invalid UTF-8 byte 0x80")
    expectError([q, 0xC0, 0xAF, q], "D003", column: 2, message: "invalid UTF-8: overlong encoding starting with byte 0xc0")
    expectError([q, 0xE0, 0x80, 0xAF, q], "D003", column: 2, message: "invalid UTF-8: overlong encoding starting with byte 0xe0")
    expectError([q, 0xED, 0xA0, 0x80, q], "D003", column: 2, message: "invalid UTF-8: encoded surrogate starting with byte 0xed")
    expectError([q, 0xF4, 0x90, 0x80, 0x80, q], "D003", column: 2, message: "invalid UTF-8: code point above U+10FFFF starting with byte 0xf4")
    expectError([q, 0xE2, 0x82, q], "D003", column: 2, message: "invalid UTF-8: truncated sequence starting with byte 0xe2")
    expectError([q, 0xE2, 0x82], "D003", column: 2)
    expectError([0x5B, 0x31, 0x5D, 0xFF], "D003", column: 4)
    expectError([0x5B, 0xFF, 0x5D], "D003", column: 2, path: "[0]")
    #expect((try? JSONParser.parse([q, 0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0xEF, 0xBF, 0xBF, q]).get()) != nil)
  }

  @Test func d004DuplicateKey() {
    expectError(#"{"a":1,"b":2,"a":3}"#, "D004", column: 14, path: "a", message: "duplicate key `a`")
    expectError(#"{"h":[{"value":1,"value":2}]}"#, "D004", column: 18, path: "h[0].value", message: "duplicate key `value`")
    expectError(#"{"a":1,"\u0061":2}"#, "D004", column: 8, path: "a", message: "duplicate key `a`")
    let keys = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
    expectError("{" + keys + #","k7":0}"#, "D004", column: keys.utf8.count + 3, path: "k7", message: "duplicate key `k7`")
    expectError("{" + keys + #","k\u0031":0}"#, "D004", column: keys.utf8.count + 3, path: "k1", message: "duplicate key `k1`")
    let sixteen = (0..<16).map { "\"k\($0)\":0" }.joined(separator: ",")
    expectError("{" + sixteen + #","k15":1}"#, "D004", column: sixteen.utf8.count + 3, path: "k15")
    expectError("{" + sixteen + #","x":1,"k0":1}"#, "D004", column: sixteen.utf8.count + 9, path: "k0")
  }

  /// A list of records of one shape: each key that repeats the previous record's, byte for
  /// byte, is taken in one comparison (`JSONReader.repeatsShapeKey`). Whatever breaks the
  /// pattern — a duplicate, an escape, junk or a brace after the key, a file ending in it, a
  /// control character — must still get the reader's own diagnostic, at its place (the figures
  /// are those of the reader before the shortcut).
  @Test func recordsOfOneShapeKeepEveryKeyDiagnostic() throws {
    let row = #"{"id":"A","name":"x","sector":"power"}"#
    let head = #"{"h":["# + Array(repeating: row, count: 3).joined(separator: ",") + ","
    let at = head.utf8.count
    // The fourth record repeats its second key where the shape has its third.
    expectError(head + #"{"id":"A","name":"x","name":"y"}]}"#, "D004", column: at + 22, path: "h[3].name", message: "duplicate key `name`")
    expectError(head + #"{"id":"A","name":"x","n\u0061me":"y"}]}"#, "D004", column: at + 22, path: "h[3].name", message: "duplicate key `name`")
    expectError(head + #"{"id":"A","name" x "x"}]}"#, "D001", column: at + 18, path: "h[3].name")
    expectError(head + #"{"id":"A","name"}]}"#, "D001", column: at + 17, path: "h[3].name")
    expectError(head + #"{"id":"A","name"#, "D002", column: at + 11, path: "h[3]")
    expectError(head + "{\"id\":\"A\",\"na\u{1}me\":1}]}", "D007", column: at + 14, path: "h[3]")
    // Read alike: another order, an escaped key, whitespace before the colon, a longer key.
    let same = try doc(
      head + #"{"name":"x","id":"B","sector":"power"},{"id":"C","n\u0061me":"y","sector" : "oil"},{"id":"D","names":"z","sector":"gas"}]}"#)
    let list = Array(same.elements(try #require(same.member(same.root, "h"))))
    #expect(list.count == 6)
    #expect(list.map { same.string(same.member($0, "id")!) } == ["A", "A", "A", "B", "C", "D"])
    #expect(same.string(try #require(same.member(list[4], "name"))) == "y")
    #expect(same.string(try #require(same.member(list[4], "sector"))) == "oil")
    #expect(same.member(list[5], "name") == nil)
    #expect(same.string(try #require(same.member(list[5], "names"))) == "z")
  }

  @Test func largeAndNestedLargeObjectsCheckKeysPerObject() throws {
    let inner = "{" + (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
    let outer = "{" + (0..<20).map { "\"k\($0)\":\($0 == 17 ? inner : "0")" }.joined(separator: ",")
    let d = try doc(outer + "}")
    #expect(d.member(d.root, "k17").flatMap { d.member($0, "k19") }.flatMap(d.numberText) == "19")
    #expect(failure(outer + #","k18":1}"#)?.code == "D004")
    let many = try doc("{" + (0..<100_000).map { "\"key\($0)\":\($0)" }.joined(separator: ",") + "}")
    #expect(many.count(many.root) == 100_000)
    #expect(many.member(many.root, "key99999").flatMap(many.numberText) == "99999")
  }

  @Test func d005NestingTooDeep() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    guard let e = failure(deep) else { Issue.record("10,000 levels parsed"); return }
    #expect(e.code == "D005" && e.line == 1 && e.column == 513)
    #expect(e.message == "nesting deeper than 512 levels")
    #expect(e.path == String(repeating: "[0]", count: 8) + "…" + String(repeating: "[0]", count: 8))
    #expect((try? JSONParser.parse(Array((String(repeating: "[", count: 512) + String(repeating: "]", count: 512)).utf8)).get()) != nil)
    #expect(failure(String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513))?.code == "D005")
    #expect(failure(String(repeating: "[", count: 100_000))?.code == "D005")
  }

  @Test func d006InvalidNumbers() {
    expectError(#"{"x":NaN}"#, "D006", column: 6, path: "x", message: "NaN is not valid JSON; write a number or a quoted decimal")
    expectError("[-Infinity]", "D006", column: 3, path: "[0]", message: "Infinity is not valid JSON; write a number or a quoted decimal")
    expectError("[01]", "D006", column: 2, path: "[0]", message: "invalid number: leading zeros are not allowed")
    expectError("[+1]", "D006", column: 2, path: "[0]", message: "invalid number: a number cannot start with `+`")
    expectError("[.5]", "D006", column: 2, path: "[0]")
    expectError("[1.]", "D006", column: 4, path: "[0]", message: "invalid number: expected a digit after the decimal point")
    expectError("1.", "D006", column: 3)
    expectError("[1e]", "D006", column: 4, path: "[0]", message: "invalid number: expected a digit in the exponent")
    expectError("[1.5e+]", "D006", column: 7, path: "[0]")
    expectError("[-]", "D006", column: 3, path: "[0]", message: "invalid number: expected a digit after `-`")
    expectError("-", "D006", column: 2)
  }

  @Test func d007InvalidEscapesAndControlCharacters() {
    expectError("[\"a\tb\"]", "D007", column: 4, path: "[0]", message: "control character U+0009 in string must be escaped")
    expectError("{\"a\":\"x\ny\"}", "D007", column: 8, path: "a", message: "control character U+000A in string must be escaped")
    expectError(#"["\x"]"#, "D007", column: 3, path: "[0]", message: #"invalid escape `\x` in string"#)
    expectError(#"["\u12G4"]"#, "D007", column: 3, path: "[0]", message: #"invalid escape: `\u` must be followed by four hex digits"#)
    expectError(#"["\ud83d"]"#, "D007", column: 3, path: "[0]")
    expectError(#"["\ud83dx"]"#, "D007", column: 3, path: "[0]")
    expectError(#"["\ud83d\u0041"]"#, "D007", column: 3, path: "[0]")
    expectError(#"["ok \ude00"]"#, "D007", column: 6, path: "[0]")
    expectError(#"{"\ud800": 1}"#, "D007", column: 3)
  }

  @Test func d008EmptyFile() {
    expectError("", "D008", column: 1, message: "the file is empty")
    expectError(" \r\n\t\n", "D008", column: 1)
  }

  @Test func d009TrailingContent() {
    expectError("[1] 2", "D009", column: 5, message: "trailing characters after the JSON value")
    expectError(#"{"a":1}}"#, "D009", column: 8)
    expectError([0x7B, 0x7D, 0x00], "D009", column: 3)
    expectError("1\n\n  x", "D009", line: 3, column: 3)
  }

  @Test func errorDescriptionNamesPlaceAndCode() {
    #expect(JSONSyntaxError(line: 2, column: 3, path: "a[1]", message: "unexpected end of file", code: "D002").description
      == "2:3: unexpected end of file at a[1] [D002]")
  }
}

// MARK: Robustness

extension JSONTests {
  @Test func everyPrefixAndMutationIsHandled() {
    let text = Array(#"{"h": [{"v": 12.5e-3, "s": "a\u00e9\ud83d\ude00é😀"}, true, null, [], {}], "k": -0}"#.utf8)
    for end in 0...text.count { _ = JSONParser.parse(Array(text[..<end])) }
    for i in text.indices {
      for b: UInt8 in [0x00, 0x22, 0x5C, 0x5B, 0x7B, 0x5D, 0x7D, 0x2C, 0x3A, 0x2D, 0x65, 0x80, 0xFF, 0xED] {
        var t = text
        t[i] = b
        if case .success(let d) = JSONParser.parse(t) { walk(d, d.root) }
      }
    }
    var rng = SplitMix(seed: 7)
    let alphabet = Array(#"{}[],:"\ue0-1.tfnrl 09"#.utf8) + [0xC3, 0xA9, 0xF0, 0x9F]
    for _ in 0..<3_000 {
      let t = (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      if case .success(let d) = JSONParser.parse(t) { walk(d, d.root) }
    }
  }
}

/// Touches every accessor of every node, the way a loader would.
private func walk(_ d: JSONDocument, _ n: JSONNode) {
  _ = (d.string(n), d.numberText(n), d.bool(n), d.location(n), d.count(n))
  for e in d.elements(n) { walk(d, e) }
  for m in d.members(n) {
    #expect(d.member(n, m.key) != nil)
    walk(d, m.value)
  }
}

/// SplitMix64: deterministic across runs and platforms; shared by the tests that need random data.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

// MARK: Paths

extension JSONTests {
  @Test func pathsQuoteKeysThatAreNotIdentifiers() {
    let p = JSONPath().appending(key: "holdings").appending(index: 3)
    #expect(JSONPath().description == "")
    #expect(p.description == "holdings[3]")
    #expect(p.appending(key: "value").description == "holdings[3].value")
    #expect(p.appending(key: "market value").description == #"holdings[3]["market value"]"#)
    #expect(JSONPath().appending(index: 0).appending(key: "a").description == "[0].a")
    #expect(JSONPath().appending(key: "2024").appending(key: "q\"1").description == #"["2024"]["q\"1"]"#)
    let deep = JSONPath().appending(key: "a").appending(key: "b_2").appending(index: 1).appending(key: "C").appending(index: 0)
    #expect(deep.description == "a.b_2[1].C[0]")
  }
}
