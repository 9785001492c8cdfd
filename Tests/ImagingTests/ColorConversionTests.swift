import Testing

@testable import Imaging

@Suite struct ColorConversionTests {
  @Test func primariesMatchPIL() {
    // PIL: Image.new("RGB", (1, 1), c).convert("L") gives 76 (red), 150 (green), 29 (blue).
    let rgb = Image(
      width: 5, height: 1, channels: 3,
      pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0])
    #expect(rgb.converted(to: .gray).pixels == [76, 150, 29, 255, 0])
  }

  @Test func grayToRGBToGrayIsIdentity() {
    let gray = Image(width: 256, height: 1, channels: 1, pixels: (0...255).map { UInt8($0) })
    let rgb = gray.converted(to: .rgb)
    #expect(rgb.pixels[3 * 200..<3 * 201] == [200, 200, 200])
    #expect(rgb.converted(to: .gray) == gray)
  }

  @Test func sameFormatIsUnchanged() {
    let image = PNGEncodeTests.pattern(width: 3, height: 2, format: .rgb)
    #expect(image.converted(to: .rgb) == image)
  }
}
