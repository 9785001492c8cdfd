/// Runs an int8 .tflite model in caller-provided memory, computing what TFLite Micro computes.
///
/// Opening follows TFLM's AllocateTensors: every operator is prepared (types, shapes and
/// quantisation checked as TFLM's Prepare checks them; padding, multipliers, shifts and clamp
/// bounds computed once), the intermediate tensors are planned by lifetime into one buffer, and
/// any problem is an error before the first run. `invoke` then does integer work only, with no
/// allocation and no failure except the ones TFLM's Eval can report.
///
/// The plan is two regions, then the tensors:
///
///     [ RAM records | constants: tables, records, multipliers, packed filters ][ tensors ]
///       `recordBytes`  `constantBytes`                                           `tensorBytes`
///
/// The constants (the operator and tensor tables, the operators' records, multipliers, shifts,
/// packed filters: `PreparedConstants.swift`, `ConstantRecords.swift`) hold no address, so they
/// can be computed by the host (`prepareConstants`) and read in place from a firmware's flash
/// (`init(model:constants:arena:kernels:)`); the whole plan can also live in a buffer of its own
/// (`init(model:plan:arena:...)`), or all of it at the front of one arena
/// (`init(model:arena:...)`). Each is the same prepare over the same layout. The RAM records are
/// those of the operators whose records still hold addresses (none for the operators the
/// MLPerf Tiny models use).
///
/// Sizes come before anything runs: `Interpreter.requirements(for:scratch:)`, or the
/// `.arenaTooSmall(needed:available:)` error of a too-small arena.
///
/// The model and the memory must outlive the interpreter and not move; the interpreter is a
/// value holding pointers into them (copies share them).
public struct Interpreter {
  public let model: Model
  public let requirements: ArenaRequirements
  /// Each operator's kind and record, and each tensor's place (in the constants).
  private let operators: UnsafePointer<OpEntry>
  private let tensors: UnsafePointer<TensorRef>
  /// The RAM records' addresses (`OpEntry.payload` of a RAM record indexes it).
  private let ramPayloads: UnsafePointer<UnsafeMutableRawPointer>?
  private let bases: RegionBases
  /// Where the tensor region starts (planned offsets count from here).
  public let tensorArena: UnsafeMutableRawPointer
  /// The constants prepare computed (or found), header included: what a firmware keeps in flash.
  public let constants: UnsafeRawBufferPointer
  /// The kernels the operators were prepared for, and run with.
  public let kernels: KernelSet

  /// Prepares every operator and plans the tensors in `arena`, the plan at its front.
  /// `preservingAllTensors` keeps every intermediate tensor in a buffer of its own, valid after
  /// `invoke` (TFLM's `kPreserveAllTensors`), so a host tool can read each layer's output; the
  /// arena is then larger. Firmware leaves it off. `kernels` picks the reference or a vector
  /// kernel set (the same bytes out; the vector ones need more memory: KernelSet.swift).
  public init(
    model: Model, arena: UnsafeMutableRawBufferPointer, preservingAllTensors: Bool = false,
    kernels: KernelSet = .reference
  ) throws(RuntimeError) {
    let layout = try Interpreter.measure(model, kernels: kernels)
    let (base, slack) = try Interpreter.aligned(
      arena, needing: layout.planBytes + layout.planningBytes)
    try self.init(
      model: model, records: base, constants: base + layout.constantsOffset, writesConstants: true,
      tensors: base + layout.planBytes, tensorCapacity: arena.count - slack - layout.planBytes,
      before: slack + layout.planBytes, layout: layout, slack: slack,
      preservingAllTensors: preservingAllTensors, kernels: kernels)
  }

  /// Prepares into `plan` (at least `requirements.planBytes`) and plans the tensors in `arena`
  /// (at least `requirements.tensorRegionBytes`): the arena holds nothing but tensors.
  public init(
    model: Model, plan: UnsafeMutableRawBufferPointer, arena: UnsafeMutableRawBufferPointer,
    preservingAllTensors: Bool = false, kernels: KernelSet = .reference
  ) throws(RuntimeError) {
    let layout = try Interpreter.measure(model, kernels: kernels)
    let (planBase, _) = try Interpreter.aligned(plan, needing: layout.planBytes)
    let (base, slack) = try Interpreter.aligned(arena, needing: layout.planningBytes)
    try self.init(
      model: model, records: planBase, constants: planBase + layout.constantsOffset,
      writesConstants: true, tensors: base, tensorCapacity: arena.count - slack, before: slack,
      layout: layout, slack: slack, preservingAllTensors: preservingAllTensors,
      kernels: kernels)
  }

