import InputChecks

extension PNG {
  /// Deflate's largest compression ratio: a 258-byte match coded in two bits, about 1032:1
  /// (zlib's technical details, "Maximum compression factor").
  static let maximumDeflateRatio = 1032

  /// Refuses a header whose image could not fit in the file, before a pixel buffer is allocated:
  /// a 68-byte PNG may declare 16384 x 16384 pixels, and libpng only finds the data missing
  /// after we have allocated a gigabyte for it. Each row has at least a filter byte and
  /// `width x bit depth` bits; the file's bytes, inflated at the best possible ratio, must cover
  /// that. Then the decoded size must be inside `ResourceLimit.bytes`.
  static func checkSize(
    _ bytes: [UInt8], width: Int, height: Int, channels: Int, source: String
  ) throws(ImageError) {
    let bitDepth = bytes.count > 24 ? max(1, Int(bytes[24])) : 1  // IHDR's bit depth
    let rowBytes = 1 + (width * bitDepth + 7) / 8  // width <= 2^31: no overflow
    let leastCompressed = height * rowBytes / maximumDeflateRatio
    guard bytes.count >= leastCompressed else {
      throw ImageError(
        file: source,
        cause: "the header declares \(width) x \(height) pixels, which need at least "
          + "\(Checked.grouped(leastCompressed)) bytes of compressed data; the file has "
          + "\(Checked.grouped(bytes.count)) (truncated?)")
    }
    do {
      _ = try ResourceLimit.bytes.checkProduct(
        [width, height, channels], "\(width) x \(height) pixels")
    } catch { throw ImageError(file: source, cause: error.description) }
  }
}
