import ArgumentParser

/// The `tinycnn` command: train, quantize, run and measure small CNNs for microcontrollers.
@main
struct TinyCNNCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tinycnn",
    abstract: "Train, quantize, run and size small CNNs for microcontrollers.",
    discussion: """
      Exit codes: 0 success, 1 bad input (a file or a model TinyCNN cannot use), \
      64 bad usage (flags).

      Examples:
        tinycnn train --model lenet5 --epochs 10 --out models/lenet5.safetensors
        tinycnn infer images/ankle-boot-0.png
      """,
    version: "0.1.0",
    subcommands: [Estimate.self])
}