  /// Opens `model` with constants the host prepared for it (`prepareConstants`, the same kernel
  /// set, so the same packed layout) at `constants`, which are only read (a firmware's
  /// flash). `arena` holds the records and the tensors:
  /// `requirements.totalBytes - requirements.constantBytes`.
  public init(
    model: Model, constants: UnsafeRawBufferPointer, arena: UnsafeMutableRawBufferPointer,
    kernels: KernelSet = .reference
  ) throws(RuntimeError) {
    let layout = try Interpreter.measure(model, kernels: kernels)
    guard let start = constants.baseAddress, Int(bitPattern: start) % arenaAlignment == 0,
      constants.count >= layout.constantBytes,
      constants.load(as: ConstantsHeader.self)
        == ConstantsHeader(
          model: model, kernels: kernels, byteCount: layout.constantBytes)
    else { throw .preparedConstantsMismatch }
    let recordBytes = layout.recordBytes
    let (base, slack) = try Interpreter.aligned(arena, needing: recordBytes + layout.planningBytes)
    try self.init(
      model: model, records: base, constants: UnsafeMutableRawPointer(mutating: start),
      writesConstants: false, tensors: base + recordBytes,
      tensorCapacity: arena.count - slack - recordBytes, before: slack + recordBytes,
      layout: layout, slack: slack, preservingAllTensors: false, kernels: kernels)
  }

  /// Runs prepare on this machine for `kernels` (`.portable` for a microcontroller's build, which
  /// packs as the host's portable set does) and returns the constants it computed, inside `arena`
  /// (at least `requirements(for:scratch:kernels:).totalBytes`): the bytes a firmware keeps in
  /// flash for `init(model:constants:arena:kernels:)`. Nothing here runs the model.
  public static func prepareConstants(
    for model: Model, kernels: KernelSet,
    in arena: UnsafeMutableRawBufferPointer
  ) throws(RuntimeError) -> UnsafeRawBufferPointer {
    let layout = try measure(model, kernels: kernels)
    let (base, slack) = try aligned(arena, needing: layout.planBytes + layout.planningBytes)
    let prepared = try Interpreter(
      model: model, records: base, constants: base + layout.constantsOffset, writesConstants: true,
      tensors: base + layout.planBytes, tensorCapacity: arena.count - slack - layout.planBytes,
      before: slack + layout.planBytes, layout: layout, slack: slack,
      preservingAllTensors: false, kernels: kernels)
    return prepared.constants
  }

