/// Marks when each intermediate tensor is alive, as TFLM's AllocationInfoBuilder does
/// (micro_allocation_info.cc, `MarkAllocationLifetimes`), on a scale where the model's inputs
/// exist at time 0 and operator `i` runs at time `i + 1`:
///
/// - a model input is created at 0 (and used at 0, so an unused input still gets a place);
/// - an operator's outputs are created at its time, and its inputs and outputs are used then;
/// - a model output is used until the last operator's time.
///
/// Constants (data in the file) and empty tensors are not planned. One thing TFLM leaves to
/// RESHAPE's Eval is done here: a RESHAPE output shares its input's bytes (`aliases[out] = root of
/// in`), so the pair is one buffer alive over both lifetimes and the reshape costs no memory
/// and no copy. Every tensor index maps to its root in `aliases` (itself when not aliased).
///
/// `records[t]` receives tensor `t`'s buffer: size rounded up to 16, first and last use; aliased,
/// constant and unused tensors are `.unplanned`. `records` and `aliases` hold `tensorCount`
/// entries.
public func markTensorLifetimes(
  _ model: Model, records: UnsafeMutableBufferPointer<PlannedBuffer>,
  aliases: UnsafeMutableBufferPointer<Int32>
) throws(RuntimeError) {
  let tensorCount = model.tensorCount
  precondition(records.count >= tensorCount && aliases.count >= tensorCount)
  for t in 0..<tensorCount { aliases[t] = Int32(truncatingIfNeeded: t) }

  // Which tensors are model inputs: their bytes are the caller's, so no RESHAPE may make an
  // input share another tensor's buffer.
  func isModelInput(_ t: Int) -> Bool {
    for i in 0..<model.inputCount where model.inputTensorIndex(i) == t { return true }
    return false
  }
  for i in 0..<model.operatorCount {
    let op = try model.operation(at: i)
    guard op.builtinCode == BuiltinOperator.reshape.rawValue, let input = op.input(0),
      let output = op.output(0), input != output, !isModelInput(output)
    else { continue }
    let a = try model.tensor(at: input)
    let b = try model.tensor(at: output)
    // Only a true reshape shares (prepare rejects the rest); roots are always final, as the
    // input is aliased before its own consumers are seen.
    guard a.type == b.type, a.byteCount == b.byteCount else { continue }
    aliases[output] = aliases[input]
  }

  for t in 0..<tensorCount {
    let tensor = try model.tensor(at: t)
    records[t] = .unplanned
    guard Int(aliases[t]) == t, !tensor.isConstant, tensor.byteCount > 0 else { continue }
    guard tensor.byteCount <= Int(Int32.max) - arenaAlignment else { throw .modelTooLarge }
    // firstUse -2: planned but not yet created (-1 marks `.unplanned`).
    records[t] = PlannedBuffer(
      size: Int32(alignedArenaSize(tensor.byteCount)), firstUse: -2, lastUse: -2)
  }

  func create(_ t: Int, at time: Int32) {
    let r = Int(aliases[t])
    guard records[r].firstUse != -1 else { return }
    if records[r].firstUse == -2 { records[r].firstUse = time }
  }
  func use(_ t: Int, at time: Int32) {
    let r = Int(aliases[t])
    guard records[r].firstUse != -1 else { return }
    records[r].lastUse = time
  }

  for i in 0..<model.inputCount {
    create(model.inputTensorIndex(i), at: 0)
    use(model.inputTensorIndex(i), at: 0)
  }
  for i in 0..<model.operatorCount {
    let op = try model.operation(at: i)
    let time = Int32(truncatingIfNeeded: i + 1)
    for k in 0..<op.outputs.count { create(Int(op.outputs[k]), at: time) }
    for k in 0..<op.inputs.count where op.inputs[k] >= 0 {
      let t = Int(op.inputs[k])
      let r = Int(aliases[t])
      // A computed input nobody has written yet: the operators are out of order.
      if records[r].firstUse == -2 { throw .tensorUsedBeforeWritten(operator: i, tensor: t) }
      use(t, at: time)
    }
    for k in 0..<op.outputs.count { use(Int(op.outputs[k]), at: time) }
  }
  let end = Int32(truncatingIfNeeded: model.operatorCount)
  for i in 0..<model.outputCount {
    create(model.outputTensorIndex(i), at: end)
    use(model.outputTensorIndex(i), at: end)
  }
  // A tensor that is neither read nor written (an unused intermediate) needs no place.
  for t in 0..<tensorCount where records[t].firstUse == -2 { records[t] = .unplanned }
}
