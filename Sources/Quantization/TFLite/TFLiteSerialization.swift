import Runtime

// Field ids below are the declaration order of each table in TFLite's schema.fbs (a union takes
// two ids: its type, then its value); checked against the schema_py_generated.py that ships with
// tflite-micro.

extension TFLiteModel {
  /// The schema version TFLite writes ("version: 3" in every converter-made file).
  static let schemaVersion: UInt32 = 3

  /// The bytes of the .tflite file.
  public func serialized() -> [UInt8] {
    var allBuffers = buffers
    var metadataTables: [FlatValue] = []
    for (name, bytes) in metadata {
      allBuffers.append(bytes)
      metadataTables.append(
        .table([(0, .child(.string(name))), (1, .uint32(UInt32(allBuffers.count - 1)))]))
    }
    var model: [(id: Int, FlatField)] = [
      (0, .uint32(Self.schemaVersion)),
      (1, .child(.vector(operatorCodes.map(Self.encode)))),
      (2, .child(.vector([encodeSubgraph()]))),
      (3, .child(.string(description))),
      (4, .child(.vector(allBuffers.map(Self.encodeBuffer)))),
    ]
    if !metadataTables.isEmpty { model.append((6, .child(.vector(metadataTables)))) }
    return FlatBufferWriter.serialize(root: .table(model), fileIdentifier: "TFL3")
  }

  private func encodeSubgraph() -> FlatValue {
    .table([
      (0, .child(.vector(tensors.map(Self.encode)))),
      (1, .child(.int32s(inputs))),
      (2, .child(.int32s(outputs))),
      (3, .child(.vector(operators.map(Self.encode)))),
      (4, .child(.string(subgraphName))),
    ])
  }

  private static func encode(_ code: OperatorCode) -> FlatValue {
    // Codes above 127 live only in `builtin_code`; the old int8 field then holds 127
    // (PLACEHOLDER_FOR_GREATER_OP_CODES), as the converter writes it.
    let deprecated = Int8(min(code.builtin.rawValue, 127))
    return .table([
      (0, .int8(deprecated)), (2, .int32(code.version)), (3, .int32(code.builtin.rawValue)),
    ])
  }

  private static func encodeBuffer(_ data: [UInt8]) -> FlatValue {
    data.isEmpty
      ? .table([]) : .table([(0, .child(.scalars(bytes: data, elementSize: 1, alignment: 16)))])
  }

  private static func encode(_ tensor: Tensor) -> FlatValue {
    var fields: [(id: Int, FlatField)] = [
      (0, .child(.int32s(tensor.shape))),
      (1, .int8(tensor.type.rawValue)),
      (2, .uint32(tensor.buffer)),
      (3, .child(.string(tensor.name))),
    ]
    if let q = tensor.quantization {
      fields.append(
        (
          4,
          .child(
            .table([
              (2, .child(.floats(q.scales))),
              (3, .child(.int64s(q.zeroPoints))),
              (6, .int32(q.quantizedDimension)),
            ]))
        ))
    }
    return .table(fields)
  }

  private static func encode(_ op: Operator) -> FlatValue {
    var fields: [(id: Int, FlatField)] = [
      (0, .uint32(op.opcodeIndex)),
      (1, .child(.int32s(op.inputs))),
      (2, .child(.int32s(op.outputs))),
    ]
    if let (type, table) = encode(op.options) {
      fields.append((3, .uint8(type)))
      fields.append((4, .child(table)))
    }
    return .table(fields)
  }

  /// The union type tag (schema `BuiltinOptions`) and the options table.
  private static func encode(_ options: Options) -> (UInt8, FlatValue)? {
    switch options {
    case .conv2D(let padding, let strideW, let strideH, let activation, let dilW, let dilH):
      return (
        1,
        .table([
          (0, .int8(Int8(padding.rawValue))), (1, .int32(strideW)), (2, .int32(strideH)),
          (3, .int8(activation.rawValue)), (4, .int32(dilW)), (5, .int32(dilH)),
        ])
      )
    case .depthwiseConv2D(
      let padding, let strideW, let strideH, let multiplier, let activation, let dilW, let dilH):
      return (
        2,
        .table([
          (0, .int8(Int8(padding.rawValue))), (1, .int32(strideW)), (2, .int32(strideH)),
          (3, .int32(multiplier)), (4, .int8(activation.rawValue)), (5, .int32(dilW)),
          (6, .int32(dilH)),
        ])
      )
    case .pool2D(let padding, let strideW, let strideH, let width, let height, let activation):
      return (
        5,
        .table([
          (0, .int8(Int8(padding.rawValue))), (1, .int32(strideW)), (2, .int32(strideH)),
          (3, .int32(width)), (4, .int32(height)), (5, .int8(activation.rawValue)),
        ])
      )
    case .fullyConnected(let activation, let keepNumDims):
      return (8, .table([(0, .int8(activation.rawValue)), (2, .bool(keepNumDims))]))
    case .softmax(let beta):
      return (9, .table([(0, .float(beta))]))
    case .concatenation(let axis, let activation):
      return (10, .table([(0, .int32(axis)), (1, .int8(activation.rawValue))]))
    case .add(let activation):
      return (11, .table([(0, .int8(activation.rawValue))]))
    case .reshape(let newShape):
      return (17, .table([(0, .child(.int32s(newShape)))]))
    case .pad:
      return (22, .table([]))
    case .reducer(let keepDims):
      return (27, .table([(0, .bool(keepDims))]))
    case .transposeConv(let padding, let strideW, let strideH):
      return (
        49,
        .table([(0, .int8(Int8(padding.rawValue))), (1, .int32(strideW)), (2, .int32(strideH))])
      )
    case .none:
      return nil
    }
  }
}
