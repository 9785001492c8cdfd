import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The threads a network computes with: `count` workers, each with its own GEMM workspace. Work is
/// split into one item per worker (halves of the batch on 2 cores), never one item per image: a
/// fork-join of `concurrentPerform` costs 1-8 µs, so items must be ~100 µs or more (recipe §7).
///
/// The network forks once per run of sample-local layers (a whole LeNet-5 pass), not once per
/// layer: every join is a point where a worker that finished early sleeps, and on a busy machine
/// a sleeping thread waits for the scheduler to run it again. With 24 joins per step, LeNet-5
/// got a sixth of a core under a load average of 12; with two it keeps its share.
public final class Workers {
  public let count: Int
  let workspaces: [GEMMWorkspace]
  /// Jobs of fewer floating-point operations run on one thread: ~50 µs of arithmetic, below
  /// which the fork-join costs more than it saves (recipe §7). Tests set 0 to exercise the split.
  var minimumParallelCost = 200_000
  /// Floats of im2col columns a worker builds at a time (Conv2d's chunks): 384 KB, within every
  /// x86-64 core's L2 beside the chunk's input and output. Tests set 1 (one sample per chunk) to
  /// exercise the chunked gradient sums.
  var columnBudget = 96 * 1024
  /// Whether the Conv2d layers built with these workers may run 3x3 stride-1 convolutions by
  /// Winograd's F(2x2, 3x3) (`Winograd3x3`). Tests set false to compare with the direct path.
  var allowsWinograd = true

  /// - Parameter count: threads to use; nil means one per active core.
  public init(count: Int? = nil) {
    let cores = count ?? Cores.online
    self.count = max(1, cores)
    workspaces = (0..<self.count).map { _ in GEMMWorkspace() }
  }

  /// Runs `body(worker)` for workers `0..<items` at once and returns when all are done.
  func run(_ items: Int, _ body: (Int) -> Void) {
    if items <= 1 {
      if items == 1 { body(0) }
      return
    }
    // Each worker touches only its own slice and its own workspace; the closure is not Sendable
    // because it captures layer state, which that discipline makes safe to share.
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let work = body
      DispatchQueue.concurrentPerform(iterations: items) { work($0) }
    }
  }
}

enum Cores {
  /// Online cores, at least 1.
  static var online: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

extension Workers {
  /// How a batch of `batch` samples is shared among the workers: contiguous shares differing by
  /// at most one sample, none empty, worker `w` taking `batchShares(batch)[w]`.
  func batchShares(_ batch: Int) -> [Range<Int>] {
    let parts = min(count, batch)
    return (0..<parts).map { batch * $0 / parts..<batch * ($0 + 1) / parts }
  }

  /// The (worker, share) pairs `split(_:cost:_:)` runs for `total` items: every non-empty share,
  /// or the whole range on worker 0 when the work is too small to be worth a fork-join.
  func shares(_ total: Int, cost: Int) -> [(worker: Int, range: Range<Int>)] {
    if total <= 0 { return [] }
    if count == 1 || total == 1 || cost < minimumParallelCost { return [(0, 0..<total)] }
    // Contiguous shares differing by at most one item, none empty, worker 0 always first.
    let parts = min(count, total)
    return (0..<parts).map { worker in
      (worker, total * worker / parts..<total * (worker + 1) / parts)
    }
  }

  /// Runs `body(worker, share)` over `0..<total` split as `shares(total, cost:)` says; `cost` is
  /// the whole job's rough count of floating-point operations.
  func split(_ total: Int, cost: Int, _ body: (Int, Range<Int>) -> Void) {
    let parts = shares(total, cost: cost)
    if parts.count <= 1 {
      if let part = parts.first { body(part.worker, part.range) }
      return
    }
    run(parts.count) { body($0, parts[$0].range) }
  }
}
