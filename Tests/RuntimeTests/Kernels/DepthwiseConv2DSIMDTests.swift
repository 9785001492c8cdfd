import KernelDispatch
import Testing

@testable import Runtime

/// One random DEPTHWISE_CONV_2D, run through both kernels.
struct DepthwiseCase: CustomStringConvertible {
  var params: DepthwiseParams
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
      + "\(filterShape.h)x\(filterShape.w)x\(filterShape.c) (multiplier \(p.depthMultiplier)), "
      + "stride \(p.strideHeight),\(p.strideWidth), dilation \(p.dilationHeightFactor),"
      + "\(p.dilationWidthFactor), \(p.padding), inputOffset \(p.inputOffset), outputOffset "
      + "\(p.outputOffset), clamp \(p.quantizedActivationMin)...\(p.quantizedActivationMax)"
  }

  /// `verticalQuads`: only shapes the AVX-512 VNNI set's vertical-quad kernel takes (depth
  /// multiplier 1, at most 4 filter rows, at least 2 columns, whole groups of 16 channels).
  static func random(_ rng: inout SplitMix64, verticalQuads: Bool = false) -> DepthwiseCase {
    while true {
      let inC =
        verticalQuads
        ? 16 * rng.int(in: 1...4)
        : rng.below(4) == 0 ? rng.int(in: 30...100) : rng.size(1...4, 5...40)
      let depthMultiplier = !verticalQuads && rng.below(3) == 0 ? rng.int(in: 2...4) : 1
      let outC = inC * depthMultiplier
      // Now and then large and non-square filters (10x4, kx1 along time).
      let kH =
        verticalQuads
        ? rng.int(in: 1...4) : rng.below(10) == 0 ? rng.int(in: 6...10) : rng.int(in: 1...5)
      var kW =
        verticalQuads ? rng.int(in: 2...5) : rng.below(3) == 0 ? rng.int(in: 1...5) : kH
      let strideH = rng.int(in: 1...3)
      let strideW = rng.below(3) == 0 ? rng.int(in: 1...3) : strideH
      let dilationH = rng.below(3) == 0 ? rng.int(in: 1...3) : 1
      let dilationW = rng.below(3) == 0 ? rng.int(in: 1...3) : dilationH
      let padding: Padding = rng.below(2) == 0 ? .same : .valid
      let batches = rng.below(5) == 0 ? 2 : 1
      // Real nets run on narrow maps (25x5, 1-D Wx1 and 1xW) as well as square ones.
      let inH = rng.below(6) == 0 ? 1 : rng.size(1...9, 10...30)
      let inW = rng.below(6) == 0 && inH > 1 ? 1 : rng.size(1...9, 10...17)
      // 1-D nets along H filter with kx1 kernels (the kernel runs those maps transposed).
      if inW == 1 && rng.below(2) == 0 && !verticalQuads { kW = 1 }
      guard
        let window = try? computePaddingHeightWidth(
          strideHeight: strideH, strideWidth: strideW, dilationHeight: dilationH,
          dilationWidth: dilationW, inHeight: inH, inWidth: inW, filterHeight: kH,
          filterWidth: kW, padding: padding),
        window.outHeight > 0, window.outWidth > 0
      else { continue }
      let range = rng.activationRange()
      let params = DepthwiseParams(
        padding: padding, paddingValues: window.padding, strideWidth: strideW,
        strideHeight: strideH, dilationWidthFactor: dilationW, dilationHeightFactor: dilationH,
        depthMultiplier: depthMultiplier, inputOffset: -rng.zeroPoint(),
        outputOffset: rng.zeroPoint(), quantizedActivationMin: range.min,
        quantizedActivationMax: range.max)
      let inputShape = Shape4(n: batches, h: inH, w: inW, c: inC)
      let filterShape = Shape4(n: 1, h: kH, w: kW, c: outC)
      let outputShape = Shape4(n: batches, h: window.outHeight, w: window.outWidth, c: outC)
      // Vertical quads need every channel's requantisation to fold: mostly real layers' (one
      // case in eight keeps the full range, which takes the segment kernel).
      let real = verticalQuads && rng.below(8) != 0
      let q = (0..<outC).map { _ in real ? rng.realRequantization() : rng.requantization() }
      let input = rng.int8s(inputShape.flatSize)
      let filter = rng.weights(filterShape.flatSize)
      let bias: [Int32]? =
        rng.below(5) == 0
        ? nil
        : (0..<outC).map { _ in real ? Int32(rng.int(in: -40_000...40_000)) : rng.bias() }
      return DepthwiseCase(
        params: params, inputShape: inputShape, filterShape: filterShape,
        outputShape: outputShape, input: input, filter: filter, bias: bias,
        multiplier: q.map(\.multiplier), shift: q.map(\.shift))
    }
  }

  func run(_ kernels: KernelSet) -> [Int8] {
    // The filter, bias and multipliers exactly as large as the tensors (no spare element).
    exactCopies(filter, bias ?? [], multiplier, shift) { f, b, m, s in
      let biasPointer = bias == nil ? nil : b
      return runGuarded(input, outputCount: outputShape.flatSize) { x, y in
        if let depthwise = kernels.vector?.depthwiseConv2D, let pack = depthwise.pack,
          let vectorRun = depthwise.run
        {
          // Packed weights and scratch as the interpreter plans them, exactly as large.
          let memory = UnsafeMutableRawPointer.allocate(
            byteCount: depthwise.filterBytes(filterShape), alignment: 16)
          let scratch = UnsafeMutableRawPointer.allocate(
            byteCount: DepthwiseScratchLayout(
              DepthwiseGeometry(
                params, inputShape: inputShape, filterShape: filterShape,
                outputShape: outputShape)
            ).bytes, alignment: 16)
          defer {
            memory.deallocate()
            scratch.deallocate()
          }
          let packed = pack(params, filterShape, f, biasPointer, m, s, memory)
          vectorRun(params, packed, scratch, inputShape, x, filterShape, outputShape, y)
        } else {
          depthwiseConv2DPerChannelInt8Reference(
            params, outputMultiplier: m, outputShift: s, inputShape: inputShape, input: x,
            filterShape: filterShape, filter: f, bias: biasPointer, outputShape: outputShape,
            output: y)
        }
      }
    }
  }
}

