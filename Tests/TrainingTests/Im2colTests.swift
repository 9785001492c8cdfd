import Datasets
import Graph
import Testing

@testable import Training

// im2col against the columns written one tap at a time from the definition, on random
// geometries: kernels 1-5, strides 1-3 (stride 2 takes the even-float gather, 8 and 4 at a time
// with an overlapping last step, on rows of 1 to 20 outputs), padding 0-2, dilation 1-2, several
// samples side by side. The column buffer starts as NaN, so a cell im2col skips shows.
@Test func im2colEqualsTheWindowsTakenOneByOne() {
  var rng = SplitMix64(seed: 31)
  func pick(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
  for _ in 0..<300 {
    let kernel = Size2(pick(1...5), pick(1...5))
    let stride = Size2(pick(1...3), [1, 2, 2, 3][pick(0...3)])
    let padding = Size2(pick(0...2), pick(0...2))
    let dilation = Size2(pick(1...2), pick(1...2))
    let image = FeatureShape(
      channels: pick(1...3), height: pick(kernel.height * dilation.height...12),
      width: pick(kernel.width * dilation.width...40))
    func out(_ size: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) -> Int {
      (size + 2 * p - d * (k - 1) - 1) / s + 1
    }
    let output = FeatureShape(
      channels: 1,
      height: out(image.height, kernel.height, stride.height, padding.height, dilation.height),
      width: out(image.width, kernel.width, stride.width, padding.width, dilation.width))
    let geometry = ConvGeometry(
      image: image, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
      columns: output)
    let batch = pick(1...3)
    var x = (0..<batch * image.count).map { _ in Float(pick(-99...99)) }
    let pixels = output.height * output.width
    let width = batch * pixels
    var columns = [Float](repeating: .nan, count: geometry.rows * width + ConvGeometry.columnSlack)
    x.withUnsafeMutableBufferPointer { images in
      let view = TensorView(base: images.baseAddress!, batch: batch, shape: image)
      columns.withUnsafeMutableBufferPointer {
        geometry.im2col(view, samples: 0..<batch, into: $0.baseAddress!)
      }
    }
    var expected: [Float] = []
    for c in 0..<image.channels {
      for ky in 0..<kernel.height {
        for kx in 0..<kernel.width {
          for n in 0..<batch {
            for oy in 0..<output.height {
              for ox in 0..<output.width {
                let y = oy * stride.height + ky * dilation.height - padding.height
                let x0 = ox * stride.width + kx * dilation.width - padding.width
                let inside = (0..<image.height).contains(y) && (0..<image.width).contains(x0)
                expected.append(
                  inside ? x[n * image.count + (c * image.height + y) * image.width + x0] : 0)
              }
            }
          }
        }
      }
    }
    #expect(
      Array(columns[0..<geometry.rows * width]) == expected,
      "kernel \(kernel) stride \(stride) padding \(padding) dilation \(dilation) image \(image)")
  }
}
