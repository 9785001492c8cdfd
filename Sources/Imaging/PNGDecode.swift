import CLibPNG

// What decoding does beyond libpng's parsing, and why:
//
// 1. libpng expands every flavour to 8 bits per sample in the file's own channel layout (gray or
//    RGB, plus alpha if the file has an alpha channel or a tRNS chunk). 1/2/4-bit samples scale
//    exactly to 0...255, 16-bit samples round to v / 257. (16-bit Adam7 files take another path
//    around a libpng bug; see finishReadSixteenBitAdam7.)
// 2. 16-bit files are read as sRGB-encoded, like 8-bit ones (PNG_IMAGE_FLAG_16BIT_sRGB). Without
//    the flag the simplified API takes 16-bit data without a gAMA chunk to be *linear* and gamma-
//    encodes it, turning mid-gray 32768 into 188 where PIL and TensorFlow give 128.
// 3. Alpha is composited onto black, channel by channel: round(c * a / 255). Why black: MNIST and
//    Fashion-MNIST draw light objects on a black background, so a cut-out with a transparent
//    background lands on the background the models were trained on. (TensorFlow's decode_png with
//    channels=3 instead drops alpha and shows whatever colour the encoder left under transparent
//    pixels, so two visually equal PNGs can decode differently; PIL's convert("RGB") does the
//    same.) We composite ourselves, not with libpng's `background`, because libpng composites in
//    linear light, which nothing in the Python world reproduces.
// 4. RGB becomes gray with ITU-R 601 luma in PIL's integer form (see ColorConversion.swift), the
//    same rule as `Image.converted(to: .gray)`, so `decode(as: .gray)` equals
//    `decode(as: .rgb).converted(to: .gray)`. libpng's own RGB-to-gray works in linear light.
// Files with gAMA, cHRM, sRGB or iCCP chunks are converted to sRGB by libpng (PIL ignores them).

extension PNG {
  /// Decodes a PNG file's bytes to an 8-bit image in `format`. `source` names the bytes (usually
  /// the path) in errors. A corrupt, truncated or non-PNG input is an `ImageError` carrying
  /// libpng's reason; a width or height over `maxSide` is refused from the header alone.
  public static func decode(_ bytes: [UInt8], as format: PixelFormat, source: String)
    throws(ImageError) -> Image
  {
    guard !bytes.isEmpty else { throw ImageError(file: source, cause: "empty file, not a PNG") }
    var png = png_image.simplified()
    defer { png_image_free(&png) }  // a no-op after a successful finish_read, which frees itself
    let began = bytes.withUnsafeBytes {
      png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count)
    }
    guard began != 0 else { throw ImageError(file: source, cause: png.errorMessage) }

    let width = Int(png.width)
    let height = Int(png.height)
    guard width <= maxSide && height <= maxSide else {
      throw ImageError(
        file: source,
        cause: "image is \(width) x \(height) pixels, larger than the \(maxSide) x \(maxSide) limit"
      )
    }
    let samples =
      (png.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1)
      + (png.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0)
    try checkSize(bytes, width: width, height: height, channels: samples, source: source)
    let sixteenBit = png.format & png_uint_32(PNG_FORMAT_FLAG_LINEAR) != 0
    let interlaced = bytes[28] != 0  // IHDR's interlace method; begin_read checked bytes 8..<33
    let decoded =
      sixteenBit && interlaced
      ? try finishReadSixteenBitAdam7(&png, source: source)
      : try finishRead(&png, source: source)
    return decoded.converted(to: format)
  }

  /// The usual path: libpng expands to 8 bits in the file's own layout, we composite alpha.
  private static func finishRead(_ png: inout png_image, source: String) throws(ImageError)
    -> Image
  {
    let hasColor = png.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
    let hasAlpha = png.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
    png.format =
      (hasColor ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0)
      | (hasAlpha ? png_uint_32(PNG_FORMAT_FLAG_ALPHA) : 0)
    png.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
    let channels = (hasColor ? 3 : 1) + (hasAlpha ? 1 : 0)
    var pixels = [UInt8](repeating: 0, count: Int(png.width) * Int(png.height) * channels)
    let finished = pixels.withUnsafeMutableBytes {
      png_image_finish_read(&png, nil, $0.baseAddress, 0, nil)  // row stride 0: packed rows
    }
    guard finished != 0 else { throw ImageError(file: source, cause: png.errorMessage) }
    let decoded = Image(
      width: Int(png.width), height: Int(png.height), channels: channels, pixels: pixels)
    return hasAlpha ? decoded.compositedOnBlack() : decoded
  }

  /// 16-bit Adam7 files. libpng's 16-to-8-bit path for interlaced images mixes up rows (about
  /// half the samples wrong; https://github.com/pnggroup/libpng/issues/853, in Debian's 1.6.39),
  /// so we take libpng's 16-bit "linear" output instead and round to 8 bits ourselves,
  /// round(v / 257). Asking for it without alpha makes libpng composite onto black at 16 bits,
  /// round(c * a / 65535): our rule at a finer step. The one difference: a gAMA, sRGB or iCCP
  /// chunk in such a file is decoded to linear light, so it comes out darker than it should.
  private static func finishReadSixteenBitAdam7(_ png: inout png_image, source: String)
    throws(ImageError) -> Image
  {
    let hasColor = png.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
    png.format =
      png_uint_32(PNG_FORMAT_FLAG_LINEAR) | (hasColor ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0)
    let channels = hasColor ? 3 : 1
    var samples = [UInt16](repeating: 0, count: Int(png.width) * Int(png.height) * channels)
    let finished = samples.withUnsafeMutableBytes {
      png_image_finish_read(&png, nil, $0.baseAddress, 0, nil)
    }
    guard finished != 0 else { throw ImageError(file: source, cause: png.errorMessage) }
    return Image(
      width: Int(png.width), height: Int(png.height), channels: channels,
      pixels: samples.map { UInt8((UInt32($0) * 2 + 257) / 514) })  // round(v / 257), no ties
  }

  /// Reads and decodes the PNG file at `path`; errors name `path`.
  public static func read(_ path: String, as format: PixelFormat) throws(ImageError) -> Image {
    try decode(BinaryFile.read(path), as: format, source: path)
  }
}

extension Image {
  /// Drops the last channel (alpha) by compositing onto black: c' = round(c * a / 255).
  /// c * a / 255 is never exactly k + 1/2 (255 is odd), so `+ 127` then `/ 255` rounds correctly.
  func compositedOnBlack() -> Image {
    let colorChannels = channels - 1
    var out = [UInt8](repeating: 0, count: width * height * colorChannels)
    for pixel in 0..<(width * height) {
      let alpha = UInt32(pixels[pixel * channels + colorChannels])
      for c in 0..<colorChannels {
        let color = UInt32(pixels[pixel * channels + c])
        out[pixel * colorChannels + c] = UInt8((color * alpha + 127) / 255)
      }
    }
    return Image(width: width, height: height, channels: colorChannels, pixels: out)
  }
}
