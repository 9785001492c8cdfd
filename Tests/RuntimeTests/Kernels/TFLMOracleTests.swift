import Testing

@testable import Runtime

// TFLite Micro's own outputs (TFLMOracleData.swift, made by Oracle/make_oracle_data.sh from
// TFLM's kernels) for randomised cases of every kernel here, replayed through our prepare
// functions and reference kernels: equal, not close.

/// One line of the oracle data: `op key=value ...`.
struct OracleCase: CustomStringConvertible {
  struct MissingField: Error { var key: String }

  var op: String
  var line: Int
  var fields: [Substring: Substring]

  var description: String { "\(op) (oracle line \(line))" }
  var passedPrepare: Bool { fields["status"] == "ok" }

  func text(_ key: Substring) throws -> Substring {
    guard let value = fields[key] else { throw MissingField(key: String(key)) }
    return value
  }
  func has(_ key: Substring) -> Bool { fields[key] != nil }
  func int(_ key: Substring) throws -> Int { Int(try text(key))! }
  func int32(_ key: Substring) throws -> Int32 { Int32(try text(key))! }
  func float(_ key: Substring) throws -> Float { Float(try text(key))! }
  func ints(_ key: Substring) throws -> [Int] {
    let value = try text(key)
    return value == "-" ? [] : value.split(separator: ",").map { Int($0)! }
  }
  func int8s(_ key: Substring) throws -> [Int8] { try ints(key).map { Int8($0) } }
  func int32s(_ key: Substring) throws -> [Int32] { try ints(key).map { Int32($0) } }
  func floats(_ key: Substring) throws -> [Float] {
    let value = try text(key)
    return value == "-" ? [] : value.split(separator: ",").map { Float($0)! }
  }
  func runtimeShape(_ key: Substring) throws -> RuntimeShape { try shape(try ints(key)) }
  func activation() throws -> FusedActivation {
    FusedActivation(rawValue: Int8(try int("activation")))!
  }
}

let oracleCases: [OracleCase] = {
  var cases: [OracleCase] = []
  for (index, line) in tflmOracleData.split(separator: "\n").enumerated() {
    let tokens = line.split(separator: " ")
    var fields: [Substring: Substring] = [:]
    for token in tokens.dropFirst() {
      let parts = token.split(separator: "=", maxSplits: 1)
      fields[parts[0]] = parts[1]
    }
    cases.append(OracleCase(op: String(tokens[0]), line: index + 1, fields: fields))
  }
  return cases
}()

func oracle(_ op: String) -> [OracleCase] { oracleCases.filter { $0.op == op } }

@Test func oracleDataCoversEveryKernel() {
  let ops = Set(oracleCases.map(\.op))
  for op in [
    "softmax", "softmax16", "logistic", "add", "mean", "concat", "concat32", "pad", "padv2",
    "quantize_float", "requantize_i8_i8", "requantize_i8_u8", "requantize_u8_i8",
    "dequantize_i8", "dequantize_u8", "strided_slice", "strided_slice32", "pack", "pack32",
    "conv", "depthwise_conv", "fully_connected", "fully_connected_pc", "average_pool",
    "max_pool", "exp_on_negative_values_q5", "logistic_q4", "one_over_one_plus_x",
    "get_reciprocal_q12",
  ] {
    #expect(ops.contains(op), "no oracle cases for \(op)")
  }
}

// MARK: - Fixed point

@Test func fixedPointRoutinesMatchGemmlowp() throws {
  for c in oracle("exp_on_negative_values_q5") {
    let got = try c.int32s("input").map { expOnNegativeValues($0, integerBits: 5) }
    expectSameValues(got, try c.int32s("expect"), c.description)
  }
  for c in oracle("logistic_q4") {
    let got = try c.int32s("input").map { logistic($0, integerBits: 4) }
    expectSameValues(got, try c.int32s("expect"), c.description)
  }
  for c in oracle("one_over_one_plus_x") {
    let got = try c.int32s("input").map { oneOverOnePlusXForXIn01($0) }
    expectSameValues(got, try c.int32s("expect"), c.description)
  }
  for c in oracle("get_reciprocal_q12") {
    let got = try c.int32s("input").map { getReciprocal($0, integerDigits: 12) }
    expectSameValues(got.map(\.reciprocal), try c.int32s("expect"), c.description)
    expectSameValues(got.map(\.numBitsOverUnit), try c.int32s("expect_bits"), c.description)
  }
}

