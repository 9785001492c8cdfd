import Graph

/// A 3x3 convolution at stride 1 by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", CVPR 2016, §4): each 2x2 block of output
/// comes from the 4x4 input tile d under it and the filter g as
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
///          ⎡1  0 -1  0⎤        ⎡1   0   0⎤
///     Bᵀ = ⎢0  1  1  0⎥    G = ⎢½   ½   ½⎥    Aᵀ = ⎡1  1  1  0⎤
///          ⎢0 -1  1  0⎥        ⎢½  -½   ½⎥         ⎣0  1 -1 -1⎦
///          ⎣0  1  0 -1⎦        ⎣0   0   1⎦
///
/// Summed over input channels, the element-wise product of each point ξ of the 4x4 transformed
/// tile is a GEMM: `M_ξ[O x N] = U_ξ[O x I] · V_ξ[I x N]`, U the transformed filters, V the
/// transformed tiles of a chunk of samples (N tiles side by side). 16 products per 2x2 outputs
/// instead of 36 (2.25x fewer multiply-adds); the transforms are additions, and the float sums
/// round differently from the direct convolution's (within a few ulps of the values summed).
///
/// Conv2d runs its forward pass this way and its input gradient too, which is a 3x3 stride-1
/// convolution of the output gradient with the filters flipped and transposed
/// (`w'[c][o][ky][kx] = w[o][c][2-ky][2-kx]`) and padding 2 - p. The direct im2col + GEMM path
/// stays beside it: the reference the tests compare with, the weight gradient's, and every shape
/// this one does not take.
struct Winograd3x3 {
  let inChannels: Int
  let outChannels: Int
  let height: Int
  let width: Int
  let padding: Size2
  let outHeight: Int
  let outWidth: Int

  /// Points of a transformed tile, one GEMM each.
  static let points = 16
  /// Fewer channels than this on either side make each point's GEMM too shallow or too narrow to
  /// pay for the transforms (cnn-small's first conv has one input channel).
  static let minimumChannels = 8

  var tileRows: Int { (outHeight + 1) / 2 }
  var tileColumns: Int { (outWidth + 1) / 2 }
  var tiles: Int { tileRows * tileColumns }
  /// The transforms run 8 tiles of a row at a time (SIMD8 lanes), the last step of a row past
  /// its end: that many tile columns.
  var laneColumns: Int { (tileColumns + 7) / 8 * 8 }
  /// Rows of a zero-padded input plane: those the tiles read, `0..<2*tileRows + 2`.
  private var paddedRows: Int { 2 * tileRows + 2 }
  /// Floats of scratch the transforms use (`transformInput`'s is the larger).
  var scratchCount: Int {
    inChannels * paddedRows * 2 * splitWidth + 16
  }
  /// Floats of each half (even, odd) of a split row: columns `0...laneColumns`, the rest of the
  /// last 8-float step, and the splitting steps' last stores.
  private var splitWidth: Int { laneColumns + 16 }
  /// Row stride of V and M: the last lane step of a chunk's last row of tiles writes (V) or
  /// reads (M) up to 7 columns past the chunk's N, and those must not be the next row's.
  static let lanePadding = 8

  private init?(
    inChannels: Int, outChannels: Int, height: Int, width: Int, padding: Size2,
    minimumChannels: Int
  ) {
    guard inChannels >= minimumChannels && outChannels >= minimumChannels,
      (0...2).contains(padding.height) && (0...2).contains(padding.width)
    else { return nil }
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.height = height
    self.width = width
    self.padding = padding
    outHeight = height + 2 * padding.height - 2
    outWidth = width + 2 * padding.width - 2
    guard outHeight >= 2 && outWidth >= 2 else { return nil }
  }

  /// Whether a convolution of this geometry is one Winograd takes: 3x3, stride 1, no dilation,
  /// one group, padding at most 2 (so the input gradient's padding 2 - p is one too).
  private static func takes(_ geometry: ConvGeometry, groups: Int) -> Bool {
    geometry.kernel == Size2(3, 3) && geometry.stride == Size2(1, 1)
      && geometry.dilation == Size2(1, 1) && groups == 1
  }

  /// The forward pass of the convolution `geometry` with `outChannels` filters, or nil when
  /// Winograd does not take it (`minimumChannels`: tests take every channel count).
  static func forward(
    _ geometry: ConvGeometry, outChannels: Int, groups: Int,
    minimumChannels: Int = Self.minimumChannels
  ) -> Winograd3x3? {
    guard takes(geometry, groups: groups) else { return nil }
    return Winograd3x3(
      inChannels: geometry.channels, outChannels: outChannels, height: geometry.height,
      width: geometry.width, padding: geometry.padding, minimumChannels: minimumChannels)
  }

