import KernelDispatch
import Testing

@testable import Runtime

/// One random TRANSPOSE_CONV: shapes, parameters and data, as TFLM's prepare would hand them to
/// the kernel (padding computed from the output size).
struct TransposeConvCase: CustomStringConvertible {
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
      + "\(filterShape.n)x\(filterShape.h)x\(filterShape.w)x\(filterShape.c), output "
      + "\(outputShape.h)x\(outputShape.w), stride \(p.strideHeight),\(p.strideWidth), "
      + "padding \(p.paddingValues.height),\(p.paddingValues.width), inputOffset "
      + "\(p.inputOffset), outputOffset \(p.outputOffset), clamp "
      + "\(p.quantizedActivationMin)...\(p.quantizedActivationMax)"
  }

  /// A random case: SAME or VALID, strides 1-3, kernels 1-5, channel counts off the vector
  /// widths; the output size is the converter's (`in * stride` for SAME, `(in - 1) * stride + k`
  /// for VALID), sometimes one larger or smaller, as an explicit output shape may be.
  static func random(_ rng: inout SplitMix64) -> TransposeConvCase {
    while true {
      let inC = rng.size(1...9, 10...40)
      let outC = rng.size(1...9, 10...33)
      let kH = rng.int(in: 1...5)
      let kW = rng.below(3) == 0 ? rng.int(in: 1...5) : kH
      let strideH = rng.int(in: 1...3)
      let strideW = rng.below(3) == 0 ? rng.int(in: 1...3) : strideH
      let padding: Padding = rng.below(2) == 0 ? .same : .valid
      let batches = rng.below(5) == 0 ? 2 : 1
      let inH = rng.size(1...6, 7...12)
      let inW = rng.size(1...6, 7...12)
      func outSize(_ size: Int, _ stride: Int, _ k: Int) -> Int {
        let natural = padding == .same ? size * stride : (size - 1) * stride + k
        return natural + (rng.below(5) == 0 ? rng.int(in: -1...1) : 0)
      }
      let outH = outSize(inH, strideH, kH)
      let outW = outSize(inW, strideW, kW)
      guard outH > 0, outW > 0,
        let window = try? computePaddingHeightWidth(
          strideHeight: strideH, strideWidth: strideW, dilationHeight: 1, dilationWidth: 1,
          inHeight: outH, inWidth: outW, filterHeight: kH, filterWidth: kW, padding: padding)
      else { continue }
      let range = rng.activationRange()
      let params = ConvParams(
        padding: padding, paddingValues: window.padding, strideWidth: strideW,
        strideHeight: strideH, inputOffset: -rng.zeroPoint(), weightsOffset: 0,
        outputOffset: rng.zeroPoint(), quantizedActivationMin: range.min,
        quantizedActivationMax: range.max)
      let inputShape = Shape4(n: batches, h: inH, w: inW, c: inC)
      let filterShape = Shape4(n: outC, h: kH, w: kW, c: inC)
      let outputShape = Shape4(n: batches, h: outH, w: outW, c: outC)
      let q = (0..<outC).map { _ in rng.requantization() }
      return TransposeConvCase(
        params: params, inputShape: inputShape, filterShape: filterShape,
        outputShape: outputShape, input: rng.int8s(inputShape.flatSize),
        filter: rng.weights(filterShape.flatSize),
        bias: rng.below(5) == 0 ? nil : (0..<outC).map { _ in rng.bias() },
        multiplier: q.map(\.multiplier), shift: q.map(\.shift))
    }
  }

  /// The reference kernel (`kernels` nil) or the set's vector kernel, with exact-size copies of
  /// every tensor, an output with guard bytes and a scratch of the planned size.
  func run(_ kernels: KernelSet?) -> [Int8] {
    exactCopies(filter, bias ?? [], multiplier, shift) { f, b, m, s in
      let biasPointer = bias == nil ? nil : b
      return runGuarded(input, outputCount: outputShape.flatSize) { x, y in
        let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: outputShape.flatSize)
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0x5A5A_5A5A, count: outputShape.flatSize)
        guard let vector = kernels?.vector else {
          return transposeConvPerChannelInt8Reference(
            params, outputMultiplier: m, outputShift: s, inputShape: inputShape, input: x,
            filterShape: filterShape, filter: f, bias: biasPointer, outputShape: outputShape,
            output: y, scratch: scratch)
        }
        vector.transposeConv(
          params, m, s, inputShape, x, filterShape, f, biasPointer, outputShape, y, scratch)
      }
    }
  }
}

@Test func transposeConvSIMDEqualsReferenceOnRandomCases() {
  checkRandomCases(2000, seedBase: 0x7C0_0000_0000) { rng in
    let c = TransposeConvCase.random(&rng)
    let want = c.run(nil)
    return firstVectorSetDifference(from: want) { c.run($0) }.map { "\(c): \($0)" }
  }
}

/// The tap windows the kernel gathers are exactly the taps the reference scatters: for every
/// output position, the k with `out = in * stride - padding + k` for some in-range input, each
/// with its input position; the positions stepped from 0 as the kernel steps them.
@Test func transposeConvWindowsListTheReferenceTaps() {
  for step in 1...3 {
    for filterSize in 1...6 {
      for inputSize in 1...5 {
        for padding in 0...3 {
          var position = TransposeConvPosition(out: 0, padding: padding, stride: step)
          for out in 0..<(inputSize * step + filterSize) {
            let window = TransposeConvWindow(
              position, stride: step, filterSize: filterSize, inputSize: inputSize)
            let taps = Array(stride(from: window.firstTap, to: window.endTap, by: step))
            let got = taps.enumerated().map { [$0.element, window.firstInput - $0.offset] }
            let want = (0..<filterSize).flatMap { k in
              (0..<inputSize).filter { $0 * step - padding + k == out }.map { [k, $0] }
            }
            #expect(
              got == want,
              "stride \(step) k \(filterSize) in \(inputSize) pad \(padding) out \(out)")
            position.advance(stride: step)
          }
        }
      }
    }
  }
}
