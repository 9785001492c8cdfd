import Pipeline
import Testing

@Test func parallelBatchSlicesCoverTheBatchOnce() throws {
  for count in [0, 1, 2, 7, 256] {
    for workers in 1...4 {
      let slices = (0..<workers).map { ParallelBatch.slice($0, of: workers, count: count) }
      #expect(slices.map(\.count).reduce(0, +) == count)
      for w in 1..<workers { #expect(slices[w].lowerBound == slices[w - 1].upperBound) }
    }
  }
}

/// Every worker runs its slice, and the first error (by worker order) comes back after all ran.
@Test func parallelBatchRunsEveryWorkerAndRethrowsTheFirstError() throws {
  struct Failure: Error, Equatable { var worker: Int }
  var total = 0
  let counted = ProgressCount { total = $0 }
  try ParallelBatch.run(count: 100, workers: 4) { _, slice in counted.add(slice.count) }
  #expect(total == 100)
  let error = #expect(throws: Failure.self) {
    try ParallelBatch.run(count: 8, workers: 4) { w, _ in
      if w >= 2 { throw Failure(worker: w) }
    }
  }
  #expect(error == Failure(worker: 2))
}
