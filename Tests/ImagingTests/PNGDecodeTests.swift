import Testing

@testable import Imaging

@Suite struct PNGDecodeTests {
  static let files = Fixtures.expected.map(\.file)

  /// Every flavour (gray 1-16 bit, tRNS, gray+alpha, RGB 8/16, RGBA, palette, Adam7, several
  /// IDATs) against the pixels make_fixtures.py computed on its own.
  @Test(arguments: files, PixelFormat.allCases)
  func decodesFixture(file: String, format: PixelFormat) throws {
    let want = try #require(Fixtures.expected.first { $0.file == file })
    let image = try PNG.read(Fixtures.path(file), as: format)
    #expect(image.width == want.width && image.height == want.height)
    #expect(image.channels == format.channels)
    let expected = want.pixels(format)
    #expect(image.pixels == expected, "\(file): \(firstDifferences(image.pixels, expected))")
  }

  @Test(arguments: files)
  func grayDecodeEqualsRGBDecodeConverted(file: String) throws {
    let gray = try PNG.read(Fixtures.path(file), as: .gray)
    let rgb = try PNG.read(Fixtures.path(file), as: .rgb)
    #expect(gray == rgb.converted(to: .gray))
  }

  @Test func fixturesCoverEveryFlavour() {
    // Guards against a regenerated fixture set that silently lost a flavour.
    let names = Set(Self.files)
    for name in [
      "gray-1bit.png", "gray-2bit.png", "gray-4bit.png", "gray-8bit.png", "gray-16bit.png",
      "gray-8bit-trns.png", "graya-8bit.png", "graya-16bit.png", "rgb-8bit.png", "rgb-16bit.png",
      "rgb-8bit-trns.png", "rgba-8bit.png", "rgba-16bit.png", "palette-1bit.png",
      "palette-8bit.png", "palette-8bit-trns.png", "rgb-8bit-interlaced.png",
      "palette-4bit-trns-interlaced.png", "rgba-16bit-interlaced.png",
    ] {
      #expect(names.contains(name), "missing fixture \(name)")
    }
  }

  @Test func transparentPixelsCompositeOntoBlack() throws {
    // make_fixtures.py forces pixel (y 1, x 2) to the tRNS colour and (1, 3) to one step away.
    let image = try PNG.read(Fixtures.path("rgb-16bit-trns.png"), as: .rgb)
    #expect([image[y: 1, x: 2, channel: 0], image[y: 1, x: 2, channel: 1]] == [0, 0])
    #expect(image[y: 1, x: 3, channel: 1] == 8)  // 2000 / 257 = 7.78: opaque, rounded
  }

  @Test func decodesTheLargestAllowedWidth() throws {
    // 16384 x 1, 1-bit gray, every third pixel white: the limit is inclusive.
    let image = try PNG.read(Fixtures.path("limit-16384x1.png"), as: .gray)
    #expect(image.width == PNG.maxSide && image.height == 1)
    let want = (0..<PNG.maxSide).map { $0 % 3 == 0 ? UInt8(255) : 0 }
    #expect(image.pixels == want, "\(firstDifferences(image.pixels, want))")
  }
}
