// swift-tools-version:6.0
import PackageDescription

// One target per stage, in stage order; a target depends only on the stages before it, so the
// compiler refuses a back-edge. ARCHITECTURE.md draws the graph and says where each stage lives.
// Release builds reach the metadata of a concrete generic type (`[TExpr]`, `[String: Int]`, …)
// through its accessor, not by demangling its name at run time: the runtime's mangled-name path
// demangled each type on first use and, for every `Hashable` (or other) requirement, scanned all
// the binary's ~1,700 conformance records — 16% of the instructions of a `covenant check` of
// 1,000 holdings (README, Performance, "Start-up, third step").
let startUp: [SwiftSetting] = [
  .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release))
]

let package = Package(
  name: "Covenant",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "CovenantKit", targets: ["CovenantKit"]),
    .executable(name: "covenant", targets: ["covenant"]),
  ],
  targets: [
    // Exact numbers, money, dates, values and how they are shown.
    .target(name: "CovenantValues", swiftSettings: startUp),
    // The JSON reader (bytes → tree with positions); knows nothing of covenants.
    .target(name: "CovenantJSON", swiftSettings: startUp),
    // Source, spans, diagnostics, tokens, lexer, AST, parser.
    .target(name: "CovenantSyntax", dependencies: ["CovenantValues"], swiftSettings: startUp),
    // Names, schema, types and units: AST → checked covenant; the drafting checker.
    .target(name: "CovenantSemantics", dependencies: ["CovenantValues", "CovenantSyntax"], swiftSettings: startUp),
    // How the evaluator computes what the checked covenant asks: columnar plans of conditions.
    .target(name: "CovenantPlanning", dependencies: ["CovenantValues", "CovenantSyntax", "CovenantSemantics"], swiftSettings: startUp),
    // Snapshot, deal and governance data read as the checked covenant declares it.
    .target(name: "CovenantData", dependencies: ["CovenantValues", "CovenantJSON", "CovenantSyntax", "CovenantSemantics"], swiftSettings: startUp),
    // Verdicts, figures, headroom, capacity, governance arithmetic, batches.
    .target(
      name: "CovenantEvaluation",
      dependencies: ["CovenantValues", "CovenantJSON", "CovenantSyntax", "CovenantSemantics", "CovenantPlanning", "CovenantData"],
      swiftSettings: startUp),
    // The pipeline written once (`CovenantSession`): compile, load, check, stopping at the first failing stage.
    .target(
      name: "CovenantDriver",
      dependencies: ["CovenantValues", "CovenantJSON", "CovenantSyntax", "CovenantSemantics", "CovenantPlanning", "CovenantData", "CovenantEvaluation", "CovenantFormatting"],
      swiftSettings: startUp),
    // Text, JSON, SARIF, JUnit, GitHub, Markdown and HTML reports; rendered diagnostics; the code registry.
    .target(
      name: "CovenantReporting",
      dependencies: ["CovenantValues", "CovenantSyntax", "CovenantSemantics", "CovenantData", "CovenantEvaluation"],
      swiftSettings: startUp),
    // The canonical layout (`covenant fmt`).
    .target(name: "CovenantFormatting", dependencies: ["CovenantValues", "CovenantSyntax"], swiftSettings: startUp),
    // Covenant tests (`*.covtest`).
    .target(
      name: "CovenantTesting",
      dependencies: [
        "CovenantValues", "CovenantJSON", "CovenantSyntax", "CovenantSemantics", "CovenantPlanning", "CovenantData", "CovenantEvaluation",
        "CovenantDriver", "CovenantReporting",
      ],
      swiftSettings: startUp),
    // The library's one import for programs (the CLI, the bench, the fuzz targets, the tests).
    .target(
      name: "CovenantKit",
      dependencies: [
        "CovenantValues", "CovenantJSON", "CovenantSyntax", "CovenantSemantics", "CovenantPlanning", "CovenantData", "CovenantEvaluation",
        "CovenantDriver", "CovenantReporting", "CovenantFormatting", "CovenantTesting",
      ],
      swiftSettings: startUp),
    // The command line: options, files, output channels, exit codes.
    .target(name: "CovenantCLI", dependencies: ["CovenantKit", "CovenantValues"], swiftSettings: startUp),
    // A fully static executable on Linux: no dynamic loader, no shared libraries (the C and C++
    // libraries included), no symbol binding or relocation of ~75,000 pointers at start-up.
    // `-static-stdlib` alone still loaded libstdc++, libm, libgcc_s and libc through ld.so, which
    // was ~2.5 ms of a 4 ms `covenant help`. No target of the executable imports Foundation, so
    // none of it is linked (its ~3,700 conformance records were scanned at start-up).
    // glibc's `mallopt` (malloc.h), for the executable's fixed mmap threshold.
    .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
    .executableTarget(
      name: "covenant", dependencies: ["CovenantCLI", "CMalloc"], swiftSettings: startUp,
      linkerSettings: [.unsafeFlags(["-static-executable"], .when(platforms: [.linux]))]
    ),
    // `swift run -c release covenant-bench [--quick] [--data DIR]`: see examples/bench/README.md
    .executableTarget(name: "covenant-bench", dependencies: ["CovenantKit"]),
    .testTarget(
      name: "CovenantKitTests",
      dependencies: ["CovenantKit", "CovenantCLI"],
      exclude: ["Golden"]
    ),
  ]
)
