// The vector kernels (Runtime/Kernels/SIMD and Kernels/X86, symlinked here) compiled with
// `-target-cpu cascadelake -D AVX512`: zmm tiles, and X86DotProduct's `vpdpbusd` for CONV_2D,
// FULLY_CONNECTED and DEPTHWISE_CONV_2D. The sources use Runtime's shared types (`package`
// access); the exported import makes them visible to every file of this module.
@_exported import Runtime

/// This module's kernels, as `KernelSet.avx512VNNI` (KernelDispatch) runs them.
package func avx512VNNIVectorKernels() -> VectorKernels { compiledVectorKernels() }
