import Foundation
import Imaging
import Runtime

/// A .tflite file read into 16-byte aligned memory (TFLM's requirement, which the Runtime checks
/// for constant data) and opened with the Runtime's reader. Owns the bytes the `Model` points
/// into.
final class ModelFile {
  let path: String
  private let memory: UnsafeMutableRawBufferPointer
  let model: Model

  init(path: String) throws {
    let bytes: [UInt8]
    do {
      bytes = try BinaryFile.read(path)
    } catch {
      throw InputError(path, error.cause)
    }
    memory = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
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

  var byteCount: Int { model.bytes.count }

  /// The `InputError` for a Runtime error about this model, with operators and tensors named.
  func error(_ error: RuntimeError) -> InputError {
    InputError(path, error.message(model, fileBytes: byteCount))
  }

  /// The class names a model carries: metadata "class_names", UTF-8, one per line.
  var classNames: [String]? {
    guard let entry = try? model.metadata(named: "class_names") else { return nil }
    let text = String(decoding: entry.data, as: UTF8.self)
    let names = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let trimmed = names.reversed().drop { $0.isEmpty }.reversed().map { $0 }
    return trimmed.isEmpty ? nil : trimmed
  }
}

/// A model opened for running: the file, an arena of exactly the planned size, the interpreter.
final class ModelSession {
  let file: ModelFile
  let requirements: ArenaRequirements
  private let arena: UnsafeMutableRawBufferPointer
  let interpreter: Interpreter
  let kernels: KernelSet

  convenience init(path: String, kernels: KernelSet = .reference) throws {
    try self.init(file: ModelFile(path: path), kernels: kernels)
  }

  init(file: ModelFile, kernels: KernelSet = .reference) throws {
    self.file = file
    self.kernels = kernels
    let model = file.model
    do {
      let scratch = UnsafeMutableRawBufferPointer.allocate(
        byteCount: try Interpreter.planningBytes(for: model, kernels: kernels), alignment: 16)
      defer { scratch.deallocate() }
      requirements = try Interpreter.requirements(
        for: model, scratch: scratch, kernels: kernels)
      arena = .allocate(byteCount: requirements.totalBytes, alignment: 16)
      do {
        interpreter = try Interpreter(model: model, arena: arena, kernels: kernels)
      } catch {
        arena.deallocate()
        throw error
      }
    } catch let error as RuntimeError {
      throw file.error(error)
    }
  }

  deinit { arena.deallocate() }

  var model: Model { file.model }
}

extension Tensor {
  /// The tensor's name as text ("serving_default_x:0"), or "#index" when it has none.
  var displayName: String {
    name.isEmpty ? "#\(index)" : String(decoding: name, as: UTF8.self)
  }

  var shapeArray: [Int] { (0..<rank).map { dim($0) } }

  /// "[1, 28, 28, 1]", with -1 where `shape_signature` marks a dynamic dimension.
  var shapeText: String {
    let dims = (0..<rank).map { i in
      shapeSignature.count == rank && shapeSignature[i] < 0 ? "-1" : String(dim(i))
    }
    return "[" + dims.joined(separator: ", ") + "]"
  }

  var typeName: String { type.name.description }
}
