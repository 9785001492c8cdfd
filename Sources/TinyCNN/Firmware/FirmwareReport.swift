import Foundation
import Runtime

/// What `tinycnn firmware` found: footprint, the firmware's outputs beside the host's, and the
/// instruction counts. The JSON of `--json`; `text` is the table.
struct FirmwareReport: Encodable {
  struct Difference: Encodable, Equatable {
    var index: Int
    var firmware: Int8
    var host: Int8
  }
  struct ImageResult: Encodable {
    var image: String
    var host: [Int8]
    var hostTop: Int
    /// What the firmware printed; nil until it ran (or if it printed nothing for this image).
    var firmware: [Int8]? = nil
    var firmwareTop: Int? = nil
    /// Whether the firmware's output equals the host's, byte for byte (nil: not run).
    var identical: Bool? = nil
    /// The first few elements that differ.
    var differences: [Difference] = []
  }
  struct OperatorCount: Encodable {
    var index: Int
    var op: String
    var macs: Int?
    /// Instructions of the first image's run of this operator (the markers' cost taken off).
    var instructions: Int
    var instructionsPerMAC: Double?
    /// Whether every image needed the same count (the int8 kernels are data-independent
    /// except for the clamps and the pooling maxima).
    var sameForEveryImage: Bool
    /// Estimated cycles of the first image's run on `cycleModel`'s core (`CoreTiming`).
    var cycles: Int? = nil
    var cyclesPerMAC: Double? = nil
    /// The first image's instructions by timing class.
    var mix: InstructionMix? = nil
  }
  struct Memory: Encodable {
    var text: Int
    var data: Int
    var bss: Int
    var flash: Int
    var ram: Int
    var boardFlash: Int
    var boardRAM: Int
    var modelBytes: Int
    /// What the host prepared for the interpreter (multipliers, shifts, packed filters), in flash.
    var constantBytes: Int
    /// The embedded inputs and expected outputs.
    var embeddedDataBytes: Int
    /// Flash less the model, the prepared constants and the embedded data: code and its
    /// constants.
    var codeBytes: Int
    /// The static arena: operator records (the host's, an upper bound of the firmware's) and
    /// tensors.
    var arenaBytes: Int
    /// What the firmware's own plan needs of it (32-bit records), once run.
    var arenaUsed: Int? = nil
    var stackBytes: Int? = nil
    var stackUsed: Int? = nil
  }

  var model: String
  var board: String
  var machine: String
  var cpu: String
  var optimization: String
  /// "reference" or "optimized": the Runtime's kernels in the firmware.
  var kernels: String
  var elf: String
  var footprint: Memory
  var images: [ImageResult] = []
  var exitStatus: Int32? = nil
  /// Whether every image's firmware output equals the host's (nil: not run).
  var identical: Bool? = nil
  /// Why the run failed, if it did.
  var problem: String? = nil
  var operators: [OperatorCount]? = nil
  /// One whole `invoke` per image.
  var invokeInstructions: [Int]? = nil
  /// Estimated cycles of each image's `invoke`, from its instruction mix and `cycleModel`.
  var invokeCycles: [Int]? = nil
  /// The core whose cycle table made the estimates, and the table's source.
  var cycleModel: String? = nil
  var cycleModelSource: String? = nil
  /// Every instruction QEMU ran, start-up and printing included.
  var totalInstructions: Int? = nil
  var buildSeconds: Double
  var runSeconds: Double? = nil

  init(
    model: String, board: FirmwareBoard, optimization: FirmwareOptimization, kernels: KernelSet,
    elf: String, footprint: Footprint, sources: FirmwareSources, buildSeconds: Double
  ) {
    self.model = model
    self.board = board.rawValue
    machine = board.machine
    cpu = board.cpu
    self.optimization = optimization.flag
    self.kernels = FirmwareReport.name(kernels)
    self.elf = elf
    self.footprint = Memory(
      text: footprint.text, data: footprint.data, bss: footprint.bss, flash: footprint.flash,
      ram: footprint.ram, boardFlash: board.flashBytes, boardRAM: board.ramBytes,
      modelBytes: sources.model.count, constantBytes: sources.plan.constants.count,
      embeddedDataBytes: sources.flashBytes - sources.model.count - sources.plan.constants.count,
      codeBytes: footprint.flash - sources.flashBytes, arenaBytes: sources.arenaBytes)
    self.buildSeconds = buildSeconds
  }

  /// Takes in what the firmware printed and compares it with the host's outputs.
  mutating func record(_ printed: FirmwareOutput) {
    footprint.arenaUsed = printed.arenaNeeded
    footprint.stackBytes = printed.stackSize
    footprint.stackUsed = printed.stackUsed
    for i in images.indices {
      let firmware = printed.outputs[i]
      images[i].firmware = firmware
      images[i].firmwareTop = printed.tops[i]
      let differences = FirmwareReport.differences(firmware ?? [], images[i].host)
      images[i].identical = firmware != nil && firmware == images[i].host
      images[i].differences = Array(differences.prefix(5))
    }
    identical = images.allSatisfy { $0.identical == true }
  }

