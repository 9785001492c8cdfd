import Graph

/// Cycles of one operator: arithmetic from the core's coefficients, plus the stalls of reading
/// its weights from flash.
public struct LayerEstimate: Sendable {
  public var layer: LayerWork
  /// Cycles of the kernel's own work (MACs, im2col copy, requantisation, call overhead).
  public var computeCycles: Double
  /// Extra cycles waiting for weights from flash.
  public var flashStallCycles: Double
  /// Bytes of weights read from flash in one inference (re-reads included).
  public var weightTrafficBytes: Int
  /// Scratch buffer the kernel asks for (CMSIS-NN's im2col / depthwise column buffer).
  public var scratchBytes: Int

  public var cycles: Double { computeCycles + flashStallCycles }
}

/// The cost model: what a kernel library's int8 kernels do per MAC, per copied value and per
/// output on one core, and how a target's flash feeds them. The coefficients live in
/// Data/cores/*.json, each with the measurement or document it comes from.
///
/// What moves the result, and how it is modelled:
/// - MACs per cycle: `mac_*` per operator kind (SMLAD gives 2 per cycle on M4/M7/M33, Helium
///   ~8 on M55, none on M0+ and RV32IMC); 1x1 stride-1 convolutions skip im2col
///   (CMSIS-NN's arm_convolve_1x1_s8_fast), depthwise has little reuse per weight.
/// - im2col: every output pixel's patch is copied (and widened to int16 on DSP cores) once.
/// - flash wait states: a filter is streamed once per `columns_per_weight_pass` output pixels;
///   when it fits in half the data cache only the first pass misses.
public struct CostModel: Sendable {
  public var target: Target
  public var library: KernelLibrary
  public var costs: KernelCosts
  var hasHelium: Bool

  public init(target: Target, library: KernelLibrary) throws(EstimatorError) {
    guard let core = CoreCosts.named(target.core) else {
      throw EstimatorError(file: target.name, "no cost file for core '\(target.core)'")
    }
    guard let costs = core.kernels[library] else {
      let have = core.kernels.keys.map(\.rawValue).sorted().joined(separator: ", ")
      throw EstimatorError(
        file: "--kernels \(library.rawValue)",
        "no \(library.rawValue) kernels for \(target.core) (\(target.name)); available: \(have)"
          + (core.kernelsNote.map { ". \($0)" } ?? ""))
    }
    self.target = target
    self.library = library
    self.costs = costs
    self.hasHelium = core.features.contains("mve")
  }

  public func estimate(_ layer: LayerWork) -> LayerEstimate {
    let c = costs
    let outputs = Double(layer.outputCount)
    let macs = Double(layer.macs)
    var compute = c["call_overhead"]
    var scratch = 0
    var passes = 1
    let usesIm2col = c["im2col_per_element"] > 0

    switch layer.op {
    case .conv2D, .transposeConv:
      let k = layer.kernel.height * layer.kernel.width * layer.inputChannels
      let is1x1 =
        layer.kernel == Size2(1) && layer.stride == Size2(1) && layer.op == .conv2D
        && layer.inputShapes[0].prefix(2) == layer.outputShape.prefix(2)
      compute += macs * c[is1x1 ? "mac_conv_1x1" : "mac_conv"] + outputs * c["per_output"]
      if !is1x1 && usesIm2col {
        compute += Double(layer.outputPixels * k) * c["im2col_per_element"]
        scratch = hasHelium ? 4 * ((k + 15) / 16) * 16 : 4 * ((k + 3) / 4 * 4)
      }
      passes =
        (layer.outputPixels + Int(c["columns_per_weight_pass"]) - 1)
        / Int(c["columns_per_weight_pass"])
    case .depthwiseConv2D:
      compute += macs * c["mac_depthwise"] + outputs * c["per_output"]
      // CMSIS-NN's 3x3 kernel (padding <= 1) reads in place on DSP cores; the general path and
      // the Helium path copy each window's columns first.
      let special3x3 = layer.kernel == Size2(3) && !hasHelium
      if usesIm2col && !special3x3 {
        compute += macs * c["im2col_per_element"]
        scratch =
          hasHelium
          ? 4 * 124 * layer.kernel.height * layer.kernel.width
          : 2 * layer.inputChannels * layer.kernel.height * layer.kernel.width
      }
      passes =
        (layer.outputPixels + Int(c["columns_per_weight_pass"]) - 1)
        / Int(c["columns_per_weight_pass"])
    case .fullyConnected:
      compute += macs * c["mac_fully_connected"] + outputs * c["per_output"]
    case .maxPool2D, .averagePool2D:
      compute += outputs * Double(layer.kernel.height * layer.kernel.width) * c["per_pool_element"]
    case .mean:
      compute += Double(layer.inputCount) * c["per_pool_element"] + outputs * c["per_output"]
    case .add:
      compute += outputs * c["per_add_element"]
    case .softmax, .logistic:
      compute += outputs * c["per_softmax_element"]
    case .reshape:
      break  // in place: only the call
    case .quantize, .dequantize, .other:
      compute += outputs * c["per_output"] / 2
    case .concatenation, .pad:
      compute += outputs * c["per_copy_byte"]
    }

    // Weights are read from flash; a filter that fits in half the data cache misses only once.
    let weightBytes = layer.weightCount
    let reuseFits = weightBytes <= target.flashRead.dataCacheBytes / 2
    let traffic = (reuseFits ? weightBytes : weightBytes * passes) + 4 * layer.biasCount
    let stall = Double(traffic) * target.flashRead.stallPerByte
    return LayerEstimate(
      layer: layer, computeCycles: compute, flashStallCycles: stall,
      weightTrafficBytes: traffic, scratchBytes: scratch)
  }
}
