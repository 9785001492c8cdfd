import ArgumentParser
import Estimator
import Foundation
import Graph
import InputChecks

/// `tinycnn estimate`: per-layer cycles and latency, flash and SRAM of an int8 model on a chosen
/// microcontroller, with a fits / does-not-fit verdict per resource.
struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Estimate latency, flash and SRAM of an int8 model on a microcontroller.",
    discussion: """
      MODEL is an int8 .tflite file, a float .safetensors file, a model description file \
      (.json) or a model-zoo name (\(zooNames)). Float and shape-only models are estimated \
      as the int8 model `tinycnn quantize` would make of them.

      Cycles come from a cost model per operator kind and kernel library whose coefficients, \
      each with its source, are in Sources/Estimator/Data/cores/*.json; flash counts weights, \
      biases, quantisation parameters, model structure and kernel code; SRAM counts the \
      planned arena, kernel state and a stack allowance. bench/estimator/validation.md \
      compares the estimates with published board measurements.

      --kernels cmsis-nn means the vendor-optimised TFLM kernels (CMSIS-NN on Arm, ESP-NN \
      on Espressif parts); reference means TFLM's portable kernels; tinycnn means TinyCNN's \
      own Embedded Swift runtime with its reference kernels (what `tinycnn firmware` builds \
      by default); tinycnn-optimized means that runtime with its optimized kernels \
      (`tinycnn firmware --kernels optimized`: several times faster; the re-packed filters \
      are prepared constants in flash); tinycnn-dsp means its Cortex-M DSP kernels \
      (`tinycnn firmware --kernels dsp`, Cortex-M4, M7, M33, M55: SMLAD loops, costs fitted \
      on the firmware's own measurements).

      Examples:
        tinycnn estimate --model lenet5 --target stm32f746
        tinycnn estimate --model alexnet --target stm32f746
        tinycnn estimate --model models/lenet5.safetensors --target all
        tinycnn estimate --model lenet5.tflite --target rp2040 --kernels tinycnn --json
        tinycnn estimate --model lenet5.tflite --target cortex-m4 --kernels tinycnn-optimized
        tinycnn estimate --model net.json --target-file my-board.json --clock 48
        tinycnn estimate --list-targets
      """)

  static var zooNames: String { ModelZoo.names.joined(separator: ", ") }

  @Option(name: .long, help: "The model: .tflite, .safetensors, .json or a zoo name.")
  var model: String?

  @Option(name: .long, help: "A target name (see --list-targets), or 'all' to compare them.")
  var target: String?

  @Option(name: .customLong("target-file"), help: "A target description file (JSON).")
  var targetFile: String?

  @Option(help: "Kernel library: cmsis-nn, reference, tinycnn or tinycnn-optimized.")
  var kernels: String = KernelLibrary.cmsisNN.rawValue

  @Option(help: "Core clock in MHz (overrides the target's).")
  var clock: Double?

  @Flag(name: .customLong("list-targets"), help: "List the known targets and exit.")
  var listTargets = false

  @OptionGroup var report: ReportOptions  // --json, --quiet

  var json: Bool { report.json }

  func validate() throws {
    if listTargets { return }
    guard model != nil else { throw ValidationError("--model is required.") }
    guard (target == nil) != (targetFile == nil) else {
      throw ValidationError("Give exactly one of --target and --target-file.")
    }
    guard KernelLibrary(rawValue: kernels) != nil else {
      throw ValidationError(
        "--kernels must be one of \(KernelLibrary.allCases.map(\.rawValue).joined(separator: ", "))."
      )
    }
    if let clock, !PhysicalRange.clockMHz.contains(clock) {
      throw ValidationError("--clock must be a frequency in MHz from 0.001 (1 kHz) to 10000.")
    }
  }

  func run() throws {
    if listTargets {
      try printTargets()
      return
    }
    let library = KernelLibrary(rawValue: kernels)!
    let work = try ModelWork.load(model!)
    if target?.lowercased() == "all" {
      try printComparison(work, library: library)
      return
    }
    var chosen: Target
    if let targetFile {
      let text: String
      do { text = try FileBytes.text(targetFile) } catch {
        throw EstimatorError(file: targetFile, error.reason)
      }
      chosen = try Target(json: text, file: targetFile)
    } else {
      guard let t = Target.named(target!) else {
        throw EstimatorError(
          file: "--target \(target!)",
          "unknown target (known: \(Target.builtIn.map(\.name).joined(separator: ", ")), all)")
      }
      chosen = t
    }
    if let clock { chosen = chosen.clocked(at: clock) }
    let result = try estimate(work, on: chosen, kernels: library)
    if json {
      try printJSON(EstimateJSON.Result(result))
    } else {
      Console.output(EstimateReport.text(result))
    }
  }

  func printTargets() throws {
    if json {
      try printJSON(EstimateJSON.Targets(targets: Target.builtIn.map(EstimateJSON.TargetInfo.init)))
      return
    }
    Console.output(EstimateReport.targets(Target.builtIn))
  }

  func printComparison(_ work: ModelWork, library: KernelLibrary) throws {
    var results: [(Target, Estimator.Estimate?)] = []
    for var t in Target.builtIn {
      if let clock { t = t.clocked(at: clock) }
      results.append((t, try? estimate(work, on: t, kernels: library)))
    }
    if json {
      try printJSON(
        EstimateJSON.Comparison(
          model: work.name, kernels: library.rawValue,
          targets: results.map { t, e in
            e.map { .estimate(EstimateJSON.Result($0)) }
              ?? .missing(target: t.name, error: "no \(library.rawValue) kernels")
          }))
      return
    }
    Console.output(EstimateReport.comparison(work, library: library, results))
  }
}