  /// The input gradient of that convolution: from the output gradient (`outChannels` planes of
  /// the output's size) to the input's planes, with the flipped, transposed filters.
  static func inputGradient(
    _ geometry: ConvGeometry, outChannels: Int, groups: Int,
    minimumChannels: Int = Self.minimumChannels
  ) -> Winograd3x3? {
    guard takes(geometry, groups: groups) else { return nil }
    let padding = Size2(2 - geometry.padding.height, 2 - geometry.padding.width)
    return Winograd3x3(
      inChannels: outChannels, outChannels: geometry.channels, height: geometry.outHeight,
      width: geometry.outWidth, padding: padding, minimumChannels: minimumChannels)
  }

  /// Samples per chunk: as many as keep the transformed tiles and products (`16 x (I + O)`
  /// floats per tile) within `budget` floats, at least one.
  func chunkSamples(budget: Int) -> Int {
    max(1, budget / (Self.points * (inChannels + outChannels) * tiles))
  }

  /// `y = conv(x, w) (+ bias)` for `samples`, overwriting y. `filters` is Conv2d's weight
  /// `[O][I][3][3]`, or with `flipped` the weight of the convolution this one is the input
  /// gradient of (`[I][O][3][3]`, each 3x3 read reversed).
  func run(
    _ x: TensorView, into y: TensorView, samples: Range<Int>, filters: UnsafePointer<Float>,
    flipped: Bool, bias: UnsafePointer<Float>?, buffers: Buffers, budget: Int,
    workspace: GEMMWorkspace
  ) {
    let (i, o, points) = (inChannels, outChannels, Self.points)
    let u = buffers.filters.reserve(points * o * i)
    transformFilters(filters, flipped: flipped, into: u)
    let rows = buffers.rows.reserve(scratchCount)
    forEachChunk(samples, budget: budget, buffers: buffers) { chunk, n, lead, v, m in
      for (k, sample) in chunk.enumerated() {
        transformInput(x.sample(sample), into: v, columns: lead, first: k * tiles, scratch: rows)
      }
      for point in 0..<points {
        gemm(
          MatrixView(u + point * o * i, rows: o, columns: i),
          MatrixView(v + point * i * lead, rows: i, columns: n, leadingDimension: lead),
          into: MutableMatrixView(
            m + point * o * lead, rows: o, columns: n, leadingDimension: lead),
          workspace: workspace)
      }
      for (k, sample) in chunk.enumerated() {
        transformOutput(
          m, columns: lead, first: k * tiles, into: y.sample(sample), bias: bias,
          scratch: rows)
      }
    }
  }

  /// Runs `body(chunk, n, lead, v, m)` on each chunk of `samples`, `chunkSamples(budget:)` at a
  /// time: its n tiles, the row stride of V and M (`lanePadding` past n), and the worker's V
  /// (`[16][I][lead]`) and M (`[16][O][lead]`) sized for it.
  func forEachChunk(
    _ samples: Range<Int>, budget: Int, buffers: Buffers,
    _ body: (
      _ chunk: Range<Int>, _ n: Int, _ lead: Int, _ v: UnsafeMutablePointer<Float>,
      _ m: UnsafeMutablePointer<Float>
    ) -> Void
  ) {
    let step = chunkSamples(budget: budget)
    for start in stride(from: samples.lowerBound, to: samples.upperBound, by: step) {
      let chunk = start..<min(start + step, samples.upperBound)
      let n = chunk.count * tiles
      let lead = n + Self.lanePadding
      body(
        chunk, n, lead, buffers.tiles.reserve(Self.points * inChannels * lead),
        buffers.products.reserve(Self.points * outChannels * lead))
    }
  }

  /// A worker's buffers: transformed filters, tiles and products, and a few rows of scratch.
  final class Buffers {
    let filters = FloatBuffer()
    let tiles = FloatBuffer()
    let products = FloatBuffer()
    let rows = FloatBuffer()
  }

  // MARK: - Transforms

  /// `U_ξ[o][i] = (G g Gᵀ)[ξ]` for every filter g, laid out `[16][O][I]`.
  func transformFilters(
    _ w: UnsafePointer<Float>, flipped: Bool, into u: UnsafeMutablePointer<Float>
  ) {
    let (i, o) = (inChannels, outChannels)
    for out in 0..<o {
      for input in 0..<i {
        let g = flipped ? w + (input * o + out) * 9 : w + (out * i + input) * 9
        // Reversing the 9 taps flips both axes.
        @inline(__always) func tap(_ row: Int, _ column: Int) -> Float {
          flipped ? g[8 - (row * 3 + column)] : g[row * 3 + column]
        }
        // G g (4 x 3), then (G g) Gᵀ: G's rows are the same combinations on both sides.
        for row in 0..<4 {
          let t0 = combine(tap(0, 0), tap(1, 0), tap(2, 0), row)
          let t1 = combine(tap(0, 1), tap(1, 1), tap(2, 1), row)
          let t2 = combine(tap(0, 2), tap(1, 2), tap(2, 2), row)
          for column in 0..<4 {
            u[((row * 4 + column) * o + out) * i + input] = combine(t0, t1, t2, column)
          }
        }
      }
    }
  }

