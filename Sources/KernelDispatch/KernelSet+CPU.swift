// The kernel sets compiled for particular instruction sets, and the choice among them from what
// the CPU reports at run time: a binary built on one x86-64 and copied to another runs the
// fastest set the other one has (XNNPACK and oneDNN dispatch the same way). Each set's kernels
// are the same sources (Runtime/Kernels/SIMD, and Kernels/X86 for VNNI) compiled into a module
// of their own with their own `-target-cpu` (Package.swift).
import CPUFeatures
import Runtime

#if arch(x86_64)
  import RuntimeAVX2
  import RuntimeAVX512
#endif

extension KernelSet {
  #if arch(x86_64)
    /// The vector kernels built for Haswell: AVX2 and FMA (ymm registers, `vpmaddwd`).
    public static let avx2 = KernelSet(id: .avx2, vector: avx2VectorKernels())
    /// Built for Ice Lake server, with Kernels/X86: AVX-512 (zmm tiles) and VNNI (`vpdpbusd`).
    public static let avx512VNNI = KernelSet(
      id: .avx512VNNI, vector: avx512VNNIVectorKernels())
  #endif

  /// Every set this CPU runs: the reference, the DSP set (its Swift twins of the Cortex-M
  /// loops, so that the host checks what the chip runs), then the vector sets from the portable
  /// one to the fastest.
  public static let available: [KernelSet] = [.reference, .dsp] + vectorSetsByCPU

  /// The portable set and the x86-64 sets this CPU has, slowest first.
  private static let vectorSetsByCPU: [KernelSet] = {
    var sets: [KernelSet] = [.portable]
    #if arch(x86_64)
      if tinycnn_cpu_has_avx2_fma() != 0 { sets.append(.avx2) }
      if tinycnn_cpu_has_avx512_vnni() != 0 { sets.append(.avx512VNNI) }
    #endif
    return sets
  }()

  /// The fastest set this CPU runs: what `tinycnn` means by its optimized kernels.
  public static var fastest: KernelSet { vectorSetsByCPU[vectorSetsByCPU.count - 1] }

  /// The vector sets this CPU runs (every one but the reference), for tests.
  public static var vectorSets: [KernelSet] { available.filter { $0.vector != nil } }

  /// The set named `id`, when this CPU runs it.
  public static func available(_ id: ID) -> KernelSet? {
    available.first { $0.id == id }
  }
}

extension KernelSet: CustomStringConvertible {
  public var description: String { String(describing: name) }
}
