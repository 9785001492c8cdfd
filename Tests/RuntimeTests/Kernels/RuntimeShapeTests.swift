import Testing

@testable import Runtime

@Test func runtimeShapeReadsFileDimensionsAndExtends() throws {
  let s = try shape(2, 3, 4)
  #expect(s.rank == 3 && s.flatSize == 24 && s[0] == 2 && s[2] == 4)
  #expect(s.extended(toRank: 5) == (try shape(1, 1, 2, 3, 4)))
  #expect(s.shape4 == Shape4(n: 1, h: 2, w: 3, c: 4))
  #expect(RuntimeShape().flatSize == 1)  // a scalar holds one element
  #expect(try shape(3, 0).flatSize == 0)
  #expect(throws: KernelError.tooManyDimensions(rank: 7)) { try shape(1, 1, 1, 1, 1, 1, 1) }
  #expect(throws: KernelError.invalidShape) { try shape(2, -1) }
}

@Test func runtimeShapeReadsAnUnalignedVectorFromTheFile() throws {
  // The model decides alignment: dims [1, 28, 28, 1] stored at an odd offset.
  var bytes: [UInt8] = [0xEE]
  for d: Int32 in [1, 28, 28, 1] { withUnsafeBytes(of: d.littleEndian) { bytes += $0 } }
  let s = try bytes.withUnsafeBytes { raw throws(KernelError) in
    try RuntimeShape(Int32Vector(UnsafeRawBufferPointer(rebasing: raw[1...])))
  }
  #expect(s == (try shape(1, 28, 28, 1)))
}
