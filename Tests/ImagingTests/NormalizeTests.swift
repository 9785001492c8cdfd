import Testing

@testable import Imaging

@Suite struct NormalizeTests {
  @Test func zeroMeanUnitStdDividesBy255() {
    let image = Image(width: 3, height: 1, channels: 1, pixels: [0, 51, 255])
    #expect(image.normalized(mean: [0], std: [1]) == [0, 0.2, 1])
  }

  @Test func perChannelMeanAndStd() {
    // (p / 255 - mean[c]) / std[c] for p = 255, 0, 51 in channels 0, 1, 2.
    let image = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 51])
    let out = image.normalized(mean: [0.5, 0.5, 0.2], std: [0.5, 0.25, 2])
    #expect(out == [1, -2, 0])
  }

  @Test func oneMeanAppliesToEveryChannel() {
    let image = Image(width: 2, height: 1, channels: 3, pixels: [0, 255, 0, 255, 0, 255])
    #expect(image.normalized(mean: [0.5], std: [0.5]) == [-1, 1, -1, 1, -1, 1])
  }

  @Test func fashionMNISTStatistics() {
    let image = Image(width: 2, height: 1, channels: 1, pixels: [0, 255])
    let out = image.normalized(mean: [0.2860], std: [0.3530])
    #expect(abs(out[0] - (-0.2860 / 0.3530)) < 1e-6)
    #expect(abs(out[1] - (0.7140 / 0.3530)) < 1e-6)
  }
}
