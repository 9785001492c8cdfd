// Text output without a heap: static strings and integers written a character at a time
// through putchar (semihosting). String interpolation would allocate.

import Board

/// Writes a string literal (NUL-terminated in flash).
func write(_ s: StaticString) {
  let p = s.utf8Start
  for i in 0..<s.utf8CodeUnitCount { _ = putchar(Int32(p[i])) }
}

/// Writes a signed integer in decimal.
func writeInt(_ value: Int) {
  if value < 0 { _ = putchar(45) }  // '-'
  // The magnitude as unsigned, so Int.min has one too.
  var m = value < 0 ? UInt(bitPattern: 0 &- value) : UInt(bitPattern: value)
  var digits: InlineArray<20, UInt8> = .init(repeating: 0)
  var n = 0
  repeat {
    digits[n] = UInt8(truncatingIfNeeded: m % 10) &+ 48
    m /= 10
    n &+= 1
  } while m != 0
  while n > 0 {
    n &-= 1
    _ = putchar(Int32(digits[n]))
  }
}

/// Writes `error: <case> <numbers>` for a runtime error; `tinycnn firmware` has the host's
/// wording for each (the host checked the same model with the same code before building).
func writeError(_ error: RuntimeError) {
  write("error: ")
  switch error {
  case .truncatedModel(let at): named("truncatedModel", at)
  case .notATFLiteFile: write("notATFLiteFile")
  case .offsetOutOfRange(let at): named("offsetOutOfRange", at)
  case .vectorOutOfRange(let at, let count): named("vectorOutOfRange", at, count)
  case .invalidVTable(let at): named("invalidVTable", at)
  case .unsupportedSchemaVersion(let v): named("unsupportedSchemaVersion", Int(v))
  case .emptyModel: write("emptyModel")
  case .unsupportedTensorType(let type, let tensor):
    named("unsupportedTensorType", Int(type), tensor)
  case .invalidTensorShape(let tensor): named("invalidTensorShape", tensor)
  case .sparseTensor(let tensor): named("sparseTensor", tensor)
  case .bufferIndexOutOfRange(let tensor, let buffer):
    named("bufferIndexOutOfRange", tensor, buffer)
  case .bufferSizeMismatch(let tensor, let expected, let actual):
    named("bufferSizeMismatch", tensor, expected, actual)
  case .bufferOutOfRange(let buffer): named("bufferOutOfRange", buffer)
  case .misalignedBuffer(let tensor): named("misalignedBuffer", tensor)
  case .invalidQuantization(let tensor, _): named("invalidQuantization", tensor)
  case .metadataBufferOutOfRange(let entry, let buffer):
    named("metadataBufferOutOfRange", entry, buffer)
  case .operatorCodeOutOfRange(let op, let code): named("operatorCodeOutOfRange", op, code)
  case .unsupportedOperator(let code, let index):
    named("unsupportedOperator", Int(code), index)
  case .tensorIndexOutOfRange(let op, let tensor): named("tensorIndexOutOfRange", op, tensor)
  case .invalidOptions(let op): named("invalidOptions", op)
  case .wrongInputCount(let op, let expected, let actual):
    named("wrongInputCount", op, expected, actual)
  case .wrongOutputCount(let op, let expected, let actual):
    named("wrongOutputCount", op, expected, actual)
  case .unsupportedType(let op, let tensor, let type):
    named("unsupportedType", op, tensor, Int(type))
  case .shapeMismatch(let op, let tensor): named("shapeMismatch", op, tensor)
  case .unsupportedQuantization(let op, let tensor): named("unsupportedQuantization", op, tensor)
  case .kernel(let op, _): named("kernel", op)
  case .expectedConstantTensor(let op, let tensor): named("expectedConstantTensor", op, tensor)
  case .tensorUsedBeforeWritten(let op, let tensor):
    named("tensorUsedBeforeWritten", op, tensor)
  case .invokeFailed(let op): named("invokeFailed", op)
  case .arenaTooSmall(let needed, let available): named("arenaTooSmall", needed, available)
  case .modelTooLarge: write("modelTooLarge")
  case .preparedConstantsMismatch: write("preparedConstantsMismatch")
  case .ioIndexOutOfRange(let index, let count): named("ioIndexOutOfRange", index, count)
  case .inputSizeMismatch(let index, let expected, let actual):
    named("inputSizeMismatch", index, expected, actual)
  }
  write("\n")
}

/// `name a b c`: a case name and its numbers.
private func named(_ name: StaticString, _ a: Int, _ b: Int? = nil, _ c: Int? = nil) {
  write(name)
  write(" ")
  writeInt(a)
  if let b {
    write(" ")
    writeInt(b)
  }
  if let c {
    write(" ")
    writeInt(c)
  }
}
