import Foundation
import Quantization
import Runtime

// An independent int8 interpreter for the tests: it walks the writer's `TFLiteModel` value (not
// the .tflite bytes), does the TFLite int8 arithmetic in Int64 and libm's frexp, and shares no
// code with Runtime (only the schema's enums, which the writer and the reader share). It covers
// the operators whose glue the interpreter tests exercise with hand-built models; TFLM's own
// outputs (Golden/) are the judge of everything else.

private func quantizeMultiplierOracle(_ real: Double) -> (Int32, Int32) {
  if real == 0 { return (0, 0) }
  let (fraction, exponent) = frexp(real)
  var q = Int64((fraction * Double(1 << 31)).rounded(.toNearestOrAwayFromZero))
  var shift = Int32(exponent)
  if q == 1 << 31 {
    q /= 2
    shift += 1
  }
  if shift < -31 { return (0, 0) }
  return (Int32(q), shift)
}

/// TFLM's requantisation, double rounding: RoundingDivideByPOT(SRDHM(acc << left, M), right).
func requantizeOracle(_ acc: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
  let left = max(shift, 0)
  let right = max(-shift, 0)
  let shifted = Int32(truncatingIfNeeded: Int64(acc) << Int64(left))
  return roundingDivideByPOTOracle(srdhmOracle(shifted, multiplier), right)
}

private func activationBounds(_ a: FusedActivation, scale: Float, zeroPoint: Int32) -> (
  Int32, Int32
) {
  func q(_ v: Float) -> Int32 { zeroPoint + Int32((v / scale).rounded(.toNearestOrAwayFromZero)) }
  switch a {
  case .none: return (-128, 127)
  case .relu: return (max(-128, q(0)), 127)
  case .relu6: return (max(-128, q(0)), min(127, q(6)))
  case .reluN1To1: return (max(-128, q(-1)), min(127, q(1)))
  }
}

private func outSize(
  _ p: Padding, _ size: Int, _ filter: Int, _ stride: Int, _ dil: Int
)
  -> (out: Int, pad: Int)
{
  let eff = (filter - 1) * dil + 1
  let out = p == .same ? (size + stride - 1) / stride : (size - eff + stride) / stride
  return (out, max((out - 1) * stride + eff - size, 0) / 2)
}

struct OracleInterpreter {
  let model: TFLiteModel
  var values: [Int32: [Int8]] = [:]

  init(_ model: TFLiteModel) { self.model = model }

  private func constant(_ t: Int32) -> [UInt8]? {
    let b = Int(model.tensors[Int(t)].buffer)
    return b == 0 ? nil : model.buffers[b]
  }

  private func int8s(_ t: Int32) -> [Int8] {
    if let c = constant(t) { return c.map { Int8(bitPattern: $0) } }
    return values[t]!
  }

  private func int32s(_ t: Int32) -> [Int32] {
    let c = constant(t)!
    return stride(from: 0, to: c.count, by: 4).map { i in
      Int32(
        bitPattern: UInt32(c[i]) | UInt32(c[i + 1]) << 8 | UInt32(c[i + 2]) << 16 | UInt32(c[i + 3])
          << 24)
    }
  }

  private func q(_ t: Int32) -> TFLiteModel.Quantization { model.tensors[Int(t)].quantization! }
  private func shape(_ t: Int32) -> [Int] { model.tensors[Int(t)].shape.map(Int.init) }

  mutating func run(_ inputs: [[Int8]]) -> [[Int8]] {
    for (i, t) in model.inputs.enumerated() { values[t] = inputs[i] }
    for op in model.operators {
      let out = op.outputs[0]
      switch (model.operatorCodes[Int(op.opcodeIndex)].builtin, op.options) {
      case (.conv2D, .conv2D(let p, let sw, let sh, let act, let dw, let dh)):
        values[out] = conv(op, p, Int(sw), Int(sh), Int(dw), Int(dh), act, depthMultiplier: nil)
      case (
        .depthwiseConv2D, .depthwiseConv2D(let p, let sw, let sh, let m, let act, let dw, let dh)
      ):
        values[out] = conv(op, p, Int(sw), Int(sh), Int(dw), Int(dh), act, depthMultiplier: Int(m))
      case (.maxPool2D, .pool2D(let p, let sw, let sh, let fw, let fh, let act)),
        (.averagePool2D, .pool2D(let p, let sw, let sh, let fw, let fh, let act)):
        let isMax = model.operatorCodes[Int(op.opcodeIndex)].builtin == .maxPool2D
        values[out] = pool(op, p, Int(sw), Int(sh), Int(fw), Int(fh), act, isMax: isMax)
      case (.fullyConnected, .fullyConnected(let act, _)):
        values[out] = fullyConnected(op, act)
      case (.reshape, _):
        values[out] = int8s(op.inputs[0])
      default:
        fatalError("oracle: operator not covered")
      }
    }
    return model.outputs.map { values[$0]! }
  }

