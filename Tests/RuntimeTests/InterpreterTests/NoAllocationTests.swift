import AllocationCounter
import Foundation
import Testing

@testable import Runtime

// `invoke` must not touch the heap on the host either: malloc and friends are interposed in the
// test executable (Tests/AllocationCounter) and counted on this thread around the call.

private let counterAvailable = allocation_counter_available() == 1

@Test(.enabled(if: counterAvailable, "malloc interposition needs Linux with glibc"))
func theCounterSeesAnAllocation() {
  allocation_counter_start()
  let array = [Int](repeating: 7, count: Int.random(in: 100...200))
  let box = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
  let count = allocation_counter_stop()
  box.deallocate()
  #expect(array.count >= 100)
  #expect(count >= 2, "counted \(count) allocations for an Array and an aligned buffer")
}

@Test(.enabled(if: counterAvailable, "malloc interposition needs Linux with glibc"))
func invokeAllocatesNothing() throws {
  var rng = SplitMix64(seed: 3)
  let model = randomNet(&rng)
  let loaded = try LoadedModel(model.serialized())
  let input = try loaded.interpreter.input(0)
  for k in 0..<input.bytes.count { input.bytes[k] = UInt8(truncatingIfNeeded: k &* 37) }
  var counts: [Int] = []
  var failure: RuntimeError? = nil
  counts.reserveCapacity(4)
  for _ in 0..<4 {
    allocation_counter_start()
    do { try loaded.interpreter.invoke() } catch { failure = error }
    counts.append(allocation_counter_stop())
  }
  #expect(failure == nil)
  // The first call included: nothing is allocated lazily either.
  #expect(counts == [0, 0, 0, 0])
}

@Test(.enabled(if: counterAvailable, "malloc interposition needs Linux with glibc"))
func openingAndPlanningAllocateNothing() throws {
  let bytes = smallConvNet().serialized()
  let owner = AlignedBytes(bytes)
  let arena = AlignedBytes(zeroed: 1 << 16)
  // Warm, the same way as measured: the first store of an `Interpreter?` can instantiate the
  // Swift runtime's metadata for its kernel table's function types, once per process (a host
  // runtime cost; Embedded Swift has no runtime metadata).
  var result: Interpreter? = try Interpreter(
    model: try Model(bytes: owner.buffer), arena: arena.mutableBuffer)
  result = nil
  allocation_counter_start()
  do {
    let model = try Model(bytes: owner.buffer)
    result = try Interpreter(model: model, arena: arena.mutableBuffer)
  } catch {}
  let count = allocation_counter_stop()
  #expect(result != nil)
  #expect(count == 0)
}

@Test(.enabled(if: counterAvailable, "malloc interposition needs Linux with glibc"))
func everyOperatorInvokesWithoutAllocating() throws {
  // The converter-made golden models between them use every supported operator.
  for name in ["mixed_ops", "sigmoid_u8_float", "lenet5_dynamic", "concat_requantize", "pad_asym"] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    let loaded = try LoadedModel(
      [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.tflite"))))
    var counts: [Int] = []
    counts.reserveCapacity(2)
    var failure: RuntimeError? = nil
    for _ in 0..<2 {
      allocation_counter_start()
      do { try loaded.interpreter.invoke() } catch { failure = error }
      counts.append(allocation_counter_stop())
    }
    #expect(failure == nil, "\(name)")
    #expect(counts == [0, 0], "\(name)")
  }
}
