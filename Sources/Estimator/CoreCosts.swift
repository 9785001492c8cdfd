/// The kernel library whose int8 kernels run the model.
public enum KernelLibrary: String, CaseIterable, Sendable {
  /// TinyCNN's Embedded Swift Runtime with its reference kernels (`KernelSet.reference`, the
  /// firmware's default).
  case tinycnn
  /// TinyCNN's Runtime with `KernelSet.portable`: CONV_2D and FULLY_CONNECTED filters re-packed
  /// into the arena at prepare, vectorised depthwise, pooling, MEAN and ADD kernels.
  case tinycnnOptimized = "tinycnn-optimized"
  /// TinyCNN's Runtime with `KernelSet.dsp` (Cortex-M4, M7, M33: the DSP extension's SMLAD
  /// loops for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD, the optimized set's kernels
  /// for the rest); its costs are fitted on `tinycnn firmware --count` measurements
  /// (bench/estimator/firmware/fit_dsp.py).
  case tinycnnDSP = "tinycnn-dsp"
  /// TFLM with the vendor-optimised kernels: CMSIS-NN on Arm, ESP-NN on Espressif parts.
  case cmsisNN = "cmsis-nn"
  /// TFLM's portable reference kernels.
  case reference

  /// TinyCNN's own Runtime (any of its kernel sets) rather than TFLM.
  public var isTinyCNN: Bool {
    self == .tinycnn || self == .tinycnnOptimized || self == .tinycnnDSP
  }
}

/// One coefficient of the cost model and where its value comes from.
public struct Coefficient: Hashable, Sendable {
  public var value: Double
  public var source: String
}

/// The measured cost of one kernel path: cycles per `KernelTerm` at zero wait states, and how
/// often the kernel reads its weights.
public struct PathCosts: Hashable, Sendable {
  public var cycles: [KernelTerm: Double]
  /// Output pixels computed per pass over the weights (CMSIS-NN's 2-column tile: 2; the
  /// reference loop nests: 1); 0 when the weights are read once (fully connected).
  public var columnsPerWeightPass: Double
  public var source: String

  /// Cycles of the kernel for one layer's term counts, summed in the terms' declared order: a
  /// dictionary's iteration order differs between two equal dictionaries, and another order of
  /// Double additions gave two estimates of the same model a different last bit
  /// (clockOverrideScalesLatencyOnly failed now and then).
  func cycles(_ counts: [KernelTerm: Double]) -> Double {
    KernelTerm.allCases.reduce(0) { $0 + (counts[$1] ?? 0) * (cycles[$1] ?? 0) }
  }
}

/// The costs of one kernel library on one core family (Data/cores/*.json keeps them with their
/// sources): a measured cost per kernel path, the framework's per-operator overhead, and the
/// cost of the operators that only move bytes.
public struct KernelCosts: Hashable, Sendable {
  /// How the path costs were obtained (harness, library version, compiler, timing rules).
  public var measured: String
  public var paths: [KernelPath: PathCosts]
  /// Per operator invocation, outside the kernel (TFLM's interpreter and kernel glue).
  public var operatorOverhead: Coefficient
  /// RESHAPE when copied, CONCATENATION, PAD, QUANTIZE, DEQUANTIZE and unknown operators.
  public var perCopyByte: Coefficient

  /// The costs for `path`, or for the path it falls back to when the library has no kernel of
  /// its own for it.
  func costs(for path: KernelPath) -> (KernelPath, PathCosts)? {
    var p: KernelPath? = path
    while let candidate = p {
      if let c = paths[candidate] { return (candidate, c) }
      p = candidate.fallback
    }
    return nil
  }

