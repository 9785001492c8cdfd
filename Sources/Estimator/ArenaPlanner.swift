import Runtime

/// Lays tensors into one arena by lifetime with the Runtime's own planner (`planGreedy`, TFLM's
/// GreedyMemoryPlanner: largest first, each at the lowest offset free for its whole lifetime),
/// so a shape-only model gets the arena the firmware would plan for the same tensors. Sizes are
/// rounded up to the 16-byte arena alignment first.
public enum ArenaPlanner {
  public static let alignment = Runtime.arenaAlignment

  public struct Placement: Hashable, Sendable {
    public var tensor: TensorLifetime
    public var offset: Int
  }

  /// The placement of every non-empty tensor and the arena size.
  public static func plan(_ tensors: [TensorLifetime]) -> (size: Int, placements: [Placement]) {
    let live = tensors.filter { $0.bytes > 0 }
    // The planner counts uses from 0; our model input is alive "before operator 0" (-1).
    var buffers = live.map {
      PlannedBuffer(
        size: Int32(aligned($0.bytes)), firstUse: Int32($0.firstOp + 1),
        lastUse: Int32($0.lastOp + 1))
    }
    let size = buffers.withUnsafeMutableBufferPointer { planGreedy($0) }
    let placements = zip(live, buffers).map { Placement(tensor: $0, offset: Int($1.offset)) }
    return (size, placements)
  }

  static func aligned(_ n: Int) -> Int { Runtime.alignedArenaSize(n) }
}
