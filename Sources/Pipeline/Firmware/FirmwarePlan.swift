import Estimator
import Foundation
import Runtime

/// What the host prepares for a Cortex-M build of a model: the constants the firmware keeps in
/// flash (multipliers, shifts, packed filters: `Interpreter.prepareConstants`, packed as the
/// Cortex-M kernels read them whatever this host is) and the arena it needs in RAM (operator
/// records and tensors). The records' size is this host's, whose 64-bit pointers make it an
/// upper bound of the 32-bit one; the firmware prints what it uses, and `tinycnn firmware`
/// builds again with that (`FirmwareJob`).
package struct FirmwarePlan {
  package var constants: [UInt8]
  package var arenaBytes: Int

  package init(constants: [UInt8], arenaBytes: Int) {
    (self.constants, self.arenaBytes) = (constants, arenaBytes)
  }

  package static func prepare(_ session: ModelSession, kernels: KernelSet) throws -> FirmwarePlan {
    try session.file.checked { () throws(RuntimeError) in
      let model = session.model
      let needed = try RuntimeArena.requirements(for: model, kernels: kernels)
      let arena = UnsafeMutableRawBufferPointer.allocate(
        byteCount: needed.totalBytes, alignment: arenaAlignment)
      defer { arena.deallocate() }
      let constants = try Interpreter.prepareConstants(
        for: model, kernels: kernels, in: arena)
      return FirmwarePlan(
        constants: Array(constants), arenaBytes: needed.totalBytes - needed.constantBytes)
    }
  }

  /// A C definition of the constants: `static const uint8_t NAME[COUNT]`, 16-byte aligned (the
  /// packed filters are read as whole vectors), with `COUNT` the macro that sizes it.
  package func cArray(named name: String, count: String) -> String {
    "static const uint8_t \(name)[\(count)] __attribute__((aligned(16))) = {\n"
      + FirmwareSources.rows(constants.map { "0x" + FirmwareSources.hex($0) }, perRow: 16)
      + "};\n"
  }
}
