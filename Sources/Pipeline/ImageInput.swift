import Imaging
import Runtime

/// How a picture becomes a model's input tensor, the one conversion every host path uses (`infer`,
/// `eval`, the firmware's test inputs): gray or RGB to the tensor's channels, bilinear resize to
/// its height and width, then pixel / 255 quantised with the tensor's scale and zero point,
/// `q = round(pixel / 255 / scale) + zero_point` (TFLite's Quantize: half away from zero, then
/// clamped to the type; `pixel - 128` for TinyCNN's and TensorFlow's int8 models). It assumes the
/// float model saw pixel / 255, the trainer's only normalisation (ARCHITECTURE.md, Conventions).
package struct ImageInput {
  package let height: Int
  package let width: Int
  package let format: PixelFormat
  package let type: TensorType
  /// `quantized[p]`: the input byte for pixel value p (int8 and uint8 inputs).
  private let quantized: [UInt8]

  /// The conversion for `tensor`, input of the model at `path` (named in errors): an image tensor
  /// [1, height, width, 1 or 3] of INT8, UINT8 or FLOAT32.
  package init(_ tensor: Tensor, path: String) throws(InputError) {
    let shape = tensor.shapeArray
    guard shape.count == 4, shape[0] == 1, let format = PixelFormat(channels: shape[3]) else {
      throw InputError(
        path, "input \(tensor.shapeText) is not an image ([1, height, width, 1 or 3])")
    }
    guard [.int8, .uint8, .float32].contains(tensor.type) else {
      throw InputError(path, "input type \(tensor.typeName): TinyCNN feeds INT8, UINT8 or FLOAT32")
    }
    (height, width, self.format, type) = (shape[1], shape[2], format, tensor.type)
    let scale = Double(tensor.quantization?.scale ?? 1)
    let zeroPoint = Double(tensor.quantization?.zeroPoint ?? 0)
    let (low, high) = tensor.type == .uint8 ? (0.0, 255.0) : (-128.0, 127.0)
    quantized = (0...255).map { p in
      let v = (Double(p) / 255 / scale).rounded(.toNearestOrAwayFromZero) + zeroPoint
      let q = Int(min(max(v, low), high))
      return tensor.type == .uint8 ? UInt8(q) : UInt8(bitPattern: Int8(q))
    }
  }

  /// Bytes of one image: `height * width * channels`, times 4 for FLOAT32.
  package var byteCount: Int {
    height * width * format.channels * (type == .float32 ? 4 : 1)
  }

  /// Writes one image's HWC pixels (`height * width * channels` of them) into `slot`, the input
  /// tensor's bytes.
  package func write(pixels: UnsafeBufferPointer<UInt8>, to slot: UnsafeMutableRawBufferPointer) {
    precondition(slot.count == byteCount && pixels.count * (type == .float32 ? 4 : 1) == byteCount)
    if type == .float32 {
      for i in 0..<pixels.count {
        slot.storeBytes(of: Float(pixels[i]) / 255, toByteOffset: 4 * i, as: Float.self)
      }
    } else {
      for i in 0..<pixels.count { slot[i] = quantized[Int(pixels[i])] }
    }
  }

  /// The input tensor's bytes for one PNG: converted, resized, quantised.
  package func bytes(ofPNG path: String) throws(InputError) -> [UInt8] {
    var picture: Image
    do { picture = try PNG.read(path, as: format) } catch {
      throw InputError(error.file, error.cause)
    }
    if picture.width != width || picture.height != height {
      picture = picture.resized(width: width, height: height)
    }
    var bytes = [UInt8](repeating: 0, count: byteCount)
    picture.pixels.withUnsafeBufferPointer { pixels in
      bytes.withUnsafeMutableBytes { write(pixels: pixels, to: $0) }
    }
    return bytes
  }
}
