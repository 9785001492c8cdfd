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
    validX = (0..<kernel.width).map { [width, outWidth] kX in
      let offset = kX * dilation.width - padding.width
      // ox*s + offset >= 0  and  ox*s + offset <= width - 1
      let low = max(0, ceilDivide(-offset, stride.width))
      let high = min(outWidth, floorDivide(width - 1 - offset, stride.width) + 1)
      return low..<max(low, high)
    }
  }

  /// Rows of the column matrix: C*kH*kW.
  var rows: Int { channels * kernel.height * kernel.width }
  /// Window positions per sample: outHeight*outWidth.
  var pixels: Int { outHeight * outWidth }
  var imagePlane: Int { height * width }

  /// Writes the columns of one sample: `columns[row * columnStride + p]` for p in `0..<pixels`.
  func im2col(
    _ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, columnStride: Int
  ) {
    var row = 0
    for c in 0..<channels {
      let plane = image + c * imagePlane
      for kY in 0..<kernel.height {
        for kX in 0..<kernel.width {
          let destination = columns + row * columnStride
          let xOffset = kX * dilation.width - padding.width
          let valid = validX[kX]
          for outY in 0..<outHeight {
            let out = destination + outY * outWidth
            let inY = outY * stride.height - padding.height + kY * dilation.height
            guard inY >= 0 && inY < height else {
              out.update(repeating: 0, count: outWidth)
              continue
            }
            let source = plane + inY * width + xOffset
            out.update(repeating: 0, count: valid.lowerBound)
            if stride.width == 1 {
              (out + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
            } else {
              for outX in valid { out[outX] = source[outX * stride.width] }
            }
            (out + valid.upperBound).update(repeating: 0, count: outWidth - valid.upperBound)
          }
          row += 1
        }
      }
    }
  }

  /// Adds the columns of one sample onto `image` (which the caller has set, usually to zero):
  /// the adjoint of `im2col`, so taps outside the image are dropped.
  func col2im(
    _ columns: UnsafePointer<Float>, columnStride: Int,
    addingInto image: UnsafeMutablePointer<Float>
  ) {
    var row = 0
    for c in 0..<channels {
      let plane = image + c * imagePlane
      for kY in 0..<kernel.height {
        for kX in 0..<kernel.width {
          let source = columns + row * columnStride
          let xOffset = kX * dilation.width - padding.width
          let valid = validX[kX]
          for outY in 0..<outHeight {
            let inY = outY * stride.height - padding.height + kY * dilation.height
            guard inY >= 0 && inY < height else { continue }
            let from = source + outY * outWidth
            let to = plane + inY * width + xOffset
            if stride.width == 1 {
              for outX in valid { to[outX] += from[outX] }
            } else {
              for outX in valid { to[outX * stride.width] += from[outX] }
            }
          }
          row += 1
        }
      }
    }
  }
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

/// `sums[r] = Σ_j matrix[r][j]` over a row-major `rows x columns` matrix.
func rowSums(
  _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
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
    sums[r] = sum
  }
}
