import Datasets
import FloatGEMM
import Testing

@testable import Training

/// Random values in [-1, 1) from a seeded generator, so a failure names a reproducible case.
func randomFloats(_ count: Int, _ rng: inout SplitMix64) -> [Float] {
  (0..<count).map { _ in Float.random(in: -1..<1, using: &rng) }
}

/// One GEMM problem: shapes, which operands are stored transposed, whether C accumulates.
struct GEMMCase: CustomStringConvertible {
  var m: Int
  var n: Int
  var k: Int
  var transposeA: Bool
  var transposeB: Bool
  var accumulate: Bool

  var description: String {
    "\(m)x\(k)x\(n) A\(transposeA ? "ᵀ" : "") B\(transposeB ? "ᵀ" : "")"
      + (accumulate ? " +=" : "")
  }

  /// Runs the fast and the reference GEMM on the same random data; returns the largest
  /// difference relative to the size of the sum (|a|·|b| products add up to at most k).
  func maxError(seed: UInt64, tiles: GEMMTiles = .fastest) -> Float {
    var rng = SplitMix64(seed: seed)
    let a = randomFloats(m * k, &rng)
    let b = randomFloats(k * n, &rng)
    let c0 = randomFloats(m * n, &rng)
    var fast = c0
    var slow = c0
    let workspace = GEMMWorkspace(tiles: tiles)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        // A transposed is stored k x m; viewing it `.transposed` gives the m x k operand.
        let av =
          transposeA
          ? MatrixView(pa.baseAddress!, rows: k, columns: m).transposed
          : MatrixView(pa.baseAddress!, rows: m, columns: k)
        let bv =
          transposeB
          ? MatrixView(pb.baseAddress!, rows: n, columns: k).transposed
          : MatrixView(pb.baseAddress!, rows: k, columns: n)
        fast.withUnsafeMutableBufferPointer {
          gemm(
            av, bv, into: MutableMatrixView($0.baseAddress!, rows: m, columns: n),
            accumulate: accumulate, workspace: workspace)
        }
        slow.withUnsafeMutableBufferPointer {
          gemmReference(
            av, bv, into: MutableMatrixView($0.baseAddress!, rows: m, columns: n),
            accumulate: accumulate)
        }
      }
    }
    let scale = Float(max(k, 1))
    return zip(fast, slow).reduce(0) { max($0, abs($1.0 - $1.1) / scale) }
  }
}

@Test func everyCPUWithFMARunsTheFMATiles() {
  // The baseline compilation always; a second (FMA) exactly when CPUID says AVX2 and FMA run.
  #expect(GEMMTiles.available.first?.name == "portable")
  #expect(GEMMTiles.available.map(\.name).allSatisfy { ["portable", "fma"].contains($0) })
  #expect(GEMMTiles.fastest.name == GEMMTiles.available.last?.name)
}

@Test func gemmMatchesAHandComputedProduct() {
  // [[1, 2, 3], [4, 5, 6]] · [[7, 8], [9, 10], [11, 12]] = [[58, 64], [139, 154]]
  let a: [Float] = [1, 2, 3, 4, 5, 6]
  let b: [Float] = [7, 8, 9, 10, 11, 12]
  var c = [Float](repeating: -1, count: 4)
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer {
        gemm(
          MatrixView(pa.baseAddress!, rows: 2, columns: 3),
          MatrixView(pb.baseAddress!, rows: 3, columns: 2),
          into: MutableMatrixView($0.baseAddress!, rows: 2, columns: 2),
          workspace: GEMMWorkspace())
      }
    }
  }
  #expect(c == [58, 64, 139, 154])
}

// Edges of every blocking level: the 6x16 tile, the 120-row and 256-deep blocks, a k of 0; B
// read in place (m <= 24) and packed; the k-contiguous dot kernel (A·Bᵀ with k >= 256) with
// its 4x3 tile edges, its 1024-deep blocks and k tails that are not multiples of 8. Every
// compilation of the tiles this CPU runs (GEMMTiles.available: the baseline, and FMA where the
// CPU has it).
@Test(arguments: [
  (1, 1, 1), (6, 16, 1), (5, 15, 7), (7, 17, 3), (6, 16, 256), (6, 16, 257), (13, 33, 255),
  (121, 20, 40), (120, 16, 512), (2, 3, 0), (1, 100, 9), (100, 1, 9), (16, 150, 100),
  (37, 4099, 5), (24, 64, 30), (25, 64, 30), (6, 25, 3001), (16, 150, 1029), (5, 7, 2050),
])
func gemmMatchesReferenceOnEdgeShapes(m: Int, n: Int, k: Int) {
  for transposeA in [false, true] {
    for transposeB in [false, true] {
      for accumulate in [false, true] {
        let gemmCase = GEMMCase(
          m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
          accumulate: accumulate)
        for tiles in GEMMTiles.available {
          let error = gemmCase.maxError(seed: UInt64(m * 1_000_003 + n * 1009 + k), tiles: tiles)
          #expect(error < 1e-6, "\(gemmCase), \(tiles.name) tiles: max error \(error)")
        }
      }
    }
  }
}

@Test(arguments: 0..<40)
func gemmMatchesReferenceOnRandomShapes(seed: Int) {
  var rng = SplitMix64(seed: UInt64(seed))
  let gemmCase = GEMMCase(
    m: Int.random(in: 1...70, using: &rng), n: Int.random(in: 1...300, using: &rng),
    k: Int.random(in: 1...300, using: &rng), transposeA: Bool.random(using: &rng),
    transposeB: Bool.random(using: &rng), accumulate: Bool.random(using: &rng))
  for tiles in GEMMTiles.available {
    let error = gemmCase.maxError(seed: UInt64(seed) &+ 77, tiles: tiles)
    #expect(error < 1e-6, "seed \(seed), \(gemmCase), \(tiles.name) tiles: max error \(error)")
  }
}
