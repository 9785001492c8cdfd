import Datasets
import Foundation
import Graph
import Pipeline
import TestSupport
import Testing
import Training

/// A real (tiny) run end to end: every event in order, and the file written opens as a model
/// with the training record.
@Test func trainingJobWritesAModelFileWithItsTrainingRecord() throws {
  let folder = try ScratchFolder()
  let out = folder.file("nested/lenet5.safetensors")
  var options = TrainingOptions()
  options.epochs = 2
  options.batchSize = 32
  options.seed = 5
  let job = TrainingJob(
    model: "lenet5", dataset: "fashion-mnist", options: options, limit: 600, threads: 2)
  let setup = try job.prepare()
  #expect(setup.train.count == 600 && setup.test.count == 600)
  #expect(setup.parameterCount == 61_706)
  try TrainingJob.prepareOutputFolder(for: out)
  var epochsDone: [Int] = []
  var lastStep = 0
  let record = try job.run(setup) { event in
    switch event {
    case .step(_, let step): lastStep = step.samplesDone
    case .epochDone(let epoch, _, _): epochsDone.append(epoch)
    case .resumed: Issue.record("resumed without a checkpoint")
    }
  }
  #expect(epochsDone == [0, 1] && lastStep == 600)
  try job.write(setup, record: record, to: out)
  #expect(folder.contents == ["nested"])

  let model = try FloatModel.read(out)
  #expect(model.graph == ModelZoo.lenet5)
  #expect(model.classNames == FashionMNIST.classNames)
  #expect(model.metadata["dataset"] == "fashion-mnist")
  let saved = try TrainingRecord(json: #require(model.metadata["training"]))
  #expect(saved.testAccuracy == record.testAccuracy && saved.seed == 5)
  #expect(record.epochs == 2 && record.seed == 5 && record.trainImages == 600)
  #expect(record.history.count == 2)
  #expect(record.testAccuracy == record.history[1].testAccuracy)
  #expect(record.testAccuracy > 0.3)  // 600 images, 2 epochs: well above chance (0.1)
  #expect(record.inputNormalization == "pixel/255")
  // The accuracy in the record is what the saved weights give.
  let network = try Network(model: model)
  let test = try FashionMNIST.load(.test).prefix(600)
  #expect(abs(try network.evaluate(test).accuracy - record.testAccuracy) < 1e-9)
}

@Test func trainingJobRefusesAModelThatDoesNotFitTheData() throws {
  let folder = try ScratchFolder()
  let graph = folder.file("wide.json")
  // LeNet-5 for 32x32 RGB images against Fashion-MNIST's 28x28 gray ones.
  let wide = try #require(
    try ModelZoo.named("lenet5", input: FeatureShape(channels: 3, height: 32, width: 32)))
  try wide.jsonString().write(toFile: graph, atomically: true, encoding: .utf8)
  let job = TrainingJob(
    model: graph, dataset: "fashion-mnist", options: TrainingOptions(), limit: 10, threads: 1)
  let error = #expect(throws: InputError.self) { _ = try job.prepare() }
  #expect(error?.file == graph)
  #expect(error?.cause.hasPrefix("the model takes ") == true, "\(error!)")
}
