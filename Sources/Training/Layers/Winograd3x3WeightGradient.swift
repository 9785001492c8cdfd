/// The weight gradient of a convolution `Winograd3x3` runs forward, by the same F(2x2, 3x3).
/// With `M_ξ = U_ξ · V_ξ` per point and `Y = Aᵀ M A` per tile, the chain rule through the three
/// steps, backwards:
///
///     dM = A dY Aᵀ                          each 2x2 block of dy to a 4x4 tile
///     dU_ξ[o][i] = Σ_t dM_ξ[o][t] · V_ξ[i][t]  a GEMM per point, summed over the tiles
///     dg = Gᵀ dU G                          each filter's 4x4 back to its 3x3
///
/// 16 products per 2x2 block of outputs and (o, i) pair instead of the 36 of `dW = dy · colᵀ`
/// (2.25x fewer multiply-adds), and no columns: V is the forward pass's input transform of x,
/// made again. Tiles past an odd edge read zeros from dy, so they add nothing. The float sums
/// round differently from the direct path's, as the forward pass's do.
extension Winograd3x3 {
  /// `dw = ∂L/∂w` over `samples` (overwritten, `[O][I][3][3]`, Conv2d's weight layout) from the
  /// layer's input x and its output gradient dy.
  func weightGradient(
    _ x: TensorView, _ dy: TensorView, samples: Range<Int>, into dw: UnsafeMutablePointer<Float>,
    buffers: Buffers, budget: Int, workspace: GEMMWorkspace
  ) {
    let (i, o, points) = (inChannels, outChannels, Self.points)
    let du = buffers.filters.reserve(points * o * i)
    let scratch = buffers.rows.reserve(max(scratchCount, outputGradientScratchCount))
    forEachChunk(samples, budget: budget, buffers: buffers) { chunk, n, lead, v, m in
      for (k, sample) in chunk.enumerated() {
        transformInput(x.sample(sample), into: v, columns: lead, first: k * tiles, scratch: scratch)
        transformOutputGradient(
          dy.sample(sample), into: m, columns: lead, first: k * tiles, scratch: scratch)
      }
      // Both operands run along the tiles (k), dU is small: the weight-gradient GEMM's shape,
      // read in place whatever the chunk's width (packing Vᵀ would be a scalar transpose).
      for point in 0..<points {
        GEMMDotKernel.gemm(
          MatrixView(m + point * o * lead, rows: o, columns: n, leadingDimension: lead),
          MatrixView(v + point * i * lead, rows: i, columns: n, leadingDimension: lead).transposed,
          into: MutableMatrixView(du + point * o * i, rows: o, columns: i),
          accumulate: chunk.lowerBound != samples.lowerBound, tiles: workspace.tiles)
      }
    }
    transformFilterGradient(du, into: dw)
  }

  /// Floats of scratch `transformOutputGradient` uses: the zero-padded planes of dy.
  private var outputGradientScratchCount: Int { outChannels * 2 * tileRows * 2 * laneColumns }

  /// `dM_ξ[o][first + t] = (A dY Aᵀ)[ξ]` for every tile t of one sample's output gradient, M
  /// laid out `[16][O][columns]` as `run`'s products. The planes are first copied zero-padded to
  /// whole tiles and lane steps (rows `2 * tileRows`, columns `2 * laneColumns`; each float
  /// written once), every channel before the transform reads one (see `transformInput`); a
  /// tile's two columns are then the even and odd floats of its rows, 8 tiles a step. A row's
  /// last step runs into the next row's tiles (written after it) or into the lane padding.
  func transformOutputGradient(
    _ dy: UnsafePointer<Float>, into m: UnsafeMutablePointer<Float>, columns: Int, first: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let (tileColumns, channels) = (tileColumns, outChannels)
    let (rows, padded) = (2 * tileRows, 2 * laneColumns)
    for c in 0..<channels {
      for y in 0..<outHeight {
        let line = scratch + (c * rows + y) * padded
        copyRow(dy + (c * outHeight + y) * outWidth, to: line, count: outWidth)
        fillRow(line + outWidth, 0, count: padded - outWidth)
      }
      fillRow(scratch + (c * rows + outHeight) * padded, 0, count: (rows - outHeight) * padded)
    }
    let pointStep = channels * columns  // from point ξ to ξ + 1
    for c in 0..<channels {
      for tileRow in 0..<tileRows {
        let top = UnsafePointer(scratch + (c * rows + 2 * tileRow) * padded)
        let target = m + c * columns + first + tileRow * tileColumns
        for t in stride(from: 0, to: tileColumns, by: 8) {
          let (e0, o0) = loadDeinterleaved(top + 2 * t)
          let (e1, o1) = loadDeinterleaved(top + padded + 2 * t)
          // Row p of A dY from the even (first) and odd (second) columns, then A's column
          // combinations of it: points 4p ..< 4p + 4.
          @inline(__always) func spread(_ e: SIMD8<Float>, _ o: SIMD8<Float>, _ p: Int) {
            let out = target + 4 * p * pointStep + t
            storeLanes(e, out)
            storeLanes(e + o, out + pointStep)
            storeLanes(e - o, out + 2 * pointStep)
            storeLanes(-o, out + 3 * pointStep)
          }
          // A's rows combine (y₀, y₁) as y₀, y₀ + y₁, y₀ - y₁, -y₁.
          spread(e0, o0, 0)
          spread(e0 + e1, o0 + o1, 1)
          spread(e0 - e1, o0 - o1, 2)
          spread(-e1, -o1, 3)
        }
      }
    }
  }

  /// `dw[o][i] = Gᵀ dU[·][o][i] G` for every filter, from dU laid out `[16][O][I]` as
  /// `transformFilters` lays U out: the adjoint of that transform.
  func transformFilterGradient(_ du: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
    let (i, o) = (inChannels, outChannels)
    for out in 0..<o {
      for input in 0..<i {
        @inline(__always) func at(_ row: Int, _ column: Int) -> Float {
          du[((row * 4 + column) * o + out) * i + input]
        }
        let g = dw + (out * i + input) * 9
        // Gᵀ dU (3 x 4), then (Gᵀ dU) G: Gᵀ's rows are the same combinations on both sides.
        for row in 0..<3 {
          let t0 = gather(at(0, 0), at(1, 0), at(2, 0), at(3, 0), row)
          let t1 = gather(at(0, 1), at(1, 1), at(2, 1), at(3, 1), row)
          let t2 = gather(at(0, 2), at(1, 2), at(2, 2), at(3, 2), row)
          let t3 = gather(at(0, 3), at(1, 3), at(2, 3), at(3, 3), row)
          for column in 0..<3 { g[row * 3 + column] = gather(t0, t1, t2, t3, column) }
        }
      }
    }
  }

  /// Row k of Gᵀ applied to (a, b, c, d): a + (b + c) / 2, (b - c) / 2, (b + c) / 2 + d.
  @inline(__always) private func gather(
    _ a: Float, _ b: Float, _ c: Float, _ d: Float, _ k: Int
  ) -> Float {
    switch k {
    case 0: a + (b + c) * 0.5
    case 1: (b - c) * 0.5
    default: (b + c) * 0.5 + d
    }
  }
}
