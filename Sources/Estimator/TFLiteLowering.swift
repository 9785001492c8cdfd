extension ModelWork {
  /// Lowers an int8 .tflite file. Needs the Runtime's in-place .tflite reader and planner
  /// (issue 4), which land separately; until then a .tflite model is a clear error.
  public init(tfliteAt path: String) throws(EstimatorError) {
    throw EstimatorError(
      file: path,
      "reading .tflite files needs the Runtime's .tflite reader, which is not in this build yet; "
        + "estimate the float model (.safetensors) or its description file instead")
  }
}
