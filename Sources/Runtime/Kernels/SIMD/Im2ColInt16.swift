// Activation rows for `gemmInt8SIMD`: int8 input values widened to int16 with the input offset
// added, in the filter's depth order, two to an Int32 pair, each filter row (`kW * inC` values)
// padded to an even length with a 0 as `PackedInt8Weights` pads its runs.
//
// A tap outside the image is 0 (the reference skips it: real 0 = q - zeroPoint contributes
// nothing), so borders need no correction term. Copies go 16 values per vector step; a step may
// write up to 15 values past the span it fills, into memory that is written later in the same
// pass (the next span, the next row) or into the 32-byte slack at the end of the rows buffer, and
// it reads past its span only where the input tensor continues (`readableEnd`).

/// Bytes past the last row that a vector step may write.
let activationRowSlack = 32

/// Writes `x + offset` for `count` int8 values from `source` at `destination`.
@inline(__always)
func appendWithOffset(
  _ source: UnsafePointer<Int8>, count: Int, offset: Int16,
  to destination: UnsafeMutableRawPointer, readableEnd: UnsafePointer<Int8>
) {
  let offsets = SIMD16<Int16>(repeating: offset)
  var i = 0
  while i < count && source + i + 16 <= readableEnd {
    let v = widenToInt16(UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Int8>.self))
    destination.storeBytes(of: v &+ offsets, toByteOffset: 2 * i, as: SIMD16<Int16>.self)
    i += 16
  }
  while i < count {
    destination.storeBytes(
      of: Int16(source[i]) &+ offset, toByteOffset: 2 * i, as: Int16.self)
    i += 1
  }
}

/// Writes `count` int16 zeros at `destination`.
@inline(__always)
func appendZeros(count: Int, to destination: UnsafeMutableRawPointer) {
  var i = 0
  while i < count {
    destination.storeBytes(of: SIMD16<Int16>(), toByteOffset: 2 * i, as: SIMD16<Int16>.self)
    i += 16
  }
}

/// Rows of the im2col matrix for output pixels `first ..< first + count` (flat over batch, y, x):
/// row `r` at `rows + r * rowBytes` holds `[kY][kX][inC]` (the OHWI filter's order) as int16
/// `x + inputOffset`, each `kY` run followed by one 0 when `kW * inC` is odd.
/// `rowBytes = 4 * kH * segmentPairs`; the buffer needs `activationRowSlack` more bytes.
func im2colInt16(
  _ p: ConvParams, inputShape: Shape4, input: UnsafePointer<Int8>, filterShape: Shape4,
  outputShape: Shape4, first: Int, count: Int, rows: UnsafeMutableRawPointer
) {
  let channels = inputShape.c
  let span = filterShape.w * channels  // one filter row, contiguous in the input when in-image
  let paddedSpan = (span + 1) / 2 * 2
  let rowBytes = 2 * filterShape.h * paddedSpan
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let readableEnd = input + inputShape.flatSize
  let outputPlane = outputShape.h * outputShape.w
  for r in 0..<count {
    let pixel = first + r
    let batch = pixel / outputPlane
    let outY = (pixel % outputPlane) / outputShape.w
    let outX = pixel % outputShape.w
    let row = rows + r * rowBytes
    var written = 0  // int16 values of this row so far
    let inYOrigin = outY * p.strideHeight - p.paddingValues.height
    let inXOrigin = outX * p.strideWidth - p.paddingValues.width
    let rowInImage =
      p.dilationWidthFactor == 1 && inXOrigin >= 0 && inXOrigin + filterShape.w <= inputShape.w
    for kY in 0..<filterShape.h {
      let inY = inYOrigin + p.dilationHeightFactor * kY
      if inY < 0 || inY >= inputShape.h {
        appendZeros(count: span, to: row + 2 * written)
      } else if rowInImage {
        appendWithOffset(
          input + inputShape.offset(batch, inY, inXOrigin, 0), count: span, offset: offset,
          to: row + 2 * written, readableEnd: readableEnd)
      } else {
        for kX in 0..<filterShape.w {
          let inX = inXOrigin + p.dilationWidthFactor * kX
          let destination = row + 2 * (written + kX * channels)
          if inX < 0 || inX >= inputShape.w {
            appendZeros(count: channels, to: destination)
          } else {
            appendWithOffset(
              input + inputShape.offset(batch, inY, inX, 0), count: channels, offset: offset,
              to: destination, readableEnd: readableEnd)
          }
        }
      }
      if paddedSpan != span {
        row.storeBytes(of: 0, toByteOffset: 2 * (written + span), as: Int16.self)
      }
      written += paddedSpan
    }
  }
}

/// The input of one image (`batch`) as int16 `x + inputOffset`, surrounded by the zeros of the
/// padding: `height` rows of `width * inC` values, row `py` holding input row `py - padTop`
/// from column `-padLeft`. Every tap of every output pixel lies inside, so a convolution with
/// dilation 1 along x reads each filter row as one contiguous run. Needs `activationRowSlack`
/// more bytes (vector overflow, and the one value a run of odd length reads past itself).
func paddedInt16Image(
  inputShape: Shape4, input: UnsafePointer<Int8>, batch: Int, inputOffset: Int32,
  padTop: Int, padLeft: Int, height: Int, width: Int, image: UnsafeMutableRawPointer
) {
  let channels = inputShape.c
  let rowValues = width * channels
  let offset = Int16(truncatingIfNeeded: inputOffset)
  let readableEnd = input + inputShape.flatSize
  // The in-image columns of a padded row: [firstColumn, endColumn) in padded coordinates.
  let firstColumn = min(padLeft, width)
  let endColumn = max(firstColumn, min(width, padLeft + inputShape.w))
  for py in 0..<height {
    let row = image + 2 * py * rowValues
    let inY = py - padTop
    guard inY >= 0, inY < inputShape.h, endColumn > firstColumn else {
      appendZeros(count: rowValues, to: row)
      continue
    }
    appendZeros(count: firstColumn * channels, to: row)
    appendWithOffset(
      input + inputShape.offset(batch, inY, firstColumn - padLeft, 0),
      count: (endColumn - firstColumn) * channels, offset: offset,
      to: row + 2 * firstColumn * channels, readableEnd: readableEnd)
    appendZeros(count: (width - endColumn) * channels, to: row + 2 * endColumn * channels)
  }
}

/// Rows for `gemmInt8SIMD` from `count` contiguous rows of `depth` int8 values (FULLY_CONNECTED's
/// batches): `x + offset` as int16, one 0 after an odd depth.
func int16RowsWithOffset(
  _ input: UnsafePointer<Int8>, depth: Int, count: Int, offset: Int32,
  readableEnd: UnsafePointer<Int8>, rows: UnsafeMutableRawPointer
) {
  let rowBytes = 4 * ((depth + 1) / 2)
  for r in 0..<count {
    let row = rows + r * rowBytes
    appendWithOffset(
      input + r * depth, count: depth, offset: Int16(truncatingIfNeeded: offset), to: row,
      readableEnd: readableEnd)
    if depth % 2 == 1 { row.storeBytes(of: 0, toByteOffset: 2 * depth, as: Int16.self) }
  }
}
