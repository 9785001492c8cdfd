import Estimator
import Foundation

/// The text form of `tinycnn estimate`'s results, in the CLI's shared `TextTable`.
enum EstimateReport {
  static func text(_ e: Estimator.Estimate) -> String {
    var table = TextTable([
      .left("layer"), .left("operator"), .left("output"), .right("MACs"), .right("params"),
      .right("cycles"), .right("ms"), .right("share"),
    ])
    let total = e.totalCycles
    for l in e.layers {
      let op = l.layer.opName + (l.layer.fusedActivation.map { "+\($0)" } ?? "")
      table.add([
        l.layer.name, op, l.layer.outputShape.map(String.init).joined(separator: "x"),
        Format.grouped(l.layer.macs), Format.grouped(l.layer.parameters),
        Format.grouped(l.cycles), Format.fixed(e.milliseconds(l), 3),
        "\(Format.fixed(100 * l.cycles / total, 1))%",
      ])
    }
    table.addSeparator()
    table.add([
      "total", "", "", Format.grouped(e.totalMACs), Format.grouped(e.totalParameters),
      Format.grouped(total), Format.fixed(e.milliseconds, 3), "100.0%",
    ])
    let t = e.target
    return """
      \(e.model) on \(t.name) (\(t.part), \(t.core) at \(formatNumber(t.clockMHz)) MHz), \
      \(e.library.rawValue) kernels

      \(table.rendered())

      \(e.latencyLine)
      \(e.verdicts.map(\.line).joined(separator: "\n"))
      """
  }

  static func targets(_ targets: [Target]) -> String {
    var table = TextTable([
      .left("target"), .left("part"), .left("core"), .right("MHz"), .right("flash"),
      .right("SRAM"),
    ])
    for t in targets {
      table.add([
        t.name, t.generic ? "(generic) \(t.part)" : t.part, t.core, formatNumber(t.clockMHz),
        formatBytes(t.flashBytes), formatBytes(t.sramBytes),
      ])
    }
    return table.rendered()
  }

  static func comparison(
    _ work: ModelWork, library: KernelLibrary, _ results: [(Target, Estimator.Estimate?)]
  ) -> String {
    var table = TextTable([
      .left("target"), .left("core"), .right("MHz"), .right("latency"), .right("flash used"),
      .right("flash"), .right("SRAM used"), .right("SRAM"), .left("fits"),
    ])
    for (t, e) in results {
      guard let e else {
        table.add([
          t.name, t.core, formatNumber(t.clockMHz), "no \(library.rawValue) kernels", "", "", "",
          "", "",
        ])
        continue
      }
      let v = e.verdicts
      let fits =
        v.allSatisfy(\.fits)
        ? "yes" : "no: " + v.filter { !$0.fits }.map(\.resource).joined(separator: ", ")
      table.add([
        t.name, t.core, formatNumber(t.clockMHz), formatMilliseconds(e.milliseconds),
        formatBytes(e.memory.flashBytes), formatBytes(t.flashBytes),
        formatBytes(e.memory.sramBytes), formatBytes(t.sramBytes), fits,
      ])
    }
    return """
      \(work.name): \(Format.grouped(work.totalMACs)) MACs, \
      \(Format.grouped(work.totalParameters)) parameters, \(library.rawValue) kernels

      \(table.rendered())
      """
  }
}

/// The `--json` form of `tinycnn estimate`'s results, printed with the CLI's `printJSON`.
enum EstimateJSON {
  struct TargetInfo: Encodable {
    var name, part, core: String
    var clockMHz: Double
    var flashBytes, sramBytes: Int
    var generic: Bool

    init(_ t: Target) {
      (name, part, core, clockMHz) = (t.name, t.part, t.core, t.clockMHz)
      (flashBytes, sramBytes, generic) = (t.flashBytes, t.sramBytes, t.generic)
    }

    enum CodingKeys: String, CodingKey {
      case name, part, core, generic
      case clockMHz = "clock_mhz"
      case flashBytes = "flash_bytes"
      case sramBytes = "sram_bytes"
    }
  }

  struct Layer: Encodable {
    var name, op: String
    var fusedActivation: String?
    var outputShape: [Int]
    var macs, parameters, cycles, flashStallCycles, scratchBytes: Int
    var milliseconds, share: Double

