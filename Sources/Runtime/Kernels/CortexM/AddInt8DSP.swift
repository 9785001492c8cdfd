/// ADD for the DSP kernel set: TFLM's reference_integer_ops::AddElementwise with each input's
/// rescaling (`(x + offset) << leftShift`, then `MultiplyByQuantizedMultiplierSmallerThanOneExp`)
/// looked up in a 256-entry table (it depends on the int8 value and the prepared parameters
/// only, so prepare makes the tables once, into the constants: the host computes them and a
/// firmware keeps them in flash, 2 KB per ADD, no RAM), and the output's as one folded 64-bit
/// multiply-add (DSPFoldedMultiplier), in plain 32-bit code: the vector ADD's 16-lane types cost
/// the M4 several times as many instructions. Broadcasting, or a multiplier that does not fold,
/// runs the reference kernel.

/// The bytes of `addInt8DSP`'s tables: two tables of 256 Int32.
public let addInt8DSPTableBytes = 2 * 256 * 4

/// Whether `addInt8DSP` runs these parameters (else the reference kernel does, with no tables).
public func addInt8DSPSupports(_ p: AddParams) -> Bool {
  !p.requiresBroadcast
    && DSPFoldedMultiplier.folds(multiplier: p.input1Multiplier, shift: p.input1Shift)
    && DSPFoldedMultiplier.folds(multiplier: p.input2Multiplier, shift: p.input2Shift)
    && DSPFoldedMultiplier.folds(multiplier: p.outputMultiplier, shift: p.outputShift)
}

/// Writes the two rescaling tables `addInt8DSP` reads (`addInt8DSPTableBytes`, 4-aligned),
/// indexed by the int8 value + 128; only for parameters `addInt8DSPSupports`.
public func writeAddInt8DSPTables(_ p: AddParams, into memory: UnsafeMutableRawPointer) {
  let table1 = memory.bindMemory(to: Int32.self, capacity: 512)
  let table2 = table1 + 256
  let scale1 = DSPFoldedMultiplier(multiplier: p.input1Multiplier, shift: p.input1Shift)
  let scale2 = DSPFoldedMultiplier(multiplier: p.input2Multiplier, shift: p.input2Shift)
  for v in 0..<256 {
    let x = Int32(truncatingIfNeeded: v) &- 128
    table1[v] = scale1.apply((p.input1Offset &+ x) &<< p.leftShift)
    table2[v] = scale2.apply((p.input2Offset &+ x) &<< p.leftShift)
  }
}

/// The bytes of `addInt8Reference` with the same parameters, which must be ones
/// `addInt8DSPSupports`, with the tables `writeAddInt8DSPTables` wrote for them.
public func addInt8DSP(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>, tables: UnsafeRawPointer
) {
  let table1 = tables.assumingMemoryBound(to: Int32.self)
  let scaleOut = DSPFoldedMultiplier(multiplier: p.outputMultiplier, shift: p.outputShift)
  let outputOffset = p.outputOffset
  let minimum = p.quantizedActivationMin
  let maximum = p.quantizedActivationMax
  let lookup1 = table1 + 128
  let lookup2 = table1 + 256 + 128
  for i in 0..<p.outputShape.flatSize {
    let sum = lookup1[Int(input1[i])] &+ lookup2[Int(input2[i])]
    let y = scaleOut.apply(sum) &+ outputOffset
    output[i] = Int8(truncatingIfNeeded: y < minimum ? minimum : (y > maximum ? maximum : y))
  }
}
