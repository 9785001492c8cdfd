// FULLY_CONNECTED on AVX-512 VNNI: the rows as bytes `x + 128` and `gemmDotProductU8S8`
// (Conv2DInt8VNNI.swift, where the arithmetic is shown exact), on the filter packed as
// `DotProductWeights` alone: this set's layout, read by this set's kernel only.

#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct

  /// `fullyConnectedInt8SIMD` on `vpdpbusd`, a block of rows of `depth` values at a time. No padding taps; the
  /// depth's padding to a multiple of 4 meets zero weights.
  func fullyConnectedDotProduct(
    _ p: FullyConnectedParams, input: UnsafePointer<Int8>, batches: Int, depth: Int,
    output: UnsafeMutablePointer<Int8>, dot d: DotProductWeights,
    scratch: UnsafeMutableRawPointer
  ) {
    precondition(dotProductSupports(inputOffset: p.inputOffset), "an int8 zero point")
    let outputDepth = d.channels
    let rowBytes = 4 * d.segmentQuads
    let bytes = scratch.assumingMemoryBound(to: UInt8.self)
    var first = 0
    while first < batches {
      let count = min(fullyConnectedBlockRows, batches - first)
      for r in 0..<count {
        let source = input + (first + r) * depth
        let row = bytes + r * rowBytes
        for i in 0..<depth { row[i] = UInt8(bitPattern: source[i]) ^ 0x80 }
        for i in depth..<rowBytes { row[i] = 0 }
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
#endif
