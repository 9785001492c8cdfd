import FloatGEMM

/// Packing buffers for `gemm`, allocated once and reused, and the register tiles it runs: one
/// per thread, never shared.
public final class GEMMWorkspace {
  // BLIS's blocking for Zen with float: a kc x nc block of B stays in L3 (4 MB at most), an
  // mc x kc block of A in L2 (120 KB), one kc x 16 B panel in L1 (16 KB) while every A panel of
  // the block streams past it.
  static let depthBlock = 256  // KC
  static let rowBlock = 120  // MC, a multiple of 6
  static let columnBlock = 4096  // NC, a multiple of 16

  let packedA: UnsafeMutablePointer<Float>
  let packedB: UnsafeMutablePointer<Float>
  let edge: UnsafeMutablePointer<Float>  // one 6 x 16 tile
  /// The tiles' compilation: the fastest this CPU runs unless a test asks for another.
  public let tiles: GEMMTiles

  public init(tiles: GEMMTiles = .fastest) {
    self.tiles = tiles
    let aCount = Self.rowBlock * Self.depthBlock
    let bCount = Self.depthBlock * Self.columnBlock
    packedA = Self.allocate(aCount)
    packedB = Self.allocate(bCount)
    edge = Self.allocate(GEMMTileShape.rows * GEMMTileShape.columns)
  }

  deinit {
    packedA.deallocate()
    packedB.deallocate()
    edge.deallocate()
  }

  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
    return raw.initializeMemory(as: Float.self, repeating: 0, count: count)
  }
}

/// `C = A·B`, or `C += A·B` when `accumulate`, single-threaded; equals `gemmReference` up to
/// float rounding. BLIS's algorithm: B is packed into 16-column panels and A into 6-row panels
/// (zero-padded at the edges, read through the views' strides, so transposed operands cost no
/// extra pass), and the 6x16 register tile (`GEMMTiles.tile6x16`, FloatGEMM, in the
/// workspace's compilation) does all the arithmetic.
///
/// Callers put the long dimension (pixels of a batch) in `n`: the SIMD lanes run along it, and a
/// small `n` (6 or 16 output channels) would waste most of each 16-wide panel (recipe §3).
///
/// - Parameters:
///   - a: `m x k`
///   - b: `k x n`
///   - c: `m x n`, dense columns
public func gemm(
  _ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView, accumulate: Bool = false,
  workspace: GEMMWorkspace
) {
  precondition(a.columns == b.rows && c.rows == a.rows && c.columns == b.columns, "GEMM shapes")
  let (m, n, k) = (c.rows, c.columns, a.columns)
  if m == 0 || n == 0 { return }
  if k == 0 {
    if !accumulate {
      for row in 0..<m { (c.base + row * c.rowStride).update(repeating: 0, count: n) }
    }
    return
  }
  if a.columnStride == 1 && b.rowStride == 1 && k >= 256 && m * n <= 64 * k {
    // Both operands contiguous along a long k and a small C: the weight-gradient shape.
    return GEMMDotKernel.gemm(a, b, into: c, accumulate: accumulate, tiles: workspace.tiles)
  }
  let mr = GEMMTileShape.rows
  let nr = GEMMTileShape.columns
  // With few 6-row panels each 16-column strip of B is used a few times at most, so packing B
  // would copy all of B to save little: the kernel reads it in place instead (the im2col
  // columns of a conv with 6 or 16 output channels, LeNet's). A strip's rows are far apart and
  // share L1 sets, so its reuse comes from L2; at 64 B of B per 12 FMAs that still keeps up. Only
  // full 16-wide strips; the ragged right edge is packed as usual.
  let readsBInPlace = m <= 4 * mr && b.columnStride == 1
  for columnStart in stride(from: 0, to: n, by: GEMMWorkspace.columnBlock) {
    let columns = min(GEMMWorkspace.columnBlock, n - columnStart)
    for depthStart in stride(from: 0, to: k, by: GEMMWorkspace.depthBlock) {
      let depth = min(GEMMWorkspace.depthBlock, k - depthStart)
      let inPlaceColumns = readsBInPlace ? columns / nr * nr : 0
      if inPlaceColumns < columns {
        packB(
          b, depthStart: depthStart, depth: depth, columnStart: columnStart + inPlaceColumns,
          columns: columns - inPlaceColumns, into: workspace.packedB)
      }
      // The first depth block writes C (unless the caller accumulates), the later ones add.
      let add = accumulate || depthStart > 0
      for rowStart in stride(from: 0, to: m, by: GEMMWorkspace.rowBlock) {
        let rows = min(GEMMWorkspace.rowBlock, m - rowStart)
        packA(
          a, rowStart: rowStart, rows: rows, depthStart: depthStart, depth: depth,
          into: workspace.packedA)
        for panelColumn in stride(from: 0, to: columns, by: nr) {
          let tileColumns = min(nr, columns - panelColumn)
          let pb: UnsafePointer<Float>
          let bRowStride: Int
          if panelColumn < inPlaceColumns {
            pb = b.base + depthStart * b.rowStride + columnStart + panelColumn
            bRowStride = b.rowStride
          } else {
            pb = UnsafePointer(workspace.packedB + (panelColumn - inPlaceColumns) * depth)
            bRowStride = nr
          }
          for panelRow in stride(from: 0, to: rows, by: mr) {
            let tileRows = min(mr, rows - panelRow)
            let pa = UnsafePointer(workspace.packedA + panelRow * depth)
            let pc = c.base + (rowStart + panelRow) * c.rowStride + columnStart + panelColumn
            if tileRows == mr && tileColumns == nr {
              workspace.tiles.tile6x16(depth, pa, pb, bRowStride, pc, c.rowStride, add)
            } else {
              edgeTile(
                depth: depth, a: pa, b: pb, bRowStride: bRowStride, c: pc,
                rowStride: c.rowStride, accumulate: add, rows: tileRows, columns: tileColumns,
                workspace: workspace)
            }
          }
        }
      }
    }
  }
}

