/// CIFAR-10 in its binary version (https://www.cs.toronto.edu/~kriz/cifar.html): 32x32 RGB
/// images of 10 classes in `data_batch_1.bin` ... `data_batch_5.bin` (training) and
/// `test_batch.bin`, each a run of 3073-byte records: the label, then 1024 red, 1024 green and
/// 1024 blue bytes (planar). We store HWC like every other image, so the planes are interleaved.
public enum CIFAR10 {
  public static let recordSize = 1 + 3 * 32 * 32

  /// The class names of `batches.meta.txt`, used when the folder has none.
  public static let classNames = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]

  /// Loads the training batches that exist (at least one) or the test batch.
  public static func load(_ split: Split, folder: String) throws(DatasetError) -> LabeledImages {
    let files =
      split == .train
      ? (1...5).map { "\(folder)/data_batch_\($0).bin" }.filter(FileSystem.isRegularFile)
      : ["\(folder)/test_batch.bin"].filter(FileSystem.isRegularFile)
    guard !files.isEmpty else {
      let wanted = split == .train ? "data_batch_1.bin ... data_batch_5.bin" : "test_batch.bin"
      throw DatasetError(file: folder, cause: "no \(wanted) here, so this is not a CIFAR-10 folder")
    }
    let names = try readClassNames(folder)
    var pixels: [UInt8] = []
    var labels: [Int] = []
    for file in files {
      let bytes = try CompressedFile.read(file)
      try decodeBatch(bytes, source: file, classes: names.count, into: &pixels, labels: &labels)
    }
    return LabeledImages(
      name: "cifar10 (\(split))", width: 32, height: 32, channels: 3, pixels: pixels,
      labels: labels, classNames: names)
  }

  /// Appends the records of one batch file: planar CHW becomes interleaved HWC.
  static func decodeBatch(
    _ bytes: [UInt8], source: String, classes: Int, into pixels: inout [UInt8],
    labels: inout [Int]
  ) throws(DatasetError) {
    guard bytes.count % recordSize == 0, !bytes.isEmpty else {
      throw DatasetError(
        file: source,
        cause: "\(bytes.count) bytes is not a whole number of \(recordSize)-byte records"
          + " (truncated, or not a CIFAR-10 binary batch)")
    }
    let plane = 32 * 32
    pixels.reserveCapacity(pixels.count + bytes.count)
    for record in 0..<bytes.count / recordSize {
      let base = record * recordSize
      let label = Int(bytes[base])
      guard label < classes else {
        throw DatasetError(
          file: source, cause: "record \(record) has label \(label); there are \(classes) classes")
      }
      labels.append(label)
      for i in 0..<plane {
        for c in 0..<3 { pixels.append(bytes[base + 1 + c * plane + i]) }
      }
    }
  }

  /// `batches.meta.txt`'s names (one per line) if the folder has it.
  static func readClassNames(_ folder: String) throws(DatasetError) -> [String] {
    let path = "\(folder)/batches.meta.txt"
    guard FileSystem.isRegularFile(path) else { return classNames }
    let text = String(decoding: try CompressedFile.read(path), as: UTF8.self)
    let names = text.split(whereSeparator: \.isNewline).map {
      String($0).trimmingCharacters(in: " \t\r")
    }.filter { !$0.isEmpty }
    guard names.count >= 2 else {
      throw DatasetError(file: path, cause: "expected one class name per line")
    }
    return names
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: String) -> String {
    let chars = Set(set)
    var s = Substring(self)
    while let f = s.first, chars.contains(f) { s.removeFirst() }
    while let l = s.last, chars.contains(l) { s.removeLast() }
    return String(s)
  }
}
