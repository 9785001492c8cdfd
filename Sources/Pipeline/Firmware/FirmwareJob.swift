import Datasets
import Estimator
import Foundation
import Runtime

/// What the firmware runs the model on.
package enum FirmwareInputs {
  /// PNG images, converted to the input tensor as `tinycnn infer` converts them.
  case images([String])
  /// The rows of a NumPy array (the first axis is the batch, as `tinycnn run` reads it), taken
  /// as the input tensor's bytes: audio, sensor or dense models, any int8 input. `limit` keeps
  /// the first rows only (all of them are embedded in flash).
  case array(path: String, limit: Int?)
}

/// One `tinycnn firmware` job: the host interpreter's outputs for each input, the generated
/// sources, the build, and (if asked) the run under QEMU with its outputs compared byte for
/// byte and its instructions counted.
package struct FirmwareJob {
  package var model: String
  package var inputs: FirmwareInputs
  package var board: FirmwareBoard
  package var directory: URL
  package var optimization: FirmwareOptimization = .size
  /// The Runtime's kernels in the firmware; the host's outputs always come from the reference
  /// kernels, so an optimized firmware is checked against the spec.
  package var kernels: KernelSet = .reference
  /// Run under QEMU and compare; `count` implies it.
  package var run = true
  package var count = false
  /// The cycle table for `count`'s estimates (nil: the board's core).
  package var core: CoreTiming? = nil
  package var toolchain: FirmwareToolchain
  /// Progress notes ("building ..."), for stderr.
  package var note: (String) -> Void = { _ in }

  package init(
    model: String, inputs: FirmwareInputs, board: FirmwareBoard, directory: URL,
    optimization: FirmwareOptimization = .size, kernels: KernelSet = .reference, run: Bool = true,
    count: Bool = false, core: CoreTiming? = nil, toolchain: FirmwareToolchain,
    note: @escaping (String) -> Void = { _ in }
  ) {
    (self.model, self.inputs, self.board, self.directory) = (model, inputs, board, directory)
    (self.optimization, self.kernels, self.run, self.count) = (optimization, kernels, run, count)
    (self.core, self.toolchain, self.note) = (core, toolchain, note)
  }

  package func perform() throws -> FirmwareReport {
    let running = run || count
    let target = try toolchain.targets.row(board)
    try FirmwareTargets.check(kernels, runOn: target.cpu)
    try toolchain.checkTools(running: running)
    var (sources, hostTops) = try hostResults()
    let names = sources.images.map(\.name)
    let build = FirmwareBuild(
      toolchain: toolchain, board: board, directory: directory, optimization: optimization)

    note(
      "building the \(board.rawValue) firmware (\(target.core), \(optimization.flag), "
        + "\(FirmwareReport.name(kernels)) kernels)")
    var start = Date()
    let footprint: Footprint
    if running {
      // The host's records (64-bit pointers) only bound the firmware's: a first build stops
      // after its plan and says what it needs, and the arena gets exactly that.
      if let needed = try build.measureArena(sources) { sources.plan.arenaBytes = needed }
      try sources.write(to: directory)
      footprint = try build.build(relink: true)
    } else {
      try sources.write(to: directory)
      footprint = try build.build()
    }
    var report = FirmwareReport(
      model: model, board: target, optimization: optimization, kernels: kernels,
      elf: build.elf.path,
      footprint: footprint, sources: sources,
      buildSeconds: Date().timeIntervalSince(start))
    report.images = zip(names, zip(sources.images, hostTops)).map { name, pair in
      FirmwareReport.ImageResult(
        image: name, host: pair.0.expected.map { Int8(bitPattern: $0) },
        hostTop: pair.1)
    }
    guard running else { return report }

    note("running it under qemu-system-arm -M \(target.machine)" + (count ? ", counting" : ""))
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
          log, operatorCount: operatorCount, imageCount: names.count)
      else {
        if report.problem == nil {
          report.problem =
            "the instruction-count plugin logged no complete count (see "
            + directory.appendingPathComponent("insncount.log").path + ")"
        }
        return report
      }
      report.record(
        counts, operators: try operatorNames(session), macs: macsPerOperator(),
        core: core ?? board.defaultCore)
    }
    return report
  }

  /// The int8 input of every image or array row and the host interpreter's output for it, plus
  /// the host's top class.
  private func hostResults() throws -> (FirmwareSources, [Int]) {
    let session = try ModelSession(path: model)
    let interpreter = session.interpreter
    let file = session.file
    let (input, output) = try file.checked { () throws(RuntimeError) in
      (try interpreter.input(0).tensor, try interpreter.output(0).tensor)
    }
    guard interpreter.inputCount == 1, interpreter.outputCount == 1,
      input.type == .int8, output.type == .int8
    else {
      throw InputError(
        model, "the firmware runs models with one int8 input and one int8 output")
    }
    let named = try inputTensors(session)
    var embedded: [(name: String, input: [UInt8], expected: [UInt8])] = []
    var tops: [Int] = []
    for (name, bytes) in named {
      let slot = try file.checked { () throws(RuntimeError) in try interpreter.input(0).bytes }
      slot.copyBytes(from: bytes)
      try file.checked { () throws(RuntimeError) in try interpreter.invoke() }
      let result = try file.checked { () throws(RuntimeError) in
        try interpreter.output(0).bytes
      }
      let values = Array(result)
      embedded.append((name, bytes, values))
      tops.append(FirmwareReport.argmax(values.map { Int8(bitPattern: $0) }))
    }
    let sources = FirmwareSources(
      model: Array(session.model.bytes), modelName: model, images: embedded,
      plan: try FirmwarePlan.prepare(session, kernels: kernels),
      kernels: kernels)
    return (sources, tops)
  }

  /// Each input's name ("bag-0.png", "x.npy[3]") and its input tensor bytes.
  private func inputTensors(_ session: ModelSession) throws -> [(String, [UInt8])] {
    switch inputs {
    case .images(let images):
      let classifier = try Classifier(session: session, labels: nil)
      return try images.map { ($0, try classifier.input.bytes(ofPNG: $0)) }
    case .array(let path, let limit):
      let array: NPYArray
      do {
        array = try NPYArray.read(path)
      } catch {
        throw InputError(error.file, error.cause)
      }
      let rows = try BatchRunner(session: session).imageCount(array, file: path, input: 0)
      let size = array.data.count / max(rows, 1)
      let used = min(rows, limit ?? rows)
      guard used > 0 else { throw InputError(path, "no rows: the firmware needs at least one") }
      let name = URL(fileURLWithPath: path).lastPathComponent
      return (0..<used).map { k in
        ("\(name)[\(k)]", Array(array.data[k * size..<(k + 1) * size]))
      }
    }
  }

  private func operatorNames(_ session: ModelSession) throws -> [String] {
    try (0..<session.model.operatorCount).map { i in
      let code = try session.file.checked { () throws(RuntimeError) in
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
  package static func problem(
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
