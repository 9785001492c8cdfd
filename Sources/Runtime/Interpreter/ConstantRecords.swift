// Operator records that hold no address, so that they are constants (issue 13): the host
// computes them with the rest of the prepared constants and a firmware reads them in place from
// flash. A record names each tensor by where it lives (`TensorRef`: an offset into the tensor
// arena, the model's bytes or the constants), its integers are Int32/UInt32 (no `Int`, no
// pointer, no closure: the host's bytes are the chip's) and its kernel is a `KernelPath`,
// resolved at eval through the interpreter's `KernelSet`, held once.

/// Where a tensor, a scratch buffer or a prepared constant lives, in 32 bits that are the same on
/// the 64-bit host and a 32-bit chip: the region in the top two bits, the byte offset from the
/// region's start below. `RegionBases` makes it an address at eval: a load and an add.
struct TensorRef: Equatable {
  var bits: UInt32

  enum Region: UInt32 {
    /// The tensor region: planned tensors and scratch.
    case arena = 0
    /// The model's bytes: weights, biases, any constant tensor.
    case model = 1
    /// The prepared constants: multipliers, packed filters, records.
    case constants = 2
  }

  /// No tensor (an omitted bias, a kernel without scratch).
  static let none = TensorRef(bits: 0xC000_0000)
  /// Offsets fit in 30 bits; a region past 1 GiB is `RuntimeError.modelTooLarge`.
  static let offsetLimit = 1 << 30

  init(bits: UInt32) { self.bits = bits }

  init(_ region: Region, offset: Int) throws(RuntimeError) {
    guard offset >= 0, offset < TensorRef.offsetLimit else { throw .modelTooLarge }
    bits = region.rawValue << 30 | UInt32(truncatingIfNeeded: offset)
  }

  var isNone: Bool { bits == TensorRef.none.bits }
  var region: UInt32 { bits >> 30 }
  var offset: Int { Int(truncatingIfNeeded: bits & 0x3FFF_FFFF) }
}

/// The three regions' starts where this interpreter runs: what turns a record's `TensorRef`s
/// into addresses.
struct RegionBases {
  let arena: UnsafeMutableRawPointer
  let model: UnsafeRawPointer
  let constants: UnsafeRawPointer

  @inline(__always)
  func address(_ r: TensorRef) -> UnsafeMutableRawPointer {
    switch r.region {
    case TensorRef.Region.arena.rawValue: return arena + r.offset
    case TensorRef.Region.model.rawValue: return UnsafeMutableRawPointer(mutating: model) + r.offset
    default: return UnsafeMutableRawPointer(mutating: constants) + r.offset
    }
  }

  @inline(__always)
  func optional(_ r: TensorRef) -> UnsafeMutableRawPointer? { r.isNone ? nil : address(r) }

  @inline(__always)
  func int8(_ r: TensorRef) -> UnsafeMutablePointer<Int8> {
    address(r).assumingMemoryBound(to: Int8.self)
  }

  @inline(__always)
  func int32(_ r: TensorRef) -> UnsafeMutablePointer<Int32> {
    address(r).assumingMemoryBound(to: Int32.self)
  }

  @inline(__always)
  func optionalInt32(_ r: TensorRef) -> UnsafePointer<Int32>? {
    r.isNone ? nil : UnsafePointer(int32(r))
  }
}

/// One operator in the constants' operator table: its `OpKind` and where its record is (a
/// byte offset into the constants for a constant record, the index into the interpreter's
/// RAM payload list for an operator whose record still holds addresses; 0 for none).
struct OpEntry: Equatable {
  var kind: UInt32
  var payload: UInt32
}

/// Which of a set's kernels a record runs (a record's `UInt32` field).
enum KernelPath {
  static let reference: UInt32 = 0
  /// The set's vector kernel (`KernelSet.vector`).
  static let vector: UInt32 = 1
  /// The DSP set's own loops (Kernels/CortexM); the reference kernel on a build without them.
  static let dsp: UInt32 = 2
}

/// A `Shape4` as a record holds it.
struct StoredShape: Equatable {
  var n: Int32
  var h: Int32
  var w: Int32
  var c: Int32

  init(_ s: Shape4) {
    n = Int32(truncatingIfNeeded: s.n)
    h = Int32(truncatingIfNeeded: s.h)
    w = Int32(truncatingIfNeeded: s.w)
    c = Int32(truncatingIfNeeded: s.c)
  }

