/// Carves the interpreter's persistent data (the RAM records of operators whose records hold
/// addresses; or, a second allocator, the constants: tables, constant records, multipliers,
/// packed filters) out of the plan.
///
/// With no memory it only measures: every `allocate` returns nil and counts its bytes. Prepare
/// runs once that way to size the plan region, then again for real, through the same code, so
/// the two can never disagree about a size.
struct PlanAllocator {
  private let base: UnsafeMutableRawPointer?
  private let capacity: Int
  private(set) var used = 0

  /// A measuring allocator.
  init() {
    base = nil
    capacity = 0
  }

  init(base: UnsafeMutableRawPointer, capacity: Int) {
    self.base = base
    self.capacity = capacity
  }

  var isMeasuring: Bool { base == nil }

  /// `bytes` bytes at a multiple of `alignment` from the base; nil while measuring.
  mutating func allocateBytes(_ bytes: Int, alignment: Int) -> UnsafeMutableRawPointer? {
    let start = (used + alignment - 1) / alignment * alignment
    used = start + bytes
    guard let base else { return nil }
    precondition(used <= capacity, "plan region overflow: the measuring pass undercounted")
    return base + start
  }

  /// Room for `count` values of `T`, naturally aligned; nil while measuring.
  mutating func allocate<T>(_: T.Type, count: Int = 1) -> UnsafeMutablePointer<T>? {
    let alignment = MemoryLayout<T>.alignment
    let start = (used + alignment - 1) / alignment * alignment
    used = start + MemoryLayout<T>.stride * count
    guard let base else { return nil }
    precondition(used <= capacity, "plan region overflow: the measuring pass undercounted")
    return (base + start).bindMemory(to: T.self, capacity: count)
  }
}

/// What the interpreter needs from the caller's memory, in bytes. Every region starts at a 16-byte
/// boundary: the arena's start is rounded up to one first (`alignmentSlack` bytes).
public struct ArenaRequirements: Equatable, Sendable {
  /// The persistent part: the RAM records (`recordBytes`) and the constants (`constantBytes`:
  /// the operator and tensor tables, the constant records with their parameters, TFLM's OpData).
  public var planBytes: Int
  /// The part of `planBytes` that holds no address: the operator and tensor tables, the
  /// constant records, per-channel multipliers and shifts, packed filters (`ConstantsHeader`).
  /// A firmware keeps it in flash, computed by the host.
  public var constantBytes: Int
  /// The planned intermediate tensors and scratch buffers (the greedy plan's size).
  public var tensorBytes: Int
  /// The bookkeeping the planner needs while it runs (one record per tensor and per operator),
  /// kept in the tensor region before any tensor lives there.
  public var planningBytes: Int
  /// Bytes lost to rounding the arena's start up to 16.
  public var alignmentSlack: Int

  /// The arena size to allocate: `alignmentSlack + planBytes + max(tensorBytes, planningBytes)`.
  public var totalBytes: Int { alignmentSlack + planBytes + tensorRegionBytes }
  /// The records that hold addresses (operators without a constant record; 0 for the MLPerf
  /// Tiny models): what a firmware keeps in RAM besides the tensors.
  public var recordBytes: Int { planBytes - constantBytes }
  /// The tensor region: the arena when the plan lives elsewhere (`Interpreter(model:plan:arena:)`).
  public var tensorRegionBytes: Int { max(tensorBytes, planningBytes) }
}
