import Datasets
import Foundation
import Testing

@testable import Runtime

// TRANSPOSE_CONV against TFLite Micro: converter-made models (single layers and an
// encoder-decoder), every row byte for byte, made by bench/refs/transpose_conv_golden.py into
// Golden/tconv_cases/ with its own MANIFEST.json.

private let tconvRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Golden/tconv_cases")

private let tconvManifest: GoldenManifest? = {
  guard let data = try? Data(contentsOf: tconvRoot.appendingPathComponent("MANIFEST.json"))
  else { return nil }
  return try? JSONDecoder().decode(GoldenManifest.self, from: data)
}()

@Test func transposeConvGoldenCasesAreThere() throws {
  let manifest = try #require(tconvManifest, "Golden/tconv_cases/MANIFEST.json")
  #expect(manifest.cases.count >= 8)
  #expect(manifest.cases.allSatisfy { $0.ops.contains("TRANSPOSE_CONV") })
}

@Test(arguments: tconvManifest?.cases.map(\.name) ?? [], [KernelSet.reference, .optimized])
func transposeConvCaseEqualsTFLM(name: String, kernels: KernelSet) throws {
  let golden = try #require(tconvManifest?.cases.first { $0.name == name })
  let folder = tconvRoot.appendingPathComponent(name)
  let modelBytes = AlignedBytes(
    [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.tflite"))))
  let model = try Model(bytes: modelBytes.buffer)
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
  let needed = try Interpreter.requirements(
    for: model, scratch: scratch.mutableBuffer, kernels: kernels)
  #expect(
    kernels == .optimized || needed.totalBytes <= golden.tflm.arenaSize,
    "\(name): arena \(needed.totalBytes) B > TFLM's \(golden.tflm.arenaSize) B")
  let arena = AlignedBytes(zeroed: needed.totalBytes)
  let interpreter = try Interpreter(model: model, arena: arena.mutableBuffer, kernels: kernels)
  let input = try NPYArray.read(folder.appendingPathComponent("input_0.npy").path)
  let expected = try NPYArray.read(folder.appendingPathComponent("output_0.npy").path)
  var differing: [Int] = []
  for row in 0..<golden.rows {
    let slot = try interpreter.input(0)
    let inBytes = input.data.count / input.shape[0]
    try #require(inBytes == slot.bytes.count)
    slot.bytes.copyBytes(from: input.data[row * inBytes..<(row + 1) * inBytes])
    try interpreter.invoke()
    let got = try interpreter.output(0).bytes
    let outBytes = expected.data.count / expected.shape[0]
    try #require(outBytes == got.count)
    if !(0..<outBytes).allSatisfy({ got[$0] == expected.data[row * outBytes + $0] }) {
      differing.append(row)
    }
  }
  #expect(differing.isEmpty, "\(name) (\(kernels)): rows \(differing) of \(golden.rows) differ")
}
