import KernelDispatch
import Testing

@testable import Runtime

/// One random pooling, run through both kernels of its kind.
struct PoolCase: CustomStringConvertible {
  var params: PoolParams
  var inputShape: Shape4
  var outputShape: Shape4
  var input: [Int8]

  var description: String {
    let p = params
    return
      "input \(inputShape.n)x\(inputShape.h)x\(inputShape.w)x\(inputShape.c), window "
      + "\(p.filterHeight)x\(p.filterWidth), stride \(p.strideHeight),\(p.strideWidth), "
      + "\(p.padding), clamp \(p.quantizedActivationMin)...\(p.quantizedActivationMax)"
  }

  static func random(_ rng: inout SplitMix64) -> PoolCase {
    while true {
      // Whole vectors of channels too: the 2x2 max pool has a loop of its own for them.
      let channels = rng.below(5) == 0 ? 16 * rng.int(in: 1...3) : rng.size(1...9, 10...40)
      let huge = rng.below(40) == 0  // more than 254 taps: the average's reference fallback
      let kH = huge ? 16 : rng.int(in: 1...5)
      let kW = huge ? 17 : (rng.below(3) == 0 ? rng.int(in: 1...5) : kH)
      let strideH = rng.int(in: 1...3)
      let strideW = rng.below(3) == 0 ? rng.int(in: 1...3) : strideH
      let padding: Padding = rng.below(2) == 0 ? .same : .valid
      let inH = huge ? 17 : rng.size(1...9, 10...17)
      let inW = huge ? 17 : rng.size(1...9, 10...17)
      guard
        let window = try? computePaddingHeightWidth(
          strideHeight: strideH, strideWidth: strideW, dilationHeight: 1, dilationWidth: 1,
          inHeight: inH, inWidth: inW, filterHeight: kH, filterWidth: kW, padding: padding),
        window.outHeight > 0, window.outWidth > 0
      else { continue }
      let range = rng.activationRange()
      let batches = rng.below(5) == 0 ? 2 : 1
      let inputShape = Shape4(n: batches, h: inH, w: inW, c: channels)
      return PoolCase(
        params: PoolParams(
          padding: padding, paddingValues: window.padding, strideHeight: strideH,
          strideWidth: strideW, filterHeight: kH, filterWidth: kW,
          quantizedActivationMin: range.min, quantizedActivationMax: range.max),
        inputShape: inputShape,
        outputShape: Shape4(n: batches, h: window.outHeight, w: window.outWidth, c: channels),
        input: rng.int8s(inputShape.flatSize))
    }
  }

  func runMax(_ kernels: KernelSet) -> [Int8] {
    runGuarded(input, outputCount: outputShape.flatSize) { x, y in
      if let vector = kernels.vector {
        vector.maxPool2D(params, inputShape, x, outputShape, y)
      } else {
        maxPool2DInt8Reference(
          params, inputShape: inputShape, input: x, outputShape: outputShape, output: y)
      }
    }
  }

  /// The output and the kernel's answer; the output's unwritten bytes after a `false` are equal
  /// only if both kernels stop at the same element, which the test also wants.
  func runAverage(_ kernels: KernelSet) -> ([Int8], Bool) {
    var ok = false
    let out = runGuarded(input, outputCount: outputShape.flatSize) { x, y in
      ok =
        kernels.vector?.averagePool2D(params, inputShape, x, outputShape, y)
        ?? averagePool2DInt8Reference(
          params, inputShape: inputShape, input: x, outputShape: outputShape, output: y)
    }
    return (out, ok)
  }
}

@Test func poolingSIMDEqualsReferenceOnRandomCases() {
  checkRandomCases(3000, seedBase: 0x9001_0000_0000) { rng in
    let c = PoolCase.random(&rng)
    if let difference = firstVectorSetDifference(from: c.runMax(.reference), c.runMax) {
      return "max: \(c): \(difference)"
    }
    let averageWant = c.runAverage(.reference)
    for kernels in KernelSet.vectorSets {
      let averageGot = c.runAverage(kernels)
      if averageGot != averageWant {
        return "average, \(kernels.name): \(c): "
          + "\(firstDifference(averageGot.0, averageWant.0)), ok \(averageGot.1) \(averageWant.1)"
      }
    }
    return nil
  }
}

@Test func averagePoolSIMDFailsLikeTheReferenceOnAnEmptyWindow() {
  // Padding 3 before a 2x2 window of stride 1 on a 2x2 image: the first window is all padding.
  let p = PoolParams(
    padding: .same, paddingValues: PaddingValues(width: 3, height: 3), filterHeight: 2,
    filterWidth: 2)
  let c = PoolCase(
    params: p, inputShape: Shape4(n: 1, h: 2, w: 2, c: 3),
    outputShape: Shape4(n: 1, h: 2, w: 2, c: 3), input: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  for kernels in KernelSet.available { #expect(c.runAverage(kernels).1 == false) }
}

@Test func reciprocalDivisionIsExactForEveryWindowSize() {
  for n in Int32(1)...254 {
    let division = ReciprocalDivision(n)
    for a in stride(from: Int32(0), to: 32_768, by: 1) where a % 7 == 0 || a > 32_000 {
      let got = division.quotient(Lanes(repeating: a))[0]
      if got != a / n {
        Issue.record("\(a) / \(n): got \(got)")
        return
      }
    }
  }
}
