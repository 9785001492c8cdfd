import Runtime

@testable import Estimator

/// .tflite bytes (`inspect`, `run`, `infer`, `estimate`, `bench`, the firmware's model) through
/// the Runtime's verifying reader, the estimator's lowering, and the interpreter's prepare with
/// both kernel sets; a model that prepares and is small enough is then invoked once with input
/// bytes taken from the file itself, so the kernels run on whatever shapes prepare let through.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  // The CLI's ModelFile gives the reader 16-byte aligned bytes; so does this.
  let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
  defer { bytes.deallocate() }
  bytes.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size))
  let raw = UnsafeRawBufferPointer(rebasing: bytes[0..<size])
  guard let model = try? Model(bytes: raw) else { return 0 }
  _ = try? model.metadata(named: "class_names")
  let work = try? ModelWork(model, name: "fuzz", file: "fuzz", fileBytes: size)
  let macs = work?.layers.reduce(0) { $0 &+ max($1.macs, $1.outputCount) }
  for kernels in [KernelSet.reference, .portable] {
    prepareAndInvoke(model, kernels: kernels, invoke: macs.map { $0 <= maxInvokedMACs } ?? false)
    prepareForFirmware(model, kernels: kernels)
  }
  return 0
}

/// Keeps one invoke well under libFuzzer's timeout under ASan (a few ms).
private let maxInvokedMACs = 2_000_000
/// Arenas above this are sized and refused, as a host with little memory would.
private let maxArenaBytes = 4 << 20

/// The host half of `firmware --export`: constants prepared for a microcontroller (the reference
/// or the portable set, which packs as a Cortex-M build does).
private func prepareForFirmware(_ model: Model, kernels: KernelSet) {
  guard let arena = arena(for: model, kernels: kernels) else { return }
  defer { arena.deallocate() }
  _ = try? Interpreter.prepareConstants(for: model, kernels: kernels, in: arena)
}

/// A zeroed arena of the size `requirements` reports, or nil past `maxArenaBytes`.
private func arena(for model: Model, kernels: KernelSet) -> UnsafeMutableRawBufferPointer? {
  guard
    let planning = try? Interpreter.planningBytes(for: model, kernels: kernels),
    planning <= maxArenaBytes
  else { return nil }
  let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: planning, alignment: 16)
  defer { scratch.deallocate() }
  guard
    let needs = try? Interpreter.requirements(
      for: model, scratch: scratch, kernels: kernels),
    needs.totalBytes <= maxArenaBytes
  else { return nil }
  let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: needs.totalBytes, alignment: 16)
  arena.initializeMemory(as: UInt8.self, repeating: 0)
  return arena
}

private func prepareAndInvoke(_ model: Model, kernels: KernelSet, invoke: Bool) {
  guard let arena = arena(for: model, kernels: kernels) else { return }
  defer { arena.deallocate() }
  guard let interpreter = try? Interpreter(model: model, arena: arena, kernels: kernels),
    invoke
  else { return }
  let source = model.bytes
  for i in 0..<interpreter.inputCount {
    guard let input = try? interpreter.input(i), source.count > 0 else { continue }
    for j in 0..<input.bytes.count { input.bytes[j] = source[j % source.count] }
  }
  _ = try? interpreter.invoke()
  for i in 0..<interpreter.outputCount { _ = try? interpreter.output(i) }
}
