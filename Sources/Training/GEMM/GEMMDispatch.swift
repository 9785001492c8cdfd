// The float GEMM's tiles for this CPU, chosen at run time from CPUID: a binary built on one
// x86-64 and copied to another runs fused multiply-add where the other one has it, as the int8
// kernels do (KernelDispatch). Only the tiles are compiled per instruction set (FloatGEMM,
// FloatGEMMFMA): they do the GEMM's arithmetic; packing, im2col and the layers stay in Training,
// built for the target's baseline unless TINYCNN_CPU says otherwise (Package.swift).
import CPUFeatures
import FloatGEMM

#if arch(x86_64)
  import FloatGEMMFMA
#endif

extension GEMMTiles {
  /// Every compilation this CPU runs, the baseline first.
  public static let available: [GEMMTiles] = {
    var tiles = [portableGEMMTiles]
    #if arch(x86_64)
      if tinycnn_cpu_has_avx2_fma() != 0 { tiles.append(fmaGEMMTiles) }
    #endif
    return tiles
  }()

  /// The fastest compilation this CPU runs: what every `GEMMWorkspace` uses by default.
  public static var fastest: GEMMTiles { available[available.count - 1] }
}
