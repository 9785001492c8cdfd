import Runtime

/// The Runtime's arena sizing on the host, in one place: the planner needs scratch memory of
/// `planningBytes` to measure the model (the Runtime allocates nothing itself), then reports
/// what the arena must hold (`Interpreter.requirements`). The estimator's figures, the host
/// runner (`ModelSession`) and the firmware driver all size arenas through here.
public enum RuntimeArena {
  /// - kernels: each set sizes its own packed layout; `.portable` is what a Cortex-M build packs.
  public static func requirements(
    for model: Model, kernels: KernelSet, preservingAllTensors: Bool = false
  ) throws(RuntimeError) -> ArenaRequirements {
    let scratch = UnsafeMutableRawBufferPointer.allocate(
      byteCount: try Interpreter.planningBytes(for: model, kernels: kernels),
      alignment: arenaAlignment)
    defer { scratch.deallocate() }
    return try Interpreter.requirements(
      for: model, scratch: scratch, preservingAllTensors: preservingAllTensors, kernels: kernels)
  }
}
