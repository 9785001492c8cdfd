/// This module's compilation of the vector kernels as a `VectorKernels` table. The same file is
/// compiled into Runtime (the `.portable` set, the target's baseline: SSE2 on x86-64, scalar code
/// on a Cortex-M), RuntimeAVX2 (`-target-cpu haswell`) and RuntimeAVX512
/// (`-target-cpu cascadelake -D AVX512`, with Kernels/X86), so each module's table calls its
/// own copies (each module hands its table to KernelDispatch under its own name).
func compiledVectorKernels() -> VectorKernels {
  #if hasFeature(Embedded)  // one compilation: direct calls (EmbeddedVectorKernels.swift)
    #if TINYCNN_REFERENCE_DEPTHWISE_ADD  // firmware/build.sh, for the Cortex-M0's flash
      return VectorKernels(
        paddedImageLimit: conv2DPaddedImageLimit,
        depthwiseConv2D: DepthwiseConv2DKernels(
          accumulators: depthwiseAccumulators, pack: nil, run: nil), add: nil)
    #else
      return VectorKernels(
        paddedImageLimit: conv2DPaddedImageLimit,
        depthwiseConv2D: DepthwiseConv2DKernels(
          accumulators: depthwiseAccumulators, pack: PackDepthwiseWeights(),
          run: DepthwiseConv2DKernel()), add: AddKernel())
    #endif
  #else
    return hostVectorKernels()
  #endif
}

#if !hasFeature(Embedded)
  private func hostVectorKernels() -> VectorKernels {
    VectorKernels(
      paddedImageLimit: conv2DPaddedImageLimit,
      conv2DFilterBytes: { packedConv2DFilterBytes(filterShape: $0) },
      packConv2DFilter: {
        packConv2DFilter(
          filterShape: $0, filter: $1, bias: $2, outputMultiplier: $3, outputShift: $4, into: $5)
      },
      conv2D: {
        conv2DPerChannelInt8SIMD(
          $0, outputMultiplier: $1, outputShift: $2, inputShape: $3, input: $4, filterShape: $5,
          filter: $6, bias: $7, outputShape: $8, output: $9, packed: $10, scratch: $11)
      },
      fullyConnectedFilterBytes: { packedFullyConnectedFilterBytes(filterShape: $0) },
      packFullyConnectedFilter: {
        packFullyConnectedFilter(
          filterShape: $0, filter: $1, bias: $2, outputMultiplier: $3, outputShift: $4,
          perChannel: $5, into: $6)
      },
      fullyConnected: {
        fullyConnectedInt8SIMD(
          $0, packed: $1, filterShape: $2, batches: $3, input: $4, output: $5, scratch: $6)
      },
      depthwiseConv2D: compiledDepthwiseConv2DKernels(),
      maxPool2D: {
        maxPool2DInt8SIMD($0, inputShape: $1, input: $2, outputShape: $3, output: $4)
      },
      averagePool2D: {
        averagePool2DInt8SIMD($0, inputShape: $1, input: $2, outputShape: $3, output: $4)
      },
      mean: { meanInt8SIMD($0, input: $1, output: $2) },
      add: compiledAdd(),
      transposeConv: {
        transposeConvPerChannelInt8SIMD(
          $0, outputMultiplier: $1, outputShift: $2, inputShape: $3, input: $4, filterShape: $5,
          filter: $6, bias: $7, outputShape: $8, output: $9, scratch: $10)
      })
  }

  private func compiledDepthwiseConv2DKernels() -> DepthwiseConv2DKernels? {
    var kernels = DepthwiseConv2DKernels(
      accumulators: depthwiseAccumulators,
      filterBytes: { packedDepthwiseFilterBytes(filterShape: $0) }, pack: nil, run: nil)
    // The Cortex-M0's flash (firmware/build.sh) leaves the kernel out, not the layout.
    #if !TINYCNN_REFERENCE_DEPTHWISE_ADD
      kernels.pack = {
        packDepthwiseWeights(
          $0, filterShape: $1, filter: $2, bias: $3, outputMultiplier: $4, outputShift: $5,
          into: $6)
      }
      kernels.run = {
        runDepthwiseConv2DSIMD(
          $0, packed: $1, scratch: $2, inputShape: $3, input: $4, filterShape: $5,
          outputShape: $6, output: $7)
      }
    #endif
    return kernels
  }

  private func compiledAdd() -> (
    @Sendable (AddParams, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>)
      -> Void
  )? {
    #if TINYCNN_REFERENCE_DEPTHWISE_ADD
      return nil
    #else
      return { addInt8SIMD($0, input1: $1, input2: $2, output: $3) }
    #endif
  }
#endif
