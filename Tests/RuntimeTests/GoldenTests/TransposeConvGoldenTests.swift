import Datasets
import Foundation
import KernelDispatch
import Testing

@testable import Runtime

// TRANSPOSE_CONV against TFLite Micro: converter-made models (single layers, one whose output
// shape SHAPE/STRIDED_SLICE/PACK compute, and an encoder-decoder) and our own quantised
// unet-mini, every row byte for byte, made by bench/refs/transpose_conv_golden.py into
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
  #expect(manifest.cases.count >= 10)
  #expect(manifest.cases.contains { $0.name == "ours_unet_mini" })
  #expect(manifest.cases.contains { $0.ops.contains("SHAPE") && $0.ops.contains("PACK") })
  #expect(manifest.cases.allSatisfy { $0.ops.contains("TRANSPOSE_CONV") })
}

@Test(arguments: tconvManifest?.cases.map(\.name) ?? [], KernelSet.available)
func transposeConvCaseEqualsTFLM(name: String, kernels: KernelSet) throws {
  let golden = try #require(tconvManifest?.cases.first { $0.name == name })
  let folder = tconvRoot.appendingPathComponent(name)
  let modelBytes = AlignedBytes(
    [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.tflite"))))
  let model = try Model(bytes: modelBytes.buffer)
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
  let needed = try Interpreter.requirements(
    for: model, scratch: scratch.mutableBuffer, kernels: kernels)
  // As in GoldenTests: the tensors' region (the plan of records and constants goes to flash on
  // a microcontroller) within TFLM's whole arena, persistent data included. (With the 64-bit
  // host's records counted too, our own unet-mini needs 424 B more than TFLM: 6,304 B of
  // records against TFLM's 5,880 B tail, the same 40,768 B of tensors.)
  #expect(
    kernels != .reference || needed.tensorRegionBytes <= golden.tflm.arenaSize,
    "\(name): tensors \(needed.tensorRegionBytes) B > TFLM's arena \(golden.tflm.arenaSize) B")
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
