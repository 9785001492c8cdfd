import Foundation
import Graph
import InputChecks
import Runtime

/// A .tflite file read into 16-byte aligned memory (TFLM's requirement, which the Runtime checks
/// for constant data) and opened with the Runtime's reader. Owns the bytes the `Model` points
/// into; any number of `ModelSession`s run it.
package final class ModelFile: @unchecked Sendable {
  package let path: String
  private let memory: UnsafeMutableRawBufferPointer
  package let model: Model

  package convenience init(path: String) throws(InputError) {
    let bytes: [UInt8]
    do { bytes = try FileBytes.read(path) } catch { throw InputError(path, error.reason) }
    try self.init(bytes: bytes, path: path)
  }

  /// A model held in memory (a quantizer's output before it is written); `path` names it in
  /// errors.
  package init(bytes: [UInt8], path: String) throws(InputError) {
    memory = .allocate(byteCount: max(bytes.count, 1), alignment: arenaAlignment)
    memory.copyBytes(from: bytes)
    do {
      model = try Model(bytes: UnsafeRawBufferPointer(rebasing: memory[0..<bytes.count]))
    } catch {
      memory.deallocate()
      throw InputError(path, error.message(nil, fileBytes: bytes.count))
    }
    self.path = path
  }

  deinit { memory.deallocate() }

  package var byteCount: Int { model.bytes.count }

  /// The `InputError` for a Runtime error about this model, with operators and tensors named.
  package func error(_ error: RuntimeError) -> InputError {
    InputError(path, error.message(model, fileBytes: byteCount))
  }

  /// Runs a Runtime accessor, turning its error into this file's `InputError`.
  package func checked<T>(_ body: () throws(RuntimeError) -> T) throws(InputError) -> T {
    do { return try body() } catch { throw self.error(error) }
  }

  /// The class names a model carries (`ClassNames.metadataKey`), or nil.
  package var classNames: [String]? {
    let key = Array(ClassNames.metadataKey.utf8)
    for i in 0..<model.metadataCount {
      guard let entry = try? model.metadata(at: i), entry.name.elementsEqual(key) else { continue }
      return ClassNames.fromLines(entry.data)
    }
    return nil
  }
}

extension Tensor {
  /// The tensor's name as text ("serving_default_x:0"), or "#index" when it has none.
  package var displayName: String {
    name.isEmpty ? "#\(index)" : String(decoding: name, as: UTF8.self)
  }

  package var shapeArray: [Int] { (0..<rank).map { dim($0) } }

  /// "[1, 28, 28, 1]", with -1 where `shape_signature` marks a dynamic dimension.
  package var shapeText: String {
    let dims = (0..<rank).map { i in
      shapeSignature.count == rank && shapeSignature[i] < 0 ? "-1" : String(dim(i))
    }
    return "[" + dims.joined(separator: ", ") + "]"
  }

  package var typeName: String { type.name.description }
}
