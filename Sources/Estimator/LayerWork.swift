import Graph
import Runtime

// The estimator's input: what one int8 operator does, in numbers only. A ModelGraph (zoo name,
// .safetensors, description file) and a .tflite file both lower to this, so the cost and memory
// models never look at either format.

/// One int8 operator as the cost model sees it. Shapes are NHWC without the batch axis
/// (`[H, W, C]`, or `[N]` for a flat vector).
public struct LayerWork: Hashable, Sendable {
  /// The graph node (or `op#i` for a .tflite operator) the row of the table is named after.
  public var name: String
  /// The TFLite builtin operator code (schema.fbs). Operators are named through the Runtime's
  /// vocabulary: `op` is its `BuiltinOperator` (nil for one the Runtime does not run, which the
  /// cost model treats as a copy of its output), `opName` the schema's name ("CONV_2D").
  public var code: Int32
  public var inputShapes: [[Int]]
  public var outputShape: [Int]
  /// Kernel window, stride and dilation as (height, width); (1, 1) where they do not apply.
  public var kernel = Size2(1)
  public var stride = Size2(1)
  public var dilation = Size2(1)
  /// Multiply-accumulates of one inference (0 for ops that only move or compare values).
  public var macs: Int = 0
  /// Learned values: int8 weights and int32 biases, counted as in the float model.
  public var weightCount: Int = 0
  public var biasCount: Int = 0
  /// Quantisation scales of the weights: one per output channel, or 1 when per tensor.
  public var weightScales: Int = 0
  /// Fused ReLU / ReLU6 (free: it is the requantisation clamp).
  public var fusedActivation: String? = nil

  public init(name: String, code: Int32, inputShapes: [[Int]], outputShape: [Int]) {
    self.name = name
    self.code = code
    self.inputShapes = inputShapes
    self.outputShape = outputShape
  }

  public init(name: String, op: BuiltinOperator, inputShapes: [[Int]], outputShape: [Int]) {
    self.init(name: name, code: op.rawValue, inputShapes: inputShapes, outputShape: outputShape)
  }

  public var op: BuiltinOperator? { BuiltinOperator(rawValue: code) }
  public var opName: String { builtinOperatorName(code).description }

  public var outputCount: Int { outputShape.reduce(1, *) }
  public var inputCount: Int { inputShapes.map { $0.reduce(1, *) }.reduce(0, +) }
  /// int8 weights + int32 biases.
  public var parameterBytes: Int { weightCount + 4 * biasCount }
  public var parameters: Int { weightCount + biasCount }
  public var perChannel: Bool { weightScales > 1 }
  /// Input channels (last axis of the first input).
  public var inputChannels: Int { inputShapes.first?.last ?? 1 }
  public var outputChannels: Int { outputShape.last ?? 1 }
  /// Output pixels (H x W of the output; 1 for a flat vector).
  public var outputPixels: Int { outputShape.count >= 3 ? outputShape[0] * outputShape[1] : 1 }
}

/// A tensor of the int8 arena: its size and the operators (by index) between which it lives.
/// `firstOp == -1` is the model input, alive before the first operator runs.
public struct TensorLifetime: Hashable, Sendable {
  public var name: String
  public var bytes: Int
  public var firstOp: Int
  public var lastOp: Int

  public init(name: String, bytes: Int, firstOp: Int, lastOp: Int) {
    self.name = name
    self.bytes = bytes
    self.firstOp = firstOp
    self.lastOp = lastOp
  }

  func overlapsInTime(_ other: TensorLifetime) -> Bool {
    firstOp <= other.lastOp && other.firstOp <= lastOp
  }
}

/// A whole model lowered for the estimator.
public struct ModelWork: Sendable {
  public var name: String
  public var layers: [LayerWork]
  /// Activation tensors of the arena (inputs, outputs, intermediates; no constants).
  public var tensors: [TensorLifetime]
  public var inputBytes: Int
  public var outputBytes: Int
  /// Size of the .tflite file when the model came from one; nil for shape-only models, whose
  /// flatbuffer size the memory model estimates.
  public var fileBytes: Int?
  /// What the Runtime's planner (reference kernels) reports for a real .tflite: the tensor
  /// region is TFLM's greedy plan, the plan region TinyCNN's own operator records. Nil for
  /// shape-only models (planned here by `ArenaPlanner`) and for files the Runtime cannot run.
  public var runtimeArena: ArenaRequirements?
  /// The same with `KernelSet.portable`: the plan region holds the re-packed CONV_2D and
  /// FULLY_CONNECTED filters, the tensor region their scratch.
  public var optimizedRuntimeArena: ArenaRequirements?
  /// The same with `KernelSet.dsp`: its widened filters and tables in the plan's constants, its
  /// im2col columns in the tensor region.
  public var dspRuntimeArena: ArenaRequirements?

  public init(
    name: String, layers: [LayerWork], tensors: [TensorLifetime], inputBytes: Int,
    outputBytes: Int, fileBytes: Int? = nil,
    runtimeArena: ArenaRequirements? = nil, optimizedRuntimeArena: ArenaRequirements? = nil
  ) {
    self.name = name
    self.layers = layers
    self.tensors = tensors
    self.inputBytes = inputBytes
    self.outputBytes = outputBytes
    self.fileBytes = fileBytes
    self.runtimeArena = runtimeArena
    self.optimizedRuntimeArena = optimizedRuntimeArena
  }

  public var totalMACs: Int { layers.reduce(0) { $0 + $1.macs } }
  public var totalParameters: Int { layers.reduce(0) { $0 + $1.parameters } }
}
