import Foundation
import Graph
import Pipeline
import Runtime
import TestSupport
import Testing

@Test func quantizeJobWritesAModelTheRuntimeRuns() throws {
  let folder = try ScratchFolder()
  var job = QuantizeJob(model: try untrainedLeNet(in: folder))
  job.samples = 60
  let made = try job.run()
  #expect(made.dataset == "fashion-mnist" && made.calibrationImages == 60)
  let out = folder.file("lenet5-int8.tflite")
  try made.write(to: out)
  // Only the model and the result: the temporary file was renamed.
  #expect(folder.contents == ["lenet5-int8.tflite", "lenet5.safetensors"])
  let session = try ModelSession(path: out)
  #expect(session.arenaBytes > 0 && session.arenaBytes == made.export.arenaBytes)
  #expect(session.file.classNames == (0..<10).map { "class \($0)" })
  let input = try ImageInput(session.input(0).tensor, path: out)
  #expect(input.height == 28 && input.width == 28 && input.format == .gray)
  #expect(try session.input(0).tensor.quantization?.zeroPoint == -128)
}

@Test func quantizeJobNamesTheFileItCannotRead() throws {
  let folder = try ScratchFolder()
  let missing = folder.file("nothing.safetensors")
  let error = #expect(throws: InputError.self) { _ = try QuantizeJob(model: missing).run() }
  #expect(error?.file == missing)
}

@Test func quantizeJobRecordsEveryLayerAndCalibrationProgress() throws {
  let folder = try ScratchFolder()
  var job = QuantizeJob(model: try untrainedLeNet(in: folder))
  job.samples = 20
  var reported: [Int] = []
  let made = try job.run { done, total in
    #expect(total == 20)
    reported.append(done)
  }
  #expect(reported.last == 20)
  let layers = made.export.conversion.layers
  #expect(
    layers.map(\.node) == [
      "input", "conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2", "fc3",
    ])
  #expect(layers[1].weightScales == 6)  // per output channel
  #expect(layers[6].weightScales == 1)  // per tensor
  #expect(made.export.constantBytes > 60_000 && made.export.constantBytes < made.export.bytes.count)
}

/// The bundled .tflite is what the quantize step makes of the bundled float model, so it is
/// never stale. Calibration runs the float model, whose last bits depend on the machine (FMA or
/// not), so activation scales may differ in the last place and biases (at input scale x weight
/// scale) by one step; weights and structure must be identical.
@Test func bundledInt8ModelIsTheQuantizersOutput() throws {
  var job = QuantizeJob(model: repositoryRoot + "/models/lenet5.safetensors")
  job.samples = 500
  // The files own the bytes the models point into: they live until the comparison ends.
  let madeFile = try ModelFile(bytes: job.run().export.bytes, path: "made")
  let bundledFile = try ModelFile(path: repositoryRoot + "/models/lenet5-int8.tflite")
  try withExtendedLifetime((madeFile, bundledFile)) {
    let made = madeFile.model
    let bundled = bundledFile.model
    let hint = "rerun: tinycnn quantize models/lenet5.safetensors --out models/lenet5-int8.tflite"
    #expect(made.tensorCount == bundled.tensorCount && made.operatorCount == bundled.operatorCount)
    for t in 0..<min(made.tensorCount, bundled.tensorCount) {
      let a = try made.tensor(at: t)
      let b = try bundled.tensor(at: t)
      let name = String(decoding: a.name, as: UTF8.self)
      #expect(a.name.elementsEqual(b.name) && a.type == b.type && a.elementCount == b.elementCount)
      if let qa = a.quantization, let qb = b.quantization {
        #expect(qa.scaleCount == qb.scaleCount, "\(name)")
        for c in 0..<min(qa.scaleCount, qb.scaleCount) {
          #expect(abs(qa.scales[c] / qb.scales[c] - 1) < 1e-5, "\(name) scale \(c): \(hint)")
          #expect(qa.zeroPoint(c) == qb.zeroPoint(c), "\(name) zero point: \(hint)")
        }
      }
      guard let da = a.data, let db = b.data else {
        #expect(a.data == nil && b.data == nil, "\(name)")
        continue
      }
      if a.type == .int32 {
        let va = da.bindMemory(to: Int32.self)
        let vb = db.bindMemory(to: Int32.self)
        #expect(zip(va, vb).allSatisfy { abs(Int64($0) - Int64($1)) <= 1 }, "\(name): \(hint)")
      } else {
        #expect(da.elementsEqual(db), "\(name): \(hint)")
      }
    }
  }
}
