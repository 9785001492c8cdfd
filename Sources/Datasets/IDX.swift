import InputChecks

/// IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
/// a big-endian header `00 00 08 n` (0x08 = unsigned bytes, n = number of dimensions), then n
/// 32-bit big-endian sizes, then the bytes in row-major order.
public struct IDXArray: Sendable, Equatable {
  public var dimensions: [Int]
  public var bytes: [UInt8]

  /// Parses an IDX file's (decompressed) bytes; `source` names it in errors. The payload must be
  /// exactly as long as the dimensions promise: a short file is truncated, a long one is not IDX.
  public init(parsing data: [UInt8], source: String) throws(DatasetError) {
    guard data.count >= 4 else {
      throw DatasetError(file: source, cause: "\(data.count) bytes, too short for an IDX header")
    }
    guard data[0] == 0, data[1] == 0 else {
      throw DatasetError(file: source, cause: "not an IDX file (bad magic number)")
    }
    guard data[2] == 0x08 else {
      throw DatasetError(
        file: source,
        cause: "IDX element type 0x\(String(data[2], radix: 16)) is not unsigned bytes (0x08)")
    }
    let rank = Int(data[3])
    guard rank >= 1 else { throw DatasetError(file: source, cause: "IDX file with no dimensions") }
    let headerSize = 4 + 4 * rank
    guard data.count >= headerSize else {
      throw DatasetError(file: source, cause: "truncated IDX header (\(rank) dimensions)")
    }
    var dimensions: [Int] = []
    var expected = 1
    for d in 0..<rank {
      let at = 4 + 4 * d
      let size = data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
      dimensions.append(size)
      guard let product = try? Checked.product([expected, size], "dimensions", limit: 1 << 34)
      else {
        throw DatasetError(
          file: source, cause: "IDX dimensions \(dimensions) are implausibly large")
      }
      expected = product
    }
    let payload = data.count - headerSize
    guard payload == expected else {
      let promise = dimensions.map(String.init).joined(separator: " x ")
      throw DatasetError(
        file: source,
        cause: "\(payload) bytes of data, the header promises \(promise) = \(expected)"
          + (payload < expected ? " (truncated?)" : ""))
    }
    self.dimensions = dimensions
    self.bytes = Array(data[headerSize...])
  }

  /// Reads an IDX file, gzipped or not.
  public static func read(_ path: String) throws(DatasetError) -> IDXArray {
    try IDXArray(parsing: CompressedFile.read(path), source: path)
  }
}

/// An image set stored as a pair of IDX files, as MNIST and Fashion-MNIST ship:
/// `<prefix>-images-idx3-ubyte[.gz]` ([count, 28, 28]) and `<prefix>-labels-idx1-ubyte[.gz]`.
public enum IDXImageSet {
  /// Loads the split `split` (train: prefix "train", test: prefix "t10k") from `folder`.
  public static func load(
    folder: String, split: Split, name: String, classNames: [String]
  ) throws(DatasetError) -> LabeledImages {
    let prefix = split == .train ? "train" : "t10k"
    let imagesPath = try findFile(folder, "\(prefix)-images-idx3-ubyte", dataset: name)
    let labelsPath = try findFile(folder, "\(prefix)-labels-idx1-ubyte", dataset: name)
    let images = try IDXArray.read(imagesPath)
    let labels = try IDXArray.read(labelsPath)
    guard images.dimensions.count == 3 || images.dimensions.count == 4 else {
      throw DatasetError(
        file: imagesPath, cause: "images must have 3 dimensions, found \(images.dimensions)")
    }
    guard labels.dimensions.count == 1 else {
      throw DatasetError(
        file: labelsPath, cause: "labels must have 1 dimension, found \(labels.dimensions)")
    }
    guard images.dimensions[0] == labels.dimensions[0] else {
      throw DatasetError(
        file: labelsPath,
        cause: "\(labels.dimensions[0]) labels for \(images.dimensions[0]) images in \(imagesPath)")
    }
    let classes =
      classNames.isEmpty ? (0...Int(labels.bytes.max() ?? 0)).map(String.init) : classNames
    if let bad = labels.bytes.first(where: { Int($0) >= classes.count }) {
      throw DatasetError(file: labelsPath, cause: "label \(bad) but only \(classes.count) classes")
    }
    let channels = images.dimensions.count == 4 ? images.dimensions[3] : 1
    guard channels == 1 || channels == 3 else {
      throw DatasetError(file: imagesPath, cause: "\(channels) channels; TinyCNN reads 1 or 3")
    }
    guard images.dimensions[1] >= 1, images.dimensions[2] >= 1 else {
      throw DatasetError(
        file: imagesPath,
        cause: "images of \(images.dimensions[2]) x \(images.dimensions[1]) pixels; a side of 0 "
          + "holds no image")
    }
    return LabeledImages(
      name: "\(name) (\(split))", width: images.dimensions[2], height: images.dimensions[1],
      channels: channels, pixels: images.bytes, labels: labels.bytes.map(Int.init),
      classNames: classes)
  }

  /// `folder/base.gz` or `folder/base`, whichever exists (gzipped first).
  static func findFile(_ folder: String, _ base: String, dataset: String) throws(DatasetError)
    -> String
  {
    for candidate in ["\(folder)/\(base).gz", "\(folder)/\(base)"]
    where FileSystem.isRegularFile(candidate) {
      return candidate
    }
    throw DatasetError(
      file: folder, cause: "no \(base).gz or \(base) here, so this is not a \(dataset) folder")
  }
}