    enum CodingKeys: String, CodingKey {
      case name, macs, parameters, cycles, milliseconds, share
      case op = "operator"
      case fusedActivation = "fused_activation"
      case outputShape = "output_shape"
      case flashStallCycles = "flash_stall_cycles"
      case scratchBytes = "scratch_bytes"
    }

    // `fused_activation` is null when there is none, not left out: the key is always there.
    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(name, forKey: .name)
      try c.encode(op, forKey: .op)
      try c.encode(fusedActivation, forKey: .fusedActivation)
      try c.encode(outputShape, forKey: .outputShape)
      try c.encode(macs, forKey: .macs)
      try c.encode(parameters, forKey: .parameters)
      try c.encode(cycles, forKey: .cycles)
      try c.encode(flashStallCycles, forKey: .flashStallCycles)
      try c.encode(milliseconds, forKey: .milliseconds)
      try c.encode(share, forKey: .share)
      try c.encode(scratchBytes, forKey: .scratchBytes)
    }
  }

  struct Total: Encodable {
    var macs, parameters, cycles: Int
    var milliseconds: Double
  }

  struct Flash: Encodable {
    var bytes, limit, weights, biases, quantization, structure, code: Int
    var fits: Bool
  }

  struct SRAM: Encodable {
    var bytes, limit, arena, activations, scratch, kernelState, stack, input, output: Int
    var arenaFromRuntimePlanner, fits: Bool

    enum CodingKeys: String, CodingKey {
      case bytes, limit, arena, activations, scratch, stack, input, output, fits
      case kernelState = "kernel_state"
      case arenaFromRuntimePlanner = "arena_from_runtime_planner"
    }
  }

  struct Result: Encodable {
    var model: String
    var target: TargetInfo
    var kernels: String
    var layers: [Layer]
    var total: Total
    var flash: Flash
    var sram: SRAM
    var verdicts: [String]

    init(_ e: Estimator.Estimate) {
      let m = e.memory
      model = e.model
      target = TargetInfo(e.target)
      kernels = e.library.rawValue
      layers = e.layers.map { l in
        Layer(
          name: l.layer.name, op: l.layer.opName, fusedActivation: l.layer.fusedActivation,
          outputShape: l.layer.outputShape, macs: l.layer.macs, parameters: l.layer.parameters,
          cycles: Format.clampedInt(l.cycles),
          flashStallCycles: Format.clampedInt(l.flashStallCycles),
          scratchBytes: l.scratchBytes, milliseconds: e.milliseconds(l),
          share: l.cycles / e.totalCycles)
      }
      total = Total(
        macs: e.totalMACs, parameters: e.totalParameters, cycles: Format.clampedInt(e.totalCycles),
        milliseconds: e.milliseconds)
      flash = Flash(
        bytes: m.flashBytes, limit: e.target.flashBytes, weights: m.weightBytes,
        biases: m.biasBytes, quantization: m.quantizationBytes, structure: m.structureBytes,
        code: m.codeBytes, fits: m.flashBytes <= e.target.flashBytes)
      sram = SRAM(
        bytes: m.sramBytes, limit: e.target.sramBytes, arena: m.arenaBytes,
        activations: m.activationArenaBytes, scratch: m.scratchBytes,
        kernelState: m.persistentBytes, stack: m.stackBytes, input: m.inputBytes,
        output: m.outputBytes, arenaFromRuntimePlanner: m.arenaFromRuntime,
        fits: m.sramBytes <= e.target.sramBytes)
      verdicts = e.verdicts.map(\.line)
    }
  }

  struct Targets: Encodable { var targets: [TargetInfo] }

  /// `--target all`: one entry per target, an estimate or why there is none.
  struct Comparison: Encodable {
    var model, kernels: String
    var targets: [Entry]

    enum Entry: Encodable {
      case estimate(Result)
      case missing(target: String, error: String)

      func encode(to encoder: any Encoder) throws {
        switch self {
        case .estimate(let r): try r.encode(to: encoder)
        case .missing(let target, let error):
          try ["target": target, "error": error].encode(to: encoder)
        }
      }
    }
  }
}
