import Foundation
import Runtime

/// This CPU's bit-exact int8 MAC peak: vector width from the /proc/cpuinfo flags, clock measured
/// (`CPUClock`), or /proc/cpuinfo's nominal "cpu MHz" when not measured.
package struct CPUPeak: Encodable {
  package var model: String
  /// The clock the peak uses: measured when `clockMeasured`, else the nominal one.
  package var megahertz: Double
  package var nominalMegahertz: Double
  package var clockMeasured: Bool
  /// The widest vector extension the CPU has for int16 pairwise multiply-adds.
  package var isa: String
  /// Multiply-add instructions per cycle x MACs each: 2 per cycle, except 512-bit ones on AMD's
  /// Zen 4 (family 25), which runs them as two halves on its 256-bit units: 1 per cycle there.
  package var macsPerCycle: Int
  package var peakGMACs: Double

  package static func detect(cpuinfo path: String = "/proc/cpuinfo") -> CPUPeak {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return parse(text, measuredMegahertz: CPUClock.measureMegahertz())
  }

  package static func parse(_ cpuinfo: String, measuredMegahertz: Double? = nil) -> CPUPeak {
    func field(_ name: String) -> String? {
      for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
        if let colon = line.firstIndex(of: ":") {
          return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
    let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
    // MACs per instruction of the fastest bit-exact multiply-add the CPU has.
    let (isa, macsPerInstruction) =
      flags.contains("avx512bw") && flags.contains("avx512_vnni")
      ? ("AVX-512 VNNI", 64)
      : flags.contains("avx512bw")
        ? ("AVX-512BW", 32) : flags.contains("avx2") ? ("AVX2", 16) : ("SSE2", 8)
    let nominal = Double(field("cpu MHz") ?? "") ?? 0
    let mhz = measuredMegahertz ?? nominal
    // Zen 4 splits a 512-bit instruction in two (its ResNet-8 3x3 convolutions, 8 independent
    // vpdpbusd per weight vector, run at 1 per cycle: the bench's "of peak" read 240 % with 2).
    let splitsZMM =
      field("vendor_id") == "AuthenticAMD" && field("cpu family") == "25"
      && macsPerInstruction >= 32
    let perCycle = (splitsZMM ? 1 : 2) * macsPerInstruction
    return CPUPeak(
      model: field("model name") ?? "unknown", megahertz: mhz, nominalMegahertz: nominal,
      clockMeasured: measuredMegahertz != nil, isa: isa, macsPerCycle: perCycle,
      peakGMACs: Double(perCycle) * mhz / 1000)
  }
}
