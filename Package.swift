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
    .executableTarget(name: "covenant", dependencies: ["CovenantKit"]),
    // `swift run -c release covenant-bench [--quick] [--data DIR]`: see examples/bench/README.md
    .executableTarget(name: "covenant-bench", dependencies: ["CovenantKit"]),
    .testTarget(
      name: "CovenantKitTests",
      dependencies: ["CovenantKit"],
      exclude: ["Golden"]
    ),
  ]
)
