import ArgumentParser
import Dispatch
import Foundation
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

/// Splits a batch into contiguous slices, one per worker thread, each worker with its own
/// interpreter and arena (the Runtime itself is single-threaded, as on a microcontroller). One
/// work item per core: Dispatch's fork-join costs microseconds, a slice is thousands of images
/// (docs/recipes/swift-performance.md §7).
enum ParallelBatch {
  static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }

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

  /// The slice of `0..<count` that worker `w` of `workers` takes.
  static func slice(_ w: Int, of workers: Int, count: Int) -> Range<Int> {
    (count * w / workers)..<(count * (w + 1) / workers)
  }

  /// Runs `body(w, slice)` for every worker at once and waits; the first error thrown (by worker
  /// order) is rethrown after all have finished.
  static func run(
    count: Int, workers: Int, _ body: (_ worker: Int, _ slice: Range<Int>) throws -> Void
  ) throws {
    if workers <= 1 {
      try body(0, 0..<count)
      return
    }
    let errors = ErrorSlots(workers)
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let work = body
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        do { try work(w, slice(w, of: workers, count: count)) } catch { errors.set(w, error) }
      }
    }
    if let error = errors.first { throw error }
  }
}

/// One error slot per worker, each written by its own worker only.
private final class ErrorSlots: @unchecked Sendable {
  private var slots: [Error?]
  private let lock = NSLock()

  init(_ count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ i: Int, _ error: Error) { lock.withLock { slots[i] = error } }

  var first: Error? { lock.withLock { slots.compactMap { $0 }.first } }
}

/// A lock around `Progress`, which worker threads advance together.
final class SharedProgress: @unchecked Sendable {
  private let progress: Progress?
  private let lock = NSLock()

  init(_ progress: Progress?) { self.progress = progress }

  func advance(by n: Int) { lock.withLock { progress?.advance(by: n) } }
}

/// A running total reported to a `(done) -> Void` progress callback from several workers.
final class ProgressCount: @unchecked Sendable {
  private let report: (Int) -> Void
  private var done = 0
  private let lock = NSLock()

  init(_ report: @escaping (Int) -> Void) { self.report = report }

  func add(_ n: Int) {
    guard n > 0 else { return }
    lock.withLock {
      done += n
      report(done)
    }
  }
}
