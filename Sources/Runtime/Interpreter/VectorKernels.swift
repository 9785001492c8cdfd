/// The vector kernels of one `KernelSet`, as a table of functions: the sources in Kernels/SIMD
/// (and, for AVX-512 VNNI, Kernels/X86) compiled once per instruction set, each compilation in a
/// module of its own (this one for `.portable`; RuntimeAVX2 and RuntimeAVX512 on x86-64, see
/// Package.swift), each providing its table through `compiledVectorKernels()`. Swift has no
/// per-function target attributes, so a module per instruction set is how one binary holds all
/// three. An operator's record names its kernel by a `KernelPath`, and eval calls the function
/// in the interpreter's table, read in place: one indirect jump (copying the whole table per
/// call had cost ~0.15 us).
///
/// The packed filters' layout belongs to the table too: each set packs for itself (the AVX-512
/// VNNI set adds the `vpdpbusd` packing after the int16 one), and sizes its arena for that.
package struct VectorKernels: Sendable {
  /// The largest padded int16 image CONV_2D takes (bytes); past it, im2col rows
  /// (`conv2DInt8SIMDMethod`). Part of the layout: it sizes the scratch.
  package var paddedImageLimit: Int

  /// Bytes `packConv2DFilter` writes for a filter of this shape (OHWI).
  package var conv2DFilterBytes: Conv2DFilterBytes
  package var packConv2DFilter: PackConv2DFilter
  package var conv2D: Conv2DKernel

  /// Bytes `packFullyConnectedFilter` writes for a filter of this shape.
  package var fullyConnectedFilterBytes: FullyConnectedFilterBytes
  package var packFullyConnectedFilter: PackFullyConnectedFilter
  package var fullyConnected: FullyConnectedKernel

  /// DEPTHWISE_CONV_2D (its layout on every build; its kernel not where the build leaves it
  /// out: TINYCNN_REFERENCE_DEPTHWISE_ADD, the Cortex-M0's flash).
  package var depthwiseConv2D: DepthwiseConv2DKernels?

  package var maxPool2D: MaxPool2DKernel
  /// False when a window has no tap inside the image (as the reference).
  package var averagePool2D: AveragePool2DKernel
  package var mean: MeanKernel
  /// ADD; nil as `depthwiseConv2D`.
  package var add: AddKernel?
  #if !hasFeature(Embedded)
    /// TRANSPOSE_CONV (hosts; a microcontroller build runs the reference kernel, which the
    /// estimator costs).
    package var transposeConv: TransposeConvKernel
  #endif

  #if !hasFeature(Embedded)
    package init(
      paddedImageLimit: Int,
      conv2DFilterBytes: @escaping Conv2DFilterBytes,
      packConv2DFilter: @escaping PackConv2DFilter, conv2D: @escaping Conv2DKernel,
      fullyConnectedFilterBytes: @escaping FullyConnectedFilterBytes,
      packFullyConnectedFilter: @escaping PackFullyConnectedFilter,
      fullyConnected: @escaping FullyConnectedKernel,
      depthwiseConv2D: DepthwiseConv2DKernels?,
      maxPool2D: @escaping MaxPool2DKernel, averagePool2D: @escaping AveragePool2DKernel,
      mean: @escaping MeanKernel, add: AddKernel?, transposeConv: @escaping TransposeConvKernel
    ) {
      self.paddedImageLimit = paddedImageLimit
      self.conv2DFilterBytes = conv2DFilterBytes
      self.packConv2DFilter = packConv2DFilter
      self.conv2D = conv2D
      self.fullyConnectedFilterBytes = fullyConnectedFilterBytes
      self.packFullyConnectedFilter = packFullyConnectedFilter
      self.fullyConnected = fullyConnected
      self.depthwiseConv2D = depthwiseConv2D
      self.maxPool2D = maxPool2D
      self.averagePool2D = averagePool2D
      self.mean = mean
      self.add = add
      self.transposeConv = transposeConv
    }
  #endif
}

extension VectorKernels {
  /// The CONV_2D method this set's kernel picks for these shapes (its `paddedImageLimit`).
  package func conv2DMethod(
    _ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4
  ) -> Conv2DSIMDMethod {
    conv2DInt8SIMDMethod(
      p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape,
      limit: paddedImageLimit)
  }

  /// The scratch this set's CONV_2D needs for these shapes: a scratch sized by another
  /// compilation's rule would be too small where this one takes the padded image.
  package func conv2DScratchBytes(
    _ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4
  ) -> Int {
    conv2DInt8SIMDScratchBytes(
      conv2DMethod(p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape),
      inputShape: inputShape, filterShape: filterShape)
  }
}

/// DEPTHWISE_CONV_2D's packing and kernel.
package struct DepthwiseConv2DKernels: Sendable {
  /// Accumulators per segment of the set's block: the packed layout's tell, in the constants'
  /// header.
  package var accumulators: Int
  /// Bytes `pack` writes for a `[1, kH, kW, outC]` filter.
  package var filterBytes: DepthwiseFilterBytes
  /// Packs into `memory`; returns the header `run` takes. Both nil where the build leaves the
  /// vector kernel out (TINYCNN_REFERENCE_DEPTHWISE_ADD): the reference one runs, and the
  /// constants keep the packed layout's room (they are the set's on every build).
  package var pack: PackDepthwiseWeights?
  package var run: DepthwiseConv2DKernel?

  #if !hasFeature(Embedded)
    package init(
      accumulators: Int, filterBytes: @escaping DepthwiseFilterBytes,
      pack: PackDepthwiseWeights?, run: DepthwiseConv2DKernel?
    ) {
      self.accumulators = accumulators
      self.filterBytes = filterBytes
      self.pack = pack
      self.run = run
    }
  #endif
}

