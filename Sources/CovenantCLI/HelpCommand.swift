import CovenantKit
/// The usage pages (`covenant help`, `covenant VERB --help`) and shell completions.
extension Commands {
  static let commonOptions = """
    common options:
      -o, --output FILE        write the report to FILE atomically (temporary file, fsync, rename);
                               `-` is standard output
      -q, --quiet              print only the verdict line (errors still go to standard error)
      --color auto|always|never
                               colour on a terminal (auto, the default), always or never; in auto,
                               a non-empty NO_COLOR turns it off and FORCE_COLOR (not 0) turns it on
      -h, --help               show the command's usage
    """

  public static let usage = """
    usage: covenant <command> [options]

    commands:
      check COVENANT -p SNAPSHOT [-d DEAL | --deals DEALS] [-f FORMAT]
                        check the covenant against a snapshot, and a proposed deal pro forma;
                        --deals checks each deal of a JSON array, JSON Lines file or directory
      validate FILE...  [-f FORMAT]
                        parse and type-check covenants only
      test [PATH...]    [-f FORMAT]
                        run the covenant tests (*.covtest) in the files and directories given
                        (default: the current directory)
      fmt [--check | --write] FILE...
                        print the canonical layout; --check shows a diff and fails when a file
                        is not formatted; --write rewrites the files in place, atomically
      explain CODE      what a diagnostic code means, with an example
      completions bash|zsh|fish
                        a shell completion script
      help [COMMAND]    show this text, or a command's usage

    `-` reads one input (covenant, snapshot or deal) from standard input.
    formats: text (default), json, sarif, junit, github; for check also markdown and html

    \(commonOptions)

    exit codes: 0 compliant (warnings allowed), 1 at least one breach,
                2 invalid covenant, invalid input or wrong command line

    """

  static let verbUsage: [String: String] = [
    "check": """
      usage: covenant check COVENANT --portfolio SNAPSHOT [--deal DEAL | --deals DEALS] [options]

      Checks every clause against the snapshot, and pro forma with the deal when one is given:
      pass, warning, breach, not applicable or waived, with the figures before and after, the
      headroom and the largest compliant deal amount.

      options:
        -p, --portfolio FILE     the portfolio snapshot (JSON); `-` reads standard input
        -d, --deal FILE          one proposed deal (JSON); `-` reads standard input
        --deals FILE|DIR         a batch: a JSON array, {"deals": [...]}, JSON Lines or a directory
        -f, --format FORMAT      text (default), json, sarif, junit, github, markdown, html
        --fail-on-warnings       exit 1 when a clause is at warning level (for CI)
        --explain                show how each figure was derived, and why a clause does not apply
        --all-groups             list every group's check in a JSON report, not only the failed,
                                 warned and nearest-the-limit ones
      \(commonOptions)

      exit codes: 0 compliant (warnings and waivers allowed), 1 at least one breach,
                  2 invalid covenant or input, or wrong command line

      """,
    "validate": """
      usage: covenant validate FILE... [options]

      Parses and type-checks covenants; nothing is evaluated. `-` reads one covenant from
      standard input.

      options:
        -f, --format FORMAT      text (default), json, sarif, junit, github
        --fail-on-warnings       exit 1 when a covenant has warnings
      \(commonOptions)

      exit codes: 0 every file valid, 2 at least one error

      """,
    "test": """
      usage: covenant test [PATH...] [options]

      Runs the covenant tests (*.covtest) in the files and directories given (default: the
      current directory) and prints `N passed, N failed`.

      options:
        -f, --format FORMAT      text (default), json, sarif, junit, github
      \(commonOptions)

      exit codes: 0 every test passed, 1 a test failed, 2 a test file is invalid

      """,
    "fmt": """
      usage: covenant fmt [--check | --write] FILE... [options]

      Prints the canonical layout of covenants; never changes their meaning. `-` reads one
      covenant from standard input.

      options:
        --check                  print a diff and exit 1 when a file is not formatted
        --write                  rewrite the files in place, atomically
      \(commonOptions)

      exit codes: 0 formatted, 1 `--check` found a difference, 2 a file does not parse

      """,
    "explain": """
      usage: covenant explain CODE

      Explains a diagnostic code (`C002`, `D102`, …) with an example. grammar.md lists every code.

      exit codes: 0 explained, 2 unknown code

      """,
    "completions": """
      usage: covenant completions bash|zsh|fish

      Prints a completion script for the shell:
        bash:  source <(covenant completions bash)
        zsh:   covenant completions zsh > "${fpath[1]}/_covenant"
        fish:  covenant completions fish > ~/.config/fish/completions/covenant.fish

      """,
    "help": """
      usage: covenant help [COMMAND]

      Shows the general usage, or a command's: check, validate, test, fmt, explain, completions.

      """,
  ]

  /// `covenant help`, `covenant help VERB`; an unknown topic is a usage error.
  static func help(_ rest: [String]) -> CommandOutput {
    var out = CommandOutput()
    let topics = rest.filter { $0 != "--help" && $0 != "-h" }
    guard let topic = topics.first else {
      out.stdout = usage
      return out
    }
    guard topics.count == 1 else { return usageError(.severalHelpTopics(got: topics.count)) }
    guard let page = verbUsage[topic] else {
      return usageError(.noHelp(topic, nearest: closestMatch(topic, in: verbs), commands: verbs))
    }
    out.stdout = page
    return out
  }

