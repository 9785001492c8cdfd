import InputChecks

/// A microcontroller the estimator knows: clock, memories, how weights are read from flash, and
/// which core (and so which cost coefficients) it has. One JSON file per target under
/// Sources/Estimator/Data/targets/, or a user's own with `--target-file` (same fields):
///
///     {"name": "my-board", "part": "STM32F411CE", "core": "cortex-m4", "clock_mhz": 100,
///      "flash_kb": 512, "sram_kb": 128,
///      "flash_read": {"stall_cycles": 3, "access_bytes": 16, "data_cache_kb": 0}}
public struct Target: Hashable, Sendable {
  public var name: String
  public var part: String
  public var summary: String
  /// A core family with a cost file under Data/cores (`cortex-m4`, `rv32imc`, ...).
  public var core: String
  public var clockMHz: Double
  public var flashBytes: Int
  /// All on-chip data RAM the arena may use, tightly coupled memories included.
  public var sramBytes: Int
  public var itcmBytes: Int
  public var dtcmBytes: Int
  public var flashRead: FlashRead
  public var features: [String]
  /// A typical part of a core family rather than a real chip.
  public var generic: Bool
  public var sources: [String]

  /// How reading a weight from flash stalls the core: every `accessBytes` bytes that miss the
  /// cache cost `stallCycles` extra cycles. Layers whose weights fit in the data cache pay
  /// this once per inference, the others once per pass over their weights.
  public struct FlashRead: Hashable, Sendable {
    public var stallCycles: Double
    public var accessBytes: Int
    public var dataCacheBytes: Int
    public var source: String?

    /// Extra cycles per weight byte streamed from flash.
    public var stallPerByte: Double { stallCycles / Double(accessBytes) }
  }

  static let fields: Set<String> = [
    "name", "part", "summary", "core", "clock_mhz", "flash_kb", "sram_kb", "tcm_kb", "flash_read",
    "features", "generic", "sources",
  ]

  /// Parses and checks a target file; every problem names its field.
  public init(json text: String, file: String) throws(EstimatorError) {
    let f = try JSONFields.parse(text, file: file)
    try f.checkKnown(Self.fields)
    name = try f.string("name")
    guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
      throw f.fail("name", "use letters, digits, '-' and '_' only, got '\(name)'")
    }
    part = try f.optionalString("part") ?? name
    summary = try f.optionalString("summary") ?? part
    core = try f.string("core")
    guard CoreCosts.knownCores.contains(core) else {
      throw f.fail(
        "core", "unknown core '\(core)' (known: \(CoreCosts.knownCores.joined(separator: ", ")))")
    }
    // Every number is range-checked here, so the cost model's arithmetic stays finite and
    // `Int` conversions of its results cannot trap.
    clockMHz = try f.quantity("clock_mhz", in: PhysicalRange.clockMHz, unit: "MHz")
    flashBytes = try f.kilobytes("flash_kb")
    sramBytes = try f.kilobytes("sram_kb")
    if let tcm = try f.optionalObject("tcm_kb") {
      try tcm.checkKnown(["itcm", "dtcm"])
      itcmBytes = tcm.has("itcm") ? try tcm.kilobytes("itcm", allowZero: true) : 0
      dtcmBytes = tcm.has("dtcm") ? try tcm.kilobytes("dtcm", allowZero: true) : 0
    } else {
      itcmBytes = 0
      dtcmBytes = 0
    }
    let read = try f.object("flash_read")
    try read.checkKnown(["stall_cycles", "access_bytes", "data_cache_kb", "source"])
    flashRead = FlashRead(
      stallCycles: try read.quantity(
        "stall_cycles", in: PhysicalRange.waitStates, unit: "cycles"),
      accessBytes: try read.integer("access_bytes", in: PhysicalRange.accessBytes),
      dataCacheBytes: read.has("data_cache_kb")
        ? try read.kilobytes("data_cache_kb", allowZero: true) : 0,
      source: try read.optionalString("source"))
    features = try f.strings("features")
    generic = try f.bool("generic", default: false)
    sources = try f.strings("sources")
  }

  /// The same target at another clock (`--clock`).
  public func clocked(at mhz: Double) -> Target {
    var t = self
    t.clockMHz = mhz
    return t
  }
}

extension Target {
  /// Every bundled target, real parts first, then the generic core aliases, by name.
  public static let builtIn: [Target] = {
    let targets = BuiltInData.files.filter { $0.key.hasPrefix("targets/") }.map { path, text in
      do { return try Target(json: text, file: path) } catch {
        preconditionFailure("bundled target \(path): \(error)")  // checked by EstimatorTests
      }
    }
    return targets.sorted { ($0.generic ? 1 : 0, $0.name) < ($1.generic ? 1 : 0, $1.name) }
  }()

  /// A bundled target by name (case-insensitive).
  public static func named(_ name: String) -> Target? {
    builtIn.first { $0.name.lowercased() == name.lowercased() }
  }
}
