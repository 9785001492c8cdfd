import KernelDispatch
import Testing

@testable import Runtime

@Test func addSIMDEqualsReferenceOnRandomCases() throws {
  for seed in UInt64(0)..<3000 {
    var rng = SplitMix64(seed: 0xADD0_0000_0000 + seed)
    let rank = rng.int(in: 1...4)
    let dims = (0..<rank).map { _ in rng.size(1...5, 6...20) }
    // Mostly equal shapes; sometimes one input broadcasts (rows along the channels, a channel
    // dimension of 1 repeated), the first or the second.
    let broadcast = rng.below(3) == 0
    let firstBroadcasts = rng.below(2) == 0
    let dims2 = broadcast ? dims.map { _ in rng.below(2) == 0 ? 1 : 0 } : dims
    let second = zip(dims, dims2).map { $1 == 0 ? $0 : 1 }
    let scale: () -> Float = { Float(rng.int(in: 1...1000)) / 997 }
    let activations: [FusedActivation] = [.none, .relu, .relu6, .reluN1To1]
    let p: AddParams
    do {
      p = try prepareAdd(
        input1Scale: scale(), input1ZeroPoint: rng.zeroPoint(), input2Scale: scale(),
        input2ZeroPoint: rng.zeroPoint(), outputScale: scale(), outputZeroPoint: rng.zeroPoint(),
        activation: activations[rng.below(activations.count)],
        input1Shape: try shape(broadcast && firstBroadcasts ? second : dims),
        input2Shape: try shape(broadcast && !firstBroadcasts ? second : dims),
        outputShape: try shape(dims))
    } catch {
      continue  // an output scale too small for the rescaling: prepare refuses it, as TFLM
    }
    let count = dims.reduce(1, *)
    let small = broadcast ? second.reduce(1, *) : count
    let a = rng.int8s(broadcast && firstBroadcasts ? small : count)
    let b = rng.int8s(broadcast && !firstBroadcasts ? small : count)
    let run = { (kernels: KernelSet) -> [Int8] in
      // Both inputs exactly as large as their tensors (no spare byte to read).
      exactCopies(a, [], [], []) { first, _, _, _ in
        exactCopies(b, [], [], []) { second, _, _, _ in
          runGuarded([], outputCount: count) { _, y in
            if let add = kernels.vector?.add {
              add(p, first, second, y)
            } else {
              addInt8Reference(p, input1: first, input2: second, output: y)
            }
          }
        }
      }
    }
    if let difference = firstVectorSetDifference(from: run(.reference), run) {
      let shapes = "dims \(dims) broadcast \(broadcast ? second : dims) first \(firstBroadcasts)"
      Issue.record("seed \(0xADD0_0000_0000 + seed): \(shapes): \(difference)")
      return
    }
  }
}

/// Each input's rescaling, every int8 input, against TFLite's
/// `MultiplyByQuantizedMultiplierSmallerThanOneExp((x + offset) << 20, m, shift)`: random and
/// extreme multipliers (2^30 is the equal-scales case, shift 0, where the sign term vanishes),
/// every shift, every zero point's edges.
@Test func addInputRescaleEqualsTFLiteOnEveryInput() {
  var rng = SplitMix64(seed: 0xADD1)
  var cases: [(multiplier: Int32, shift: Int32, offset: Int32)] = []
  for shift in Int32(-31)...0 {
    for m in [Int32(1 << 30), .max, 1_518_500_250] {
      for offset in [Int32(-127), 0, 128] { cases.append((m, shift, offset)) }
    }
  }
  for _ in 0..<300 {
    cases.append(
      (
        Int32(1 << 30) + Int32(rng.below(1 << 30)), -Int32(rng.below(32)),
        Int32(rng.int(in: -127...128))
      ))
  }
  for c in cases {
    #expect(AddInputRescale.supports(multiplier: c.multiplier, shift: c.shift))
    let rescale = AddInputRescale(offset: c.offset, multiplier: c.multiplier, shift: c.shift)
    for first in stride(from: -128, through: 112, by: 16) {
      let x = SIMD16<Int32>((0..<16).map { Int32(first + $0) })
      let lanes = rescale(x)
      for l in 0..<16 {
        let expected = multiplyByQuantizedMultiplierSmallerThanOneExp(
          (x[l] + c.offset) << 20, c.multiplier, c.shift)
        guard lanes[l] == expected else {
          Issue.record("m \(c.multiplier) shift \(c.shift) offset \(c.offset) x \(x[l])")
          return
        }
      }
    }
  }
}
