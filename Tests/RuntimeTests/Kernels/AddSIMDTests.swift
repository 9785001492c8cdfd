import Testing

@testable import Runtime

@Test func addSIMDEqualsReferenceOnRandomCases() throws {
  for seed in UInt64(0)..<3000 {
    var rng = SplitMix64(seed: 0xADD0_0000_0000 + seed)
    let rank = rng.int(in: 1...4)
    let dims = (0..<rank).map { _ in rng.size(1...5, 6...20) }
    // Mostly equal shapes (the vector path); sometimes one input broadcasts (the reference).
    let broadcast = rng.below(5) == 0
    let dims2 = broadcast ? dims.map { _ in rng.below(2) == 0 ? 1 : 0 } : dims
    let second = zip(dims, dims2).map { $1 == 0 ? $0 : 1 }
    let scale: () -> Float = { Float(rng.int(in: 1...1000)) / 997 }
    let activations: [FusedActivation] = [.none, .relu, .relu6, .reluN1To1]
    let p: AddParams
    do {
      p = try prepareAdd(
        input1Scale: scale(), input1ZeroPoint: rng.zeroPoint(), input2Scale: scale(),
        input2ZeroPoint: rng.zeroPoint(), outputScale: scale(), outputZeroPoint: rng.zeroPoint(),
        activation: activations[rng.below(activations.count)], input1Shape: try shape(dims),
        input2Shape: try shape(broadcast ? second : dims), outputShape: try shape(dims))
    } catch {
      continue  // an output scale too small for the rescaling: prepare refuses it, as TFLM
    }
    let count = dims.reduce(1, *)
    let a = rng.int8s(count)
    let b = rng.int8s(broadcast ? second.reduce(1, *) : count)
    let run = { (simd: Bool) -> [Int8] in
      exactCopies(b, [], [], []) { second, _, _, _ in
        runGuarded(a, outputCount: count) {
          if simd {
            addInt8SIMD(p, input1: $0, input2: second, output: $1)
          } else {
            addInt8Reference(p, input1: $0, input2: second, output: $1)
          }
        }
      }
    }
    let (got, want) = (run(true), run(false))
    if got != want {
      let shapes = "dims \(dims) second \(broadcast ? second : dims)"
      Issue.record("seed \(0xADD0_0000_0000 + seed): \(shapes): \(firstDifference(got, want))")
      return
    }
  }
}
