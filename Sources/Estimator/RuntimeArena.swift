import Runtime

/// The Runtime's arena sizing on the host, in one place: the planner needs scratch memory of
/// `planningBytes` to measure the model (the Runtime allocates nothing itself), then reports
/// what the arena must hold (`Interpreter.requirements`). The estimator's figures, the host
/// runner (`ModelSession`) and the firmware driver all size arenas through here.
public enum RuntimeArena {
  /// - packing: `.portable` sizes the optimized kernels' packed filters as a Cortex-M build
  ///   packs them, whatever this host's vector extension.
  public static func requirements(
    for model: Model, kernels: KernelSet, preservingAllTensors: Bool = false,
    packing: FilterPacking = .thisBuild
  ) throws(RuntimeError) -> ArenaRequirements {
    let scratch = UnsafeMutableRawBufferPointer.allocate(
      byteCount: try Interpreter.planningBytes(for: model, kernels: kernels, packing: packing),
      alignment: arenaAlignment)
    defer { scratch.deallocate() }
    return try Interpreter.requirements(
      for: model, scratch: scratch, preservingAllTensors: preservingAllTensors, kernels: kernels,
      packing: packing)
  }
}
