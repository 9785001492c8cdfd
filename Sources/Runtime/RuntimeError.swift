/// Everything a model file, an arena or a caller's input can get wrong, as the Runtime reports it.
/// No strings (Embedded Swift): each case names the cause with byte positions and indices, and the
/// host turns it into one line (`RuntimeError+Message.swift` in the CLI). Our own bugs are
/// `precondition`s, never one of these.
public enum RuntimeError: Error, Equatable, Sendable {
  // MARK: The flatbuffer structure

  /// The file ends before byte `atByte`, which a header, table or scalar field needs.
  case truncatedModel(atByte: Int)
  /// Bytes 4..<8 are not the "TFL3" file identifier.
  case notATFLiteFile
  /// The offset stored at `atByte` points past the end of the file (offsets are unsigned).
  case offsetOutOfRange(atByte: Int)
  /// The vector (or string) at `atByte` claims `count` elements, which run past the end of the
  /// file.
  case vectorOutOfRange(atByte: Int, count: Int)
  /// The table at `atByte` has a vtable that lies outside the file or does not fit its table.
  case invalidVTable(atByte: Int)
  /// The schema version is not 3 (TFLM refuses the same files).
  case unsupportedSchemaVersion(UInt32)
  /// The model has no subgraph, or its subgraph has no operators, inputs or outputs.
  case emptyModel

  // MARK: Tensors, buffers, quantisation

  /// Tensor `tensor` has a TensorType this runtime cannot size or compute with (schema value).
  case unsupportedTensorType(type: Int8, tensor: Int)
  /// Tensor `tensor` has a negative dimension, more than `maxTensorRank` dimensions, or a byte
  /// size that does not fit in 31 bits.
  case invalidTensorShape(tensor: Int)
  /// Tensor `tensor` is stored sparse (`sparsity` parameters), which TFLM does not run either.
  case sparseTensor(tensor: Int)
  /// Tensor `tensor` names buffer `buffer`, past the model's buffer list.
  case bufferIndexOutOfRange(tensor: Int, buffer: Int)
  /// Tensor `tensor`'s constant buffer holds `actual` bytes where its shape and type need
  /// `expected`.
  case bufferSizeMismatch(tensor: Int, expected: Int, actual: Int)
  /// Buffer `buffer` stores its data outside the flatbuffer (offset/size), past the end of the file.
  case bufferOutOfRange(buffer: Int)
  /// Tensor `tensor`'s constant data is not aligned for its element type (the model bytes must
  /// start at a 16-byte boundary, as TFLM requires).
  case misalignedBuffer(tensor: Int)
  /// Tensor `tensor`'s quantisation parameters are inconsistent (see `QuantizationProblem`).
  case invalidQuantization(tensor: Int, QuantizationProblem)
  /// Metadata entry `entry` names buffer `buffer`, past the model's buffer list.
  case metadataBufferOutOfRange(entry: Int, buffer: Int)

  // MARK: Operators

  /// Operator `operator` names operator code `opcodeIndex`, past the model's code list.
  case operatorCodeOutOfRange(operator: Int, opcodeIndex: Int)
  /// Operator `index` is a builtin (or CUSTOM, code 32) this runtime does not implement; the host
  /// names it with `builtinOperatorName(code)`.
  case unsupportedOperator(code: Int32, index: Int)
  /// Operator `operator` (or, with `operator == -1`, the subgraph's input/output list) names
  /// tensor `tensor`, past the tensor list (or -1 where a tensor is required).
  case tensorIndexOutOfRange(operator: Int, tensor: Int)
  /// Operator `operator`'s builtin options are of the wrong union type for its operator code, or
  /// hold a value outside the schema's enum (padding, activation, weights format).
  case invalidOptions(operator: Int)
  /// Operator `operator` has `actual` inputs (or outputs) where its kernel takes `expected`
  /// (the smallest count when a kernel takes a range).
  case wrongInputCount(operator: Int, expected: Int, actual: Int)
  case wrongOutputCount(operator: Int, expected: Int, actual: Int)
  /// Tensor `tensor` of operator `operator` has a type (schema value) its kernel does not take.
  case unsupportedType(operator: Int, tensor: Int, type: Int8)
  /// Tensor `tensor`'s shape does not fit operator `operator` (rank, or a dimension that must
  /// equal another tensor's).
  case shapeMismatch(operator: Int, tensor: Int)
  /// Tensor `tensor` lacks the quantisation operator `operator` needs, or has parameters its
  /// kernel rejects (TFLM's Prepare checks, e.g. pooling input and output scales must match).
  case unsupportedQuantization(operator: Int, tensor: Int)
  /// A kernel's prepare math failed for operator `operator` (see `KernelError`).
  case kernel(operator: Int, KernelError)
  /// Operator `operator` must read a constant tensor (e.g. RESHAPE's shape input) and tensor
  /// `tensor` is not one.
  case expectedConstantTensor(operator: Int, tensor: Int)
  /// Operator `operator` reads tensor `tensor`, which is neither constant, a model input, nor
  /// written by an earlier operator (the operators are not in execution order).
  case tensorUsedBeforeWritten(operator: Int, tensor: Int)
  /// A kernel failed while running operator `operator` (TFLM's Eval returning an error, e.g.
  /// an AVERAGE_POOL_2D window with no tap inside the image).
  case invokeFailed(operator: Int)

  // MARK: Memory

  /// The arena holds `available` bytes where the plan and the tensors need `needed`.
  case arenaTooSmall(needed: Int, available: Int)
  /// The model has more tensors or operators than the planner's 32-bit bookkeeping holds.
  case modelTooLarge
  /// Constants prepared elsewhere (`Interpreter.prepareConstants`, a firmware's flash) are not
  /// this model's, this kernel set's, or this build's filter packing (or not constants at all).
  case preparedConstantsMismatch

  // MARK: The caller's data

  /// The caller asked for input or output `index` of a model that has `count`.
  case ioIndexOutOfRange(index: Int, count: Int)
  /// The caller's input holds `actual` bytes where the model's input `index` needs `expected`.
  case inputSizeMismatch(index: Int, expected: Int, actual: Int)
}

/// Why a tensor's `QuantizationParameters` are rejected.
public enum QuantizationProblem: Equatable, Sendable {
  /// No scales, or zero points where neither one nor one per scale is given.
  case parameterCount
  /// More than one scale, but `quantized_dimension` is not a dimension of the tensor or the
  /// scales do not number that dimension's size.
  case quantizedDimension
  /// A scale is negative, infinite or NaN.
  case scale
  /// A zero point does not fit in the tensor's type (or in int32).
  case zeroPoint
}
