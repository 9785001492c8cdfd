// The kernels' "functions" on a microcontroller. An Embedded build holds one compilation of the
// vector kernels, this module's, so a table entry need not be a closure: each is a value of no
// size whose call is a direct call of this module's kernel. Closures would cost the firmware
// reference counting (`swift_retain`/`swift_release` on their contexts, which
// `-no-allocations` leaves unlinked, and atomics an Armv6-M has no library for) and stack for
// each copy of the table. The host's are the `@Sendable` function types of VectorKernels.swift,
// with the same call syntax, so the interpreter's code is the same on both.
#if hasFeature(Embedded)
  package struct Conv2DFilterBytes: Sendable {
    func callAsFunction(_ filterShape: Shape4) -> Int {
      packedConv2DFilterBytes(filterShape: filterShape)
    }
  }

  package struct PackConv2DFilter: Sendable {
    func callAsFunction(
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputMultiplier: UnsafePointer<Int32>, _ outputShift: UnsafePointer<Int32>,
      _ memory: UnsafeMutableRawPointer
    ) -> PackedInt8Weights {
      packConv2DFilter(
        filterShape: filterShape, filter: filter, bias: bias, outputMultiplier: outputMultiplier,
        outputShift: outputShift, into: memory)
    }
  }

  package struct Conv2DKernel: Sendable {
    func callAsFunction(
      _ p: ConvParams, _ outputMultiplier: UnsafePointer<Int32>,
      _ outputShift: UnsafePointer<Int32>, _ inputShape: Shape4, _ input: UnsafePointer<Int8>,
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>, _ packed: PackedInt8Weights?,
      _ scratch: UnsafeMutableRawPointer?
    ) {
      conv2DPerChannelInt8SIMD(
        p, outputMultiplier: outputMultiplier, outputShift: outputShift, inputShape: inputShape,
        input: input, filterShape: filterShape, filter: filter, bias: bias,
        outputShape: outputShape, output: output, packed: packed, scratch: scratch)
    }
  }

  package struct FullyConnectedFilterBytes: Sendable {
    func callAsFunction(_ filterShape: Shape4) -> Int {
      packedFullyConnectedFilterBytes(filterShape: filterShape)
    }
  }

  package struct PackFullyConnectedFilter: Sendable {
    func callAsFunction(
      _ filterShape: Shape4, _ filter: UnsafePointer<Int8>, _ bias: UnsafePointer<Int32>?,
      _ outputMultiplier: UnsafePointer<Int32>, _ outputShift: UnsafePointer<Int32>,
      _ perChannel: Bool, _ memory: UnsafeMutableRawPointer
    ) {
      packFullyConnectedFilter(
        filterShape: filterShape, filter: filter, bias: bias, outputMultiplier: outputMultiplier,
        outputShift: outputShift, perChannel: perChannel, into: memory)
    }
  }

  package struct FullyConnectedKernel: Sendable {
    func callAsFunction(
      _ p: FullyConnectedParams, _ packed: UnsafeRawPointer, _ filterShape: Shape4,
      _ batches: Int, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>,
      _ scratch: UnsafeMutableRawPointer
    ) {
      fullyConnectedInt8SIMD(
        p, packed: packed, filterShape: filterShape, batches: batches, input: input,
        output: output, scratch: scratch)
    }
  }

  package struct DepthwiseFilterBytes: Sendable {
    func callAsFunction(_ filterShape: Shape4) -> Int {
      PackedDepthwiseWeights.bytes(
        filterShape: filterShape, accumulators: depthwiseAccumulators,
        foldedVectors: depthwiseFoldedVectors)
    }
  }

  // The micro:bit build (TINYCNN_REFERENCE_DEPTHWISE_ADD) leaves the vector DEPTHWISE_CONV_2D
  // and ADD out of its flash: its table holds none of the three below.
  package struct PackDepthwiseWeights: Sendable {
    func callAsFunction(
      _ p: DepthwiseParams, _ filterShape: Shape4, _ filter: UnsafePointer<Int8>,
      _ bias: UnsafePointer<Int32>?, _ outputMultiplier: UnsafePointer<Int32>,
      _ outputShift: UnsafePointer<Int32>, _ memory: UnsafeMutableRawPointer
    ) -> UnsafeRawPointer {
      #if TINYCNN_REFERENCE_DEPTHWISE_ADD
        fatalError("no vector DEPTHWISE_CONV_2D in this build")
      #else
        packDepthwiseWeights(
          p, filterShape: filterShape, filter: filter, bias: bias,
          outputMultiplier: outputMultiplier, outputShift: outputShift, into: memory)
      #endif
    }
  }

  package struct DepthwiseConv2DKernel: Sendable {
    func callAsFunction(
      _ p: DepthwiseParams, _ packed: UnsafeRawPointer, _ scratch: UnsafeMutableRawPointer,
      _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ filterShape: Shape4,
      _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>
    ) {
      #if TINYCNN_REFERENCE_DEPTHWISE_ADD
        fatalError("no vector DEPTHWISE_CONV_2D in this build")
      #else
        runDepthwiseConv2DSIMD(
          p, packed: packed, scratch: scratch, inputShape: inputShape, input: input,
          filterShape: filterShape, outputShape: outputShape, output: output)
      #endif
    }
  }

  package struct AddKernel: Sendable {
    func callAsFunction(
      _ p: AddParams, _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>,
      _ output: UnsafeMutablePointer<Int8>
    ) {
      #if TINYCNN_REFERENCE_DEPTHWISE_ADD
        fatalError("no vector ADD in this build")
      #else
        addInt8SIMD(p, input1: input1, input2: input2, output: output)
      #endif
    }
  }

  package struct MaxPool2DKernel: Sendable {
    func callAsFunction(
      _ p: PoolParams, _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ outputShape: Shape4,
      _ output: UnsafeMutablePointer<Int8>
    ) {
      maxPool2DInt8SIMD(
        p, inputShape: inputShape, input: input, outputShape: outputShape, output: output)
    }
  }

  package struct AveragePool2DKernel: Sendable {
    func callAsFunction(
      _ p: PoolParams, _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ outputShape: Shape4,
      _ output: UnsafeMutablePointer<Int8>
    ) -> Bool {
      averagePool2DInt8SIMD(
        p, inputShape: inputShape, input: input, outputShape: outputShape, output: output)
    }
  }

  package struct MeanKernel: Sendable {
    func callAsFunction(
      _ p: MeanParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>
    ) {
      meanInt8SIMD(p, input: input, output: output)
    }
  }

  extension VectorKernels {
    /// This module's kernels (the only compilation on a microcontroller), called directly.
    init(paddedImageLimit: Int, depthwiseConv2D: DepthwiseConv2DKernels?, add: AddKernel?) {
      self.paddedImageLimit = paddedImageLimit
      conv2DFilterBytes = Conv2DFilterBytes()
      packConv2DFilter = PackConv2DFilter()
      conv2D = Conv2DKernel()
      fullyConnectedFilterBytes = FullyConnectedFilterBytes()
      packFullyConnectedFilter = PackFullyConnectedFilter()
      fullyConnected = FullyConnectedKernel()
      self.depthwiseConv2D = depthwiseConv2D
      maxPool2D = MaxPool2DKernel()
      averagePool2D = AveragePool2DKernel()
      mean = MeanKernel()
      self.add = add
    }
  }

  extension DepthwiseConv2DKernels {
    init(accumulators: Int, pack: PackDepthwiseWeights?, run: DepthwiseConv2DKernel?) {
      self.accumulators = accumulators
      filterBytes = DepthwiseFilterBytes()
      self.pack = pack
      self.run = run
    }
  }
#endif
