import Imaging

/// An 8-bit RGB raster to draw simple charts on: filled rectangles and bitmap-font text.
struct Canvas {
  struct Color: Equatable {
    var r: UInt8
    var g: UInt8
    var b: UInt8

    static let white = Color(r: 255, g: 255, b: 255)
    static let black = Color(r: 0, g: 0, b: 0)
    static let gray = Color(r: 160, g: 160, b: 160)
    static let lightGray = Color(r: 225, g: 225, b: 225)

    /// `t` of the way from `a` to `b` (t in [0, 1]).
    static func mix(_ a: Color, _ b: Color, _ t: Double) -> Color {
      let t = min(max(t, 0), 1)
      func channel(_ x: UInt8, _ y: UInt8) -> UInt8 {
        UInt8((Double(x) + (Double(y) - Double(x)) * t).rounded())
      }
      return Color(r: channel(a.r, b.r), g: channel(a.g, b.g), b: channel(a.b, b.b))
    }

    /// Perceived brightness in [0, 255], to choose black or white text on a fill.
    var luminance: Double { 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b) }
  }

  let width: Int
  let height: Int
  private(set) var pixels: [UInt8]  // [height, width, 3]

  init(width: Int, height: Int, background: Color = .white) {
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: 0, count: width * height * 3)
    fill(x: 0, y: 0, width: width, height: height, background)
  }

  /// Fills the rectangle, clipped to the canvas.
  mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
    let x0 = max(x, 0)
    let y0 = max(y, 0)
    let x1 = min(x + w, width)
    let y1 = min(y + h, height)
    guard x0 < x1, y0 < y1 else { return }
    for row in y0..<y1 {
      for col in x0..<x1 {
        let i = (row * width + col) * 3
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
      }
    }
  }

  /// Draws `text` with its top-left corner at (x, y), each font pixel `scale` pixels wide.
  mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, _ color: Color = .black) {
    var left = x
    for character in text {
      let rows = BitmapFont.rows(character)
      for (r, bits) in rows.enumerated() {
        for c in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(c)) != 0 {
          fill(x: left + c * scale, y: y + r * scale, width: scale, height: scale, color)
        }
      }
      left += BitmapFont.advance * scale
    }
  }

  var image: Image { Image(width: width, height: height, channels: 3, pixels: pixels) }
}
