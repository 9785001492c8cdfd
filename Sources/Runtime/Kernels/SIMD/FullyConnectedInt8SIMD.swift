/// Batch rows converted at a time (to int16 pairs, or to bytes x + 128 on AVX-512 VNNI).
@usableFromInline let fullyConnectedBlockRows = 8

/// The scratch the SIMD kernels need for `batches` rows (a block of them at a time): one row
/// for batch 1, where eight would outgrow a microcontroller's arena (FC 640: 10 KB).
public func fullyConnectedInt8SIMDScratchBytes(
  filterShape: Shape4, batches: Int = fullyConnectedBlockRows
) -> Int {
  min(max(batches, 1), fullyConnectedBlockRows) * 4 * ((filterShape.c + 1) / 2)
    + activationRowSlack
}

/// The bytes `packFullyConnectedFilter` writes: this module's layout, `PackedInt8Weights` (int16
/// pairs), or in the AVX-512 VNNI one `DotProductWeights` (bytes for `vpdpbusd`) alone.
func packedFullyConnectedFilterBytes(filterShape: Shape4) -> Int {
  #if AVX512 && canImport(X86DotProduct)
    return DotProductWeights.byteCount(
      channels: filterShape.h * filterShape.w, segments: 1, segmentLength: filterShape.c)
  #else
    return PackedInt8Weights.byteCount(
      channels: filterShape.h * filterShape.w, segments: 1, segmentLength: filterShape.c)
  #endif
}

/// The FULLY_CONNECTED filter (`[outDepth, accumDepth]`, as the reference reads it) packed for
/// this module's `fullyConnectedInt8SIMD`, with its bias and requantisation: per-channel
/// multipliers (`perChannel`), or `outputMultiplier[0]` and `outputShift[0]` for every channel
/// (per-tensor weights).
func packFullyConnectedFilter(
  filterShape: Shape4, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
  outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>, perChannel: Bool,
  into memory: UnsafeMutableRawPointer
) {
  #if AVX512 && canImport(X86DotProduct)
    _ = DotProductWeights(
      packing: filter, channels: filterShape.h * filterShape.w, segments: 1,
      segmentLength: filterShape.c, bias: bias, multiplier: outputMultiplier,
      shift: outputShift, perChannel: perChannel, into: memory)
  #else
    _ = PackedInt8Weights(
      packing: filter, channels: filterShape.h * filterShape.w, segments: 1,
      segmentLength: filterShape.c, bias: bias, multiplier: outputMultiplier, shift: outputShift,
      perChannel: perChannel, into: memory)
  #endif
}

/// Int8 FULLY_CONNECTED, per-channel or per-tensor weights alike: the same bytes as
/// `fullyConnectedPerChannelInt8Reference` or `fullyConnectedInt8Reference`, on the filter
/// `packFullyConnectedFilter` packed at `packed` (the requantisation is in it) and
/// `fullyConnectedInt8SIMDScratchBytes` of `scratch`. `batches` rows of `filterShape.c` values.
/// A filter zero point (`weightsOffset`, which int8 files do not have) is not packed: the
/// interpreter runs the reference for it (`reserveFullyConnectedSIMD`).
func fullyConnectedInt8SIMD(
  _ p: FullyConnectedParams, packed: UnsafeRawPointer, filterShape: Shape4, batches: Int,
  input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
  scratch: UnsafeMutableRawPointer
) {
  precondition(p.weightsOffset == 0, "a filter zero point runs the reference")
  #if AVX512 && canImport(X86DotProduct)
    fullyConnectedDotProduct(
      p, input: input, batches: batches, depth: filterShape.c, output: output,
      dot: DotProductWeights(
        at: packed, channels: filterShape.h * filterShape.w, segments: 1,
        segmentLength: filterShape.c), scratch: scratch)
  #else
    fullyConnectedPacked(
      p, input: input, batches: batches, output: output,
      packed: PackedInt8Weights(
        packedAt: packed, channels: filterShape.h * filterShape.w, segments: 1,
        segmentLength: filterShape.c), scratch: scratch)
  #endif
}

/// The int16 GEMM on `batches` rows (a block at a time).
private func fullyConnectedPacked(
  _ p: FullyConnectedParams, input: UnsafePointer<Int8>, batches: Int,
  output: UnsafeMutablePointer<Int8>, packed: PackedInt8Weights, scratch: UnsafeMutableRawPointer
) {
  let outputDepth = packed.channels
  let depth = packed.segmentLength
  let range = LaneOutputRange(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax)
  let readableEnd = input + batches * depth
  var first = 0
  while first < batches {
    let count = min(fullyConnectedBlockRows, batches - first)
    int16RowsWithOffset(
      input + first * depth, depth: depth, count: count, offset: p.inputOffset,
      readableEnd: readableEnd, rows: scratch)
    var rows = ContiguousActivationRows(UnsafeRawPointer(scratch), for: packed)
    gemmInt8SIMD(
      &rows, pixels: count, packed: packed, range: range,
      output: output + first * outputDepth, outputStride: outputDepth)
    first += count
  }
}
