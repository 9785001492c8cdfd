import Datasets
import Foundation
import Pipeline
import TestSupport
import Testing

// `tinycnn firmware --export`: the library is for firmware we did not write, so the test is a
// user's: a plain C main.c that includes tinycnn.h, compiled and linked by arm-none-eabi-gcc
// (newlib-nano, nosys) against libtinycnn.a, run under QEMU on an M4 and an M0 board; its
// outputs must be the host interpreter's. Skipped, with the reason, without the ARM toolchain
// or QEMU (scripts/setup.sh installs them; TINYCNN_REQUIRE_FIRMWARE=1 makes that a failure).

private let root = URL(fileURLWithPath: #filePath)  // Tests/PipelineTests/FirmwareExportTests.swift
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let model = root.appendingPathComponent("models/lenet5-int8.tflite").path
private let rows = root.appendingPathComponent(
  "Tests/RuntimeTests/Golden/lenet5_fixed/input_0.npy"
).path

private let exportToolsMissing = firmwareToolsMissing("export end-to-end tests") {
  let toolchain = try FirmwareToolchain(root: root)
  try toolchain.checkTools(running: true)
  _ = try toolchain.require("arm-none-eabi-ar")
}

/// A user's program: the inputs as C arrays, one tinycnn_invoke each, the outputs printed over
/// semihosting ("output 0: -31 -66 ..."), exit status 0; plus the vector table and reset
/// handler every bare-metal program has (firmware/sections.ld's symbols).
private func userProgram(_ inputs: [[Int8]]) -> String {
  let arrays = inputs.map { "    {" + $0.map(String.init).joined(separator: ",") + "}," }
  return """
    #include <stdint.h>
    #include "tinycnn.h"

    extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;

    static int semihost(int op, const void *arg) {
        register int r0 __asm__("r0") = op;
        register const void *r1 __asm__("r1") = arg;
        __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
        return r0;
    }
    static void put(const char *s) { semihost(0x04, s); }
    static void put_int(int v) {
        char buf[12], *p = buf + sizeof buf;
        unsigned u = v < 0 ? -(unsigned)v : (unsigned)v;
        *--p = 0;
        do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
        if (v < 0) *--p = '-';
        put(p);
    }
    static _Noreturn void quit(int status) {
        uint32_t block[2] = {0x20026u, (uint32_t)status};
        semihost(0x20, block);
        for (;;) {}
    }

    static uint8_t arena[TINYCNN_ARENA_SIZE] __attribute__((aligned(16)));
    static const int8_t inputs[\(inputs.count)][TINYCNN_INPUT_SIZE] = {
    \(arrays.joined(separator: "\n"))
    };

    int main(void) {
        int8_t output[TINYCNN_OUTPUT_SIZE];
        int32_t status = tinycnn_init(arena);
        if (status != TINYCNN_OK) { put("init failed "); put_int(status); put("\\n"); return 1; }
        for (int k = 0; k < \(inputs.count); k++) {
            status = tinycnn_invoke(inputs[k], output);
            if (status != TINYCNN_OK) { put("invoke failed "); put_int(status); return 1; }
            put("output "); put_int(k); put(":");
            for (int i = 0; i < TINYCNN_OUTPUT_SIZE; i++) { put(" "); put_int(output[i]); }
            put("\\n");
        }
    #if TINYCNN_CLASS_COUNT > 0
        put("class 0: "); put(tinycnn_class_names[0]); put("\\n");
    #endif
        return 0;
    }

    void Reset_Handler(void) {
        uint32_t *src = &__data_load, *dst = &__data_start;
        while (dst < &__data_end) *dst++ = *src++;
        for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    #if defined(__ARM_FP)
        *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;  /* CPACR: the FPU on */
        __asm__ volatile("dsb\\n isb");
    #endif
        quit(main());
    }
    static void Fault_Handler(void) { put("fault\\n"); quit(99); }
    __attribute__((section(".stack"), used)) static uint32_t stack_floor;
    __attribute__((section(".vectors"), used)) const void *const vectors[16] = {
        &__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
        Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler};

    """
}

@Test(
  .enabled(if: exportToolsMissing == nil, Comment(rawValue: exportToolsMissing ?? "")),
  arguments: [
    (ExportCPU.cortexM4, "mps2-an386", "mps2.ld", 8192),
    // The micro:bit's 16 KiB hold the arena (7,136 B: its own plan) and a 7.5 KiB stack.
    (ExportCPU.cortexM0plus, "microbit", "microbit.ld", 7680),
  ])
func exportedLibraryLinksIntoAPlainCProgramAndComputesTheHostsOutputs(
  cpu: ExportCPU, machine: String, script: String, stack: Int
) throws {
  let toolchain = try FirmwareToolchain(root: root)
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID())")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  let lib = dir.appendingPathComponent("tinycnn")
  let result = try FirmwareExport(model: model, cpu: cpu, directory: lib, toolchain: toolchain)
    .perform()
  let header = try String(contentsOfFile: result.header, encoding: .utf8)
  // Sized by the chip's own 32-bit plan (a measuring firmware under QEMU), not the host's bound.
  #expect(result.arenaMeasured)
  #expect(header.contains("own plan, measured under QEMU"))
  for needed in [
    "int32_t tinycnn_init(void *arena);",
    "int32_t tinycnn_invoke(const int8_t *input, int8_t *output);",
    "#define TINYCNN_ARENA_SIZE \(result.arenaBytes)\n", "#define TINYCNN_INPUT_SIZE 784\n",
    "#define TINYCNN_OUTPUT_SIZE 10\n", "#define TINYCNN_CLASS_COUNT 10\n",
  ] {
    #expect(header.contains(needed), "tinycnn.h lacks \(needed)")
  }
  let readme = try String(contentsOf: lib.appendingPathComponent("README.md"), encoding: .utf8)
  #expect(
    readme.contains("-ltinycnn -lm") && readme.contains("add_library(tinycnn STATIC IMPORTED)"))

  // Three inputs and the host's outputs for them.
  let array = try NPYArray.read(rows)
  let inputs = (0..<3).map { k in array.data[k * 784..<(k + 1) * 784].map { Int8(bitPattern: $0) } }
  let session = try ModelSession(path: model)
  let host = try inputs.map { input -> [Int8] in
    let slot = try session.interpreter.input(0).bytes
    input.withUnsafeBytes { slot.copyMemory(from: $0) }
    try session.interpreter.invoke()
    return try session.interpreter.output(0).bytes.map { Int8(bitPattern: $0) }
  }

  let main = dir.appendingPathComponent("main.c")
  try userProgram(inputs).write(to: main, atomically: true, encoding: .utf8)
  let elf = dir.appendingPathComponent("app.elf").path
  let gcc = try toolchain.require("arm-none-eabi-gcc")
  let link = try runProcess(
    gcc,
    try toolchain.targets.row(cpu).userFlags + [
      "-Os", "-ffunction-sections", "-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs",
      "-I", lib.path, "-T", root.appendingPathComponent("firmware/\(script)").path,
      "-L", root.appendingPathComponent("firmware").path, main.path,
      "-L", lib.path, "-ltinycnn", "-lm", "-Wl,--gc-sections", "-Wl,--no-enum-size-warning",
      "-Wl,--defsym=tinycnn_stack_size=\(stack)", "-o", elf,
    ], logDirectory: dir)
  try #require(link.status == 0, "arm-none-eabi-gcc: \(link.stderr)")
  // No heap: the linked program has no malloc (the library calls none).
  let nm = try runProcess(
    try toolchain.require("arm-none-eabi-nm"), [elf], logDirectory: dir)
  #expect(!nm.stdout.contains(" malloc\n"), "malloc linked")

  let qemu = try runProcess(
    try toolchain.require("qemu-system-arm"),
    [
      // Semihosting output to stdout through a chardev (QEMU 7.2 writes it to stderr without).
      "-M", machine, "-nographic", "-monitor", "none", "-serial", "none",
      "-chardev", "stdio,id=semihosting",
      "-semihosting-config", "enable=on,target=native,chardev=semihosting", "-kernel", elf,
    ], logDirectory: dir)
  #expect(qemu.status == 0, "QEMU exit \(qemu.status): \(qemu.stdout) \(qemu.stderr)")
  let printed = FirmwareOutput.parse(qemu.stdout)
  for k in 0..<inputs.count {
    #expect(printed.outputs[k] == host[k], "\(cpu.rawValue) input \(k): \(qemu.stdout)")
  }
  #expect(qemu.stdout.contains("class 0: \(try #require(result.classNames.first))\n"))
}
