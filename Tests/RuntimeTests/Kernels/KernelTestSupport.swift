import Testing

@testable import Runtime

/// A `RuntimeShape` from dimensions written in a test.
func shape(_ dims: Int...) throws(KernelError) -> RuntimeShape {
  try shape(dims)
}

func shape(_ dims: [Int]) throws(KernelError) -> RuntimeShape {
  let fileDims = dims.map { Int32($0) }
  return try fileDims.withUnsafeBufferPointer { (buffer) throws(KernelError) in
    try RuntimeShape(buffer)
  }
}

/// Runs `body` with a buffer view of `values` (the kernels' int32 operand tensors).
func withInt32s<R>(
  _ values: [Int32], _ body: (UnsafeBufferPointer<Int32>) throws(KernelError) -> R
) throws(KernelError) -> R {
  try values.withUnsafeBufferPointer { (buffer) throws(KernelError) in try body(buffer) }
}

/// Runs a kernel that reads `input` and writes `outputCount` elements.
func run<Input, Output: Numeric>(
  _ input: [Input], outputCount: Int,
  _ kernel: (UnsafePointer<Input>, UnsafeMutablePointer<Output>) -> Void
) -> [Output] {
  // One spare element, so that an empty tensor still has an address to pass.
  var output = [Output](repeating: 0, count: outputCount + 1)
  let padded = input + input.prefix(1)
  let source = padded.isEmpty ? UnsafeMutablePointer<Input>.allocate(capacity: 1) : nil
  defer { source?.deallocate() }
  padded.withUnsafeBufferPointer { inputBuffer in
    output.withUnsafeMutableBufferPointer { outputBuffer in
      kernel(UnsafePointer(source) ?? inputBuffer.baseAddress!, outputBuffer.baseAddress!)
    }
  }
  return Array(output.prefix(outputCount))
}

/// Expects `got == want` element by element; on a mismatch names the first five differences
/// (index, got, want), as CMSIS-NN's `validate()` does.
func expectSameValues<T: Equatable>(
  _ got: [T], _ want: [T], _ context: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard got.count == want.count else {
    Issue.record(
      "\(context): \(got.count) values, want \(want.count)", sourceLocation: sourceLocation)
    return
  }
  let mismatches = got.indices.filter { got[$0] != want[$0] }
  if !mismatches.isEmpty {
    let first = mismatches.prefix(5).map { "[\($0)] got \(got[$0]) want \(want[$0])" }
    Issue.record(
      "\(context): \(mismatches.count) of \(got.count) differ: \(first.joined(separator: ", "))",
      sourceLocation: sourceLocation)
  }
}

/// A deterministic generator so a failure names a seed that reproduces it (the same SplitMix64
/// as FixedPointTests).
extension SplitMix64 {
  mutating func int8() -> Int8 { Int8(truncatingIfNeeded: next()) }
  mutating func int8s(_ count: Int) -> [Int8] { (0..<count).map { _ in int8() } }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
