import Datasets
import Foundation
import Imaging
import Pipeline
import TestSupport
import Testing

// The firmware's claim is that the same Runtime, built with Embedded Swift for a Cortex-M and
// run under QEMU, computes exactly what the host computes. The end-to-end tests build it, run
// it and compare byte for byte. Without the ARM toolchain or QEMU they are skipped with the
// reason (scripts/setup.sh installs them, and CI runs it, so there they run); with
// TINYCNN_REQUIRE_FIRMWARE=1 a missing tool is a failure instead.

private let root = URL(fileURLWithPath: #filePath)  // Tests/PipelineTests/FirmwareJobTests.swift
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let lenet5 = root.appendingPathComponent(
  "Tests/RuntimeTests/Golden/lenet5_fixed/model.tflite"
).path
private let samples = ["ankle-boot-0.png", "bag-0.png", "trouser-1.png"].map {
  root.appendingPathComponent("images/\($0)").path
}

private func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("firmware-\(UUID())")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Why the end-to-end tests cannot run here (a missing tool, named), or nil when they can.
private let endToEndToolsMissing = firmwareToolsMissing("firmware end-to-end tests") {
  try FirmwareToolchain(root: root).checkTools(running: true)
}

/// The end-to-end trait: skipped, with the reason, when a tool is missing.
private var needsFirmwareTools: ConditionTrait {
  .enabled(if: endToEndToolsMissing == nil, Comment(rawValue: endToEndToolsMissing ?? ""))
}

/// The toolchain, or a failure naming what to install.
private func requireToolchain() throws -> FirmwareToolchain {
  let toolchain = try FirmwareToolchain(root: root)
  do {
    try toolchain.checkTools(running: true)
  } catch {
    Issue.record("the firmware tests need the ARM toolchain and QEMU: \(error)")
    throw error
  }
  return toolchain
}

/// The int8 output the host computes for a PNG, its input written by hand as pixel - 128 (the
/// bundled LeNet-5's scale 1/255 and zero point -128), not through the `ImageInput` conversion
/// the firmware job uses: a second, independent host answer.
private func hostOutput(_ image: String) throws -> [Int8] {
  let session = try ModelSession(path: lenet5)
  let picture = try PNG.read(image, as: .gray)
  let slot = try session.input(0).bytes
  #expect(slot.count == picture.pixels.count)
  for (i, p) in picture.pixels.enumerated() { slot[i] = UInt8(bitPattern: Int8(Int(p) - 128)) }
  try session.invoke()
  return Array(try session.values(ofTensor: session.output(0).tensor.index))
}

@Test(needsFirmwareTools) func firmwareOnCortexM4ComputesTheHostsOutputsAndCountsEachOperator()
  throws
{
  let toolchain = try requireToolchain()
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let job = FirmwareJob(
    model: lenet5, inputs: .images(samples), board: .an386, directory: dir, run: true, count: true,
    toolchain: toolchain)
  let report = try job.perform()

  #expect(report.problem == nil, "\(report.problem ?? "")")
  #expect(report.exitStatus == 0)
  #expect(report.identical == true)
  for (image, result) in zip(samples, report.images) {
    let host = try hostOutput(image)
    #expect(result.firmware == host, "\(image): firmware \(result.firmware ?? []), host \(host)")
    #expect(result.host == host)
    #expect(result.firmwareTop == FirmwareReport.argmax(host))
  }

  // Flash holds the model and the code; RAM the arena (at least the firmware's own plan) and
  // a stack that was not exhausted.
  let m = report.footprint
  #expect(m.modelBytes == (try Data(contentsOf: URL(fileURLWithPath: lenet5))).count)
  #expect(m.flash > m.modelBytes + m.embeddedDataBytes && m.codeBytes > 10_000)
  #expect(m.ram >= m.arenaBytes + (m.stackBytes ?? 0))
  #expect(try #require(m.arenaUsed) <= m.arenaBytes)
  #expect(try #require(m.stackUsed) < (try #require(m.stackBytes)))

  // LeNet-5 as the TensorFlow converter writes it: conv, pool, conv, pool, reshape, fc x 3.
  let ops = try #require(report.operators)
  #expect(
    ops.map(\.op) == [
      "CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
      "FULLY_CONNECTED", "FULLY_CONNECTED",
    ])
  #expect(ops.map(\.macs) == [117_600, 0, 240_000, 0, 0, 48_000, 10_080, 840])
  for op in ops where (op.macs ?? 0) > 0 {
    // A MAC takes at least a multiply-accumulate instruction and its two loads.
    #expect(op.instructions > 2 * (op.macs ?? 0), "\(op.op) #\(op.index)")
  }
  // The operators run one by one cost what the whole invoke costs, less its loop.
  let invoke = try #require(report.invokeInstructions?.first)
  let sum = ops.map(\.instructions).reduce(0, +)
  #expect(sum <= invoke && invoke - sum < 50 * ops.count, "sum \(sum), invoke \(invoke)")
  #expect(try #require(report.totalInstructions) > invoke * samples.count)

  // Estimated cycles beside the exact counts: the M4 issues one instruction at a time and every
  // class costs at least a cycle, so never fewer cycles than instructions; and for this
  // reference code (bounds checks, taken loop branches, 2-cycle loads) well above.
  #expect(report.cycleModel == "Cortex-M4")
  let cycles = try #require(report.invokeCycles)
  #expect(cycles.count == samples.count)
  for (c, n) in zip(cycles, try #require(report.invokeInstructions)) {
    #expect(c >= n && Double(c) < 3 * Double(n), "cycles \(c), instructions \(n)")
  }
  for op in ops {
    let c = try #require(op.cycles, "\(op.op) #\(op.index)")
    #expect(c >= op.instructions, "\(op.op) #\(op.index): \(c) cycles, \(op.instructions)")
    #expect(op.mix?.instructions == op.instructions, "\(op.op) #\(op.index)")
  }
  let convMix = try #require(ops[0].mix)
  #expect(convMix.mul >= 117_600 && convMix.load >= 2 * 117_600 && convMix.taken > 0)
}

