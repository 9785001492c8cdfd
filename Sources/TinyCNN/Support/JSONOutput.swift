import Foundation

/// Prints `value` as the one JSON object of a `--json` run: keys sorted, so the output of two runs
/// can be diffed; floats with Swift's shortest round-trip digits.
func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  encoder.nonConformingFloatEncodingStrategy = .convertToString(
    positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
  let data = try encoder.encode(value)
  Console.output(String(decoding: data, as: UTF8.self))
}