  /// The one prepare behind every initialiser: records at `records`, constants at `constants`
  /// (computed, or found when `writesConstants` is false), tensors planned from `tensors`, whose
  /// `tensorCapacity` bytes are preceded by `before` bytes of the caller's arena (for the error's
  /// figure).
  private init(
    model: Model, records recordBase: UnsafeMutableRawPointer,
    constants constantBase: UnsafeMutableRawPointer, writesConstants: Bool,
    tensors tensorRegion: UnsafeMutableRawPointer, tensorCapacity: Int, before: Int,
    layout: Layout, slack: Int, preservingAllTensors: Bool, kernels: KernelSet
  ) throws(RuntimeError) {
    // Plan the tensors, with the planner's records at the start of the tensor region.
    let plan = try Interpreter.planTensors(
      model, in: tensorRegion, preservingAllTensors: preservingAllTensors, kernels: kernels)
    let requirements = ArenaRequirements(
      planBytes: layout.planBytes, constantBytes: layout.constantBytes,
      tensorBytes: plan.tensorBytes, planningBytes: layout.planningBytes, alignmentSlack: slack)
    guard tensorCapacity >= requirements.tensorRegionBytes else {
      throw .arenaTooSmall(
        needed: before + requirements.tensorRegionBytes, available: before + tensorCapacity)
    }

    // The RAM records' address list, then (16-aligned, as measured) their payloads.
    var allocator = PlanAllocator(base: recordBase, capacity: layout.recordBytes)
    let ramPayloads =
      layout.ramRecordCount == 0
      ? nil : allocator.allocate(UnsafeMutableRawPointer.self, count: layout.ramRecordCount)
    _ = allocator.allocateBytes(0, alignment: arenaAlignment)
    let payloadStart = allocator.used

    // The constants: header, operator table, tensor table, then each operator's.
    var constants = PlanAllocator(base: constantBase, capacity: layout.constantBytes)
    let opCount = model.operatorCount
    let tensorCount = model.tensorCount
    guard let header = constants.allocate(ConstantsHeader.self),
      let operators = constants.allocate(OpEntry.self, count: opCount),
      let tensors = constants.allocate(TensorRef.self, count: tensorCount),
      let modelBase = model.bytes.baseAddress
    else { preconditionFailure("a committing allocator returns memory") }
    if writesConstants {
      header.initialize(
        to: ConstantsHeader(
          model: model, kernels: kernels, byteCount: layout.constantBytes))
    }
    let bases = RegionBases(
      arena: tensorRegion, model: modelBase, constants: UnsafeRawPointer(constantBase))
    for t in 0..<tensorCount {
      let tensor = try model.tensor(at: t)
      let root = Int(plan.aliases[t])
      let rootTensor = root == t ? tensor : try model.tensor(at: root)
      let place: TensorRef
      if let data = rootTensor.data?.baseAddress {
        place = try TensorRef(.model, offset: data - modelBase)
      } else if plan.records[root].isPlanned {
        place = try TensorRef(.arena, offset: Int(plan.records[root].offset))
      } else {
        // Unused or empty: never read or written, but kernels get a valid address (the end of
        // the planned tensors, which `arenaOffset` reports as no place).
        place = try TensorRef(.arena, offset: plan.tensorBytes)
      }
      try PrepareContext.place(place, at: tensors + t, writes: writesConstants)
    }
    var ctx = PrepareContext(
      model: model, plan: allocator, constants: constants, writesConstants: writesConstants,
      tensors: UnsafePointer(tensors), bases: bases, ramPayloads: ramPayloads, kernels: kernels)
    for i in 0..<opCount {
      let op = try model.operation(at: i)
      let scratch = plan.records[tensorCount + i]
      ctx.scratch = scratch.isPlanned ? tensorRegion + Int(scratch.offset) : nil
      ctx.record = OpEntry(kind: UInt32(OpKind.nothing.rawValue), payload: 0)
      try Interpreter.prepare(op, &ctx)
      try PrepareContext.place(ctx.record, at: operators + i, writes: writesConstants)
    }
    precondition(
      ctx.plan.used - payloadStart <= layout.ramPayloadBytes, "record region overflow")
    precondition(ctx.constants.used <= layout.constantBytes, "constant region overflow")

    self.model = model
    self.requirements = requirements
    self.operators = UnsafePointer(operators)
    self.tensors = UnsafePointer(tensors)
    self.ramPayloads = ramPayloads.map { UnsafePointer($0) }
    self.bases = bases
    self.tensorArena = tensorRegion
    self.constants = UnsafeRawBufferPointer(start: constantBase, count: layout.constantBytes)
    self.kernels = kernels
  }

  // MARK: Sizing

  /// The plan's two regions and the planner's bookkeeping, from a measuring prepare pass.
  struct Layout {
    /// The RAM records and their address list.
    var recordBytes: Int {
      ramRecordCount == 0
        ? 0
        : alignedArenaSize(ramRecordCount * MemoryLayout<UnsafeMutableRawPointer>.stride)
          + alignedArenaSize(ramPayloadBytes)
    }
    /// The operators whose records hold addresses, and those records' bytes.
    var ramRecordCount: Int
    var ramPayloadBytes: Int
    var constantBytes: Int
    var planningBytes: Int
    /// Where the constants start when they follow the records in one plan: at a multiple of
    /// `packedWeightAlignment`, so that a 64-byte-aligned plan (the host's `ModelSession`) has
    /// its packed weight vectors on cache-line boundaries.
    var constantsOffset: Int {
      (recordBytes + packedWeightAlignment - 1) / packedWeightAlignment * packedWeightAlignment
    }
    var planBytes: Int { constantsOffset + constantBytes }
  }

  /// `memory`'s first 16-byte boundary and the bytes skipped to it, when `needed` bytes fit after
  /// it.
  private static func aligned(_ memory: UnsafeMutableRawBufferPointer, needing needed: Int)
    throws(RuntimeError) -> (UnsafeMutableRawPointer, slack: Int)
  {
    guard let rawBase = memory.baseAddress else {
      throw .arenaTooSmall(needed: arenaAlignment + needed, available: 0)
    }
    let slack = (arenaAlignment - Int(bitPattern: rawBase) % arenaAlignment) % arenaAlignment
    guard memory.count >= slack + needed else {
      throw .arenaTooSmall(needed: slack + needed, available: memory.count)
    }
    return (rawBase + slack, slack)
  }

