import Foundation

/// Progress of long work on stderr: a live bar redrawn in place on a terminal,
///
///     epoch 3/10 [=========>          ] 31,232/60,000  5,120 img/s  loss 0.412  0:05 left
///
/// and, when stderr is a file or a pipe (CI logs), a plain line every `plainInterval` seconds
/// and one at the end, so logs stay short and readable.
final class Progress {
  private let label: String
  private let total: Int
  private let unit: String
  private let enabled: Bool
  private let live: Bool
  private let start = Date()
  private(set) var done = 0
  private var lastDraw = Date.distantPast
  private let plainInterval: TimeInterval

  /// - unit: what is counted, for the rate ("img/s" for "img").
  init(
    _ label: String, total: Int, unit: String = "img", enabled: Bool = true,
    plainInterval: TimeInterval = 10
  ) {
    self.label = label
    self.total = max(total, 1)
    self.unit = unit
    self.enabled = enabled
    self.live = Console.stderrIsTerminal
    self.plainInterval = plainInterval
  }

  /// Seconds since the progress started.
  var elapsed: TimeInterval { Date().timeIntervalSince(start) }

  /// Items per second so far.
  var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }

  /// Counts `n` more items done; `status` is shown after the rate (e.g. "loss 0.412").
  func advance(by n: Int, status: String = "") {
    done = min(done + n, total)
    guard enabled else { return }
    let now = Date()
    let interval = live ? 0.1 : plainInterval
    // A plain log gets its last line from `finish`, so the total is not printed twice.
    let complete = done == total && live
    guard now.timeIntervalSince(lastDraw) >= interval || complete else { return }
    lastDraw = now
    draw(status: status, final: false)
  }

  /// Ends the bar with a last line that stays on screen.
  func finish(status: String = "") {
    guard enabled else { return }
    draw(status: status, final: true)
  }

  private func draw(status: String, final: Bool) {
    let fraction = Double(done) / Double(total)
    let left = rate > 0 ? Double(total - done) / rate : .infinity
    var parts = ["\(label)"]
    if live {
      let width = 24
      let filled = Int(fraction * Double(width))
      let bar =
        String(repeating: "=", count: filled) + (filled < width ? ">" : "")
        + String(repeating: " ", count: max(0, width - filled - 1))
      parts.append("[\(bar)]")
    }
    parts.append("\(Format.grouped(done))/\(Format.grouped(total))")
    parts.append("\(Format.grouped(Int(rate.rounded()))) \(unit)/s")
    if !status.isEmpty { parts.append(status) }
    parts.append(final ? Format.clock(elapsed) : "\(Format.clock(left)) left")
    let text = parts.joined(separator: "  ")
    if live {
      Console.errorRaw("\r\u{1B}[K" + text + (final ? "\n" : ""))
    } else {
      Console.error(text)
    }
  }
}
