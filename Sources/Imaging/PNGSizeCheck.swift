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

  /// Refuses a chunk whose declared length runs past the end of the file, before libpng sees
  /// it: libpng allocates and clears a chunk's buffer from the length alone, so a 322-byte file
  /// declaring a 1.4 GB chunk took 4.8 s and 1.9 GB (found by Fuzz/PNGFuzz.swift). Stops at IEND;
  /// anything else wrong is left to libpng, whose words name the chunk.
  static func checkChunks(_ bytes: [UInt8], source: String) throws(ImageError) {
    var offset = 8  // after the signature
    while offset + 8 <= bytes.count {
      let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
      let type = bytes[offset + 4..<offset + 8]
      let name =
        type.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) })
        ? "chunk '\(String(decoding: type, as: UTF8.self))'" : "a chunk"
      guard length <= Int(Int32.max), offset + 12 + length <= bytes.count else {
        throw ImageError(
          file: source,
          cause: "\(name) at byte \(offset) declares \(Checked.grouped(length)) bytes, past the "
            + "end of the file (\(Checked.grouped(bytes.count)) bytes): truncated or corrupt")
      }
      if Array(type) == Array("IEND".utf8) { return }
      offset += 12 + length
    }
  }
}
