/// Lays tensors into one arena by lifetime, the way TFLM's GreedyMemoryPlanner does:
///  1. sort the buffers by size, largest first (ties: the one needed first);
///  2. put each at the lowest offset where it overlaps no already placed buffer that is alive
///     at the same time;
///  3. the arena is the highest end offset.
/// Used for shape-only models, whose tensors never reach the Runtime's planner; it is the same
/// greedy algorithm, so the numbers agree for chains (checked against `tinycnn inspect` in the
/// tests once a .tflite is at hand). Offsets are aligned to 16 bytes, as TFLM aligns buffers.
public enum ArenaPlanner {
  public static let alignment = 16

  public struct Placement: Hashable, Sendable {
    public var tensor: TensorLifetime
    public var offset: Int
  }

  /// The placement of every non-empty tensor and the arena size.
  public static func plan(_ tensors: [TensorLifetime]) -> (size: Int, placements: [Placement]) {
    let order = tensors.filter { $0.bytes > 0 }.sorted {
      $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.firstOp < $1.firstOp
    }
    var placed: [Placement] = []
    var size = 0
    for tensor in order {
      let bytes = aligned(tensor.bytes)
      // Candidate offsets: 0 and the end of every live neighbour, lowest first.
      let live = placed.filter { $0.tensor.overlapsInTime(tensor) }
        .sorted { $0.offset < $1.offset }
      var offset = 0
      for other in live {
        let otherEnd = other.offset + aligned(other.tensor.bytes)
        if offset + bytes <= other.offset { break }  // fits in the gap before `other`
        offset = max(offset, otherEnd)
      }
      placed.append(Placement(tensor: tensor, offset: offset))
      size = max(size, offset + bytes)
    }
    return (size, placed)
  }

  static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}
