import Graph

/// The sliding-window arithmetic of a convolution between an "image" side (C x H x W) and a
/// "column" side (outHeight x outWidth window positions), and the two data movements built on it:
///
/// - `im2col` lays every window out as a column, so the convolution becomes one GEMM:
///   `out[Cout x P] = W[Cout x C*kH*kW] · col[C*kH*kW x P]`, P = outHeight*outWidth pixels along
///   the SIMD lanes. Row `(c*kH + kY)*kW + kX` of `col` holds input channel c shifted by the tap
///   (kY, kX); padding reads as zero.
/// - `col2im` is its adjoint: it adds every column entry back onto the image cell it came from.
///
/// Conv2d reads its input with `im2col` and sends gradients back with `col2im`; ConvTranspose2d
/// does the opposite with the geometry of the convolution it transposes.
struct ConvGeometry {
  var channels: Int
  var height: Int
  var width: Int
  var kernel: Size2
  var stride: Size2
  var padding: Size2
  var dilation: Size2
  var outHeight: Int
  var outWidth: Int
  /// For each kX, the output columns whose tap lands inside the image: `ix = ox*strideX - padX +
  /// kX*dilationX` in `0..<width` exactly for `ox` in this range.
  private var validX: [Range<Int>]
  /// The same for rows and kY.
  private var validY: [Range<Int>]

  init(
    image: FeatureShape, kernel: Size2, stride: Size2, padding: Size2, dilation: Size2,
    columns: FeatureShape
  ) {
    channels = image.channels
    height = image.height
    width = image.width
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    outHeight = columns.height
    outWidth = columns.width
    func inside(_ tap: Int, _ dilation: Int, _ padding: Int, _ stride: Int, _ size: Int, _ out: Int)
      -> Range<Int>
    {
      let offset = tap * dilation - padding
      // o*stride + offset >= 0  and  o*stride + offset <= size - 1
      let low = min(out, max(0, ceilDivide(-offset, stride)))
      let high = min(out, floorDivide(size - 1 - offset, stride) + 1)
      return low..<max(low, high)
    }
    validX = (0..<kernel.width).map {
      inside($0, dilation.width, padding.width, stride.width, image.width, columns.width)
    }
    validY = (0..<kernel.height).map {
      inside($0, dilation.height, padding.height, stride.height, image.height, columns.height)
    }
  }

  /// Spare floats a column buffer keeps past its last column. (`clearFew` once rewrote 8 floats
  /// at a time and could reach that far; it now writes only its own.)
  static let columnSlack = 8

  /// A 1x1 window at stride 1 without padding: each image is its own column matrix.
  var isPointwise: Bool {
    kernel == Size2(1, 1) && stride == Size2(1, 1) && padding == Size2(0, 0)
      && outHeight == height && outWidth == width
  }

  /// Rows of the column matrix: C*kH*kW.
  var rows: Int { channels * kernel.height * kernel.width }
  /// Window positions per sample: outHeight*outWidth.
  var pixels: Int { outHeight * outWidth }
  var imagePlane: Int { height * width }

  /// Writes the columns of `samples` side by side: sample i of the range (0-based) fills
  /// `columns[row * (samples.count * pixels) + i * pixels + p]`. Rows are the outer loop, so the
  /// columns are written front to back, one stream; the images (a few hundred KB) stay in L2.
  /// (Sample-major order wrote 150 streams 25 KB apart, which collide in the L1 sets: 1.6x slower.)
  func im2col(_ images: TensorView, samples: Range<Int>, into columns: UnsafeMutablePointer<Float>)
  {
    let columnStride = samples.count * pixels
    var row = 0
    for c in 0..<channels {
      for kY in 0..<kernel.height {
        let rows = validY[kY]
        let yOffset = kY * dilation.height - padding.height
        for kX in 0..<kernel.width {
          for (i, n) in samples.enumerated() {
            im2colRow(
              images.sample(n) + c * imagePlane, kX: kX, rows: rows, yOffset: yOffset,
              into: columns + row * columnStride + i * pixels)
          }
          row += 1
        }
      }
    }
  }

