import Pipeline
import Quantization
import Runtime
import Testing

/// `pixels` through the image conversion of a [1, 1, pixels.count, 1] input tensor of `type`
/// with the given quantisation (written by the quantizer's writer, read back by the Runtime).
private func converted(
  _ pixels: [UInt8], _ type: Runtime.TensorType, scale: Float = 1, zeroPoint: Int64 = 0
) throws -> [UInt8] {
  var m = TFLiteModel(description: "input only")
  let x = m.addTensor(
    "x", shape: [1, 1, pixels.count, 1], type: type,
    quantization: type == .float32 ? nil : .perTensor(scale: scale, zeroPoint: zeroPoint))
  m.inputs = [x]
  m.outputs = [x]
  let file = try ModelFile(bytes: m.serialized(), path: "input.tflite")
  let input = try ImageInput(try file.model.tensor(at: 0), path: file.path)
  var slot = [UInt8](repeating: 0, count: input.byteCount)
  pixels.withUnsafeBufferPointer { p in
    slot.withUnsafeMutableBytes { input.write(pixels: p, to: $0) }
  }
  return slot
}

/// The one image conversion, worked by hand: q = round(pixel / 255 / scale) + zero_point,
/// clamped to the type.
@Test func imageInputQuantisesPixelsAsTFLiteDoes() throws {
  // int8, scale 1/255, zero point -128 (TinyCNN's and TensorFlow's models): pixel - 128.
  let int8 = try converted([0, 255], .int8, scale: 1.0 / 255, zeroPoint: -128)
  #expect(int8.map { Int8(bitPattern: $0) } == [-128, 127])
  // uint8, scale 1/255, zero point 10: 3 -> 13; 250 -> 260 clamps at 255.
  #expect(try converted([3, 250], .uint8, scale: 1.0 / 255, zeroPoint: 10) == [13, 255])
  // int8, scale 1/510 (pixel/255/scale = 2 * pixel), zero point -10: 1 -> -8; 200 -> 390 -> 127.
  let clamped = try converted([1, 200], .int8, scale: 1.0 / 510, zeroPoint: -10)
  #expect(clamped.map { Int8(bitPattern: $0) } == [-8, 127])
  // float32: pixel / 255 as stored floats.
  let bytes = try converted([51, 255], .float32)
  let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  #expect(values == [Float(51) / 255, 1])
}

@Test func imageInputRefusesATensorThatIsNotAnImage() throws {
  var m = TFLiteModel(description: "vector input")
  let x = m.addTensor(
    "x", shape: [1, 4], type: .int8, quantization: .perTensor(scale: 1, zeroPoint: 0))
  m.inputs = [x]
  m.outputs = [x]
  let file = try ModelFile(bytes: m.serialized(), path: "vector.tflite")
  let error = #expect(throws: InputError.self) {
    _ = try ImageInput(try file.model.tensor(at: 0), path: file.path)
  }
  #expect(error?.cause == "input [1, 4] is not an image ([1, height, width, 1 or 3])")
}
