import Foundation
import Runtime

/// What `tinycnn firmware` found: footprint, the firmware's outputs beside the host's, and the
/// instruction counts. The JSON of `--json`; the CLI renders it as a table
/// (Sources/TinyCNN/Commands/FirmwareReportText.swift).
package struct FirmwareReport: Encodable {
  package struct Difference: Encodable, Equatable {
    package var index: Int
    package var firmware: Int8
    package var host: Int8
  }
  package struct ImageResult: Encodable {
    package var image: String
    package var host: [Int8]
    package var hostTop: Int
    /// What the firmware printed; nil until it ran (or if it printed nothing for this image).
    package var firmware: [Int8]? = nil
    package var firmwareTop: Int? = nil
    /// Whether the firmware's output equals the host's, byte for byte (nil: not run).
    package var identical: Bool? = nil
    /// The first few elements that differ.
    package var differences: [Difference] = []
  }
  package struct OperatorCount: Encodable {
    package var index: Int
    package var op: String
    package var macs: Int?
    /// Instructions of the first image's run of this operator (the markers' cost taken off).
    package var instructions: Int
    package var instructionsPerMAC: Double?
    /// Whether every image needed the same count (the int8 kernels are data-independent
    /// except for the clamps and the pooling maxima).
    package var sameForEveryImage: Bool
    /// Estimated cycles of the first image's run on `cycleModel`'s core (`CoreTiming`).
    package var cycles: Int? = nil
    package var cyclesPerMAC: Double? = nil
    /// The first image's instructions by timing class.
    package var mix: InstructionMix? = nil
  }
  package struct Memory: Encodable {
    package var text: Int
    package var data: Int
    package var bss: Int
    package var flash: Int
    package var ram: Int
    package var boardFlash: Int
    package var boardRAM: Int
    package var modelBytes: Int
    /// What the host prepared for the interpreter (multipliers, shifts, packed filters), in flash.
    package var constantBytes: Int
    /// The embedded inputs and expected outputs.
    package var embeddedDataBytes: Int
    /// Flash less the model, the prepared constants and the embedded data: code and its
    /// constants.
    package var codeBytes: Int
    /// The static arena: operator records (the host's, an upper bound of the firmware's) and
    /// tensors.
    package var arenaBytes: Int
    /// What the firmware's own plan needs of it (32-bit records), once run.
    package var arenaUsed: Int? = nil
    package var stackBytes: Int? = nil
    package var stackUsed: Int? = nil
  }

  package var model: String
  package var board: String
  package var machine: String
  package var cpu: String
  package var optimization: String
  /// "reference" or "optimized": the Runtime's kernels in the firmware.
  package var kernels: String
  package var elf: String
  package var footprint: Memory
  package var images: [ImageResult] = []
  package var exitStatus: Int32? = nil
  /// Whether every image's firmware output equals the host's (nil: not run).
  package var identical: Bool? = nil
  /// Why the run failed, if it did.
  package var problem: String? = nil
  package var operators: [OperatorCount]? = nil
  /// One whole `invoke` per image.
  package var invokeInstructions: [Int]? = nil
  /// Estimated cycles of each image's `invoke`, from its instruction mix and `cycleModel`.
  package var invokeCycles: [Int]? = nil
  /// The core whose cycle table made the estimates, and the table's source.
  package var cycleModel: String? = nil
  package var cycleModelSource: String? = nil
  /// Every instruction QEMU ran, start-up and printing included.
  package var totalInstructions: Int? = nil
  package var buildSeconds: Double
  package var runSeconds: Double? = nil

  package init(
    model: String, board: FirmwareTargets.Board, optimization: FirmwareOptimization,
    kernels: KernelSet,
    elf: String, footprint: Footprint, sources: FirmwareSources, buildSeconds: Double
  ) {
    self.model = model
    self.board = board.name
    machine = board.machine
    cpu = board.core
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
  package mutating func record(_ printed: FirmwareOutput) {
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
  package mutating func record(
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
  package static func differences(_ firmware: [Int8], _ host: [Int8]) -> [Difference] {
    var out: [Difference] = []
    for i in 0..<max(firmware.count, host.count) {
      let f = i < firmware.count ? firmware[i] : nil
      let h = i < host.count ? host[i] : nil
      if f != h { out.append(Difference(index: i, firmware: f ?? 0, host: h ?? 0)) }
    }
    return out
  }

  package static func name(_ kernels: KernelSet) -> String {
    switch kernels.id {
    case .reference: "reference"
    case .dsp: "dsp"
    default: "optimized"
    }
  }

  /// The first index of the largest value (the class a classifier picks).
  package static func argmax(_ values: [Int8]) -> Int {
    var best = 0
    for (i, v) in values.enumerated() where v > values[best] { best = i }
    return best
  }
}