@Test(needsFirmwareTools) func optimizedKernelsInTheFirmwareComputeTheReferenceOutputs() throws {
  // The host's expected outputs come from the reference kernels; the firmware runs the optimized
  // ones (packed filters in flash), so equality checks them against the spec on the CPU.
  let toolchain = try requireToolchain()
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let images = Array(samples.prefix(2))
  let job = FirmwareJob(
    model: lenet5, inputs: .images(images), board: .an386, directory: dir, kernels: .portable,
    run: true, toolchain: toolchain)
  let report = try job.perform()
  #expect(report.problem == nil, "\(report.problem ?? "")")
  #expect(report.kernels == "optimized")
  #expect(report.identical == true)
  for (image, result) in zip(images, report.images) {
    #expect(result.firmware == (try hostOutput(image)), "\(image)")
  }
  // The packed filters are constants the host prepared, in flash; RAM keeps the records and
  // the tensors.
  let m = report.footprint
  #expect(try #require(m.arenaUsed) <= m.arenaBytes)
  #expect(m.constantBytes > 48_000)
  #expect(m.arenaBytes < 12_000)
}

@Test(needsFirmwareTools) func firmwareFitsTheMicrobitAndComputesTheHostsOutputs() throws {
  let toolchain = try requireToolchain()
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let images = Array(samples.prefix(2))
  let job = FirmwareJob(
    model: lenet5, inputs: .images(images), board: .microbit, directory: dir, run: true,
    toolchain: toolchain)
  let report = try job.perform()
  #expect(report.problem == nil, "\(report.problem ?? "")")
  #expect(report.identical == true)
  for (image, result) in zip(images, report.images) {
    #expect(result.firmware == (try hostOutput(image)), "\(image)")
  }
  #expect(report.footprint.flash <= 256 * 1024)
  #expect(report.footprint.ram <= 16 * 1024)
}