  init(_ lib: JSONFields) throws(EstimatorError) {
    try lib.checkKnown(["measured", "paths", "operator_overhead", "per_copy_byte"])
    measured = try lib.string("measured")
    operatorOverhead = try Self.coefficient(lib.object("operator_overhead"))
    perCopyByte = try Self.coefficient(lib.object("per_copy_byte"))
    let table = try lib.object("paths")
    try table.checkKnown(Set(KernelPath.allCases.map(\.rawValue)))
    paths = [:]
    for key in table.keys {
      let path = KernelPath(rawValue: key)!
      let entry = try table.object(key)
      try entry.checkKnown(["cycles", "columns_per_weight_pass", "source"])
      let terms = try entry.object("cycles")
      try terms.checkKnown(Set(KernelTerm.allowed(for: path).map(\.rawValue)))
      guard !terms.keys.isEmpty else { throw terms.fail("", "needs at least one term") }
      var cycles: [KernelTerm: Double] = [:]
      for key in terms.keys {
        cycles[KernelTerm(rawValue: key)!] = try terms.positive(key, allowZero: true)
      }
      paths[path] = PathCosts(
        cycles: cycles,
        columnsPerWeightPass: try entry.positive("columns_per_weight_pass", allowZero: true),
        source: try entry.string("source"))
    }
    guard paths[.conv] != nil, paths[.depthwise] != nil, paths[.fullyConnected] != nil else {
      throw lib.fail("paths", "needs at least conv, depthwise and fully_connected")
    }
    for path in [KernelPath.averagePool, .maxPool, .add, .softmax] where paths[path] == nil {
      throw lib.fail("paths", "missing '\(path.rawValue)'")
    }
  }

  private static func coefficient(_ c: JSONFields) throws(EstimatorError) -> Coefficient {
    try c.checkKnown(["value", "source"])
    return Coefficient(
      value: try c.positive("value", allowZero: true), source: try c.string("source"))
  }
}

/// A core family's cost file: its kernel libraries and their coefficients.
public struct CoreCosts: Hashable, Sendable {
  public var core: String
  public var summary: String
  public var features: [String]
  public var kernels: [KernelLibrary: KernelCosts]
  public var kernelsNote: String?

  public init(json text: String, file: String) throws(EstimatorError) {
    let f = try JSONFields.parse(text, file: file)
    try f.checkKnown(["core", "summary", "features", "kernels", "kernels_note"])
    core = try f.string("core")
    summary = try f.string("summary")
    features = try f.strings("features")
    kernelsNote = try f.optionalString("kernels_note")
    let libraries = try f.object("kernels")
    try libraries.checkKnown(Set(KernelLibrary.allCases.map(\.rawValue)))
    kernels = [:]
    for key in libraries.keys {
      kernels[KernelLibrary(rawValue: key)!] = try KernelCosts(libraries.object(key))
    }
  }

  static let builtIn: [String: CoreCosts] = {
    var cores: [String: CoreCosts] = [:]
    for (path, text) in BuiltInData.files where path.hasPrefix("cores/") {
      do {
        let c = try CoreCosts(json: text, file: path)
        cores[c.core] = c
      } catch { preconditionFailure("bundled core file \(path): \(error)") }
    }
    return cores
  }()

  /// Core families with a cost file.
  public static var knownCores: [String] { builtIn.keys.sorted() }

  public static func named(_ core: String) -> CoreCosts? { builtIn[core] }
}

/// Flash bytes of runtime code per operator kind and library (Data/code-size.json).
public struct CodeSizes: Sendable {
  public var framework: [KernelLibrary: Int]
  public var operators: [String: [KernelLibrary: Int]]

  init(json text: String, file: String) throws(EstimatorError) {
    let f = try JSONFields.parse(text, file: file)
    let fw = try f.object("framework")
    framework = [:]
    for lib in KernelLibrary.allCases {
      framework[lib] = try fw.object(Self.key(lib)).integer("bytes", in: 1...(1 << 40))
    }
    let ops = try f.object("operators")
    operators = [:]
    for op in ops.keys {
      let sizes = try ops.object(op)
      var bySize: [KernelLibrary: Int] = [:]
      for lib in KernelLibrary.allCases {
        bySize[lib] = try sizes.integer(Self.key(lib), in: 1...(1 << 40))
      }
      operators[op] = bySize
    }
  }

  /// The file's column for a library. Both TinyCNN kernel sets are in every firmware image (the
  /// set is chosen when the interpreter is made, so neither is dead code: firmware/README.md),
  /// so they share one column.
  static func key(_ library: KernelLibrary) -> String {
    library.isTinyCNN ? KernelLibrary.tinycnn.rawValue : library.rawValue
  }

  static let builtIn: CodeSizes = {
    do {
      return try CodeSizes(json: BuiltInData.files["code-size.json"]!, file: "code-size.json")
    } catch { preconditionFailure("bundled code-size.json: \(error)") }
  }()

  /// Code bytes for one operator (by schema name; the `other` row for operators without a row
  /// of their own).
  func bytes(for opName: String, library: KernelLibrary) -> Int {
    (operators[opName] ?? operators["other"]!)[library]!
  }
}
