/// The PNG charts of `tinycnn eval --report`: a confusion matrix per model and the per-layer SQNR
/// of the int8 activations.
enum Charts {
  static let scale = 2  // font scale: 10x14-pixel characters
  static let lineHeight = (BitmapFont.glyphHeight + 4) * scale
  static let margin = 16
  static let accent = Canvas.Color(r: 33, g: 102, b: 172)

  /// `matrix[label][predicted]`: each cell shaded by its share of the row (the true class), its
  /// count written in it; rows are named, columns numbered as the rows.
  static func confusionMatrix(_ matrix: [[Int]], classNames: [String], title: String) -> Canvas {
    let n = matrix.count
    let names = (0..<n).map { i in "\(i) " + (i < classNames.count ? classNames[i] : "class \(i)") }
    let cell = 44
    let labelWidth = (names.map { BitmapFont.width($0, scale: scale) }.max() ?? 0) + 12
    let gridX = margin + labelWidth
    let gridY = margin + 3 * lineHeight + lineHeight / 2
    let width = max(
      gridX + n * cell + margin, margin + BitmapFont.width(title, scale: scale) + margin)
    let height = gridY + n * cell + lineHeight + margin
    var canvas = Canvas(width: width, height: height)
    canvas.text(title, x: margin, y: margin, scale: scale)
    canvas.text(
      "PREDICTED CLASS", x: gridX, y: margin + lineHeight + lineHeight / 4, scale: scale,
      .gray)
    for j in 0..<n {
      let label = "\(j)"
      let x = gridX + j * cell + (cell - BitmapFont.width(label, scale: scale)) / 2
      canvas.text(label, x: x, y: gridY - lineHeight, scale: scale)
    }
    for i in 0..<n {
      let rowTotal = max(matrix[i].reduce(0, +), 1)
      let y = gridY + i * cell
      canvas.text(names[i], x: margin, y: y + (cell - 7 * scale) / 2, scale: scale)
      for j in 0..<n {
        let share = Double(matrix[i][j]) / Double(rowTotal)
        let color = Canvas.Color.mix(.white, accent, share.squareRoot())
        canvas.fill(x: gridX + j * cell, y: y, width: cell - 1, height: cell - 1, color)
        let count = "\(matrix[i][j])"
        // Counts of 4+ digits use the small font to fit the cell.
        let s = BitmapFont.width(count, scale: scale) <= cell - 4 ? scale : 1
        canvas.text(
          count, x: gridX + j * cell + (cell - BitmapFont.width(count, scale: s)) / 2,
          y: y + (cell - 7 * s) / 2, scale: s, color.luminance < 128 ? .white : .black)
      }
    }
    canvas.text("ROWS: TRUE CLASS", x: margin, y: gridY + n * cell + 8, scale: scale, .gray)
    return canvas
  }

  /// One horizontal bar per layer, as long as its SQNR in dB (an exact layer, infinite SQNR,
  /// gets a full bar marked "exact").
  static func sqnrBars(_ rows: [(label: String, sqnr: Double)], title: String) -> Canvas {
    let finite = rows.map(\.sqnr).filter(\.isFinite)
    let top = max((finite.max() ?? 10).rounded(.up), 10)
    let barArea = 420
    let labelWidth = (rows.map { BitmapFont.width($0.label, scale: scale) }.max() ?? 0) + 12
    let valueWidth = BitmapFont.width("00.0 DB", scale: scale) + 12
    let barHeight = lineHeight + 6
    let chartY = margin + 2 * lineHeight
    let width = max(
      margin + labelWidth + barArea + valueWidth + margin,
      margin + BitmapFont.width(title, scale: scale) + margin)
    let height = chartY + rows.count * barHeight + 2 * lineHeight + margin
    var canvas = Canvas(width: width, height: height)
    canvas.text(title, x: margin, y: margin, scale: scale)
    let barX = margin + labelWidth
    // Grid lines every 10 dB.
    var tick = 0.0
    while tick <= top {
      let x = barX + Int(Double(barArea) * tick / top)
      canvas.fill(
        x: x, y: chartY - 4, width: 1, height: rows.count * barHeight + 8, .lightGray)
      let label = "\(Int(tick))"
      canvas.text(
        label, x: x - BitmapFont.width(label, scale: scale) / 2,
        y: chartY + rows.count * barHeight + 10, scale: scale, .gray)
      tick += 10
    }
    for (i, row) in rows.enumerated() {
      let y = chartY + i * barHeight
      canvas.text(row.label, x: margin, y: y + 4, scale: scale)
      let fraction = row.sqnr.isFinite ? max(row.sqnr, 0) / top : (row.sqnr > 0 ? 1 : 0)
      let length = Int(Double(barArea) * fraction)
      canvas.fill(x: barX, y: y + 2, width: length, height: barHeight - 6, accent)
      let value =
        row.sqnr.isFinite ? Format.fixed(row.sqnr, 1) + " dB" : (row.sqnr > 0 ? "exact" : "none")
      canvas.text(value, x: barX + length + 6, y: y + 4, scale: scale)
    }
    canvas.text(
      "SQNR IN DB (HIGHER IS CLOSER TO FLOAT)", x: barX,
      y: chartY + rows.count * barHeight + 10 + lineHeight, scale: scale, .gray)
    return canvas
  }
}
