import Foundation
import Graph
import Imaging
import Pipeline

/// `tinycnn eval`'s rendering of an `EvalResult`: the text tables, the JSON object, the charts.
extension EvalResult {
  func text() -> String {
    var summary = TextTable([
      .left("model"), .left("file"), .right("top-1"), .right("images/s (batch 4)"),
    ])
    summary.add([
      "float", floatPath, percent(floatAccuracy), Format.grouped(float.imagesPerSecond),
    ])
    summary.add([
      "int8", int8Path, percent(int8Accuracy), Format.grouped(int8.imagesPerSecond),
    ])
    var lines = [
      "\(Format.grouped(labels.count)) \(dataset) test images",
      "",
      summary.rendered(),
      "",
      "drop: \(Format.fixed(drop, 2)) points; agreement: \(percent(agreement)) "
        + "(\(Format.grouped(differing)) images classified differently)",
      "int8 arena: \(Format.grouped(arenaBytes)) B (\(Format.bytes(arenaBytes))) on a microcontroller"
        + (hostArenaBytes == arenaBytes
          ? ""
          : "; \(Format.grouped(hostArenaBytes)) B here (the SIMD kernels' re-packed filters)"),
    ]
    if !layers.isEmpty {
      var table = TextTable([
        .left("tensor"), .left("operator"), .left("float node"), .right("SQNR dB"),
        .right("cosine"),
      ])
      for l in layers {
        table.add([
          l.match.tensorName, l.match.operatorName, l.match.floatNode, sqnrText(l.agreement.sqnr),
          Format.fixed(l.agreement.cosine, 5),
        ])
      }
      lines += [
        "", "int8 activations vs float, first \(Format.grouped(layerImages)) images:", "",
        table.rendered(),
      ]
    }
    return lines.joined(separator: "\n")
  }

  private func percent(_ x: Double) -> String { Format.fixed(100 * x, 2) + "%" }

  private func sqnrText(_ x: Double) -> String {
    x.isFinite ? Format.fixed(x, 1) : (x > 0 ? "exact" : "-inf")
  }

  // MARK: JSON

  struct JSON: Encodable {
    struct Side: Encodable {
      var path: String
      var accuracy: Double
      var imagesPerSecond: Double
      var confusion: [[Int]]

      enum CodingKeys: String, CodingKey {
        case path, accuracy, confusion
        case imagesPerSecond = "images_per_second"
      }
    }

    struct Layer: Encodable {
      var tensor: String
      var operatorName: String
      var floatNode: String
      var sqnr: Double
      var cosine: Double

      enum CodingKeys: String, CodingKey {
        case tensor, cosine
        case operatorName = "operator"
        case floatNode = "float_node"
        case sqnr = "sqnr_db"
      }
    }

    var dataset: String
    var images: Int
    var batchSize: Int
    var float: Side
    var int8: Side
    var dropPoints: Double
    var agreement: Double
    var differing: Int
    var arenaBytes: Int
    var hostArenaBytes: Int
    var layerImages: Int
    var layers: [Layer]
    var classNames: [String]
    var reportFiles: [String] = []

    /// The JSON's keys. The class names go under the models' own metadata key
    /// (`ClassNames.metadataKey`), so a report and a model file name the list alike.
    enum CodingKeys: CodingKey, CaseIterable {
      case dataset, images, float, int8, agreement, differing, layers, batchSize, dropPoints
      case arenaBytes, hostArenaBytes, layerImages, classNames, reportFiles

      var stringValue: String {
        switch self {
        case .dataset: "dataset"
        case .images: "images"
        case .float: "float"
        case .int8: "int8"
        case .agreement: "agreement"
        case .differing: "differing"
        case .layers: "layers"
        case .batchSize: "batch_size"
        case .dropPoints: "drop_points"
        case .arenaBytes: "int8_arena_bytes"
        case .hostArenaBytes: "int8_host_arena_bytes"
        case .layerImages: "layer_images"
        case .classNames: ClassNames.metadataKey
        case .reportFiles: "report_files"
        }
      }
      var intValue: Int? { nil }
      init?(stringValue: String) {
        guard let key = Self.allCases.first(where: { $0.stringValue == stringValue }) else {
          return nil
        }
        self = key
      }
      init?(intValue: Int) { nil }
    }
  }

  var json: JSON {
    JSON(
      dataset: dataset, images: labels.count, batchSize: ModelComparison.batchSize,
      float: .init(
        path: floatPath, accuracy: floatAccuracy, imagesPerSecond: float.imagesPerSecond,
        confusion: float.confusion(labels, classes: classCount)),
      int8: .init(
        path: int8Path, accuracy: int8Accuracy, imagesPerSecond: int8.imagesPerSecond,
        confusion: int8.confusion(labels, classes: classCount)),
      dropPoints: drop, agreement: agreement, differing: differing, arenaBytes: arenaBytes,
      hostArenaBytes: hostArenaBytes,
      layerImages: layerImages,
      layers: layers.map {
        .init(
          tensor: $0.match.tensorName, operatorName: $0.match.operatorName,
          floatNode: $0.match.floatNode, sqnr: $0.agreement.sqnr, cosine: $0.agreement.cosine)
      }, classNames: classNames)
  }

  // MARK: Charts

  /// Writes the confusion matrices and (with a per-layer comparison) the SQNR chart into
  /// `folder`, creating it; returns the files written.
  func writeCharts(to folder: String) throws -> [String] {
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw InputError(folder, "cannot create the folder (\(error.localizedDescription))")
    }
    var charts: [(String, Canvas)] = [
      (
        "float-confusion.png",
        Charts.confusionMatrix(
          float.confusion(labels, classes: classCount), classNames: classNames,
          title: "FLOAT \(URL(fileURLWithPath: floatPath).lastPathComponent): "
            + "\(percent(floatAccuracy)) TOP-1")
      ),
      (
        "int8-confusion.png",
        Charts.confusionMatrix(
          int8.confusion(labels, classes: classCount), classNames: classNames,
          title: "INT8 \(URL(fileURLWithPath: int8Path).lastPathComponent): "
            + "\(percent(int8Accuracy)) TOP-1")
      ),
    ]
    if !layers.isEmpty {
      charts.append(
        (
          "layer-sqnr.png",
          Charts.sqnrBars(
            layers.map { ("\($0.match.tensorName) \($0.match.operatorName)", $0.agreement.sqnr) },
            title: "INT8 VS FLOAT PER LAYER, \(Format.grouped(layerImages)) IMAGES")
        ))
    }
    var written: [String] = []
    for (name, canvas) in charts {
      let path = (folder as NSString).appendingPathComponent(name)
      do { try PNG.write(canvas.image, to: path) } catch {
        throw InputError(path, error.cause)
      }
      written.append(path)
    }
    return written
  }
}
