import Graph
import Testing

@testable import Estimator

/// TFLM's planner tests assert that no two buffers alive together share bytes; so do we.
func expectNoOverlaps(_ placements: [ArenaPlanner.Placement], _ label: String) {
  for (i, a) in placements.enumerated() {
    for b in placements[(i + 1)...] where a.tensor.overlapsInTime(b.tensor) {
      let aEnd = a.offset + a.tensor.bytes
      let bEnd = b.offset + b.tensor.bytes
      #expect(
        aEnd <= b.offset || bEnd <= a.offset,
        "\(label): \(a.tensor.name) [\(a.offset), \(aEnd)) overlaps \(b.tensor.name) [\(b.offset), \(bEnd))"
      )
    }
  }
}

@Test func lenet5ArenaIsTheHandPlannedLayout() throws {
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  let (size, placements) = ArenaPlanner.plan(work.tensors)
  expectNoOverlaps(placements, "lenet5")
  // Largest first: conv1's 28*28*6 = 4704 B at 0; pool1's 14*14*6 = 1176 B lives with conv1's
  // output and conv2's, so it goes above conv1's: 4704 + 1184 (16-byte aligned) = 5888.
  #expect(size == 5888)
  #expect(placements.first { $0.tensor.name == "pool1" }?.offset == 4704)
}

@Test(arguments: ["lenet5", "cnn-small", "alexnet", "vgg16"])
func zooArenasNeverOverlap(name: String) throws {
  let work = try ModelWork(graph: #require(try ModelZoo.named(name)), name: name)
  let (size, placements) = ArenaPlanner.plan(work.tensors)
  expectNoOverlaps(placements, name)
  // A chain needs at least its largest producer-consumer pair at once.
  var largestPair = 0
  for l in work.layers where l.op != .reshape {
    largestPair = max(largestPair, l.inputCount + l.outputCount)
  }
  #expect(size >= largestPair)
  #expect(size <= work.tensors.reduce(0) { $0 + ArenaPlanner.aligned($1.bytes) })
}

@Test func residualBranchStaysAliveUntilTheAdd() throws {
  // input -> a -> b, add(input, b): the input must survive until the add reads it.
  let shape = FeatureShape(channels: 8, height: 4, width: 4)
  let graph = try ModelGraph(nodes: [
    Node("input", .input(shape), inputs: []),
    Node("a", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(1))), inputs: ["input"]),
    Node("b", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(1))), inputs: ["a"]),
    Node("sum", .add, inputs: ["input", "b"]),
  ])
  let work = try ModelWork(graph: graph, name: "res")
  let input = try #require(work.tensors.first { $0.name == "input" })
  #expect(input.lastOp == 2)  // the ADD is operator 2
  let (size, placements) = ArenaPlanner.plan(work.tensors)
  expectNoOverlaps(placements, "res")
  #expect(size == 3 * 128)  // input, a's or b's output, and the sum's are never all dead
}
