import Testing

@testable import Datasets

@Test func parsesHeaderAndPayload() throws {
  let array = try IDXArray(parsing: idxBytes([2, 3], [1, 2, 3, 4, 5, 6]), source: "a.idx")
  #expect(array.dimensions == [2, 3])
  #expect(array.bytes == [1, 2, 3, 4, 5, 6])
}

@Test func shortPayloadIsTruncated() {
  #expect(
    throws: DatasetError(
      file: "a.idx", cause: "5 bytes of data, the header promises 2 x 3 = 6 (truncated?)")
  ) { try IDXArray(parsing: idxBytes([2, 3], [1, 2, 3, 4, 5]), source: "a.idx") }
}

@Test func wrongMagicAndTypeAreNamed() {
  #expect(throws: DatasetError(file: "x", cause: "not an IDX file (bad magic number)")) {
    try IDXArray(parsing: [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0], source: "x")
  }
  #expect(
    throws: DatasetError(file: "x", cause: "IDX element type 0xd is not unsigned bytes (0x08)")
  ) { try IDXArray(parsing: [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], source: "x") }
  #expect(throws: DatasetError(file: "x", cause: "truncated IDX header (3 dimensions)")) {
    try IDXArray(parsing: [0, 0, 8, 3, 0, 0], source: "x")
  }
}

@Test func gzippedAndPlainFilesReadTheSame() throws {
  let folder = try TemporaryFolder()
  let bytes = idxBytes([4, 2, 2], Array(0..<16))
  let plain = try folder.write("plain.idx", bytes)
  let zipped = try folder.write("zipped.idx.gz", try TemporaryFolder.gzip(bytes))
  #expect(try IDXArray.read(plain) == IDXArray.read(zipped))
}

@Test func truncatedGzipIsAnError() throws {
  let folder = try TemporaryFolder()
  let zipped = try TemporaryFolder.gzip(idxBytes([100, 10], [UInt8](repeating: 7, count: 1000)))
  let path = try folder.write("cut.gz", Array(zipped.prefix(zipped.count / 2)))
  #expect {
    try IDXArray.read(path)
  } throws: { error in
    (error as? DatasetError)?.cause.hasPrefix("truncated gzip data") == true
  }
}

@Test func corruptGzipIsAnError() throws {
  let folder = try TemporaryFolder()
  var zipped = try TemporaryFolder.gzip(idxBytes([100, 10], Array(repeating: 7, count: 1000)))
  for i in 12..<zipped.count - 8 { zipped[i] ^= 0x5A }
  let path = try folder.write("bad.gz", zipped)
  #expect {
    try IDXArray.read(path)
  } throws: { error in
    (error as? DatasetError)?.cause.hasPrefix("corrupt gzip data") == true
  }
}

@Test func labelsMustMatchImages() throws {
  let folder = try TemporaryFolder()
  try folder.write("train-images-idx3-ubyte", idxBytes([3, 2, 2], Array(0..<12)))
  try folder.write("train-labels-idx1-ubyte", idxBytes([2], [0, 1]))
  #expect {
    try MNIST.load(.train, folder: folder.path)
  } throws: { error in
    (error as? DatasetError)?.cause.contains("2 labels for 3 images") == true
  }
}

@Test func idxFolderLoadsImagesAndLabels() throws {
  let folder = try TemporaryFolder()
  try folder.write(
    "t10k-images-idx3-ubyte.gz", try TemporaryFolder.gzip(idxBytes([2, 2, 3], Array(0..<12))))
  try folder.write("t10k-labels-idx1-ubyte.gz", try TemporaryFolder.gzip(idxBytes([2], [7, 3])))
  let set = try MNIST.load(.test, folder: folder.path)
  #expect(set.count == 2 && set.width == 3 && set.height == 2 && set.channels == 1)
  #expect(set.labels == [7, 3])
  #expect(set.image(1).pixels == Array(6..<12))
  #expect(set.classNames[7] == "7")
}

/// The real Fashion-MNIST test split from the Debian package (scripts/setup.sh installs it).
@Test func fashionMNISTTestSplit() throws {
  let test = try FashionMNIST.load(.test)
  #expect(test.count == 10_000 && test.width == 28 && test.height == 28 && test.channels == 1)
  #expect(test.classNames[9] == "Ankle boot")
  #expect(test.labels.prefix(5) == [9, 2, 1, 1, 6])  // as printed by the dataset's mnist_reader
  var perClass = [Int](repeating: 0, count: 10)
  for label in test.labels { perClass[label] += 1 }
  #expect(perClass == [Int](repeating: 1000, count: 10))
}
