import Dispatch
import Foundation
import InputChecks
import Testing

// AtomicWrite on several threads at once, as a test run and a parallel batch make it: each write
// holds its own pending temporary file. With one shared slot a write claimed another's and the
// other then waited forever for a signal that never came (a test run hung on it).

@Test(.timeLimit(.minutes(1)))
func concurrentWritesEachReplaceTheirFileAndLeaveNoTemporary() throws {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "atomic-write-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let files = 96  // more than the 64 slots: some writes wait for a free one
  let rounds = 5
  DispatchQueue.concurrentPerform(iterations: files) { i in
    let path = folder.appendingPathComponent("f\(i)").path
    for round in 0..<rounds {
      try! AtomicWrite.write(Array("file \(i) round \(round)".utf8), to: path)
    }
  }
  for i in 0..<files {
    let text = try String(contentsOf: folder.appendingPathComponent("f\(i)"), encoding: .utf8)
    #expect(text == "file \(i) round \(rounds - 1)")
  }
  let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
  #expect(left.count == files, "temporary files left: \(left.filter { $0.contains(".tmp-") })")
}
