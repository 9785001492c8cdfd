/// The estimate of one model on one target with one kernel library: per-layer cycles, totals,
/// memory and a fits / does-not-fit verdict per resource.
public struct Estimate: Sendable {
  public var model: String
  public var target: Target
  public var library: KernelLibrary
  public var layers: [LayerEstimate]
  public var memory: MemoryEstimate

  public var totalCycles: Double { layers.reduce(0) { $0 + $1.cycles } }
  public var totalMACs: Int { layers.reduce(0) { $0 + $1.layer.macs } }
  public var totalParameters: Int { layers.reduce(0) { $0 + $1.layer.parameters } }
  public var milliseconds: Double { totalCycles / (target.clockMHz * 1000) }

  public func milliseconds(_ layer: LayerEstimate) -> Double {
    layer.cycles / (target.clockMHz * 1000)
  }

  /// One resource checked against the target's limit.
  public struct Verdict: Sendable {
    public var resource: String
    public var used: Int
    public var limit: Int
    public var fits: Bool { used <= limit }
    public var line: String
  }

  public var verdicts: [Verdict] {
    let m = memory
    let part = target.part
    let flashDetail =
      "\(formatBytes(m.weightBytes + m.biasBytes)) weights and biases + "
      + "\(formatBytes(m.quantizationBytes + m.structureBytes)) model structure + "
      + "\(formatBytes(m.codeBytes)) code"
      + (m.preparedConstantBytes > 0
        ? " + \(formatBytes(m.preparedConstantBytes)) prepared constants" : "")
    let flash =
      m.flashBytes <= target.flashBytes
      ? "flash: fits, \(formatBytes(m.flashBytes)) (\(flashDetail)) of "
        + "\(formatBytes(target.flashBytes)) on \(part), \(percent(m.flashBytes, target.flashBytes))"
      : "flash: does not fit, \(formatBytes(m.flashBytes)) (\(flashDetail)) > "
        + "\(formatBytes(target.flashBytes)) flash on \(part)"
    let arenaWord = m.arenaFromRuntime ? "arena (Runtime planner)" : "arena"
    let sramDetail =
      "\(formatBytes(m.arenaBytes)) \(arenaWord) + \(formatBytes(m.persistentBytes)) kernel state"
      + " + \(formatBytes(m.stackBytes)) stack"
    let sram =
      m.sramBytes <= target.sramBytes
      ? "SRAM: fits, \(formatBytes(m.sramBytes)) (\(sramDetail)) of "
        + "\(formatBytes(target.sramBytes)) on \(part), \(percent(m.sramBytes, target.sramBytes))"
      : "SRAM: does not fit, \(formatBytes(m.sramBytes)) (\(sramDetail)) > "
        + "\(formatBytes(target.sramBytes)) SRAM on \(part)"
    return [
      Verdict(resource: "flash", used: m.flashBytes, limit: target.flashBytes, line: flash),
      Verdict(resource: "sram", used: m.sramBytes, limit: target.sramBytes, line: sram),
    ]
  }

  public var fits: Bool { verdicts.allSatisfy(\.fits) }

  /// "latency: 12.4 ms per inference at 216 MHz (80.6 inferences/s), cmsis-nn kernels".
  public var latencyLine: String {
    let ms = milliseconds
    return
      "latency: \(formatMilliseconds(ms)) per inference at \(formatNumber(target.clockMHz)) MHz"
      + " (\(formatNumber(1000 / ms)) inferences/s), \(library.rawValue) kernels"
  }
}

/// Estimates `model` on `target` with `library`'s kernels.
public func estimate(_ model: ModelWork, on target: Target, kernels library: KernelLibrary)
  throws(EstimatorError) -> Estimate
{
  let cost = try CostModel(target: target, library: library)
  let layers = model.layers.map(cost.estimate)
  return Estimate(
    model: model.name, target: target, library: library, layers: layers,
    memory: MemoryEstimate(model: model, layers: layers, library: library))
}

// MARK: - Number formatting shared by the table, the verdicts and the JSON-free text output.

/// Binary units as microcontroller datasheets use them: 1 KB = 1024 B, 1 MB = 1024 KB.
public func formatBytes(_ n: Int) -> String {
  let b = Double(n)
  if b < 1024 { return "\(n) B" }
  if b < 1024 * 1024 { return "\(fixed(b / 1024, 1)) KB" }
  return "\(fixed(b / (1024 * 1024), 1)) MB"
}

public func formatMilliseconds(_ ms: Double) -> String {
  if ms >= 100_000 { return "\(fixed(ms / 1000, 0)) s" }
  if ms >= 1000 { return "\(fixed(ms / 1000, 2)) s" }
  if ms >= 10 { return "\(fixed(ms, 1)) ms" }
  return "\(fixed(ms, 2)) ms"
}

/// Three significant digits, no exponent.
public func formatNumber(_ x: Double) -> String {
  let a = abs(x)
  if a >= 100 || a == a.rounded() && a < 1e15 { return fixed(x, 0) }
  if a >= 10 { return fixed(x, 1) }
  if a >= 1 { return fixed(x, 2) }
  return fixed(x, 3)
}

func percent(_ used: Int, _ limit: Int) -> String {
  "\(fixed(100 * Double(used) / Double(limit), 0))%"
}

/// `x` with `digits` decimals, rounded half away from zero.
/// Non-finite and huge values (a target at 1 kHz running a big model) print as Swift writes
/// them ("inf", "1.2e+20") instead of trapping in the integer conversion.
public func fixed(_ x: Double, _ digits: Int) -> String {
  guard x.isFinite, x.magnitude < 1e15 else { return "\(x)" }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let r = (x * scale).rounded() / scale
  if digits == 0 { return String(Int64(r)) }
  let whole = Int64(r.magnitude)
  var frac = Int64(((r.magnitude - Double(whole)) * scale).rounded())
  var w = whole
  if Double(frac) >= scale {
    w += 1
    frac = 0
  }
  let fracText = String(frac)
  let padded = String(repeating: "0", count: max(0, digits - fracText.count)) + fracText
  return (r < 0 ? "-" : "") + "\(w).\(padded)"
}
