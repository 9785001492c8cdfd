import Testing

@testable import Imaging

/// Bilinear with half-pixel centres. Every expected value below was worked out by hand from
/// x_in = (x_out + 0.5) * in / out - 0.5 (clamped to the edges), and equals what
/// `tf.image.resize(x, size, method="bilinear")` prints for the same input (TF 2.21).
@Suite struct ResizeTests {
  func gray(_ width: Int, _ height: Int, _ pixels: [UInt8]) -> Image {
    Image(width: width, height: height, channels: 1, pixels: pixels)
  }

  @Test func upscales2x2To4x4() {
    // Sample points -0.25, 0.25, 0.75, 1.25 on each axis: weights (1, 0), (3/4, 1/4),
    // (1/4, 3/4), (0, 1). Row 0: 0, 25, 75, 100. Row 3: 200, 161, 83, 44. Rows 1 and 2 blend
    // those 3:1 and 1:3, e.g. 0.75 * 25 + 0.25 * 161 = 59.
    let image = gray(2, 2, [0, 100, 200, 44])
    let want: [UInt8] = [
      0, 25, 75, 100,
      50, 59, 77, 86,
      150, 127, 81, 58,
      200, 161, 83, 44,
    ]
    #expect(image.resized(width: 4, height: 4) == gray(4, 4, want))
  }

  @Test func upscales3To5() {
    // Sample points -0.2, 0.4, 1.0, 1.6, 2.2: 0, 0.6 * 0 + 0.4 * 100, 100, 0.4 * 100 + 0.6 * 200, 200.
    #expect(
      gray(3, 1, [0, 100, 200]).resized(width: 5, height: 1) == gray(5, 1, [0, 40, 100, 160, 200]))
  }

  @Test func halvingAveragesEach2x2Block() {
    // Sample points 0.5 and 2.5: the mean of pixels (0, 1) and of (2, 3) on each axis.
    let image = gray(4, 4, (0..<16).map { UInt8($0 * 10) })
    #expect(image.resized(width: 2, height: 2) == gray(2, 2, [25, 45, 105, 125]))
  }

  @Test func sameSizeIsIdentity() {
    let image = PNGEncodeTests.pattern(width: 9, height: 7, format: .rgb)
    #expect(image.resized(width: 9, height: 7) == image)
  }

  @Test func channelsAreResizedIndependently() {
    let rgb = PNGEncodeTests.pattern(width: 5, height: 3, format: .rgb)
    let big = rgb.resized(width: 8, height: 7)
    for c in 0..<3 {
      let plane = gray(5, 3, stride(from: c, to: rgb.pixels.count, by: 3).map { rgb.pixels[$0] })
      let want = plane.resized(width: 8, height: 7).pixels
      let got = stride(from: c, to: big.pixels.count, by: 3).map { big.pixels[$0] }
      #expect(got == want, "channel \(c)")
    }
  }

  @Test func taps() {
    #expect(
      bilinearTaps(from: 2, to: 4) == [
        BilinearTap(lower: 0, upper: 0, weight: 0.75),  // -0.25: clamped, so the weight is moot
        BilinearTap(lower: 0, upper: 1, weight: 0.25),
        BilinearTap(lower: 0, upper: 1, weight: 0.75),
        BilinearTap(lower: 1, upper: 1, weight: 0.25),
      ])
  }
}
