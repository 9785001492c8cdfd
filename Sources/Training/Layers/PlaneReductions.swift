// The per-plane loops of batch norm in float lanes. A scalar sum is one serial chain of adds
// (LLVM keeps floating-point sums in source order), four cycles per value; eight partial sums
// cut that to a few values per cycle. Each plane is H*W floats of one sample and channel.

private typealias Floats = SIMD8<Float>

@inline(__always) private func load(_ p: UnsafePointer<Float>) -> Floats {
  UnsafeRawPointer(p).loadUnaligned(as: Floats.self)
}

@inline(__always) private func store(_ v: Floats, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: Floats.self)
}

/// `Σ x[i]` over `count` floats.
func planeSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
  var acc = Floats()
  var i = 0
  while i + 8 <= count {
    acc += load(x + i)
    i += 8
  }
  var sum = acc.sum()
  while i < count {
    sum += x[i]
    i += 1
  }
  return sum
}

/// `Σ (x[i] - mean)²` over `count` floats.
func planeSquaredDeviations(_ x: UnsafePointer<Float>, from mean: Float, count: Int) -> Float {
  let mu = Floats(repeating: mean)
  var acc = Floats()
  var i = 0
  while i + 8 <= count {
    let d = load(x + i) - mu
    acc += d * d
    i += 8
  }
  var sum = acc.sum()
  while i < count {
    let d = x[i] - mean
    sum += d * d
    i += 1
  }
  return sum
}

/// `(Σ dy[i], Σ dy[i] (x[i] - mean))` over `count` floats: batch norm's two backward sums.
func planeGradientSums(
  _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float, count: Int
) -> (dy: Float, dyCentered: Float) {
  let mu = Floats(repeating: mean)
  var sumDy = Floats()
  var sumProduct = Floats()
  var i = 0
  while i + 8 <= count {
    let g = load(dy + i)
    sumDy += g
    sumProduct += g * (load(x + i) - mu)
    i += 8
  }
  var (a, b) = (sumDy.sum(), sumProduct.sum())
  while i < count {
    a += dy[i]
    b += dy[i] * (x[i] - mean)
    i += 1
  }
  return (a, b)
}

/// `target[i] = x[i] * scale + shift` over `count` floats (`target` may be `x`).
func planeAffine(
  _ x: UnsafePointer<Float>, scale: Float, shift: Float, into target: UnsafeMutablePointer<Float>,
  count: Int
) {
  let (a, b) = (Floats(repeating: scale), Floats(repeating: shift))
  var i = 0
  while i + 8 <= count {
    store(load(x + i) * a + b, target + i)
    i += 8
  }
  while i < count {
    target[i] = x[i] * scale + shift
    i += 1
  }
}

/// `target[i] = u[i] * scaleU + (v[i] - center) * scaleV + shift` over `count` floats: batch
/// norm's input gradient, with u = dy and v = x (centred first, as x̂ is, so a large mean does not
/// cancel against the shift).
func planeAffine2(
  _ u: UnsafePointer<Float>, scale scaleU: Float, _ v: UnsafePointer<Float>, center: Float,
  scale scaleV: Float, shift: Float, into target: UnsafeMutablePointer<Float>, count: Int
) {
  let (a, b, c) = (Floats(repeating: scaleU), Floats(repeating: scaleV), Floats(repeating: shift))
  let mu = Floats(repeating: center)
  var i = 0
  while i + 8 <= count {
    store(load(u + i) * a + (load(v + i) - mu) * b + c, target + i)
    i += 8
  }
  while i < count {
    target[i] = u[i] * scaleU + (v[i] - center) * scaleV + shift
    i += 1
  }
}
