extension Image {
  /// The image scaled to `width` x `height` by bilinear interpolation with half-pixel centres
  /// (align_corners = false): output pixel i samples the input at (i + 0.5) * in / out - 0.5,
  /// clamped to the edge pixels. This is `tf.image.resize(method: "bilinear", antialias: False)`
  /// (TF's half_pixel_centers), computed in Float and rounded to the nearest integer.
  ///
  /// Worked example, one row [0, 100] to 4 pixels: the sample points are -0.25, 0.25, 0.75, 1.25,
  /// so the output is [0, 25, 75, 100]. Shrinking by more than 2x skips pixels (no antialiasing,
  /// as in TF's default); the models here take 28x28 or 32x32 crops, so that is rarely wanted.
  public func resized(width newWidth: Int, height newHeight: Int) -> Image {
    precondition(newWidth > 0 && newHeight > 0, "resize to \(newWidth)x\(newHeight)")
    precondition(width > 0 && height > 0, "resize of an empty image")
    if newWidth == width && newHeight == height { return self }
    let columns = bilinearTaps(from: width, to: newWidth)
    let rows = bilinearTaps(from: height, to: newHeight)
    var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
    for (outY, row) in rows.enumerated() {
      for (outX, column) in columns.enumerated() {
        for c in 0..<channels {
          let topLeft = Float(self[y: row.lower, x: column.lower, channel: c])
          let topRight = Float(self[y: row.lower, x: column.upper, channel: c])
          let bottomLeft = Float(self[y: row.upper, x: column.lower, channel: c])
          let bottomRight = Float(self[y: row.upper, x: column.upper, channel: c])
          // TF's compute_lerp: along x on both rows, then along y.
          let top = topLeft + (topRight - topLeft) * column.weight
          let bottom = bottomLeft + (bottomRight - bottomLeft) * column.weight
          let value = top + (bottom - top) * row.weight
          out[(outY * newWidth + outX) * channels + c] = UInt8(min(max(value.rounded(), 0), 255))
        }
      }
    }
    return Image(width: newWidth, height: newHeight, channels: channels, pixels: out)
  }
}

/// The two input pixels an output pixel blends along one axis, and the weight of `upper`.
struct BilinearTap: Equatable {
  var lower: Int
  var upper: Int
  var weight: Float
}

/// One tap per output pixel, as TF's `compute_interpolation_weights` with half-pixel centres.
func bilinearTaps(from inSize: Int, to outSize: Int) -> [BilinearTap] {
  let scale = Float(inSize) / Float(outSize)
  return (0..<outSize).map { i in
    let x = (Float(i) + 0.5) * scale - 0.5
    let below = x.rounded(.down)
    return BilinearTap(
      lower: max(Int(below), 0), upper: min(Int(x.rounded(.up)), inSize - 1), weight: x - below)
  }
}
