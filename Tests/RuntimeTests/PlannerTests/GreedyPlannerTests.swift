import Testing

@testable import Runtime

private func plan(_ specs: [(size: Int32, first: Int32, last: Int32)]) -> (
  offsets: [Int32], bytes: Int, overlap: Bool
) {
  var buffers = specs.map { PlannedBuffer(size: $0.size, firstUse: $0.first, lastUse: $0.last) }
  return buffers.withUnsafeMutableBufferPointer { b in
    let bytes = planGreedy(b)
    return (b.map(\.offset), bytes, anyPlannedBuffersOverlap(UnsafeBufferPointer(b)))
  }
}

/// TFLM's algorithm as written there: the buffers entered into the sort array from its tail
/// (so the last added comes first), a stable descending sort, then an offset-ordered linked
/// list walked for each buffer. The oracle for the scan-based planner.
private func tflmGreedyOracle(_ specs: [(size: Int32, first: Int32, last: Int32)]) -> [Int32] {
  let n = specs.count
  if n == 0 { return [] }
  var ids = Array((0..<n).reversed())
  // Bubble sort as ReverseSortInPlace: swap only when strictly smaller, so ties keep order.
  var swapped = true
  while swapped {
    swapped = false
    for i in 1..<max(n, 1) where specs[ids[i - 1]].size < specs[ids[i]].size {
      ids.swapAt(i - 1, i)
      swapped = true
    }
  }
  var offsets = [Int32](repeating: -1, count: n)
  struct Entry {
    var offset: Int32
    var id: Int
    var next: Int
  }
  var list = [Entry(offset: 0, id: ids[0], next: -1)]
  var first = 0
  offsets[ids[0]] = 0
  func overlaps(_ a: Int, _ b: Int) -> Bool {
    !(specs[a].first > specs[b].last || specs[b].first > specs[a].last)
  }
  for k in 1..<n {
    let id = ids[k]
    var candidate: Int32 = 0
    var prior = -1
    while true {
      var next = prior == -1 ? first : list[prior].next
      while next != -1 && !overlaps(list[next].id, id) { next = list[next].next }
      if prior != -1 { candidate = max(candidate, list[prior].offset + specs[list[prior].id].size) }
      if next == -1 { break }
      if list[next].offset - candidate >= specs[id].size { break }
      prior = next
    }
    offsets[id] = candidate
    list.append(Entry(offset: candidate, id: id, next: -1))
    let new = list.count - 1
    if list[first].offset > candidate {
      list[new].next = first
      first = new
    } else {
      var current = first
      while true {
        let next = list[current].next
        if next == -1 || list[next].offset > candidate {
          list[new].next = next
          list[current].next = new
          break
        }
        current = next
      }
    }
  }
  return offsets
}

@Test func greedyBasicsAsInTFLM() {
  let r = plan([(10, 0, 1), (20, 2, 3)])
  #expect(r.offsets == [0, 0] && r.bytes == 20 && !r.overlap)
}

@Test func greedyMediumAsInTFLM() {
  let r = plan([(10, 0, 1), (20, 1, 2), (30, 2, 3), (40, 3, 4), (50, 0, 1)])
  #expect(r.offsets == [50, 70, 40, 0, 0])
  #expect(r.bytes == 90 && !r.overlap)
}

@Test func overlapCaseAsInTFLM() {
  let r = plan([(100, 0, 1), (50, 2, 3), (20, 1, 2)])
  #expect(r.bytes == 120 && !r.overlap)
}

@Test func personDetectionBuffersAsInTFLM() {
  // The buffer sizes and lifetimes of TFLM's person-detection MobileNet planner test.
  let sizes: [Int32] = [
    9216, 3, 256, 2304, 2304, 2304, 1152, 4608, 4608, 4608, 4608, 4608, 4608, 4608, 4608, 4608,
    4608, 2304, 9216, 9216, 9216, 4608, 18432, 18432, 18432, 9216, 36864, 18432, 18432,
  ]
  let lifetimes: [(Int32, Int32)] =
    [(0, 29), (28, 29)] + (0..<27).map { i in (Int32(27 - i), Int32(28 - i)) }
  let specs = zip(sizes, lifetimes).map { (size: $0, first: $1.0, last: $1.1) }
  let r = plan(specs)
  #expect(!r.overlap)
  #expect(r.bytes < 241_027)
  #expect(r.offsets == tflmGreedyOracle(specs))
}

@Test(arguments: 0..<60) func randomPlansEqualTFLMAndNeverOverlap(seed: Int) {
  var rng = SplitMix64(seed: UInt64(seed))
  let count = Int.random(in: 1...40, using: &rng)
  let specs: [(size: Int32, first: Int32, last: Int32)] = (0..<count).map { _ in
    let first = Int32.random(in: 0...20, using: &rng)
    // Few distinct sizes, so ties in the sort and equal offsets happen.
    let size = Int32(16 * Int.random(in: 1...6, using: &rng))
    return (size, first, first + Int32.random(in: 0...6, using: &rng))
  }
  let r = plan(specs)
  #expect(!r.overlap, "seed \(seed)")
  #expect(r.offsets == tflmGreedyOracle(specs), "seed \(seed)")
  let end = zip(specs, r.offsets).map { Int($1) + Int($0.size) }.max() ?? 0
  #expect(r.bytes == end)
  // No plan can be smaller than the most bytes alive at one time.
  var peak = 0
  for t in Int32(0)...26 {
    peak = max(
      peak, specs.filter { $0.first <= t && t <= $0.last }.map { Int($0.size) }.reduce(0, +))
  }
  #expect(r.bytes >= peak)
}

@Test func unplannedBuffersAreSkipped() {
  var buffers = [
    PlannedBuffer(size: 32, firstUse: 0, lastUse: 1), .unplanned,
    PlannedBuffer(size: 16, firstUse: 1, lastUse: 2),
  ]
  let bytes = buffers.withUnsafeMutableBufferPointer { planGreedy($0) }
  #expect(bytes == 48)
  #expect(buffers[1].offset == -1 && buffers[0].offset == 0 && buffers[2].offset == 32)
}

@Test func equalSizesGoLastAddedFirstAsInTFLM() {
  // The first four buffers of the converter's uint8-input model (golden case sigmoid_u8_float):
  // input 784 [0,1], QUANTIZE out 784 [1,2], PAD out 976 [2,3], CONV out 992 [3,4]. TFLM places
  // the later 784-byte buffer first and fits all four in 1968 bytes; the other order needs 2752.
  let r = plan([(784, 0, 1), (784, 1, 2), (976, 2, 3), (992, 3, 4)])
  #expect(r.bytes == 1968)
  #expect(r.offsets == [784, 0, 992, 0])
}
