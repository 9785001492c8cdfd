import Foundation

/// Why the firmware end-to-end tests named `tests` cannot run here, or nil when they can:
/// `check` throws an error naming the missing tool (the ARM toolchain, QEMU). Printed, so a
/// skipped run says why. With TINYCNN_REQUIRE_FIRMWARE=1 nothing is a reason to skip: a missing
/// tool fails the tests instead.
public func firmwareToolsMissing(_ tests: String, check: () throws -> Void) -> String? {
  if ProcessInfo.processInfo.environment["TINYCNN_REQUIRE_FIRMWARE"] == "1" { return nil }
  do {
    try check()
    return nil
  } catch {
    let reason = "\(tests) skipped, they need the ARM toolchain and QEMU: \(error)"
    print(reason)
    return reason
  }
}
