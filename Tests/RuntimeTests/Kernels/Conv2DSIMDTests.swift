import KernelDispatch
import Testing

@testable import Runtime

/// One random CONV_2D: shapes, parameters and data, run through both kernels.
struct Conv2DCase: CustomStringConvertible {
  var params: ConvParams
  var inputShape: Shape4
  var filterShape: Shape4
  var outputShape: Shape4
  var input: [Int8]
  var filter: [Int8]
  var bias: [Int32]?
  var multiplier: [Int32]
  var shift: [Int32]

  var description: String {
    let p = params
    return
      "input \(inputShape.n)x\(inputShape.h)x\(inputShape.w)x\(inputShape.c), filter "
      + "\(filterShape.n)x\(filterShape.h)x\(filterShape.w)x\(filterShape.c), stride "
      + "\(p.strideHeight),\(p.strideWidth), dilation \(p.dilationHeightFactor),"
      + "\(p.dilationWidthFactor), \(p.padding), inputOffset \(p.inputOffset), outputOffset "
      + "\(p.outputOffset), clamp \(p.quantizedActivationMin)...\(p.quantizedActivationMax)"
  }

  /// A random case whose window fits (retries until the output is non-empty).
  static func random(_ rng: inout SplitMix64) -> Conv2DCase {
    while true {
      let inC = rng.size(1...4, 5...33)
      let outC = rng.size(1...10, 11...40)
      let kH = rng.int(in: 1...5)
      let kW = rng.below(3) == 0 ? rng.int(in: 1...5) : kH
      let strideH = rng.int(in: 1...3)
      let strideW = rng.below(3) == 0 ? rng.int(in: 1...3) : strideH
      let dilationH = rng.below(3) == 0 ? rng.int(in: 1...3) : 1
      let dilationW = rng.below(3) == 0 ? rng.int(in: 1...3) : dilationH
      let padding: Padding = rng.below(2) == 0 ? .same : .valid
      let batches = rng.below(5) == 0 ? 2 : 1
      let inH = rng.size(1...9, 10...17)
      let inW = rng.size(1...9, 10...17)
      guard
        let window = try? computePaddingHeightWidth(
          strideHeight: strideH, strideWidth: strideW, dilationHeight: dilationH,
          dilationWidth: dilationW, inHeight: inH, inWidth: inW, filterHeight: kH,
          filterWidth: kW, padding: padding),
        window.outHeight > 0, window.outWidth > 0
      else { continue }
      let range = rng.activationRange()
      let params = ConvParams(
        padding: padding, paddingValues: window.padding, strideWidth: strideW,
        strideHeight: strideH, dilationWidthFactor: dilationW, dilationHeightFactor: dilationH,
        inputOffset: -rng.zeroPoint(), outputOffset: rng.zeroPoint(),
        quantizedActivationMin: range.min, quantizedActivationMax: range.max)
      let inputShape = Shape4(n: batches, h: inH, w: inW, c: inC)
      let filterShape = Shape4(n: outC, h: kH, w: kW, c: inC)
      let outputShape = Shape4(n: batches, h: window.outHeight, w: window.outWidth, c: outC)
      let q = (0..<outC).map { _ in rng.requantization() }
      return Conv2DCase(
        params: params, inputShape: inputShape, filterShape: filterShape,
        outputShape: outputShape, input: rng.int8s(inputShape.flatSize),
        filter: rng.weights(filterShape.flatSize),
        bias: rng.below(5) == 0 ? nil : (0..<outC).map { _ in rng.bias() },
        multiplier: q.map(\.multiplier), shift: q.map(\.shift))
    }
  }

