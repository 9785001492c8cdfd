import CLibPNG

/// What a PNG's header says, read without decoding the pixels.
public struct PNGHeader: Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// True for RGB, RGBA and colour palettes; false for gray and gray+alpha.
  public var isColor: Bool
}

extension PNG {
  /// Reads the header of a PNG file's bytes (errors as `decode`'s, naming `source`).
  public static func header(_ bytes: [UInt8], source: String) throws(ImageError) -> PNGHeader {
    guard !bytes.isEmpty else { throw ImageError(file: source, cause: "empty file, not a PNG") }
    var png = png_image.simplified()
    defer { png_image_free(&png) }
    let began = bytes.withUnsafeBytes {
      png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count)
    }
    guard began != 0 else { throw ImageError(file: source, cause: png.errorMessage) }
    try checkSize(
      bytes, width: Int(png.width), height: Int(png.height), channels: 4, source: source)
    return PNGHeader(
      width: Int(png.width), height: Int(png.height),
      isColor: png.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0)
  }
}
