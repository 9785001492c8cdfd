/// Which part of a dataset: the training images or the held-out test images.
public enum Split: String, Sendable, CaseIterable, CustomStringConvertible {
  case train
  case test

  public var description: String { rawValue }
}
