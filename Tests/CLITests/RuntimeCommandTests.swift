import Datasets
import Foundation
import Imaging
import Pipeline
import Quantization
import TestSupport
import Testing

@testable import Runtime
@testable import TinyCNN

/// A fresh temporary folder, removed by the caller.
private func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

@Test func runtimeCommandsHaveHelpWithExamples() {
  for (command, example) in [
    (TinyCNNCommand.helpMessage(for: Run.self), "tinycnn run lenet5.tflite --input"),
    (TinyCNNCommand.helpMessage(for: Infer.self), "tinycnn infer images/ankle-boot-0.png"),
    (TinyCNNCommand.helpMessage(for: Inspect.self), "tinycnn inspect lenet5.tflite"),
  ] {
    #expect(command.contains("Examples:"))
    #expect(command.contains(example), "\(command)")
  }
  #expect(TinyCNNCommand.helpMessage().contains("inspect"))
}

@Test func runWritesTFLMsOutputsByteForByte() throws {
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let y = dir.appendingPathComponent("y.npy").path
  var run = try Run.parse([
    goldenPath("lenet5_fixed", "model.tflite"), "--input",
    goldenPath("lenet5_fixed", "input_0.npy"),
    "--output", y, "--quiet",
  ])
  try run.run()
  // Same header as numpy.save, same bytes as TFLM: the files are identical.
  let want = try Data(contentsOf: URL(fileURLWithPath: goldenPath("lenet5_fixed", "output_0.npy")))
  #expect(try Data(contentsOf: URL(fileURLWithPath: y)) == want)
  #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["y.npy"])
}

@Test func runRefusesInputsThatDoNotFit() throws {
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let model = goldenPath("lenet5_fixed", "model.tflite")
  func failure(_ array: NPYArray) throws -> String {
    let x = dir.appendingPathComponent("x.npy").path
    try array.write(to: x)
    var run = try Run.parse([
      model, "--input", x, "--output", dir.appendingPathComponent("y.npy").path, "-q",
    ])
    do {
      try run.run()
      return "no error"
    } catch {
      return "\(error)"
    }
  }
  let floats = NPYArray(float32s: [Float](repeating: 0, count: 2 * 784), shape: [2, 28, 28, 1])
  #expect(try failure(floats).contains("dtype float32, but the model's input 0"))
  let wrongShape = NPYArray(int8s: [Int8](repeating: 0, count: 2 * 784), shape: [2, 784])
  #expect(try failure(wrongShape).contains("shape [2, 784] does not fit"))
  #expect(try failure(wrongShape).contains("[N, 28, 28, 1]"))
  // An array without the batch axis, exactly the model's shape, is one image.
  let one = NPYArray(int8s: [Int8](repeating: 0, count: 784), shape: [1, 28, 28, 1])
  #expect(try failure(one) == "no error")
  #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("y.npy.tmp").path))
}

@Test func runNamesEachOutputOfAMultiOutputModel() throws {
  var m = TFLiteModel(description: "two outputs")
  let q = TFLiteModel.Quantization.perTensor(scale: 0.1, zeroPoint: 0)
  let x = m.addTensor("x", shape: [1, 4, 4, 2], type: .int8, quantization: q)
  let a = m.addTensor("max", shape: [1, 2, 2, 2], type: .int8, quantization: q)
  let b = m.addTensor("avg", shape: [1, 2, 2, 2], type: .int8, quantization: q)
  for (op, out) in [(BuiltinOperator.maxPool2D, a), (.averagePool2D, b)] {
    m.addOperator(
      op, inputs: [x], outputs: [out],
      options: .pool2D(
        padding: .valid, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2, activation: .none)
    )
  }
  m.inputs = [x]
  m.outputs = [a, b]
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let model = dir.appendingPathComponent("two.tflite").path
  try Data(m.serialized()).write(to: URL(fileURLWithPath: model))
  let values = (0..<3 * 32).map { Int8(truncatingIfNeeded: $0 * 7) }
  let input = dir.appendingPathComponent("x.npy").path
  try NPYArray(int8s: values, shape: [3, 4, 4, 2]).write(to: input)
  var run = try Run.parse([
    model, "--input", input, "--output", dir.appendingPathComponent("y.npy").path, "-q",
  ])
  try run.run()
  let maxOut = try NPYArray.read(dir.appendingPathComponent("y_0.npy").path)
  let avgOut = try NPYArray.read(dir.appendingPathComponent("y_1.npy").path)
  #expect(maxOut.shape == [3, 2, 2, 2] && avgOut.shape == [3, 2, 2, 2])
  // Image 0, output pixel (0, 0), channel 0: the 2x2 window holds x[0,0,0], x[0,1,0], x[1,0,0],
  // x[1,1,0] = values 0, 2, 8, 10 -> 0, 14, 56, 70.
  #expect(Int8(bitPattern: maxOut.data[0]) == 70)
  #expect(Int8(bitPattern: avgOut.data[0]) == 35)
}