  /// Row k of G applied to (a, b, c): a, (a + b + c) / 2, (a - b + c) / 2, c.
  @inline(__always) private func combine(_ a: Float, _ b: Float, _ c: Float, _ k: Int) -> Float {
    switch k {
    case 0: a
    case 1: (a + b + c) * 0.5
    case 2: (a - b + c) * 0.5
    default: c
    }
  }

  /// `V_ξ[c][first + t] = (Bᵀ d B)[ξ]` for every tile t of one sample's planes, V laid out
  /// `[16][I][columns]`. Each input row, zero-padded, is split into its even and odd columns
  /// (`splitRow`), so tile t's four columns are `even[t], odd[t], even[t+1], odd[t+1]`
  /// (contiguous loads, 8 tiles a step); then each row of tiles takes B's column combinations
  /// of its four rows and Bᵀ's row combinations of those in registers, and stores its 16 points
  /// to V. (Zero-padded copies of the planes, then the split of those, then the column
  /// combinations in scratch rows made three more passes over memory.)
  ///
  /// Each step runs over every channel before the next reads its results: a load that
  /// straddles stores still in the store buffer waits for them to reach the cache, and reading
  /// each row right after writing it made those waits a quarter of the transform.
  func transformInput(
    _ x: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, columns: Int, first: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let (width, channels, line) = (width, inChannels, 2 * splitWidth)
    let (rows, top) = (paddedRows, padding.height)
    // Scratch: the split rows [I][rows][2][splitWidth], then 16 floats for `splitRow`.
    let (split, edge) = (scratch, scratch + channels * rows * line)
    for c in 0..<channels {
      let (image, plane) = (x + c * height * width, split + c * rows * line)
      fillRow(plane, 0, count: top * line)
      for y in 0..<height {
        splitRow(
          image + y * width, end: image + height * width, into: plane + (top + y) * line,
          edge: edge)
      }
      fillRow(plane + (top + height) * line, 0, count: (rows - top - height) * line)
    }
    for c in 0..<channels {
      for tileRow in 0..<tileRows {
        transformTileRow(
          split + (c * rows + 2 * tileRow) * line,
          into: v + c * columns + first + tileRow * tileColumns, pointStep: channels * columns)
      }
    }
  }

  /// One input row (`width` floats at `row`), padded with `padding.width` zeros on the left and
  /// zeros past its end, split into its even columns (`target[0..<splitWidth]`) and odd ones
  /// (the next `splitWidth`). x's floats are read 16 at a time straight from the row, each
  /// step's 8 even and 8 odd ones stored where their padded column puts them; a step past the
  /// row reads the next row's floats (cleared after), and one that would read past the plane's
  /// `end` reads a copy of the plane's last floats in `edge` instead.
  @inline(__always) private func splitRow(
    _ row: UnsafePointer<Float>, end: UnsafePointer<Float>,
    into target: UnsafeMutablePointer<Float>, edge: UnsafeMutablePointer<Float>
  ) {
    let (width, left, half) = (width, padding.width, splitWidth)
    // x[2m] lands at padded column 2m + left, x[2m + 1] at 2m + 1 + left: for an odd left,
    // the even ones are odd columns and the odd ones even columns one further on.
    let (evens, odds) =
      left % 2 == 0 ? (target + left / 2, target + half + left / 2) : (target + half, target + 1)
    for m in stride(from: 0, to: width, by: 16) {
      var source = row + m
      if end - source < 16 {
        copyRow(source, to: edge, count: end - source)
        source = UnsafePointer(edge)
      }
      let (e, o) = loadDeinterleaved(source)
      storeLanes(e, evens + m / 2)
      storeLanes(o, odds + m / 2)
    }
    // Padded columns 0..<left and from left + width on are zeros: the even and odd ones.
    let (padEven, padOdd) = ((left + 1) / 2, left / 2)
    fillRow(target, 0, count: padEven)
    fillRow(target + half, 0, count: padOdd)
    let (endEven, endOdd) = ((left + width + 1) / 2, (left + width) / 2)
    fillRow(target + endEven, 0, count: half - endEven)
    fillRow(target + half + endOdd, 0, count: half - endOdd)
  }

