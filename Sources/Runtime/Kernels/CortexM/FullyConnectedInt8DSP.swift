// FULLY_CONNECTED for the DSP kernel set: each input row widened once to int16 pairs
// (DSPWidening.swift), then four output channels at a time in the 4x1 multiply-accumulate loop
// (DSPMicroKernels.swift). Per-tensor weights take one multiplier for every channel, packed per
// channel; weights with a zero point stay the reference kernel's.

/// Whether `fullyConnectedInt8DSP` runs these parameters (symmetric weights).
public func fullyConnectedInt8DSPSupports(_ p: FullyConnectedParams) -> Bool {
  p.weightsOffset == 0
}

/// The scratch `fullyConnectedInt8DSP` needs: one column and four accumulators.
public func fullyConnectedInt8DSPScratchBytes(filterShape: Shape4) -> Int {
  4 * (DSPPackedWeights.pairs(depth: filterShape.c) + 4)
}

/// The bytes `packFullyConnectedFilterDSP` writes (filter `[1, 1, outDepth, accumDepth]`).
public func packedFullyConnectedFilterDSPBytes(filterShape: Shape4) -> Int {
  DSPPackedWeights.byteCount(
    channels: filterShape.h * filterShape.w, tileChannels: 4, depth: filterShape.c)
}

/// The FULLY_CONNECTED filter packed for `fullyConnectedInt8DSP`: per-channel multipliers, or
/// one for all when `perChannel` is false.
public func packFullyConnectedFilterDSP(
  filterShape: Shape4, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
  outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>, perChannel: Bool,
  into memory: UnsafeMutableRawPointer
) -> DSPPackedWeights {
  DSPPackedWeights(
    packing: filter, channels: filterShape.h * filterShape.w, segments: 1,
    segmentLength: filterShape.c, paddedLength: filterShape.c, tileChannels: 4,
    quadOrder: filterShape.c % 4 == 0, bias: bias,
    multiplier: outputMultiplier, shift: outputShift, perChannel: perChannel, into: memory)
}

/// The filter `packFullyConnectedFilterDSP` packed at `memory` (the host's packing, read in
/// place).
public func packedFullyConnectedFilterDSP(at memory: UnsafeRawPointer, filterShape: Shape4)
  -> DSPPackedWeights
{
  DSPPackedWeights(
    at: memory, channels: filterShape.h * filterShape.w, depth: filterShape.c,
    tileChannels: 4, quadOrder: filterShape.c % 4 == 0)
}

/// Int8 FULLY_CONNECTED: the bytes of `fullyConnectedPerChannelInt8Reference` (or the
/// per-tensor `fullyConnectedInt8Reference`, whose multiplier `packed` repeats) for symmetric
/// weights, the filter packed by `packFullyConnectedFilterDSP`, `scratch` of
/// `fullyConnectedInt8DSPScratchBytes` (4-aligned).
public func fullyConnectedInt8DSP(
  _ p: FullyConnectedParams, input: UnsafePointer<Int8>, outputShape: Shape4,
  output: UnsafeMutablePointer<Int8>, packed: DSPPackedWeights,
  scratch: UnsafeMutableRawPointer
) {
  let pairs = packed.pairs
  let column = scratch.bindMemory(to: Int32.self, capacity: pairs + 4)
  let acc = column + pairs
  let stage = DSPOutputStage(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax, folded: packed.folded)
  let outputDepth = outputShape.c
  let batches = outputShape.flatSize / outputDepth
  let depth = packed.depth
  for b in 0..<batches {
    widenRow(
      input + b * depth, count: depth, inputOffset: p.inputOffset, quadOrder: packed.quadOrder,
      pairs: pairs, into: column)
    let out = output + b * outputDepth
    for t in 0..<packed.tiles {
      dspMAC4x1(weights: packed.tile(t), column: column, pairs: pairs, acc: acc)
      for lane in 0..<4 {
        let c = 4 * t + lane
        guard c < outputDepth else { break }
        let record = packed.record(c)
        out[c] =
          stage.folded
          ? stage.narrow(DSPFoldedChannel(record).requantize(acc[lane]))
          : stage.apply(acc[lane], record)
      }
    }
  }
}