// The kernels' function types on a host, where a table holds one compilation's kernels (the
// Embedded build's are in EmbeddedVectorKernels.swift).
#if !hasFeature(Embedded)
  /// Bytes a set's packing writes for a filter of this shape.
  package typealias Conv2DFilterBytes = @Sendable (_ filterShape: Shape4) -> Int
  package typealias FullyConnectedFilterBytes = @Sendable (_ filterShape: Shape4) -> Int
  package typealias DepthwiseFilterBytes = @Sendable (_ filterShape: Shape4) -> Int

  /// The CONV_2D filter (OHWI) with its bias and per-channel requantisation, packed into `memory`.
  package typealias PackConv2DFilter =
    @Sendable (
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputMultiplier: UnsafePointer<Int32>, _ outputShift: UnsafePointer<Int32>,
      _ memory: UnsafeMutableRawPointer
    ) -> PackedInt8Weights

  /// `conv2DPerChannelInt8Reference`'s arguments plus the packed filter and the scratch (without
  /// either, the reference runs).
  package typealias Conv2DKernel =
    @Sendable (
      _ p: ConvParams, _ outputMultiplier: UnsafePointer<Int32>,
      _ outputShift: UnsafePointer<Int32>, _ inputShape: Shape4, _ input: UnsafePointer<Int8>,
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>, _ packed: PackedInt8Weights?,
      _ scratch: UnsafeMutableRawPointer?
    ) -> Void

  /// The FULLY_CONNECTED filter with its bias and requantisation (per-channel multipliers, or
  /// `[0]` for all when `perChannel` is false), packed into `memory` in the set's layout.
  package typealias PackFullyConnectedFilter =
    @Sendable (
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputMultiplier: UnsafePointer<Int32>, _ outputShift: UnsafePointer<Int32>,
      _ perChannel: Bool, _ memory: UnsafeMutableRawPointer
    ) -> Void

  /// FULLY_CONNECTED on the set's packing (`PackFullyConnectedFilter`, which holds the bias and
  /// requantisation): `batches` rows of `filterShape.c` values, the scratch
  /// `fullyConnectedInt8SIMDScratchBytes`.
  package typealias FullyConnectedKernel =
    @Sendable (
      _ p: FullyConnectedParams, _ packed: UnsafeRawPointer, _ filterShape: Shape4,
      _ batches: Int, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>,
      _ scratch: UnsafeMutableRawPointer
    ) -> Void

  /// The depthwise filter with its bias and requantisation, packed into `memory` for the set's
  /// block; returns the header the kernel takes.
  package typealias PackDepthwiseWeights =
    @Sendable (
      _ p: DepthwiseParams, _ filterShape: Shape4, _ filter: UnsafePointer<Int8>,
      _ bias: UnsafePointer<Int32>?, _ outputMultiplier: UnsafePointer<Int32>,
      _ outputShift: UnsafePointer<Int32>, _ memory: UnsafeMutableRawPointer
    ) -> UnsafeRawPointer

  /// The vector DEPTHWISE_CONV_2D on weights packed by `PackDepthwiseWeights`, with `scratch` of
  /// `DepthwiseScratchLayout.bytes`.
  package typealias DepthwiseConv2DKernel =
    @Sendable (
      _ p: DepthwiseParams, _ packed: UnsafeRawPointer, _ scratch: UnsafeMutableRawPointer,
      _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ filterShape: Shape4,
      _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>
    ) -> Void

  /// MAX_POOL_2D: `maxPool2DInt8Reference`'s arguments.
  package typealias MaxPool2DKernel =
    @Sendable (
      _ p: PoolParams, _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ outputShape: Shape4,
      _ output: UnsafeMutablePointer<Int8>
    ) -> Void

  /// AVERAGE_POOL_2D: `averagePool2DInt8Reference`'s arguments and result.
  package typealias AveragePool2DKernel =
    @Sendable (
      _ p: PoolParams, _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ outputShape: Shape4,
      _ output: UnsafeMutablePointer<Int8>
    ) -> Bool

  /// MEAN: `meanInt8Reference`'s arguments.
  package typealias MeanKernel =
    @Sendable (_ p: MeanParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>)
    -> Void

  /// TRANSPOSE_CONV: `transposeConvPerChannelInt8Reference`'s arguments.
  package typealias TransposeConvKernel =
    @Sendable (
      _ p: ConvParams, _ outputMultiplier: UnsafePointer<Int32>,
      _ outputShift: UnsafePointer<Int32>, _ inputShape: Shape4, _ input: UnsafePointer<Int8>,
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>,
      _ scratch: UnsafeMutablePointer<Int32>
    ) -> Void

  /// ADD: `addInt8Reference`'s arguments.
  package typealias AddKernel =
    @Sendable (
      _ p: AddParams, _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>,
      _ output: UnsafeMutablePointer<Int8>
    ) -> Void
#endif
