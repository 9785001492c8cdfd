import Foundation
import InputChecks
import Runtime

/// An int8 .tflite model opened for host-side runs: owns the 16-byte aligned copy of the file and
/// the arena the Runtime interpreter works in (the firmware's setup, with heap memory).
///
/// Images go in as 8-bit HWC pixels, quantised the way the model's input tensor says
/// (`q = round(pixel / 255 / scale) + zero_point`, i.e. `pixel - 128` for TinyCNN's and
/// TensorFlow's models), which assumes the float model saw pixel/255 (the trainer's only
/// normalisation).
final class Int8Runner {
  let path: String
  let model: Model
  let kernels: KernelSet
  let interpreter: Interpreter
  /// The bytes the model needs in its arena: planned tensors plus the interpreter's records
  /// (and, with the optimized kernels, the filters they re-pack).
  let arenaBytes: Int
  /// The arena of the reference kernels: what a microcontroller build of the Runtime needs.
  let deviceArenaBytes: Int
  let input: TensorData
  let output: TensorData
  /// `pixelToInput[p]`: the int8 input value of pixel value p.
  private let pixelToInput: [Int8]
  private let fileBytes: UnsafeMutableRawBufferPointer
  private let arena: UnsafeMutableRawBufferPointer

  /// - preservingAllTensors: every intermediate keeps its own bytes after `run`, for per-layer
  ///   comparisons (a larger arena).
  init(
    bytes: [UInt8], path: String, preservingAllTensors: Bool = false,
    kernels: KernelSet = .reference
  ) throws {
    let file = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(bytes.count, 1), alignment: arenaAlignment)
    file.copyBytes(from: bytes)
    var arena = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    var opened: Model? = nil
    do {
      let model = try Model(bytes: UnsafeRawBufferPointer(rebasing: file[0..<bytes.count]))
      opened = model
      let scratch = UnsafeMutableRawBufferPointer.allocate(
        byteCount: try Interpreter.planningBytes(for: model, kernels: kernels),
        alignment: arenaAlignment)
      defer { scratch.deallocate() }
      let needed = try Interpreter.requirements(
        for: model, scratch: scratch, preservingAllTensors: preservingAllTensors,
        kernels: kernels
      ).totalBytes
      deviceArenaBytes =
        kernels == .reference
        ? needed
        : try Interpreter.requirements(
          for: model, scratch: scratch, preservingAllTensors: preservingAllTensors,
          kernels: .reference
        ).totalBytes
      arena = .allocate(byteCount: max(needed, 1), alignment: arenaAlignment)
      let interpreter = try Interpreter(
        model: model, arena: arena, preservingAllTensors: preservingAllTensors, kernels: kernels)
      let input = try interpreter.input(0)
      let output = try interpreter.output(0)
      guard input.tensor.type == .int8, output.tensor.type == .int8,
        let q = input.tensor.quantization
      else {
        throw InputError(path, "TinyCNN evaluates models with an int8 input and an int8 output")
      }
      self.model = model
      self.kernels = kernels
      self.interpreter = interpreter
      self.input = input
      self.output = output
      arenaBytes = needed
      pixelToInput = (0...255).map { p in
        let v = (Double(p) / 255 / Double(q.scale)).rounded() + Double(q.zeroPoint)
        return Int8(min(max(v, -128), 127))
      }
    } catch {
      arena.deallocate()
      file.deallocate()
      if let error = error as? RuntimeError {
        throw InputError(path, error.message(opened, fileBytes: bytes.count))
      }
      throw error
    }
    self.path = path
    fileBytes = file
    self.arena = arena
  }

  deinit {
    arena.deallocate()
    fileBytes.deallocate()
  }

  convenience init(
    path: String, preservingAllTensors: Bool = false, kernels: KernelSet = .reference
  ) throws {
    let data: [UInt8]
    do { data = try FileBytes.read(path) } catch { throw InputError(path, error.reason) }
    try self.init(
      bytes: data, path: path, preservingAllTensors: preservingAllTensors,
      kernels: kernels)
  }

  /// The input's [height, width, channels] (NHWC without the batch of 1).
  var inputShape: (height: Int, width: Int, channels: Int) {
    let s = input.tensor.shape4
    return (s.h, s.w, s.c)
  }

  /// Runs one image given as HWC pixels (`input`'s element count of them).
  func run(pixels: UnsafeBufferPointer<UInt8>) throws {
    precondition(pixels.count == input.bytes.count, "one image of the input's size")
    let destination = input.bytes.bindMemory(to: Int8.self)
    for i in 0..<pixels.count { destination[i] = pixelToInput[Int(pixels[i])] }
    do { try interpreter.invoke() } catch { throw runtimeError(error) }
  }

  /// The output tensor's int8 values after `run`.
  var outputValues: UnsafeBufferPointer<Int8> {
    UnsafeBufferPointer(output.bytes.bindMemory(to: Int8.self))
  }

  /// The index of the first tensor called `name`, or nil.
  func tensorIndex(named name: String) -> Int? {
    let wanted = Array(name.utf8)
    for t in 0..<model.tensorCount {
      guard let tensor = try? model.tensor(at: t) else { continue }
      if tensor.name.elementsEqual(wanted) { return t }
    }
    return nil
  }

  /// Tensor `t`'s current bytes as int8 (after `run`; intermediates only when preserving).
  func values(ofTensor t: Int) throws -> UnsafeBufferPointer<Int8> {
    do {
      return UnsafeBufferPointer(try interpreter.tensorData(t).bytes.bindMemory(to: Int8.self))
    } catch { throw runtimeError(error) }
  }

  private func runtimeError(_ error: RuntimeError) -> InputError {
    InputError(path, error.message(model, fileBytes: model.bytes.count))
  }
}
