import Dispatch
import Foundation

/// Splits a batch into contiguous slices, one per worker thread, each worker with its own
/// interpreter and arena (the Runtime itself is single-threaded, as on a microcontroller). One
/// work item per core: Dispatch's fork-join costs microseconds, a slice is thousands of images
/// (docs/recipes/swift-performance.md §7).
package enum ParallelBatch {
  package static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }

  /// The slice of `0..<count` that worker `w` of `workers` takes.
  package static func slice(_ w: Int, of workers: Int, count: Int) -> Range<Int> {
    (count * w / workers)..<(count * (w + 1) / workers)
  }

  /// Runs `body(w, slice)` for every worker at once and waits; the first error thrown (by worker
  /// order) is rethrown after all have finished.
  package static func run(
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

/// A running total reported to a `(done) -> Void` progress callback from several workers.
package final class ProgressCount: @unchecked Sendable {
  private let report: (Int) -> Void
  private var done = 0
  private let lock = NSLock()

  package init(_ report: @escaping (Int) -> Void) { self.report = report }

  package func add(_ n: Int) {
    guard n > 0 else { return }
    lock.withLock {
      done += n
      report(done)
    }
  }
}
