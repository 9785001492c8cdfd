import Foundation
import Testing

@testable import Datasets

private let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("RuntimeTests/Golden")

@Test func readsNumPysOwnFileAndWritesTheSameBytes() throws {
  // input_0.npy was written by numpy.save (bench/refs/make_golden.py).
  let path = golden.appendingPathComponent("conv_1x1_c3/input_0.npy").path
  let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  let array = try NPYArray.read(path)
  #expect(array.dtype == .int8 && array.shape == [18, 6, 6, 3])
  #expect(array.data.count == 18 * 6 * 6 * 3)
  #expect(array.encoded() == bytes)
}

@Test(arguments: NPYArray.DType.allCases) func roundTripsEveryDType(dtype: NPYArray.DType) throws {
  for shape in [[], [5], [2, 3], [2, 0, 4], [1, 28, 28, 1]] {
    let count = shape.reduce(1, *)
    let data = (0..<count * dtype.size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let array = NPYArray(dtype: dtype, shape: shape, data: data)
    let encoded = array.encoded()
    let headerLength = Int(encoded[8]) | Int(encoded[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    #expect(try NPYArray.decode(encoded, file: "x.npy") == array)
  }
}

@Test func writesAtomicallyAndReadsBack() throws {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID())")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  let path = dir.appendingPathComponent("y.npy").path
  let array = NPYArray(float32s: [1.5, -2, 0.25], shape: [3])
  try array.write(to: path)
  #expect(try NPYArray.read(path) == array)
  #expect(try NPYArray.read(path).floats == [1.5, -2, 0.25])
  #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["y.npy"])
}

@Test func readsVersion2Headers() throws {
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
  let header = "{'shape': (2,), 'fortran_order': False, 'descr': '<i4'}" + "      \n"
  withUnsafeBytes(of: UInt32(header.utf8.count).littleEndian) { bytes += $0 }
  bytes += Array(header.utf8) + [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
  let array = try NPYArray.decode(bytes, file: "v2.npy")
  #expect(array.dtype == .int32 && array.shape == [2] && array.floats == [1, -1])
}

@Test func badFilesAreNamedWithTheirCause() {
  func cause(_ bytes: [UInt8]) -> String? {
    do {
      _ = try NPYArray.decode(bytes, file: "bad.npy")
      return nil
    } catch {
      #expect(error.file == "bad.npy")
      return error.cause
    }
  }
  let good = NPYArray(int8s: [1, 2, 3, 4], shape: [2, 2]).encoded()
  #expect(cause(Array("hello world".utf8))?.contains("not a NumPy") == true)
  #expect(cause(Array(good.dropLast()))?.contains("3 bytes of data") == true)
  func withHeader(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    withUnsafeBytes(of: UInt16(text.utf8.count).littleEndian) { bytes += $0 }
    return bytes + Array(text.utf8) + [1, 2, 3, 4, 5, 6, 7, 8]
  }
  #expect(
    cause(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n"))?
      .contains("'<f8' is not supported") == true)
  #expect(
    cause(withHeader("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }\n"))?
      .contains("big-endian") == true)
  #expect(
    cause(withHeader("{'descr': '|i1', 'fortran_order': True, 'shape': (2, 4), }\n"))?
      .contains("Fortran") == true)
  #expect(
    cause(withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (8,), }\n"))?
      .contains("not supported") == true)
  var future = good
  future[6] = 9
  #expect(cause(future)?.contains("version 9.0") == true)
}
