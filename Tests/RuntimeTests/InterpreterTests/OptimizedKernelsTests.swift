import AllocationCounter
import KernelDispatch
import Testing

@testable import Runtime

// The interpreter with each vector kernel set this CPU runs (portable, AVX2, AVX-512 VNNI): the
// same outputs as with the reference kernels on random networks, an arena that accounts for the
// packed filters and scratch, and still no allocation while it runs. (The golden set runs every
// kernel set against TFLM.)

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

@Test(arguments: 0..<40, KernelSet.vectorSets)
func vectorKernelsEqualReferenceOnRandomNets(seed: Int, kernels: KernelSet) throws {
  var rng = SplitMix64(seed: UInt64(seed) &+ 5000)
  let model = randomNet(&rng).serialized()
  let reference = try Opened(model, kernels: .reference)
  let optimized = try Opened(model, kernels: kernels)
  #expect(optimized.interpreter.kernels == kernels)
  let count = try reference.interpreter.input(0).bytes.count
  for _ in 0..<3 {
    let input = randomInt8s(count, &rng)
    #expect(try optimized.run(input) == reference.run(input), "seed \(seed), \(kernels)")
  }
}

@Test(arguments: KernelSet.vectorSets)
func vectorArenaHoldsThePackedFiltersAndScratch(kernels: KernelSet) throws {
  let model = smallConvNet().serialized()
  let reference = try Opened(model, kernels: .reference)
  let optimized = try Opened(model, kernels: kernels)
  // The 2x3x3x1 filter packs into one group of 8 channels: 4 x 8 int32 parameters and
  // 3 filter rows of 2 pairs x 16 bytes.
  #expect(optimized.requirements.planBytes >= reference.requirements.planBytes + 128 + 96)
  #expect(optimized.requirements.tensorBytes >= reference.requirements.tensorBytes)
  // The reported size is the size needed: one byte less is refused before anything runs.
  let short = AlignedBytes(zeroed: optimized.requirements.totalBytes - 1)
  #expect(throws: RuntimeError.self) {
    _ = try Interpreter(
      model: optimized.interpreter.model, arena: short.mutableBuffer, kernels: kernels)
  }
}

@Test(
  .enabled(if: allocation_counter_available() == 1, "malloc interposition needs glibc"),
  arguments: KernelSet.vectorSets)
func vectorInvokeAllocatesNothing(kernels: KernelSet) throws {
  var rng = SplitMix64(seed: 3)
  let opened = try Opened(randomNet(&rng).serialized(), kernels: kernels)
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

/// Each set sizes the arena for its own packed layout: the portable one is what a
/// microcontroller build packs; AVX2 packs the same int16 filters and adds the folded depthwise
/// requantisation; AVX-512 VNNI adds the vpdpbusd packing after the int16 one.
@Test func eachKernelSetSizesItsOwnLayout() throws {
  var rng = SplitMix64(seed: 0x9AC_0001)
  let bytes = AlignedBytes(randomNet(&rng).serialized())
  let model = try Model(bytes: bytes.buffer)
  func constants(_ kernels: KernelSet) throws -> Int {
    let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
    return try Interpreter.requirements(
      for: model, scratch: scratch.mutableBuffer, kernels: kernels
    ).constantBytes
  }
  #expect(try constants(.portable) > constants(.reference))
  if let avx2 = KernelSet.available(.avx2) { #expect(try constants(avx2) >= constants(.portable)) }
  if let vnni = KernelSet.available(.avx512VNNI) {
    #expect(try constants(vnni) > constants(.portable))
  }
}
