import Foundation

/// A finished child process: its status and what it printed.
package struct ProcessResult {
  package var status: Int32
  package var stdout: String
  package var stderr: String
}

/// Runs `executable` with `arguments`, its output captured through files (no pipe can fill up
/// and stall a long build), and waits.
package func runProcess(
  _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
  logDirectory: URL
) throws -> ProcessResult {
  let name = URL(fileURLWithPath: executable).lastPathComponent
  let out = logDirectory.appendingPathComponent(".\(name)-\(getpid()).stdout")
  let err = logDirectory.appendingPathComponent(".\(name)-\(getpid()).stderr")
  // Empty files to write into; if one cannot be made, FileHandle(forWritingTo:) says so below.
  _ = FileManager.default.createFile(atPath: out.path, contents: nil)
  _ = FileManager.default.createFile(atPath: err.path, contents: nil)
  defer {
    try? FileManager.default.removeItem(at: out)
    try? FileManager.default.removeItem(at: err)
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let environment { process.environment = environment }
  process.standardOutput = try FileHandle(forWritingTo: out)
  process.standardError = try FileHandle(forWritingTo: err)
  process.standardInput = FileHandle.nullDevice
  do {
    try process.run()
  } catch {
    throw InputError(executable, "cannot start (\(error.localizedDescription))")
  }
  process.waitUntilExit()
  let read = { (url: URL) in
    String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
  }
  return ProcessResult(status: process.terminationStatus, stdout: read(out), stderr: read(err))
}
