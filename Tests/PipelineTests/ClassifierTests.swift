import Datasets
import Foundation
import Graph
import Imaging
import Pipeline
import Quantization
import Runtime
import TestSupport
import Testing

@Test func classifierGivesTFLMsClassesForPNGsOfGoldenImages() throws {
  let folder = try ScratchFolder()
  let name = "lenet5_fixed"
  let inputs = try NPYArray.read(goldenPath(name, "input_0.npy"))
  let outputs = try NPYArray.read(goldenPath(name, "output_0.npy"))
  let session = try ModelSession(path: goldenPath(name, "model.tflite"))
  let classifier = try Classifier(session: session, labels: nil)
  #expect(!classifier.endsInSoftmax)
  for row in 0..<8 {
    // The input is exactly pixel - 128 (scale 1/255, zero point -128): write those pixels as a
    // PNG and the classifier must reproduce TFLM's output for the row.
    let pixels = inputs.data[row * 784..<(row + 1) * 784].map { $0 ^ 0x80 }
    let png = folder.file("\(row).png")
    try PNG.write(Image(width: 28, height: 28, channels: 1, pixels: Array(pixels)), to: png)
    #expect(
      try classifier.input.bytes(ofPNG: png) == Array(inputs.data[row * 784..<(row + 1) * 784]))
    let logits = outputs.data[row * 10..<(row + 1) * 10].map { Int8(bitPattern: $0) }
    let q = try #require(classifier.output.quantization)
    let want = Classifier.softmax(
      logits.map { (Double($0) - Double(q.zeroPoint)) * Double(q.scale) })
    #expect(try classifier.classify(png) == want, "row \(row)")
  }
  // Without class names in the model the classes are numbered; with a labels file, named.
  #expect(classifier.classNames.first == "class 0")
  let labels = folder.file("labels.txt")
  try "a\nb\nc\n".write(toFile: labels, atomically: true, encoding: .utf8)
  let error = #expect(throws: InputError.self) {
    _ = try Classifier(session: session, labels: labels)
  }
  #expect(error?.cause == "3 class names, the model has 10 classes")
}

@Test func classifierResizesAndConvertsAnyPNG() throws {
  // An RGB PNG of another size: converted to gray and resized to 28x28 before quantising.
  let folder = try ScratchFolder()
  let png = folder.file("rgb.png")
  let rgb = Image(
    width: 56, height: 40, channels: 3, pixels: (0..<56 * 40 * 3).map { UInt8($0 % 251) })
  try PNG.write(rgb, to: png)
  let session = try ModelSession(path: goldenPath("lenet5_fixed", "model.tflite"))
  let classifier = try Classifier(session: session, labels: nil)
  let expected = rgb.converted(to: .gray).resized(width: 28, height: 28).pixels.map {
    UInt8(bitPattern: Int8(Int($0) - 128))
  }
  #expect(try classifier.input.bytes(ofPNG: png) == expected)
  let p = try classifier.classify(png)
  #expect(p.count == 10 && abs(p.reduce(0, +) - 1) < 1e-9)
}

@Test func classifierReadsClassNamesFromTheModel() throws {
  var m = TFLiteModel(description: "tiny classifier")
  let x = m.addTensor(
    "x", shape: [1, 2, 2, 1], type: .int8,
    quantization: .perTensor(scale: 1.0 / 255, zeroPoint: -128))
  let flat = m.addTensor(
    "flat", shape: [1, 4], type: .int8, quantization: .perTensor(scale: 1.0 / 255, zeroPoint: -128))
  m.addOperator(.reshape, inputs: [x], outputs: [flat], options: .reshape(newShape: [1, 4]))
  m.inputs = [x]
  m.outputs = [flat]
  m.metadata = [
    (
      ClassNames.metadataKey,
      ClassNames.lines(["top left", "top right", "bottom left", "bottom right"])
    )
  ]
  let folder = try ScratchFolder()
  let model = folder.file("tiny.tflite")
  try Data(m.serialized()).write(to: URL(fileURLWithPath: model))
  let png = folder.file("dot.png")
  try PNG.write(Image(width: 2, height: 2, channels: 1, pixels: [0, 0, 255, 0]), to: png)
  let classifier = try Classifier(session: try ModelSession(path: model), labels: nil)
  #expect(classifier.classNames == ["top left", "top right", "bottom left", "bottom right"])
  let p = try classifier.classify(png)
  #expect(p.firstIndex(of: p.max()!) == 2)
}

@Test func modelErrorsNameTheFileAndTheCause() throws {
  let folder = try ScratchFolder()
  let path = folder.file("cut.tflite")
  let bytes = try Data(contentsOf: URL(fileURLWithPath: goldenPath("lenet5_fixed", "model.tflite")))
  try bytes.prefix(40_000).write(to: URL(fileURLWithPath: path))
  let cut = #expect(throws: InputError.self) { _ = try ModelFile(path: path) }
  #expect(cut?.file == path)
  #expect(cut?.cause.contains("past the end of the file (40000 bytes)") == true, "\(cut!)")
  let missing = #expect(throws: InputError.self) {
    _ = try ModelFile(path: folder.file("missing.tflite"))
  }
  #expect(missing?.description.contains("missing.tflite: No such file") == true)
}
