import Foundation
import Graph
import Quantization

/// A float model made int8: the conversion (per-layer record), the .tflite bytes and their sizes.
package struct Int8Export {
  package var conversion: Int8Conversion
  package var bytes: [UInt8]
  /// The arena the runtime's planner lays out for this model (reference kernels, interpreter
  /// records included); nil if it cannot plan it, and then `arenaProblem` says why.
  package var arenaBytes: Int?
  package var arenaProblem: String?

  /// Bytes of constant tensor data (int8 weights, int32 biases, shape and axis constants).
  package var constantBytes: Int { conversion.model.buffers.reduce(0) { $0 + $1.count } }

  /// Converts `model` (batch norms already folded: the graph calibration ran on) with the
  /// calibrated `ranges`, and stores `classNames` in the file.
  package static func make(
    _ model: FloatModel, ranges: [String: ActivationRange], options: ConversionOptions,
    classNames: [String]
  ) throws -> Int8Export {
    var conversion = try convertToInt8(model, ranges: ranges, options: options)
    if !classNames.isEmpty {
      conversion.model.metadata.append((ClassNames.metadataKey, ClassNames.lines(classNames)))
    }
    let bytes = conversion.model.serialized()
    var export = Int8Export(conversion: conversion, bytes: bytes)
    do {
      export.arenaBytes = try ModelSession(file: ModelFile(bytes: bytes, path: "")).arenaBytes
    } catch {
      export.arenaProblem = error.cause
    }
    return export
  }
}