  /// Takes in the instruction counts, with each operator's MACs where known, and the cycle
  /// estimates on `core` where the plugin classified the instructions.
  mutating func record(
    _ counts: InstructionCounts, operators names: [String], macs: [Int]?, core: CoreTiming
  ) {
    let usableMACs = macs?.count == names.count ? macs : nil
    let mixes = counts.perOperatorMix?.first
    operators = names.indices.map { i in
      let instructions = counts.perOperator[0][i]
      let m = usableMACs?[i]
      let perMAC = { (n: Int) in m.flatMap { $0 > 0 ? Double(n) / Double($0) : nil } }
      let cycles = mixes.map { core.cycles($0[i]) }
      return OperatorCount(
        index: i, op: names[i], macs: m, instructions: instructions,
        instructionsPerMAC: perMAC(instructions),
        sameForEveryImage: counts.perOperator.allSatisfy { $0[i] == instructions },
        cycles: cycles, cyclesPerMAC: cycles.flatMap(perMAC), mix: mixes?[i])
    }
    invokeInstructions = counts.invoke
    if let invokeMix = counts.invokeMix {
      invokeCycles = invokeMix.map(core.cycles)
      cycleModel = core.core
      cycleModelSource = core.source
    }
    totalInstructions = counts.total
  }

  /// Every element where `firmware` and `host` differ (a missing element counts as one).
  static func differences(_ firmware: [Int8], _ host: [Int8]) -> [Difference] {
    var out: [Difference] = []
    for i in 0..<max(firmware.count, host.count) {
      let f = i < firmware.count ? firmware[i] : nil
      let h = i < host.count ? host[i] : nil
      if f != h { out.append(Difference(index: i, firmware: f ?? 0, host: h ?? 0)) }
    }
    return out
  }

  static func name(_ kernels: KernelSet) -> String {
    switch kernels.id {
    case .reference: "reference"
    case .dsp: "dsp"
    default: "optimized"
    }
  }

  /// The first index of the largest value (the class a classifier picks).
  static func argmax(_ values: [Int8]) -> Int {
    var best = 0
    for (i, v) in values.enumerated() where v > values[best] { best = i }
    return best
  }

  var text: String {
    var lines: [String] = []
    let m = footprint
    lines.append("firmware  \(elf)  (\(machine), \(cpu), \(optimization), \(kernels) kernels)")
    lines.append(
      "flash     \(Format.grouped(m.flash)) B of \(Format.bytes(m.boardFlash)): code "
        + "\(Format.bytes(m.codeBytes)), model \(Format.bytes(m.modelBytes)), "
        + "prepared constants \(Format.bytes(m.constantBytes)), "
        + "\(images.count) inputs with their outputs \(Format.bytes(m.embeddedDataBytes))")
    var ram =
      "RAM       \(Format.grouped(m.ram)) B of \(Format.bytes(m.boardRAM)): arena "
      + "\(Format.grouped(m.arenaBytes)) B"
    if let used = m.arenaUsed { ram += " (the firmware's plan uses \(Format.grouped(used)))" }
    if let stack = m.stackBytes, let used = m.stackUsed {
      ram += ", stack \(Format.grouped(stack)) B (\(Format.grouped(used)) used)"
    }
    lines.append(ram)
    lines.append("")

    var table = TextTable([.left("input"), .right("host top"), .right("firmware top"), .left("")])
    for r in images {
      let verdict: String
      switch r.identical {
      case nil: verdict = "not run"
      case true?: verdict = "identical"
      case false?:
        verdict =
          r.firmware == nil
          ? "no output"
          : "differs: "
            + r.differences.map { "[\($0.index)] \($0.firmware) vs \($0.host)" }.joined(
              separator: ", ")
      }
      table.add([r.image, String(r.hostTop), r.firmwareTop.map(String.init) ?? "-", verdict])
    }
    lines.append(table.rendered())
    if let identical {
      lines.append(
        identical
          ? "identical: the firmware's int8 outputs equal the host interpreter's on "
            + (images.count == 1 ? "the input" : "all \(images.count) inputs") + ", byte for byte"
          : "DIFFERENT: the firmware's int8 outputs are not the host interpreter's")
    }
    if let problem { lines.append("problem: \(problem)") }

    if let operators, let invoke = invokeInstructions {
      lines.append("")
      let cycles = invokeCycles?.first
      var columns: [TextTable.Column] = [
        .right("op"), .left("operator"), .right("MACs"), .right("instructions"),
        .right("per MAC"),
      ]
      if cycles != nil { columns += [.right("est. cycles"), .right("per MAC")] }
      var ops = TextTable(columns)
      let fixed = { (v: Double?) in v.map { Format.fixed($0, 1) } ?? "-" }
      for o in operators {
        var row = [
          String(o.index), o.op, o.macs.map(Format.grouped) ?? "-",
          Format.grouped(o.instructions) + (o.sameForEveryImage ? "" : "*"),
          fixed(o.instructionsPerMAC),
        ]
        if cycles != nil { row += [o.cycles.map(Format.grouped) ?? "-", fixed(o.cyclesPerMAC)] }
        ops.add(row)
      }
      ops.addSeparator()
      let macs = operators.compactMap(\.macs).reduce(0, +)
      let first = invoke.first ?? 0
      let perMAC = { (n: Int) in macs > 0 ? Format.fixed(Double(n) / Double(macs), 1) : "-" }
      var total = ["", "invoke", Format.grouped(macs), Format.grouped(first), perMAC(first)]
      if let cycles { total += [Format.grouped(cycles), perMAC(cycles)] }
      ops.add(total)
      lines.append(ops.rendered())
      if let model = cycleModel, let source = cycleModelSource {
        lines.append(
          "est. cycles: \(model), from the executed instruction mix weighted with \(source); "
            + "zero wait states, no load-use stalls: an estimate, not a measurement")
      }
      if operators.contains(where: { !$0.sameForEveryImage }) {
        lines.append("* differs between inputs; the first input's count is shown")
      }
      if let lo = invoke.min(), let hi = invoke.max(), lo != hi {
        lines.append(
          "invoke: \(Format.grouped(lo)) to \(Format.grouped(hi)) instructions over the inputs")
      }
    }
    return lines.joined(separator: "\n")
  }
}
