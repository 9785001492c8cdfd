import Graph
import Testing

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

/// SAME worked by hand (TFLite's padding.h): out = ceil(in / stride), total = max((out - 1) *
/// stride + k_eff - in, 0), half before, the odd cell after.
@Test func samePaddingSplitsTheTotalAsTFLiteDoes() {
  #expect(TFLitePadding.same(input: 28, kernel: 3, stride: 2) == (14, 0, 1))
  #expect(TFLitePadding.same(input: 27, kernel: 3, stride: 2) == (14, 1, 1))
  #expect(TFLitePadding.same(input: 28, kernel: 3, stride: 1, dilation: 2) == (28, 2, 2))
  #expect(TFLitePadding.same(input: 5, kernel: 1, stride: 3) == (2, 0, 0))
}
