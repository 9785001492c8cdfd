import Graph

/// Cycles of one operator: arithmetic from the core's coefficients, plus the stalls of reading
/// its weights from flash.
public struct LayerEstimate: Sendable {
  public var layer: LayerWork
  /// Cycles of the kernel's own work (MACs, im2col copy, requantisation) and the framework's
  /// per-operator overhead, at zero wait states.
  public var computeCycles: Double
  /// Extra cycles waiting for weights from flash.
  public var flashStallCycles: Double
  /// Bytes of weights read from flash in one inference (re-reads included).
  public var weightTrafficBytes: Int
  /// Scratch buffer the kernel asks for (CMSIS-NN's im2col / depthwise column buffer).
  public var scratchBytes: Int

  public var cycles: Double { computeCycles + flashStallCycles }
}

/// The cost model: what a kernel library's int8 kernels cost on one core, and how a target's
/// flash feeds them. The costs live in Data/cores/*.json, each with the measurement or document
/// it comes from.
///
/// What moves the result, and how it is modelled:
/// - the kernel path (`KernelPath`): CMSIS-NN runs a 1x1 convolution as a plain mat-mult, a 3x3
///   depthwise convolution in place, any other convolution through im2col; TFLM's reference
///   kernels and TinyCNN's run one loop nest per operator kind;
/// - per path, cycles per MAC, per requantised output, per im2col value and row, per pixel, per
///   reduction-depth tail and per call (`KernelTerm`), measured: the kernels' exact instruction
///   streams under QEMU, timed with the core's documented instruction timings, fitted over a
///   sweep of layer shapes (bench/estimator/kernels);
/// - the framework's per-operator overhead;
/// - flash wait states on weight reads: a filter is streamed once per `columns_per_weight_pass`
///   output pixels (the count the harness measured); when it fits in half the data cache only
///   the first pass misses.
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

  /// The path a layer runs on with this library (nil: a copy or a no-op).
  public func path(for layer: LayerWork) -> KernelPath? {
    KernelPath.preferred(for: layer).flatMap { costs.costs(for: $0)?.0 }
  }

  /// Cycles inside the kernel (zero wait states), without the framework's per-operator work:
  /// what the harness measures.
  public func kernelCycles(_ layer: LayerWork) -> Double {
    guard let preferred = KernelPath.preferred(for: layer),
      let (path, c) = costs.costs(for: preferred)
    else {
      // Copies: RESHAPE is in place; the others move each output byte once.
      return layer.op == .reshape ? 0 : Double(layer.outputCount) * costs.perCopyByte.value
    }
    return c.cycles(
      KernelTerm.counts(layer, path: path, simdStep: hasHelium ? 16 : 4, library: library))
  }

  public func estimate(_ layer: LayerWork) -> LayerEstimate {
    let compute = costs.operatorOverhead.value + kernelCycles(layer)
    var scratch = 0
    var passes = 1
    let path = path(for: layer)
    let c = path.flatMap { costs.paths[$0] }
    if let c, c.columnsPerWeightPass > 0 {
      passes = Int((Double(layer.outputPixels) / c.columnsPerWeightPass).rounded(.up))
    }
    if library == .cmsisNN {
      // CMSIS-NN's scratch buffers (arm_convolve_s8_get_buffer_size,
      // arm_depthwise_conv_s8_opt_get_buffer_size): two int16 im2col columns on DSP cores, a
      // 4-column int8 buffer padded to 16 on Helium.
      let k = layer.kernel.height * layer.kernel.width * layer.inputChannels
      switch path {
      case .conv?:
        scratch = hasHelium ? 4 * ((k + 15) / 16) * 16 : 4 * ((k + 3) / 4 * 4)
      case .depthwise?:
        scratch =
          hasHelium
          ? 4 * 124 * layer.kernel.height * layer.kernel.width
          : 2 * layer.inputChannels * layer.kernel.height * layer.kernel.width
      default:
        break
      }
    }

    var weightBytes = layer.weightCount
    var biasBytes = 4 * layer.biasCount
    if library == .tinycnnOptimized, let packing = OptimizedKernels.packing(for: layer) {
      // The optimized prepare copies the filter and bias into the arena (SRAM) and plans the
      // kernel's scratch with the activations: Invoke reads no weights from flash.
      scratch = packing.scratchBytes
      weightBytes = 0
      biasBytes = 0
    }

    // Weights are read from flash; a filter that fits in half the data cache misses only once.
    let reuseFits = weightBytes <= target.flashRead.dataCacheBytes / 2
    let traffic = (reuseFits ? weightBytes : weightBytes * passes) + biasBytes
    let stall = Double(traffic) * target.flashRead.stallPerByte
    return LayerEstimate(
      layer: layer, computeCycles: compute, flashStallCycles: stall,
      weightTrafficBytes: traffic, scratchBytes: scratch)
  }
}
