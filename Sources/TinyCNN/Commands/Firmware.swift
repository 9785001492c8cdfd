import ArgumentParser
import Foundation
import Pipeline
import Runtime

/// `tinycnn firmware`: the int8 model and sample images built into Embedded Swift firmware for
/// an emulated Cortex-M, run under QEMU, and checked against the host interpreter.
struct Firmware: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Build Cortex-M firmware for an int8 model, run it under QEMU, compare with the host.",
    discussion: """
      Sources/Runtime (the same reader, planner and int8 kernels the host runs) is compiled \
      with Embedded Swift (-no-allocations: no heap) together with firmware/main.swift; the \
      .tflite file, each image's int8 input (converted as `tinycnn infer` converts it) and \
      the host interpreter's output for it are embedded as C arrays (OUT/gen/model_data.c); \
      so are the constants the host prepared for the interpreter (multipliers, packed \
      filters), read in place from flash; one static arena holds the operator records and \
      every tensor, sized by a first build that reports the firmware's own plan. \
      firmware/build.sh links it with ld.lld, newlib-nano and libgcc.

      --run runs it under qemu-system-arm: the firmware prints each image's int8 output and \
      top class over semihosting and exits 0 only if all equal the host's; TinyCNN compares \
      them again, byte for byte, and prints `identical` or the first differences. --count \
      also counts the instructions QEMU executes (a TCG plugin, exact) for each operator and \
      for the whole inference, sorted into timing classes (ALU, multiply, load, store, LDM, \
      taken branch, ...), and estimates cycles from that mix with the core's cycle table \
      (the board's core, or --core): zero wait states, an estimate beside the exact count.

      --input x.npy runs the model on the rows of a NumPy array instead (the first axis is the \
      batch, as `tinycnn run` reads it; dtype int8, the model's input type): audio, sensor and \
      dense models, any input shape. Each row is embedded as an input tensor and compared with \
      the host's output for it; --samples N keeps the first N rows.

      --export DIR --cpu CPU writes a static library for your own firmware instead: \
      DIR/libtinycnn.a (the Runtime and the model, Embedded Swift, no heap), DIR/tinycnn.h \
      (tinycnn_init(arena), tinycnn_invoke(input, output), TINYCNN_ARENA_SIZE, \
      TINYCNN_INPUT_SIZE, TINYCNN_OUTPUT_SIZE, the class names), DIR/tinycnn_model.c (the \
      model's bytes) and DIR/README.md (the link line and a CMake snippet). CPUs: cortex-m4, \
      cortex-m7, cortex-m33 (armv7em code), cortex-m0plus. With qemu-system-arm, a measuring \
      firmware of the same instruction set sizes TINYCNN_ARENA_SIZE with the chip's own plan \
      (32-bit records); without, it is the host's upper bound.

      Boards: an386 (mps2-an386, Cortex-M4F), an500 (mps2-an500, Cortex-M7), microbit \
      (nRF51, Cortex-M0, 16 KB RAM and 256 KB flash: a model must fit them).

      Needs swiftc (Swift 6.3), arm-none-eabi-gcc with newlib (libnewlib-arm-none-eabi) and \
      qemu-system-arm; scripts/setup.sh installs them. The sources and scripts it builds \
      (firmware/, Sources/Runtime) come from the checkout it runs in, or from \
      PREFIX/share/tinycnn beside an installed PREFIX/bin/tinycnn (scripts/install.sh), or \
      from TINYCNN_ROOT.

      Examples:
        tinycnn firmware --model models/lenet5-int8.tflite --run
        tinycnn firmware --model models/lenet5-int8.tflite --board microbit --run --count
        tinycnn firmware --model models/lenet5-int8.tflite --count --core cortex-m33
        tinycnn firmware --model kws-int8.tflite --input mfcc.npy --samples 4 --count
        tinycnn firmware --export build/tinycnn --cpu cortex-m4 models/lenet5-int8.tflite
        tinycnn firmware --model lenet5.tflite --images images/bag-0.png images/coat-1.png \\
          --out build/fw --count --json
      """)

  @Argument(help: "The int8 .tflite model (or give --model).") var modelFile: String?
  @Option(help: "The int8 .tflite model.") var model: String?
  @Option(help: "The board: an386, an500 or microbit.") var board: FirmwareBoard = .an386
  @Option(
    parsing: .upToNextOption,
    help: "PNG images to embed (default: images/*-0.png, one per Fashion-MNIST class).")
  var images: [String] = []
  @Option(help: "A .npy array whose rows are the inputs (instead of --images).") var input: String?
  @Option(help: "With --input: embed only the first N rows (default: all).") var samples: Int?
  @Option(help: "The build folder (default: .build/firmware/BOARD).") var out: String?
  @Flag(name: .customLong("run"), help: "Run it under qemu-system-arm and compare its outputs.")
  var runs = false
  @Flag(help: "Run it, count instructions and estimate cycles per operator (implies --run).")
  var count = false
  @Option(
    help: """
      The cycle table for --count: cortex-m4, cortex-m33 or cortex-m7 (an386, an500), \
      cortex-m0 or cortex-m0plus (microbit); default: the board's core.
      """)
  var core: String?
  @Option(help: "Swift optimisation: size (-Osize), speed (-O) or unchecked (-Ounchecked).")
  var optimize: FirmwareOptimization = .size
  @Option(
    help:
      "The Runtime's kernels: reference (TFLM's), optimized (packed, more arena) or dsp (SMLAD loops for the M4/M7/M33; an M0 runs the reference CONV_2D and FULLY_CONNECTED)."
  )
  var kernels: FirmwareKernels = .reference
  @Option(help: "Write a static library, its C header and README to this folder.")
  var export: String?
  @Option(help: "With --export: cortex-m4, cortex-m7, cortex-m33 or cortex-m0plus.")
  var cpu: ExportCPU?
  @OptionGroup var report: ReportOptions

  /// The model, from the argument or --model.
  var modelPath: String { modelFile ?? model ?? "" }

  func validate() throws {
    guard modelFile == nil || model == nil else {
      throw ValidationError("Give the model once: as the argument or as --model.")
    }
    guard !modelPath.isEmpty else { throw ValidationError("Give the int8 .tflite model.") }
    if export != nil {
      guard cpu != nil else { throw ValidationError("--export needs --cpu.") }
      guard !runs && !count && input == nil && images.isEmpty else {
        throw ValidationError("--export builds a library: no --run, --count, --images or --input.")
      }
    } else if cpu != nil {
      throw ValidationError("--cpu goes with --export (the boards choose their own CPU).")
    }
    if input != nil && !images.isEmpty {
      throw ValidationError("Give --images or --input, not both.")
    }
    if let core {
      guard let timing = CoreTiming.named(core) else {
        throw ValidationError(
          "--core \(core): one of " + CoreTiming.all.map(\.name).joined(separator: ", ") + ".")
      }
      guard board.compatibleCores.contains(timing) else {
        throw ValidationError(
          "--core \(core) does not run the \(board.rawValue) build's instructions: "
            + board.compatibleCores.map(\.name).joined(separator: ", ") + ".")
      }
    }
    if let samples {
      guard input != nil else { throw ValidationError("--samples goes with --input.") }
      guard samples > 0 else { throw ValidationError("--samples must be at least 1.") }
    }
  }

  func run() throws {
    let toolchain = try FirmwareToolchain()
    if let export, let cpu {
      let exporter = FirmwareExport(
        model: modelPath, cpu: cpu, directory: URL(fileURLWithPath: export),
        kernels: kernels.set, toolchain: toolchain, note: report.note)
      let result = try exporter.perform()
      if report.json {
        try printJSON(result)
      } else {
        Console.output(
          "wrote \(result.library) (\(Format.bytes(result.libraryBytes))), \(result.header)\n"
            + "arena \(Format.grouped(result.arenaBytes)) B "
            + (result.arenaMeasured ? "(measured under QEMU)" : "(the host's upper bound)")
            + ", input \(result.inputBytes) B, "
            + "output \(result.outputBytes) B; link with: -L \(export) -ltinycnn -lm "
            + "(see \(export)/README.md)")
      }
      return
    }
    let inputs: FirmwareInputs
    if let input {
      inputs = .array(path: input, limit: samples)
    } else {
      inputs = .images(try images.isEmpty ? defaultImages(toolchain.root) : images)
    }
    let directory = URL(fileURLWithPath: out ?? ".build/firmware/\(board.rawValue)")
    let job = FirmwareJob(
      model: modelPath, inputs: inputs, board: board, directory: directory, optimization: optimize,
      kernels: kernels.set, run: runs || count, count: count,
      core: core.flatMap(CoreTiming.named), toolchain: toolchain,
      note: report.note)
    let result = try job.perform()
    if report.json {
      try printJSON(result)
    } else {
      Console.output(result.text)
    }
    if let problem = result.problem { throw InputError(result.elf, problem) }
    if result.identical == false {
      throw InputError(result.elf, "its int8 outputs differ from the host interpreter's")
    }
  }

  /// The first sample of each class in the checkout's images/ folder.
  func defaultImages(_ root: URL) throws -> [String] {
    let folder = root.appendingPathComponent("images")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    let picked = names.filter { $0.hasSuffix("-0.png") }.sorted()
    guard !picked.isEmpty else {
      throw InputError(folder.path, "no sample images (*-0.png): give --images")
    }
    // Relative names when run from the checkout, as a user would type them.
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
    let prefix = here == root.standardizedFileURL ? "images/" : folder.path + "/"
    return picked.map { prefix + $0 }
  }
}

/// `--kernels`: the Runtime's KernelSet by name; a Cortex-M's optimized kernels are the portable
/// vector set.
enum FirmwareKernels: String, CaseIterable, ExpressibleByArgument {
  case reference, optimized, dsp
  var set: KernelSet {
    switch self {
    case .reference: .reference
    case .optimized: .portable
    case .dsp: .dsp
    }
  }
}

extension FirmwareBoard: ExpressibleByArgument {}
extension FirmwareOptimization: ExpressibleByArgument {}
extension ExportCPU: ExpressibleByArgument {}
