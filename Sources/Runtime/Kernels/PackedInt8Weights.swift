// The packed filter of the int16 GEMM (Kernels/SIMD/PackedGEMMInt8SIMD.swift), which every
// vector kernel set's CONV_2D and FULLY_CONNECTED use: its layout and packing, shared by the
// modules that compile the kernels (an operator record holds one), while the reads the GEMM
// inlines stay with the kernels.

/// Weights and per-channel parameters of one CONV_2D or FULLY_CONNECTED, re-packed for
/// `gemmInt8SIMD` into memory the caller provides (the interpreter's plan region).
///
/// The depth is `segments` runs of `segmentLength` values (a convolution's filter rows, `kW * inC`
/// each; one run for FULLY_CONNECTED), each run padded to an even length with a zero weight, so
/// that a pair never straddles two runs (which are apart in the activations).
///
///     multiplier, leftShift, rightShift, bias   [groups * 8] Int32   (0 past `channels`)
///     weights   [groups][depthPairs][8][2] Int8   w[8g + lane][pair k, element j], 0 in the
///                                                 padding and past the channels
package struct PackedInt8Weights {
  /// Output channels of the `[channels][segments * segmentLength]` filter.
  package let channels: Int
  package let segments: Int
  package let segmentLength: Int
  package let multiplier: UnsafePointer<Int32>
  package let leftShift: UnsafePointer<Int32>
  package let rightShift: UnsafePointer<Int32>
  package let bias: UnsafePointer<Int32>
  package let weights: UnsafePointer<Int8>

  /// Groups of eight output channels (the last may be partial).
  @inlinable package var groups: Int { (channels + 7) / 8 }
  /// Pairs per run, the last padded with a zero weight when the run is odd.
  @inlinable package var segmentPairs: Int { (segmentLength + 1) / 2 }
  @inlinable package var depthPairs: Int { segments * segmentPairs }

  /// The bytes `init(packing:...)` writes, for a memory start aligned to 4.
  package static func byteCount(channels: Int, segments: Int, segmentLength: Int) -> Int {
    let lanes = (channels + 7) / 8 * 8
    return 4 * lanes * MemoryLayout<Int32>.stride + lanes * segments * ((segmentLength + 1) / 2) * 2
  }

  /// Packs `filter` (`[channels][segments * segmentLength]`, row-major: OHWI for a convolution)
  /// with its bias (nil: zeros) and requantisation: `multiplier[c]`, `shift[c]` per channel, or
  /// one value for all when `perChannel` is false (per-tensor FULLY_CONNECTED).
  package init(
    packing filter: UnsafePointer<Int8>, channels: Int, segments: Int, segmentLength: Int,
    bias: UnsafePointer<Int32>?, multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>,
    perChannel: Bool, into memory: UnsafeMutableRawPointer
  ) {
    precondition(Int(bitPattern: memory) % MemoryLayout<Int32>.alignment == 0)
    let lanes = (channels + 7) / 8 * 8
    let segmentPairs = (segmentLength + 1) / 2
    let depthPairs = segments * segmentPairs
    let ints = memory.bindMemory(to: Int32.self, capacity: 4 * lanes)
    let packed = (memory + 4 * lanes * MemoryLayout<Int32>.stride)
      .bindMemory(to: Int8.self, capacity: lanes * depthPairs * 2)
    for c in 0..<lanes {
      let real = c < channels
      let s = real ? shift[perChannel ? c : 0] : 0
      ints[c] = real ? multiplier[perChannel ? c : 0] : 0
      ints[lanes + c] = s > 0 ? s : 0
      ints[2 * lanes + c] = s > 0 ? 0 : -s
      ints[3 * lanes + c] = real ? (bias?[c] ?? 0) : 0
    }
    let depth = segments * segmentLength
    for g in 0..<lanes / 8 {
      for kp in 0..<depthPairs {
        let tile = packed + (g * depthPairs + kp) * 16
        let segment = kp / segmentPairs
        for lane in 0..<8 {
          let c = 8 * g + lane
          for j in 0..<2 {
            let k = 2 * (kp % segmentPairs) + j  // within the segment
            tile[2 * lane + j] =
              c < channels && k < segmentLength
              ? filter[c * depth + segment * segmentLength + k] : 0
          }
        }
      }
    }
    self.init(
      packedAt: UnsafeRawPointer(memory), channels: channels, segments: segments,
      segmentLength: segmentLength)
  }

  /// The weights `init(packing:...)` wrote at `memory`, read where they lie (a firmware's flash,
  /// where the host put them): the layout holds no address, only these three sizes.
  package init(packedAt memory: UnsafeRawPointer, channels: Int, segments: Int, segmentLength: Int)
  {
    self.channels = channels
    self.segments = segments
    self.segmentLength = segmentLength
    let lanes = (channels + 7) / 8 * 8
    let ints = memory.assumingMemoryBound(to: Int32.self)
    multiplier = ints
    leftShift = ints + lanes
    rightShift = ints + 2 * lanes
    bias = ints + 3 * lanes
    weights = (memory + 4 * lanes * MemoryLayout<Int32>.stride).assumingMemoryBound(to: Int8.self)
  }
}
