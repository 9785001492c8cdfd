import Imaging
import Testing

@testable import Datasets

@Test func cifarRecordsBecomeInterleavedRGB() throws {
  let folder = try TemporaryFolder()
  var record = [UInt8](repeating: 0, count: CIFAR10.recordSize)
  record[0] = 3  // cat
  for i in 0..<1024 {
    record[1 + i] = 10  // red plane
    record[1 + 1024 + i] = 20  // green
    record[1 + 2048 + i] = UInt8(i % 256)  // blue
  }
  try folder.write("test_batch.bin", record + record)
  let set = try CIFAR10.load(.test, folder: folder.path)
  #expect(set.count == 2 && set.width == 32 && set.channels == 3)
  #expect(set.labels == [3, 3] && set.classNames[3] == "cat")
  let image = set.image(0)
  #expect(image[y: 0, x: 5, channel: 0] == 10)
  #expect(image[y: 0, x: 5, channel: 1] == 20)
  #expect(image[y: 0, x: 5, channel: 2] == 5)
  #expect(image[y: 1, x: 0, channel: 2] == 32)
}

@Test func cifarPartialRecordIsAnError() throws {
  let folder = try TemporaryFolder()
  try folder.write("test_batch.bin", [UInt8](repeating: 0, count: CIFAR10.recordSize + 5))
  #expect {
    try CIFAR10.load(.test, folder: folder.path)
  } throws: { error in
    (error as? DatasetError)?.cause.contains("not a whole number of 3073-byte records") == true
  }
}

private func writePNG(_ folder: TemporaryFolder, _ name: String, value: UInt8, size: Int = 4) throws
{
  let image = Image(
    width: size, height: size, channels: 1, pixels: Array(repeating: value, count: size * size))
  try PNG.write(image, to: try folder.write(name, []))
}

@Test func pngFolderHoldsOutEveryTenthImage() throws {
  let folder = try TemporaryFolder()
  for i in 0..<20 {
    try writePNG(folder, "boot/\(i < 10 ? "0" : "")\(i).png", value: UInt8(i))
    try writePNG(folder, "shirt/\(i).png", value: 100)
  }
  let train = try PNGFolder.load(.train, folder: folder.path)
  let test = try PNGFolder.load(.test, folder: folder.path)
  #expect(train.classNames == ["boot", "shirt"])
  #expect(train.count == 36 && test.count == 4)
  #expect(test.labels == [0, 0, 1, 1])
  // boot images 09 and 19 (the 10th and 20th in name order) are the test ones.
  #expect(test.image(0).pixels[0] == 9 && test.image(1).pixels[0] == 19)
  #expect(train.channels == 1 && train.width == 4)
}

@Test func pngFolderWithSplitsResizesToTheFirstImage() throws {
  let folder = try TemporaryFolder()
  try writePNG(folder, "train/a/1.png", value: 50, size: 8)
  try writePNG(folder, "train/b/1.png", value: 60, size: 16)
  try writePNG(folder, "test/a/1.png", value: 70, size: 8)
  try writePNG(folder, "test/b/1.png", value: 80, size: 8)
  let train = try DatasetCatalog.load(folder.path, split: .train)
  #expect(train.count == 2 && train.width == 8 && train.height == 8)
  #expect(train.image(1).pixels.allSatisfy { $0 == 60 })
}

@Test func corruptPNGInAFolderNamesTheFile() throws {
  let folder = try TemporaryFolder()
  try writePNG(folder, "a/1.png", value: 1)
  let bad = try folder.write("b/1.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
  #expect {
    try PNGFolder.load(.train, folder: folder.path)
  } throws: { error in
    (error as? DatasetError)?.file == bad
  }
}

@Test func catalogParsesNamesAndFolders() {
  #expect(DatasetCatalog.parse("fashion-mnist") == ("fashion-mnist", nil))
  #expect(DatasetCatalog.parse("CIFAR10:/data/c") == ("cifar10", "/data/c"))
  #expect(DatasetCatalog.parse("/data/flowers") == (nil, "/data/flowers"))
  #expect(DatasetCatalog.parse("C:/odd:name") == (nil, "C:/odd:name"))
}

@Test func unknownFolderIsAClearError() {
  #expect(
    throws: DatasetError(
      file: "/no/such/place",
      cause: "no such dataset name or folder; use \(DatasetCatalog.help)")
  ) { try DatasetCatalog.load("/no/such/place", split: .train) }
}
