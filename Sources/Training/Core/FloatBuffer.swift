/// A growable, 64-byte-aligned block of floats that a layer or the network keeps from batch to
/// batch: buffers are sized once for the largest batch and reused, so a training step allocates
/// nothing (a fresh megabyte from malloc is an mmap and 256 page faults).
final class FloatBuffer {
  private(set) var pointer: UnsafeMutablePointer<Float>
  private(set) var capacity: Int

  init(count: Int = 0) {
    capacity = max(count, 16)
    pointer = Self.allocate(capacity)
  }

  deinit { pointer.deallocate() }

  /// At least `count` floats; the contents are kept only when no growth was needed.
  func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      pointer.deallocate()
      capacity = count
      pointer = Self.allocate(count)
    }
    return pointer
  }

  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
    return raw.initializeMemory(as: Float.self, repeating: 0, count: count)
  }
}
