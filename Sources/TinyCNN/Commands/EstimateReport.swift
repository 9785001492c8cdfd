import Estimator
import Foundation

/// The text and JSON forms of `tinycnn estimate`'s results.
enum EstimateReport {
  static func text(_ e: Estimator.Estimate) -> String {
    var rows = [["layer", "operator", "output", "MACs", "params", "cycles", "ms", "share"]]
    let total = e.totalCycles
    for l in e.layers {
      let op = l.layer.op.description + (l.layer.fusedActivation.map { "+\($0)" } ?? "")
      rows.append([
        l.layer.name, op, l.layer.outputShape.map(String.init).joined(separator: "x"),
        grouped(l.layer.macs), grouped(l.layer.parameters), grouped(Int(l.cycles.rounded())),
        fixed(e.milliseconds(l), 3), "\(fixed(100 * l.cycles / total, 1))%",
      ])
    }
    rows.append([
      "total", "", "", grouped(e.totalMACs), grouped(e.totalParameters),
      grouped(Int(total.rounded())), fixed(e.milliseconds, 3), "100.0%",
    ])
    let t = e.target
    return """
      \(e.model) on \(t.name) (\(t.part), \(t.core) at \(formatNumber(t.clockMHz)) MHz), \
      \(e.library.rawValue) kernels

      \(table(rows, rightAligned: [3, 4, 5, 6, 7], ruleBeforeLast: true))

      \(e.latencyLine)
      \(e.verdicts.map(\.line).joined(separator: "\n"))
      """
  }

  static func comparison(
    _ work: ModelWork, library: KernelLibrary, _ results: [(Target, Estimator.Estimate?)]
  ) -> String {
    var rows = [
      ["target", "core", "MHz", "latency", "flash used", "flash", "SRAM used", "SRAM", "fits"]
    ]
    for (t, e) in results {
      guard let e else {
        rows.append([
          t.name, t.core, formatNumber(t.clockMHz), "no \(library.rawValue) kernels", "", "", "",
          "", "",
        ])
        continue
      }
      let v = e.verdicts
      let fits =
        v.allSatisfy(\.fits)
        ? "yes" : "no: " + v.filter { !$0.fits }.map(\.resource).joined(separator: ", ")
      rows.append([
        t.name, t.core, formatNumber(t.clockMHz), formatMilliseconds(e.milliseconds),
        formatBytes(e.memory.flashBytes), formatBytes(t.flashBytes),
        formatBytes(e.memory.sramBytes), formatBytes(t.sramBytes), fits,
      ])
    }
    return """
      \(work.name): \(grouped(work.totalMACs)) MACs, \(grouped(work.totalParameters)) parameters, \
      \(library.rawValue) kernels

      \(table(rows, rightAligned: [2, 3, 4, 5, 6, 7]))
      """
  }

  /// Columns padded to their widest cell; numbers right-aligned.
  static func table(_ rows: [[String]], rightAligned: Set<Int>, ruleBeforeLast: Bool = false)
    -> String
  {
    let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
    func line(_ row: [String]) -> String {
      row.enumerated().map { c, cell in
        let pad = String(repeating: " ", count: widths[c] - cell.count)
        return rightAligned.contains(c) ? pad + cell : cell + pad
      }.joined(separator: "  ").replacing(/\s+$/, with: "")
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    var lines = [line(rows[0]), rule]
    for (i, row) in rows.dropFirst().enumerated() {
      if ruleBeforeLast && i == rows.count - 2 { lines.append(rule) }
      lines.append(line(row))
    }
    return lines.joined(separator: "\n")
  }

  /// 416520 -> "416,520".
  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
  }
}

/// Plain-value dictionaries for `--json`.
enum EstimateJSON {
  static func object(_ t: Target) -> [String: Any] {
    [
      "name": t.name, "part": t.part, "core": t.core, "clock_mhz": t.clockMHz,
      "flash_bytes": t.flashBytes, "sram_bytes": t.sramBytes, "generic": t.generic,
    ]
  }

  static func object(_ e: Estimator.Estimate) -> [String: Any] {
    let m = e.memory
    return [
      "model": e.model, "target": object(e.target), "kernels": e.library.rawValue,
      "layers": e.layers.map { l in
        [
          "name": l.layer.name, "operator": l.layer.op.description,
          "fused_activation": l.layer.fusedActivation ?? NSNull(),
          "output_shape": l.layer.outputShape, "macs": l.layer.macs,
          "parameters": l.layer.parameters, "cycles": l.cycles.rounded(),
          "flash_stall_cycles": l.flashStallCycles.rounded(), "milliseconds": e.milliseconds(l),
          "share": l.cycles / e.totalCycles, "scratch_bytes": l.scratchBytes,
        ] as [String: Any]
      },
      "total": [
        "macs": e.totalMACs, "parameters": e.totalParameters, "cycles": e.totalCycles.rounded(),
        "milliseconds": e.milliseconds,
      ] as [String: Any],
      "flash": [
        "bytes": m.flashBytes, "limit": e.target.flashBytes, "weights": m.weightBytes,
        "biases": m.biasBytes, "quantization": m.quantizationBytes, "structure": m.structureBytes,
        "code": m.codeBytes, "fits": m.flashBytes <= e.target.flashBytes,
      ] as [String: Any],
      "sram": [
        "bytes": m.sramBytes, "limit": e.target.sramBytes, "arena": m.arenaBytes,
        "activations": m.activationArenaBytes, "scratch": m.scratchBytes,
        "kernel_state": m.persistentBytes, "stack": m.stackBytes, "input": m.inputBytes,
        "output": m.outputBytes, "arena_from_runtime_planner": m.arenaFromRuntime,
        "fits": m.sramBytes <= e.target.sramBytes,
      ] as [String: Any],
      "verdicts": e.verdicts.map(\.line),
    ]
  }
}
