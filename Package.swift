// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Covenant",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "CovenantKit", targets: ["CovenantKit"]),
    .executable(name: "covenant", targets: ["covenant"]),
  ],
  targets: [
    .target(name: "CovenantKit"),
    // The standard library and Foundation linked in, so that start-up does not load ~18 shared
    // libraries. Foundation's own C libraries are named: the archives do not pull them in.
    .executableTarget(
      name: "covenant", dependencies: ["CovenantKit"],
      linkerSettings: [
        .unsafeFlags(
          ["-static-stdlib", "-Xlinker", "-lCoreFoundation", "-Xlinker", "-l_FoundationICU",
           "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections"],
          .when(platforms: [.linux]))
      ]
    ),
    // `swift run -c release covenant-bench [--quick] [--data DIR]`: see examples/bench/README.md
    .executableTarget(name: "covenant-bench", dependencies: ["CovenantKit"]),
    .testTarget(
      name: "CovenantKitTests",
      dependencies: ["CovenantKit"],
      exclude: ["Golden"]
    ),
  ]
)
