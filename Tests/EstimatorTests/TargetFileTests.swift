import Foundation
import Testing

@testable import Estimator

let validTarget = """
  {"name": "tiny-board", "part": "XYZ123", "core": "cortex-m4", "clock_mhz": 80,
   "flash_kb": 256, "sram_kb": 8,
   "flash_read": {"stall_cycles": 2, "access_bytes": 8, "data_cache_kb": 0}}
  """

@Test func aValidTargetFileParses() throws {
  let t = try Target(json: validTarget, file: "my.json")
  #expect(t.name == "tiny-board")
  #expect(t.clockMHz == 80)
  #expect(t.sramBytes == 8 * 1024)
  #expect(t.flashRead.stallPerByte == 0.25)
}

/// Each malformed file, and the field its error must name.
@Test(arguments: [
  (#"{"name": "x"}"#, "field 'core': missing"),
  (
    validTarget.replacingOccurrences(of: #""clock_mhz": 80"#, with: #""clock_mhz": "fast""#),
    "field 'clock_mhz': expected a number"
  ),
  (
    validTarget.replacingOccurrences(of: #""clock_mhz": 80"#, with: #""clock_mhz": -5"#),
    "field 'clock_mhz': must be between 0.001 and 10,000 MHz, got -5"
  ),
  (
    validTarget.replacingOccurrences(of: #""clock_mhz": 80,"#, with: ""),
    "field 'clock_mhz': missing"
  ),
  (
    validTarget.replacingOccurrences(of: "cortex-m4", with: "cortex-m99"),
    "field 'core': unknown core 'cortex-m99'"
  ),
  (
    validTarget.replacingOccurrences(of: #""flash_kb""#, with: #""flash_kib""#),
    "unknown field 'flash_kib'"
  ),
  (
    validTarget.replacingOccurrences(of: #""stall_cycles": 2"#, with: #""stall_cycles": true"#),
    "field 'flash_read.stall_cycles': expected a number"
  ),
  (
    validTarget.replacingOccurrences(of: #""access_bytes": 8"#, with: #""access_bytes": 0"#),
    "field 'flash_read.access_bytes': 0 is out of range (1 to 4,096)"
  ),
  (
    #"{"name": "b", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 256, "sram_kb": 8}"#,
    "field 'flash_read': missing"
  ),
  ("[1, 2]", "expected a JSON object"),
  ("{\"name\": ", "not valid JSON"),
])
func malformedTargetFileNamesTheField(text: String, message: String) {
  #expect {
    _ = try Target(json: text, file: "my.json")
  } throws: { error in
    let e = error as? EstimatorError
    return e?.file == "my.json" && (e?.cause.contains(message) ?? false)
  }
}

/// The JSON files are the source of truth; the embedded copy must be regenerated when they
/// change (scripts/generate-estimator-data.sh).
@Test func embeddedDataMatchesTheDataFiles() throws {
  let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Sources/Estimator/Data").standardized
  let files = try #require(FileManager.default.enumerator(atPath: data.path))
    .compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
  #expect(files == BuiltInData.files.keys.sorted(), "run scripts/generate-estimator-data.sh")
  for file in files {
    let text = try String(contentsOf: data.appendingPathComponent(file), encoding: .utf8)
    #expect(
      BuiltInData.files[file].map { $0 + "\n" } == text,
      "\(file) changed: run scripts/generate-estimator-data.sh")
  }
}

@Test func everyIssueTargetAndAliasIsBundled() throws {
  let parts: [(String, String, Double)] = [
    ("rp2040", "cortex-m0plus", 133), ("nrf52840", "cortex-m4", 64),
    ("stm32l4r5", "cortex-m4", 120), ("stm32f746", "cortex-m7", 216),
    ("stm32h7a3", "cortex-m7", 280), ("stm32u575", "cortex-m33", 160),
    ("alif-e7", "cortex-m55", 400), ("esp32s3", "xtensa-lx7", 240), ("esp32c3", "rv32imc", 160),
  ]
  for (name, core, mhz) in parts {
    let t = try #require(Target.named(name), "\(name)")
    #expect(t.core == core && t.clockMHz == mhz && !t.generic, "\(name)")
  }
  for alias in ["cortex-m0plus", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55", "rv32imc"] {
    let t = try #require(Target.named(alias), "\(alias)")
    #expect(t.generic && t.core == alias)
  }
  // Every cost of every core says where it comes from.
  for core in CoreCosts.knownCores {
    for (lib, costs) in try #require(CoreCosts.named(core)).kernels {
      #expect(costs.measured.count > 10, "\(core) \(lib.rawValue) does not say how it was measured")
      #expect(costs.operatorOverhead.source.count > 10, "\(core) \(lib.rawValue) operator_overhead")
      #expect(costs.perCopyByte.source.count > 10, "\(core) \(lib.rawValue) per_copy_byte")
      for (path, c) in costs.paths {
        #expect(c.source.count > 10, "\(core) \(lib.rawValue) \(path.rawValue) has no source")
      }
    }
  }
}

/// Numbers that used to trap in `Int(...)`: huge, tiny, fractional, outside the physical range.
private let absurdNumbers: [(replace: String, with: String, message: String)] = [
  (
    "\"clock_mhz\": 80", "\"clock_mhz\": 1e300",
    "field 'clock_mhz': must be between 0.001 and 10,000 MHz"
  ),
  (
    "\"clock_mhz\": 80", "\"clock_mhz\": 1e-300",
    "field 'clock_mhz': must be between 0.001 and 10,000 MHz"
  ),
  (
    "\"flash_kb\": 256", "\"flash_kb\": 1e30",
    "field 'flash_kb': must be between 0 and 1,073,741,824 KB"
  ),
  (
    "\"stall_cycles\": 2", "\"stall_cycles\": 1e19",
    "field 'flash_read.stall_cycles': must be between 0 and 64 cycles"
  ),
  (
    "\"access_bytes\": 8", "\"access_bytes\": 8.5",
    "field 'flash_read.access_bytes': must be a whole number"
  ),
  (
    "\"access_bytes\": 8", "\"access_bytes\": 1e19",
    "field 'flash_read.access_bytes': 1e+19 is out of range"
  ),
]

@Test(arguments: absurdNumbers.indices)
func absurdNumberInTargetFileIsAnError(index: Int) {
  let c = absurdNumbers[index]
  let text = validTarget.replacingOccurrences(of: c.replace, with: c.with)
  #expect(text != validTarget)
  #expect {
    _ = try Target(json: text, file: "my.json")
  } throws: { error in
    (error as? EstimatorError)?.cause.contains(c.message) ?? false
  }
}
