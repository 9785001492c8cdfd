/// Checked conversions and arithmetic for numbers that come from outside: file headers, JSON
/// fields, command-line flags. Every reader goes through these instead of `Int(x)` or `a * b`,
/// which trap on NaN, infinity or overflow; a trap is a crash to the user, with no message naming
/// the file. Errors name the field; the reader adds the file:
///
///     let offset = try Checked.sum(dataStart, start, "tensor 'fc.weight' data_offsets")
///     // ... throws "tensor 'fc.weight' data_offsets: 8 + 9223372036854775807 overflows"
///
/// This module imports nothing, so every reader (Graph, Imaging, Datasets, Estimator, the CLI)
/// can use it.
public enum Checked {
  /// A whole number from a floating-point value (JSON numbers, flags), inside `range`.
  /// NaN, infinity, fractions and values outside the range are errors, never traps.
  public static func integer(_ value: Double, _ field: String, in range: ClosedRange<Int>)
    throws(NumberError) -> Int
  {
    guard value.isFinite else { throw NumberError(field, "must be a finite number, got \(value)") }
    guard let whole = Int(exactly: value) else {
      if value == value.rounded() {
        throw NumberError(
          field,
          "\(value) is out of range (\(grouped(range.lowerBound)) to \(grouped(range.upperBound)))"
        )
      }
      throw NumberError(field, "must be a whole number, got \(value)")
    }
    return try integer(whole, field, in: range)
  }

  /// An integer of any width (header fields, sizes) as an `Int` inside `range`.
  public static func integer<T: BinaryInteger>(
    _ value: T, _ field: String, in range: ClosedRange<Int>
  )
    throws(NumberError) -> Int
  {
    guard let v = Int(exactly: value), range.contains(v) else {
      throw NumberError(
        field,
        "\(value) is out of range (\(grouped(range.lowerBound)) to \(grouped(range.upperBound)))")
    }
    return v
  }

  /// A physical quantity (a clock, a size in KB): finite and inside `range`, in `unit`.
  public static func quantity(
    _ value: Double, _ field: String, in range: ClosedRange<Double>, unit: String
  ) throws(NumberError) -> Double {
    guard value.isFinite, range.contains(value) else {
      throw NumberError(
        field,
        "must be between \(plain(range.lowerBound)) and \(plain(range.upperBound)) \(unit),"
          + " got \(value)")
    }
    return value
  }

  /// `a + b`, or an error naming `field` when it overflows.
  public static func sum(_ a: Int, _ b: Int, _ field: String) throws(NumberError) -> Int {
    let (s, overflow) = a.addingReportingOverflow(b)
    guard !overflow else { throw NumberError(field, "\(a) + \(b) overflows") }
    return s
  }

  /// The product of `factors` (a shape, a byte count), or an error naming `field` when it
  /// overflows or passes `limit`. Negative factors are errors: these are sizes.
  public static func product(
    _ factors: some Sequence<Int>, _ field: String, limit: Int = Int.max
  ) throws(NumberError) -> Int {
    var p = 1
    let list = Array(factors)
    for f in list {
      guard f >= 0 else { throw NumberError(field, "negative size in \(list)") }
      let (next, overflow) = p.multipliedReportingOverflow(by: f)
      guard !overflow, next <= limit else {
        throw NumberError(
          field,
          "\(list.map(String.init).joined(separator: " x ")) is larger than \(grouped(limit))")
      }
      p = next
    }
    return p
  }

  /// A number as people write it: 10000 rather than 10000.0, 0.001 rather than 1e-03.
  static func plain(_ x: Double) -> String {
    if let i = Int(exactly: x) { return grouped(i) }
    return "\(x)"
  }

  /// 4294967296 -> "4,294,967,296".
  public static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return n < 0 ? "-" + out : out
  }
}

/// A number that failed a check: the field (as the file or flag names it) and the cause. Readers
/// turn it into their own one-line error with the file's name.
public struct NumberError: Error, Equatable, CustomStringConvertible {
  public var field: String
  public var cause: String

  public init(_ field: String, _ cause: String) {
    self.field = field
    self.cause = cause
  }

  public var description: String { "\(field): \(cause)" }
}