  // MARK: - completions

  static func completions(_ o: Options, _ c: Context) -> CommandOutput {
    guard o.positional.count == 1, let shell = o.positional.first else {
      return usageError(.missingShell)
    }
    var out = CommandOutput()
    switch shell {
    case "bash": out.stdout = bashCompletion
    case "zsh": out.stdout = zshCompletion
    case "fish": out.stdout = fishCompletion
    default:
      return usageError(.unknownShell(shell))
    }
    return out
  }

  static func optionNames(_ verb: String) -> [String] {
    guard let spec = Commands.spec(verb) else { return [] }
    return (spec.valued.union(common.valued).union(spec.flags).union(common.flags).union(["help"])).sorted().map { "--" + $0 }
  }

  static var bashCompletion: String {
    let cases = ["check", "validate", "test", "fmt"].map { verb in
      "    \(verb)) opts=\"\(optionNames(verb).joined(separator: " "))\" ;;"
    }.joined(separator: "\n")
    return """
      # bash completion for covenant: source <(covenant completions bash)
      _covenant() {
        local cur prev verb opts
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD-1]}"
        verb="${COMP_WORDS[1]}"
        if [ "$COMP_CWORD" -eq 1 ]; then
          COMPREPLY=($(compgen -W "\(verbs.joined(separator: " "))" -- "$cur"))
          return
        fi
        case "$prev" in
          -f|--format) COMPREPLY=($(compgen -W "\(formats.joined(separator: " "))" -- "$cur")); return ;;
          --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
          -p|--portfolio|-d|--deal|--deals|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        esac
        case "$verb" in
      \(cases)
          completions) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
          help) COMPREPLY=($(compgen -W "\(verbs.joined(separator: " "))" -- "$cur")); return ;;
          *) opts="" ;;
        esac
        if [[ "$cur" == -* ]]; then
          COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        else
          COMPREPLY=($(compgen -f -- "$cur"))
        fi
      }
      complete -o filenames -F _covenant covenant

      """
  }

  static var zshCompletion: String {
    func options(_ verb: String) -> String {
      optionNames(verb).map { name -> String in
        switch name {
        case "--format": return "'(-f --format)'{-f,--format}'[report format]:format:(\(formats.joined(separator: " ")))'"
        case "--portfolio": return "'(-p --portfolio)'{-p,--portfolio}'[portfolio snapshot]:file:_files'"
        case "--deal": return "'(-d --deal)'{-d,--deal}'[proposed deal]:file:_files'"
        case "--deals": return "'--deals[a batch of deals]:file:_files'"
        case "--output": return "'(-o --output)'{-o,--output}'[write the report to a file]:file:_files'"
        case "--color": return "'--color[colour]:when:(auto always never)'"
        case "--quiet": return "'(-q --quiet)'{-q,--quiet}'[only the verdict line]'"
        case "--help": return "'(-h --help)'{-h,--help}'[usage]'"
        default: return "'\(name)[\(name.dropFirst(2))]'"
        }
      }.joined(separator: " ")
    }
    return """
      #compdef covenant
      # zsh completion for covenant: covenant completions zsh > "${fpath[1]}/_covenant"
      _covenant() {
        local -a commands
        commands=(\(verbs.map { "'\($0)'" }.joined(separator: " ")))
        if (( CURRENT == 2 )); then
          _describe 'command' commands
          return
        fi
        case $words[2] in
          check) _arguments \(options("check")) '*:file:_files' ;;
          validate) _arguments \(options("validate")) '*:file:_files' ;;
          test) _arguments \(options("test")) '*:file:_files' ;;
          fmt) _arguments \(options("fmt")) '*:file:_files' ;;
          completions) _values 'shell' bash zsh fish ;;
          help) _describe 'command' commands ;;
        esac
      }
      _covenant "$@"

      """
  }

  static var fishCompletion: String {
    var lines = [
      "# fish completion for covenant: covenant completions fish > ~/.config/fish/completions/covenant.fish",
      "complete -c covenant -f",
      "complete -c covenant -n '__fish_use_subcommand' -a '\(verbs.joined(separator: " "))'",
      "complete -c covenant -n '__fish_seen_subcommand_from completions' -a 'bash zsh fish'",
      "complete -c covenant -n '__fish_seen_subcommand_from help' -a '\(verbs.joined(separator: " "))'",
    ]
    for verb in ["check", "validate", "test", "fmt"] {
      lines.append("complete -c covenant -n '__fish_seen_subcommand_from \(verb)' -F")
      for name in optionNames(verb) {
        let long = String(name.dropFirst(2))
        let short = shortForms.first { $0.value == long }.map { " -s \($0.key)" } ?? ""
        var line = "complete -c covenant -n '__fish_seen_subcommand_from \(verb)' -l \(long)\(short)"
        if long == "format" { line += " -x -a '\(formats.joined(separator: " "))'" }
        if long == "color" { line += " -x -a 'auto always never'" }
        if ["portfolio", "deal", "deals", "output"].contains(long) { line += " -r -F" }
        lines.append(line)
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
