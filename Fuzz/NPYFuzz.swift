import Datasets

/// .npy bytes (`run -i`) through the reader, the float view and the writer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let array = try? NPYArray.decode(bytes, file: "fuzz") else { return 0 }
  _ = array.floats
  _ = array.encoded()
  return 0
}
