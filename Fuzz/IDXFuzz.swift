@testable import Datasets

/// IDX bytes, gzipped or not (as `CompressedFile.read` sees a dataset file), through the parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
    guard let inflated = try? CompressedFile.gunzip(bytes, source: "fuzz") else { return 0 }
    bytes = inflated
  }
  _ = try? IDXArray(parsing: bytes, source: "fuzz")
  return 0
}
