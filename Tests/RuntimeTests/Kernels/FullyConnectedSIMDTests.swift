import KernelDispatch
import Testing

@testable import Runtime

/// One random FULLY_CONNECTED, per-channel or per-tensor, run through both kernels.
struct FullyConnectedCase: CustomStringConvertible {
  var params: FullyConnectedParams
  var perChannel: Bool
  var batches: Int
  var inputShape: Shape4
  var filterShape: Shape4
  var outputShape: Shape4
  var input: [Int8]
  var filter: [Int8]
  var bias: [Int32]?
  var multiplier: [Int32]
  var shift: [Int32]

  var description: String {
    "\(perChannel ? "per-channel" : "per-tensor"), \(batches) x \(filterShape.c) -> "
      + "\(filterShape.w), inputOffset \(params.inputOffset), outputOffset "
      + "\(params.outputOffset), clamp \(params.quantizedActivationMin)..."
      + "\(params.quantizedActivationMax), bias \(bias == nil ? "none" : "yes")"
  }

  static func random(_ rng: inout SplitMix64) -> FullyConnectedCase {
    let batches = rng.size(1...2, 3...9)
    let depth = rng.size(1...40, 41...700)
    let outDepth = rng.size(1...20, 21...130)
    let perChannel = rng.below(2) == 0
    let q = (0..<(perChannel ? outDepth : 1)).map { _ in rng.requantization() }
    let range = rng.activationRange()
    let params = FullyConnectedParams(
      inputOffset: -rng.zeroPoint(), outputOffset: rng.zeroPoint(),
      outputMultiplier: q[0].multiplier, outputShift: q[0].shift,
      quantizedActivationMin: range.min, quantizedActivationMax: range.max)
    // The file's shapes: input [batches, depth] (sometimes 4-D), filter [outDepth, depth].
    let inputShape =
      rng.below(2) == 0
      ? Shape4(n: 1, h: 1, w: batches, c: depth) : Shape4(n: batches, h: 1, w: 1, c: depth)
    return FullyConnectedCase(
      params: params, perChannel: perChannel, batches: batches, inputShape: inputShape,
      filterShape: Shape4(n: 1, h: 1, w: outDepth, c: depth),
      outputShape: Shape4(n: 1, h: 1, w: batches, c: outDepth),
      input: rng.int8s(batches * depth), filter: rng.weights(outDepth * depth),
      bias: rng.below(5) == 0 ? nil : (0..<outDepth).map { _ in rng.bias() },
      multiplier: q.map(\.multiplier), shift: q.map(\.shift))
  }

  func run(_ kernels: KernelSet) -> [Int8] {
    withPointers(filter, bias ?? [], multiplier, shift) { f, b, m, s in
      let biasPointer = bias == nil ? nil : b
      return runGuarded(input, outputCount: outputShape.flatSize) { x, y in
        guard let vector = kernels.vector else {
          if perChannel {
            fullyConnectedPerChannelInt8Reference(
              params, outputMultiplier: m, outputShift: s, inputShape: inputShape, input: x,
              filterShape: filterShape, filter: f, bias: biasPointer, outputShape: outputShape,
              output: y)
          } else {
            fullyConnectedInt8Reference(
              params, inputShape: inputShape, input: x, filterShape: filterShape, filter: f,
              bias: biasPointer, outputShape: outputShape, output: y)
          }
          return
        }
        withAlignedBuffer(vector.fullyConnectedFilterBytes(filterShape)) { memory in
          vector.packFullyConnectedFilter(filterShape, f, biasPointer, m, s, perChannel, memory)
          withAlignedBuffer(
            fullyConnectedInt8SIMDScratchBytes(filterShape: filterShape, batches: batches)
          ) { scratch in
            vector.fullyConnected(
              params, UnsafeRawPointer(memory), filterShape, batches, x, y, scratch)
          }
        }
      }
    }
  }
}

@Test func fullyConnectedSIMDEqualsReferenceOnRandomCases() {
  checkRandomCases(3000, seedBase: 0xFC_0000_0000) { rng in
    let c = FullyConnectedCase.random(&rng)
    return firstVectorSetDifference(from: c.run(.reference), c.run).map { "\(c): \($0)" }
  }
}
