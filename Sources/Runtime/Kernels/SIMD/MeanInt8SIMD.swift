/// Int8 MEAN: the same bytes as `meanInt8Reference` (same parameters). When the reduced axes are
/// consecutive and an inner block of kept axes follows them (a global average pool: H and W
/// reduced, C kept), the input is `[outer][reduced][inner]` and the sums run eight inner
/// elements at a time in int32 lanes, then requantise as vectors. Other axis sets go to the
/// reference.
public func meanInt8SIMD(
  _ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  guard !p.inputIsEmpty, let layout = MeanLayout(p) else {
    return meanInt8Reference(p, input: input, output: output)
  }
  let zeroPointTimesCount = Lanes(
    repeating: p.inputZeroPoint &* Int32(truncatingIfNeeded: p.elementsPerOutput))
  let requantization = LaneRequantization(
    multiplier: Lanes(repeating: p.outputMultiplier),
    leftShift: Lanes(repeating: p.outputShift > 0 ? p.outputShift : 0),
    rightShift: Lanes(repeating: p.outputShift > 0 ? 0 : -p.outputShift))
  let range = LaneOutputRange(offset: p.outputZeroPoint, minimum: -128, maximum: 127)
  let inputEnd = input + p.outputCount * p.elementsPerOutput
  for outer in 0..<layout.outer {
    let block = input + outer * layout.reduced * layout.inner
    for inner0 in stride(from: 0, to: layout.inner, by: 8) {
      let lanes = layout.inner - inner0 < 8 ? layout.inner - inner0 : 8
      var sum = Lanes()
      for r in 0..<layout.reduced {
        sum &+= loadInt8Lanes(block + r * layout.inner + inner0, count: lanes, end: inputEnd)
      }
      let y = requantization.apply(sum &- zeroPointTimesCount)
      store(range.narrow(y), to: output + outer * layout.inner + inner0, count: lanes)
    }
  }
}

/// A MEAN whose input is `[outer][reduced][inner]` in memory, row-major.
struct MeanLayout {
  var outer: Int
  var reduced: Int
  var inner: Int

  /// The layout when the kept axes are some outer ones and some inner ones around one
  /// consecutive run of reduced axes (strides tell: an axis's stride is the product of the sizes
  /// of the axes after it); nil otherwise.
  init?(_ p: MeanParams) {
    guard p.reducedSizes.rank > 0 else { return nil }
    // The reduced run is consecutive when its innermost stride times its element count equals
    // its outermost stride times that axis's size.
    let innermostReduced = p.reducedSizes.rank - 1
    let inner = p.reducedStrides[innermostReduced]
    var expected = inner
    for axis in stride(from: innermostReduced, through: 0, by: -1) {
      guard p.reducedStrides[axis] == expected else { return nil }
      expected *= p.reducedSizes[axis]
    }
    // The kept axes must be exactly: outer ones (strides >= expected) and inner ones (< inner),
    // contiguous among themselves.
    var outerCount = 1
    var innerCount = 1
    for axis in 0..<p.keptSizes.rank {
      if p.keptStrides[axis] >= expected {
        outerCount *= p.keptSizes[axis]
      } else if p.keptStrides[axis] < inner {
        innerCount *= p.keptSizes[axis]
      } else {
        return nil
      }
    }
    guard innerCount == inner, outerCount * innerCount == p.outputCount else { return nil }
    outer = outerCount
    reduced = p.elementsPerOutput
    self.inner = inner
  }
}
