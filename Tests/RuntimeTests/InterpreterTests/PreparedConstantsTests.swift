import Foundation
import KernelDispatch
import Testing

@testable import Runtime

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Constants prepared elsewhere (issue 13): what the host computes for a firmware's flash must be
// the bytes prepare computes anywhere (they hold no address), must be all an interpreter needs
// besides its records and tensors, must only be read, and must not open another model.

/// A copy of `bytes` on pages the process can only read: a write through any pointer into them
/// is a crash, as a write to flash would be a bus fault.
private final class ReadOnlyBytes {
  let base: UnsafeMutableRawPointer
  let mapped: Int
  let count: Int

  init(_ bytes: UnsafeRawBufferPointer) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    mapped = max(1, (bytes.count + page - 1) / page) * page
    base = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
    base.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    precondition(mprotect(base, mapped, PROT_READ) == 0)
    count = bytes.count
  }

  var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  deinit { munmap(base, mapped) }
}

/// The constants `prepareConstants` computes for `model`, copied out of its arena.
private func constants(_ model: Model, _ kernels: KernelSet) throws -> [UInt8] {
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
  let needed = try Interpreter.requirements(
    for: model, scratch: scratch.mutableBuffer, kernels: kernels)
  // One byte in, so the arena's start is not where the first preparation put it.
  let arena = AlignedBytes(zeroed: needed.totalBytes + 32)
  let shifted = UnsafeMutableRawBufferPointer(rebasing: arena.mutableBuffer[1...])
  return [UInt8](
    try Interpreter.prepareConstants(for: model, kernels: kernels, in: shifted))
}

private func outputs(_ interpreter: Interpreter, _ inputs: [[Int8]]) throws -> [[Int8]] {
  try inputs.map { input in
    let slot = try interpreter.input(0)
    for (k, v) in input.enumerated() { slot.bytes[k] = UInt8(bitPattern: v) }
    try interpreter.invoke()
    return try interpreter.output(0).bytes.map { Int8(bitPattern: $0) }
  }
}

@Test(arguments: 0..<12, KernelSet.available)
func constantsPreparedElsewhereRunReadOnly(seed: Int, kernels: KernelSet) throws {
  var rng = SplitMix64(seed: UInt64(seed) &+ 7100)
  let (model, owner) = try openModel(randomNet(&rng).serialized())
  defer { withExtendedLifetime(owner) {} }
  let inputCount = try {
    let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model))
    let needed = try Interpreter.requirements(for: model, scratch: scratch.mutableBuffer)
    let arena = AlignedBytes(zeroed: needed.totalBytes)
    return try Interpreter(model: model, arena: arena.mutableBuffer).input(0).bytes.count
  }()
  let inputs = (0..<3).map { _ in randomInt8s(inputCount, &rng) }

  // The whole plan in the arena, as before.
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
  let needed = try Interpreter.requirements(
    for: model, scratch: scratch.mutableBuffer, kernels: kernels)
  let arena = AlignedBytes(zeroed: needed.totalBytes)
  let whole = try Interpreter(model: model, arena: arena.mutableBuffer, kernels: kernels)
  let expected = try outputs(whole, inputs)

  // The constants, prepared in another place, are the same bytes: nothing in them is an address.
  let prepared = try constants(model, kernels)
  #expect(prepared.count == needed.constantBytes)
  #expect(prepared == [UInt8](whole.constants), "seed \(seed)")

  // Read in place from read-only pages, with an arena of records and tensors only.
  let flash = prepared.withUnsafeBytes { ReadOnlyBytes($0) }
  let ram = AlignedBytes(zeroed: needed.totalBytes - needed.constantBytes)
  let fromFlash = try Interpreter(
    model: model, constants: flash.buffer, arena: ram.mutableBuffer, kernels: kernels)
  #expect(try outputs(fromFlash, inputs) == expected, "seed \(seed)")
  #expect(fromFlash.requirements == needed)

  // And the plan in a buffer of its own: the arena is the tensors alone.
  let plan = AlignedBytes(zeroed: needed.planBytes)
  let tensors = AlignedBytes(zeroed: needed.tensorRegionBytes)
  let apart = try Interpreter(
    model: model, plan: plan.mutableBuffer, arena: tensors.mutableBuffer, kernels: kernels)
  #expect(try outputs(apart, inputs) == expected, "seed \(seed)")
  let short = AlignedBytes(zeroed: needed.tensorRegionBytes - 1)
  #expect(throws: RuntimeError.self) {
    _ = try Interpreter(
      model: model, plan: plan.mutableBuffer, arena: short.mutableBuffer, kernels: kernels)
  }
}