  private static func measure(
    _ model: Model, kernels: KernelSet
  ) throws(RuntimeError) -> Layout {
    // The RAM payloads are measured from 0; the committing pass puts them at a 16-byte boundary
    // after their address list, so every payload's padding is the same.
    var ctx = PrepareContext(
      model: model, plan: PlanAllocator(), constants: PlanAllocator(), tensors: nil, bases: nil,
      kernels: kernels)
    _ = ctx.constants.allocate(ConstantsHeader.self)
    _ = ctx.constants.allocate(OpEntry.self, count: model.operatorCount)
    _ = ctx.constants.allocate(TensorRef.self, count: model.tensorCount)
    for i in 0..<model.operatorCount { try prepare(try model.operation(at: i), &ctx) }
    let recordCount = model.tensorCount + model.operatorCount
    let planningBytes = alignedArenaSize(
      recordCount * MemoryLayout<PlannedBuffer>.stride
        + model.tensorCount * MemoryLayout<Int32>.stride)
    return Layout(
      ramRecordCount: ctx.ramRecordCount, ramPayloadBytes: ctx.plan.used,
      constantBytes: alignedArenaSize(ctx.constants.used), planningBytes: planningBytes)
  }

  /// The bytes `requirements(for:scratch:)` needs as scratch: the plan region and the planner's
  /// bookkeeping. Computed without memory, so a caller can always size that call.
  public static func planningBytes(
    for model: Model, kernels: KernelSet = .reference
  ) throws(RuntimeError) -> Int {
    let layout = try measure(model, kernels: kernels)
    return arenaAlignment + layout.planBytes + layout.planningBytes
  }

  /// The memory an interpreter for `model` needs, computed in `scratch` (at least
  /// `planningBytes(for:)` bytes, e.g. the arena itself) before anything runs. `alignmentSlack`
  /// is 0 in the answer: an arena starting on a 16-byte boundary needs exactly `totalBytes`.
  /// Each kernel set sizes for its own packed layout: `.portable` is what a microcontroller build
  /// of the vector kernels needs.
  public static func requirements(
    for model: Model, scratch: UnsafeMutableRawBufferPointer, preservingAllTensors: Bool = false,
    kernels: KernelSet = .reference
  ) throws(RuntimeError) -> ArenaRequirements {
    let layout = try measure(model, kernels: kernels)
    let base: UnsafeMutableRawPointer
    do {
      base = try aligned(scratch, needing: layout.planBytes + layout.planningBytes).0
    } catch {
      throw .arenaTooSmall(
        needed: try planningBytes(for: model, kernels: kernels),
        available: scratch.count)
    }
    let plan = try planTensors(
      model, in: base + layout.planBytes, preservingAllTensors: preservingAllTensors,
      kernels: kernels)
    return ArenaRequirements(
      planBytes: layout.planBytes, constantBytes: layout.constantBytes,
      tensorBytes: plan.tensorBytes, planningBytes: layout.planningBytes, alignmentSlack: 0)
  }

  /// The planner's records: one per tensor, then one scratch buffer per operator.
  struct TensorPlan {
    var records: UnsafeMutableBufferPointer<PlannedBuffer>
    var aliases: UnsafeMutableBufferPointer<Int32>
    var tensorBytes: Int
  }

