import ArgumentParser

/// The `tinycnn` command: train, quantize, run and measure small CNNs for microcontrollers.
@main
struct TinyCNNCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tinycnn",
    abstract: "Train, quantize, run and size small CNNs for microcontrollers.",
    discussion: """
      Results go to stdout (one JSON object with --json), progress and notes to stderr.

      Exit codes: 0 success, 1 bad input (a file, a model or a dataset TinyCNN cannot use; the \
      message names it and the cause), 64 bad usage (flags).

      Examples:
        tinycnn train --model lenet5 --epochs 10 --out models/lenet5.safetensors
        tinycnn infer images/ankle-boot-0.png
      """,
    version: "0.1.0",
    subcommands: [
      Train.self, ExportImages.self, Quantize.self, Eval.self, Infer.self, Run.self, Inspect.self,
      Estimate.self, Firmware.self, Bench.self,
    ])
}