@Test(needsFirmwareTools) func optimizedDepthwiseOnTheMicrobitReadsTheHostsConstants() throws {
  // The micro:bit's build leaves the vector DEPTHWISE_CONV_2D out (flash) and runs the reference
  // one, but the constants the host prepared for the optimized set still hold its packed
  // weights: the M0's prepare must find them where the host put them (it once refused them as
  // preparedConstantsMismatch), and compute TFLM's outputs.
  let toolchain = try requireToolchain()
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let golden = root.appendingPathComponent("Tests/RuntimeTests/Golden/dw_3x3_m2_valid")
  let job = FirmwareJob(
    model: golden.appendingPathComponent("model.tflite").path,
    inputs: .array(path: golden.appendingPathComponent("input_0.npy").path, limit: 1),
    board: .microbit, directory: dir, kernels: .portable, run: true, toolchain: toolchain)
  let report = try job.perform()
  #expect(report.problem == nil, "\(report.problem ?? "")")
  #expect(report.identical == true)
  #expect(report.images.first?.firmware == (try tflmFirstOutput(golden)))
}

@Test(needsFirmwareTools) func firmwareRunsANonImageModelOnTheRowsOfANPYArray() throws {
  // A dense layer on a [1, 3, 5] input (keep_num_dims): no image, no classifier. The rows of
  // its golden input array go in; what comes out must be TFLM's, row for row.
  let toolchain = try requireToolchain()
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let golden = root.appendingPathComponent("Tests/RuntimeTests/Golden/fc_keep_dims_3d")
  let input = golden.appendingPathComponent("input_0.npy").path
  let job = FirmwareJob(
    model: golden.appendingPathComponent("model.tflite").path,
    inputs: .array(path: input, limit: 3), board: .an386, directory: dir, run: true,
    count: true, toolchain: toolchain)
  let report = try job.perform()
  #expect(report.problem == nil, "\(report.problem ?? "")")
  #expect(report.identical == true)
  #expect(report.images.map(\.image) == ["input_0.npy[0]", "input_0.npy[1]", "input_0.npy[2]"])
  let tflm = try NPYArray.read(golden.appendingPathComponent("output_0.npy").path)
  let row = tflm.data.count / tflm.shape[0]
  for (k, result) in report.images.enumerated() {
    let want = tflm.data[k * row..<(k + 1) * row].map { Int8(bitPattern: $0) }
    #expect(result.firmware == want, "row \(k)")
  }
  #expect(try #require(report.operators).map(\.op) == ["FULLY_CONNECTED"])
}

@Test(needsFirmwareTools) func firmwareNPYInputMustFitTheModel() throws {
  // The array's dtype and shape are checked on the host, before any build.
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let golden = root.appendingPathComponent("Tests/RuntimeTests/Golden/fc_keep_dims_3d")
  let wrong = dir.appendingPathComponent("wrong.npy").path
  try NPYArray(int8s: [Int8](repeating: 0, count: 8), shape: [2, 4]).write(to: wrong)
  let job = FirmwareJob(
    model: golden.appendingPathComponent("model.tflite").path,
    inputs: .array(path: wrong, limit: nil), board: .an386, directory: dir, run: false,
    toolchain: try requireToolchain())
  let error = #expect(throws: InputError.self) { try job.perform() }
  #expect(error?.file == wrong, "\(String(describing: error))")
}

@Test func missingQEMUIsAnErrorSayingWhatToInstall() throws {
  // A search path with the build tools but no qemu-system-arm.
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let everything = try FirmwareToolchain(root: root)
  for tool in ["swiftc", "arm-none-eabi-gcc", "arm-none-eabi-size"] {
    if let path = everything.find(tool) {
      try FileManager.default.createSymbolicLink(
        atPath: dir.appendingPathComponent(tool).path, withDestinationPath: path)
    }
  }
  let toolchain = try FirmwareToolchain(root: root, path: dir.path)
  #expect(throws: Never.self) { try toolchain.checkTools(running: false) }
  let error = #expect(throws: InputError.self) { try toolchain.checkTools(running: true) }
  #expect(error?.file == "qemu-system-arm")
  #expect(error?.cause.contains("scripts/setup.sh") == true, "\(String(describing: error))")

  let bare = try FirmwareToolchain(root: root, path: "/nonexistent")
  let noSwift = #expect(throws: InputError.self) { try bare.checkTools(running: false) }
  #expect(noSwift?.file == "swiftc")
}