  /// Marks lifetimes, collects each operator's scratch request (a measuring prepare) and runs
  /// the greedy planner, with its records at `memory` (the future tensor region).
  static func planTensors(
    _ model: Model, in memory: UnsafeMutableRawPointer, preservingAllTensors: Bool = false,
    kernels: KernelSet = .reference
  ) throws(RuntimeError) -> TensorPlan {
    let tensorCount = model.tensorCount
    let recordCount = tensorCount + model.operatorCount
    let records = UnsafeMutableBufferPointer(
      start: memory.bindMemory(to: PlannedBuffer.self, capacity: recordCount), count: recordCount)
    let aliases = UnsafeMutableBufferPointer(
      start: (memory + recordCount * MemoryLayout<PlannedBuffer>.stride)
        .bindMemory(to: Int32.self, capacity: tensorCount), count: tensorCount)
    try markTensorLifetimes(model, records: records, aliases: aliases)
    if preservingAllTensors {
      // Alive until the end, every tensor overlaps every other in time: no two share bytes.
      let end = Int32(truncatingIfNeeded: model.operatorCount)
      for t in 0..<tensorCount where records[t].isPlanned { records[t].lastUse = end }
    }
    var ctx = PrepareContext(
      model: model, plan: PlanAllocator(), constants: PlanAllocator(), tensors: nil, bases: nil,
      kernels: kernels)
    for i in 0..<model.operatorCount {
      ctx.scratchRequest = 0
      try prepare(try model.operation(at: i), &ctx)
      let time = Int32(truncatingIfNeeded: i + 1)
      records[tensorCount + i] =
        ctx.scratchRequest > 0
        ? PlannedBuffer(
          size: Int32(truncatingIfNeeded: alignedArenaSize(ctx.scratchRequest)), firstUse: time,
          lastUse: time) : .unplanned
    }
    // Offsets are Int32 and the plan is at most the sum of the sizes: keep that within 31 bits.
    var total: Int32 = 0
    for r in records where r.isPlanned {
      let (sum, overflow) = total.addingReportingOverflow(r.size)
      guard !overflow else { throw .modelTooLarge }
      total = sum
    }
    let bytes = planGreedy(records)
    return TensorPlan(records: records, aliases: aliases, tensorBytes: bytes)
  }

  // MARK: Prepare and invoke

  /// Dispatches prepare by operator code; anything else is unsupported, by name. Each
  /// operator's prepare is `@inline(never)`: inlined here, all their frames (parameters, records
  /// and shapes by value) would be on the stack at once, which a chip's 7-8 KiB cannot spare.
  static func prepare(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    guard supports(builtinCode: op.builtinCode) else {
      throw .unsupportedOperator(code: op.builtinCode, index: op.index)
    }
    switch op.code.builtin {
    case .conv2D: try prepareConv2D(op, &ctx)
    case .depthwiseConv2D: try prepareDepthwiseConv2D(op, &ctx)
    case .fullyConnected: try prepareFullyConnected(op, &ctx)
    case .maxPool2D: try preparePool2D(op, &ctx, kind: .maxPool2D)
    case .averagePool2D: try preparePool2D(op, &ctx, kind: .averagePool2D)
    case .reshape: try prepareReshape(op, &ctx)
    case .add: try prepareAdd(op, &ctx)
    case .concatenation: try prepareConcatenation(op, &ctx)
    case .pack: try preparePack(op, &ctx)
    case .mean: try prepareMean(op, &ctx)
    case .pad, .padV2: try preparePad(op, &ctx)
    case .softmax: try prepareSoftmax(op, &ctx)
    case .quantize: try prepareQuantize(op, &ctx)
    case .dequantize: try prepareDequantize(op, &ctx)
    case .logistic: try prepareLogistic(op, &ctx)
    case .shape: try prepareShape(op, &ctx)
    case .stridedSlice: try prepareStridedSlice(op, &ctx)
    case .transposeConv: try prepareTransposeConv(op, &ctx)
    default: preconditionFailure("supports(builtinCode:) lists an operator prepare lacks")
    }
  }

  /// Whether `prepare` has a kernel for builtin operator `code` (the list `tinycnn` prints).
  public static func supports(builtinCode code: Int32) -> Bool {
    switch BuiltinOperator(rawValue: code) {
    case .conv2D, .depthwiseConv2D, .fullyConnected, .maxPool2D, .averagePool2D, .reshape, .add,
      .concatenation, .mean, .pad, .padV2, .softmax, .quantize, .dequantize, .logistic, .shape,
      .stridedSlice, .pack, .transposeConv:
      return true
    default:
      return false
    }
  }

  /// Runs every operator once over the current input. Allocates nothing.
  public func invoke() throws(RuntimeError) {
    for i in 0..<model.operatorCount { try invokeOperator(i) }
  }

