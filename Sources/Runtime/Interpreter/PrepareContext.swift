/// Which kernel an operator record runs; its payload type is named in each case.
enum OpKind: UInt8 {
  case nothing  // RESHAPE whose output shares its input's bytes
  case copy  // CopyOp: RESHAPE that cannot share
  case conv2D  // Conv2DOp
  case depthwiseConv2D  // DepthwiseConv2DOp
  case fullyConnected  // FullyConnectedOp
  case maxPool2D  // PoolOp
  case averagePool2D  // PoolOp
  case add  // AddOp
  case concatenationInt8  // GatherOp
  case concatenationInt32  // GatherOp
  case packInt8  // GatherOp
  case packInt32  // GatherOp
  case mean  // MeanOp
  case pad  // PadOp
  case softmaxInt8  // SoftmaxOp
  case softmaxInt16  // SoftmaxOp
  case quantize  // QuantizeOp
  case dequantize  // DequantizeOp
  case logistic  // LogisticOp
  case shape  // ShapeOp
  case stridedSliceInt8  // StridedSliceOp
  case stridedSliceInt32  // StridedSliceOp
  case transposeConv  // TransposeConvOp
}

/// What an operator's prepare step sees: the model, the plan's two allocators, and (once the
/// tensors are planned) every tensor's place. Prepare runs three times with it: measuring (no
/// memory), to collect scratch sizes for the planner, and for real.
struct PrepareContext {
  let model: Model
  /// The records of the operators not yet converted to constant records (`ConstantRecords.swift`)
  /// and everything they hold that is an address (lists of input pointers): built where the
  /// interpreter runs, in RAM.
  var plan: PlanAllocator
  /// What prepare computes that holds no address and never changes (the operator and tensor
  /// tables, constant records, per-channel multipliers and shifts, packed filters with their
  /// folded bias): the same bytes on the host and on a chip, so a host can compute them once for
  /// a firmware's flash (`PreparedConstants`).
  var constants: PlanAllocator
  /// False when `constants` already holds them (read-only, made by the host): prepare then only
  /// takes their addresses, in the same order, writes nothing there, and checks that the
  /// records there are the ones it computes.
  var writesConstants = true
  /// Each tensor's place (constant bytes in the model, or its planned place in the arena) and
  /// the regions' starts; nil until the plan exists.
  let tensors: UnsafePointer<TensorRef>?
  let bases: RegionBases?
  /// Where the RAM records' addresses go (`OpEntry.payload` indexes it), and how many there are
  /// so far.
  var ramPayloads: UnsafeMutablePointer<UnsafeMutableRawPointer>? = nil
  var ramRecordCount = 0
  /// The kernels the operators are prepared for (and whose layout the plan is sized for).
  let kernels: KernelSet
  /// The current operator's scratch buffer, once planned.
  var scratch: UnsafeMutableRawPointer?
  /// Set by prepare: the bytes of scratch the current operator asks for.
  var scratchRequest = 0
  /// Set by prepare when it commits.
  var record = OpEntry(kind: UInt32(OpKind.nothing.rawValue), payload: 0)

  var isCommitting: Bool { !plan.isMeasuring && tensors != nil }

  // MARK: Tensors of an operator

  /// Input `i`, which must be present (not -1, not past the input list).
  func input(_ op: Operator, _ i: Int) throws(RuntimeError) -> Tensor {
    guard let t = op.input(i) else {
      throw .wrongInputCount(operator: op.index, expected: i + 1, actual: op.inputs.count)
    }
    return try model.tensor(at: t)
  }

  /// Input `i` if the operator has it (an omitted optional input is -1 or past the list).
  func optionalInput(_ op: Operator, _ i: Int) throws(RuntimeError) -> Tensor? {
    guard let t = op.input(i) else { return nil }
    return try model.tensor(at: t)
  }

  func output(_ op: Operator, _ i: Int) throws(RuntimeError) -> Tensor {
    guard let t = op.output(i) else {
      throw .wrongOutputCount(operator: op.index, expected: i + 1, actual: op.outputs.count)
    }
    return try model.tensor(at: t)
  }

  /// TFLM's `TF_LITE_ENSURE(NumInputs(node) in range)`; the count includes omitted (-1) inputs.
  func requireInputs(_ op: Operator, _ counts: ClosedRange<Int>) throws(RuntimeError) {
    guard counts.contains(op.inputs.count) else {
      throw .wrongInputCount(
        operator: op.index, expected: counts.lowerBound, actual: op.inputs.count)
    }
  }

