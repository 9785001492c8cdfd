import Foundation
import Imaging

/// The PNG files in Fixtures/, written by Fixtures/make_fixtures.py (standard-library Python that
/// writes every chunk itself, not libpng) with the pixels each must decode to.
enum Fixtures {
  struct Expected: Decodable {
    var file: String
    var width: Int
    var height: Int
    var gray: String  // hex, HWC
    var rgb: String  // hex, HWC

    func pixels(_ format: PixelFormat) -> [UInt8] { hexBytes(format == .gray ? gray : rgb) }
  }

  static let directory: String = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    .path

  static func path(_ name: String) -> String { "\(directory)/\(name)" }

  static func bytes(_ name: String) throws -> [UInt8] { try BinaryFile.read(path(name)) }

  /// Every decodable fixture, from expected.json (empty if it cannot be read, which
  /// `fixturesCoverEveryFlavour` then reports).
  static let expected: [Expected] = {
    struct Table: Decodable { var fixtures: [Expected] }
    guard let json = FileManager.default.contents(atPath: path("expected.json")),
      let table = try? JSONDecoder().decode(Table.self, from: json)
    else { return [] }
    return table.fixtures
  }()
}

func hexBytes(_ hex: String) -> [UInt8] {
  let digits = Array(hex.utf8)
  return stride(from: 0, to: digits.count, by: 2).map {
    UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
  }
}

/// The first few positions where two pixel arrays differ, for a readable failure.
func firstDifferences(_ got: [UInt8], _ want: [UInt8], limit: Int = 5) -> String {
  guard got.count == want.count else { return "\(got.count) values, want \(want.count)" }
  let diffs = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }.prefix(limit)
  return diffs.map { "[\($0.offset)] got \($0.element.0) want \($0.element.1)" }.joined(
    separator: ", ")
}