  /// One row of the columns for one sample: channel plane `plane` shifted by the tap (kY, kX).
  @inline(__always) private func im2colRow(
    _ plane: UnsafePointer<Float>, kX: Int, rows: Range<Int>, yOffset: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    let xOffset = kX * dilation.width - padding.width
    let valid = validX[kX]
    fillRow(destination, 0, count: rows.lowerBound * outWidth)
    if stride == Size2(1, 1) && outWidth == width {
      shiftedPlane(plane, rows: rows, shift: yOffset * width + xOffset, valid: valid, destination)
    } else {
      for outY in rows {
        let out = destination + outY * outWidth
        let source = plane + (outY * stride.height + yOffset) * width + xOffset
        fillRow(out, 0, count: valid.lowerBound)
        if stride.width == 1 {
          copyRow(source + valid.lowerBound, to: out + valid.lowerBound, count: valid.count)
        } else if stride.width == 2 {
          copyEverySecond(
            source + 2 * valid.lowerBound, to: out + valid.lowerBound, count: valid.count)
        } else {
          for outX in valid { out[outX] = source[outX * stride.width] }
        }
        fillRow(out + valid.upperBound, 0, count: outWidth - valid.upperBound)
      }
    }
    fillRow(
      destination + rows.upperBound * outWidth, 0, count: (outHeight - rows.upperBound) * outWidth)
  }

  /// `im2colRow` at stride 1 when output and image rows are equally wide: output pixel p reads
  /// image cell `p + shift` for every row in `rows`, so the rows are one shifted copy of the
  /// plane, after which the columns outside `valid` (the ones that wrapped into the neighbouring
  /// image row) are zeroed. One long copy instead of a short one per row: ResNet-8's 28-float
  /// rows made im2col a fifth of a training step.
  @inline(__always) private func shiftedPlane(
    _ plane: UnsafePointer<Float>, rows: Range<Int>, shift: Int, valid: Range<Int>,
    _ destination: UnsafeMutablePointer<Float>
  ) {
    guard !rows.isEmpty else { return }
    // Only cells inside the plane are read: the first row's leading and the last row's trailing
    // cells may lie outside it, and are border columns, zeroed below.
    let start = max(rows.lowerBound * outWidth, -shift)
    let end = min(rows.upperBound * outWidth, imagePlane - shift)
    if start < end { copyRow(plane + start + shift, to: destination + start, count: end - start) }
    clearBorders(destination, rows: rows, valid: valid)
  }

  /// Zeroes the columns outside `valid` of every row in `rows`: a row's right border and the
  /// next row's left border are one run of a few floats, cleared by `clearFew` (as loops, the
  /// runs compiled to a memset call each: 1,400 per sample in LeNet-5's first im2col, most of
  /// its time). The last row's run stops at its own end: past it lie other columns (col2im's
  /// input).
  @inline(__always) private func clearBorders(
    _ rowsStart: UnsafeMutablePointer<Float>, rows: Range<Int>, valid: Range<Int>
  ) {
    let (left, right) = (valid.lowerBound, outWidth - valid.upperBound)
    guard left + right <= 8 else {
      for outY in rows {
        let out = rowsStart + outY * outWidth
        for outX in 0..<valid.lowerBound { out[outX] = 0 }
        for outX in valid.upperBound..<outWidth { out[outX] = 0 }
      }
      return
    }
    if left + right == 0 || rows.isEmpty { return }
    clearFew(rowsStart + rows.lowerBound * outWidth, left)
    for outY in rows.dropLast() {
      clearFew(rowsStart + outY * outWidth + valid.upperBound, right + left)
    }
    clearFew(rowsStart + (rows.upperBound - 1) * outWidth + valid.upperBound, right)
  }

  /// Adds columns laid out as `im2col` writes them onto the images of `samples` (which the
  /// caller has set, usually to zero): the adjoint of `im2col`, so taps outside an image are
  /// dropped. Rows outer, as in `im2col`, so the columns are read front to back. The columns
  /// are scratch to it: at stride 1 it zeroes the entries of taps outside the image (see
  /// `addShiftedPlane`).
  func col2im(
    _ columns: UnsafeMutablePointer<Float>, addingInto images: TensorView, samples: Range<Int>
  ) {
    let columnStride = samples.count * pixels
    var row = 0
    for c in 0..<channels {
      for kY in 0..<kernel.height {
        let rows = validY[kY]
        let yOffset = kY * dilation.height - padding.height
        for kX in 0..<kernel.width {
          for (i, n) in samples.enumerated() {
            col2imRow(
              columns + row * columnStride + i * pixels, kX: kX, rows: rows, yOffset: yOffset,
              into: images.sample(n) + c * imagePlane)
          }
          row += 1
        }
      }
    }
  }

