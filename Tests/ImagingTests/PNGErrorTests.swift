import Foundation
import Testing

@testable import Imaging

/// Bad input is an `ImageError` naming the file and the cause (libpng's words when libpng saw the
/// problem), on one line; never a crash.
@Suite struct PNGErrorTests {
  /// Decodes `bytes` as `source` and returns the error, recording an issue if it decoded.
  func decodeError(_ bytes: [UInt8], source: String = "bad.png") -> ImageError? {
    do {
      let image = try PNG.decode(bytes, as: .rgb, source: source)
      Issue.record("\(source) decoded to a \(image.width)x\(image.height) image; want an error")
      return nil
    } catch {
      #expect(error.file == source)
      #expect(!error.cause.isEmpty)
      #expect(error.description == "\(source): \(error.cause)")
      #expect(!error.description.contains("\n"))
      return error
    }
  }

  // rgb-8bit.png is 7x5: signature 0..<8, IHDR 8..<33, then tEXt, tiNy, IDAT, IEND.
  @Test(arguments: [1, 4, 7, 8, 12, 20, 32, 33, 60])
  func truncatedHeaderIsAnError(cut: Int) throws {
    let good = try Fixtures.bytes("rgb-8bit.png")
    _ = decodeError(Array(good.prefix(cut)), source: "cut-\(cut).png")
  }

  @Test(arguments: [0.25, 0.5, 0.75, 0.9])
  func truncatedPixelDataIsAnError(fraction: Double) throws {
    let good = try Fixtures.bytes("rgb-8bit.png")
    let idat = try #require(chunkRange("IDAT", in: good))
    let cut = idat.lowerBound + Int(Double(idat.count) * fraction)
    _ = decodeError(Array(good.prefix(cut)), source: "cut-\(cut).png")
  }

  @Test func flippedIDATByteIsAnError() throws {
    var bytes = try Fixtures.bytes("rgb-8bit.png")
    let idat = try #require(chunkRange("IDAT", in: bytes))
    bytes[idat.lowerBound + 10] ^= 0x40
    // zlib's checksum fails before libpng reaches the chunk's CRC: "IDAT: incorrect data check".
    let error = decodeError(bytes)
    #expect(error?.cause.hasPrefix("IDAT") == true, "\(String(describing: error))")
  }

  @Test func flippedIHDRByteIsACRCError() throws {
    var bytes = try Fixtures.bytes("rgb-8bit.png")
    bytes[23] ^= 0x01  // the height's low byte
    #expect(decodeError(bytes)?.cause == "IHDR: CRC error")
  }

  @Test(arguments: ["corrupt-zlib.png", "bad-bit-depth.png"])
  func corruptFixtureIsAnError(file: String) throws {
    _ = decodeError(try Fixtures.bytes(file), source: file)
  }

  @Test(arguments: [
    Array("hello, this is text, not an image\n".utf8),
    [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01],  // a JPEG's start
    Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 40),
    [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],  // the PNG signature and nothing else
  ])
  func nonPNGIsAnError(bytes: [UInt8]) {
    _ = decodeError(bytes)
  }

  @Test(arguments: [
    "oversized-16385x1.png", "oversized-1x16385.png", "oversized-100000x100000.png",
  ])
  func oversizedHeaderIsRefused(file: String) throws {
    let error = decodeError(try Fixtures.bytes(file), source: file)
    #expect(error?.cause.contains("16384 x 16384 limit") == true, "\(String(describing: error))")
  }

  @Test func emptyFileIsAnError() throws {
    let path = temporaryPath("empty.png")
    try BinaryFile.write([], to: path)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: ImageError(file: path, cause: "empty file, not a PNG")) {
      try PNG.read(path, as: .gray)
    }
  }

  @Test func directoryIsAnError() {
    #expect(throws: ImageError(file: Fixtures.directory, cause: "is a directory")) {
      try PNG.read(Fixtures.directory, as: .gray)
    }
  }

  @Test func missingFileIsAnError() {
    let path = "\(Fixtures.directory)/no-such-file.png"
    #expect(throws: ImageError(file: path, cause: "No such file or directory")) {
      try PNG.read(path, as: .gray)
    }
  }
}

/// The byte range of the first chunk of type `type` (its data only).
func chunkRange(_ type: String, in png: [UInt8]) -> Range<Int>? {
  var offset = 8
  while offset + 8 <= png.count {
    let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    if String(decoding: png[offset + 4..<offset + 8], as: UTF8.self) == type {
      return offset + 8..<offset + 8 + length
    }
    offset += 12 + length
  }
  return nil
}

func temporaryPath(_ name: String) -> String {
  "\(NSTemporaryDirectory())/tinycnn-\(UUID().uuidString)-\(name)"
}