@Test func inspectReportsParametersFlashAndTheArena() throws {
  let path = goldenPath("lenet5_fixed", "model.tflite")
  let info = try ModelInfo(ModelFile(path: path))
  #expect(info.parameters == 61_706)
  #expect(info.weightBytes == 61_470 && info.biasBytes == 944)
  #expect(info.flashBytes == info.fileBytes && info.fileBytes > 70_000)
  let arena = try #require(info.arena)
  #expect(arena.tensorBytes == 5_888)  // TFLM's head for this model
  #expect(info.arenaBytes == arena.planBytes + max(arena.tensorBytes, arena.planningBytes))
  #expect(info.arenaBytes! <= 10_248)  // TFLM's smallest arena for it
  #expect(info.operators.map(\.op).contains("FULLY_CONNECTED"))
  #expect(info.tensors[0].quantization?.zeroPoints == [-128])
  #expect(info.text.contains("parameters: 61,706"))
  // The JSON's first integer key with "arena" is the arena to allocate (bench/refs reads it).
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  let object = try JSONSerialization.jsonObject(with: encoder.encode(info)) as? [String: Any]
  #expect(object?["arenaBytes"] as? Int == info.arenaBytes)
}

@Test func inspectStillDescribesAModelItCannotRun() throws {
  // lenet5_fixed with its MAX_POOL_2D operator code turned into GELU (150).
  var bytes = [UInt8](
    try Data(contentsOf: URL(fileURLWithPath: goldenPath("lenet5_fixed", "model.tflite"))))
  let owner = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
  defer { owner.deallocate() }
  owner.copyBytes(from: bytes)
  let model = try Runtime.Model(bytes: UnsafeRawBufferPointer(owner))
  let pool = try model.operation(at: 1)
  #expect(pool.code.builtin == .maxPool2D)
  let codes = try FlatBuffer(bytes: UnsafeRawBufferPointer(owner)).rootTable().vector(
    1, elementSize: 4)!
  let code = try codes.table(pool.opcodeIndex)
  let builtinAt = try #require(try code.fieldPosition(3, size: 4))
  let deprecatedAt = try #require(try code.fieldPosition(0, size: 1))
  bytes[deprecatedAt] = 127
  bytes.replaceSubrange(builtinAt..<builtinAt + 4, with: [150, 0, 0, 0])
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let path = dir.appendingPathComponent("gelu.tflite").path
  try Data(bytes).write(to: URL(fileURLWithPath: path))
  let info = try ModelInfo(ModelFile(path: path))
  #expect(info.arenaBytes == nil)
  #expect(
    info.arenaError?.contains("operator 1 (GELU) is not supported") == true,
    "\(info.arenaError ?? "")")
  #expect(info.operators[1].op == "GELU" && !info.operators[1].supported)
  #expect(info.parameters == 61_706)
  #expect(info.text.contains("GELU (unsupported)"))
}

@Test func inferClassifiesAPNGOfAnySizeAndValidatesItsFlags() throws {
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let png = dir.appendingPathComponent("rgb.png").path
  let rgb = Image(
    width: 56, height: 40, channels: 3, pixels: (0..<56 * 40 * 3).map { UInt8($0 % 251) })
  try PNG.write(rgb, to: png)
  var infer = try Infer.parse([
    png, "--model", goldenPath("lenet5_fixed", "model.tflite"), "--json",
  ])
  try infer.run()
  #expect(throws: Never.self) { _ = try Infer.parse([png]) }  // the bundled model
  #expect(throws: (any Error).self) {
    _ = try Infer.parse([png, "--model", "m.tflite", "--top", "0"])
  }
}