  /// The adjoint of `im2colRow`: adds one row of columns onto the plane cells it came from.
  @inline(__always) private func col2imRow(
    _ source: UnsafeMutablePointer<Float>, kX: Int, rows: Range<Int>, yOffset: Int,
    into plane: UnsafeMutablePointer<Float>
  ) {
    let xOffset = kX * dilation.width - padding.width
    let valid = validX[kX]
    if stride == Size2(1, 1) && outWidth == width {
      return addShiftedPlane(
        source, rows: rows, shift: yOffset * width + xOffset, valid: valid, into: plane)
    }
    for outY in rows {
      let from = source + outY * outWidth
      let to = plane + (outY * stride.height + yOffset) * width + xOffset
      if stride.width == 1 {
        addRow(from + valid.lowerBound, to: to + valid.lowerBound, count: valid.count)
      } else {
        for outX in valid { to[outX * stride.width] += from[outX] }
      }
    }
  }

  /// `col2imRow` where `im2colRow` takes `shiftedPlane`: the rows in `rows` are one shifted
  /// add onto the plane, once the entries outside `valid` (which would land on the neighbouring
  /// image row) are zeroed in `source`. Adding 0 leaves a cell as it was, so every cell gets
  /// the same sums in the same order as row by row.
  @inline(__always) private func addShiftedPlane(
    _ source: UnsafeMutablePointer<Float>, rows: Range<Int>, shift: Int, valid: Range<Int>,
    into plane: UnsafeMutablePointer<Float>
  ) {
    guard !rows.isEmpty else { return }
    clearBorders(source, rows: rows, valid: valid)
    let start = max(rows.lowerBound * outWidth, -shift)
    let end = min(rows.upperBound * outWidth, imagePlane - shift)
    if start < end { addRow(source + start, to: plane + start + shift, count: end - start) }
  }
}

// Row helpers for im2col/col2im. Conv rows are short (10 to 32 floats in our models), so a
// memmove call per row costs more than the copy; these stay inline and move 8 floats per step.

/// Copies `count` floats: 8 at a time, then the rest as 4, 2 and 1. (An overlapping last step
/// of 8 was a fifth of LeNet-5's im2col, whose second conv copies rows of 10 floats: the
/// overlapping store stalled.)
@inline(__always) func copyRow(
  _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
) {
  @inline(__always) func move<V: SIMD>(_: V.Type, _ i: Int) where V.Scalar == Float {
    let v = UnsafeRawPointer(source + i).loadUnaligned(as: V.self)
    UnsafeMutableRawPointer(target + i).storeBytes(of: v, as: V.self)
  }
  var i = 0
  while i + 8 <= count {
    move(SIMD8<Float>.self, i)
    i += 8
  }
  if count - i >= 4 {
    move(SIMD4<Float>.self, i)
    i += 4
  }
  if count - i >= 2 {
    move(SIMD2<Float>.self, i)
    i += 2
  }
  if i < count { target[i] = source[i] }
}

/// `target[i] = source[2 i]` for `count` floats, reading no float past `source[2 (count - 1)]`
/// (a row's last tap may be the plane's last float): 8 at a time from two loads that end on a
/// needed float, the last step moved back to end at `count`. A stride-2 convolution's im2col
/// gathered these one float at a time, 5-7 % of a ResNet-8 epoch.
@inline(__always) func copyEverySecond(
  _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
) {
  @inline(__always) func load<V: SIMD>(_: V.Type, _ i: Int) -> V where V.Scalar == Float {
    UnsafeRawPointer(source + i).loadUnaligned(as: V.self)
  }
  @inline(__always) func eight(_ i: Int) {
    let (a, b) = (load(SIMD8<Float>.self, 2 * i), load(SIMD8<Float>.self, 2 * i + 7))
    let v = SIMD8(a[0], a[2], a[4], a[6], b[1], b[3], b[5], b[7])
    UnsafeMutableRawPointer(target + i).storeBytes(of: v, as: SIMD8<Float>.self)
  }
  @inline(__always) func four(_ i: Int) {
    let (a, b) = (load(SIMD4<Float>.self, 2 * i), load(SIMD4<Float>.self, 2 * i + 3))
    let v = SIMD4(a[0], a[2], b[1], b[3])
    UnsafeMutableRawPointer(target + i).storeBytes(of: v, as: SIMD4<Float>.self)
  }
  if count >= 8 {
    var i = 0
    while i + 8 < count {
      eight(i)
      i += 8
    }
    eight(count - 8)
  } else if count >= 4 {
    four(0)
    four(count - 4)
  } else {
    for i in 0..<count { target[i] = source[2 * i] }
  }
}

