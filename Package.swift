// swift-tools-version:6.0
import Foundation
import PackageDescription

// The hot modules (float GEMM, int8 kernels) are written for speed: release builds drop overflow
// checks there (-Ounchecked keeps index arithmetic from blocking vectorisation; see
// docs/recipes/swift-performance.md §8).
//
// The int8 vector kernels pick their instruction set at run time: the sources in
// Sources/Runtime/Kernels/SIMD are compiled three times, into Runtime (the target's baseline:
// SSE2 on x86-64), RuntimeAVX2 (`-target-cpu haswell`) and RuntimeAVX512 (`-target-cpu
// cascadelake -D AVX512`, plus Kernels/X86 and X86DotProduct's `vpdpbusd`), through the
// symlinked folders of Sources/RuntimeAVX2 and Sources/RuntimeAVX512. KernelDispatch offers them
// as `KernelSet.avx2` and `.avx512VNNI` and picks the fastest from CPUID (`KernelSet.fastest`).
// A plain `swift build -c release` binary runs AVX-512 VNNI on a VNNI CPU, AVX2 on an AVX2 CPU,
// and the portable kernels elsewhere.
//
// The float training GEMM's register tiles dispatch the same way: Sources/FloatGEMM/Tiles is
// compiled into FloatGEMM (the baseline) and FloatGEMMFMA (`-target-cpu haswell -D FMA`, through
// a symlinked folder), and Training picks the table from CPUID (`GEMMTiles.fastest`), so a plain
// build trains with fused multiply-add on any CPU that has it.
//
// TINYCNN_CPU only tunes the rest of Training (packing, im2col, batch norm, the optimizer: about
// half of a training step): `native` (scripts/setup.sh and scripts/test.sh set it) or `avx2`
// compile it with `-target-cpu haswell` (ymm loops; the binary then needs AVX2). The default
// runs on any x86-64.
enum TrainingCPU { case baseline, haswell }

let trainingCPU: TrainingCPU = {
  let choice = ProcessInfo.processInfo.environment["TINYCNN_CPU"] ?? "x86-64"
  func machineFlags() -> Set<Substring> {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(flags.split(separator: " "))
  }
  switch choice {
  case "x86-64", "": return .baseline
  case "avx2", "avx512-vnni": return .haswell
  case "native":
    let flags = machineFlags()
    return flags.contains("avx2") && flags.contains("fma") ? .haswell : .baseline
  default:
    fatalError("TINYCNN_CPU=\(choice): use native, avx2 or x86-64")
  }
}()

// TINYCNN_CHECKED=1 keeps Swift's overflow and bounds checks in those modules too: the build
// scripts/sanitize.sh runs the tests with in place of UBSan, which swiftc rejects on Linux.
let keepsChecks = ProcessInfo.processInfo.environment["TINYCNN_CHECKED"] == "1"

let unchecked: [SwiftSetting] =
  keepsChecks ? [] : [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
let trainingFlags: [SwiftSetting] =
  unchecked + (trainingCPU == .haswell ? [.unsafeFlags(["-target-cpu", "haswell"])] : [])

#if arch(x86_64)
  let hostIsX86 = true
#else
  let hostIsX86 = false
#endif

// The x86-64 compilations of the vector kernels (see the top of this file).
let x86KernelTargets: [Target] = [
  .target(
    name: "RuntimeAVX2", dependencies: ["Runtime"],
    swiftSettings: unchecked + [.unsafeFlags(["-target-cpu", "haswell"]), .define("AVX2")]),
  .target(
    name: "RuntimeAVX512", dependencies: ["Runtime", "X86DotProduct"],
    swiftSettings: unchecked + [
      .unsafeFlags(["-target-cpu", "cascadelake"]), .define("AVX512"),
    ]),
  // The float GEMM's tiles with fused multiply-add (see the top of this file).
  .target(
    name: "FloatGEMMFMA", dependencies: ["FloatGEMM"],
    swiftSettings: unchecked + [.unsafeFlags(["-target-cpu", "haswell"]), .define("FMA")]),
  // vpdpbusd and vpmovsdb (Sources/X86DotProduct): the Builtin module needs -parse-stdlib.
  .target(
    name: "X86DotProduct",
    swiftSettings: unchecked + [
      .unsafeFlags(["-target-cpu", "cascadelake", "-parse-stdlib"])
    ]),
]

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
      name: "Runtime", exclude: ["README.md", "Kernels/X86"], swiftSettings: unchecked),
    .target(name: "CPUFeatures"),
    .target(
      name: "KernelDispatch",
      dependencies: ["Runtime", "CPUFeatures"]
        + (hostIsX86 ? ["RuntimeAVX2", "RuntimeAVX512"] : [])),
    // Checked conversions, overflow-checked sizes and resource limits for every reader.
    .target(name: "InputChecks"),
    .target(name: "Graph", dependencies: ["InputChecks", "Runtime"]),
    .target(name: "Imaging", dependencies: ["CLibPNG", "InputChecks"]),
    .target(name: "Datasets", dependencies: ["CZlib", "Imaging", "InputChecks"]),
    .target(name: "FloatGEMM", swiftSettings: unchecked),
    .target(
      name: "Training",
      dependencies: ["Graph", "Datasets", "FloatGEMM", "CPUFeatures"]
        + (hostIsX86 ? ["FloatGEMMFMA"] : []),
      swiftSettings: trainingFlags),
    .target(name: "Quantization", dependencies: ["Graph", "Runtime"], exclude: ["README.md"]),
    .target(
      name: "Estimator", dependencies: ["Graph", "Runtime", "InputChecks"], exclude: ["Data"]),
    // The steps behind the commands (quantize, train, eval, the host runner), for the CLI and
    // the tests; the CLI keeps flags, rendering and charts.
    .target(
      name: "Pipeline",
      dependencies: [
        "Runtime", "KernelDispatch", "Graph", "Imaging", "Datasets", "Training", "Quantization",
        "Estimator",
        "InputChecks",
      ]),
    .executableTarget(
      name: "TinyCNN",
      dependencies: [
        "Pipeline", "Runtime", "KernelDispatch", "Graph", "Imaging", "Datasets", "Training",
        "Quantization",
        "Estimator", "InputChecks",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/TinyCNN"),
    .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
    .testTarget(
      name: "RuntimeTests",
      dependencies: [
        "Runtime", "KernelDispatch", "Quantization", "Datasets", "AllocationCounter",
      ] + (hostIsX86 ? ["RuntimeAVX512"] : []),
      exclude: ["Golden", "Kernels/Oracle"]),
    .testTarget(name: "InputChecksTests", dependencies: ["InputChecks"]),
    .testTarget(name: "GraphTests", dependencies: ["Graph", "Runtime"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Imaging"]),
    .testTarget(
      name: "TrainingTests", dependencies: ["Training", "FloatGEMM", "Graph", "Datasets"]),
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
    .testTarget(
      name: "CLITests", dependencies: ["TinyCNN", "Pipeline", "KernelDispatch", "TestSupport"]),
  ]
    + (hostIsX86 ? x86KernelTargets : [])
)
