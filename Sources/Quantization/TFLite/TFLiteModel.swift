import Runtime

/// The part of the TFLite schema (tensorflow/lite/schema/schema.fbs) that TinyCNN writes: one
/// subgraph of int8 operators with their tensors and constant buffers. `serialized()` turns it
/// into the bytes of a .tflite file that TFLite Micro, LiteRT and Netron open. The schema's
/// vocabulary (`BuiltinOperator`, `TensorType`, `Padding`, `FusedActivation`) is the Runtime's,
/// the reader's: a new operator is one case in one enum.
public struct TFLiteModel: Sendable {
  public var description: String
  public var tensors: [Tensor] = []
  /// Constant data; buffer 0 is the empty buffer that every non-constant tensor points to.
  public var buffers: [[UInt8]] = [[]]
  public var operatorCodes: [OperatorCode] = []
  public var operators: [Operator] = []
  public var inputs: [Int32] = []
  public var outputs: [Int32] = []
  /// Named metadata entries (schema `Metadata`), each stored in a buffer of its own.
  public var metadata: [(name: String, bytes: [UInt8])] = []
  public var subgraphName = "main"

  public init(description: String) { self.description = description }

  public struct Quantization: Hashable, Sendable {
    public var scales: [Float]
    public var zeroPoints: [Int64]
    public var quantizedDimension: Int32

    public init(scales: [Float], zeroPoints: [Int64], quantizedDimension: Int32 = 0) {
      self.scales = scales
      self.zeroPoints = zeroPoints
      self.quantizedDimension = quantizedDimension
    }

    /// One scale and zero point for the whole tensor (activations).
    public static func perTensor(scale: Float, zeroPoint: Int64) -> Quantization {
      Quantization(scales: [scale], zeroPoints: [zeroPoint])
    }
  }

  public struct Tensor: Sendable {
    public var name: String
    public var shape: [Int32]
    public var type: TensorType
    public var buffer: UInt32
    public var quantization: Quantization?
  }

  public struct OperatorCode: Hashable, Sendable {
    public var builtin: BuiltinOperator
    public var version: Int32
  }

  /// Each operator's builtin options (the schema's `BuiltinOptions` union).
  public enum Options: Sendable {
    case conv2D(
      padding: Padding, strideW: Int32, strideH: Int32, activation: FusedActivation,
      dilationW: Int32, dilationH: Int32)
    case depthwiseConv2D(
      padding: Padding, strideW: Int32, strideH: Int32, depthMultiplier: Int32,
      activation: FusedActivation, dilationW: Int32, dilationH: Int32)
    case pool2D(
      padding: Padding, strideW: Int32, strideH: Int32, filterWidth: Int32, filterHeight: Int32,
      activation: FusedActivation)
    case fullyConnected(activation: FusedActivation, keepNumDims: Bool)
    case softmax(beta: Float)
    case concatenation(axis: Int32, activation: FusedActivation)
    case add(activation: FusedActivation)
    case reshape(newShape: [Int32])
    case pad
    case reducer(keepDims: Bool)
    /// TRANSPOSE_CONV; no fused activation (TFLM's kernel ignores it).
    case transposeConv(padding: Padding, strideW: Int32, strideH: Int32)
    case none
  }

  public struct Operator: Sendable {
    public var opcodeIndex: UInt32
    public var inputs: [Int32]  // -1 marks an omitted optional input
    public var outputs: [Int32]
    public var options: Options
  }

  /// Adds a tensor (with its constant data, if any) and returns its index.
  @discardableResult
  public mutating func addTensor(
    _ name: String, shape: [Int], type: TensorType, quantization: Quantization? = nil,
    data: [UInt8]? = nil
  ) -> Int32 {
    var buffer: UInt32 = 0
    if let data {
      buffers.append(data)
      buffer = UInt32(buffers.count - 1)
    }
    tensors.append(
      Tensor(
        name: name, shape: shape.map { Int32($0) }, type: type, buffer: buffer,
        quantization: quantization))
    return Int32(tensors.count - 1)
  }

  /// Adds an operator, registering its operator code on first use.
  public mutating func addOperator(
    _ builtin: BuiltinOperator, version: Int32 = 1, inputs: [Int32], outputs: [Int32],
    options: Options = .none
  ) {
    let code = OperatorCode(builtin: builtin, version: version)
    let index: Int
    if let existing = operatorCodes.firstIndex(where: { $0.builtin == builtin }) {
      index = existing
      operatorCodes[existing].version = max(operatorCodes[existing].version, version)
    } else {
      operatorCodes.append(code)
      index = operatorCodes.count - 1
    }
    operators.append(
      Operator(opcodeIndex: UInt32(index), inputs: inputs, outputs: outputs, options: options))
  }
}
