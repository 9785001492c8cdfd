/// The ranges a physical quantity read from a file or a flag must fall in. Wide enough for every
/// microcontroller we know of and many we do not; narrow enough that the arithmetic done with
/// them (cycles / clock, KB x 1024) stays finite and exact.
public enum PhysicalRange {
  /// A core clock, 1 kHz to 10 GHz, in MHz.
  public static let clockMHz: ClosedRange<Double> = 0.001...10_000
  /// A memory size (flash, SRAM, cache) in KB: below 2^40 bytes.
  public static let memoryKB: ClosedRange<Double> = 0...Double(1 << 30)
  /// Flash wait states (stall cycles per access).
  public static let waitStates: ClosedRange<Double> = 0...64
  /// Bytes per flash access (a line or a bus word).
  public static let accessBytes: ClosedRange<Int> = 1...4096
}