  /// `Bᵀ d B` for one row of tiles from its four input rows' even and odd columns (`rows`,
  /// `[4][2][splitWidth]`), point ξ stored at `target + ξ * pointStep`. A row's last step runs
  /// past its tiles into the next row's (written later) or into V's lane padding.
  @inline(__always) private func transformTileRow(
    _ rows: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, pointStep: Int
  ) {
    let (tileColumns, half) = (tileColumns, splitWidth)
    for t in stride(from: 0, to: tileColumns, by: 8) {
      // B's column combination k of input row r: (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
      @inline(__always) func combination(_ r: Int, _ k: Int) -> SIMD8<Float> {
        let even = rows + r * 2 * half + t
        let odd = even + half
        switch k {
        case 0: return loadLanes(even) - loadLanes(even + 1)
        case 1: return loadLanes(odd) + loadLanes(even + 1)
        case 2: return loadLanes(even + 1) - loadLanes(odd)
        default: return loadLanes(odd) - loadLanes(odd + 1)
        }
      }
      // Bᵀ's row combinations of the four, the same on the other axis: points k, 4 + k, ...
      for k in 0..<4 {
        let (d0, d1) = (combination(0, k), combination(1, k))
        let (d2, d3) = (combination(2, k), combination(3, k))
        let out = target + k * pointStep + t
        storeLanes(d0 - d2, out)
        storeLanes(d1 + d2, out + 4 * pointStep)
        storeLanes(d2 - d1, out + 8 * pointStep)
        storeLanes(d1 - d3, out + 12 * pointStep)
      }
    }
  }

  /// `y[o] = Aᵀ m A (+ bias[o])` for every tile of one sample, from M laid out
  /// `[16][O][columns]`; the tiles' second row and column are dropped past an odd edge. Steps
  /// of 8 tiles whose 16 columns lie inside the row store straight into y; a row's last step,
  /// which may run into the next row's tiles (or the lane padding), stores into scratch rows and
  /// its columns inside the row are copied from there.
  func transformOutput(
    _ m: UnsafePointer<Float>, columns: Int, first: Int, into y: UnsafeMutablePointer<Float>,
    bias: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>
  ) {
    let (outWidth, tileColumns) = (outWidth, tileColumns)
    let step = outChannels * columns  // from point ξ to ξ + 1
    let (top, bottom) = (scratch, scratch + 2 * laneColumns)
    // Tiles of a row the direct steps take: those of every step t with 2t + 16 <= outWidth.
    let direct = outWidth < 16 ? 0 : min(tileColumns, ((outWidth - 16) / 16 + 1) * 8)
    for o in 0..<outChannels {
      let b = SIMD8<Float>(repeating: bias?[o] ?? 0)
      let plane = y + o * outHeight * outWidth
      for tileRow in 0..<tileRows {
        let p = m + o * columns + first + tileRow * tileColumns
        // Aᵀ m A of 8 tiles: their upper and lower rows' even and odd columns.
        @inline(__always) func tiles(_ t: Int) -> (
          SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>
        ) {
          @inline(__always) func at(_ point: Int) -> SIMD8<Float> {
            loadLanes(p + point * step + t)
          }
          // Aᵀ m: rows 0 + 1 + 2 and 1 - 2 - 3 of the 4x4, then the same on the columns.
          let (r00, r01, r02, r03) = (
            at(0) + at(4) + at(8), at(1) + at(5) + at(9), at(2) + at(6) + at(10),
            at(3) + at(7) + at(11)
          )
          let (r10, r11, r12, r13) = (
            at(4) - at(8) - at(12), at(5) - at(9) - at(13), at(6) - at(10) - at(14),
            at(7) - at(11) - at(15)
          )
          return (
            r00 + r01 + r02 + b, r01 - r02 - r03 + b, r10 + r11 + r12 + b, r11 - r12 - r13 + b
          )
        }
        let y0 = 2 * tileRow
        let upper = plane + y0 * outWidth
        let lower = y0 + 1 < outHeight ? plane + (y0 + 1) * outWidth : nil
        for t in stride(from: 0, to: direct, by: 8) {
          let (ue, uo, le, lo) = tiles(t)
          storeInterleaved(ue, uo, upper + 2 * t)
          if let lower { storeInterleaved(le, lo, lower + 2 * t) }
        }
        guard direct < tileColumns else { continue }
        for t in stride(from: direct, to: tileColumns, by: 8) {
          let (ue, uo, le, lo) = tiles(t)
          storeInterleaved(ue, uo, top + 2 * t)
          storeInterleaved(le, lo, bottom + 2 * t)
        }
        let (from, count) = (2 * direct, outWidth - 2 * direct)
        copyRow(top + from, to: upper + from, count: count)
        if let lower { copyRow(bottom + from, to: lower + from, count: count) }
      }
    }
  }
}
