import Graph

/// A batch of activations in memory the network owns: `batch` samples of `shape`, NCHW, so
/// sample `n`, channel `c`, row `y`, column `x` is at `((n*C + c)*H + y)*W + x`. Layers read and
/// write through views; they never own activations.
struct TensorView {
  var base: UnsafeMutablePointer<Float>
  var batch: Int
  var shape: FeatureShape

  /// Floats per sample: C*H*W.
  var sampleSize: Int { shape.count }
  /// Floats per channel plane: H*W.
  var planeSize: Int { shape.height * shape.width }
  var count: Int { batch * shape.count }

  /// The first float of sample `n`.
  @inline(__always) func sample(_ n: Int) -> UnsafeMutablePointer<Float> {
    base + n * sampleSize
  }

  func fill(_ value: Float, samples: Range<Int>) {
    (base + samples.lowerBound * sampleSize).update(
      repeating: value, count: samples.count * sampleSize)
  }
}

/// A batch of float activations handed to or returned by the public API: NCHW values, the same
/// layout as the network's own buffers.
public struct Tensor: Sendable, Equatable {
  public var batch: Int
  public var shape: FeatureShape
  public var values: [Float]  // [batch, C, H, W]

  public init(batch: Int, shape: FeatureShape, values: [Float]) {
    precondition(
      values.count == batch * shape.count, "\(values.count) values for \(batch)x\(shape)")
    self.batch = batch
    self.shape = shape
    self.values = values
  }

  /// The values of sample `n` (C*H*W floats, NCHW).
  public func sample(_ n: Int) -> ArraySlice<Float> {
    values[n * shape.count..<(n + 1) * shape.count]
  }
}
