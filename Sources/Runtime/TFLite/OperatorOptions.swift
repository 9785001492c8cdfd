// The builtin options of the operators the interpreter runs, decoded from the operator's
// `BuiltinOptions` union. Field ids are each table's declaration order in schema.fbs; an absent
// options table gives the schema defaults, as TFLM's parsers (flatbuffer_conversions.cc) do, and
// the kernels' Prepare then rejects what cannot run (a stride of 0, say).

/// `BuiltinOptions` union tags (schema.fbs order, NONE = 0).
enum BuiltinOptionsType {
  static let conv2D: UInt8 = 1
  static let depthwiseConv2D: UInt8 = 2
  static let pool2D: UInt8 = 5
  static let fullyConnected: UInt8 = 8
  static let softmax: UInt8 = 9
  static let concatenation: UInt8 = 10
  static let add: UInt8 = 11
  static let reshape: UInt8 = 17
  static let pad: UInt8 = 22
  static let reducer: UInt8 = 27
  static let stridedSlice: UInt8 = 32
  static let dequantize: UInt8 = 38
  static let shape: UInt8 = 55
  static let pack: UInt8 = 59
  static let quantize: UInt8 = 89
}

public struct Conv2DOptions: Equatable, Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var activation: FusedActivation
  public var dilationWidth: Int
  public var dilationHeight: Int
}

public struct DepthwiseConv2DOptions: Equatable, Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var depthMultiplier: Int
  public var activation: FusedActivation
  public var dilationWidth: Int
  public var dilationHeight: Int
}

public struct Pool2DOptions: Equatable, Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var filterWidth: Int
  public var filterHeight: Int
  public var activation: FusedActivation
}

public struct FullyConnectedOptions: Equatable, Sendable {
  public var activation: FusedActivation
  /// Only DEFAULT (0) is accepted; SHUFFLED4x16INT8 weights are rejected when read.
  public var keepNumDims: Bool
}

public struct SoftmaxOptions: Equatable, Sendable {
  public var beta: Float
}

public struct ConcatenationOptions: Equatable, Sendable {
  /// May be negative (counted from the last dimension), as in the file.
  public var axis: Int
  public var activation: FusedActivation
}

public struct AddOptions: Equatable, Sendable {
  public var activation: FusedActivation
  public var potScaleInt16: Bool
}

public struct ReshapeOptions {
  /// The target shape when the options carry one (legacy files; newer ones give it as input 1).
  public var newShape: Int32Vector?
}

public struct ReducerOptions: Equatable, Sendable {
  public var keepDims: Bool
}

public struct StridedSliceOptions: Equatable, Sendable {
  public var beginMask: Int32
  public var endMask: Int32
  public var ellipsisMask: Int32
  public var newAxisMask: Int32
  public var shrinkAxisMask: Int32
  public var offset: Bool
}

public struct PackOptions: Equatable, Sendable {
  public var valuesCount: Int
  public var axis: Int
}

public struct ShapeOptions: Equatable, Sendable {
  /// The output's element type as the schema value (INT32 = 2 or INT64 = 4 in practice).
  public var outType: Int8
}

extension Operator {
  func padding(_ table: FlatTable?, _ id: Int) throws(RuntimeError) -> Padding {
    let raw = try table?.scalar(id, default: Int8(0)) ?? 0
    guard let padding = Padding(rawValue: UInt8(bitPattern: raw)) else {
      throw .invalidOptions(operator: index)
    }
    return padding
  }

  func activation(_ table: FlatTable?, _ id: Int) throws(RuntimeError) -> FusedActivation {
    let raw = try table?.scalar(id, default: Int8(0)) ?? 0
    guard let activation = FusedActivation(rawValue: raw) else {
      // TANH and SIGN_BIT exist in the schema but no int8 kernel fuses them.
      throw .kernel(operator: index, .unsupportedActivation(code: raw))
    }
    return activation
  }

  func int(_ table: FlatTable?, _ id: Int, default value: Int32 = 0) throws(RuntimeError) -> Int {
    Int(try table?.scalar(id, default: value) ?? value)
  }

  public func conv2DOptions() throws(RuntimeError) -> Conv2DOptions {
    let t = try options(ofType: BuiltinOptionsType.conv2D)
    return Conv2DOptions(
      padding: try padding(t, 0), strideWidth: try int(t, 1), strideHeight: try int(t, 2),
      activation: try activation(t, 3), dilationWidth: try int(t, 4, default: 1),
      dilationHeight: try int(t, 5, default: 1))
  }

