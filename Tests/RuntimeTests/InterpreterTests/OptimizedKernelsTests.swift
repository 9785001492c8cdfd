import AllocationCounter
import Testing

@testable import Runtime

// The interpreter with `kernels: .optimized`: the same outputs as with the reference kernels on
// random networks, an arena that accounts for the packed filters and scratch, and still no
// allocation while it runs. (The golden set runs both kernel sets against TFLM.)

/// A model opened with the given kernels in an arena of exactly the size it reports.
private struct Opened {
  let modelBytes: AlignedBytes
  let arena: AlignedBytes
  let requirements: ArenaRequirements
  let interpreter: Interpreter

  init(_ bytes: [UInt8], kernels: KernelSet) throws(RuntimeError) {
    modelBytes = AlignedBytes(bytes)
    let model = try Model(bytes: modelBytes.buffer)
    let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
    requirements = try Interpreter.requirements(
      for: model, scratch: scratch.mutableBuffer, kernels: kernels)
    arena = AlignedBytes(zeroed: requirements.totalBytes)
    interpreter = try Interpreter(model: model, arena: arena.mutableBuffer, kernels: kernels)
  }

  func run(_ input: [Int8]) throws(RuntimeError) -> [Int8] {
    let slot = try interpreter.input(0)
    for (k, v) in input.enumerated() { slot.bytes[k] = UInt8(bitPattern: v) }
    try interpreter.invoke()
    return try interpreter.output(0).bytes.map { Int8(bitPattern: $0) }
  }
}

@Test(arguments: 0..<40, [KernelSet.optimized, .dsp])
func optimizedKernelsEqualReferenceOnRandomNets(seed: Int, kernels: KernelSet) throws {
  var rng = SplitMix64(seed: UInt64(seed) &+ 5000)
  let model = randomNet(&rng).serialized()
  let reference = try Opened(model, kernels: .reference)
  let optimized = try Opened(model, kernels: kernels)
  let count = try reference.interpreter.input(0).bytes.count
  for _ in 0..<3 {
    let input = randomInt8s(count, &rng)
    #expect(try optimized.run(input) == reference.run(input), "seed \(seed), \(kernels)")
  }
}

@Test func optimizedArenaHoldsThePackedFiltersAndScratch() throws {
  let model = smallConvNet().serialized()
  let reference = try Opened(model, kernels: .reference)
  let optimized = try Opened(model, kernels: .optimized)
  // The 2x3x3x1 filter packs into one group of 8 channels: 4 x 8 int32 parameters and
  // 3 filter rows of 2 pairs x 16 bytes.
  #expect(optimized.requirements.planBytes >= reference.requirements.planBytes + 128 + 96)
  #expect(optimized.requirements.tensorBytes >= reference.requirements.tensorBytes)
  // The reported size is the size needed: one byte less is refused before anything runs.
  let short = AlignedBytes(zeroed: optimized.requirements.totalBytes - 1)
  #expect(throws: RuntimeError.self) {
    _ = try Interpreter(
      model: optimized.interpreter.model, arena: short.mutableBuffer, kernels: .optimized)
  }
}

@Test(.enabled(if: allocation_counter_available() == 1, "malloc interposition needs glibc"))
func optimizedInvokeAllocatesNothing() throws {
  var rng = SplitMix64(seed: 3)
  let opened = try Opened(randomNet(&rng).serialized(), kernels: .optimized)
  let input = try opened.interpreter.input(0)
  for k in 0..<input.bytes.count { input.bytes[k] = UInt8(truncatingIfNeeded: k &* 37) }
  var counts: [Int] = []
  counts.reserveCapacity(4)
  for _ in 0..<4 {
    allocation_counter_start()
    try opened.interpreter.invoke()
    counts.append(allocation_counter_stop())
  }
  #expect(counts == [0, 0, 0, 0])
}

/// `packing: .portable` sizes the arena as a microcontroller build packs the filters: without
/// the vpdpbusd layout that AVX-512 VNNI host builds add (and the same elsewhere).
@Test func portablePackingLeavesOutTheHostOnlyLayout() throws {
  var rng = SplitMix64(seed: 0x9AC_0001)
  let bytes = AlignedBytes(randomNet(&rng).serialized())
  let model = try Model(bytes: bytes.buffer)
  func total(_ packing: FilterPacking) throws -> Int {
    let scratch = AlignedBytes(
      zeroed: try Interpreter.planningBytes(for: model, kernels: .optimized, packing: packing))
    return try Interpreter.requirements(
      for: model, scratch: scratch.mutableBuffer, kernels: .optimized, packing: packing
    ).totalBytes
  }
  let reference = try Opened(bytes.buffer.map { $0 }, kernels: .reference).requirements.totalBytes
  #if AVX512 && canImport(X86DotProduct)
    #expect(try total(.portable) < total(.thisBuild))
  #else
    #expect(try total(.portable) == total(.thisBuild))
  #endif
  #expect(try total(.portable) > reference)
}
