import Testing

@testable import Quantization
@testable import Runtime

private func text(_ bytes: UnsafeRawBufferPointer) -> String {
  String(decoding: bytes, as: UTF8.self)
}

/// One operator of every options kind the writer knows, each with values that differ from the
/// schema defaults, so that a field written under the wrong id reads back wrong.
private func everyOperator() -> TFLiteModel {
  var m = TFLiteModel(description: "round trip")
  let x = m.addTensor(
    "x", shape: [1, 5, 6, 3], type: .int8, quantization: .perTensor(scale: 0.5, zeroPoint: -3))
  let w = m.addTensor(
    "w", shape: [4, 3, 2, 3], type: .int8,
    quantization: .init(
      scales: [0.25, 0.125, 1e-3, 3.5], zeroPoints: [0, 0, 0, 0], quantizedDimension: 0),
    data: (0..<72).map { UInt8($0) })
  let dw = m.addTensor(
    "dw", shape: [1, 3, 3, 6], type: .int8,
    quantization: .init(
      scales: [1, 2, 3, 4, 5, 6], zeroPoints: [0, 0, 0, 0, 0, 0], quantizedDimension: 3),
    data: [UInt8](repeating: 7, count: 54))
  let b = m.addTensor(
    "b", shape: [4], type: .int32,
    quantization: .init(scales: [0.125, 0.0625, 5e-4, 1.75], zeroPoints: [0, 0, 0, 0]),
    data: [1, 0, 0, 0, 255, 255, 255, 255, 0, 1, 0, 0, 0, 0, 0, 128])
  let y = m.addTensor(
    "y", shape: [1, 2, 3, 4], type: .int8, quantization: .perTensor(scale: 0.01, zeroPoint: 127))
  m.addOperator(
    .conv2D, version: 3, inputs: [x, w, b], outputs: [y],
    options: .conv2D(
      padding: .valid, strideW: 2, strideH: 3, activation: .relu6, dilationW: 1, dilationH: 2))
  m.addOperator(
    .depthwiseConv2D, version: 3, inputs: [x, dw, -1], outputs: [y],
    options: .depthwiseConv2D(
      padding: .same, strideW: 3, strideH: 2, depthMultiplier: 2, activation: .relu,
      dilationW: 2, dilationH: 3))
  m.addOperator(
    .maxPool2D, version: 2, inputs: [x], outputs: [y],
    options: .pool2D(
      padding: .valid, strideW: 2, strideH: 1, filterWidth: 3, filterHeight: 2,
      activation: .relu))
  m.addOperator(
    .averagePool2D, version: 2, inputs: [x], outputs: [y],
    options: .pool2D(
      padding: .same, strideW: 1, strideH: 3, filterWidth: 2, filterHeight: 4, activation: .none))
  m.addOperator(
    .fullyConnected, version: 4, inputs: [x, w, b], outputs: [y],
    options: .fullyConnected(activation: .relu, keepNumDims: true))
  m.addOperator(.softmax, version: 2, inputs: [x], outputs: [y], options: .softmax(beta: 0.75))
  m.addOperator(
    .concatenation, version: 2, inputs: [x, x, x], outputs: [y],
    options: .concatenation(axis: -1, activation: .relu6))
  m.addOperator(.add, version: 2, inputs: [x, x], outputs: [y], options: .add(activation: .relu))
  let shape = m.addTensor("shape", shape: [2], type: .int32, data: [1, 0, 0, 0, 90, 0, 0, 0])
  m.addOperator(
    .reshape, inputs: [x, shape], outputs: [y], options: .reshape(newShape: [1, 90]))
  m.addOperator(.pad, version: 2, inputs: [x, shape], outputs: [y], options: .pad)
  m.addOperator(
    .mean, version: 2, inputs: [x, shape], outputs: [y], options: .reducer(keepDims: true))
  m.addOperator(.quantize, version: 2, inputs: [x], outputs: [y])
  m.addOperator(.dequantize, version: 2, inputs: [x], outputs: [y])
  m.addOperator(.logistic, version: 2, inputs: [x], outputs: [y])
  m.inputs = [x]
  m.outputs = [y]
  m.metadata = [("class_names", Array("a\nb\n".utf8)), ("other", [1, 2, 3])]
  return m
}

