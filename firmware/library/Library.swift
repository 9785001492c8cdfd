// libtinycnn: Sources/Runtime behind a C API for the user's own firmware, built with Embedded
// Swift by firmware/library.sh (`tinycnn firmware --export DIR` runs it). The model and the
// constants the host prepared for it (tables, operator records, multipliers, packed filters) are
// compiled in (tinycnn_model.c), read in place from flash; the caller owns the arena (the tensors,
// and any records that hold addresses). Nothing here allocates: the build uses
// -no-allocations, and a heap call would be an undefined symbol at the user's link.
//
// The functions are tinycnn.h's; their status codes are its TINYCNN_* values.

import TinyCNNModel

/// The interpreter `tinycnn_init` made, in the caller's arena; nil before (or after a failure).
nonisolated(unsafe) private var interpreter: Interpreter? = nil

private let statusOK: Int32 = 0
private let statusNotInitialized: Int32 = 1
private let statusBadModel: Int32 = 2
private let statusArenaTooSmall: Int32 = 3
private let statusBadArgument: Int32 = 4
private let statusInvokeFailed: Int32 = 5

/// Checks the compiled-in model and plans every tensor in `arena` (TINYCNN_ARENA_SIZE bytes,
/// any alignment: the planner aligns inside it). Call once, or again with another arena.
@_cdecl("tinycnn_init")
public func tinycnnInit(_ arena: UnsafeMutableRawPointer?) -> Int32 {
  interpreter = nil
  guard let arena else { return statusBadArgument }
  do throws(RuntimeError) {
    let made = try makeInterpreter(try openModel(), arena)
    let input = try made.input(0).bytes
    let output = try made.output(0).bytes
    guard input.count == Int(TINYCNN_INPUT_BYTES), output.count == Int(TINYCNN_OUTPUT_BYTES)
    else { return statusBadModel }
    interpreter = made
    return statusOK
  } catch {
    if case .arenaTooSmall = error { return statusArenaTooSmall }
    return statusBadModel
  }
}

// Two functions never inlined, as in firmware/main.swift: the model check and the
// interpreter's prepare have large frames, and inlined into one caller they would all be on the
// stack at once, which a Cortex-M0+ with 16 KiB of RAM beside the arena cannot spare.

@inline(never)
private func openModel() throws(RuntimeError) -> Model {
  try Model(
    bytes: UnsafeRawBufferPointer(start: tinycnn_model_bytes(), count: Int(TINYCNN_MODEL_BYTES)))
}

@inline(never)
private func makeInterpreter(_ model: Model, _ arena: UnsafeMutableRawPointer)
  throws(RuntimeError) -> Interpreter
{
  let kernels = KernelSet.builtIn(UInt8(truncatingIfNeeded: tinycnn_kernel_set())) ?? .reference
  return try Interpreter(
    model: model,
    constants: UnsafeRawBufferPointer(
      start: tinycnn_constants_bytes(), count: Int(TINYCNN_CONSTANTS_BYTES)),
    arena: UnsafeMutableRawBufferPointer(start: arena, count: Int(TINYCNN_ARENA_BYTES)),
    kernels: kernels)
}

/// One inference: TINYCNN_INPUT_SIZE int8 values in, TINYCNN_OUTPUT_SIZE out.
@_cdecl("tinycnn_invoke")
public func tinycnnInvoke(_ input: UnsafePointer<Int8>?, _ output: UnsafeMutablePointer<Int8>?)
  -> Int32
{
  guard let input, let output else { return statusBadArgument }
  guard let interpreter else { return statusNotInitialized }
  do throws(RuntimeError) {
    let slot = try interpreter.input(0).bytes
    slot.copyMemory(from: UnsafeRawBufferPointer(start: input, count: slot.count))
    try interpreter.invoke()
    let result = try interpreter.output(0).bytes
    UnsafeMutableRawBufferPointer(start: output, count: result.count).copyMemory(
      from: UnsafeRawBufferPointer(result))
    return statusOK
  } catch {
    return statusInvokeFailed
  }
}
