/// Batch rows converted to int16 at a time.
@usableFromInline let fullyConnectedBlockRows = 8

/// The scratch the fully connected SIMD kernels need: one block of int16 rows.
/// The scratch the SIMD kernels need for `batches` rows (a block of them at a time): one row
/// for batch 1, where eight would outgrow a microcontroller's arena (FC 640: 10 KB).
public func fullyConnectedInt8SIMDScratchBytes(
  filterShape: Shape4, batches: Int = fullyConnectedBlockRows
) -> Int {
  min(max(batches, 1), fullyConnectedBlockRows) * 4 * ((filterShape.c + 1) / 2)
    + activationRowSlack
}

/// The bytes `packFullyConnectedFilter` writes (this module's layout: with the vpdpbusd packing
/// in the AVX-512 VNNI one).
func packedFullyConnectedFilterBytes(filterShape: Shape4) -> Int {
  let bytes = PackedInt8Weights.byteCount(
    channels: filterShape.h * filterShape.w, segments: 1, segmentLength: filterShape.c)
  #if AVX512 && canImport(X86DotProduct)
    // Plus the vpdpbusd packing (Conv2DInt8VNNI.swift), 16-aligned after it.
    return DotProductWeights.offset(afterBytes: bytes)
      + DotProductWeights.byteCount(
        channels: filterShape.h * filterShape.w, segments: 1, segmentLength: filterShape.c)
  #else
    return bytes
  #endif
}

/// The packing `packFullyConnectedFilter` wrote at `memory` (perhaps on another machine).
func packedFullyConnectedFilter(at memory: UnsafeRawPointer, filterShape: Shape4)
  -> PackedInt8Weights
{
  PackedInt8Weights(
    packedAt: memory, channels: filterShape.h * filterShape.w, segments: 1,
    segmentLength: filterShape.c)
}

/// The FULLY_CONNECTED filter (`[outDepth, accumDepth]`, as the reference reads it) packed for
/// the SIMD kernels: per-channel multipliers (`perChannel`), or `outputMultiplier[0]` and
/// `outputShift[0]` for every channel (per-tensor weights). This module's layout, as
/// `packConv2DFilter`.
func packFullyConnectedFilter(
  filterShape: Shape4, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
  outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>, perChannel: Bool,
  into memory: UnsafeMutableRawPointer
) -> PackedInt8Weights {
  let packed = PackedInt8Weights(
    packing: filter, channels: filterShape.h * filterShape.w, segments: 1,
    segmentLength: filterShape.c, bias: bias, multiplier: outputMultiplier, shift: outputShift,
    perChannel: perChannel, into: memory)
  #if AVX512 && canImport(X86DotProduct)
    let bytes = PackedInt8Weights.byteCount(
      channels: filterShape.h * filterShape.w, segments: 1, segmentLength: filterShape.c)
    _ = DotProductWeights(
      packing: filter, channels: filterShape.h * filterShape.w, segments: 1,
      segmentLength: filterShape.c, bias: bias, multiplier: outputMultiplier,
      shift: outputShift, perChannel: perChannel,
      into: memory + DotProductWeights.offset(afterBytes: bytes))
  #endif
  return packed
}

/// Int8 FULLY_CONNECTED with per-channel weights: the same bytes as
/// `fullyConnectedPerChannelInt8Reference` (whose parameters it takes), with the filter packed
/// by `packFullyConnectedFilter(perChannel: true)` and `fullyConnectedInt8SIMDScratchBytes` of
/// `scratch`. Without `packed` or `scratch` it calls the reference.
func fullyConnectedPerChannelInt8SIMD(
  _ p: FullyConnectedParams, outputMultiplier: UnsafePointer<Int32>,
  outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  packed: PackedInt8Weights?, scratch: UnsafeMutableRawPointer?
) {
  guard let packed, let scratch else {
    return fullyConnectedPerChannelInt8Reference(
      p, outputMultiplier: outputMultiplier, outputShift: outputShift, inputShape: inputShape,
      input: input, filterShape: filterShape, filter: filter, bias: bias,
      outputShape: outputShape, output: output)
  }
  fullyConnectedPacked(
    p, inputShape: inputShape, input: input, outputShape: outputShape, output: output,
    packed: packed, scratch: scratch)
}

/// Int8 FULLY_CONNECTED with per-tensor weights: the same bytes as `fullyConnectedInt8Reference`,
/// with the filter packed by `packFullyConnectedFilter(perChannel: false)`. A non-zero filter
/// zero point (`weightsOffset`, which int8 files do not have) goes to the reference.
func fullyConnectedInt8SIMD(
  _ p: FullyConnectedParams,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  packed: PackedInt8Weights?, scratch: UnsafeMutableRawPointer?
) {
  guard let packed, let scratch, p.weightsOffset == 0 else {
    return fullyConnectedInt8Reference(
      p, inputShape: inputShape, input: input, filterShape: filterShape, filter: filter,
      bias: bias, outputShape: outputShape, output: output)
  }
  fullyConnectedPacked(
    p, inputShape: inputShape, input: input, outputShape: outputShape, output: output,
    packed: packed, scratch: scratch)
}

/// Both FULLY_CONNECTED kernels once packed: the multipliers are in `packed`.
private func fullyConnectedPacked(
  _ p: FullyConnectedParams, inputShape: Shape4, input: UnsafePointer<Int8>,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  packed: PackedInt8Weights, scratch: UnsafeMutableRawPointer
) {
  let outputDepth = outputShape.c
  let batches = outputShape.n * outputShape.h * outputShape.w
  let depth = packed.segmentLength
  let range = LaneOutputRange(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax)
  #if AVX512 && canImport(X86DotProduct)
    if dotProductSupports(inputOffset: p.inputOffset) {
      return fullyConnectedDotProduct(
        p, input: input, batches: batches, outputDepth: outputDepth, output: output,
        packed: packed, scratch: scratch)
    }
  #endif
  let readableEnd = input + inputShape.flatSize
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
