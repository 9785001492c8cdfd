import Foundation
import Graph
import Training

/// A folder under the system's temporary directory, removed when the test ends.
public final class ScratchFolder {
  public let path: String

  public init() throws {
    path = NSTemporaryDirectory() + "tinycnn-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  public var contents: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }
}

/// An untrained LeNet-5 recorded as trained on Fashion-MNIST: enough to run the whole pipeline.
public func untrainedLeNet(in folder: ScratchFolder) throws -> String {
  let network = try Network(graph: ModelZoo.lenet5, seed: 3)
  let model = try network.floatModel(
    classNames: (0..<10).map { "class \($0)" }, metadata: ["dataset": "fashion-mnist"])
  let path = folder.file("lenet5.safetensors")
  try model.write(to: path)
  return path
}

/// The repository's root (this file is Tests/TestSupport/ScratchFolder.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

/// A file of a golden case, `Tests/RuntimeTests/Golden/<name>/<file>`.
public func goldenPath(_ name: String, _ file: String) -> String {
  repositoryRoot + "/Tests/RuntimeTests/Golden/\(name)/\(file)"
}
