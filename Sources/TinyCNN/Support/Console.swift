import Foundation

/// Writing to the terminal: stdout for results, stderr for progress and notes.
enum Console {
  /// Whether stderr is a terminal (live progress bars) or a file or pipe (plain lines).
  static let stderrIsTerminal = isatty(2) == 1
  /// Whether stdout is a terminal.
  static let stdoutIsTerminal = isatty(1) == 1

  /// One line on stderr.
  static func error(_ text: String) {
    errorRaw(text + "\n")
  }

  /// Raw text on stderr, no newline added (progress bars redraw with "\r"). Unbuffered, so a
  /// bar shows at once.
  static func errorRaw(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// One line on stdout.
  static func output(_ text: String) {
    print(text)
  }
}