/// Copies `A[rowStart..<rowStart+rows, depthStart..<depthStart+depth]` into 6-row panels laid
/// out `[panel][depth][6]`, zero-filling the rows past the edge.
private func packA(
  _ a: MatrixView, rowStart: Int, rows: Int, depthStart: Int, depth: Int,
  into packed: UnsafeMutablePointer<Float>
) {
  let mr = GEMMTileShape.rows
  var out = packed
  for panelRow in stride(from: 0, to: rows, by: mr) {
    let valid = min(mr, rows - panelRow)
    let origin = a.base + (rowStart + panelRow) * a.rowStride + depthStart * a.columnStride
    if a.rowStride == 1 && valid == mr {
      // Aᵀ stored row-major: the 6 values of one depth step are adjacent.
      var source = origin
      for step in 0..<depth {
        (out + step * mr).update(from: source, count: mr)
        source += a.columnStride
      }
    } else {
      for row in 0..<mr {
        if row < valid {
          var source = origin + row * a.rowStride
          for step in 0..<depth {
            out[step * mr + row] = source.pointee
            source += a.columnStride
          }
        } else {
          for step in 0..<depth { out[step * mr + row] = 0 }
        }
      }
    }
    out += mr * depth
  }
}

/// Copies `B[depthStart..<depthStart+depth, columnStart..<columnStart+columns]` into 16-column
/// panels laid out `[panel][depth][16]`, zero-filling the columns past the edge.
private func packB(
  _ b: MatrixView, depthStart: Int, depth: Int, columnStart: Int, columns: Int,
  into packed: UnsafeMutablePointer<Float>
) {
  let nr = GEMMTileShape.columns
  var out = packed
  for panelColumn in stride(from: 0, to: columns, by: nr) {
    let valid = min(nr, columns - panelColumn)
    let origin = b.base + depthStart * b.rowStride + (columnStart + panelColumn) * b.columnStride
    if b.columnStride == 1 && valid == nr {
      // The common case (im2col columns, activations): 16 adjacent floats per depth step.
      var source = origin
      for step in 0..<depth {
        let lo = UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self)
        let hi = UnsafeRawPointer(source + 8).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(out + step * nr).storeBytes(of: lo, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(out + step * nr + 8).storeBytes(of: hi, as: SIMD8<Float>.self)
        source += b.rowStride
      }
    } else {
      for column in 0..<nr {
        if column < valid {
          var source = origin + column * b.columnStride
          for step in 0..<depth {
            out[step * nr + column] = source.pointee
            source += b.rowStride
          }
        } else {
          for step in 0..<depth { out[step * nr + column] = 0 }
        }
      }
    }
    out += nr * depth
  }
}

/// A tile at the matrix's bottom edge (`rows < 6`) or at the right edge of a packed B
/// (`columns < 16`): the full tile goes to the workspace's scratch tile (packed panels are
/// zero-padded, so the extra lanes are harmless), then only the valid part reaches C.
private func edgeTile(
  depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, bRowStride: Int,
  c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool,
  rows: Int, columns: Int, workspace: GEMMWorkspace
) {
  let scratch = workspace.edge
  let width = GEMMTileShape.columns
  workspace.tiles.tile6x16(depth, a, b, bRowStride, scratch, width, false)
  for row in 0..<rows {
    let from = scratch + row * width
    let to = c + row * rowStride
    if accumulate {
      for column in 0..<columns { to[column] += from[column] }
    } else {
      to.update(from: from, count: columns)
    }
  }
}
