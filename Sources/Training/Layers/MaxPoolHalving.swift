/// Max pooling's common case, 2x2 windows at stride 2 without padding (LeNet's, cnn-small's,
/// VGG's), on a whole plane: the windows of a row 8 at a time (4 on rows of 4 to 7 windows), with
/// the same results as `MaxPool2DLayer`'s general loop. The first maximum in row-major order wins
/// a tie (PyTorch's choice), so each later cell of a window replaces the running maximum only
/// where it is strictly larger; a NaN never does, as in the loop.
///
/// A row's last step is moved back to end at the row's end and recomputes a few windows of the
/// step before: the same values, written again. (Scalar remainders were most of the forward
/// pass: cnn-small's 14-window rows left 6, its 7-window rows all 7, each window three
/// mispredicted branches.) Backward writes every cell of each window, the winner's gradient or
/// zero, so a plane that the windows cover needs no clearing first.
enum MaxPoolHalving {
  /// `target[oy][ox]` = the maximum of the window at `(2 oy, 2 ox)` of `source` (a plane `width`
  /// floats wide), `winners[oy][ox]` = its offset in the plane.
  static func forward(
    _ source: UnsafePointer<Float>, width: Int, outHeight: Int, outWidth: Int,
    into target: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>
  ) {
    for outY in 0..<outHeight {
      let top = 2 * outY * width
      let (values, best) = (target + outY * outWidth, winners + outY * outWidth)
      if outWidth >= 8 {
        forEachStep(of: 8, in: outWidth) { x in
          let (value, at) = windows8(source, corner: top + 2 * x, width: width)
          storeLanes(value, values + x)
          UnsafeMutableRawPointer(best + x).storeBytes(of: at, as: SIMD8<Int32>.self)
        }
      } else if outWidth >= 4 {
        forEachStep(of: 4, in: outWidth) { x in
          let (value, at) = windows4(source, corner: top + 2 * x, width: width)
          UnsafeMutableRawPointer(values + x).storeBytes(of: value, as: SIMD4<Float>.self)
          UnsafeMutableRawPointer(best + x).storeBytes(of: at, as: SIMD4<Int32>.self)
        }
      } else {
        for x in 0..<outWidth {
          (values[x], best[x]) = window(source, corner: top + 2 * x, width: width)
        }
      }
    }
  }

