import Foundation
import Testing

// The bad-input corpus of Tests/BadInputs (issue 16): every line of cases.txt runs the tinycnn
// binary on one corrupt file, absurd number or bad flag, and expects its exit code (1 for bad
// input, 64 for bad flags, never a signal) and a one-line message naming the file and the
// cause. Run as a separate process, so a trap is a failed case, not a crashed test run.

let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("../BadInputs").standardized

/// `$TINYCNN_BINARY` (scripts/sanitize.sh points it at a sanitized build), else the binary of
/// the release or debug build.
func tinycnnBinary() -> URL? {
  if let path = ProcessInfo.processInfo.environment["TINYCNN_BINARY"] {
    return URL(fileURLWithPath: path)
  }
  let root = corpus.appendingPathComponent("../..").standardized
  for configuration in ["release", "debug"] {
    let url = root.appendingPathComponent(".build/\(configuration)/tinycnn")
    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
  }
  return nil
}

struct BadInputCase: CustomTestStringConvertible, Sendable {
  var line: Int
  var exitCode: Int32
  var arguments: [String]
  var environment: [String: String]
  var message: String

  var testDescription: String { "cases.txt:\(line) \(arguments.prefix(3).joined(separator: " "))" }

  static func all() -> [BadInputCase] {
    guard
      let text = try? String(
        contentsOf: corpus.appendingPathComponent("cases.txt"), encoding: .utf8)
    else { return [] }
    var cases: [BadInputCase] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      guard !line.isEmpty, !line.hasPrefix("#") else { continue }
      let fields = line.components(separatedBy: " | ")
      guard fields.count >= 3, let code = Int32(fields[0]) else { continue }
      var words = fields[1].split(separator: " ").map(String.init)
      var environment: [String: String] = [:]
      while let first = words.first, let eq = first.firstIndex(of: "="),
        first[..<eq].allSatisfy({ $0.isUppercase || $0 == "_" })
      {
        environment[String(first[..<eq])] = String(first[first.index(after: eq)...])
        words.removeFirst()
      }
      cases.append(
        BadInputCase(
          line: i + 1, exitCode: code, arguments: words, environment: environment,
          message: fields[2...].joined(separator: " | ")))
    }
    return cases
  }
}

@Test func corpusHasSixtyCauses() {
  #expect(BadInputCase.all().count >= 60)
}

@Test(arguments: BadInputCase.all())
func badInputGetsItsOneLineError(_ c: BadInputCase) throws {
  let binary = try #require(tinycnnBinary(), "build tinycnn first (swift build -c release)")
  let out = FileManager.default.temporaryDirectory
    .appendingPathComponent("tinycnn-bad-input-\(c.line)-\(getpid())")
  try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: out) }

  let process = Process()
  process.executableURL = binary
  process.currentDirectoryURL = corpus
  process.arguments = c.arguments.map { $0.replacingOccurrences(of: "$OUT", with: out.path) }
  process.environment = ProcessInfo.processInfo.environment.merging(c.environment) { $1 }
  let stderr = Pipe()
  process.standardError = stderr
  process.standardOutput = FileHandle.nullDevice
  try process.run()
  let text = String(
    decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()

  #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
  #expect(process.terminationStatus == c.exitCode, "\(text)")
  let error = text.split(separator: "\n").first { $0.hasPrefix("Error: ") }.map(String.init)
  #expect(error?.contains(c.message) == true, "expected '\(c.message)' in: \(text)")
  // Nothing half-written: no temporary file left in the output folder.
  let left = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
  #expect(left.allSatisfy { !$0.contains(".tmp-") }, "left behind: \(left)")
}
