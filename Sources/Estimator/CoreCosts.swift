/// The kernel library whose int8 kernels run the model.
public enum KernelLibrary: String, CaseIterable, Sendable {
  /// TinyCNN's Embedded Swift Runtime kernels.
  case tinycnn
  /// TFLM with the vendor-optimised kernels: CMSIS-NN on Arm, ESP-NN on Espressif parts.
  case cmsisNN = "cmsis-nn"
  /// TFLM's portable reference kernels.
  case reference
}

/// One coefficient of the cost model and where its value comes from.
public struct Coefficient: Hashable, Sendable {
  public var value: Double
  public var source: String
}

/// The cost coefficients of one kernel library on one core family, in cycles. Names and
/// meaning (Data/cores/*.json keeps them with their sources):
/// - `mac_conv`, `mac_conv_1x1`, `mac_depthwise`, `mac_fully_connected`: per multiply-accumulate
/// - `im2col_per_element`: per input value copied into an im2col buffer
/// - `per_output`: requantise, clamp and store one output of a conv / depthwise / FC
/// - `per_pool_element`: per input value a pooling window reads
/// - `per_add_element`, `per_softmax_element`: per output element
/// - `per_copy_byte`: RESHAPE (when copied), CONCATENATION, PAD, QUANTIZE
/// - `call_overhead`: per operator invocation
/// - `columns_per_weight_pass`: output pixels computed per pass over a filter (weight reuse)
public struct KernelCosts: Hashable, Sendable {
  public var coefficients: [String: Coefficient]

  public static let names: [String] = [
    "mac_conv", "mac_conv_1x1", "mac_depthwise", "mac_fully_connected", "im2col_per_element",
    "per_output", "per_pool_element", "per_add_element", "per_softmax_element", "per_copy_byte",
    "call_overhead", "columns_per_weight_pass",
  ]

  public subscript(_ name: String) -> Double {
    guard let c = coefficients[name] else { preconditionFailure("unchecked coefficient \(name)") }
    return c.value
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
      let lib = try libraries.object(key)
      try lib.checkKnown(Set(KernelCosts.names))
      var coefficients: [String: Coefficient] = [:]
      for name in KernelCosts.names {
        let c = try lib.object(name)
        try c.checkKnown(["value", "source"])
        coefficients[name] = Coefficient(
          value: try c.positive("value", allowZero: true), source: try c.string("source"))
      }
      kernels[KernelLibrary(rawValue: key)!] = KernelCosts(coefficients: coefficients)
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
      framework[lib] = Int(try fw.object(lib.rawValue).positive("bytes"))
    }
    let ops = try f.object("operators")
    operators = [:]
    for op in ops.keys {
      let sizes = try ops.object(op)
      var bySize: [KernelLibrary: Int] = [:]
      for lib in KernelLibrary.allCases { bySize[lib] = Int(try sizes.positive(lib.rawValue)) }
      operators[op] = bySize
    }
  }

  static let builtIn: CodeSizes = {
    do {
      return try CodeSizes(json: BuiltInData.files["code-size.json"]!, file: "code-size.json")
    } catch { preconditionFailure("bundled code-size.json: \(error)") }
  }()

  /// Code bytes for one operator kind (the `other` row for kinds without a row of their own).
  func bytes(for op: OperatorKind, library: KernelLibrary) -> Int {
    (operators[op.description] ?? operators["other"]!)[library]!
  }
}
