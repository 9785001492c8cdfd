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
