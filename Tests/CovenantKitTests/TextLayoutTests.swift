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

/// The text report's `requires:` line: one ASCII line is only trimmed, without the split by
/// characters; the line must be the split's, for every sample and for requirements over lines.
@Test func requirementOnOneLineIsTheSplitOne() {
  let more = ["share of x <= 40%", "  a\n    and b  ", "a\r\nb", "a\u{85}b", "a\u{2028}b", "\n", "", "  ", "x\u{0B}y\u{0C}z", "§1 ≤ 2\n  ok"]
  for s in samples + more {
    let reference = s.split(whereSeparator: \.isNewline).map { $0.trimmingBlanks() }.joined(separator: " ")
    #expect(CheckReport.oneLine(s) == reference, "\(s.debugDescription)")
  }
}

// The reports, the loader and the drafting checker replace and split short texts without
// Foundation (it is not linked into the executable); the results must be Foundation's.
private let replaceSamples = samples + [
  "a|b", "||", "x|\u{301}y", "e\u{301}|", "|e\u{301}|", "a\\|b", "100%\r\n:a,b", "%\n%\r%", "a\r\nb",
  "1_000_000", "_", "__", "a_\u{301}b", "```code```", "````", "``", "l3.value l3.x l33.y", "l3.\u{301}x",
  "|\u{FE0F}", "|\u{200D}x", "|\u{20DD}", "|\u{0903}", "👍|🏽", "§4.9 applies; §5 applies;; x; ", "; ", ";", "a; \u{301}b",
  "|\u{200C}", "|\u{200D}", "|\u{1160}", "|\u{11A8}", "|\u{E0100}", "|\u{0CBC}\u{0C82}", "|\u{0600}", "|\u{1F1E6}", "a\r\n\r\nb", "é|é", "e\u{301}; é", "|\u{1F3FB}|\u{1F3FF}|\u{1F400}",
]

@Test func replacingMatchesFoundation() {
  let pairs = [("|", "\\|"), ("\\", "\\\\"), ("%", "%25"), ("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"),
               ("_", ""), ("```", "'''"), ("l3.", "#."), ("; ", "|")]
  for s in replaceSamples {
    for (target, replacement) in pairs {
      #expect(s.replacingEvery(target, with: replacement) == s.replacingOccurrences(of: target, with: replacement),
              "\(s.debugDescription): \(target.debugDescription) → \(replacement.debugDescription)")
    }
  }
  #expect("1_000_000".replacingEvery("_", with: "") == "1000000")
  #expect("a\r\nb".replacingEvery("\r", with: "%0D") == "a%0D\nb")
  #expect("x|\u{301}".replacingEvery("|", with: "\\|") == "x|\u{301}")
}

@Test func splittingMatchesFoundation() {
  for s in replaceSamples {
    for separator in ["; ", "|", "\n", "```"] {
      #expect(s.splitting(at: separator) == s.components(separatedBy: separator), "\(s.debugDescription) at \(separator.debugDescription)")
    }
  }
  #expect("a; b; c".splitting(at: "; ") == ["a", "b", "c"])
  #expect("".splitting(at: "; ") == [""])
}
