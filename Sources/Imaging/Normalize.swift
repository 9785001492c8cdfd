extension Image {
  /// The pixels as model input floats, HWC like the image: (p / 255 - mean[c]) / std[c].
  /// `mean` and `std` hold one value per channel, or one value for all channels.
  ///
  /// Example: Fashion-MNIST's usual `mean: [0.2860], std: [0.3530]` maps 0 to -0.810 and 255 to
  /// 2.023; `mean: [0], std: [1]` gives p / 255.
  public func normalized(mean: [Float], std: [Float]) -> [Float] {
    precondition(
      mean.count == 1 || mean.count == channels, "\(mean.count) means, \(channels) channels")
    precondition(std.count == 1 || std.count == channels, "\(std.count) stds, \(channels) channels")
    // 256 values per channel: a table lookup per pixel, and the exact formula for each entry.
    let tables = (0..<channels).map { c in
      let m = mean[mean.count == 1 ? 0 : c]
      let s = std[std.count == 1 ? 0 : c]
      return (0...255).map { (Float($0) / 255 - m) / s }
    }
    var out = [Float](repeating: 0, count: pixels.count)
    for i in pixels.indices {
      out[i] = tables[i % channels][Int(pixels[i])]
    }
    return out
  }
}