@Test func firmwareOutputLinesParse() {
  let text = """
    tinycnn firmware: 72728 model bytes, 8 operators, 2 inputs
    arena: 8656 of 9424 bytes (plan 2768, tensors 5888)
    op 0 CONV_2D
    op 1 MAX_POOL_2D
    output 0: -31 -66 127
    top 0: 2
    match 0: yes
    output 1: -128 0 5
    top 1: 2
    match 1: NO
    stack: 5588 of 8192 bytes
    error: arenaTooSmall 9000 8000
    """
  let out = FirmwareOutput.parse(text)
  #expect(out.operators == ["CONV_2D", "MAX_POOL_2D"])
  #expect(out.outputs == [0: [-31, -66, 127], 1: [-128, 0, 5]])
  #expect(out.tops == [0: 2, 1: 2])
  #expect(out.matches == [0: true, 1: false])
  #expect(out.arenaNeeded == 8656 && out.arenaAvailable == 9424)
  #expect(out.planBytes == 2768 && out.tensorBytes == 5888)
  #expect(out.stackUsed == 5588 && out.stackSize == 8192)
  #expect(out.errors == ["arenaTooSmall 9000 8000"])
}

@Test func instructionCountsTakeOffTheMarkersAndNeedEveryRegion() {
  // Two images, two operators: the empty region, then per image invoke + each operator.
  let log = """
    insncount op 0 3
    insncount invoke 0 1003
    insncount op 1 703
    insncount op 2 293
    insncount invoke 1 1005
    insncount op 3 704
    insncount op 4 293
    insncount total 99999
    """
  let counts = InstructionCounts.parse(log, operatorCount: 2, imageCount: 2)
  #expect(counts?.markerCost == 3)
  #expect(counts?.invoke == [1000, 1002])
  #expect(counts?.perOperator == [[700, 290], [701, 290]])
  #expect(counts?.total == 99999)
  // A run cut short (no total, a missing region) is no count at all.
  #expect(InstructionCounts.parse(log, operatorCount: 3, imageCount: 2) == nil)
  let cut = log.split(separator: "\n").dropLast().joined(separator: "\n")
  #expect(InstructionCounts.parse(cut, operatorCount: 2, imageCount: 2) == nil)
}

@Test func instructionMixesParseAndLoseTheMarkersCost() throws {
  let classes = { (alu: Int, load: Int, taken: Int) in
    "alu=\(alu) mul=0 div=0 load=\(load) store=0 ldrd=0 multiple=0 branch=1 call=1 fp=0 "
      + "fpdiv=0 pipelined=0 taken=\(taken) regs=0"
  }
  let log = """
    insncount op 0 2 \(classes(0, 0, 2))
    insncount invoke 0 12 \(classes(8, 2, 3))
    insncount op 1 12 \(classes(8, 2, 3))
    insncount total 100
    """
  let counts = try #require(InstructionCounts.parse(log, operatorCount: 1, imageCount: 1))
  #expect(counts.invoke == [10])
  let mix = try #require(counts.invokeMix?.first)
  #expect(mix.alu == 8 && mix.load == 2 && mix.branch == 0 && mix.call == 0 && mix.taken == 1)
  #expect(mix.instructions == 10)
  #expect(counts.perOperatorMix?.first?.first == mix)
  // Without the classes (an older plugin) the counts stand alone.
  let plain = InstructionCounts.parse(
    "insncount op 0 2\ninsncount invoke 0 12\ninsncount op 1 12\ninsncount total 100",
    operatorCount: 1, imageCount: 1)
  #expect(plain?.invoke == [10] && plain?.invokeMix == nil)
}

@Test func cycleTablesWeighTheReferenceConvolutionLoop() throws {
  // The reference CONV_2D's inner loop as built for the M4 (firmware/README.md): three
  // overflow-checked adds (adds + bvs), two byte loads (the second pipelined), add, cmp, add,
  // MLA, and the loop's taken bne: 13 instructions.
  var loop = InstructionMix()
  (loop.alu, loop.mul, loop.load, loop.pipelined, loop.branch, loop.taken) = (6, 1, 2, 1, 4, 1)
  #expect(loop.instructions == 13)
  // M4: 6 + 1 (MLA) + 2 + 1 (loads) + 4 (branches) + 2 (refill of the taken one).
  #expect(CoreTiming.m4.cycles(loop) == 16)
  // M0+: loads 2 each, the taken branch 1 more; M0: 2 more.
  #expect(CoreTiming.m0plus.cycles(loop) == 6 + 1 + 4 + 4 + 1)
  #expect(CoreTiming.m0.cycles(loop) == 6 + 1 + 4 + 4 + 2)
  // M7: 13 pairable instructions in 6.5 cycles, + 1 for the predicted taken branch.
  #expect(CoreTiming.m7.cycles(loop) == 8)
  for core in CoreTiming.all where core.issueWidth == 1 {
    #expect(core.cycles(loop) >= loop.instructions, "\(core.name)")
  }
  // Dual issue, but one MAC pipe: a run of multiplies costs a cycle each.
  var macs = InstructionMix()
  macs.mul = 100
  #expect(CoreTiming.m7.cycles(macs) == 100)
}

