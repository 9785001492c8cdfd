import CLibPNG

/// PNG files through libpng's simplified API (`png_image_*`), which parses every PNG flavour, needs
/// no setjmp, and reports what went wrong as text in `png_image.message`.
///
/// - `decode`/`read`: any PNG (gray 1-16 bit, gray+alpha, RGB 8/16, RGBA, palette with or without
///   tRNS, Adam7) into 8-bit `.gray` or `.rgb`; see PNGDecode.swift for the conversion rules.
/// - `encode`/`write`: an 8-bit gray or RGB image into a PNG file (not interlaced, sRGB chunk).
public enum PNG {
  /// The largest width and the largest height `decode` accepts. Checked from the header, before
  /// the pixel buffer is allocated, so a hostile header cannot ask for gigabytes.
  public static let maxSide = 16384
}

extension png_image {
  /// A zeroed control structure for libpng's simplified API (its documented starting state).
  static func simplified() -> png_image {
    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    return image
  }

  /// libpng's error text: `message` is a `char[64]`, NUL-terminated when libpng wrote it. Read
  /// at most 64 bytes, so a missing terminator cannot run off the end.
  var errorMessage: String {
    let text = withUnsafeBytes(of: message) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return text.isEmpty ? "libpng failed without a message" : text
  }
}
