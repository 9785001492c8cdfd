import Foundation
import Testing

@testable import Imaging

@Suite struct PNGEncodeTests {
  /// A deterministic image whose every channel varies with x, y and c.
  static func pattern(width: Int, height: Int, format: PixelFormat) -> Image {
    var image = Image(width: width, height: height, format: format)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<format.channels {
          image[y: y, x: x, channel: c] = UInt8((x * 37 + y * 101 + c * 59 + x * y) & 255)
        }
      }
    }
    return image
  }

  @Test(arguments: PixelFormat.allCases, [(1, 1), (7, 5), (33, 17), (300, 2), (2, 300)])
  func encodeThenDecodeGivesTheSamePixels(format: PixelFormat, size: (Int, Int)) throws {
    let image = Self.pattern(width: size.0, height: size.1, format: format)
    let bytes = try PNG.encode(image)
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(try PNG.decode(bytes, as: format, source: "round-trip.png") == image)
  }

  @Test(arguments: ["palette-4bit-trns.png", "rgba-16bit.png", "gray-1bit-interlaced.png"])
  func reencodedFixtureDecodesTheSame(file: String) throws {
    for format in PixelFormat.allCases {
      let image = try PNG.read(Fixtures.path(file), as: format)
      #expect(try PNG.decode(PNG.encode(image), as: format, source: file) == image)
    }
  }

  @Test func writeReplacesTheFileAndLeavesNoTemporary() throws {
    let directory = temporaryPath("encode")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/out.png"
    try PNG.write(Self.pattern(width: 4, height: 3, format: .gray), to: path)
    let image = Self.pattern(width: 5, height: 6, format: .rgb)
    try PNG.write(image, to: path)  // over the first one
    #expect(try PNG.read(path, as: .rgb) == image)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.png"])
  }

  @Test func writeIntoAMissingDirectoryNamesThePath() {
    let path = "/nonexistent-tinycnn-dir/out.png"
    #expect(throws: ImageError(file: path, cause: "No such file or directory")) {
      try PNG.write(Self.pattern(width: 2, height: 2, format: .gray), to: path)
    }
  }

  @Test func twoChannelsCannotBeEncoded() {
    let image = Image(width: 2, height: 1, channels: 2, pixels: [1, 2, 3, 4])
    #expect(throws: ImageError.self) { try PNG.encode(image) }
  }

  @Test func emptyImageCannotBeEncoded() {
    #expect(throws: ImageError.self) { try PNG.encode(Image(width: 0, height: 3, format: .gray)) }
  }
}
