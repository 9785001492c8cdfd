import ArgumentParser
import Dispatch
import Foundation
import Pipeline
import Runtime

/// `--kernels reference|optimized`, shared by `run`, `infer`, `eval` and `bench`.
struct KernelOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Which int8 kernels run: 'optimized' (SIMD) or 'reference' (TFLM's loops). Same outputs.",
      valueName: "set"))
  var kernels: KernelChoice = .optimized

  var set: KernelSet { kernels.set }
}

enum KernelChoice: String, ExpressibleByArgument, CaseIterable, Encodable {
  case reference, optimized

  var set: KernelSet { self == .reference ? .reference : .optimized }
}

/// `--threads N` for the commands that split a batch across cores (`run`, `eval`).
struct ThreadOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Worker threads, each with its own interpreter and arena (default: one per core).",
      valueName: "n"))
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
  }

  /// The worker count for `items` images: never more workers than images or cores.
  func workers(for items: Int) -> Int {
    max(1, min(ParallelBatch.threads(threads), items))
  }
}

extension ParallelBatch {
  /// `--threads`, at most one per core: every worker has its own arena (and in `train` its own
  /// copy of the activations), so 100,000 threads asked for gigabytes and made no progress. A
  /// larger request is capped with a note on stderr.
  static func threads(_ requested: Int?) -> Int {
    guard let requested else { return coreCount }
    guard requested > coreCount else { return requested }
    if !cappedNoteShown {
      cappedNoteShown = true
      Console.error(
        "note: --threads \(requested) is more than this machine's \(coreCount) cores; using \(coreCount)"
      )
    }
    return coreCount
  }
  nonisolated(unsafe) private static var cappedNoteShown = false
}
