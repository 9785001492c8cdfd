/// A failure the user can act on, printed by the CLI as one line (`Error: <file>: <cause>`) with
/// exit code 1. Flag mistakes are the CLI's `ValidationError`s instead (exit code 64).
///
///     $ tinycnn infer cat.png --model lenet.tflite
///     Error: lenet.tflite: operator 7 (CONV_2D) needs 3 inputs, has 2
package struct InputError: Error, CustomStringConvertible {
  /// The file (or dataset, or model name) at fault.
  package var file: String
  package var cause: String

  package init(_ file: String, _ cause: String) {
    self.file = file
    self.cause = cause
  }

  package var description: String { "\(file.isEmpty ? "(an empty path)" : file): \(cause)" }
}