@Test func footprintReadsBerkeleySize() {
  let output = """
       text	   data	    bss	    dec	    hex	filename
     145740	      4	  17620	 163364	  27e24	fw.elf
    """
  let f = Footprint.parse(output)
  #expect(f == Footprint(text: 145_740, data: 4, bss: 17_620))
  #expect(f?.flash == 145_744 && f?.ram == 17_624)
}

@Test func generatedSourcesEmbedEveryByte() {
  let sources = FirmwareSources(
    model: [0x1c, 0x00, 0xff], modelName: "m.tflite",
    images: [("a.png", [0x80, 0x7f], [0x01]), ("b\n*/.png", [0x00, 0xfe], [0xff])],
    plan: FirmwarePlan(constants: [0x54, 0x43, 0x4e, 0x4b, 0x07], arenaBytes: 4096))
  #expect(sources.header.contains("#define TINYCNN_MODEL_BYTES 3\n"))
  #expect(sources.header.contains("#define TINYCNN_IMAGE_COUNT 2\n"))
  #expect(sources.header.contains("#define TINYCNN_ARENA_BYTES 4096\n"))
  #expect(sources.source.contains("    0x1c, 0x00, 0xff,\n"))
  #expect(sources.source.contains("    -128, 127,\n"))  // int8 inputs
  #expect(sources.source.contains("  {-1},  // b?*/.png\n"))  // a line comment, one line
  #expect(sources.header.contains("#define TINYCNN_CONSTANTS_BYTES 5\n"))
  #expect(sources.source.contains("    0x54, 0x43, 0x4e, 0x4b, 0x07,\n"))
  #expect(
    sources.source.contains(
      "static const uint8_t constants[TINYCNN_CONSTANTS_BYTES] __attribute__((aligned(16)))"))
  #expect(sources.flashBytes == 3 + 5 + 2 * 3)
}

/// The converter-made suite models (Tests/RuntimeTests/Golden/suite_*) the DSP set is measured on.
private let dspSuite = [
  "resnet8", "ds_cnn", "mobilenet_v1_025", "dense_autoencoder", "wakeword_1d",
]

@Test(needsFirmwareTools, arguments: dspSuite)
func dspKernelsInTheFirmwareComputeTFLMsOutputs(model: String) throws {
  // The DSP set's assembly loops (firmware/dsp) run only on the emulated M4; its outputs must be
  // TFLM's golden ones for the suite's models, byte for byte.
  let toolchain = try requireToolchain()
  let dir = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: dir) }
  let golden = root.appendingPathComponent("Tests/RuntimeTests/Golden/suite_\(model)")
  let job = FirmwareJob(
    model: golden.appendingPathComponent("model.tflite").path,
    inputs: .array(path: golden.appendingPathComponent("input_0.npy").path, limit: 1),
    board: .an386, directory: dir, optimization: .speed, kernels: .dsp, run: true,
    toolchain: toolchain)
  let report = try job.perform()
  #expect(report.problem == nil, "\(report.problem ?? "")")
  #expect(report.kernels == "dsp")
  #expect(report.identical == true)
  #expect(report.images.first?.firmware == (try tflmFirstOutput(golden)), "\(model)")
}

/// TFLM's output for the first row of a golden case's input_0.npy (its output_0.npy).
private func tflmFirstOutput(_ golden: URL) throws -> [Int8] {
  let tflm = try NPYArray.read(golden.appendingPathComponent("output_0.npy").path)
  let row = tflm.data.count / tflm.shape[0]
  return tflm.data[0..<row].map { Int8(bitPattern: $0) }
}
