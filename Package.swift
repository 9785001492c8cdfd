// swift-tools-version:6.0
import Foundation
import PackageDescription

// The hot modules (float GEMM, int8 kernels) are written for speed: release builds drop overflow
// checks there (-Ounchecked keeps index arithmetic from blocking vectorisation; see
// docs/recipes/swift-performance.md §8).
//
// The default build runs on any x86-64 (SSE2). TINYCNN_CPU picks the vector extension instead:
//   native       the build machine's best of the two below (scripts/setup.sh and scripts/test.sh
//                set it), else the default
//   avx512-vnni  `-target-cpu icelake-server -D AVX512`: zmm tiles, vpdpbusd, vpmovsdb
//                (Ice Lake server, Sapphire Rapids, Zen 4 and later)
//   avx2         `-target-cpu haswell -D FMA`: ymm tiles, vpmaddwd, FMA for the float GEMM
//   x86-64       the default
// The binary reports what it was built for (`tinycnn bench`, `Runtime.vectorISA`).
enum BuildCPU { case baseline, avx2, avx512VNNI }

let buildCPU: BuildCPU = {
  let choice = ProcessInfo.processInfo.environment["TINYCNN_CPU"] ?? "x86-64"
  func machineFlags() -> Set<Substring> {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(flags.split(separator: " "))
  }
  switch choice {
  case "x86-64", "": return .baseline
  case "avx2": return .avx2
  case "avx512-vnni": return .avx512VNNI
  case "native":
    let flags = machineFlags()
    guard flags.contains("avx2"), flags.contains("fma") else { return .baseline }
    let vnni = ["avx512bw", "avx512vl", "avx512_vnni"].allSatisfy { flags.contains(Substring($0)) }
    return vnni ? .avx512VNNI : .avx2
  default:
    fatalError("TINYCNN_CPU=\(choice): use native, avx512-vnni, avx2 or x86-64")
  }
}()
let cpuHasAVX512VNNI = buildCPU == .avx512VNNI

// TINYCNN_CHECKED=1 keeps Swift's overflow and bounds checks in those modules too: the build
// scripts/sanitize.sh runs the tests with in place of UBSan, which swiftc rejects on Linux.
let keepsChecks = ProcessInfo.processInfo.environment["TINYCNN_CHECKED"] == "1"

let fastFlags: [SwiftSetting] =
  (keepsChecks ? [] : [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))])
  + {
    switch buildCPU {
    case .baseline: return []
    case .avx2: return [.unsafeFlags(["-target-cpu", "haswell"]), .define("FMA")]
    case .avx512VNNI:
      return [.unsafeFlags(["-target-cpu", "icelake-server"]), .define("FMA"), .define("AVX512")]
    }
  }()

let package = Package(
  name: "TinyCNN",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "tinycnn", targets: ["TinyCNN"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
    .target(
      name: "Runtime", dependencies: cpuHasAVX512VNNI ? ["X86DotProduct"] : [],
      exclude: ["README.md"], swiftSettings: fastFlags),
    // Checked conversions, overflow-checked sizes and resource limits for every reader.
    .target(name: "InputChecks"),
    .target(name: "Graph", dependencies: ["InputChecks", "Runtime"]),
    .target(name: "Imaging", dependencies: ["CLibPNG", "InputChecks"]),
    .target(name: "Datasets", dependencies: ["CZlib", "Imaging", "InputChecks"]),
    .target(name: "Training", dependencies: ["Graph", "Datasets"], swiftSettings: fastFlags),
    .target(name: "Quantization", dependencies: ["Graph", "Runtime"], exclude: ["README.md"]),
    .target(
      name: "Estimator", dependencies: ["Graph", "Runtime", "InputChecks"], exclude: ["Data"]),
    // The steps behind the commands (quantize, train, eval, the host runner), for the CLI and
    // the tests; the CLI keeps flags, rendering and charts.
    .target(
      name: "Pipeline",
      dependencies: [
        "Runtime", "Graph", "Imaging", "Datasets", "Training", "Quantization", "Estimator",
        "InputChecks",
      ]),
    .executableTarget(
      name: "TinyCNN",
      dependencies: [
        "Pipeline", "Runtime", "Graph", "Imaging", "Datasets", "Training", "Quantization",
        "Estimator", "InputChecks",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/TinyCNN"),
    .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
    .testTarget(
      name: "RuntimeTests",
      dependencies: ["Runtime", "Quantization", "Datasets", "AllocationCounter"],
      exclude: ["Golden", "Kernels/Oracle"],
      swiftSettings: cpuHasAVX512VNNI ? [.define("AVX512")] : []),
    .testTarget(name: "GraphTests", dependencies: ["Graph", "Runtime"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Imaging"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Graph", "Datasets"]),
    .testTarget(
      name: "QuantizationTests",
      dependencies: ["Quantization", "Graph", "Datasets", "Training", "Runtime"]),
    .testTarget(
      name: "EstimatorTests", dependencies: ["Estimator", "Graph", "Runtime", "Quantization"]),
    // Scratch folders, a small model and the repository's paths, for the pipeline and CLI suites.
    .target(name: "TestSupport", dependencies: ["Graph", "Training"], path: "Tests/TestSupport"),
    .testTarget(
      name: "PipelineTests",
      dependencies: [
        "Pipeline", "Runtime", "Graph", "Imaging", "Datasets", "Quantization", "Training",
        "TestSupport",
      ]),
    .testTarget(name: "CLITests", dependencies: ["TinyCNN", "Pipeline", "TestSupport"]),
  ]
    // vpdpbusd for the int8 GEMM (Sources/X86DotProduct): the Builtin module needs -parse-stdlib.
    + (cpuHasAVX512VNNI
      ? [
        .target(
          name: "X86DotProduct",
          swiftSettings: fastFlags + [.unsafeFlags(["-parse-stdlib"])])
      ] : [])
)
