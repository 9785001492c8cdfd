import Datasets
import Runtime

/// Runs a model over a batch held in .npy arrays, one invocation per image: TFLM's interpreter
/// (and the firmware) run batch 1, and a model converted with a dynamic batch still has batch 1
/// in its `shape` (-1 only in `shape_signature`). The first axis of every array is the batch.
/// With several `threads` the batch is split in contiguous slices, one interpreter each.
package struct BatchRunner {
  package let session: ModelSession
  package var threads = 1

  package init(session: ModelSession, threads: Int = 1) {
    self.session = session
    self.threads = threads
  }

  /// The .npy dtype that holds a tensor of `type`, if any.
  package static func npyType(_ type: TensorType) -> NPYArray.DType? {
    switch type {
    case .int8: .int8
    case .uint8: .uint8
    case .int32: .int32
    case .float32: .float32
    case .int64: .int64
    default: nil
    }
  }

  /// One image's dimensions: the tensor's shape without its leading batch dimension of 1.
  package static func imageShape(_ tensor: Tensor) -> (shape: [Int], hasBatchAxis: Bool) {
    let shape = tensor.shapeArray
    if shape.first == 1 { return (Array(shape.dropFirst()), true) }
    return (shape, false)
  }

  /// How many images `array` holds for model input `i`, after checking its dtype and shape.
  package func imageCount(_ array: NPYArray, file: String, input i: Int) throws -> Int {
    let tensor = try session.input(i).tensor
    let model = session.file.path
    guard let wanted = BatchRunner.npyType(tensor.type) else {
      throw InputError(
        model, "input \(i) has type \(tensor.typeName), which .npy files cannot feed")
    }
    guard array.dtype == wanted else {
      throw InputError(
        file,
        "dtype \(array.dtype.name), but the model's input \(i) (\(tensor.displayName)) takes \(wanted.name)"
      )
    }
    let (image, _) = BatchRunner.imageShape(tensor)
    if array.shape.count == image.count + 1 && Array(array.shape.dropFirst()) == image {
      return array.shape[0]
    }
    if !tensor.shapeArray.isEmpty && array.shape == tensor.shapeArray { return 1 }
    let example = "[N, " + image.map(String.init).joined(separator: ", ") + "]"
    throw InputError(
      file,
      "shape \(array.shape) does not fit the model's input \(i) \(tensor.shapeText): the first axis is the batch, so \(example)"
    )
  }

  /// Runs every image; returns one array per model output, batch first. `progress` gets the
  /// number of images done so far (from any worker thread, one call at a time).
  package func run(
    _ inputs: [(file: String, array: NPYArray)], progress: @escaping (Int) -> Void = { _ in }
  ) throws -> [NPYArray] {
    let interpreter = session.interpreter
    guard inputs.count == interpreter.inputCount else {
      throw InputError(
        session.file.path,
        "the model takes \(interpreter.inputCount) inputs, \(inputs.count) --input files given")
    }
    var count: Int? = nil
    for (i, input) in inputs.enumerated() {
      let n = try imageCount(input.array, file: input.file, input: i)
      if let count, count != n {
        throw InputError(input.file, "\(n) images, but \(inputs[0].file) has \(count)")
      }
      count = n
    }
    let images = count ?? 0
    var outputs: [NPYArray] = []
    for j in 0..<interpreter.outputCount {
      let tensor = try session.output(j).tensor
      guard let dtype = BatchRunner.npyType(tensor.type) else {
        throw InputError(
          session.file.path, "output \(j) has type \(tensor.typeName), which .npy cannot hold")
      }
      let (image, _) = BatchRunner.imageShape(tensor)
      outputs.append(
        NPYArray(
          dtype: dtype, shape: [images] + image,
          data: [UInt8](repeating: 0, count: images * tensor.byteCount)))
    }
    // Workers write their rows of each output here, then it is copied into the arrays.
    let results = outputs.map {
      UnsafeMutableRawBufferPointer.allocate(byteCount: max($0.data.count, 1), alignment: 16)
    }
    defer { for r in results { r.deallocate() } }
    var sessions = [session]
    for _ in 1..<max(1, min(threads, images)) {
      sessions.append(try ModelSession(file: session.file, kernels: session.kernels))
    }
    let done = ProgressCount(progress)
    try ParallelBatch.run(count: images, workers: sessions.count) { w, slice in
      let session = sessions[w]
      for k in slice {
        for (i, input) in inputs.enumerated() {
          let slot = try session.input(i).bytes
          let size = slot.count
          input.array.data.withUnsafeBytes { src in
            slot.copyMemory(
              from: UnsafeRawBufferPointer(rebasing: src[k * size..<(k + 1) * size]))
          }
        }
        try session.invoke()
        for j in 0..<results.count {
          let result = try session.output(j).bytes
          let size = result.count
          UnsafeMutableRawBufferPointer(rebasing: results[j][k * size..<(k + 1) * size])
            .copyMemory(from: UnsafeRawBufferPointer(result))
        }
        done.add(1)
      }
    }
    for j in 0..<outputs.count {
      let result = results[j]
      outputs[j].data.withUnsafeMutableBytes { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: result[0..<dst.count]))
      }
    }
    return outputs
  }
}
