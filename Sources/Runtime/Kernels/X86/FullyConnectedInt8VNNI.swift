// FULLY_CONNECTED on AVX-512 VNNI: the rows as bytes `x + 128` and `gemmDotProductU8S8`
// (Conv2DInt8VNNI.swift, where the arithmetic is shown exact), on the filter packed as
// `DotProductWeights` alone: this set's layout, read by this set's kernel only.

#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct

  /// `fullyConnectedInt8SIMD` on `vpdpbusd`, a block of rows of `depth` values at a time (one
  /// row straight to `dotProductRow`). No padding taps; the depth's padding to a multiple of 4
  /// meets zero weights.
  func fullyConnectedDotProduct(
    _ p: FullyConnectedParams, input: UnsafePointer<Int8>, batches: Int, depth: Int,
    output: UnsafeMutablePointer<Int8>, dot d: DotProductWeights,
    scratch: UnsafeMutableRawPointer
  ) {
    precondition(dotProductSupports(inputOffset: p.inputOffset), "an int8 zero point")
    let outputDepth = d.channels
    let rowBytes = 4 * d.segmentQuads
    if batches == 1 {
      flippedRow(input, depth: depth, rowBytes: rowBytes, into: scratch)
      return dotProductRow(
        UnsafeRawPointer(scratch), dot: d, inputOffset: p.inputOffset,
        outputOffset: p.outputOffset, outputMinimum: p.quantizedActivationMin,
        outputMaximum: p.quantizedActivationMax, output: output)
    }
    var first = 0
    while first < batches {
      let count = min(fullyConnectedBlockRows, batches - first)
      for r in 0..<count {
        flippedRow(
          input + (first + r) * depth, depth: depth, rowBytes: rowBytes,
          into: scratch + r * rowBytes)
      }
      var rows = UInt8Rows(UnsafeRawPointer(scratch), rowBytes: rowBytes)
      gemmDotProductU8S8(
        &rows, pixels: count, outputOffset: p.outputOffset,
        outputMinimum: p.quantizedActivationMin, outputMaximum: p.quantizedActivationMax,
        dot: d, inputOffset: p.inputOffset, output: output + first * outputDepth,
        outputStride: outputDepth)
      first += count
    }
  }

  /// `depth` values `x` as bytes `x + 128`, then zeros up to `rowBytes` (the quads' padding).
  @inline(__always)
  private func flippedRow(
    _ x: UnsafePointer<Int8>, depth: Int, rowBytes: Int, into row: UnsafeMutableRawPointer
  ) {
    appendFlipped(x, count: depth, to: row, readableEnd: x + depth)
    let bytes = row.assumingMemoryBound(to: UInt8.self)
    for i in depth..<rowBytes { bytes[i] = 0 }
  }
#endif
