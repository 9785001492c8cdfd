import Foundation
import Runtime

/// A QEMU board the firmware builds for: the names `--board` takes. Its CPU, QEMU machine,
/// linker script, stack and memory are its row of firmware/targets.txt (`FirmwareTargets`).
package enum FirmwareBoard: String, CaseIterable, Codable {
  case an386, an500, microbit

  /// The cycle table `--count` uses by default: the board's core.
  package var defaultCore: CoreTiming {
    switch self {
    case .an386: .m4
    case .an500: .m7
    case .microbit: .m0
    }
  }

  /// The cores whose cycle tables fit the code built for this board (same instruction set).
  package var compatibleCores: [CoreTiming] {
    self == .microbit ? [.m0, .m0plus] : [.m4, .m33, .m7]
  }
}

/// firmware/targets.txt, the one table of the Cortex-M CPUs and boards (the build scripts read
/// it through firmware/targets.sh): the rows `tinycnn firmware` needs to name a board's QEMU
/// machine, core and memory, to know whether a CPU has the DSP extension, and to tell an
/// exported library's user its compiler flags. `FirmwareBoard` and `ExportCPU` are the names the
/// CLI accepts; each has its row here (`FirmwareTargetsTests`).
package struct FirmwareTargets: Sendable {
  /// A `cpu NAME SWIFT_TRIPLE SWIFT_DEFINES C_FLAGS` row.
  package struct CPU: Equatable, Sendable {
    package var name: String
    package var swiftTriple: String
    package var defines: [String]
    /// The core and its float ABI, as clang and gcc take them.
    package var cFlags: [String]

    /// Whether the build has the DSP kernel set's assembly (the DSP extension: Armv7E-M).
    package var hasDSP: Bool { defines.contains("TINYCNN_DSP") }
    /// What code linked with the library is compiled with (Thumb, the same float ABI).
    package var userFlags: [String] { ["-mthumb"] + cFlags }
  }

  /// A `board NAME CPU QEMU_MACHINE LINKER_SCRIPT STACK FLASH RAM CORE` row.
  package struct Board: Equatable, Sendable {
    package var name: String
    package var cpu: CPU
    package var machine: String
    package var linkerScript: String
    package var stackBytes: Int
    package var flashBytes: Int
    package var ramBytes: Int
    /// The core as the report names it ("Cortex-M4F").
    package var core: String
  }

  package var cpus: [CPU] = []
  package var boards: [Board] = []

  /// The table in `root`/firmware/targets.txt.
  package init(root: URL) throws(InputError) {
    let url = root.appendingPathComponent("firmware/targets.txt")
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw InputError(url.path, "cannot read the firmware's target table")
    }
    try self.init(parsing: String(decoding: data, as: UTF8.self), file: url.path)
  }

  /// The rows of `text` (`#` comments and blank lines skipped); `file` names it in errors.
  package init(parsing text: String, file: String) throws(InputError) {
    var boardRows: [(line: Int, fields: [String])] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let kind = fields.first, !kind.hasPrefix("#") else { continue }
      let list = { (field: String) in
        field == "-" ? [] : field.split(separator: ",").map(String.init)
      }
      switch (kind, fields.count) {
      case ("swiftc", 2): continue
      case ("cpu", 5):
        cpus.append(
          CPU(
            name: fields[1], swiftTriple: fields[2], defines: list(fields[3]),
            cFlags: list(fields[4])))
      case ("board", 9): boardRows.append((index + 1, fields))
      default:
        throw InputError(file, "line \(index + 1): not a swiftc, cpu or board row: \(raw)")
      }
    }
    for (line, f) in boardRows {
      guard let cpu = cpus.first(where: { $0.name == f[2] }) else {
        throw InputError(file, "line \(line): board \(f[1]) names an unknown cpu \(f[2])")
      }
      guard let stack = Int(f[5]), let flash = Int(f[6]), let ram = Int(f[7]) else {
        throw InputError(file, "line \(line): board \(f[1]): stack, flash and RAM are byte counts")
      }
      boards.append(
        Board(
          name: f[1], cpu: cpu, machine: f[3], linkerScript: f[4], stackBytes: stack,
          flashBytes: flash, ramBytes: ram, core: f[8]))
    }
  }

  /// Refuses the DSP kernels on a CPU without the DSP extension: the host would size the arena
  /// and pack the constants for the DSP set's filters, which an Armv6-M build leaves out.
  package static func check(_ kernels: KernelSet, runOn cpu: CPU) throws(InputError) {
    guard kernels.id != .dsp || cpu.hasDSP else {
      throw InputError(
        cpu.name, "the dsp kernels need the DSP extension: a Cortex-M4, M7 or M33 (an386, an500)")
    }
  }

  /// `board`'s row.
  package func row(_ board: FirmwareBoard) throws(InputError) -> Board {
    guard let row = boards.first(where: { $0.name == board.rawValue }) else {
      throw InputError("firmware/targets.txt", "no row for the board \(board.rawValue)")
    }
    return row
  }

  /// `cpu`'s row.
  package func row(_ cpu: ExportCPU) throws(InputError) -> CPU {
    guard let row = cpus.first(where: { $0.name == cpu.rawValue }) else {
      throw InputError("firmware/targets.txt", "no row for the cpu \(cpu.rawValue)")
    }
    return row
  }
}
