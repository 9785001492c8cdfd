// swift-tools-version:6.0
import Foundation
import PackageDescription

// The hot modules (float GEMM, int8 kernels) are written for speed: release builds drop overflow
// checks there (-Ounchecked keeps index arithmetic from blocking vectorisation; see
// ../shared/recipes/swift-performance.md §8). When the build machine has AVX2 and FMA we also emit
// them (`-target-cpu haswell` + `-D FMA`): 2-3x on the GEMM. TINYCNN_PORTABLE=1 builds for any
// x86-64 instead.
let cpuHasAVX2FMA: Bool = {
  if ProcessInfo.processInfo.environment["TINYCNN_PORTABLE"] == "1" { return false }
  guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return false }
  let set = Set(flags.split(separator: " "))
  return set.contains("avx2") && set.contains("fma")
}()

// With AVX-512 (BW, VL) and VNNI (Ice Lake server, Sapphire Rapids, Zen 4) the int8 GEMM's
// 16-channel tiles run on zmm registers and vpmaddwd + vpaddd fuse into vpdpwssd.
// TINYCNN_NO_AVX512=1 keeps the AVX2 build.
let cpuHasAVX512VNNI: Bool = {
  if ProcessInfo.processInfo.environment["TINYCNN_NO_AVX512"] == "1" { return false }
  guard cpuHasAVX2FMA, let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return false }
  let set = Set(flags.split(separator: " "))
  return ["avx512bw", "avx512vl", "avx512_vnni"].allSatisfy { set.contains(Substring($0)) }
}()

let fastFlags: [SwiftSetting] =
  [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
  + (cpuHasAVX512VNNI
    ? [.unsafeFlags(["-target-cpu", "icelake-server"]), .define("FMA"), .define("AVX512")]
    : cpuHasAVX2FMA ? [.unsafeFlags(["-target-cpu", "haswell"]), .define("FMA")] : [])

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
    .target(name: "Graph"),
    .target(name: "Imaging", dependencies: ["CLibPNG"]),
    .target(name: "Datasets", dependencies: ["CZlib", "Imaging"]),
    .target(name: "Training", dependencies: ["Graph", "Datasets"], swiftSettings: fastFlags),
    .target(name: "Quantization", dependencies: ["Graph", "Runtime"], exclude: ["README.md"]),
    .target(name: "Estimator", dependencies: ["Graph", "Runtime"], exclude: ["Data"]),
    .executableTarget(
      name: "TinyCNN",
      dependencies: [
        "Runtime", "Graph", "Imaging", "Datasets", "Training", "Quantization", "Estimator",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/TinyCNN"),
    .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
    .testTarget(
      name: "RuntimeTests",
      dependencies: ["Runtime", "Quantization", "Datasets", "AllocationCounter"],
      exclude: ["Golden", "Kernels/Oracle"],
      swiftSettings: cpuHasAVX512VNNI ? [.define("AVX512")] : []),
    .testTarget(name: "GraphTests", dependencies: ["Graph"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Imaging"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Graph", "Datasets"]),
    .testTarget(
      name: "QuantizationTests",
      dependencies: ["Quantization", "Graph", "Datasets", "Training", "Runtime"]),
    .testTarget(
      name: "EstimatorTests", dependencies: ["Estimator", "Graph", "Runtime", "Quantization"]),
    .testTarget(name: "CLITests", dependencies: ["TinyCNN"]),
  ]
    // vpdpbusd for the int8 GEMM (Sources/X86DotProduct): the Builtin module needs -parse-stdlib.
    + (cpuHasAVX512VNNI
      ? [
        .target(
          name: "X86DotProduct",
          swiftSettings: fastFlags + [.unsafeFlags(["-parse-stdlib"])])
      ] : [])
)
