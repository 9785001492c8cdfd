/// Flash and SRAM of a model on a target, part by part.
///
/// flash = weights + biases + quantisation parameters + model structure (the rest of the
///         .tflite flatbuffer) + runtime code (framework + one kernel per operator kind used)
///         + TinyCNN's prepared constants (multipliers, packed filters: the host computes them
///         and the firmware keeps them in flash)
/// SRAM  = planned arena (activations by lifetime + the largest scratch buffer) + persistent
///         kernel state (per-channel multipliers and shifts, tensor and node records)
///         + a stack allowance. Input and output live inside the arena, as in TFLM.
public struct MemoryEstimate: Sendable {
  public var weightBytes: Int
  public var biasBytes: Int
  public var quantizationBytes: Int
  public var structureBytes: Int
  public var codeBytes: Int
  /// TinyCNN's constants prepared on the host (`ArenaRequirements.constantBytes`), in flash; 0
  /// for TFLM, whose multipliers are kernel state in RAM.
  public var preparedConstantBytes = 0
  /// Activations only, as the planner laid them out.
  public var activationArenaBytes: Int
  public var scratchBytes: Int
  public var persistentBytes: Int
  public var stackBytes: Int
  public var inputBytes: Int
  public var outputBytes: Int
  /// True when the arena figure came from the Runtime's planner on a real .tflite.
  public var arenaFromRuntime: Bool

  public var modelBytes: Int { weightBytes + biasBytes + quantizationBytes + structureBytes }
  public var flashBytes: Int { modelBytes + codeBytes + preparedConstantBytes }
  public var arenaBytes: Int { activationArenaBytes + scratchBytes }
  public var sramBytes: Int { arenaBytes + persistentBytes + stackBytes }

  // Sizes of the records the estimate counts per tensor and operator: TFLM's micro_allocator
  // (TfLiteEvalTensor 12 B + dims; TfLiteNode + op data ~ 64 B), and the flatbuffer overhead of
  // a shape-only model, fitted to the files TinyCNN's quantizer writes (tensor table with
  // shape, name, quantisation and its 16-byte aligned buffer ~ 96 B, operator with options
  // ~ 96 B, header + description + operator codes ~ 1 KB; EstimatorTests checks the estimate
  // against real files). For a real .tflite the structure is the file size minus the data.
  static let flatbufferPerTensor = 96
  static let flatbufferPerOperator = 96
  static let flatbufferHeader = 1024
  static let persistentPerTensor = 24
  static let persistentPerOperator = 64
  /// Per output channel: an int32 multiplier and an int32 shift (TFLM OpDataConv).
  static let persistentPerChannel = 8

  init(model: ModelWork, layers: [LayerEstimate], library: KernelLibrary) {
    let weighted = model.layers.filter { $0.weightCount > 0 }
    weightBytes = weighted.reduce(0) { $0 + $1.weightCount }
    biasBytes = weighted.reduce(0) { $0 + 4 * $1.biasCount }
    // Each scale is a float32 and each zero point an int64 in the flatbuffer; activations have
    // one of each per tensor.
    let activationTensors = model.tensors.filter { $0.bytes > 0 }.count
    let weightScales = weighted.reduce(0) { $0 + $1.weightScales }
    quantizationBytes =
      12 * (weightScales + activationTensors) + weighted.reduce(0) { $0 + 4 * $1.weightScales }
    let tensorCount = activationTensors + 2 * weighted.count
    if let file = model.fileBytes {
      structureBytes = max(0, file - weightBytes - biasBytes - quantizationBytes)
    } else {
      structureBytes =
        Self.flatbufferHeader + Self.flatbufferPerTensor * tensorCount
        + Self.flatbufferPerOperator * model.layers.count
    }
    let sizes = CodeSizes.builtIn
    let kinds = Set(model.layers.map(\.opName))
    codeBytes =
      sizes.framework[library]!
      + kinds.reduce(0) { $0 + sizes.bytes(for: $1, library: library) }

    // Scratch buffers live only during their operator; TFLM plans them with the activations,
    // so the arena grows by at most the largest one (an upper bound of what the planner adds).
    scratchBytes = ArenaPlanner.aligned(layers.map(\.scratchBytes).max() ?? 0)
    let tflmState =
      Self.persistentPerTensor * tensorCount + Self.persistentPerOperator * model.layers.count
      + Self.persistentPerChannel * weighted.reduce(0) { $0 + $1.outputChannels }
    let runtimeArena =
      switch library {
      case .tinycnnOptimized: model.optimizedRuntimeArena
      case .tinycnnDSP: model.dspRuntimeArena
      default: model.runtimeArena
      }
    switch (runtimeArena, library) {
    case (let runtime?, .tinycnn), (let runtime?, .tinycnnOptimized), (let runtime?, .tinycnnDSP):
      // TinyCNN's firmware allocates exactly Interpreter.requirements: its records are the
      // kernel state, the rest (tensors, or the planner's bookkeeping while it plans) the arena;
      // the constants (multipliers, packed filters) are in flash.
      activationArenaBytes = runtime.totalBytes - runtime.planBytes
      persistentBytes = runtime.recordBytes
      preparedConstantBytes = runtime.constantBytes
      scratchBytes = 0  // the Runtime plans its scratch inside the tensor region
      arenaFromRuntime = true
    case (let runtime?, _):
      // TFLM plans the same tensors with the same greedy planner; its own records are estimated.
      activationArenaBytes = runtime.tensorBytes
      persistentBytes = tflmState
      arenaFromRuntime = true
    case (nil, _):
      activationArenaBytes = ArenaPlanner.plan(model.tensors).size
      persistentBytes = tflmState
      if library == .tinycnnOptimized {
        // The optimized prepare's packed filters are prepared constants (Runtime
        // reservePackedKernel), in flash; their scratch is in `scratchBytes` (CostModel).
        preparedConstantBytes = model.layers.reduce(0) {
          $0 + (OptimizedKernels.packing(for: $1)?.packedBytes ?? 0)
        }
      }
      arenaFromRuntime = false
    }
    stackBytes = library.isTinyCNN ? 1024 : 2048
    inputBytes = model.inputBytes
    outputBytes = model.outputBytes
  }
}