  /// Runs operator `i` alone, on what the operators before it left in the arena (so, in order,
  /// they are `invoke`): lets a host tool time each layer.
  public func invokeOperator(_ i: Int) throws(RuntimeError) {
    precondition(i >= 0 && i < model.operatorCount, "operator index out of range")
    let entry = operators[i]
    switch OpKind(rawValue: UInt8(truncatingIfNeeded: entry.kind)).unsafelyUnwrapped {
    case .nothing: break
    case .copy: constant(entry, CopyOp.self).pointee.eval(bases)
    case .conv2D: constant(entry, Conv2DOp.self).pointee.eval(bases, kernels)
    case .depthwiseConv2D: constant(entry, DepthwiseConv2DOp.self).pointee.eval(bases, kernels)
    case .fullyConnected: constant(entry, FullyConnectedOp.self).pointee.eval(bases, kernels)
    case .maxPool2D: constant(entry, PoolOp.self).pointee.evalMax(bases, kernels)
    case .averagePool2D:
      guard constant(entry, PoolOp.self).pointee.evalAverage(bases, kernels) else {
        throw .invokeFailed(operator: i)
      }
    case .add: constant(entry, AddOp.self).pointee.eval(bases, kernels)
    case .concatenationInt8, .packInt8: ram(entry, GatherOp.self).pointee.eval(Int8.self)
    case .concatenationInt32, .packInt32: ram(entry, GatherOp.self).pointee.eval(Int32.self)
    case .mean: constant(entry, MeanOp.self).pointee.eval(bases, kernels)
    case .pad: ram(entry, PadOp.self).pointee.eval()
    case .softmaxInt8: constant(entry, SoftmaxOp.self).pointee.evalInt8(bases)
    case .softmaxInt16: constant(entry, SoftmaxOp.self).pointee.evalInt16(bases)
    case .quantize: ram(entry, QuantizeOp.self).pointee.eval()
    case .dequantize: ram(entry, DequantizeOp.self).pointee.eval()
    case .logistic: ram(entry, LogisticOp.self).pointee.eval()
    case .shape: ram(entry, ShapeOp.self).pointee.eval()
    case .stridedSliceInt8: ram(entry, StridedSliceOp.self).pointee.eval(Int8.self)
    case .stridedSliceInt32: ram(entry, StridedSliceOp.self).pointee.eval(Int32.self)
    case .transposeConv: ram(entry, TransposeConvOp.self).pointee.eval()
    }
  }

  /// A constant record (in the constants: flash on a chip).
  @inline(__always)
  private func constant<T>(_ entry: OpEntry, _: T.Type) -> UnsafePointer<T> {
    (bases.constants + Int(truncatingIfNeeded: entry.payload)).assumingMemoryBound(to: T.self)
  }

  /// A record that holds addresses (in RAM).
  @inline(__always)
  private func ram<T>(_ entry: OpEntry, _: T.Type) -> UnsafePointer<T> {
    UnsafePointer(
      ramPayloads.unsafelyUnwrapped[Int(truncatingIfNeeded: entry.payload)]
        .assumingMemoryBound(to: T.self))
  }

  // MARK: Inputs and outputs

  public var inputCount: Int { model.inputCount }
  public var outputCount: Int { model.outputCount }

  /// Model input `i`: its tensor (type, shape, quantisation) and its bytes in the arena, to
  /// write before `invoke`.
  public func input(_ i: Int) throws(RuntimeError) -> TensorData {
    guard i >= 0, i < model.inputCount else {
      throw .ioIndexOutOfRange(index: i, count: model.inputCount)
    }
    return try tensorData(model.inputTensorIndex(i))
  }

  /// Model output `i`, to read after `invoke`.
  public func output(_ i: Int) throws(RuntimeError) -> TensorData {
    guard i >= 0, i < model.outputCount else {
      throw .ioIndexOutOfRange(index: i, count: model.outputCount)
    }
    return try tensorData(model.outputTensorIndex(i))
  }

  /// Any tensor's current bytes (an intermediate's are valid only while it is alive).
  public func tensorData(_ t: Int) throws(RuntimeError) -> TensorData {
    let tensor = try model.tensor(at: t)
    return TensorData(
      tensor: tensor,
      bytes: UnsafeMutableRawBufferPointer(
        start: bases.address(tensors[t]), count: tensor.byteCount))
  }

  /// Where tensor `t` lives, as an offset into the tensor region, or nil for a constant.
  public func arenaOffset(ofTensor t: Int) -> Int? {
    let place = tensors[t]
    guard place.region == TensorRef.Region.arena.rawValue, place.offset < requirements.tensorBytes
    else { return nil }
    return place.offset
  }
}

/// A tensor and its bytes.
public struct TensorData {
  public let tensor: Tensor
  public let bytes: UnsafeMutableRawBufferPointer
}