@Test func constantsOfAnotherModelOrKernelSetAreRefused() throws {
  var rng = SplitMix64(seed: 7200)
  let (model, owner) = try openModel(smallConvNet().serialized())
  let (other, otherOwner) = try openModel(randomNet(&rng).serialized())
  defer { withExtendedLifetime((owner, otherOwner)) {} }
  let arena = AlignedBytes(zeroed: 1 << 20)

  func opens(_ constants: [UInt8], _ kernels: KernelSet) -> RuntimeError? {
    let copy = AlignedBytes(constants)
    do {
      _ = try Interpreter(
        model: model, constants: copy.buffer, arena: arena.mutableBuffer, kernels: kernels)
      return nil
    } catch {
      return error
    }
  }

  let good = try constants(model, .fastest)
  #expect(opens(good, .fastest) == nil)
  #expect(opens(good, .reference) == .preparedConstantsMismatch)
  #expect(opens(try constants(other, .fastest), .fastest) == .preparedConstantsMismatch)
  var corrupted = good
  corrupted[0] ^= 1  // the magic number
  #expect(opens(corrupted, .fastest) == .preparedConstantsMismatch)
  #expect(opens([UInt8](good.prefix(16)), .fastest) == .preparedConstantsMismatch)
}

@Test func portableConstantsAreTheMicrocontrollersSize() throws {
  // What the host prepares for a firmware is sized as the firmware's own measure sizes it.
  let (model, owner) = try openModel(smallConvNet().serialized())
  defer { withExtendedLifetime(owner) {} }
  let portable = try constants(model, .portable)
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: .portable))
  let needed = try Interpreter.requirements(
    for: model, scratch: scratch.mutableBuffer, kernels: .portable)
  #expect(portable.count == needed.constantBytes)
  #expect(try constants(model, .portable) == portable)
}

@Test(arguments: [KernelSet.reference, .portable, .dsp])
func theTablesAreConstantsThatAChipChecks(kernels: KernelSet) throws {
  // The operator table and the tensor table (each tensor's planned place) are constants too: a
  // chip's prepare computes them again and refuses flash that holds anything else, byte by byte.
  let (model, owner) = try openModel(smallConvNet().serialized())
  defer { withExtendedLifetime(owner) {} }
  let good = try constants(model, kernels)
  let arena = AlignedBytes(zeroed: 1 << 20)
  func opens(_ constants: [UInt8]) -> RuntimeError? {
    let copy = AlignedBytes(constants)
    do {
      _ = try Interpreter(
        model: model, constants: copy.buffer, arena: arena.mutableBuffer, kernels: kernels)
      return nil
    } catch {
      return error
    }
  }
  #expect(opens(good) == nil)
  let tables = MemoryLayout<ConstantsHeader>.stride
  let tableBytes =
    model.operatorCount * MemoryLayout<OpEntry>.stride
    + model.tensorCount * MemoryLayout<TensorRef>.stride
  for k in tables..<(tables + tableBytes) {
    var changed = good
    changed[k] ^= 0x10
    #expect(opens(changed) == .preparedConstantsMismatch, "byte \(k)")
  }
}

/// The MLPerf Tiny models of the golden set (and the 1-D wake-word net), as the TensorFlow
/// converter writes them.
private let suiteModels = [
  "suite_resnet8", "suite_ds_cnn", "suite_mobilenet_v1_025", "suite_dense_autoencoder",
  "suite_wakeword_1d",
]

@Test(arguments: [KernelSet.reference, .portable, .dsp])
func theSuiteModelsNeedNoRAMBesidesTheirTensors(kernels: KernelSet) throws {
  // Every operator of these models has a constant record (ConstantRecords.swift): with the
  // constants in flash, a chip's arena is the tensor region alone.
  let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Golden")
  for name in suiteModels {
    let file = golden.appendingPathComponent(name).appendingPathComponent("model.tflite")
    let (model, owner) = try openModel([UInt8](try Data(contentsOf: file)))
    defer { withExtendedLifetime(owner) {} }
    let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
    let needed = try Interpreter.requirements(
      for: model, scratch: scratch.mutableBuffer, kernels: kernels)
    #expect(needed.recordBytes == 0, "\(name)")
    #expect(needed.totalBytes - needed.constantBytes == needed.tensorRegionBytes, "\(name)")
  }
}
