import ArgumentParser

/// The output flags every command shares: `--json` for scripts, `--quiet` for logs.
///
/// Results go to stdout, progress and notes to stderr. With `--json`, stdout is exactly one JSON
/// object (and progress still goes to stderr unless `--quiet`), so `tinycnn ... --json | jq` works.
struct ReportOptions: ParsableArguments {
  @Flag(help: "Print one JSON object on stdout instead of tables.")
  var json = false

  @Flag(name: .shortAndLong, help: "No progress or notes on stderr; errors are still printed.")
  var quiet = false

  /// Whether to draw progress on stderr.
  var showsProgress: Bool { !quiet }

  /// A note for the user on stderr ("wrote models/lenet5.safetensors"), unless `--quiet`.
  func note(_ text: String) {
    guard !quiet else { return }
    Console.error(text)
  }
}
