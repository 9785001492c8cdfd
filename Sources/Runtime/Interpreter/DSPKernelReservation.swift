extension PrepareContext {
  /// Reserves `packedBytes` of constant memory and asks for `scratchBytes` of scratch, when the
  /// DSP kernels are in use; nil otherwise. The constants are the set's on every build (the host
  /// prepares them for the chip, records and tensor plan included, and their layout must be the
  /// one the chip expects), so a build without the DSP loops (Armv6-M) reserves them and the
  /// scratch too, and never reads them.
  mutating func reserveDSPKernel(packedBytes: Int, scratchBytes: Int) -> PackedKernelReservation? {
    guard kernels.id == .dsp else { return nil }
    let memory = constants.allocate(Int32.self, count: (packedBytes + 3) / 4)
    let scratch = requestScratch(bytes: scratchBytes)
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
