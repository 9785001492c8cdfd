import Quantization

/// What `tinycnn quantize` tells the user, as a table or (with --json) one JSON object.
struct QuantizeReport: Encodable {
  struct Layer: Encodable {
    var node: String
    var operators: [String]
    var fusedActivation: String?
    var tensor: Int32
    var scale: Float
    var zeroPoint: Int32
    var weightMin: Float?
    var weightMax: Float?
    var weightScales: Int
    /// dB; infinity for weights the int8 grid holds exactly (all zero, say).
    var weightSQNR: Double?

    enum CodingKeys: String, CodingKey {
      case node, operators, tensor, scale
      case fusedActivation = "fused_activation"
      case zeroPoint = "zero_point"
      case weightMin = "weight_min"
      case weightMax = "weight_max"
      case weightScales = "weight_scales"
      case weightSQNR = "weight_sqnr_db"
    }

    init(_ layer: QuantizedLayer) {
      node = layer.node
      operators = layer.operators
      fusedActivation = layer.fusedActivation
      tensor = layer.tensor
      scale = layer.output.scale
      zeroPoint = layer.output.zeroPoint
      weightMin = layer.weightRange?.lowerBound
      weightMax = layer.weightRange?.upperBound
      weightScales = layer.weightScales
      weightSQNR = layer.weightSQNR
    }
  }

  var model: String
  var output: String
  var dataset: String
  var calibrationImages: Int
  var calibrationMethod: String
  var perChannelDense: Bool
  var layers: [Layer]
  var operatorCount: Int
  var fileBytes: Int
  var constantBytes: Int
  /// nil when the runtime cannot plan the model's arena; `arenaProblem` says why.
  var arenaBytes: Int?
  var arenaProblem: String?
  /// The table or JSON text, rendered before the .tflite file replaces the old one.
  var rendered = ""

  enum CodingKeys: String, CodingKey {
    case model, output, dataset, layers
    case calibrationImages = "calibration_images"
    case calibrationMethod = "calibration_method"
    case perChannelDense = "per_channel_dense"
    case operatorCount = "operators"
    case fileBytes = "flash_bytes"
    case constantBytes = "constant_bytes"
    case arenaBytes = "arena_bytes"
    case arenaProblem = "arena_problem"
  }

  func text() -> String {
    var table = TextTable([
      .left("layer"), .left("operators"), .right("scale"), .right("zp"), .right("weight range"),
      .right("w scales"), .right("w SQNR dB"),
    ])
    for l in layers {
      let range =
        if let low = l.weightMin, let high = l.weightMax {
          "[\(Format.fixed(Double(low), 3)), \(Format.fixed(Double(high), 3))]"
        } else { "" }
      table.add([
        l.node,
        l.operators.isEmpty
          ? (l.node == layers.first?.node ? "(input)" : "(none)")
          : (l.operators + (l.fusedActivation.map { [$0] } ?? [])).joined(separator: "+"),
        Self.scientific(l.scale), "\(l.zeroPoint)", range,
        l.weightScales > 0 ? "\(l.weightScales)" : "",
        l.weightSQNR.map { Format.fixed($0, 1) } ?? "",
      ])
    }
    let arena =
      arenaBytes.map {
        "\(Format.grouped($0)) B (\(Format.bytes($0))), as TinyCNN's runtime plans it"
      }
      ?? "n/a (\(arenaProblem ?? "the runtime cannot prepare the model"))"
    return """
      \(model) -> \(output): \(operatorCount) operators, calibrated on \(calibrationImages) \
      \(dataset) training images (\(calibrationMethod))

      \(table.rendered())

      flash: \(Format.grouped(fileBytes)) B (\(Format.bytes(fileBytes))) file, of which \
      \(Format.grouped(constantBytes)) B weights, biases and constants
      arena: \(arena)
      """
  }

  /// A scale as 4 significant digits: 0.003922, 1.234e-05.
  static func scientific(_ x: Float) -> String {
    let v = Double(x)
    guard v.isFinite, v != 0 else { return Format.fixed(v, 0) }
    var exponent = 0
    var m = abs(v)
    while m >= 10 {
      m /= 10
      exponent += 1
    }
    while m < 1 {
      m *= 10
      exponent -= 1
    }
    if (m * 1000).rounded() >= 10_000 {  // 9.9996 prints as 1.000e+1, not 10.000
      m /= 10
      exponent += 1
    }
    if exponent >= -3 && exponent < 4 { return Format.fixed(v, max(0, 3 - exponent)) }
    let mantissa = Format.fixed(v < 0 ? -m : m, 3)
    return "\(mantissa)e\(exponent < 0 ? "-" : "+")\(abs(exponent) < 10 ? "0" : "")\(abs(exponent))"
  }
}
