/// ISO code tables, compiled in so that checking a covenant never depends on the host's locale data.
public enum ISOCodes {
  /// The words of `text`, split on its bytes: splitting by characters (grapheme breaking) made the
  /// two tables ~1 M instructions of every `check`'s start-up.
  private static func codes(_ text: String) -> Set<String> {
    var set = Set<String>(minimumCapacity: 300)
    var word: [UInt8] = []
    for b in text.utf8 {
      if b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") {
        if !word.isEmpty { set.insert(String(decoding: word, as: UTF8.self)) }
        word.removeAll(keepingCapacity: true)
      } else {
        word.append(b)
      }
    }
    if !word.isEmpty { set.insert(String(decoding: word, as: UTF8.self)) }
    return set
  }

  /// All 249 officially assigned ISO 3166-1 alpha-2 codes. Reserved codes such as "UK" and "EU"
  /// are deliberately absent: they are not countries, and accepting them would let a domicile
  /// limit silently never match.
  public static let countries: Set<String> = codes(countryText.description)

  /// Whether `code` is one of `countries`, without building the set (a check reads a handful of
  /// codes; the two sets cost ~320,000 instructions of its start-up): a binary search of the
  /// sorted table's bytes.
  public static func isCountry(_ code: String) -> Bool { isCode(code, in: countryText, width: 2) }

  /// Whether `code` is one of `currencies`, without building the set (see `isCountry`).
  public static func isCurrency(_ code: String) -> Bool { isCode(code, in: currencyText, width: 3) }

  /// Codes of `width` bytes, in byte order, each followed by one space or line break but the last.
  private static func isCode(_ code: String, in table: StaticString, width: Int) -> Bool {
    var code = code
    return code.withUTF8 { c in
      guard c.count == width else { return false }
      return table.withUTF8Buffer { t in
        var lo = 0, hi = (t.count + 1) / (width + 1)
        while lo < hi {
          let mid = (lo + hi) / 2, at = mid * (width + 1)
          var order = 0
          for k in 0..<width where order == 0 {
            order = Int(t[at + k]) - Int(c[k])
          }
          if order == 0 { return true }
          if order < 0 { lo = mid + 1 } else { hi = mid }
        }
        return false
      }
    }
  }

  private static var countryText: StaticString {
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """
  }

  /// ISO 4217 active codes, including fund and supranational units (CLF, XDR, XAF, ...) and the
  /// codes in transition (ANG/XCG, SLL/SLE, ZWL/ZWG), since data may still carry either. The
  /// non-currencies XTS (testing) and XXX (no currency) are left out.
  public static let currencies: Set<String> = codes(currencyText.description)

  private static var currencyText: StaticString {
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
    RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG
    XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
    """
  }

  /// Currency symbols that name one currency unambiguously. "$" means USD by market convention;
  /// other dollars need their prefix ("A$", "HK$"). Ambiguous signs such as "kr" are omitted.
  public static let symbols: [String: String] = [
    "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "￥": "JPY", "CN¥": "CNY",
    "₹": "INR", "₩": "KRW", "A$": "AUD", "C$": "CAD", "HK$": "HKD", "S$": "SGD", "NZ$": "NZD",
    "R$": "BRL", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₫": "VND", "฿": "THB", "₱": "PHP", "zł": "PLN",
  ]

  /// Country-code mistakes too far from the right answer for an edit distance to find: reserved
  /// or language codes ("UK", "EN", "JA") and ISO alpha-3 codes. Only unassigned keys appear, so
  /// a suggestion never overrides a real country.
  public static let commonMistakes: [String: String] = [
    "UK": "GB", "EN": "GB", "JA": "JP", "KO": "KR", "ZH": "CN", "DA": "DK", "EL": "GR", "CS": "CZ",
    "HE": "IL", "IW": "IL", "SP": "ES", "UAE": "AE", "ENG": "GB",
    "USA": "US", "GBR": "GB", "JPN": "JP", "DEU": "DE", "GER": "DE", "FRA": "FR", "CHN": "CN",
    "CAN": "CA", "AUS": "AU", "CHE": "CH", "LUX": "LU", "IRL": "IE", "NLD": "NL", "SGP": "SG",
    "HKG": "HK", "KOR": "KR", "IND": "IN", "CYM": "KY", "ITA": "IT", "ESP": "ES", "SWE": "SE",
    "BRA": "BR", "MEX": "MX", "BMU": "BM", "JEY": "JE", "GGY": "GG",
  ]

  /// Colloquial currency names that are not ISO codes.
  public static let currencyMistakes: [String: String] = [
    "RMB": "CNY", "YEN": "JPY", "STG": "GBP", "UKP": "GBP", "NIS": "ILS", "EURO": "EUR", "US": "USD",
  ]

  private static let names: [String: String] = [
    "US": "United States", "GB": "United Kingdom", "JP": "Japan", "DE": "Germany", "FR": "France",
    "CN": "China", "CA": "Canada", "AU": "Australia", "CH": "Switzerland", "LU": "Luxembourg",
    "IE": "Ireland", "NL": "Netherlands", "SG": "Singapore", "HK": "Hong Kong", "KR": "South Korea",
    "IN": "India", "KY": "Cayman Islands", "IT": "Italy", "ES": "Spain", "SE": "Sweden", "BR": "Brazil",
    "MX": "Mexico", "BM": "Bermuda", "JE": "Jersey", "GG": "Guernsey", "AE": "United Arab Emirates",
  ]

  /// English name for common fund domiciles and markets only; nil for the rest, so callers fall
  /// back to the code rather than carry a full name table.
  public static func countryName(_ code: String) -> String? { names[code] }
}

/// Levenshtein distance over Unicode scalars. With `limit`, stops as soon as every alignment
/// costs more than `limit` and returns some value above it, which is all a nearest-match search
/// needs and avoids filling the rest of the table.
public func editDistance(_ a: String, _ b: String, limit: Int = .max) -> Int {
  let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
  let gap = x.count > y.count ? x.count - y.count : y.count - x.count
  if x.isEmpty || y.isEmpty || gap > limit { return max(x.count, y.count, gap) }
  var prev = Array(0...y.count), cur = prev
  for i in 1...x.count {
    cur[0] = i
    var rowMin = i
    for j in 1...y.count {
      cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      rowMin = min(rowMin, cur[j])
    }
    if rowMin > limit { return rowMin }
    swap(&prev, &cur)
  }
  return prev[y.count]
}

/// The candidate nearest to `name` for a "did you mean" hint: a case-insensitive exact match
/// first, else the closest within max(1, length/3) edits (ties: lexicographically first), else nil.
/// The bound keeps hints plausible — a suggestion that shares little with the typo misleads more
/// than it helps. Codes that look nothing like their intended value belong in an alias table
/// such as `ISOCodes.commonMistakes`.
public func closestMatch<C: Sequence>(_ name: String, in candidates: C) -> String? where C.Element == String {
  let key = name.lowercased()
  let limit = max(1, key.unicodeScalars.count / 3)
  var best: (distance: Int, name: String)?
  for candidate in candidates {
    if candidate == name { return candidate }
    let d = editDistance(key, candidate.lowercased(), limit: min(limit, best?.distance ?? limit))
    if d > limit { continue }
    if let b = best, (b.distance, b.name) <= (d, candidate) { continue }
    best = (d, candidate)
  }
  return best?.name
}