  func requireOutputs(_ op: Operator, _ count: Int) throws(RuntimeError) {
    guard op.outputs.count == count else {
      throw .wrongOutputCount(operator: op.index, expected: count, actual: op.outputs.count)
    }
  }

  func requireType(_ op: Operator, _ t: Tensor, _ type: TensorType) throws(RuntimeError) {
    guard t.type == type else {
      throw .unsupportedType(operator: op.index, tensor: t.index, type: t.type.rawValue)
    }
  }

  func requireRank(_ op: Operator, _ t: Tensor, _ rank: ClosedRange<Int>) throws(RuntimeError) {
    guard rank.contains(t.rank) else { throw .shapeMismatch(operator: op.index, tensor: t.index) }
  }

  func requireShape(_ op: Operator, _ t: Tensor, _ condition: Bool) throws(RuntimeError) {
    guard condition else { throw .shapeMismatch(operator: op.index, tensor: t.index) }
  }

  /// The tensor's quantisation, which the int8 kernels need (TFLM: kTfLiteAffineQuantization).
  func quantization(_ op: Operator, _ t: Tensor) throws(RuntimeError) -> Quantization {
    guard let q = t.quantization else {
      throw .unsupportedQuantization(operator: op.index, tensor: t.index)
    }
    return q
  }

  /// The scale an output is requantised to: dividing by it must give a finite multiplier.
  func outputScale(_ op: Operator, _ t: Tensor) throws(RuntimeError) -> Float {
    let scale = try quantization(op, t).scale
    guard scale > 0 else { throw .unsupportedQuantization(operator: op.index, tensor: t.index) }
    return scale
  }

  /// The tensor's shape for the kernels that take any rank (the reader keeps ranks within
  /// `RuntimeShape.maxRank` and dimensions non-negative).
  func runtimeShape(_ t: Tensor) -> RuntimeShape {
    var shape = RuntimeShape()
    for i in 0..<t.rank { shape.append(t.dim(i)) }
    return shape
  }

  /// A constant int32 tensor's values (an axis list, paddings, slice bounds), in place.
  func constantInt32(_ op: Operator, _ t: Tensor) throws(RuntimeError) -> UnsafeBufferPointer<
    Int32
  > {
    try requireType(op, t, .int32)
    guard let data = t.data else {
      throw .expectedConstantTensor(operator: op.index, tensor: t.index)
    }
    // The reader checked the data is 4-byte aligned and holds `elementCount` values.
    return UnsafeBufferPointer(
      start: data.baseAddress?.assumingMemoryBound(to: Int32.self), count: t.elementCount)
  }

  func kernelCheck<T>(_ op: Operator, _ body: () throws(KernelError) -> T) throws(RuntimeError) -> T
  {
    do {
      return try body()
    } catch {
      throw .kernel(operator: op.index, error)
    }
  }

  // MARK: Memory

  /// Where tensor `t`'s bytes are; only while committing.
  func data(_ t: Tensor) -> UnsafeMutableRawPointer {
    guard let bases else { preconditionFailure("tensor data asked for before the plan exists") }
    return bases.address(ref(t))
  }

  func int8(_ t: Tensor) -> UnsafeMutablePointer<Int8> {
    data(t).assumingMemoryBound(to: Int8.self)
  }

  func int32(_ t: Tensor) -> UnsafeMutablePointer<Int32> {
    data(t).assumingMemoryBound(to: Int32.self)
  }

  /// An optional input's int32 data (a bias), nil when the operator omits it.
  func optionalInt32(_ t: Tensor?) -> UnsafePointer<Int32>? {
    guard let t else { return nil }
    return UnsafePointer(int32(t))
  }

  /// Asks for `bytes` of scratch alive only while this operator runs (TFLM's
  /// `RequestScratchBufferInArena`); nil until the plan exists.
  mutating func requestScratch(bytes: Int) -> UnsafeMutableRawPointer? {
    scratchRequest = bytes
    return scratch
  }

  /// Stores the operator's parameters in RAM (a record that holds addresses); nil while
  /// measuring. Every pass counts it (`ramRecordCount`).
  mutating func commit<Payload>(_ kind: OpKind, _ type: Payload.Type) -> UnsafeMutablePointer<
    Payload
  >? {
    let p = plan.allocate(Payload.self)
    let index = ramRecordCount
    ramRecordCount += 1
    guard isCommitting, let p, let ramPayloads else { return nil }
    ramPayloads[index] = UnsafeMutableRawPointer(p)
    record = OpEntry(kind: UInt32(kind.rawValue), payload: UInt32(truncatingIfNeeded: index))
    return p
  }
}
