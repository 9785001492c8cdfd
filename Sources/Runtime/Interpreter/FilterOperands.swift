/// What a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED record names besides its parameters: its
/// tensors and their shapes, its requantisation arrays, and the kernel it runs over which packed
/// filter and scratch. Part of a constant record (`ConstantRecords.swift`): no address.
struct FilterOperands: Equatable {
  /// Per-channel multipliers and shifts `[outC]` Int32 in the constants; none for a per-tensor
  /// FULLY_CONNECTED (its multiplier is in its parameters).
  var outputMultiplier: TensorRef
  var outputShift: TensorRef
  var inputShape: StoredShape
  var input: TensorRef
  var filterShape: StoredShape
  var filter: TensorRef
  var bias: TensorRef
  var outputShape: StoredShape
  var output: TensorRef
  /// `KernelPath`: the reference kernel, or the set's vector or DSP kernel over `packed` (its
  /// packed filter in the constants) and `scratch` (none for the DSP depthwise).
  var kernel: UInt32
  var packed: TensorRef
  var scratch: TensorRef
}

extension PrepareContext {
  /// The operands of a filtered operator, running the reference kernel until `route` sends it
  /// elsewhere; only while committing.
  func filterOperands(
    multiplier: UnsafeMutablePointer<Int32>?, shift: UnsafeMutablePointer<Int32>?,
    input: Tensor, inputShape: Shape4, filter: Tensor, bias: Tensor?, output: Tensor,
    outputShape: Shape4
  ) throws(RuntimeError) -> FilterOperands {
    FilterOperands(
      outputMultiplier: try constantRef(multiplier), outputShift: try constantRef(shift),
      inputShape: StoredShape(inputShape), input: ref(input),
      filterShape: StoredShape(filter.shape4), filter: ref(filter), bias: optionalRef(bias),
      outputShape: StoredShape(outputShape), output: ref(output), kernel: KernelPath.reference,
      packed: .none, scratch: .none)
  }

  /// Sends the operands to the kernel `path` over `reservation`'s packed filter and scratch,
  /// when both exist (a reservation without scratch keeps the kernel they had).
  func route(
    _ operands: inout FilterOperands, _ path: UInt32, _ reservation: PackedKernelReservation?
  ) throws(RuntimeError) {
    guard let reservation, let memory = reservation.memory, let scratch = reservation.scratch
    else { return }
    operands.kernel = path
    operands.packed = try constantRef(memory)
    operands.scratch = try scratchRef(scratch)
  }
}