  public func depthwiseConv2DOptions() throws(RuntimeError) -> DepthwiseConv2DOptions {
    let t = try options(ofType: BuiltinOptionsType.depthwiseConv2D)
    return DepthwiseConv2DOptions(
      padding: try padding(t, 0), strideWidth: try int(t, 1), strideHeight: try int(t, 2),
      depthMultiplier: try int(t, 3), activation: try activation(t, 4),
      dilationWidth: try int(t, 5, default: 1), dilationHeight: try int(t, 6, default: 1))
  }

  public func pool2DOptions() throws(RuntimeError) -> Pool2DOptions {
    let t = try options(ofType: BuiltinOptionsType.pool2D)
    return Pool2DOptions(
      padding: try padding(t, 0), strideWidth: try int(t, 1), strideHeight: try int(t, 2),
      filterWidth: try int(t, 3), filterHeight: try int(t, 4), activation: try activation(t, 5))
  }

  public func fullyConnectedOptions() throws(RuntimeError) -> FullyConnectedOptions {
    let t = try options(ofType: BuiltinOptionsType.fullyConnected)
    // weights_format: DEFAULT = 0; SHUFFLED4x16INT8 = 1 is a uint8 layout TFLM does not run.
    guard try t?.scalar(1, default: Int8(0)) ?? 0 == 0 else {
      throw .invalidOptions(operator: index)
    }
    return FullyConnectedOptions(
      activation: try activation(t, 0), keepNumDims: try t?.bool(2) ?? false)
  }

  public func softmaxOptions() throws(RuntimeError) -> SoftmaxOptions {
    let t = try options(ofType: BuiltinOptionsType.softmax)
    return SoftmaxOptions(beta: try t?.float(0, default: 0) ?? 0)
  }

  public func concatenationOptions() throws(RuntimeError) -> ConcatenationOptions {
    let t = try options(ofType: BuiltinOptionsType.concatenation)
    return ConcatenationOptions(axis: try int(t, 0), activation: try activation(t, 1))
  }

  public func addOptions() throws(RuntimeError) -> AddOptions {
    let t = try options(ofType: BuiltinOptionsType.add)
    return AddOptions(
      activation: try activation(t, 0), potScaleInt16: try t?.bool(1, default: true) ?? true)
  }

  public func reshapeOptions() throws(RuntimeError) -> ReshapeOptions {
    let t = try options(ofType: BuiltinOptionsType.reshape)
    guard let v = try t?.vector(0, elementSize: 4) else { return ReshapeOptions(newShape: nil) }
    return ReshapeOptions(newShape: Int32Vector(v.bytes))
  }

  public func reducerOptions() throws(RuntimeError) -> ReducerOptions {
    let t = try options(ofType: BuiltinOptionsType.reducer)
    return ReducerOptions(keepDims: try t?.bool(0) ?? false)
  }

  public func stridedSliceOptions() throws(RuntimeError) -> StridedSliceOptions {
    let t = try options(ofType: BuiltinOptionsType.stridedSlice)
    return StridedSliceOptions(
      beginMask: try t?.scalar(0, default: Int32(0)) ?? 0,
      endMask: try t?.scalar(1, default: Int32(0)) ?? 0,
      ellipsisMask: try t?.scalar(2, default: Int32(0)) ?? 0,
      newAxisMask: try t?.scalar(3, default: Int32(0)) ?? 0,
      shrinkAxisMask: try t?.scalar(4, default: Int32(0)) ?? 0,
      offset: try t?.bool(5) ?? false)
  }

  public func packOptions() throws(RuntimeError) -> PackOptions {
    let t = try options(ofType: BuiltinOptionsType.pack)
    return PackOptions(valuesCount: try int(t, 0), axis: try int(t, 1))
  }

  public func shapeOptions() throws(RuntimeError) -> ShapeOptions {
    let t = try options(ofType: BuiltinOptionsType.shape)
    return ShapeOptions(outType: try t?.scalar(0, default: Int8(0)) ?? 0)
  }

  /// PAD, QUANTIZE, DEQUANTIZE, LOGISTIC, MEAN's siblings without fields: only the union tag is
  /// checked, so a table of another operator's type is still an error.
  func checkOptions(ofType type: UInt8) throws(RuntimeError) {
    _ = try options(ofType: type)
  }
}
