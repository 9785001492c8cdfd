extension Progress {
  /// A callback for pipeline steps that report how many items are done so far (not how many
  /// more): each call advances the bar by the difference.
  func doneSoFar() -> (Int) -> Void {
    var reported = 0
    return { [self] done in
      advance(by: done - reported)
      reported = done
    }
  }
}

/// One progress bar per stage of a pipeline step that reports `(stage, done, total)`: a new
/// stage finishes the previous bar and starts its own.
final class StagedProgress {
  private let enabled: Bool
  private var stage: String?
  private var bar: Progress?
  private var reported = 0

  init(enabled: Bool) { self.enabled = enabled }

  func report(_ stage: String, done: Int, total: Int) {
    if stage != self.stage {
      bar?.finish()
      bar = Progress(stage, total: total, enabled: enabled)
      self.stage = stage
      reported = 0
    }
    bar?.advance(by: done - reported)
    reported = done
  }

  /// Ends the last bar.
  func finish() {
    bar?.finish()
    bar = nil
    stage = nil
  }
}
