/// Which kernels an interpreter runs: TFLM's reference kernels, one compilation of the vector
/// kernels, or the Cortex-M DSP kernels. Every set gives the same bytes (each vector kernel is
/// tested against its reference, and the golden set runs with every set the machine has); they
/// differ in speed and memory. Each set has one packed layout, the same wherever it is prepared:
/// the host packs a firmware's constants with the set the firmware runs.
///
/// The sets are the static members: `.reference`, `.portable` and `.dsp` here, `.avx2` and
/// `.avx512VNNI` in the KernelDispatch module (which compiles them and reads CPUID:
/// `KernelSet.available`, `KernelSet.fastest`). A new set is an `ID` case and a static member
/// beside its kernels.
public struct KernelSet: Sendable {
  /// The set's number in the prepared constants' header (`ConstantsHeader.kernels`).
  public enum ID: UInt8, Sendable {
    /// TFLM's reference kernels (`*Int8Reference`): the ground truth, and TFLM's arena size.
    case reference
    /// The vector kernels (Kernels/SIMD, Swift SIMD types) built for the target's baseline: SSE2
    /// on x86-64, NEON on arm64, scalar code on a Cortex-M. What the firmware runs as
    /// "optimized". Its layout is a microcontroller's on every machine (padded images up to
    /// 4 KiB, no folded depthwise requantisation), so the host's prepare is the chip's.
    case portable
    /// For Cortex-M cores with the DSP extension (M4, M7, M33): CONV_2D, FULLY_CONNECTED,
    /// DEPTHWISE_CONV_2D and ADD as int16 multiply-accumulate loops (SMLAD on weights widened at
    /// prepare time; Kernels/CortexM), in assembly on Armv7E-M and as Swift twins elsewhere; the
    /// shapes they do not take run the reference CONV_2D and FULLY_CONNECTED and the portable
    /// DEPTHWISE_CONV_2D, and the other operators run as `.portable`. An Armv6-M build runs the
    /// reference CONV_2D and FULLY_CONNECTED instead, over the same constants.
    case dsp
    /// The vector sources built with `-target-cpu haswell`: ymm registers, `vpmaddwd`.
    case avx2
    /// Built with `-target-cpu cascadelake`, plus Kernels/X86: zmm tiles, `vpdpbusd`.
    case avx512VNNI
  }

  public let id: ID
  /// The vector kernels for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D,
  /// AVERAGE_POOL_2D, MEAN and ADD, and the layout of their packed filters; nil for the
  /// reference set. The other operators keep their reference kernel in every set. CONV_2D,
  /// DEPTHWISE_CONV_2D and FULLY_CONNECTED filters are re-packed at prepare time into the plan's
  /// constants (`ArenaRequirements.constantBytes` grows by about the filters' size) and take a
  /// scratch buffer while they run. An operator's record names the function it runs
  /// (`KernelPath`), called through this table at eval.
  package let vector: VectorKernels?

  package init(id: ID, vector: VectorKernels?) {
    self.id = id
    self.vector = vector
  }

  public static var reference: KernelSet { KernelSet(id: .reference, vector: nil) }
  public static var portable: KernelSet {
    KernelSet(id: .portable, vector: compiledVectorKernels())
  }
  public static var dsp: KernelSet { KernelSet(id: .dsp, vector: compiledVectorKernels()) }

  /// The set numbered `rawValue` (`ID.rawValue`, as a firmware's generated sources name it) among
  /// the ones this module holds (`.reference`, `.portable`, `.dsp`); nil for another number.
  public static func builtIn(_ rawValue: UInt8) -> KernelSet? {
    switch ID(rawValue: rawValue) {
    case .reference: .reference
    case .portable: .portable
    case .dsp: .dsp
    default: nil
    }
  }

  /// How reports and `tinycnn bench` name the set.
  public var name: StaticString {
    switch id {
    case .reference: "reference"
    case .portable: "portable SIMD"
    case .dsp: "Cortex-M DSP"
    case .avx2: "AVX2"
    case .avx512VNNI: "AVX-512 VNNI"
    }
  }
}

extension KernelSet: Equatable {
  public static func == (a: KernelSet, b: KernelSet) -> Bool { a.id == b.id }
}

/// The constant memory and scratch reserved for a packed kernel. Every prepare pass reserves them
/// alike (so the measuring passes size them); the memory exists only in the committing one.
struct PackedKernelReservation {
  let memory: UnsafeMutableRawPointer?
  let scratch: UnsafeMutableRawPointer?
  /// False when the host packed the memory already (`PrepareContext.writesConstants`).
  let writes: Bool
}

extension PrepareContext {
  /// Reserves `packedBytes` of constant memory (at a multiple of `packedWeightAlignment` from the
  /// constants' start) and asks for `scratchBytes` of scratch, when a vector kernel set is in
  /// use; nil otherwise.
  mutating func reservePackedKernel(packedBytes: Int, scratchBytes: Int)
    -> PackedKernelReservation?
  {
    guard kernels.vector != nil else { return nil }
    let memory = constants.allocateBytes(
      (packedBytes + 15) / 16 * 16, alignment: packedWeightAlignment)
    let scratch = requestScratch(bytes: scratchBytes)
    return PackedKernelReservation(
      memory: memory, scratch: scratch,
      writes: writesConstants)
  }
}

extension PrepareContext {
  /// CONV_2D's reservation: nothing for a grouped convolution (the SIMD kernel runs the
  /// reference there).
  mutating func reserveConv2DSIMD(
    _ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4
  ) -> PackedKernelReservation? {
    // The DSP set runs its own CONV_2D, or the reference one where it cannot.
    guard kernels.id != .dsp, let vector = kernels.vector else { return nil }
    let method = vector.conv2DMethod(
      p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape)
    guard method != .reference else { return nil }
    return reservePackedKernel(
      packedBytes: vector.conv2DFilterBytes(filterShape),
      scratchBytes: conv2DInt8SIMDScratchBytes(
        method, inputShape: inputShape, filterShape: filterShape))
  }

  /// FULLY_CONNECTED's reservation: nothing for per-tensor weights with a zero point.
  /// (The DSP set runs its own FULLY_CONNECTED, or the reference one where it cannot.)
  mutating func reserveFullyConnectedSIMD(
    _ p: FullyConnectedParams, filterShape: Shape4, batches: Int
  ) -> PackedKernelReservation? {
    guard kernels.id != .dsp, p.weightsOffset == 0, let vector = kernels.vector else { return nil }
    return reservePackedKernel(
      packedBytes: vector.fullyConnectedFilterBytes(filterShape),
      scratchBytes: fullyConnectedInt8SIMDScratchBytes(filterShape: filterShape, batches: batches))
  }
}
