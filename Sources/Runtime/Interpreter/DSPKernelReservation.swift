/// A DSP-set CONV_2D or FULLY_CONNECTED's prepared state: where its packed filter is (the
/// constants; the kernel reads the layout from the shapes, `packedConv2DFilterDSP(at:...)`) and
/// its scratch (tensor region). Two pointers, so the operator records stay small (the host
/// sizes a firmware's arena with its own, 64-bit records).
struct DSPKernel {
  var weights: UnsafeRawPointer
  var scratch: UnsafeMutableRawPointer
}

// A DSP kernel reserves like an optimized one (`PackedKernelReservation`); only what it makes
// of the memory differs.
extension PackedKernelReservation {
  /// The packed weights' memory once it exists, packed with `pack` unless it holds the host's
  /// packing already; nil before.
  func weights(_ pack: (UnsafeMutableRawPointer) -> Void) -> UnsafeRawPointer? {
    guard let memory else { return nil }
    if writes { pack(memory) }
    return UnsafeRawPointer(memory)
  }

  /// `weights` with the scratch, for CONV_2D and FULLY_CONNECTED.
  func pack(_ pack: (UnsafeMutableRawPointer) -> Void) -> DSPKernel? {
    guard let scratch, let weights = weights(pack) else { return nil }
    return DSPKernel(weights: weights, scratch: scratch)
  }
}

extension KernelSet {
  /// Whether this build runs `KernelSet.dsp`'s loops: the assembly on Armv7E-M, their Swift
  /// twins on 64-bit hosts. An Armv6-M build (no DSP extension, little flash) leaves them out
  /// and runs the reference kernels for `.dsp`, over the same constants.
  static var dspLoopsBuilt: Bool {
    #if TINYCNN_DSP || !arch(arm)
      return true
    #else
      return false
    #endif
  }
}

extension PrepareContext {
  /// Reserves `packedBytes` of constant memory and asks for `scratchBytes` of scratch, when the
  /// DSP kernels are in use; nil otherwise. The constants are the set's on every build (the host
  /// prepares them for the chip, and their layout must be the one the chip expects), so a build
  /// without the DSP loops (Armv6-M) reserves them too, never reads them and asks for no scratch.
  mutating func reserveDSPKernel(packedBytes: Int, scratchBytes: Int) -> PackedKernelReservation? {
    guard kernels.id == .dsp else { return nil }
    let memory = constants.allocate(Int32.self, count: (packedBytes + 3) / 4)
    let scratch = requestScratch(bytes: KernelSet.dspLoopsBuilt ? scratchBytes : 0)
    return PackedKernelReservation(
      memory: memory.map { UnsafeMutableRawPointer($0) }, scratch: scratch,
      writes: writesConstants)
  }

  /// CONV_2D's: nothing for a grouped convolution (the reference kernel runs it).
  mutating func reserveConv2DDSP(inputShape: Shape4, filterShape: Shape4)
    -> PackedKernelReservation?
  {
    guard conv2DInt8DSPSupports(inputShape: inputShape, filterShape: filterShape) else {
      return nil
    }
    return reserveDSPKernel(
      packedBytes: packedConv2DFilterDSPBytes(filterShape: filterShape),
      scratchBytes: conv2DInt8DSPScratchBytes(filterShape: filterShape))
  }

  /// DEPTHWISE_CONV_2D's prepared weights (no scratch; reserved on every build, as
  /// `reserveDSPKernel`'s); the caller checks the shapes.
  mutating func reserveDepthwiseDSP(filterShape: Shape4) -> PackedKernelReservation? {
    guard kernels.id == .dsp else { return nil }
    let memory = constants.allocate(
      Int32.self, count: DSPDepthwiseWeights.byteCount(filterShape: filterShape) / 4)
    return PackedKernelReservation(
      memory: memory.map { UnsafeMutableRawPointer($0) }, scratch: nil, writes: writesConstants)
  }

  /// FULLY_CONNECTED's: nothing for weights with a zero point.
  mutating func reserveFullyConnectedDSP(_ p: FullyConnectedParams, filterShape: Shape4)
    -> PackedKernelReservation?
  {
    guard fullyConnectedInt8DSPSupports(p) else { return nil }
    return reserveDSPKernel(
      packedBytes: packedFullyConnectedFilterDSPBytes(filterShape: filterShape),
      scratchBytes: fullyConnectedInt8DSPScratchBytes(filterShape: filterShape))
  }
}