  private func conv(
    _ op: TFLiteModel.Operator, _ padding: Padding, _ sw: Int, _ sh: Int, _ dw: Int,
    _ dh: Int, _ act: FusedActivation, depthMultiplier: Int?
  ) -> [Int8] {
    let (input, filter) = (int8s(op.inputs[0]), int8s(op.inputs[1]))
    let bias = op.inputs.count > 2 && op.inputs[2] >= 0 ? int32s(op.inputs[2]) : nil
    let (s, f, o) = (shape(op.inputs[0]), shape(op.inputs[1]), shape(op.outputs[0]))
    let (kh, kw) = (f[1], f[2])
    let (_, padH) = outSize(padding, s[1], kh, sh, dh)
    let (_, padW) = outSize(padding, s[2], kw, sw, dw)
    let (qi, qf, qo) = (q(op.inputs[0]), q(op.inputs[1]), q(op.outputs[0]))
    let (lo, hi) = activationBounds(act, scale: qo.scales[0], zeroPoint: Int32(qo.zeroPoints[0]))
    var result = [Int8](repeating: 0, count: o.reduce(1, *))
    for n in 0..<o[0] {
      for y in 0..<o[1] {
        for x in 0..<o[2] {
          for oc in 0..<o[3] {
            var acc: Int64 = 0
            for ky in 0..<kh {
              for kx in 0..<kw {
                let iy = y * sh - padH + ky * dh
                let ix = x * sw - padW + kx * dw
                guard iy >= 0, iy < s[1], ix >= 0, ix < s[2] else { continue }
                let channels = depthMultiplier == nil ? Array(0..<f[3]) : [oc / depthMultiplier!]
                for ic in channels {
                  let xv =
                    Int64(input[((n * s[1] + iy) * s[2] + ix) * s[3] + ic]) - qi.zeroPoints[0]
                  let w =
                    depthMultiplier == nil
                    ? filter[((oc * kh + ky) * kw + kx) * f[3] + ic]
                    : filter[(ky * kw + kx) * f[3] + oc]
                  acc += Int64(w) * xv
                }
              }
            }
            if let bias { acc += Int64(bias[oc]) }
            let scale = qf.scales.count == 1 ? qf.scales[0] : qf.scales[oc]
            let (m, sft) = quantizeMultiplierOracle(
              Double(qi.scales[0]) * Double(scale) / Double(qo.scales[0]))
            let v = requantizeOracle(Int32(acc), m, sft) + Int32(qo.zeroPoints[0])
            result[((n * o[1] + y) * o[2] + x) * o[3] + oc] = Int8(min(max(v, lo), hi))
          }
        }
      }
    }
    return result
  }

  private func pool(
    _ op: TFLiteModel.Operator, _ padding: Padding, _ sw: Int, _ sh: Int, _ fw: Int,
    _ fh: Int, _ act: FusedActivation, isMax: Bool
  ) -> [Int8] {
    let input = int8s(op.inputs[0])
    let (s, o) = (shape(op.inputs[0]), shape(op.outputs[0]))
    let (_, padH) = outSize(padding, s[1], fh, sh, 1)
    let (_, padW) = outSize(padding, s[2], fw, sw, 1)
    let qo = q(op.outputs[0])
    let (lo, hi) = activationBounds(act, scale: qo.scales[0], zeroPoint: Int32(qo.zeroPoints[0]))
    var result = [Int8](repeating: 0, count: o.reduce(1, *))
    for n in 0..<o[0] {
      for y in 0..<o[1] {
        for x in 0..<o[2] {
          for c in 0..<o[3] {
            var taps: [Int32] = []
            for ky in 0..<fh {
              for kx in 0..<fw {
                let iy = y * sh - padH + ky
                let ix = x * sw - padW + kx
                guard iy >= 0, iy < s[1], ix >= 0, ix < s[2] else { continue }
                taps.append(Int32(input[((n * s[1] + iy) * s[2] + ix) * s[3] + c]))
              }
            }
            var v: Int32
            if isMax {
              v = taps.max()!
            } else {
              // Round half away from zero of sum / count.
              let sum = Double(taps.reduce(0, +))
              v = Int32((sum / Double(taps.count)).rounded(.toNearestOrAwayFromZero))
            }
            result[((n * o[1] + y) * o[2] + x) * o[3] + c] = Int8(min(max(v, lo), hi))
          }
        }
      }
    }
    return result
  }

  private func fullyConnected(_ op: TFLiteModel.Operator, _ act: FusedActivation) -> [Int8] {
    let (input, weights) = (int8s(op.inputs[0]), int8s(op.inputs[1]))
    let bias = op.inputs.count > 2 && op.inputs[2] >= 0 ? int32s(op.inputs[2]) : nil
    let w = shape(op.inputs[1])
    let (outDepth, depth) = (w[0], w[1])
    let (qi, qw, qo) = (q(op.inputs[0]), q(op.inputs[1]), q(op.outputs[0]))
    let (lo, hi) = activationBounds(act, scale: qo.scales[0], zeroPoint: Int32(qo.zeroPoints[0]))
    let batches = input.count / depth
    var result = [Int8](repeating: 0, count: batches * outDepth)
    for b in 0..<batches {
      for oc in 0..<outDepth {
        var acc: Int64 = 0
        for d in 0..<depth {
          acc +=
            (Int64(weights[oc * depth + d]) - qw.zeroPoints[0])
            * (Int64(input[b * depth + d]) - qi.zeroPoints[0])
        }
        if let bias { acc += Int64(bias[oc]) }
        // Per-tensor weights: TFLM multiplies the two scales in Float, then widens.
        let real =
          qw.scales.count == 1
          ? Double(qi.scales[0] * qw.scales[0]) / Double(qo.scales[0])
          : Double(qi.scales[0]) * Double(qw.scales[oc]) / Double(qo.scales[0])
        let (m, sft) = quantizeMultiplierOracle(real)
        let v = requantizeOracle(Int32(acc), m, sft) + Int32(qo.zeroPoints[0])
        result[b * outDepth + oc] = Int8(min(max(v, lo), hi))
      }
    }
    return result
  }
}