@Test func depthwiseConv2DSIMDEqualsReferenceOnRandomCases() {
  checkRandomCases(2000, seedBase: 0xD3_0000_0000) { rng in
    let c = DepthwiseCase.random(&rng)
    // Every vector set's block: the portable one (what a microcontroller build runs) and this
    // CPU's.
    return firstVectorSetDifference(from: c.run(.reference), c.run).map { "\(c): \($0)" }
  }
}

@Test func depthwiseConv2DSIMDEqualsReferenceOnVerticalQuadShapes() {
  // The shapes the AVX-512 VNNI set packs as vertical quads (its other shapes, and every shape
  // of the other sets, are the test above's).
  checkRandomCases(600, seedBase: 0xD4_0000_0000) { rng in
    let c = DepthwiseCase.random(&rng, verticalQuads: true)
    return firstVectorSetDifference(from: c.run(.reference), c.run).map { "\(c): \($0)" }
  }
}

@Test func dilatedWindowListsExactlyTheInImageTaps() {
  for origin in -9...9 {
    for dilation in 1...3 {
      for filterSize in 1...5 {
        for inputSize in 1...7 {
          let want = (0..<filterSize).filter {
            origin + dilation * $0 >= 0 && origin + dilation * $0 < inputSize
          }
          let got = Array(
            dilatedWindow(
              origin: origin, dilation: dilation, filterSize: filterSize, inputSize: inputSize))
          #expect(
            got == want, "origin \(origin) dilation \(dilation) size \(filterSize)/\(inputSize)")
        }
      }
    }
  }
}
