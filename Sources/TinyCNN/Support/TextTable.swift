/// A plain-text table with aligned columns, as `inspect`, `quantize`, `eval`, `estimate` and
/// `bench` print them:
///
///     layer   op        output       MACs
///     conv1   CONV_2D   28x28x6   117,600
///     fc3     FC              10      840
///
/// Numbers are right-aligned, text left-aligned (per column, chosen by `Column.alignment`).
struct TextTable {
  enum Alignment { case left, right }

  struct Column {
    var title: String
    var alignment: Alignment

    static func left(_ title: String) -> Column { Column(title: title, alignment: .left) }
    static func right(_ title: String) -> Column { Column(title: title, alignment: .right) }
  }

  var columns: [Column]
  private(set) var rows: [[String]] = []
  /// Indices of rows after which a separator line is drawn (e.g. before a totals row).
  private var separators: Set<Int> = []

  init(_ columns: [Column]) { self.columns = columns }

  mutating func add(_ cells: [String]) {
    precondition(cells.count == columns.count, "\(cells.count) cells for \(columns.count) columns")
    rows.append(cells)
  }

  /// Draws a rule under the rows added so far.
  mutating func addSeparator() { separators.insert(rows.count - 1) }

  func rendered() -> String {
    var widths = columns.map { $0.title.count }
    for row in rows {
      for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (i, cell) in cells.enumerated() {
        let pad = String(repeating: " ", count: widths[i] - cell.count)
        parts.append(columns[i].alignment == .left ? cell + pad : pad + cell)
      }
      return String(parts.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
    }
    var out = [line(columns.map(\.title))]
    let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    out.append(rule)
    for (i, row) in rows.enumerated() {
      out.append(line(row))
      if separators.contains(i) { out.append(rule) }
    }
    return out.joined(separator: "\n")
  }
}

/// Formatting numbers for tables: thousands separators, fixed decimals, byte sizes.
enum Format {
  /// 416520 -> "416,520".
  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return n < 0 ? "-" + out : out
  }

  /// A count computed in floating point (cycles): grouped like `grouped`, or as Swift writes
  /// the value when it is not finite or too large for an `Int`.
  static func grouped(_ value: Double) -> String {
    guard let n = wholeNumber(value) else { return "\(value)" }
    return grouped(n)
  }

  /// `value` rounded to an `Int`, or nil when it is not finite or out of range.
  static func wholeNumber(_ value: Double) -> Int? {
    let r = value.rounded()
    guard r.isFinite, r.magnitude < 9e18 else { return nil }
    return Int(r)
  }

  /// `value` rounded to an `Int` for a JSON field, saturating at `Int.max` (NaN gives 0) where
  /// `Int(x.rounded())` would trap.
  static func clampedInt(_ value: Double) -> Int {
    if let n = wholeNumber(value) { return n }
    return value.isNaN ? 0 : (value > 0 ? Int.max : Int.min)
  }

  /// `value` with `places` decimals: fixed(3.14159, 2) -> "3.14".
  /// Non-finite values print as "nan", "inf"; values too large for an exact integer part (a
  /// weight of 1e30 in a report) as Swift writes them, "1e+30", instead of trapping.
  static func fixed(_ value: Double, _ places: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    guard value.magnitude < 1e15 else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    let negative = rounded < 0
    let magnitude = abs(rounded)
    let whole = Int(magnitude)
    guard places > 0 else { return (negative ? "-" : "") + String(whole) }
    let fraction = Int(((magnitude - Double(whole)) * scale).rounded())
    let digits = String(fraction)
    let padded = String(repeating: "0", count: max(0, places - digits.count)) + digits
    return (negative ? "-" : "") + "\(whole).\(padded)"
  }

  /// Bytes in the units of microcontroller datasheets, where "1 MB of flash" is 1024 x 1024 bytes:
  /// 812 B, 61.9 KB, 2.0 MB.
  static func bytes(_ n: Int) -> String {
    let kib = 1024.0
    let value = Double(n)
    if value < kib { return "\(n) B" }
    if value < kib * kib { return fixed(value / kib, 1) + " KB" }
    if value < kib * kib * kib { return fixed(value / (kib * kib), 1) + " MB" }
    return fixed(value / (kib * kib * kib), 2) + " GB"
  }

  /// A duration in seconds as "1:05" (minutes:seconds) or "2:03:10".
  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
    if s >= 3600 { return "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" }
    return "\(s / 60):\(two(s % 60))"
  }
}
