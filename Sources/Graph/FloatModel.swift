import Foundation

/// A trained float model as `tinycnn train` writes it: a .safetensors file whose tensors are the
/// parameters (PyTorch names and layouts) and whose `__metadata__` holds the layer graph, the class
/// names and the training record, each as a JSON string.
public struct FloatModel: Sendable {
  public var graph: ModelGraph
  public var parameters: [String: FloatTensor]
  public var classNames: [String]
  /// Further metadata, e.g. "dataset" and "training" (a JSON object as text).
  public var metadata: [String: String]

  public static let formatName = "tinycnn-float-model"

  /// Checks that `parameters` holds exactly the tensors the graph needs, with their shapes.
  public init(
    graph: ModelGraph, parameters: [String: FloatTensor], classNames: [String] = [],
    metadata: [String: String] = [:]
  ) throws(GraphError) {
    let expected = try graph.parameterShapes()
    for p in expected {
      guard let tensor = parameters[p.name] else {
        throw GraphError(layer: p.name, "the model file has no tensor '\(p.name)' \(p.shape)")
      }
      guard tensor.shape == p.shape else {
        throw GraphError(
          layer: p.name, "tensor '\(p.name)' has shape \(tensor.shape), the graph needs \(p.shape)")
      }
    }
    let known = Set(expected.map(\.name))
    if let extra = parameters.keys.sorted().first(where: { !known.contains($0) }) {
      throw GraphError(layer: extra, "tensor '\(extra)' belongs to no layer of the graph")
    }
    self.graph = graph
    self.parameters = parameters
    self.classNames = classNames
    self.metadata = metadata
  }

  public func safetensors() -> SafetensorsFile {
    var meta = metadata
    meta["format"] = Self.formatName
    meta["graph"] = graph.jsonString()
    meta[ClassNames.metadataKey] = String(decoding: jsonBytes(classNames), as: UTF8.self)
    let ordered = (try? graph.parameterShapes())?.map(\.name) ?? parameters.keys.sorted()
    return SafetensorsFile(metadata: meta, tensors: ordered.map { ($0, parameters[$0]!) })
  }

  /// Writes to a temporary name and renames, so a crash never leaves half a model.
  public func write(to path: String) throws(AtomicFile.WriteError) {
    try safetensors().write(to: path)
  }

  public struct ReadError: Error, CustomStringConvertible {
    public var path: String
    public var cause: String
    public var description: String { "\(path): \(cause)" }
  }

  public static func read(_ path: String) throws(ReadError) -> FloatModel {
    let file: SafetensorsFile
    do { file = try SafetensorsFile.read(path) } catch {
      throw ReadError(path: path, cause: error.cause)
    }
    return try decode(file, source: path)
  }

  public static func decode(_ file: SafetensorsFile, source: String) throws(ReadError)
    -> FloatModel
  {
    guard let graphJSON = file.metadata["graph"] else {
      throw ReadError(
        path: source,
        cause: "no layer graph in __metadata__ (not written by `tinycnn train`?)")
    }
    var classNames: [String] = []
    if let text = file.metadata[ClassNames.metadataKey] {
      guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
      else {
        throw ReadError(
          path: source, cause: "\(ClassNames.metadataKey) is not a JSON list of strings")
      }
      classNames = list
    }
    var metadata = file.metadata
    for key in ["format", "graph", ClassNames.metadataKey] { metadata[key] = nil }
    do {
      let graph = try ModelGraph(json: graphJSON)
      return try FloatModel(
        graph: graph, parameters: Dictionary(uniqueKeysWithValues: file.tensors),
        classNames: classNames, metadata: metadata)
    } catch {
      throw ReadError(path: source, cause: error.description)
    }
  }
}
