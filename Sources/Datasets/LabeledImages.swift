import Imaging

/// A labelled image set in memory: `count` 8-bit images of one size, each stored HWC (rows top to
/// bottom, channels interleaved) like `Image` and like TFLite's NHWC input tensors, one after the
/// other. Gray sets have 1 channel, colour sets 3.
///
/// The trainer converts a batch to float NCHW as it normalises it; the int8 runtime quantises
/// straight from these bytes. Keeping 8 bits here holds all 60,000 Fashion-MNIST training images
/// in 47 MB instead of 188 MB of floats.
public struct LabeledImages: Sendable {
  /// Where the images came from, for messages and the model's training record,
  /// e.g. "fashion-mnist (train)".
  public var name: String
  public var width: Int
  public var height: Int
  public var channels: Int
  public var pixels: [UInt8]  // [count, height, width, channels]
  public var labels: [Int]  // [count], each in 0..<classNames.count
  public var classNames: [String]

  public init(
    name: String, width: Int, height: Int, channels: Int, pixels: [UInt8], labels: [Int],
    classNames: [String]
  ) {
    precondition(width > 0 && height > 0 && channels > 0, "bad image shape")
    precondition(
      pixels.count == labels.count * width * height * channels,
      "\(pixels.count) pixels for \(labels.count) images of \(width)x\(height)x\(channels)")
    precondition(labels.allSatisfy { $0 >= 0 && $0 < classNames.count }, "label out of range")
    self.name = name
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
    self.labels = labels
    self.classNames = classNames
  }

  public var count: Int { labels.count }
  /// Bytes per image: `height * width * channels`.
  public var imageSize: Int { height * width * channels }

  /// Image `index` as an `Image` (a copy of its bytes).
  public func image(_ index: Int) -> Image {
    let start = index * imageSize
    return Image(
      width: width, height: height, channels: channels,
      pixels: Array(pixels[start..<start + imageSize]))
  }

  /// The images at `indices`, in that order (a subset, a shuffled copy, or both).
  public func selecting(_ indices: some Collection<Int>) -> LabeledImages {
    var picked = [UInt8]()
    picked.reserveCapacity(indices.count * imageSize)
    for i in indices { picked += pixels[i * imageSize..<(i + 1) * imageSize] }
    return LabeledImages(
      name: name, width: width, height: height, channels: channels, pixels: picked,
      labels: indices.map { labels[$0] }, classNames: classNames)
  }

  /// The first `n` images (all of them when `n >= count`).
  public func prefix(_ n: Int) -> LabeledImages { selecting(0..<min(n, count)) }
}
