import Foundation
import Graph
import Runtime

/// A Cortex-M core the exported library is built for: the names `--cpu` takes. Its triple,
/// defines and compiler flags are its row of firmware/targets.txt (`FirmwareTargets`).
package enum ExportCPU: String, CaseIterable, Codable {
  case cortexM4 = "cortex-m4"
  case cortexM7 = "cortex-m7"
  case cortexM33 = "cortex-m33"
  case cortexM0plus = "cortex-m0plus"

  /// The emulated board whose firmware plans as this CPU's library does (the same instruction
  /// set, so the same 32-bit records and the same kernels built): where the export measures the
  /// arena.
  package var measuringBoard: FirmwareBoard {
    switch self {
    case .cortexM4, .cortexM33: .an386
    case .cortexM7: .an500
    case .cortexM0plus: .microbit
    }
  }
}

/// `tinycnn firmware --export DIR`: the model and the Runtime as a static library for the
/// user's own firmware. DIR gets
///
/// - `libtinycnn.a`: Sources/Runtime and firmware/library/Library.swift (Embedded Swift,
///   -no-allocations) with the model compiled in;
/// - `tinycnn.h`: `tinycnn_init(void *arena)`, `tinycnn_invoke(input, output)`, the sizes, the
///   status codes and the class names;
/// - `tinycnn_model.c`: the .tflite bytes and the constants the host prepared for the kernels
///   (multipliers, packed filters; read in place from flash) as C arrays (also in the library);
/// - `README.md`: the link line and a CMake snippet.
package struct FirmwareExport {
  package var model: String
  package var cpu: ExportCPU
  package var directory: URL
  package var kernels: KernelSet = .reference
  package var toolchain: FirmwareToolchain
  package var note: (String) -> Void = { _ in }

  package init(
    model: String, cpu: ExportCPU, directory: URL, kernels: KernelSet = .reference,
    toolchain: FirmwareToolchain, note: @escaping (String) -> Void = { _ in }
  ) {
    (self.model, self.cpu, self.directory, self.kernels) = (model, cpu, directory, kernels)
    (self.toolchain, self.note) = (toolchain, note)
  }

  package struct Result: Encodable {
    package var model: String
    package var cpu: String
    package var directory: String
    package var library: String
    package var header: String
    package var arenaBytes: Int
    /// Whether `arenaBytes` is the 32-bit plan a firmware measured under QEMU (else the host's
    /// upper bound: no QEMU here).
    package var arenaMeasured: Bool
    package var inputBytes: Int
    package var outputBytes: Int
    package var modelBytes: Int
    package var libraryBytes: Int
    package var classNames: [String]
  }

  /// What the header and the model source say, from the model.
  package struct Facts {
    package var modelName: String
    package var modelBytes: [UInt8]
    /// The constants in flash and the arena (records and tensors).
    package var plan: FirmwarePlan
    package var arenaBytes: Int { plan.arenaBytes }
    /// Whether the arena is the chip's own plan (`FirmwareExport.measureArena`).
    package var arenaMeasured = false
    package var inputBytes: Int
    package var outputBytes: Int
    package var inputShape: String
    package var outputShape: String
    package var inputScale: Float
    package var inputZeroPoint: Int
    package var classNames: [String]
    package var kernels: KernelSet
  }

  package func perform() throws -> Result {
    let target = try toolchain.targets.row(cpu)
    try FirmwareTargets.check(kernels, runOn: target)
    _ = try toolchain.require("swiftc", hint: "install the Swift 6.3 toolchain (see README)")
    _ = try toolchain.require("arm-none-eabi-gcc")
    _ = try toolchain.require("arm-none-eabi-ar")
    let session = try ModelSession(path: model)
    let interpreter = session.interpreter
    let (input, output) = try session.file.checked { () throws(RuntimeError) in
      (try interpreter.input(0).tensor, try interpreter.output(0).tensor)
    }
    guard interpreter.inputCount == 1, interpreter.outputCount == 1,
      input.type == .int8, output.type == .int8
    else {
      throw InputError(model, "the library runs models with one int8 input and one int8 output")
    }
    let names = session.file.classNames ?? []
    var facts = Facts(
      modelName: model, modelBytes: Array(session.model.bytes),
      plan: try FirmwarePlan.prepare(session, kernels: kernels),
      inputBytes: input.byteCount, outputBytes: output.byteCount,
      inputShape: input.shapeText, outputShape: output.shapeText,
      inputScale: input.quantization?.scale ?? 1,
      inputZeroPoint: Int(input.quantization?.zeroPoint ?? 0),
      classNames: names.count == output.byteCount ? names : [],
      kernels: kernels)

    let build = directory.appendingPathComponent("build")
    do {
      try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
    } catch {
      throw InputError(build.path, "cannot create the folder (\(error.localizedDescription))")
    }
    if let needed = try measureArena(facts, in: build.appendingPathComponent("measure")) {
      facts.plan.arenaBytes = needed
      facts.arenaMeasured = true
    }
    for (path, text) in [
      ("tinycnn.h", FirmwareExport.header(facts, cpu: target)),
      ("tinycnn_model.c", FirmwareExport.modelSource(facts)),
      ("build/tinycnn_model.h", FirmwareExport.privateHeader(facts)),
      ("README.md", FirmwareExport.readme(facts, cpu: target)),
    ] {
      do {
        try AtomicFile.write(text, to: directory.appendingPathComponent(path).path)
      } catch {
        throw InputError(error.path, error.cause)
      }
    }

    note("building libtinycnn.a for \(cpu.rawValue) (Embedded Swift, -Osize)")
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = toolchain.searchPath.joined(separator: ":")
    let script = toolchain.root.appendingPathComponent("firmware/library.sh")
    let result = try runProcess(
      script.path, ["--cpu", cpu.rawValue, "--out", directory.path], environment: env,
      logDirectory: build)
    let log = build.appendingPathComponent("build.log")
    try? (result.stdout + result.stderr).write(to: log, atomically: true, encoding: .utf8)
    guard result.status == 0 else {
      let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
      throw InputError(
        log.path,
        "the \(cpu.rawValue) library did not build"
          + (errors.isEmpty
            ? " (exit status \(result.status))" : ": " + errors.suffix(3).joined(separator: "; ")))
    }
    let library = directory.appendingPathComponent("libtinycnn.a")
    let size = (try? FileManager.default.attributesOfItem(atPath: library.path)[.size] as? Int)
    return Result(
      model: model, cpu: cpu.rawValue, directory: directory.path, library: library.path,
      header: directory.appendingPathComponent("tinycnn.h").path, arenaBytes: facts.arenaBytes,
      arenaMeasured: facts.arenaMeasured,
      inputBytes: facts.inputBytes, outputBytes: facts.outputBytes,
      modelBytes: facts.modelBytes.count, libraryBytes: size ?? 0, classNames: facts.classNames)
  }

  /// A C string literal for `text`: printable ASCII as is, the rest as octal escapes.
  package static func cString(_ text: String) -> String {
    var s = "\""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): s += "\\" + String(UnicodeScalar(byte))
      case 32..<127: s += String(UnicodeScalar(byte))
      default: s += "\\" + String(byte, radix: 8).leftPadded(to: 3)
      }
    }
    return s + "\""
  }

  /// The arena the library's 32-bit plan needs, from a measuring firmware of the same model,
  /// kernels and instruction set run under QEMU (`FirmwareBuild.measureArena`): the host's
  /// records hold 64-bit pointers, so its figure only bounds the chip's. Nil without QEMU (the
  /// bound stands, and the header says so).
  package func measureArena(_ f: Facts, in folder: URL) throws -> Int? {
    guard (try? toolchain.checkTools(running: true)) != nil else {
      note("qemu-system-arm not found: TINYCNN_ARENA_SIZE is the host's upper bound")
      return nil
    }
    let board = cpu.measuringBoard
    let core = try toolchain.targets.row(board).core
    note("measuring the arena on the \(board.rawValue) (\(core)) under QEMU")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw InputError(folder.path, "cannot create the folder (\(error.localizedDescription))")
    }
    // One input of zeros: the measuring firmware stops after its plan, before any inference.
    let sources = FirmwareSources(
      model: f.modelBytes, modelName: f.modelName,
      images: [
        (
          "zeros", [UInt8](repeating: 0, count: f.inputBytes),
          [UInt8](repeating: 0, count: f.outputBytes)
        )
      ], plan: f.plan, kernels: f.kernels)
    return try FirmwareBuild(
      toolchain: toolchain, board: board, directory: folder, optimization: .size
    ).measureArena(sources)
  }

  package static func header(_ f: Facts, cpu: FirmwareTargets.CPU) -> String {
    let arenaSource =
      f.arenaMeasured
      ? "the \(cpu.name)'s own plan, measured under QEMU"
      : "planned on the host: an upper bound"
    var s = """
      // tinycnn.h: generated by `tinycnn firmware --export` from \
      \(FirmwareSources.commentSafe(f.modelName)) for \(cpu.name): do not edit.
      //
      // The int8 model runs in one arena the caller owns; the library never allocates.
      //
      //   static uint8_t arena[TINYCNN_ARENA_SIZE] __attribute__((aligned(16)));
      //   int8_t input[TINYCNN_INPUT_SIZE], output[TINYCNN_OUTPUT_SIZE];
      //   if (tinycnn_init(arena) != TINYCNN_OK) ...;
      //   ... fill input: q = round(x / TINYCNN_INPUT_SCALE) + TINYCNN_INPUT_ZERO_POINT ...
      //   if (tinycnn_invoke(input, output) != TINYCNN_OK) ...;
      //
      // Compile the code that calls it with the library's flags:
      //   \(cpu.userFlags.joined(separator: " "))
      #ifndef TINYCNN_H
      #define TINYCNN_H

      #include <stdint.h>

      #ifdef __cplusplus
      extern "C" {
      #endif

      // Bytes of the arena tinycnn_init takes (\(arenaSource)).
      #define TINYCNN_ARENA_SIZE \(f.arenaBytes)
      // int8 values of the input tensor \(f.inputShape) and of the output tensor \(f.outputShape).
      #define TINYCNN_INPUT_SIZE \(f.inputBytes)
      #define TINYCNN_OUTPUT_SIZE \(f.outputBytes)
      // The input's quantisation: real = TINYCNN_INPUT_SCALE * (q - TINYCNN_INPUT_ZERO_POINT).
      #define TINYCNN_INPUT_SCALE \(f.inputScale)f
      #define TINYCNN_INPUT_ZERO_POINT (\(f.inputZeroPoint))
      // Bytes of the .tflite model compiled into the library.
      #define TINYCNN_MODEL_SIZE \(f.modelBytes.count)

      // What tinycnn_init and tinycnn_invoke return.
      #define TINYCNN_OK 0
      #define TINYCNN_NOT_INITIALIZED 1   // tinycnn_invoke before a successful tinycnn_init
      #define TINYCNN_BAD_MODEL 2         // the model does not load (a corrupt or unsupported file)
      #define TINYCNN_ARENA_TOO_SMALL 3
      #define TINYCNN_BAD_ARGUMENT 4      // a NULL pointer
      #define TINYCNN_INVOKE_FAILED 5

      // Checks the compiled-in model and plans every tensor in `arena`, TINYCNN_ARENA_SIZE bytes
      // that stay the library's until the next tinycnn_init.
      int32_t tinycnn_init(void *arena);

      // One inference: TINYCNN_INPUT_SIZE int8 values in, TINYCNN_OUTPUT_SIZE int8 values out.
      int32_t tinycnn_invoke(const int8_t *input, int8_t *output);

      // The .tflite file's TINYCNN_MODEL_SIZE bytes.
      const uint8_t *tinycnn_model_bytes(void);

      """
    s += "\n// The model's class names, one per output (none: 0).\n"
    s += "#define TINYCNN_CLASS_COUNT \(f.classNames.count)\n"
    if !f.classNames.isEmpty {
      s += "extern const char *const tinycnn_class_names[TINYCNN_CLASS_COUNT];\n"
    }
    s += """

      #ifdef __cplusplus
      }
      #endif

      #endif  // TINYCNN_H

      """
    return s
  }

  /// The constants the Swift side reads (imported as the clang module TinyCNNModel).
  package static func privateHeader(_ f: Facts) -> String {
    """
    // Generated by `tinycnn firmware --export`: what Library.swift reads. Do not edit.
    #pragma once
    #include <stdint.h>

    #define TINYCNN_MODEL_BYTES \(f.modelBytes.count)
    #define TINYCNN_ARENA_BYTES \(f.arenaBytes)
    #define TINYCNN_CONSTANTS_BYTES \(f.plan.constants.count)
    #define TINYCNN_INPUT_BYTES \(f.inputBytes)
    #define TINYCNN_OUTPUT_BYTES \(f.outputBytes)
    static inline int tinycnn_kernel_set(void) { return \(f.kernels.id.rawValue); }
    const uint8_t *tinycnn_model_bytes(void);
    // What prepare computes once (multipliers, shifts, packed filters), computed by the host.
    const uint8_t *tinycnn_constants_bytes(void);

    """
  }

  package static func modelSource(_ f: Facts) -> String {
    var s = """
      // Generated by `tinycnn firmware --export` from \
      \(FirmwareSources.commentSafe(f.modelName)): do not edit.
      #include "tinycnn.h"

      // The .tflite file, 16-byte aligned: the Runtime reads its constants in place (flash).
      static const uint8_t model[TINYCNN_MODEL_SIZE] __attribute__((aligned(16))) = {

      """
    s += FirmwareSources.rows(f.modelBytes.map { "0x" + FirmwareSources.hex($0) }, perRow: 16)
    s += "};\n\n// The interpreter's constants (multipliers, shifts, packed filters), prepared by\n"
    s += "// `tinycnn firmware --export` for this library's kernels; read in place (flash).\n"
    s += f.plan.cArray(named: "constants", count: "\(f.plan.constants.count)")
    s += "\nconst uint8_t *tinycnn_model_bytes(void) { return model; }\n"
    s += "const uint8_t *tinycnn_constants_bytes(void) { return constants; }\n"
    if !f.classNames.isEmpty {
      s += "\nconst char *const tinycnn_class_names[TINYCNN_CLASS_COUNT] = {\n"
      s += f.classNames.map { "    " + cString($0) + ",\n" }.joined()
      s += "};\n"
    }
    return s
  }

  package static func readme(_ f: Facts, cpu: FirmwareTargets.CPU) -> String {
    """
    # libtinycnn for \(cpu.name)

    \(FirmwareSources.commentSafe(f.modelName)) (\(f.modelBytes.count) bytes, input \
    \(f.inputShape), output \(f.outputShape)) and the TinyCNN Runtime, built with Embedded Swift \
    (no heap, no Swift runtime to ship), as a static library with a C API (`tinycnn.h`).

    | file | |
    |---|---|
    | `tinycnn.h` | `tinycnn_init(arena)`, `tinycnn_invoke(input, output)`, `TINYCNN_ARENA_SIZE` \
    (\(f.arenaBytes) B), `TINYCNN_INPUT_SIZE` (\(f.inputBytes)), `TINYCNN_OUTPUT_SIZE` \
    (\(f.outputBytes)), the class names |
    | `libtinycnn.a` | the Runtime, the C API and the model |
    | `tinycnn_model.c` | the model's bytes and its prepared constants (multipliers, packed filters) as C arrays, in flash (already in the library) |

    ```c
    #include "tinycnn.h"
    static uint8_t arena[TINYCNN_ARENA_SIZE] __attribute__((aligned(16)));
    int8_t input[TINYCNN_INPUT_SIZE], output[TINYCNN_OUTPUT_SIZE];
    if (tinycnn_init(arena) != TINYCNN_OK) { /* the model or the arena is wrong */ }
    /* input[i] = round(x[i] / TINYCNN_INPUT_SCALE) + TINYCNN_INPUT_ZERO_POINT, clamped to int8 */
    if (tinycnn_invoke(input, output) == TINYCNN_OK) { /* output: int8 logits */ }
    ```

    Compile your code with the flags the library was built with (the float ABI must match):

    ```sh
    arm-none-eabi-gcc \(cpu.userFlags.joined(separator: " ")) -Os -ffunction-sections \\
      -I path/to/this/folder main.c startup.c -T your.ld \\
      -L path/to/this/folder -ltinycnn -lm -Wl,--gc-sections -o app.elf
    ```

    The library needs `memcpy`, `memset` and `memmove` (newlib or any C library), `roundf` and \
    `ceilf` (libm) and the compiler's helpers (libgcc); it calls no `malloc` and prints nothing. \
    `--gc-sections` drops what the model does not use.

    CMake:

    ```cmake
    add_library(tinycnn STATIC IMPORTED)
    set_target_properties(tinycnn PROPERTIES
      IMPORTED_LOCATION ${CMAKE_CURRENT_LIST_DIR}/tinycnn/libtinycnn.a
      INTERFACE_INCLUDE_DIRECTORIES ${CMAKE_CURRENT_LIST_DIR}/tinycnn
      INTERFACE_LINK_LIBRARIES m)
    target_link_libraries(app PRIVATE tinycnn)
    target_link_options(app PRIVATE -Wl,--gc-sections)
    ```

    """
  }
}

extension String {
  /// Zeros in front, to `width` characters.
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
