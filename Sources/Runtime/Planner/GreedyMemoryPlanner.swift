/// One buffer of the arena plan: an intermediate tensor (or an operator's scratch) that exists
/// from operator `firstUse` to operator `lastUse`, both inclusive, with `size` bytes already
/// rounded up to `arenaAlignment`. `offset` is the planner's answer; a buffer with
/// `firstUse < 0` is not planned (a constant, an unused tensor, or one aliased to another).
public struct PlannedBuffer: Equatable, Sendable {
  public var size: Int32
  public var firstUse: Int32
  public var lastUse: Int32
  public var offset: Int32

  public init(size: Int32, firstUse: Int32, lastUse: Int32, offset: Int32 = -1) {
    self.size = size
    self.firstUse = firstUse
    self.lastUse = lastUse
    self.offset = offset
  }

  public static let unplanned = PlannedBuffer(size: 0, firstUse: -1, lastUse: -1)

  public var isPlanned: Bool { firstUse >= 0 }

  /// Whether the two buffers are alive at the same time (TFLM's `DoesEntryOverlapInTime`).
  @inline(__always)
  public func overlapsInTime(_ other: PlannedBuffer) -> Bool {
    firstUse <= other.lastUse && other.firstUse <= lastUse
  }
}

/// The alignment of every buffer start and size: TFLM's `MicroArenaBufferAlignment()` (16), which
/// the SIMD kernels of Cortex-M targets also rely on.
public let arenaAlignment = 16

/// Where packed filters start within the constants, and the alignment a host allocates its arena
/// with (`ModelSession`): the optimized kernels load whole 64-byte weight vectors, and one that
/// straddles two cache lines costs two loads (DS-CNN's depthwise layers ran 6.3 instead of 5.1 µs
/// when their weights sat 16 or 48 bytes past a line).
public let packedWeightAlignment = 64

/// Rounds `size` up to a multiple of `arenaAlignment` (TFLM's `AlignSizeUp`).
@inline(__always)
public func alignedArenaSize(_ size: Int) -> Int {
  (size + arenaAlignment - 1) / arenaAlignment * arenaAlignment
}

/// TFLM's GreedyMemoryPlanner (memory_planner/greedy_memory_planner.cc), giving the same offsets
/// for the same buffers, in the caller's memory and with no scratch of its own:
///
/// 1. Take the buffers largest first; among equal sizes the one added last first (TFLM fills
///    its sort array from the tail, then sorts it stably). The first goes at offset 0.
/// 2. For each next buffer, walk the already placed buffers that are alive at the same time,
///    in increasing offset order, keeping a candidate offset just past the end of those seen;
///    the first gap between the candidate and the next such buffer that fits is taken, else the
///    buffer goes after the last of them.
///
/// TFLM keeps a sorted order array and an offset-ordered linked list in scratch memory; here
/// both are recomputed by linear scans over `buffers` (the order from each unplaced buffer's
/// size, the list from the placed buffers' offsets), which costs O(n^3) time for n buffers
/// instead of O(n^2) but needs no memory beyond the `offset` field. A few hundred buffers (a
/// MobileNet) plan in milliseconds; the plan is made once, before the first run.
///
/// Returns the arena bytes the plan needs: the largest `offset + size`.
public func planGreedy(_ buffers: UnsafeMutableBufferPointer<PlannedBuffer>) -> Int {
  for i in buffers.indices where buffers[i].isPlanned { buffers[i].offset = -1 }
  var arenaBytes = 0
  while let next = largestUnplaced(buffers) {
    let wanted = buffers[next]
    var candidate = 0
    var prior: Int? = nil
    while true {
      // The next simultaneously alive buffer in offset order after `prior`.
      let following = nextByOffset(after: prior, alongside: wanted, in: buffers)
      if let prior {
        candidate = max(candidate, Int(buffers[prior].offset) + Int(buffers[prior].size))
      }
      guard let following else { break }
      if Int(buffers[following].offset) - candidate >= Int(wanted.size) { break }
      prior = following
    }
    // `candidate` is at most the sum of the sizes, which the interpreter keeps within 31 bits.
    buffers[next].offset = Int32(truncatingIfNeeded: candidate)
    arenaBytes = max(arenaBytes, candidate + Int(wanted.size))
  }
  return arenaBytes
}

/// The unplaced buffer to place next: largest size, then highest index.
private func largestUnplaced(_ buffers: UnsafeMutableBufferPointer<PlannedBuffer>) -> Int? {
  var best: Int? = nil
  for i in buffers.indices where buffers[i].isPlanned && buffers[i].offset < 0 {
    if let b = best, buffers[b].size > buffers[i].size { continue }
    best = i
  }
  return best
}

/// The placed buffer alive alongside `wanted` with the smallest (offset, index) greater than
/// `after`'s, or the smallest of all when `after` is nil. Equal offsets may come in any order:
/// the first of them that fails the gap test makes every other fail it as well.
private func nextByOffset(
  after: Int?, alongside wanted: PlannedBuffer,
  in buffers: UnsafeMutableBufferPointer<PlannedBuffer>
) -> Int? {
  var best: Int? = nil
  for i in buffers.indices {
    let b = buffers[i]
    guard b.isPlanned, b.offset >= 0, b.overlapsInTime(wanted) else { continue }
    if let after {
      let a = buffers[after]
      guard b.offset > a.offset || (b.offset == a.offset && i > after) else { continue }
    }
    if let current = best {
      let c = buffers[current]
      guard b.offset < c.offset || (b.offset == c.offset && i < current) else { continue }
    }
    best = i
  }
  return best
}

/// Whether two buffers alive at the same time share a byte (TFLM's `DoAnyBuffersOverlap`): the
/// planner's invariant, checked by the tests on every plan.
public func anyPlannedBuffersOverlap(_ buffers: UnsafeBufferPointer<PlannedBuffer>) -> Bool {
  for i in buffers.indices where buffers[i].isPlanned && buffers[i].size > 0 {
    let a = buffers[i]
    for j in (i + 1)..<buffers.count where buffers[j].isPlanned && buffers[j].size > 0 {
      let b = buffers[j]
      guard a.overlapsInTime(b) else { continue }
      if a.offset < b.offset + b.size && b.offset < a.offset + a.size { return true }
    }
  }
  return false
}
