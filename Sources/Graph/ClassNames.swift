import Foundation

/// Class names travel with the model, under one metadata key in both files: a .safetensors
/// file's `__metadata__` (a JSON list) and a .tflite file's `metadata` entry (UTF-8, one name per
/// line, so a firmware can print them without a JSON parser).
public enum ClassNames {
  /// The key in both files; the only place it is spelled.
  public static let metadataKey = "class_names"

  /// The .tflite entry's bytes: every name followed by a newline.
  public static func lines(_ names: [String]) -> [UInt8] {
    Array(names.map { $0 + "\n" }.joined().utf8)
  }

  /// The names in a .tflite entry (surrounding blanks and trailing empty lines dropped), or nil
  /// when there are none.
  public static func fromLines<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [String]? {
    let text = String(decoding: Array(bytes), as: UTF8.self)
    let names = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let trimmed = Array(names.reversed().drop { $0.isEmpty }.reversed())
    return trimmed.isEmpty ? nil : trimmed
  }
}