  /// The reference (`method` nil), or the SIMD kernel with `method`: `.reference` means the
  /// method the kernel picks itself, run by `kernels` (packed in its layout); another method is
  /// forced on the portable kernels.
  func run(_ method: Conv2DSIMDMethod?, kernels: KernelSet = .portable) -> [Int8] {
    withPointers(filter, bias ?? [], multiplier, shift) { f, b, m, s in
      let biasPointer = bias == nil ? nil : b
      return runGuarded(input, outputCount: outputShape.flatSize) { x, y in
        guard let method else {
          return conv2DPerChannelInt8Reference(
            params, outputMultiplier: m, outputShift: s, inputShape: inputShape, input: x,
            filterShape: filterShape, filter: f, bias: biasPointer, outputShape: outputShape,
            output: y)
        }
        if method == .reference, let vector = kernels.vector {
          return withAlignedBuffer(vector.conv2DFilterBytes(filterShape)) { memory in
            let packed = vector.packConv2DFilter(filterShape, f, biasPointer, m, s, memory)
            let bytes = vector.conv2DScratchBytes(
              params, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape)
            withAlignedBuffer(bytes) { scratch in
              vector.conv2D(
                params, m, s, inputShape, x, filterShape, f, biasPointer, outputShape, y, packed,
                scratch)
            }
          }
        }
        withAlignedBuffer(packedConv2DFilterBytes(filterShape: filterShape)) { memory in
          let packed = packConv2DFilter(
            filterShape: filterShape, filter: f, bias: biasPointer, outputMultiplier: m,
            outputShift: s, into: memory)
          let bytes = conv2DInt8SIMDScratchBytes(
            method, inputShape: inputShape, filterShape: filterShape)
          withAlignedBuffer(bytes) { scratch in
            conv2DPerChannelInt8SIMD(
              params, outputMultiplier: m, outputShift: s, inputShape: inputShape, input: x,
              filterShape: filterShape, filter: f, bias: biasPointer,
              outputShape: outputShape, output: y, packed: packed, scratch: scratch,
              method: method)
          }
        }
      }
    }
  }
}

/// Runs a kernel on a copy of `input` exactly as large as the tensor and an output followed by
/// guard bytes, which must be left alone.
func runGuarded(
  _ input: [Int8], outputCount: Int,
  _ kernel: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void
) -> [Int8] {
  let x = UnsafeMutablePointer<Int8>.allocate(capacity: max(input.count, 1))
  defer { x.deallocate() }
  x.initialize(from: input, count: input.count)
  let guardBytes = 64
  let y = UnsafeMutablePointer<Int8>.allocate(capacity: outputCount + guardBytes)
  defer { y.deallocate() }
  y.initialize(repeating: 0x5A, count: outputCount + guardBytes)
  kernel(x, y)
  let tail = (0..<guardBytes).allSatisfy { y[outputCount + $0] == 0x5A }
  precondition(tail, "kernel wrote past its output")
  return Array(UnsafeBufferPointer(start: y, count: outputCount))
}

@Test func conv2DSIMDEqualsReferenceOnRandomCases() {
  // Each case has its own seed, printed on failure: `Conv2DCase.random(&SplitMix64(seed:))`
  // rebuilds it.
  for seed in UInt64(0)..<2000 {
    var rng = SplitMix64(seed: 0xC0_2D00_0000 + seed)
    let c = Conv2DCase.random(&rng)
    let want = c.run(nil)
    let methods: [Conv2DSIMDMethod] =
      switch conv2DInt8SIMDMethod(
        c.params, inputShape: c.inputShape, filterShape: c.filterShape,
        outputShape: c.outputShape)
      {
      case .paddedImage: [.reference, .im2col]  // the kernel's choice, and the other way
      default: [.reference]
      }
    for method in methods {
      // The kernel's own choice with every vector set this CPU runs; im2col forced on the
      // portable one.
      for kernels in method == .reference ? KernelSet.vectorSets : [.portable] {
        let got = c.run(method, kernels: kernels)
        if got != want {
          let way = method == .reference ? "own choice" : "im2col"
          let difference = firstDifference(got, want)
          Issue.record("seed \(0xC0_2D00_0000 + seed), \(kernels.name) \(way): \(c): \(difference)")
          return
        }
      }
    }
  }
}
