import CZlib
import Imaging
import InputChecks

/// Whole-file reads that undo gzip compression when the file has it, so `train-images-idx3-ubyte`
/// and `train-images-idx3-ubyte.gz` read the same.
enum CompressedFile {
  /// The file's bytes, gunzipped if they start with the gzip magic (1f 8b). Errors name `path`.
  static func read(_ path: String) throws(DatasetError) -> [UInt8] {
    let raw: [UInt8]
    do { raw = try BinaryFile.read(path) } catch {
      throw DatasetError(file: path, cause: error.cause)
    }
    guard raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B else { return raw }
    return try gunzip(raw, source: path)
  }

  /// Inflates a gzip stream (one or more members, as `gzip -c a b` writes) with zlib.
  static func gunzip(_ compressed: [UInt8], source: String) throws(DatasetError) -> [UInt8] {
    var stream = z_stream()
    // 15 + 32: the largest window, and auto-detect a gzip or zlib header.
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw DatasetError(file: source, cause: "zlib could not start inflating") }
    defer { inflateEnd(&stream) }

    // A gzip stream inflates up to 1032:1: a 2 MB file can claim 4 GB. Inflating stops at the
    // byte limit instead of when the allocator gives up.
    let limit = ResourceLimit.bytes.value
    var output = [UInt8]()
    output.reserveCapacity(min(compressed.count * 4, limit))
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var status = Z_OK
    var consumed = 0
    let total = compressed.count
    try compressed.withUnsafeBufferPointer { (input) throws(DatasetError) in
      while true {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
        stream.avail_in = UInt32(total - consumed)
        repeat {
          chunk.withUnsafeMutableBufferPointer { out in
            stream.next_out = out.baseAddress
            stream.avail_out = UInt32(out.count)
            status = inflate(&stream, Z_NO_FLUSH)
          }
          let produced = chunk.count - Int(stream.avail_out)
          guard output.count + produced <= limit else {
            throw DatasetError(
              file: source,
              cause: "gzip data inflates to more than \(Checked.grouped(limit)) bytes, the limit "
                + "(set \(ResourceLimit.bytes.variable) to raise it)")
          }
          output.append(contentsOf: chunk[0..<produced])
        } while status == Z_OK && stream.avail_out == 0
        consumed = total - Int(stream.avail_in)
        switch status {
        case Z_STREAM_END:
          // Another gzip member may follow; trailing zero padding is allowed too.
          let rest = input[consumed...]
          if rest.allSatisfy({ $0 == 0 }) { return }
          guard inflateReset(&stream) == Z_OK else {
            throw DatasetError(file: source, cause: "zlib could not restart inflating")
          }
        case Z_OK where consumed == total:
          throw DatasetError(
            file: source, cause: "truncated gzip data (ended after \(output.count) bytes)")
        case Z_OK, Z_BUF_ERROR:
          guard consumed < total else {
            throw DatasetError(
              file: source, cause: "truncated gzip data (ended after \(output.count) bytes)")
          }
        default:
          let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
          throw DatasetError(file: source, cause: "corrupt gzip data: \(message)")
        }
      }
    }
    return output
  }
}