// MARK: - Activations

@Test func softmaxMatchesTFLM() throws {
  for c in oracle("softmax") + oracle("softmax16") {
    let s = try c.runtimeShape("shape")
    let int16 = c.op == "softmax16"
    let p = try prepareSoftmax(
      beta: try c.float("beta"), inputScale: try c.float("in_scale"),
      outputScale: int16 ? 1 / 65536 : 1 / 256, outputZeroPoint: int16 ? -32768 : -128,
      outputType: int16 ? .int16 : .int8, inputShape: s, outputShape: s)
    let input = try c.int8s("input")
    if int16 {
      let got: [Int16] = run(input, outputCount: input.count) {
        softmaxInt8ToInt16Reference(p, input: $0, output: $1)
      }
      expectSameValues(got.map(Int.init), try c.ints("expect"), c.description)
    } else {
      let got: [Int8] = run(input, outputCount: input.count) {
        softmaxInt8Reference(p, input: $0, output: $1)
      }
      expectSameValues(got, try c.int8s("expect"), c.description)
    }
  }
}

@Test func logisticMatchesTFLM() throws {
  let input = (-128...127).map { Int8($0) }
  for c in oracle("logistic") {
    let p = try prepareLogistic(
      inputScale: try c.float("in_scale"), inputZeroPoint: try c.int32("in_zp"),
      outputZeroPoint: -128)
    let got: [Int8] = run(input, outputCount: 256) {
      logisticInt8Reference(p, count: 256, input: $0, output: $1)
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}

// MARK: - Elementwise and reductions

@Test func addMatchesTFLM() throws {
  for c in oracle("add") {
    let p = try prepareAdd(
      input1Scale: try c.float("scale1"), input1ZeroPoint: try c.int32("zp1"),
      input2Scale: try c.float("scale2"), input2ZeroPoint: try c.int32("zp2"),
      outputScale: try c.float("out_scale"), outputZeroPoint: try c.int32("out_zp"),
      activation: try c.activation(), input1Shape: try c.runtimeShape("shape1"),
      input2Shape: try c.runtimeShape("shape2"), outputShape: try c.runtimeShape("out_shape"))
    let first = try c.int8s("input1")
    let second = try c.int8s("input2")
    let got: [Int8] = second.withUnsafeBufferPointer { y in
      run(first, outputCount: p.outputShape.flatSize) {
        addInt8Reference(p, input1: $0, input2: y.baseAddress!, output: $1)
      }
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}

@Test func meanMatchesTFLM() throws {
  for c in oracle("mean") {
    let outputShape = try c.runtimeShape("out_shape")
    let inputShape = try c.runtimeShape("shape")
    let (inScale, inZP) = (try c.float("in_scale"), try c.int32("in_zp"))
    let (outScale, outZP) = (try c.float("out_scale"), try c.int32("out_zp"))
    let p = try withInt32s(try c.int32s("axes")) { (axis) throws(KernelError) in
      try prepareMean(
        inputShape: inputShape, axis: axis, outputShape: outputShape, inputScale: inScale,
        inputZeroPoint: inZP, outputScale: outScale, outputZeroPoint: outZP)
    }
    let got: [Int8] = run(try c.int8s("input"), outputCount: outputShape.flatSize) {
      meanInt8Reference(p, input: $0, output: $1)
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}

// MARK: - Data movement

/// The inputs `input0`, `input1`, ... of a multi-input case.
func numberedInputs(_ c: OracleCase) throws -> [(shape: [Int], values: [Int])] {
  var inputs: [(shape: [Int], values: [Int])] = []
  while c.has("input\(inputs.count)") {
    let i = inputs.count
    let shapeKey = c.has("shape\(i)") ? "shape\(i)" : "shape"
    inputs.append((try c.ints(Substring(shapeKey)), try c.ints("input\(i)")))
  }
  return inputs
}

/// Runs `body` with stable pointers to each input's elements, converted to `T`.
func withInputPointers<T: BinaryInteger, R>(
  _ inputs: [[Int]], as _: T.Type, _ body: ((Int) -> UnsafePointer<T>) -> R
) -> R {
  let pointers = inputs.map { values in
    let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
    p.initialize(from: values.map { T($0) }, count: values.count)
    return p
  }
  defer { for pointer in pointers { pointer.deallocate() } }
  return body { UnsafePointer(pointers[$0]) }
}

@Test func concatenationMatchesTFLM() throws {
  for c in oracle("concat") + oracle("concat32") {
    let inputs = try numberedInputs(c)
    let shapes = try inputs.map { try shape($0.shape) }
    let outputShape = try c.runtimeShape("out_shape")
    let (scale, zp) = (try c.float("scale"), try c.int32("zp"))
    let int8 = c.op == "concat"
    let p = try prepareConcatenation(
      axis: try c.int32("axis"), activation: .none, inputsCount: inputs.count,
      outputShape: outputShape, outputScale: scale, outputZeroPoint: zp,
      requireSameQuantization: int8
    ) { i in (shapes[i], scale, zp) }
    let count = outputShape.flatSize
    if int8 {
      let got: [Int8] = withInputPointers(inputs.map(\.values), as: Int8.self) { inputs in
        run([Int8](), outputCount: count) { _, out in
          concatenationReference(p, inputs: inputs, output: out)
        }
      }
      expectSameValues(got, try c.int8s("expect"), c.description)
    } else {
      let got: [Int32] = withInputPointers(inputs.map(\.values), as: Int32.self) { inputs in
        run([Int32](), outputCount: count) { _, out in
          concatenationReference(p, inputs: inputs, output: out)
        }
      }
      expectSameValues(got, try c.int32s("expect"), c.description)
    }
  }
}

@Test func packMatchesTFLM() throws {
  for c in oracle("pack") + oracle("pack32") {
    let inputs = try numberedInputs(c)
    let inputShape = try c.runtimeShape("shape")
    let outputShape = try c.runtimeShape("out_shape")
    let p = try preparePack(
      axis: try c.int32("axis"), valuesCount: inputs.count, outputShape: outputShape
    ) { _ in inputShape }
    let count = outputShape.flatSize
    if c.op == "pack" {
      let got: [Int8] = withInputPointers(inputs.map(\.values), as: Int8.self) { inputs in
        run([Int8](), outputCount: count) { _, out in packReference(p, inputs: inputs, output: out)
        }
      }
      expectSameValues(got, try c.int8s("expect"), c.description)
    } else {
      let got: [Int32] = withInputPointers(inputs.map(\.values), as: Int32.self) { inputs in
        run([Int32](), outputCount: count) { _, out in packReference(p, inputs: inputs, output: out)
        }
      }
      expectSameValues(got, try c.int32s("expect"), c.description)
    }
  }
}

@Test func padMatchesTFLM() throws {
  for c in oracle("pad") + oracle("padv2") {
    let inputShape = try c.runtimeShape("shape")
    let outputShape = try c.runtimeShape("out_shape")
    let (scale, zp) = (try c.float("scale"), try c.int32("zp"))
    let constant: (value: Int8, scale: Float, zeroPoint: Int32)? =
      c.op == "padv2" ? (Int8(try c.int("constant")), scale, zp) : nil
    let p = try withInt32s(try c.int32s("paddings")) { (paddings) throws(KernelError) in
      try preparePad(
        inputShape: inputShape, paddings: paddings, outputShape: outputShape,
        outputScale: scale, outputZeroPoint: zp, constant: constant)
    }
    let got: [Int8] = run(try c.int8s("input"), outputCount: outputShape.flatSize) {
      padInt8Reference(p, input: $0, output: $1)
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}

@Test func stridedSliceMatchesTFLM() throws {
  for c in oracle("strided_slice") + oracle("strided_slice32") {
    let inputShape = try c.runtimeShape("shape")
    let outputShape = try c.runtimeShape("out_shape")
    let masks = (try c.int32("begin_mask"), try c.int32("end_mask"), try c.int32("shrink_mask"))
    let (begin, end, strides) = (
      try c.int32s("begin"), try c.int32s("end"), try c.int32s("strides")
    )
    let p = try withInt32s(begin) { (b) throws(KernelError) in
      try withInt32s(end) { (e) throws(KernelError) in
        try withInt32s(strides) { (s) throws(KernelError) in
          try prepareStridedSlice(
            inputShape: inputShape, begin: b, end: e, strides: s, beginMask: masks.0,
            endMask: masks.1, shrinkAxisMask: masks.2, outputShape: outputShape)
        }
      }
    }
    let count = outputShape.flatSize
    if c.op == "strided_slice" {
      let got: [Int8] = run(try c.int8s("input"), outputCount: count) {
        stridedSliceReference(p, input: $0, output: $1)
      }
      expectSameValues(got, try c.int8s("expect"), c.description)
    } else {
      let got: [Int32] = run(try c.int32s("input"), outputCount: count) {
        stridedSliceReference(p, input: $0, output: $1)
      }
      expectSameValues(got, try c.int32s("expect"), c.description)
    }
  }
}

// MARK: - Quantize, dequantize

@Test func quantizeAndDequantizeMatchTFLM() throws {
  for c in oracle("quantize_float") {
    let p = prepareQuantize(
      outputScale: try c.float("out_scale"), outputZeroPoint: try c.int32("out_zp"))
    let input = try c.floats("input")
    let got: [Int8] = run(input, outputCount: input.count) {
      quantizeFloatToInt8Reference(p, count: input.count, input: $0, output: $1)
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
  let bytes = (0...255).map { UInt8($0) }
  let signedBytes = bytes.map { Int8(bitPattern: $0) }
  for c in oracle("requantize_i8_i8") + oracle("requantize_i8_u8") + oracle("requantize_u8_i8") {
    let p = prepareRequantize(
      inputScale: try c.float("in_scale"), inputZeroPoint: try c.int32("in_zp"),
      outputScale: try c.float("out_scale"), outputZeroPoint: try c.int32("out_zp"))
    switch c.op {
    case "requantize_i8_i8":
      let got: [Int8] = run(signedBytes, outputCount: 256) {
        requantizeInt8Reference(p, count: 256, input: $0, output: $1)
      }
      expectSameValues(got, try c.int8s("expect"), c.description)
    case "requantize_i8_u8":
      let got: [UInt8] = run(signedBytes, outputCount: 256) {
        requantizeInt8ToUInt8Reference(p, count: 256, input: $0, output: $1)
      }
      expectSameValues(got.map(Int.init), try c.ints("expect"), c.description)
    default:
      let got: [Int8] = run(bytes, outputCount: 256) {
        requantizeUInt8ToInt8Reference(p, count: 256, input: $0, output: $1)
      }
      expectSameValues(got, try c.int8s("expect"), c.description)
    }
  }
  for c in oracle("dequantize_i8") + oracle("dequantize_u8") {
    let p = prepareDequantize(inputScale: try c.float("scale"), inputZeroPoint: try c.int32("zp"))
    let got: [Float]
    if c.op == "dequantize_i8" {
      got = run(signedBytes, outputCount: 256) {
        dequantizeInt8Reference(p, count: 256, input: $0, output: $1)
      }
    } else {
      got = run(bytes, outputCount: 256) {
        dequantizeUInt8Reference(p, count: 256, input: $0, output: $1)
      }
    }
    expectSameValues(got.map(\.bitPattern), try c.floats("expect").map(\.bitPattern), c.description)
  }
}

// MARK: - Convolution, fully connected, pooling (reviewed against TFLM)

@Test func convolutionsMatchTFLM() throws {
  for c in oracle("conv") + oracle("depthwise_conv") {
    let depthwise = c.op == "depthwise_conv"
    let inputShape = try c.runtimeShape("in_shape").shape4
    let filterShape = try c.runtimeShape("filter_shape").shape4
    let outputShape = try c.runtimeShape("out_shape").shape4
    let padding = Padding(rawValue: UInt8(try c.int("padding")))!
    let (strideH, strideW) = (try c.int("stride_h"), try c.int("stride_w"))
    let (dilationH, dilationW) = (try c.int("dilation_h"), try c.int("dilation_w"))
    let window = try computePaddingHeightWidth(
      strideHeight: strideH, strideWidth: strideW, dilationHeight: dilationH,
      dilationWidth: dilationW, inHeight: inputShape.h, inWidth: inputShape.w,
      filterHeight: filterShape.h, filterWidth: filterShape.w, padding: padding)
    let range = try calculateActivationRangeQuantized(
      try c.activation(), outputScale: try c.float("out_scale"),
      outputZeroPoint: try c.int32("out_zp"))
    var multiplier = [Int32](repeating: 0, count: outputShape.c)
    var shift = [Int32](repeating: 0, count: outputShape.c)
    let filterScales = try c.floats("filter_scales")
    let inputScale = try c.float("in_scale")
    let outputScale = try c.float("out_scale")
    try filterScales.withUnsafeBufferPointer { f in
      try multiplier.withUnsafeMutableBufferPointer { m in
        try shift.withUnsafeMutableBufferPointer { s in
          try populateConvolutionQuantizationParams(
            inputScale: inputScale, filterScales: f, outputScale: outputScale,
            outputMultiplier: m, outputShift: s)
        }
      }
    }
    let conv = ConvParams(
      padding: padding, paddingValues: window.padding, strideWidth: strideW,
      strideHeight: strideH, dilationWidthFactor: dilationW, dilationHeightFactor: dilationH,
      inputOffset: -(try c.int32("in_zp")), outputOffset: try c.int32("out_zp"),
      quantizedActivationMin: range.min, quantizedActivationMax: range.max)
    let filter = try c.int8s("filter")
    let bias: [Int32]? = c.has("bias") ? try c.int32s("bias") : nil
    let input = try c.int8s("input")
    let got: [Int8] = filter.withUnsafeBufferPointer { f in
      multiplier.withUnsafeBufferPointer { m in
        shift.withUnsafeBufferPointer { s in
          (bias ?? [0]).withUnsafeBufferPointer { b in
            run(input, outputCount: outputShape.flatSize) { x, y in
              let biasPointer = bias == nil ? nil : b.baseAddress
              if depthwise {
                let p = DepthwiseParams(
                  padding: padding, paddingValues: window.padding, strideWidth: strideW,
                  strideHeight: strideH, dilationWidthFactor: dilationW,
                  dilationHeightFactor: dilationH, depthMultiplier: outputShape.c / inputShape.c,
                  inputOffset: conv.inputOffset, outputOffset: conv.outputOffset,
                  quantizedActivationMin: range.min, quantizedActivationMax: range.max)
                depthwiseConv2DPerChannelInt8Reference(
                  p, outputMultiplier: m.baseAddress!, outputShift: s.baseAddress!,
                  inputShape: inputShape, input: x, filterShape: filterShape,
                  filter: f.baseAddress!, bias: biasPointer, outputShape: outputShape, output: y)
              } else {
                conv2DPerChannelInt8Reference(
                  conv, outputMultiplier: m.baseAddress!, outputShift: s.baseAddress!,
                  inputShape: inputShape, input: x, filterShape: filterShape,
                  filter: f.baseAddress!, bias: biasPointer, outputShape: outputShape, output: y)
              }
            }
          }
        }
      }
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}

@Test func fullyConnectedMatchesTFLM() throws {
  for c in oracle("fully_connected") + oracle("fully_connected_pc") {
    let (batches, depth, units) = (try c.int("batches"), try c.int("depth"), try c.int("units"))
    let inputScale = try c.float("in_scale")
    let outputScale = try c.float("out_scale")
    let filterScales = try c.floats("filter_scales")
    let bias: [Int32]? = c.has("bias") ? try c.int32s("bias") : nil
    let range = try calculateActivationRangeQuantized(
      try c.activation(), outputScale: outputScale, outputZeroPoint: try c.int32("out_zp"))
    var p = FullyConnectedParams(
      inputOffset: -(try c.int32("in_zp")), outputOffset: try c.int32("out_zp"),
      quantizedActivationMin: range.min, quantizedActivationMax: range.max)
    let inputShape = Shape4(n: 1, h: 1, w: batches, c: depth)
    let filterShape = Shape4(n: 1, h: 1, w: units, c: depth)
    let outputShape = Shape4(n: 1, h: 1, w: batches, c: units)
    var multiplier = [Int32](repeating: 0, count: units)
    var shift = [Int32](repeating: 0, count: units)
    if c.op == "fully_connected" {
      (p.outputMultiplier, p.outputShift) = convolutionChannelMultiplier(
        inputScale: inputScale, filterScale: filterScales[0], outputScale: outputScale)
    } else {
      try filterScales.withUnsafeBufferPointer { f in
        try multiplier.withUnsafeMutableBufferPointer { m in
          try shift.withUnsafeMutableBufferPointer { s in
            try populateConvolutionQuantizationParams(
              inputScale: inputScale, filterScales: f, outputScale: outputScale,
              outputMultiplier: m, outputShift: s)
          }
        }
      }
    }
    let filter = try c.int8s("filter")
    let input = try c.int8s("input")
    let perChannel = c.op == "fully_connected_pc"
    let got: [Int8] = filter.withUnsafeBufferPointer { f in
      multiplier.withUnsafeBufferPointer { m in
        shift.withUnsafeBufferPointer { s in
          (bias ?? [0]).withUnsafeBufferPointer { b in
            run(input, outputCount: batches * units) { x, y in
              let biasPointer = bias == nil ? nil : b.baseAddress
              if perChannel {
                fullyConnectedPerChannelInt8Reference(
                  p, outputMultiplier: m.baseAddress!, outputShift: s.baseAddress!,
                  inputShape: inputShape, input: x, filterShape: filterShape,
                  filter: f.baseAddress!, bias: biasPointer, outputShape: outputShape, output: y)
              } else {
                fullyConnectedInt8Reference(
                  p, inputShape: inputShape, input: x, filterShape: filterShape,
                  filter: f.baseAddress!, bias: biasPointer, outputShape: outputShape, output: y)
              }
            }
          }
        }
      }
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}

@Test func poolingMatchesTFLM() throws {
  for c in oracle("average_pool") + oracle("max_pool") {
    let inputShape = try c.runtimeShape("in_shape").shape4
    let outputShape = try c.runtimeShape("out_shape").shape4
    let (scale, zp) = (try c.float("scale"), try c.int32("zp"))
    let p = try preparePool2D(
      padding: Padding(rawValue: UInt8(try c.int("padding")))!,
      strideHeight: try c.int("stride_h"), strideWidth: try c.int("stride_w"),
      filterHeight: try c.int("filter_h"), filterWidth: try c.int("filter_w"),
      activation: try c.activation(), inputShape: inputShape, outputShape: outputShape,
      inputScale: scale, inputZeroPoint: zp, outputScale: scale, outputZeroPoint: zp)
    let got: [Int8] = run(try c.int8s("input"), outputCount: outputShape.flatSize) {
      if c.op == "average_pool" {
        averagePool2DInt8Reference(
          p, inputShape: inputShape, input: $0, outputShape: outputShape, output: $1)
      } else {
        maxPool2DInt8Reference(
          p, inputShape: inputShape, input: $0, outputShape: outputShape, output: $1)
      }
    }
    expectSameValues(got, try c.int8s("expect"), c.description)
  }
}
