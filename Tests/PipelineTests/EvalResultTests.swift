import Datasets
import Foundation
import Graph
import Pipeline
import Quantization
import Runtime
import TestSupport
import Testing
import Training

/// quantize then eval on an untrained LeNet-5: every layer matched, the agreements, the arenas
/// (the accuracy figures are checked on the trained models below).
@Test func evalComparesAFreshlyQuantizedModelLayerByLayer() throws {
  let folder = try ScratchFolder()
  let model = try untrainedLeNet(in: folder)
  let int8 = folder.file("lenet5-int8.tflite")
  var job = QuantizeJob(model: model)
  job.samples = 100
  try job.run().write(to: int8)

  var stages: [EvalResult.Stage] = []
  let result = try EvalResult.compute(
    floatPath: model, int8Path: int8, dataset: nil, limit: 200, layerImages: 40,
    threads: { min($0, 2) },
    progress: { stage, done, total in
      if stages.last != stage { stages.append(stage) }
      #expect(done <= total)
    })
  #expect(stages == [.float, .int8, .layers])
  #expect(result.dataset == "fashion-mnist")
  #expect(result.labels.count == 200 && result.layerImages == 40)
  #expect(
    result.layers.map(\.match.floatNode) == [
      "input", "relu1", "pool1", "relu2", "pool2", "flatten", "relu3", "relu4", "fc3",
    ])
  #expect(result.layers[0].agreement.sqnr == .infinity)  // pixel/255 is exact in int8
  for layer in result.layers.dropFirst() {
    #expect(layer.agreement.sqnr > 20, "\(layer.match.tensorName): \(layer.agreement.sqnr) dB")
    #expect(layer.agreement.cosine > 0.99, "\(layer.match.tensorName)")
  }
  #expect(result.agreement > 0.9)
  #expect(result.int8.confusion(result.labels, classes: 10).joined().reduce(0, +) == 200)
  // The device figure is the reference kernels' arena; the SIMD kernels add re-packed filters.
  #expect(result.arenaBytes == (try ModelSession(path: int8).arenaBytes))
  #expect(result.hostArenaBytes > result.arenaBytes)
}

@Test func evalRefusesAModelWithoutItsDataset() throws {
  let folder = try ScratchFolder()
  let network = try Network(graph: ModelZoo.lenet5, seed: 3)
  let model = folder.file("bare.safetensors")
  try network.floatModel(classNames: []).write(to: model)
  let error = #expect(throws: InputError.self) {
    _ = try EvalResult.compute(
      floatPath: model, int8Path: "x.tflite", dataset: nil, limit: 10, layerImages: 0)
  }
  #expect(error?.cause == "no dataset recorded in the model; pass --dataset")
}

/// Each bundled model against its float model on the whole Fashion-MNIST test split: the
/// figures the README and the issue quote.
@Test(arguments: ["lenet5", "cnn-small"])
func bundledInt8ModelIsAsAccurateAsTheFloatModel(name: String) throws {
  let floatPath = repositoryRoot + "/models/\(name).safetensors"
  let int8Path = repositoryRoot + "/models/\(name)-int8.tflite"
  let floatModel = try FloatModel.read(floatPath)
  let test = try DatasetCatalog.load("fashion-mnist", split: .test)
  #expect(test.count == 10_000)
  let result = try EvalResult.compute(
    floatModel: floatModel, folded: try foldBatchNorms(floatModel), floatPath: floatPath,
    int8Path: int8Path, images: test, dataset: "fashion-mnist", layerImages: 0)
  #expect(
    result.int8Accuracy >= result.floatAccuracy - 0.005,
    "int8 \(result.int8Accuracy) vs float \(result.floatAccuracy)")
  #expect(result.agreement >= 0.98, "agreement \(result.agreement)")
}
