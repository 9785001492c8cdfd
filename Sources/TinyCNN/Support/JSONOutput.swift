import Foundation

/// Prints `value` as the one JSON object of a `--json` run: keys sorted, so the output of two runs
/// can be diffed; floats with Swift's shortest round-trip digits.
func printJSON<T: Encodable>(_ value: T) throws {
  Console.output(try jsonText(value))
}

/// The text `printJSON` prints, for a command that renders its report before it writes a file.
func jsonText<T: Encodable>(_ value: T) throws -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  encoder.nonConformingFloatEncodingStrategy = .convertToString(
    positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
  let data = try encoder.encode(value)
  return String(decoding: data, as: UTF8.self)
}
