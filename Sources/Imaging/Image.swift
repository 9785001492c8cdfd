/// The two pixel layouts TinyCNN's models take: 8-bit gray (1 channel) or 8-bit RGB (3 channels).
public enum PixelFormat: Sendable, Equatable, CaseIterable {
  case gray
  case rgb

  /// Channels per pixel: 1 for gray, 3 for RGB.
  public var channels: Int { self == .gray ? 1 : 3 }

  /// The format with `channels` channels, or nil for any count other than 1 or 3.
  public init?(channels: Int) {
    switch channels {
    case 1: self = .gray
    case 3: self = .rgb
    default: return nil
    }
  }
}

/// An 8-bit image in memory, rows top to bottom, channels interleaved: pixel (y, x) channel c is
/// `pixels[(y * width + x) * channels + c]` (HWC, the layout of TFLite's NHWC input tensors).
public struct Image: Sendable, Equatable {
  public var width: Int
  public var height: Int
  public var channels: Int
  public var pixels: [UInt8]  // [height, width, channels]

  /// An image over `pixels`; the count must be `width * height * channels` (a caller's bug if not).
  public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0 && channels > 0, "bad image shape")
    precondition(
      pixels.count == width * height * channels,
      "\(pixels.count) pixels for a \(width)x\(height)x\(channels) image")
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// A black image of the given size and format.
  public init(width: Int, height: Int, format: PixelFormat) {
    self.init(
      width: width, height: height, channels: format.channels,
      pixels: [UInt8](repeating: 0, count: width * height * format.channels))
  }

  /// `.gray` or `.rgb`, or nil for any other channel count (an image with alpha, say).
  public var format: PixelFormat? { PixelFormat(channels: channels) }

  /// The value of channel `channel` at row `y`, column `x`.
  public subscript(y y: Int, x x: Int, channel channel: Int) -> UInt8 {
    get { pixels[(y * width + x) * channels + channel] }
    set { pixels[(y * width + x) * channels + channel] = newValue }
  }
}