@Test func everyOperatorsOptionsSurviveTheRoundTrip() throws {
  let written = everyOperator()
  let (model, owner) = try openModel(written.serialized())
  defer { withExtendedLifetime(owner) {} }
  #expect(text(model.description) == "round trip")
  #expect(model.operatorCount == written.operators.count)
  for (i, op) in written.operators.enumerated() {
    let want = written.operatorCodes[Int(op.opcodeIndex)].builtin.rawValue
    #expect(try model.operation(at: i).builtinCode == want, "operator \(i)")
  }

  #expect(
    try model.operation(at: 0).conv2DOptions()
      == Conv2DOptions(
        padding: .valid, strideWidth: 2, strideHeight: 3, activation: .relu6, dilationWidth: 1,
        dilationHeight: 2))
  #expect(
    try model.operation(at: 1).depthwiseConv2DOptions()
      == DepthwiseConv2DOptions(
        padding: .same, strideWidth: 3, strideHeight: 2, depthMultiplier: 2, activation: .relu,
        dilationWidth: 2, dilationHeight: 3))
  #expect(try model.operation(at: 1).input(2) == nil)  // the omitted bias
  #expect(
    try model.operation(at: 2).pool2DOptions()
      == Pool2DOptions(
        padding: .valid, strideWidth: 2, strideHeight: 1, filterWidth: 3, filterHeight: 2,
        activation: .relu))
  #expect(
    try model.operation(at: 3).pool2DOptions()
      == Pool2DOptions(
        padding: .same, strideWidth: 1, strideHeight: 3, filterWidth: 2, filterHeight: 4,
        activation: .none))
  #expect(
    try model.operation(at: 4).fullyConnectedOptions()
      == FullyConnectedOptions(activation: .relu, keepNumDims: true))
  #expect(try model.operation(at: 5).softmaxOptions() == SoftmaxOptions(beta: 0.75))
  #expect(
    try model.operation(at: 6).concatenationOptions()
      == ConcatenationOptions(axis: -1, activation: .relu6))
  #expect(try model.operation(at: 6).inputs.count == 3)
  #expect(try model.operation(at: 7).addOptions().activation == .relu)
  let newShape = try #require(try model.operation(at: 8).reshapeOptions().newShape)
  #expect((0..<newShape.count).map { newShape[$0] } == [1, 90])
  #expect(try model.operation(at: 10).reducerOptions() == ReducerOptions(keepDims: true))
  // Operator codes: one per builtin, with the version given.
  let quantize = try model.operation(at: 11).code
  #expect(quantize.builtin == .quantize && quantize.version == 2)
  #expect(try model.operation(at: 0).code.version == 3)

  let classes = try #require(try model.metadata(named: "class_names"))
  #expect(text(classes.data) == "a\nb\n")
}

@Test func perChannelQuantizationSurvivesTheRoundTrip() throws {
  let written = everyOperator()
  let (model, owner) = try openModel(written.serialized())
  defer { withExtendedLifetime(owner) {} }
  #expect(model.tensorCount == written.tensors.count)
  for (i, want) in written.tensors.enumerated() {
    let got = try model.tensor(at: i)
    #expect(text(got.name) == want.name)
    #expect((0..<got.rank).map { got.shape[$0] } == want.shape)
    #expect(got.type.rawValue == want.type.rawValue)
    let data = got.data.map { Array($0) } ?? []
    #expect(data == written.buffers[Int(want.buffer)], "tensor \(want.name)")
    guard let q = want.quantization else {
      #expect(got.quantization == nil)
      continue
    }
    let r = try #require(got.quantization, "tensor \(want.name)")
    #expect((0..<r.scaleCount).map { r.scales[$0] } == q.scales)
    #expect((0..<r.zeroPointCount).map { Int64(r.zeroPoint($0)) } == q.zeroPoints)
    #expect(r.quantizedDimension == Int(q.quantizedDimension))
  }
  // Constant data is 16-byte aligned in the file, as TFLM expects.
  for i in 0..<model.tensorCount {
    guard let data = try model.tensor(at: i).data else { continue }
    #expect(Int(bitPattern: data.baseAddress) % 16 == 0)
  }
}
