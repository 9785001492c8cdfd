import KernelDispatch
import Testing

@testable import Runtime

@Test func meanSIMDEqualsReferenceOnRandomCases() throws {
  for seed in UInt64(0)..<2000 {
    var rng = SplitMix64(seed: 0x3EA0_0000_0000 + seed)
    let rank = rng.int(in: 1...4)
    let dims = (0..<rank).map { _ in rng.size(1...5, 6...12) }
    // Any set of axes, repeated or negative, most often H and W of a 4-D tensor.
    var axes: [Int32]
    if rank == 4 && rng.below(2) == 0 {
      axes = [1, 2]
    } else {
      axes = (0..<rng.int(in: 1...rank)).map { _ in Int32(rng.int(in: -rank...(rank - 1))) }
    }
    let reduced = Set(axes.map { $0 < 0 ? Int($0) + rank : Int($0) })
    let keepDims = rng.below(2) == 0
    let outputDims =
      keepDims
      ? dims.indices.map { reduced.contains($0) ? 1 : dims[$0] }
      : dims.indices.filter { !reduced.contains($0) }.map { dims[$0] }
    let inputShape = try shape(dims)
    let outputShape = try shape(outputDims)
    let scaleRatio = Float(rng.int(in: 1...400)) / 100
    let p = try withInt32s(axes) { (axis) throws(KernelError) in
      try prepareMean(
        inputShape: inputShape, axis: axis, outputShape: outputShape, inputScale: scaleRatio,
        inputZeroPoint: rng.zeroPoint(), outputScale: 1, outputZeroPoint: rng.zeroPoint())
    }
    let input = rng.int8s(inputShape.flatSize)
    let want = runGuarded(input, outputCount: outputShape.flatSize) {
      meanInt8Reference(p, input: $0, output: $1)
    }
    let difference = firstVectorSetDifference(from: want) { kernels in
      runGuarded(input, outputCount: outputShape.flatSize) { kernels.vector!.mean(p, $0, $1) }
    }
    if let difference {
      Issue.record("seed \(0x3EA0_0000_0000 + seed): dims \(dims) axes \(axes): \(difference)")
      return
    }
  }
}

@Test func meanLayoutFindsTheGlobalAveragePool() throws {
  let p = try withInt32s([1, 2]) { (axis) throws(KernelError) in
    try prepareMean(
      inputShape: try shape(2, 3, 4, 5), axis: axis, outputShape: try shape(2, 5),
      inputScale: 1, inputZeroPoint: 0, outputScale: 1, outputZeroPoint: 0)
  }
  let layout = try #require(MeanLayout(p))
  #expect(layout.outer == 2 && layout.reduced == 12 && layout.inner == 5)
}
