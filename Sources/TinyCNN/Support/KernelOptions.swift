import ArgumentParser
import Dispatch
import Foundation
import KernelDispatch
import Pipeline
import Runtime

/// `--kernels`, shared by `run`, `infer`, `eval` and `bench`.
struct KernelOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Which int8 kernels run: 'optimized' (the fastest vector kernels this CPU has), "
        + "'reference' (TFLM's loops) or one kernel set by name; same outputs. This CPU runs: "
        + KernelChoice.availableNames + ".",
      valueName: "set"))
  var kernels: KernelChoice = .optimized

  /// The set chosen (checked by `validate`).
  var set: KernelSet { kernels.set ?? .reference }

  func validate() throws {
    guard kernels.set != nil else {
      throw ValidationError(
        "--kernels \(kernels.rawValue): this CPU does not run that set; it runs "
          + KernelChoice.availableNames + ".")
    }
  }
}

enum KernelChoice: String, ExpressibleByArgument, CaseIterable, Encodable {
  case reference, optimized, portable, dsp, avx2
  case avx512VNNI = "avx512-vnni"

  /// The set, nil when this CPU does not run it.
  var set: KernelSet? {
    switch self {
    case .reference: .reference
    case .optimized: .fastest
    case .portable: .portable
    case .dsp: .dsp
    case .avx2: KernelSet.available(.avx2)
    case .avx512VNNI: KernelSet.available(.avx512VNNI)
    }
  }

  /// The sets by name that this CPU runs, comma-separated.
  static var availableNames: String {
    allCases.filter { $0 != .optimized && $0.set != nil }.map(\.rawValue)
      .joined(separator: ", ")
  }
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
