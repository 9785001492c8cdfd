/// CONV_2D and FULLY_CONNECTED weights for the DSP kernel set (`KernelSet.dsp`), packed once at
/// prepare time in the order the multiply-accumulate loops (DSPMicroKernels.swift) read them.
///
/// Each word holds two int16 weights of one channel (SMLAD's operands), the filter's depth
/// `depth` in `pairs` words (padded with zero weights to a multiple of 8 values, the loops'
/// unrolling), channels in tiles of `tileChannels` (2 for CONV_2D's 2x4 loop, 4 for
/// FULLY_CONNECTED's 4x1), a tile's words interleaved pair by pair:
///
///     records   [tiles * tileChannels][8] Int32   (DSPChannelRecord: bias, multiplier, shift,
///                                                the folded requantisation's constants)
///     weights   [tiles][pairs][tileChannels] Int32: (w[c][k(i, 0)], w[c][k(i, 1)])
///
/// The depth is `segments` runs (a convolution's filter taps, a fully connected layer's one
/// row) of `segmentLength` weights, each run padded with zero weights to `paddedLength`: a
/// 3-channel tap becomes 4 values, so its activations are one whole word (the fourth byte,
/// whatever it holds, meets a zero weight). `depth` counts the padded values.
///
/// Word `i` holds the depth indices `k(i, 0), k(i, 1)`: `2i, 2i + 1` in natural order; in quad
/// order (`quadOrder`, for activations widened four bytes at a time by SXTAB16, which splits
/// even and odd bytes) `4q + r` and `4q + r + 2` for `i = 2q + r`. The activations are widened
/// in the same order (`ConvWindow`, `widenRow`), so each word pairs the right values.
public struct DSPPackedWeights {
  public let channels: Int
  public let tileChannels: Int
  public let depth: Int
  public let pairs: Int
  public let quadOrder: Bool
  /// Every channel's requantisation takes the folded form (`DSPChannelRecord.folds`).
  public let folded: Bool
  let records: UnsafePointer<Int32>
  let weights: UnsafePointer<Int32>

  /// Words per channel for a depth: whole groups of 8 values.
  public static func pairs(depth: Int) -> Int { (depth + 7) / 8 * 4 }

  /// Tiles of `tileChannels` for `channels`, the last one padded with zero weights.
  public static func tiles(channels: Int, tileChannels: Int) -> Int {
    (channels + tileChannels - 1) / tileChannels
  }

  /// The bytes `init(packing:...)` writes: a header word (1: `folded`), the records, the
  /// weights.
  public static func byteCount(channels: Int, tileChannels: Int, depth: Int) -> Int {
    let lanes = tiles(channels: channels, tileChannels: tileChannels) * tileChannels
    return 4 * (1 + lanes * (DSPChannelRecord.words + pairs(depth: depth)))
  }

  /// The weights `init(packing:...)` wrote at `memory` with the same shape arguments (the
  /// host's packing, read in place).
  public init(
    at memory: UnsafeRawPointer, channels: Int, depth: Int, tileChannels: Int, quadOrder: Bool
  ) {
    self.channels = channels
    self.tileChannels = tileChannels
    self.depth = depth
    self.quadOrder = quadOrder
    pairs = Self.pairs(depth: depth)
    let lanes = Self.tiles(channels: channels, tileChannels: tileChannels) * tileChannels
    let ints = memory.assumingMemoryBound(to: Int32.self)
    folded = ints[0] != 0
    records = ints + 1
    weights = ints + 1 + DSPChannelRecord.words * lanes
  }

  /// Packs `filter` (`[channels][segments * segmentLength]` row-major: OHWI for a convolution,
  /// the taps its segments) with its bias (nil: zeros) and requantisation (`multiplier[c]`,
  /// `shift[c]`, or one value for every channel when `perChannel` is false) into `memory`,
  /// 4-aligned, of `byteCount` bytes.
  public init(
    packing filter: UnsafePointer<Int8>, channels: Int, segments: Int, segmentLength: Int,
    paddedLength: Int, tileChannels: Int, quadOrder: Bool, bias: UnsafePointer<Int32>?,
    multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>, perChannel: Bool,
    into memory: UnsafeMutableRawPointer
  ) {
    let depth = segments * paddedLength
    precondition(Int(bitPattern: memory) % 4 == 0 && (!quadOrder || paddedLength % 4 == 0))
    let pairs = Self.pairs(depth: depth)
    let lanes = Self.tiles(channels: channels, tileChannels: tileChannels) * tileChannels
    let recordWords = DSPChannelRecord.words * lanes
    let ints = memory.bindMemory(to: Int32.self, capacity: 1 + recordWords + lanes * pairs)
    var folded = true
    for c in 0..<lanes {
      let real = c < channels
      let m = real ? multiplier[perChannel ? c : 0] : 0
      let s = real ? shift[perChannel ? c : 0] : -1
      folded = folded && DSPChannelRecord.folds(multiplier: m, shift: s)
      DSPChannelRecord.write(
        bias: real ? (bias?[c] ?? 0) : 0, multiplier: m, shift: s,
        to: ints + 1 + DSPChannelRecord.words * c)
    }
    ints[0] = folded ? 1 : 0
    let realDepth = segments * segmentLength
    /// Channel c's weight at padded depth index k; 0 in the padding.
    func weight(_ c: Int, _ k: Int) -> Int8 {
      let (segment, j) = k.quotientAndRemainder(dividingBy: paddedLength)
      guard c < channels, segment < segments, j < segmentLength else { return 0 }
      return filter[c * realDepth + segment * segmentLength + j]
    }
    let words = ints + 1 + recordWords
    for c in 0..<lanes {
      let tile = c / tileChannels
      let lane = c % tileChannels
      for i in 0..<pairs {
        let k0 = quadOrder ? 4 * (i / 2) + i % 2 : 2 * i
        let k1 = quadOrder ? k0 + 2 : k0 + 1
        words[(tile * pairs + i) * tileChannels + lane] = int16Pair(
          Int32(weight(c, k0)), Int32(weight(c, k1)))
      }
    }
    self.init(
      at: UnsafeRawPointer(memory), channels: channels, depth: depth,
      tileChannels: tileChannels, quadOrder: quadOrder)
  }

  public var tiles: Int { Self.tiles(channels: channels, tileChannels: tileChannels) }

  /// Channel `c`'s record (DSPChannelRecord).
  @inline(__always)
  func record(_ c: Int) -> UnsafePointer<Int32> { records + DSPChannelRecord.words &* c }

  /// Tile `t`'s words.
  @inline(__always)
  func tile(_ t: Int) -> UnsafePointer<Int32> { weights + t &* pairs &* tileChannels }
}

/// One word of two int16 values, `low` in bits 0-15 (each in int16 range).
@inline(__always)
func int16Pair(_ low: Int32, _ high: Int32) -> Int32 {
  (low & 0xFFFF) | (high &<< 16)
}
