import Graph
import Testing

@testable import Quantization

@Test func symmetricPaddingMapsToSameWhenTFLiteWouldPadAlike() {
  func choose(_ i: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int = 1) -> TFLitePadding {
    TFLitePadding.choose(
      input: FeatureShape(channels: 1, height: i, width: i), kernel: Size2(k), stride: Size2(s),
      padding: Size2(p), dilation: Size2(d))
  }
  #expect(choose(28, 5, 1, 2) == .same)  // LeNet-5's conv1
  #expect(choose(28, 3, 1, 1) == .same)
  #expect(choose(28, 3, 1, 2, 2) == .same)  // dilation 2 spans 5
  #expect(choose(28, 5, 1, 0) == .valid)
  // Stride 2 on an even input: TFLite SAME pads 0 before and 1 after; PyTorch pads 1 and 1.
  #expect(choose(28, 3, 2, 1) == .explicit(Size2(1)))
  // ... on an odd input both pad 1 before.
  #expect(choose(27, 3, 2, 1) == .same)
  #expect(choose(8, 3, 1, 3) == .explicit(Size2(3)))
}
