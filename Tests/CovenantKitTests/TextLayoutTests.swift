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

// The text reports pad and trim with standard-library helpers instead of Foundation (start-up
// time); they must give Foundation's results exactly, or the reports would change.

private let samples = [
  "", "§4", "§4.2(a)", "BREACH", "DISAPPLIED", "deal-0001", "a much longer identifier than the column",
  "é", "e\u{301}", "§é\u{301}", "日本", "👍🏽x", "\t tab \t", "\u{00A0}nbsp\u{2003}", "  \u{3000}ideo\u{3000}  ",
  " \n line \n ", "\u{200B}zero width\u{200B}", "\r\ncr\r\n", "x\u{1680}",
  "\u{180E}mongolian\u{180E}", "\u{2028}ls\u{2029}", "\u{FEFF}bom\u{FEFF}", "\u{202F}n\u{205F}", "\u{200A}\u{200C}x\u{85}",
  "\u{0B}vt\u{0C}", "\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}q",
]

@Test func paddingMatchesFoundation() {
  for s in samples {
    for width in [0, 1, 2, 3, 5, 9, 11, 12, 24, 50] {
      #expect(s.paddedToUTF16Length(width) == s.padding(toLength: width, withPad: " ", startingAt: 0), "\(s.debugDescription) to \(width)")
    }
  }
  #expect("§4".paddedToUTF16Length(5) == "§4   ")
  #expect("BREACH".paddedToUTF16Length(3) == "BRE")
}

@Test func trimmingMatchesFoundation() {
  for s in samples {
    #expect(s.trimmingBlanks() == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
    let sub = s.dropFirst(0)
    #expect(sub.trimmingBlanks() == sub.trimmingCharacters(in: .whitespaces), "\(s.debugDescription) as a substring")
  }
  #expect(" \t requires x \u{00A0}".trimmingBlanks() == "requires x")
}
