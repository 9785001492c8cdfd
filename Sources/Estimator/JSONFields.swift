import Foundation
import InputChecks

/// Typed access to one JSON object of a data file, with errors that name the field by its full
/// path (`flash_read.stall_cycles`), so a user fixing a target file knows exactly what to change.
struct JSONFields {
  let object: [String: Any]
  let file: String
  let path: String  // "" at the root, "flash_read." inside that object

  init(_ object: [String: Any], file: String, path: String = "") {
    self.object = object
    self.file = file
    self.path = path
  }

  /// Parses `text` as one JSON object.
  static func parse(_ text: String, file: String) throws(EstimatorError) -> JSONFields {
    let value: Any
    do { value = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
      throw EstimatorError(file: file, "not valid JSON (\(jsonProblem(error)))")
    }
    guard let object = value as? [String: Any] else {
      throw EstimatorError(file: file, "expected a JSON object at the top level")
    }
    return JSONFields(object, file: file)
  }

  func fail(_ key: String, _ cause: String) -> EstimatorError {
    EstimatorError(file: file, "field '\(path)\(key)': \(cause)")
  }

  /// Rejects fields the format does not know: a misspelt `clok_mhz` must not pass silently.
  func checkKnown(_ keys: Set<String>) throws(EstimatorError) {
    for key in object.keys.sorted() where !keys.contains(key) {
      throw EstimatorError(
        file: file,
        "unknown field '\(path)\(key)' (known: \(keys.sorted().joined(separator: ", ")))")
    }
  }

  func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

  func string(_ key: String) throws(EstimatorError) -> String {
    guard has(key) else { throw fail(key, "missing (a string)") }
    guard let s = object[key] as? String, !s.isEmpty else {
      throw fail(key, "expected a non-empty string")
    }
    return s
  }

  func optionalString(_ key: String) throws(EstimatorError) -> String? {
    has(key) ? try string(key) : nil
  }

  func number(_ key: String) throws(EstimatorError) -> Double {
    guard has(key) else { throw fail(key, "missing (a number)") }
    guard let n = object[key] as? NSNumber, !Self.isBool(object[key]!), n.doubleValue.isFinite
    else { throw fail(key, "expected a number") }
    return n.doubleValue
  }

  /// A number that must be > 0 (or >= 0 with `allowZero`).
  func positive(_ key: String, allowZero: Bool = false) throws(EstimatorError) -> Double {
    let n = try number(key)
    guard allowZero ? n >= 0 : n > 0 else {
      throw fail(key, "must be \(allowZero ? "at least 0" : "greater than 0"), got \(n)")
    }
    return n
  }

  /// A physical quantity in `unit`, finite and inside `range` (`PhysicalRange`).
  func quantity(_ key: String, in range: ClosedRange<Double>, unit: String) throws(EstimatorError)
    -> Double
  {
    let n = try number(key)
    do { return try Checked.quantity(n, key, in: range, unit: unit) } catch {
      throw fail(key, error.cause)
    }
  }

  /// A memory size given in KB (`flash_kb`), as bytes: below 2^40, so exact in an `Int`.
  func kilobytes(_ key: String, allowZero: Bool = false) throws(EstimatorError) -> Int {
    let kb = try quantity(key, in: PhysicalRange.memoryKB, unit: "KB")
    guard allowZero || kb > 0 else { throw fail(key, "must be greater than 0, got \(kb)") }
    return Int((kb * 1024).rounded())
  }

  /// A whole number inside `range`.
  func integer(_ key: String, in range: ClosedRange<Int>) throws(EstimatorError) -> Int {
    let n = try number(key)
    do { return try Checked.integer(n, key, in: range) } catch { throw fail(key, error.cause) }
  }

  func bool(_ key: String, default value: Bool) throws(EstimatorError) -> Bool {
    guard has(key) else { return value }
    guard let n = object[key] as? NSNumber, Self.isBool(object[key]!) else {
      throw fail(key, "expected true or false")
    }
    return n.boolValue
  }

  func strings(_ key: String) throws(EstimatorError) -> [String] {
    guard has(key) else { return [] }
    guard let list = object[key] as? [String] else { throw fail(key, "expected a list of strings") }
    return list
  }

  func object(_ key: String) throws(EstimatorError) -> JSONFields {
    guard has(key) else { throw fail(key, "missing (an object)") }
    guard let o = object[key] as? [String: Any] else { throw fail(key, "expected an object") }
    return JSONFields(o, file: file, path: "\(path)\(key).")
  }

  func optionalObject(_ key: String) throws(EstimatorError) -> JSONFields? {
    has(key) ? try object(key) : nil
  }

  var keys: [String] { object.keys.sorted() }

  /// JSONSerialization gives NSNumber for numbers and booleans alike; booleans are its private
  /// __NSCFBoolean subclass (on Linux and Darwin), so `true` is not taken for 1.
  static func isBool(_ value: Any) -> Bool {
    String(describing: type(of: value)) == "__NSCFBoolean"
  }
}

/// The parser's own words for a JSON syntax error, which carry the position ("Unexpected end of
/// file around line 1, column 9"), rather than Foundation's generic "isn't in the correct format".
func jsonProblem(_ error: Error) -> String {
  let ns = error as NSError
  return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
}
