import Imaging

/// PNG bytes through libpng (the header, then a decode to gray and to RGB) and the resize a
/// dataset folder applies.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard (try? PNG.header(bytes, source: "fuzz")) != nil else { return 0 }
  for format in [PixelFormat.gray, .rgb] {
    guard let image = try? PNG.decode(bytes, as: format, source: "fuzz") else { continue }
    _ = image.resized(width: 28, height: 28)
  }
  return 0
}
