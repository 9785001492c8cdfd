/// The head of an interpreter's constants (`PrepareContext.constants`: per-channel multipliers
/// and shifts, packed filters with their folded biases). Those bytes hold no address and are the
/// same wherever prepare runs, so the host computes them once (`Interpreter.prepareConstants`)
/// and a firmware keeps them in flash, read-only (`Interpreter(model:constants:arena:kernels:)`),
/// as TinyEngine and X-CUBE-AI keep theirs. This header is how the firmware knows they are the
/// ones its model and kernel set (and so its filter packing) need.
///
/// Only `UInt32` fields: the layout is the same on a 64-bit host and a 32-bit chip.
struct ConstantsHeader: Equatable {
  var magic: UInt32
  var version: UInt32
  var kernels: UInt32
  /// The depthwise kernels' accumulators per segment (0 without vector kernels): with the kernel
  /// set, what tells the packings apart.
  var depthwiseAccumulators: UInt32
  /// The whole constants region, this header included.
  var byteCount: UInt32
  var modelByteCount: UInt32
  /// FNV-1a over the model's bytes.
  var modelChecksum: UInt32
  var reserved: UInt32 = 0

  static let expectedMagic: UInt32 = 0x4B4E_4354  // "TCNK", little-endian
  static let currentVersion: UInt32 = 2  // 2: operator and tensor tables, constant records

  init(model: Model, kernels: KernelSet, byteCount: Int) {
    magic = Self.expectedMagic
    version = Self.currentVersion
    self.kernels = UInt32(kernels.id.rawValue)
    depthwiseAccumulators = UInt32(
      truncatingIfNeeded: kernels.vector?.depthwiseConv2D?.accumulators ?? 0)
    self.byteCount = UInt32(truncatingIfNeeded: byteCount)
    modelByteCount = UInt32(truncatingIfNeeded: model.bytes.count)
    modelChecksum = fnv1a(model.bytes)
  }
}

/// FNV-1a, 32 bits: a cheap check that prepared constants belong to the model beside them (not a
/// defence against a forger; both come from the same build).
func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
  var hash: UInt32 = 0x811C_9DC5
  for b in bytes {
    hash = (hash ^ UInt32(b)) &* 0x0100_0193
  }
  return hash
}
