// The vector kernels (Runtime/Kernels/SIMD, symlinked here) compiled with `-target-cpu haswell`:
// AVX2 and FMA, ymm registers, `vpmaddwd`. The sources use Runtime's shared types (`package`
// access); the exported import makes them visible to every file of this module.
@_exported import Runtime

/// This module's kernels, as `KernelSet.avx2` (KernelDispatch) runs them.
package func avx2VectorKernels() -> VectorKernels { compiledVectorKernels() }
