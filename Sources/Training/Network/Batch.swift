import Datasets

/// Turns 8-bit HWC images into the network's float NCHW input: `x = pixel / 255`, in [0, 1]. The
/// int8 pipeline relies on exactly this (input scale 1/255, zero point -128, so the int8 input is
/// `pixel - 128`); a model records it as `input_normalization` in its metadata.
enum InputNormalization {
  static let name = "pixel/255"
  static let scale: Float = 1 / 255
}

/// Light data augmentation, applied while a batch is converted: off by default.
public struct Augmentation: Sendable, Equatable, Codable {
  /// Mirror each image left-right with probability 1/2.
  public var horizontalFlip = false
  /// Translate each image by up to this many pixels in x and y (uniform), filling with 0.
  public var maxShift = 0

  enum CodingKeys: String, CodingKey {
    case horizontalFlip = "horizontal_flip"
    case maxShift = "max_shift"
  }

  public init(horizontalFlip: Bool = false, maxShift: Int = 0) {
    self.horizontalFlip = horizontalFlip
    self.maxShift = maxShift
  }

  public static let none = Augmentation()
  public var isEnabled: Bool { horizontalFlip || maxShift > 0 }
}

extension LabeledImages {
  /// Writes images `indices` as NCHW floats into `destination` and their labels into `labels`.
  /// With augmentation, each image draws its flip and shift from `rng`.
  func writeBatch(
    _ indices: some Collection<Int>, into destination: UnsafeMutablePointer<Float>,
    labels: UnsafeMutablePointer<Int32>, augmentation: Augmentation = .none,
    rng: inout SplitMix64
  ) {
    let (h, w, c) = (height, width, channels)
    let plane = h * w
    pixels.withUnsafeBufferPointer { all in
      for (i, index) in indices.enumerated() {
        labels[i] = Int32(self.labels[index])
        let source = all.baseAddress! + index * imageSize
        let target = destination + i * imageSize
        var flip = false
        var (dy, dx) = (0, 0)
        if augmentation.isEnabled {
          if augmentation.horizontalFlip { flip = rng.next() & 1 == 1 }
          let s = augmentation.maxShift
          if s > 0 {
            dy = Int(rng.next() % UInt64(2 * s + 1)) - s
            dx = Int(rng.next() % UInt64(2 * s + 1)) - s
          }
        }
        if !flip && dy == 0 && dx == 0 {
          // A plane at a time, pixels inner: one contiguous (gray) or strided (RGB) loop that
          // vectorises. Pixel-major with the channel innermost stayed scalar, and the batch is
          // written on one thread while the other waits: 3 % of a LeNet-5 epoch.
          for ch in 0..<c {
            let (from, to) = (source + ch, target + ch * plane)
            for pixel in 0..<plane { to[pixel] = Float(from[pixel * c]) * InputNormalization.scale }
          }
          continue
        }
        // Output (y, x) reads input (y - dy, x' - dx), x' mirrored when flipping.
        for y in 0..<h {
          for x in 0..<w {
            let sy = y - dy
            let mirrored = flip ? w - 1 - x : x
            let sx = mirrored - dx
            let inside = sy >= 0 && sy < h && sx >= 0 && sx < w
            for ch in 0..<c {
              target[ch * plane + y * w + x] =
                inside ? Float(source[(sy * w + sx) * c + ch]) * InputNormalization.scale : 0
            }
          }
        }
      }
    }
  }
}
