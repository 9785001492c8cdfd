import Foundation
import InputChecks
import Runtime

/// An image classifier over a model session: PNG in (through `ImageInput`), class probabilities
/// out. The dequantised output when the model ends in SOFTMAX, otherwise a softmax of the
/// dequantised logits.
package struct Classifier {
  package let session: ModelSession
  package let input: ImageInput
  package let classNames: [String]
  package let output: Tensor
  /// Whether the model's output is a SOFTMAX's (already probabilities).
  package let endsInSoftmax: Bool

  /// - labels: a file of class names, one per line; else the model's own, else "class N".
  package init(session: ModelSession, labels: String?) throws(InputError) {
    self.session = session
    let file = session.file
    input = try ImageInput(session.input(0).tensor, path: file.path)
    output = try session.output(0).tensor
    guard [.int8, .uint8, .float32].contains(output.type) else {
      throw InputError(
        file.path, "output type \(output.typeName): TinyCNN reads INT8, UINT8 or FLOAT32")
    }
    var softmax = false
    for i in 0..<session.model.operatorCount {
      let op = try file.checked { () throws(RuntimeError) in try session.model.operation(at: i) }
      if op.code.builtin == .softmax && op.output(0) == output.index { softmax = true }
    }
    endsInSoftmax = softmax
    classNames = try Classifier.names(labels: labels, file: file, classes: output.elementCount)
  }

  private static func names(labels: String?, file: ModelFile, classes: Int) throws(InputError)
    -> [String]
  {
    if let labels {
      let text: String
      do {
        text = String(decoding: try FileBytes.read(labels), as: UTF8.self)
      } catch { throw InputError(labels, error.reason) }
      let names = text.split(separator: "\n").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
      }.filter { !$0.isEmpty }
      guard names.count == classes else {
        throw InputError(labels, "\(names.count) class names, the model has \(classes) classes")
      }
      return names
    }
    if let names = file.classNames, names.count == classes { return names }
    return (0..<classes).map { "class \($0)" }
  }

  /// Class probabilities for one PNG.
  package func classify(_ image: String) throws(InputError) -> [Double] {
    let bytes = try input.bytes(ofPNG: image)
    try session.input(0).bytes.copyBytes(from: bytes)
    try session.invoke()
    let values = Classifier.dequantize(try session.output(0).bytes, output)
    return endsInSoftmax ? values : Classifier.softmax(values)
  }

  package static func dequantize(_ bytes: UnsafeMutableRawBufferPointer, _ t: Tensor) -> [Double] {
    let scale = Double(t.quantization?.scale ?? 1)
    let zeroPoint = Double(t.quantization?.zeroPoint ?? 0)
    switch t.type {
    case .float32:
      return (0..<t.elementCount).map {
        Double(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self))
      }
    case .uint8: return bytes.map { (Double($0) - zeroPoint) * scale }
    default: return bytes.map { (Double(Int8(bitPattern: $0)) - zeroPoint) * scale }
    }
  }

  package static func softmax(_ logits: [Double]) -> [Double] {
    let top = logits.max() ?? 0
    let e = logits.map { exp($0 - top) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
  }
}
