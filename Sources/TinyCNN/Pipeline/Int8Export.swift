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

  /// The planned arena size of a .tflite file, as the runtime will need it. TODO(#4): read it
  /// from the Runtime planner once its interpreter lands; nil until then.
  static func plannedArena(_ bytes: [UInt8]) -> Int? { nil }
}
