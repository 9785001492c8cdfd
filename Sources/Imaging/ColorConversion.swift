extension Image {
  /// The image in `format`. RGB to gray is ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B, in
  /// PIL's integer form (`ImagingConvert` "RGB" -> "L"): (19595 R + 38470 G + 7471 B + 2^15) >> 16.
  /// The weights sum to 2^16, so gray -> RGB -> gray gives back every value. Gray to RGB repeats
  /// the value in the three channels. An image already in `format` is returned as is.
  public func converted(to format: PixelFormat) -> Image {
    precondition(channels == 1 || channels == 3, "converted(to:) needs a gray or RGB image")
    if channels == format.channels { return self }
    let count = width * height
    var out = [UInt8](repeating: 0, count: count * format.channels)
    switch format {
    case .gray:
      for i in 0..<count {
        let r = UInt32(pixels[3 * i])
        let g = UInt32(pixels[3 * i + 1])
        let b = UInt32(pixels[3 * i + 2])
        out[i] = UInt8((19595 * r + 38470 * g + 7471 * b + 32768) >> 16)
      }
    case .rgb:
      for i in 0..<count {
        out[3 * i] = pixels[i]
        out[3 * i + 1] = pixels[i]
        out[3 * i + 2] = pixels[i]
      }
    }
    return Image(width: width, height: height, channels: format.channels, pixels: out)
  }
}
