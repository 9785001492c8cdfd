import CLibPNG

extension PNG {
  /// PNG file bytes for an 8-bit gray or RGB image (not interlaced; libpng adds an sRGB chunk, so
  /// `decode` gives back exactly the same pixels). `destination` names the output in errors.
  public static func encode(_ image: Image, destination: String = "PNG encoder")
    throws(ImageError) -> [UInt8]
  {
    guard let format = image.format else {
      throw ImageError(
        file: destination,
        cause: "cannot encode \(image.channels) channels; PNG.encode takes 1 or 3")
    }
    guard image.width >= 1 && image.height >= 1 else {
      throw ImageError(
        file: destination, cause: "cannot encode an empty \(image.width) x \(image.height) image")
    }
    var png = png_image.simplified()
    png.width = png_uint_32(image.width)
    png.height = png_uint_32(image.height)
    png.format = format == .rgb ? png_uint_32(PNG_FORMAT_RGB) : png_uint_32(PNG_FORMAT_GRAY)
    defer { png_image_free(&png) }

    // First pass with no memory: libpng compresses and reports the size; second pass writes.
    var size: png_alloc_size_t = 0
    let sized = image.pixels.withUnsafeBytes {
      png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, 0, nil)
    }
    guard sized != 0 else { throw ImageError(file: destination, cause: png.errorMessage) }
    var bytes = [UInt8](repeating: 0, count: Int(size))
    let written = bytes.withUnsafeMutableBytes { out in
      image.pixels.withUnsafeBytes {
        png_image_write_to_memory(&png, out.baseAddress, &size, 0, $0.baseAddress, 0, nil)
      }
    }
    guard written != 0 else { throw ImageError(file: destination, cause: png.errorMessage) }
    bytes.removeSubrange(Int(size)...)  // libpng may need less the second time, never more
    return bytes
  }

  /// Encodes `image` and writes it to `path` through a temporary file and a rename.
  public static func write(_ image: Image, to path: String) throws(ImageError) {
    try BinaryFile.write(encode(image, destination: path), to: path)
  }
}
