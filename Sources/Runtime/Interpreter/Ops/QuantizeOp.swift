/// A prepared QUANTIZE: float to int8, or a requantisation between int8 and uint8 scales.
struct QuantizeOp {
  enum Conversion {
    case floatToInt8
    case int8ToInt8
    case int8ToUInt8
    case uint8ToInt8
  }
  var conversion: Conversion
  var params: QuantizeParams
  var count: Int
  var input: UnsafeRawPointer
  var output: UnsafeMutableRawPointer

  func eval() {
    switch conversion {
    case .floatToInt8:
      quantizeFloatToInt8Reference(
        params, count: count, input: input.assumingMemoryBound(to: Float.self),
        output: output.assumingMemoryBound(to: Int8.self))
    case .int8ToInt8:
      requantizeInt8Reference(
        params, count: count, input: input.assumingMemoryBound(to: Int8.self),
        output: output.assumingMemoryBound(to: Int8.self))
    case .int8ToUInt8:
      requantizeInt8ToUInt8Reference(
        params, count: count, input: input.assumingMemoryBound(to: Int8.self),
        output: output.assumingMemoryBound(to: UInt8.self))
    case .uint8ToInt8:
      requantizeUInt8ToInt8Reference(
        params, count: count, input: input.assumingMemoryBound(to: UInt8.self),
        output: output.assumingMemoryBound(to: Int8.self))
    }
  }
}

/// A prepared DEQUANTIZE: int8 or uint8 to float.
struct DequantizeOp {
  var params: DequantizeParams
  var count: Int
  var fromUInt8: Bool
  var input: UnsafeRawPointer
  var output: UnsafeMutablePointer<Float>

  func eval() {
    if fromUInt8 {
      dequantizeUInt8Reference(
        params, count: count, input: input.assumingMemoryBound(to: UInt8.self), output: output)
    } else {
      dequantizeInt8Reference(
        params, count: count, input: input.assumingMemoryBound(to: Int8.self), output: output)
    }
  }
}

extension Interpreter {
  /// TFLM's PrepareQuantizeReference (quantize_common.cc): a single output scale; float -> int8,
  /// int8 -> int8, int8 -> uint8, uint8 -> int8 (TFLM's int16/int32 variants are not run here).
  @inline(never)
  static func prepareQuantize(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 1...1)
    try ctx.requireOutputs(op, 1)
    try op.checkOptions(ofType: BuiltinOptionsType.quantize)
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    try ctx.requireShape(op, output, output.elementCount == input.elementCount)
    let outputQ = try ctx.quantization(op, output)
    guard outputQ.scaleCount == 1 else {
      throw .unsupportedQuantization(operator: op.index, tensor: output.index)
    }
    let outputScale = try ctx.outputScale(op, output)
    let conversion: QuantizeOp.Conversion
    var params: QuantizeParams
    switch (input.type, output.type) {
    case (.float32, .int8):
      conversion = .floatToInt8
      params = Runtime.prepareQuantize(outputScale: outputScale, outputZeroPoint: outputQ.zeroPoint)
    case (.int8, .int8), (.int8, .uint8), (.uint8, .int8):
      conversion =
        input.type == .uint8 ? .uint8ToInt8 : output.type == .uint8 ? .int8ToUInt8 : .int8ToInt8
      let inputQ = try ctx.quantization(op, input)
      params = prepareRequantize(
        inputScale: inputQ.scale, inputZeroPoint: inputQ.zeroPoint, outputScale: outputScale,
        outputZeroPoint: outputQ.zeroPoint)
    default:
      let t = input.type == .float32 || input.type == .int8 || input.type == .uint8 ? output : input
      throw .unsupportedType(operator: op.index, tensor: t.index, type: t.type.rawValue)
    }
    guard let payload = ctx.commit(.quantize, QuantizeOp.self) else { return }
    payload.initialize(
      to: QuantizeOp(
        conversion: conversion, params: params, count: input.elementCount,
        input: UnsafeRawPointer(ctx.data(input)), output: ctx.data(output)))
  }

  /// TFLM's DequantizePrepare (dequantize_common.cc): int8 or uint8 in, float32 out.
  @inline(never)
  static func prepareDequantize(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 1...1)
    try ctx.requireOutputs(op, 1)
    try op.checkOptions(ofType: BuiltinOptionsType.dequantize)
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    guard input.type == .int8 || input.type == .uint8 else {
      throw .unsupportedType(operator: op.index, tensor: input.index, type: input.type.rawValue)
    }
    try ctx.requireType(op, output, .float32)
    try ctx.requireShape(op, output, output.elementCount == input.elementCount)
    let inputQ = try ctx.quantization(op, input)
    let params = Runtime.prepareDequantize(
      inputScale: inputQ.scale, inputZeroPoint: inputQ.zeroPoint)
    guard let payload = ctx.commit(.dequantize, DequantizeOp.self) else { return }
    payload.initialize(
      to: DequantizeOp(
        params: params, count: input.elementCount, fromUInt8: input.type == .uint8,
        input: UnsafeRawPointer(ctx.data(input)),
        output: ctx.data(output).assumingMemoryBound(to: Float.self)))
  }
}
