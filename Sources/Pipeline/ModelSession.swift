import Estimator
import Runtime

/// A model opened for running on the host, the firmware's setup with heap memory: the file, an
/// arena of exactly the planned size and the interpreter working in it. The one host runner:
/// `run`, `infer`, `eval`, `bench`, `quantize`'s arena figure and the firmware driver all use it.
/// Single-threaded like the Runtime; a worker thread opens its own session on the shared file.
package final class ModelSession {
  package let file: ModelFile
  package let kernels: KernelSet
  /// The arena this session's kernels need: planned tensors plus the interpreter's records (and,
  /// with the optimized kernels, the filters they re-pack).
  package let requirements: ArenaRequirements
  package let interpreter: Interpreter
  private let arena: UnsafeMutableRawBufferPointer

  package convenience init(
    path: String, kernels: KernelSet = .reference, preservingAllTensors: Bool = false
  ) throws(InputError) {
    try self.init(
      file: ModelFile(path: path), kernels: kernels, preservingAllTensors: preservingAllTensors)
  }

  /// - preservingAllTensors: every intermediate keeps its own bytes after `invoke`, for
  ///   per-layer comparisons (a larger arena).
  package init(
    file: ModelFile, kernels: KernelSet = .reference, preservingAllTensors: Bool = false
  ) throws(InputError) {
    self.file = file
    self.kernels = kernels
    do {
      requirements = try RuntimeArena.requirements(
        for: file.model, kernels: kernels, preservingAllTensors: preservingAllTensors)
    } catch { throw file.error(error) }
    // At a cache line, so the packed weights in the plan are too (`packedWeightAlignment`).
    arena = .allocate(byteCount: max(requirements.totalBytes, 1), alignment: packedWeightAlignment)
    do {
      interpreter = try Interpreter(
        model: file.model, arena: arena, preservingAllTensors: preservingAllTensors,
        kernels: kernels)
    } catch {
      arena.deallocate()
      throw file.error(error)
    }
  }

  deinit { arena.deallocate() }

  package var model: Model { file.model }
  package var path: String { file.path }
  package var arenaBytes: Int { requirements.totalBytes }

  /// The arena of the reference kernels: what a microcontroller build of the Runtime needs.
  package var deviceArenaBytes: Int {
    guard kernels != .reference else { return arenaBytes }
    return (try? RuntimeArena.requirements(for: model, kernels: .reference).totalBytes)
      ?? arenaBytes
  }

  package func invoke() throws(InputError) {
    try file.checked { () throws(RuntimeError) in try interpreter.invoke() }
  }

  package func input(_ i: Int) throws(InputError) -> TensorData {
    try file.checked { () throws(RuntimeError) in try interpreter.input(i) }
  }

  package func output(_ i: Int) throws(InputError) -> TensorData {
    try file.checked { () throws(RuntimeError) in try interpreter.output(i) }
  }

  /// Tensor `t`'s current bytes as int8 (after `invoke`; intermediates only when preserving).
  package func values(ofTensor t: Int) throws(InputError) -> UnsafeBufferPointer<Int8> {
    let data = try file.checked { () throws(RuntimeError) in try interpreter.tensorData(t) }
    return UnsafeBufferPointer(data.bytes.bindMemory(to: Int8.self))
  }

  /// The index of the first tensor called `name`, or nil.
  package func tensorIndex(named name: String) -> Int? {
    let wanted = Array(name.utf8)
    for t in 0..<model.tensorCount {
      guard let tensor = try? model.tensor(at: t) else { continue }
      if tensor.name.elementsEqual(wanted) { return t }
    }
    return nil
  }
}
