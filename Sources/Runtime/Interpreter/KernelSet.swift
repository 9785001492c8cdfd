/// Which kernels an interpreter runs. Both give the same bytes (the SIMD kernels are tested
/// against the reference ones, and the golden set runs with both); they differ in speed and
/// memory.
public enum KernelSet: UInt8, Sendable {
  /// TFLM's reference kernels (`*Int8Reference`): the ground truth, and TFLM's arena size.
  case reference
  /// The vectorised kernels (`*Int8SIMD`) for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
  /// MAX_POOL_2D, AVERAGE_POOL_2D, MEAN and ADD; the other operators keep their reference kernel.
  /// CONV_2D and FULLY_CONNECTED filters are re-packed at prepare time into the plan's constants
  /// (`ArenaRequirements.constantBytes` grows by about the filters' size) and take a scratch buffer
  /// while they run (a padded int16 copy of the input image, or im2col rows).
  case optimized
  /// For Cortex-M cores with the DSP extension (M4, M7, M33): CONV_2D and FULLY_CONNECTED as
  /// int16 multiply-accumulate loops (SMLAD on weights widened at prepare time and activations
  /// widened with the input offset added; Kernels/CortexM), in assembly on Armv7E-M and as
  /// Swift twins elsewhere; the other operators as `optimized`. An Armv6-M build runs the
  /// reference CONV_2D and FULLY_CONNECTED instead (`dspLoopsBuilt`).
  case dsp
}

/// The layout of the optimized kernels' packed filters an arena is sized for.
public enum FilterPacking: Sendable {
  /// This build's: on AVX-512 VNNI builds the `vpdpbusd` packing too (Conv2DInt8VNNI.swift).
  case thisBuild
  /// Without the `vpdpbusd` packing, as every microcontroller build packs: what the firmware's
  /// arena and the estimator's SRAM are sized for, whatever the host.
  case portable
}

/// An optimized CONV_2D or FULLY_CONNECTED's prepared state: the packed filter (constants) and
/// its scratch (tensor region, alive while the operator runs).
struct PackedKernel {
  var weights: PackedInt8Weights
  var scratch: UnsafeMutableRawPointer
}

/// The constant memory and scratch reserved for a packed kernel. Every prepare pass reserves them
/// alike (so the measuring passes size them); the memory exists only in the committing one.
struct PackedKernelReservation {
  let memory: UnsafeMutableRawPointer?
  let scratch: UnsafeMutableRawPointer?
  /// False when the host packed the memory already (`PrepareContext.writesConstants`).
  let writes: Bool

  /// Packs with `pack` into the reserved memory once it exists, or, when it holds the host's
  /// packing, reads it with `packed`; nil before.
  func pack(
    _ pack: (UnsafeMutableRawPointer) -> PackedInt8Weights,
    packed: (UnsafeRawPointer) -> PackedInt8Weights
  ) -> PackedKernel? {
    guard let memory, let scratch else { return nil }
    return PackedKernel(
      weights: writes ? pack(memory) : packed(UnsafeRawPointer(memory)), scratch: scratch)
  }
}

extension PrepareContext {
  /// Reserves `packedBytes` of constant memory (16-aligned, for the weight vectors) and asks for
  /// `scratchBytes` of scratch, when the optimized kernels are in use; nil otherwise.
  mutating func reservePackedKernel(packedBytes: Int, scratchBytes: Int)
    -> PackedKernelReservation?
  {
    guard kernels != .reference else { return nil }
    let memory = constants.allocate(SIMD16<UInt8>.self, count: (packedBytes + 15) / 16)
    let scratch = requestScratch(bytes: scratchBytes)
    return PackedKernelReservation(
      memory: memory.map { UnsafeMutableRawPointer($0) }, scratch: scratch,
      writes: writesConstants)
  }
}

extension PrepareContext {
  /// CONV_2D's reservation: nothing for a grouped convolution (the SIMD kernel runs the
  /// reference there).
  mutating func reserveConv2DSIMD(
    _ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4
  ) -> PackedKernelReservation? {
    let method = conv2DInt8SIMDMethod(
      p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape,
      limit: packing.paddedImageLimit)
    guard kernels == .optimized, method != .reference else { return nil }
    return reservePackedKernel(
      packedBytes: packedConv2DFilterBytes(filterShape: filterShape, packing: packing),
      scratchBytes: conv2DInt8SIMDScratchBytes(
        method, inputShape: inputShape, filterShape: filterShape))
  }

  /// FULLY_CONNECTED's reservation: nothing for per-tensor weights with a zero point.
  mutating func reserveFullyConnectedSIMD(
    _ p: FullyConnectedParams, filterShape: Shape4, batches: Int
  ) -> PackedKernelReservation? {
    guard kernels == .optimized, p.weightsOffset == 0 else { return nil }
    return reservePackedKernel(
      packedBytes: packedFullyConnectedFilterBytes(filterShape: filterShape, packing: packing),
      scratchBytes: fullyConnectedInt8SIMDScratchBytes(filterShape: filterShape, batches: batches))
  }
}
