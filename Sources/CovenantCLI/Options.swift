import CovenantKit

/// Command-line options.
extension Commands {
  /// Parsed options: `--name value` pairs, repeated flags, and positional arguments.
  struct Options {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positional: [String] = []
  }

  static func parseOptions(_ args: [String], valued: Set<String>, flags: Set<String>) -> Result<Options, CommandOutput> {
    OptionParser(valued: valued, flags: flags).parse(args)
  }

  /// The option parser: `--name value`, `--name=value`, the short forms `-p FILE` and `-pFILE`,
  /// flags, and `--` before positional arguments only. A mistyped option gets a suggestion.
  struct OptionParser {
    var valued: Set<String>
    var flags: Set<String>

    func parse(_ args: [String]) -> Result<Options, CommandOutput> {
      var o = Options()
      var i = 0
      while i < args.count {
        var a = args[i]
        if a == "--" {
          o.positional += args[(i + 1)...]
          break
        }
        // `-p FILE`, `-pFILE`: the short form of a long option this verb takes.
        if a.count >= 2, a.hasPrefix("-"), !a.hasPrefix("--") {
          let letter = String(a.dropFirst().prefix(1))
          guard let long = Commands.shortForms[letter], valued.contains(long) || flags.contains(long) else {
            let all = Array(valued) + Array(flags)
            return .failure(Commands.usageError(.unknownOption(a, nearest: closestMatch(String(a.dropFirst()), in: all))))
          }
          let attached = String(a.dropFirst(2))
          a = "--" + long + (attached.isEmpty ? "" : "=" + attached)
        }
        if a.hasPrefix("--") {
          var name = String(a.dropFirst(2))
          var inline: String?
          if let eq = name.firstIndex(of: "=") {
            inline = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
          }
          if valued.contains(name) {
            guard let v = inline ?? (i + 1 < args.count ? args[i + 1] : nil) else {
              return .failure(Commands.usageError(.missingValue(option: name)))
            }
            o.values[name, default: []].append(v)
            i += inline == nil ? 2 : 1
            continue
          }
          if flags.contains(name), inline == nil {
            o.flags.insert(name)
            i += 1
            continue
          }
          let all = Array(valued) + Array(flags)
          return .failure(Commands.usageError(.unknownOption(args[i], nearest: closestMatch(name, in: all))))
        }
        o.positional.append(a)
        i += 1
      }
      return .success(o)
    }
  }
}
