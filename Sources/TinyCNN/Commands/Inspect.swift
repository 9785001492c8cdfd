import ArgumentParser
import Foundation
import Pipeline
import Runtime

/// `tinycnn inspect`: what is in a .tflite file and what running it costs: operators, tensors
/// with their quantisation, parameters, flash and the planned arena.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the operators, tensors, quantisation, size and arena of a .tflite model.",
    discussion: """
      Flash is what a firmware stores: the whole .tflite file (weights and biases are inside \
      it, with the graph). The arena is the one buffer TinyCNN's runtime needs in RAM: the \
      prepared operators (TFLM's OpData: multipliers, shifts, padding) plus the intermediate \
      tensors as the planner lays them out by lifetime; the firmware allocates exactly \
      `arena bytes`.

      Examples:
        tinycnn inspect lenet5.tflite
        tinycnn inspect lenet5.tflite --json | jq .arenaBytes
      """)

  @Argument(help: "The .tflite model.") var model: String
  @OptionGroup var report: ReportOptions

  func run() throws {
    let file = try ModelFile(path: model)
    let info = try ModelInfo(file)
    if report.json {
      try printJSON(info)
    } else {
      Console.output(info.text)
    }
  }
}

/// `tinycnn inspect`'s text.
extension ModelInfo {
  var text: String {
    var lines: [String] = []
    let describe = description.isEmpty ? "" : ", \"\(description)\""
    lines.append("\(model): \(Format.grouped(fileBytes)) bytes, schema \(schemaVersion)\(describe)")
    func io(_ t: Int) -> String {
      let x = tensors[t]
      var text = "\(t) \(x.name) \(x.type) \(shapeText(x))"
      if let q = x.quantization, q.scales.count == 1 {
        text += " scale \(q.scales[0]) zero point \(q.zeroPoints[0])"
      }
      return text
    }
    lines.append("inputs:  " + inputs.map(io).joined(separator: "; "))
    lines.append("outputs: " + outputs.map(io).joined(separator: "; "))
    if let classNames { lines.append("classes: " + classNames.joined(separator: ", ")) }
    lines.append("")

    var ops = TextTable([
      .right("#"), .left("operator"), .right("v"), .left("inputs"), .left("outputs"),
      .left("output shape"), .left("options"),
    ])
    for o in operators {
      let outShape = o.outputs.first.map { shapeText(tensors[$0]) } ?? ""
      ops.add([
        "\(o.index)", o.supported ? o.op : o.op + " (unsupported)", "\(o.version)",
        o.inputs.map(String.init).joined(separator: ","),
        o.outputs.map(String.init).joined(separator: ","), outShape, o.options,
      ])
    }
    lines.append(ops.rendered())
    lines.append("")

    var table = TextTable([
      .right("#"), .left("tensor"), .left("type"), .left("shape"), .left("quantisation"),
      .right("bytes"), .left("where"),
    ])
    for t in tensors {
      var quant = ""
      if let q = t.quantization {
        quant =
          q.scales.count == 1
          ? "scale \(q.scales[0]) zp \(q.zeroPoints[0])"
          : "per-channel \(q.scales.count) scales, dim \(q.quantizedDimension)"
      }
      let place =
        t.constant
        ? "constant" : t.arenaOffset.map { "arena +\(Format.grouped($0))" } ?? "not planned"
      table.add([
        "\(t.index)", ModelInfo.shortName(t.name), t.type, shapeText(t), quant,
        Format.grouped(t.bytes), place,
      ])
    }
    lines.append(table.rendered())
    lines.append("")
    lines.append(
      "parameters: \(Format.grouped(parameters)) (weights \(Format.grouped(weightBytes)) B, biases \(Format.grouped(biasBytes)) B)"
    )
    lines.append(
      "flash: \(Format.grouped(flashBytes)) B (the .tflite file: weights, biases, quantisation and graph)"
    )
    if let arenaBytes, let arena {
      lines.append(
        "arena: \(Format.grouped(arenaBytes)) B = operator data \(Format.grouped(arena.planBytes)) B + tensors "
          + "\(Format.grouped(max(arena.tensorBytes, arena.planningBytes))) B (planned \(Format.grouped(arena.tensorBytes)) B, "
          + "planner bookkeeping \(Format.grouped(arena.planningBytes)) B before the first run)")
    } else {
      lines.append("arena: not planned: \(arenaError ?? "")")
    }
    return lines.joined(separator: "\n")
  }

  /// A converter's tensor names join every fused op's name with ';': keep the first, and at most
  /// 48 characters of it (the end, which names the layer), for the table. JSON keeps the whole.
  static func shortName(_ name: String) -> String {
    let first = name.split(separator: ";").first.map(String.init) ?? name
    return first.count <= 48 ? first : "…" + first.suffix(47)
  }

  private func shapeText(_ t: TensorInfo) -> String {
    let dims = t.shape.indices.map { i in
      t.shapeSignature.map { $0[i] < 0 ? "-1" : String(t.shape[i]) } ?? String(t.shape[i])
    }
    return "[" + dims.joined(separator: ", ") + "]"
  }
}
/// Runs a Runtime accessor, turning its error into the file's `InputError`.
func rethrowing<T>(_ file: ModelFile, _ body: () throws(RuntimeError) -> T) throws -> T {
  try file.checked(body)
}
