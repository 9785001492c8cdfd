import Foundation
import Graph
import InputChecks

extension ModelWork {
  /// Resolves the `--model` argument: a model-zoo name, a float `.safetensors` file, a model
  /// description file (`.json`, the graph format of `tinycnn`), or an int8 `.tflite` file.
  public static func load(_ spec: String) throws(EstimatorError) -> ModelWork {
    if let graph = try zooGraph(spec) { return try lowered(graph, name: spec, file: spec) }
    guard FileManager.default.fileExists(atPath: spec) else {
      throw EstimatorError(
        file: spec,
        "no such file, and not a model-zoo name (known: \(ModelZoo.names.joined(separator: ", ")))")
    }
    let name = (spec as NSString).lastPathComponent
    switch (spec as NSString).pathExtension.lowercased() {
    case "safetensors":
      let model: FloatModel
      do { model = try FloatModel.read(spec) } catch {
        throw EstimatorError(file: spec, error.cause)
      }
      return try lowered(model.graph, name: name, file: spec)
    case "json":
      let text: String
      do { text = try FileBytes.text(spec) } catch {
        throw EstimatorError(file: spec, error.reason)
      }
      let graph: ModelGraph
      do { graph = try ModelGraph(json: text) } catch {
        throw EstimatorError(file: spec, error.description)
      }
      return try lowered(graph, name: name, file: spec)
    case "tflite":
      return try ModelWork(tfliteAt: spec)
    default:
      throw EstimatorError(
        file: spec, "unknown model format (expected .tflite, .safetensors or .json)")
    }
  }

  static func zooGraph(_ name: String) throws(EstimatorError) -> ModelGraph? {
    do { return try ModelZoo.named(name) } catch {
      throw EstimatorError(file: name, error.description)
    }
  }

  static func lowered(_ graph: ModelGraph, name: String, file: String) throws(EstimatorError)
    -> ModelWork
  {
    do { return try ModelWork(graph: graph, name: name) } catch {
      throw EstimatorError(file: file, error.description)
    }
  }
}