  @inline(__always)
  var shape: Shape4 { Shape4(n: Int(n), h: Int(h), w: Int(w), c: Int(c)) }
}

/// A `RuntimeShape` (rank 0...6) as a record holds it.
struct StoredRuntimeShape: Equatable {
  var rank: Int32
  var dims: (Int32, Int32, Int32, Int32, Int32, Int32)

  init(_ s: RuntimeShape) {
    rank = Int32(truncatingIfNeeded: s.rank)
    dims = (
      Self.dim(s, 0), Self.dim(s, 1), Self.dim(s, 2), Self.dim(s, 3), Self.dim(s, 4),
      Self.dim(s, 5)
    )
  }

  private static func dim(_ s: RuntimeShape, _ i: Int) -> Int32 {
    i < s.rank ? Int32(truncatingIfNeeded: s[i]) : 0
  }

  static func == (a: StoredRuntimeShape, b: StoredRuntimeShape) -> Bool {
    a.rank == b.rank && a.dims == b.dims
  }

  @inline(__always)
  var shape: RuntimeShape {
    var s = RuntimeShape()
    for i in 0..<Int(rank) {
      switch i {
      case 0: s.append(Int(dims.0))
      case 1: s.append(Int(dims.1))
      case 2: s.append(Int(dims.2))
      case 3: s.append(Int(dims.3))
      case 4: s.append(Int(dims.4))
      default: s.append(Int(dims.5))
      }
    }
    return s
  }
}

/// A window's padding and strides (CONV_2D, DEPTHWISE_CONV_2D, the poolings) as a record holds
/// them.
struct StoredWindow: Equatable {
  var padding: UInt32
  var paddingWidth: Int32
  var paddingHeight: Int32
  var paddingWidthOffset: Int32
  var paddingHeightOffset: Int32
  var strideWidth: Int32
  var strideHeight: Int32

  init(padding: Padding, values: PaddingValues, strideWidth: Int, strideHeight: Int) {
    self.padding = UInt32(padding.rawValue)
    paddingWidth = Int32(truncatingIfNeeded: values.width)
    paddingHeight = Int32(truncatingIfNeeded: values.height)
    paddingWidthOffset = Int32(truncatingIfNeeded: values.widthOffset)
    paddingHeightOffset = Int32(truncatingIfNeeded: values.heightOffset)
    self.strideWidth = Int32(truncatingIfNeeded: strideWidth)
    self.strideHeight = Int32(truncatingIfNeeded: strideHeight)
  }

  @inline(__always)
  var paddingKind: Padding { padding == UInt32(Padding.same.rawValue) ? .same : .valid }

  @inline(__always)
  var paddingValues: PaddingValues {
    PaddingValues(
      width: Int(paddingWidth), height: Int(paddingHeight), widthOffset: Int(paddingWidthOffset),
      heightOffset: Int(paddingHeightOffset))
  }
}

/// `ConvParams` or `DepthwiseParams` as a record holds them (`depthMultiplier` 0 for CONV_2D).
struct StoredConvParams: Equatable {
  var window: StoredWindow
  var dilationWidth: Int32
  var dilationHeight: Int32
  var depthMultiplier: Int32
  var inputOffset: Int32
  var weightsOffset: Int32
  var outputOffset: Int32
  var activationMin: Int32
  var activationMax: Int32

  init(_ p: ConvParams) {
    self.init(
      padding: p.padding, values: p.paddingValues, strideWidth: p.strideWidth,
      strideHeight: p.strideHeight, dilationWidth: p.dilationWidthFactor,
      dilationHeight: p.dilationHeightFactor, depthMultiplier: 0, inputOffset: p.inputOffset,
      weightsOffset: p.weightsOffset, outputOffset: p.outputOffset,
      activationMin: p.quantizedActivationMin, activationMax: p.quantizedActivationMax)
  }

  init(_ p: DepthwiseParams) {
    self.init(
      padding: p.padding, values: p.paddingValues, strideWidth: p.strideWidth,
      strideHeight: p.strideHeight, dilationWidth: p.dilationWidthFactor,
      dilationHeight: p.dilationHeightFactor, depthMultiplier: p.depthMultiplier,
      inputOffset: p.inputOffset, weightsOffset: p.weightsOffset, outputOffset: p.outputOffset,
      activationMin: p.quantizedActivationMin, activationMax: p.quantizedActivationMax)
  }