  /// `dx` of one plane (`width` x `height`) from `dy` and the winners: each window's winner gets
  /// its output's gradient, the other cells zero.
  static func backward(
    _ dy: UnsafePointer<Float>, winners: UnsafePointer<Int32>, width: Int, height: Int,
    outHeight: Int, outWidth: Int, into dx: UnsafeMutablePointer<Float>
  ) {
    // An odd last row or column lies in no window.
    if 2 * outWidth != width || 2 * outHeight != height {
      dx.update(repeating: 0, count: width * height)
    }
    for outY in 0..<outHeight {
      let top = 2 * outY * width
      let (gradient, best) = (dy + outY * outWidth, winners + outY * outWidth)
      let w = Int32(width)
      if outWidth >= 8 {
        forEachStep(of: 8, in: outWidth) { x in
          let g = loadLanes(gradient + x)
          let at = UnsafeRawPointer(best + x).loadUnaligned(as: SIMD8<Int32>.self)
          let corners = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ Int32(top + 2 * x)
          @inline(__always) func share(_ cell: SIMD8<Int32>) -> SIMD8<Float> {
            SIMD8(repeating: 0).replacing(with: g, where: at .== cell)
          }
          storeInterleaved(share(corners), share(corners &+ 1), dx + top + 2 * x)
          storeInterleaved(
            share(corners &+ w), share(corners &+ w &+ 1), dx + top + width + 2 * x)
        }
      } else if outWidth >= 4 {
        forEachStep(of: 4, in: outWidth) { x in
          let g = UnsafeRawPointer(gradient + x).loadUnaligned(as: SIMD4<Float>.self)
          let at = UnsafeRawPointer(best + x).loadUnaligned(as: SIMD4<Int32>.self)
          let corners = SIMD4<Int32>(0, 2, 4, 6) &+ Int32(top + 2 * x)
          @inline(__always) func share(_ cell: SIMD4<Int32>) -> SIMD4<Float> {
            SIMD4(repeating: 0).replacing(with: g, where: at .== cell)
          }
          @inline(__always) func interleave(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD8<Float> {
            SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
          }
          storeLanes(interleave(share(corners), share(corners &+ 1)), dx + top + 2 * x)
          storeLanes(
            interleave(share(corners &+ w), share(corners &+ w &+ 1)), dx + top + width + 2 * x)
        }
      } else {
        for x in 0..<outWidth {
          let (corner, winner, g) = (top + 2 * x, Int(best[x]), gradient[x])
          dx[corner] = winner == corner ? g : 0
          dx[corner + 1] = winner == corner + 1 ? g : 0
          dx[corner + width] = winner == corner + width ? g : 0
          dx[corner + width + 1] = winner == corner + width + 1 ? g : 0
        }
      }
    }
  }

  /// Runs `body(x)` for x = 0, lanes, 2 lanes, ... and last `count - lanes` (count >= lanes).
  @inline(__always) private static func forEachStep(
    of lanes: Int, in count: Int, _ body: (Int) -> Void
  ) {
    var x = 0
    while x + lanes < count {
      body(x)
      x += lanes
    }
    body(count - lanes)
  }

  /// The maxima and winners of the 8 windows from `corner` on.
  @inline(__always) private static func windows8(
    _ source: UnsafePointer<Float>, corner: Int, width: Int
  ) -> (SIMD8<Float>, SIMD8<Int32>) {
    let (a, b) = loadDeinterleaved(source + corner)
    let (c, d) = loadDeinterleaved(source + corner + width)
    let corners = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ Int32(corner)
    var (value, at) = (a, corners)
    @inline(__always) func consider(_ cell: SIMD8<Float>, _ offset: Int) {
      let larger = cell .> value
      value.replace(with: cell, where: larger)
      at.replace(with: corners &+ Int32(offset), where: larger)
    }
    consider(b, 1)
    consider(c, width)
    consider(d, width + 1)
    return (value, at)
  }

  /// `windows8` for 4 windows. (One generic body for both widths was not specialised: a call
  /// per step, 1.6x slower.)
  @inline(__always) private static func windows4(
    _ source: UnsafePointer<Float>, corner: Int, width: Int
  ) -> (SIMD4<Float>, SIMD4<Int32>) {
    @inline(__always) func split(_ p: UnsafePointer<Float>) -> (SIMD4<Float>, SIMD4<Float>) {
      let v = loadLanes(p)
      return (SIMD4(v[0], v[2], v[4], v[6]), SIMD4(v[1], v[3], v[5], v[7]))
    }
    let (a, b) = split(source + corner)
    let (c, d) = split(source + corner + width)
    let corners = SIMD4<Int32>(0, 2, 4, 6) &+ Int32(corner)
    var (value, at) = (a, corners)
    @inline(__always) func consider(_ cell: SIMD4<Float>, _ offset: Int) {
      let larger = cell .> value
      value.replace(with: cell, where: larger)
      at.replace(with: corners &+ Int32(offset), where: larger)
    }
    consider(b, 1)
    consider(c, width)
    consider(d, width + 1)
    return (value, at)
  }

  /// One window's maximum and winner.
  @inline(__always) private static func window(
    _ source: UnsafePointer<Float>, corner: Int, width: Int
  ) -> (Float, Int32) {
    var (value, at) = (source[corner], corner)
    @inline(__always) func consider(_ cell: Int) {
      if source[cell] > value { (value, at) = (source[cell], cell) }
    }
    consider(corner + 1)
    consider(corner + width)
    consider(corner + width + 1)
    return (value, Int32(at))
  }
}