/// `target[i] += source[i]` for `count` floats (no overlapping tail: it would add twice).
@inline(__always) func addRow(
  _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
) {
  var i = 0
  while i + 8 <= count {
    let s = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
    let t = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(target + i).storeBytes(of: s + t, as: SIMD8<Float>.self)
    i += 8
  }
  while i < count {
    target[i] += source[i]
    i += 1
  }
}

@inline(__always) func fillRow(_ target: UnsafeMutablePointer<Float>, _ value: Float, count: Int) {
  let v = SIMD8<Float>(repeating: value)
  var i = 0
  while i + 8 <= count {
    UnsafeMutableRawPointer(target + i).storeBytes(of: v, as: SIMD8<Float>.self)
    i += 8
  }
  while i < count {
    target[i] = value
    i += 1
  }
}

/// Zeroes `p[0..<count]` (count at most 8) with stores of 4, 2 and 1 floats: no load, so no
/// read of floats the row copy just stored. (Rewriting `p[0..<8]` with its first lanes
/// cleared read them back from stores still in flight, a store-forwarding stall per row
/// border: most of LeNet-5's im2col. As loops, the runs compiled to a memset call each.)
@inline(__always) func clearFew(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
  let raw = UnsafeMutableRawPointer(p)
  var i = 0
  while count - i >= 4 {
    raw.storeBytes(of: SIMD4<Float>(), toByteOffset: 4 * i, as: SIMD4<Float>.self)
    i += 4
  }
  if count - i >= 2 {
    raw.storeBytes(of: SIMD2<Float>(), toByteOffset: 4 * i, as: SIMD2<Float>.self)
    i += 2
  }
  if i < count { p[i] = 0 }
}

@inline(__always) func floorDivide(_ a: Int, _ b: Int) -> Int {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always) func ceilDivide(_ a: Int, _ b: Int) -> Int { -floorDivide(-a, b) }

/// Copies samples `samples` of an NCHW batch into a channel-major matrix `[C][samples * P]`
/// (column `i*P + p` is pixel p of the i-th sample), the orientation the GEMM wants.
func gatherChannelMajor(
  _ batch: TensorView, samples: Range<Int>, into matrix: UnsafeMutablePointer<Float>
) {
  let plane = batch.planeSize
  let stride = samples.count * plane
  for (i, n) in samples.enumerated() {
    let sample = batch.sample(n)
    for c in 0..<batch.shape.channels {
      (matrix + c * stride + i * plane).update(from: sample + c * plane, count: plane)
    }
  }
}

/// The inverse of `gatherChannelMajor`, adding `bias[c]` to channel c when given.
func scatterChannelMajor(
  _ matrix: UnsafePointer<Float>, into batch: TensorView, samples: Range<Int>,
  bias: UnsafePointer<Float>?
) {
  let plane = batch.planeSize
  let stride = samples.count * plane
  for (i, n) in samples.enumerated() {
    let sample = batch.sample(n)
    for c in 0..<batch.shape.channels {
      let from = matrix + c * stride + i * plane
      let to = sample + c * plane
      if let bias {
        let b = bias[c]
        for p in 0..<plane { to[p] = from[p] + b }
      } else {
        to.update(from: from, count: plane)
      }
    }
  }
}

/// `sums[r] = Σ_j matrix[r][j]` (`+=` when `accumulate`) over a row-major `rows x columns`
/// matrix.
func rowSums(
  _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>,
  accumulate: Bool = false
) {
  for r in 0..<rows {
    let row = matrix + r * columns
    var acc = SIMD8<Float>()
    var j = 0
    while j + 8 <= columns {
      acc += UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
      j += 8
    }
    var sum = acc.sum()
    while j < columns {
      sum += row[j]
      j += 1
    }
    sums[r] = accumulate ? sums[r] + sum : sum
  }
}

/// `channels` planes of `pixels` floats each, `+= bias[c]` on plane c.
func addBias(
  _ bias: UnsafePointer<Float>, to planes: UnsafeMutablePointer<Float>, channels: Int, pixels: Int
) {
  for c in 0..<channels {
    let plane = planes + c * pixels
    let b = bias[c]
    for p in 0..<pixels { plane[p] += b }
  }
}
