import Testing

@testable import TinyCNN

// `tinycnn firmware`'s flags and help; the driver behind it (build, run, compare, export) is
// tested through Pipeline's API in Tests/PipelineTests/Firmware*Tests.swift.

@Test func firmwareHelpHasExamples() {
  let help = TinyCNNCommand.helpMessage(for: Firmware.self)
  #expect(help.contains("Examples:"))
  #expect(help.contains("tinycnn firmware --model models/lenet5-int8.tflite --run"))
  #expect(TinyCNNCommand.helpMessage().contains("firmware"))
}

@Test func firmwareValidatesItsFlags() {
  for arguments in [
    ["--model", "m.tflite", "--input", "x.npy", "--images", "a.png"],
    ["m.tflite", "--model", "m.tflite"],
    ["m.tflite", "--export", "out"],
    ["m.tflite", "--cpu", "cortex-m4"],
    ["m.tflite", "--core", "cortex-m0"],
    ["m.tflite", "--samples", "2"],
  ] {
    #expect(throws: (any Error).self, "\(arguments)") { try Firmware.parse(arguments) }
  }
  #expect(throws: Never.self) {
    try Firmware.parse(["m.tflite", "--board", "microbit", "--core", "cortex-m0plus", "--count"])
  }
  #expect(throws: Never.self) {
    try Firmware.parse(["m.tflite", "--export", "out", "--cpu", "cortex-m33", "--kernels", "dsp"])
  }
}
