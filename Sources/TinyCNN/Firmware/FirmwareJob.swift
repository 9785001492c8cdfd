import Estimator
import Foundation
import Runtime

/// One `tinycnn firmware` job: the host interpreter's outputs for each image, the generated
/// sources, the build, and (if asked) the run under QEMU with its outputs compared byte for
/// byte and its instructions counted.
struct FirmwareJob {
  var model: String
  var images: [String]
  var board: FirmwareBoard
  var directory: URL
  var optimization: FirmwareOptimization = .size
  /// The Runtime's kernels in the firmware; the host's outputs always come from the reference
  /// kernels, so an optimized firmware is checked against the spec.
  var kernels: KernelSet = .reference
  /// Run under QEMU and compare; `count` implies it.
  var run = true
  var count = false
  var toolchain: FirmwareToolchain
  /// Progress notes ("building ..."), for stderr.
  var note: (String) -> Void = { _ in }

  func perform() throws -> FirmwareReport {
    let running = run || count
    try toolchain.checkTools(running: running)
    let (sources, hostTops) = try hostResults()
    try sources.write(to: directory)
    let build = FirmwareBuild(
      toolchain: toolchain, board: board, directory: directory, optimization: optimization)

    note(
      "building the \(board.rawValue) firmware (\(board.cpu), \(optimization.flag), "
        + "\(FirmwareReport.name(kernels)) kernels)")
    var start = Date()
    let footprint = try build.build()
    var report = FirmwareReport(
      model: model, board: board, optimization: optimization, kernels: kernels,
      elf: build.elf.path,
      footprint: footprint, sources: sources,
      buildSeconds: Date().timeIntervalSince(start))
    report.images = zip(images, zip(sources.images, hostTops)).map { name, pair in
      FirmwareReport.ImageResult(
        image: name, host: pair.0.expected.map { Int8(bitPattern: $0) },
        hostTop: pair.1)
    }
    guard running else { return report }

    note("running it under qemu-system-arm -M \(board.machine)" + (count ? ", counting" : ""))
    start = Date()
    let result = try build.run(counting: count)
    report.runSeconds = Date().timeIntervalSince(start)
    report.exitStatus = result.status
    let printed = FirmwareOutput.parse(result.output)
    report.record(printed)
    report.problem = FirmwareJob.problem(result.status, printed, result.qemuErrors, build)
    if count {
      let session = try ModelSession(path: model)
      let operatorCount = session.model.operatorCount
      guard
        let log = result.log,
        let counts = InstructionCounts.parse(
          log, operatorCount: operatorCount, imageCount: images.count)
      else {
        if report.problem == nil {
          report.problem =
            "the instruction-count plugin logged no complete count (see "
            + directory.appendingPathComponent("insncount.log").path + ")"
        }
        return report
      }
      report.record(counts, operators: try operatorNames(session), macs: macsPerOperator())
    }
    return report
  }

  /// The int8 input of every image (the `infer` conversion) and the host interpreter's output
  /// for it, plus the host's top class.
  private func hostResults() throws -> (FirmwareSources, [Int]) {
    let session = try ModelSession(path: model)
    let classifier = try Classifier(session: session, labels: nil)
    let interpreter = session.interpreter
    let file = session.file
    guard interpreter.inputCount == 1, interpreter.outputCount == 1,
      classifier.input.type == .int8, classifier.output.type == .int8
    else {
      throw InputError(
        model, "the firmware runs models with one int8 input and one int8 output")
    }
    var embedded: [(name: String, input: [UInt8], expected: [UInt8])] = []
    var tops: [Int] = []
    for image in images {
      let input = try classifier.inputBytes(image)
      let slot = try rethrowing(file) { () throws(RuntimeError) in try interpreter.input(0).bytes }
      slot.copyBytes(from: input)
      try rethrowing(file) { () throws(RuntimeError) in try interpreter.invoke() }
      let output = try rethrowing(file) { () throws(RuntimeError) in
        try interpreter.output(0).bytes
      }
      let values = Array(output)
      embedded.append((image, input, values))
      tops.append(FirmwareReport.argmax(values.map { Int8(bitPattern: $0) }))
    }
    // The optimized kernels keep packed filters in the arena: size it for the kernels used, as
    // the Cortex-M build packs them (no vpdpbusd layout, whatever this host has).
    let arena = try rethrowing(file) { () throws(RuntimeError) in
      let scratch = UnsafeMutableRawBufferPointer.allocate(
        byteCount: try Interpreter.planningBytes(
          for: session.model, kernels: kernels, packing: .portable),
        alignment: arenaAlignment)
      defer { scratch.deallocate() }
      return try Interpreter.requirements(
        for: session.model, scratch: scratch, kernels: kernels, packing: .portable
      ).totalBytes
    }
    let sources = FirmwareSources(
      model: Array(session.model.bytes), modelName: model, images: embedded, arenaBytes: arena,
      optimizedKernels: kernels == .optimized)
    return (sources, tops)
  }

  private func operatorNames(_ session: ModelSession) throws -> [String] {
    try (0..<session.model.operatorCount).map { i in
      let code = try rethrowing(session.file) { () throws(RuntimeError) in
        try session.model.operation(at: i).builtinCode
      }
      return builtinOperatorName(code).description
    }
  }

  /// The estimator's multiply-accumulates per operator (nil where it lowered the model
  /// differently from one layer per operator).
  private func macsPerOperator() -> [Int]? {
    guard let work = try? ModelWork(tfliteAt: model) else { return nil }
    return work.layers.map(\.macs)
  }

  /// Why a run failed, in one line, or nil when it passed.
  static func problem(
    _ status: Int32, _ printed: FirmwareOutput, _ qemuErrors: String, _ build: FirmwareBuild
  ) -> String? {
    let firmwareError = printed.errors.first.map { ": \($0)" } ?? ""
    switch status {
    case 0:
      if let used = printed.stackUsed, let size = printed.stackSize, used >= size {
        return "the firmware used all \(size) bytes of its stack"
      }
      return nil
    case 1: return "the firmware stopped on a runtime error" + firmwareError
    case 2: return "the firmware's outputs differ from the host's" + firmwareError
    case 99: return "the firmware stopped on a CPU fault"
    case 124: return "the firmware did not finish in time (TINYCNN_QEMU_TIMEOUT seconds)"
    default:
      if qemuErrors.contains("Lockup") {
        return "the CPU locked up (most likely a stack overflow: the stack is at the bottom of RAM)"
      }
      let detail = qemuErrors.split(separator: "\n").first.map { ": \($0)" } ?? ""
      return "qemu-system-arm exited with status \(status)\(detail)"
    }
  }
}