  private init(
    padding: Padding, values: PaddingValues, strideWidth: Int, strideHeight: Int,
    dilationWidth: Int, dilationHeight: Int, depthMultiplier: Int, inputOffset: Int32,
    weightsOffset: Int32, outputOffset: Int32, activationMin: Int32, activationMax: Int32
  ) {
    window = StoredWindow(
      padding: padding, values: values, strideWidth: strideWidth, strideHeight: strideHeight)
    self.dilationWidth = Int32(truncatingIfNeeded: dilationWidth)
    self.dilationHeight = Int32(truncatingIfNeeded: dilationHeight)
    self.depthMultiplier = Int32(truncatingIfNeeded: depthMultiplier)
    self.inputOffset = inputOffset
    self.weightsOffset = weightsOffset
    self.outputOffset = outputOffset
    self.activationMin = activationMin
    self.activationMax = activationMax
  }

  @inline(__always)
  var conv: ConvParams {
    ConvParams(
      padding: window.paddingKind, paddingValues: window.paddingValues,
      strideWidth: Int(window.strideWidth), strideHeight: Int(window.strideHeight),
      dilationWidthFactor: Int(dilationWidth), dilationHeightFactor: Int(dilationHeight),
      inputOffset: inputOffset, weightsOffset: weightsOffset, outputOffset: outputOffset,
      quantizedActivationMin: activationMin, quantizedActivationMax: activationMax)
  }

  @inline(__always)
  var depthwise: DepthwiseParams {
    DepthwiseParams(
      padding: window.paddingKind, paddingValues: window.paddingValues,
      strideWidth: Int(window.strideWidth), strideHeight: Int(window.strideHeight),
      dilationWidthFactor: Int(dilationWidth), dilationHeightFactor: Int(dilationHeight),
      depthMultiplier: Int(depthMultiplier), inputOffset: inputOffset,
      weightsOffset: weightsOffset, outputOffset: outputOffset,
      quantizedActivationMin: activationMin, quantizedActivationMax: activationMax)
  }
}

/// Where a constant record goes, once the constants exist (`PrepareContext.commitConstant`).
struct ConstantSlot<Record> {
  let memory: UnsafeMutablePointer<Record>
  let writes: Bool
}

extension PrepareContext {
  /// Where tensor `t` lives; only while committing.
  func ref(_ t: Tensor) -> TensorRef {
    guard let tensors else { preconditionFailure("tensor places asked for before the plan exists") }
    return tensors[t.index]
  }

  func optionalRef(_ t: Tensor?) -> TensorRef {
    guard let t else { return .none }
    return ref(t)
  }

  /// A place in the constants (a multiplier array, a packed filter) as a record names it.
  func constantRef(_ p: UnsafeRawPointer?) throws(RuntimeError) -> TensorRef {
    guard let p, let bases else { return .none }
    return try TensorRef(.constants, offset: p - bases.constants)
  }

  /// The current operator's scratch as a record names it.
  func scratchRef(_ p: UnsafeRawPointer?) throws(RuntimeError) -> TensorRef {
    guard let p, let bases else { return .none }
    return try TensorRef(.arena, offset: p - UnsafeRawPointer(bases.arena))
  }

  /// Reserves the current operator's record in the constants (every pass, so they are sized
  /// alike); the slot exists only while committing. `emit` then fills it.
  mutating func commitConstant<Record>(_ kind: OpKind, _: Record.Type) throws(RuntimeError)
    -> ConstantSlot<Record>?
  {
    let p = constants.allocate(Record.self)
    guard isCommitting, let p else { return nil }
    record = OpEntry(
      kind: UInt32(kind.rawValue),
      payload: UInt32(truncatingIfNeeded: try constantRef(UnsafeRawPointer(p)).offset))
    return ConstantSlot(memory: p, writes: writesConstants)
  }

  /// Writes `value` into its slot, or, where the constants came from the host (a firmware's
  /// flash), checks that they hold exactly what this build computes.
  func emit<Record>(_ value: Record, _ slot: ConstantSlot<Record>) throws(RuntimeError) {
    try PrepareContext.place(value, at: slot.memory, writes: slot.writes)
  }

  /// `emit` for any constant value (a record, a table entry).
  static func place<Value>(_ value: Value, at p: UnsafeMutablePointer<Value>, writes: Bool)
    throws(RuntimeError)
  {
    if writes {
      p.initialize(to: value)
      return
    }
    let same = withUnsafeBytes(of: value) { mine in
      let theirs = UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: mine.count)
      for i in 0..<mine.count where mine[i] != theirs[i] { return false }
      return true
    }
    guard same else { throw .preparedConstantsMismatch }
  }
}
