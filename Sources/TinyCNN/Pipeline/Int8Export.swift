import Foundation
import Graph
import Quantization

/// A float model made int8: the conversion (per-layer record), the .tflite bytes and their sizes.
struct Int8Export {
  var conversion: Int8Conversion
  var bytes: [UInt8]
  /// The arena the runtime's planner lays out for this model; nil if it cannot plan it.
  var arenaBytes: Int?

  /// Bytes of constant tensor data (int8 weights, int32 biases, shape and axis constants).
  var constantBytes: Int { conversion.model.buffers.reduce(0) { $0 + $1.count } }

  /// The metadata entry `tinycnn infer` reads the class names from: UTF-8, one name per line.
  static let classNamesKey = "class_names"

  /// Converts `model` (batch norms already folded: the graph calibration ran on) with the
  /// calibrated `ranges`, and stores `classNames` in the file.
  static func make(
    _ model: FloatModel, ranges: [String: ActivationRange], options: ConversionOptions,
    classNames: [String]
  ) throws -> Int8Export {
    var conversion = try convertToInt8(model, ranges: ranges, options: options)
    if !classNames.isEmpty {
      let text = classNames.map { $0 + "\n" }.joined()
      conversion.model.metadata.append((classNamesKey, Array(text.utf8)))
    }
    let bytes = conversion.model.serialized()
    return Int8Export(conversion: conversion, bytes: bytes, arenaBytes: plannedArena(bytes))
  }

  /// The arena the runtime plans for a .tflite file (interpreter records included), or nil when
  /// the runtime cannot prepare the model; then `arenaProblem` says why.
  static func plannedArena(_ bytes: [UInt8]) -> Int? {
    try? Int8Runner(bytes: bytes, path: "").arenaBytes
  }

  /// Why the runtime cannot prepare the model, or nil when it can.
  var arenaProblem: String? {
    guard arenaBytes == nil else { return nil }
    do {
      _ = try Int8Runner(bytes: bytes, path: "")
      return nil
    } catch let error as InputError { return error.cause } catch { return "\(error)" }
  }
}
