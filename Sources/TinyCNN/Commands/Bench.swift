import ArgumentParser
import Dispatch
import Estimator
import Foundation
import Pipeline
import Runtime

/// `tinycnn bench`: how fast the int8 runtime runs a model on this machine: per-image latency
/// (batch 1, one thread: the firmware's view), throughput with every core, and per layer the
/// effective GMAC/s against this CPU's int8 peak.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Time a .tflite model on this CPU: latency, images/s, GMAC/s per layer.",
    discussion: """
      One thread runs `--runs` timed runs after `--warmup` untimed ones; a run is `--batch` \
      images, one invoke each (the model's batch is 1, as on a microcontroller), so the \
      latency is per image: median, p10/p90, min and max over the runs. A second pass times \
      every operator alone (same runs) for the per-layer table. Throughput: `--threads` \
      workers, each with its own interpreter, run the same runs at once; images/s is all their \
      images over the wall time.

      GMAC/s counts the multiply-accumulates of CONV_2D, DEPTHWISE_CONV_2D and \
      FULLY_CONNECTED (from the model's shapes). The peak is what bit-exact int8 code can do \
      on this CPU, 2 instructions per cycle (1 for 512-bit ones on AMD Zen 4, which splits them): with AVX-512 VNNI u8 x s8 dot products \
      (vpdpbusd, 64 MACs each, exact after a +128 correction), else int8 widened to int16 and \
      multiplied pairwise (vpmaddwd: 32 MACs with AVX-512BW, 16 with AVX2, 8 with SSE2), \
      times the clock, measured first with a chain of dependent one-cycle instructions \
      (/proc/cpuinfo gives the nominal clock, which turbo exceeds). The header also says \
      which kernel set ran: with `--kernels optimized`, the fastest this CPU has, chosen at \
      run time from CPUID (AVX-512 VNNI, AVX2 or the portable SIMD kernels).

      Examples:
        tinycnn bench
        tinycnn bench --model models/cnn-small-int8.tflite --batch 4 --threads 2
        tinycnn bench --kernels reference --runs 200 --json
      """)

  @Option(help: "The int8 .tflite model (default: the bundled models/lenet5-int8.tflite).")
  var model: String?
  @Option(help: "Images per timed run (1 to 64).") var batch = 1
  @Option(help: "Timed runs.") var runs = 1000
  @Option(help: "Untimed runs first (caches, branch predictors, clocks).") var warmup = 100
  @OptionGroup var threads: ThreadOptions
  @OptionGroup var kernels: KernelOptions
  @OptionGroup var report: ReportOptions

  static let maximumRuns = 10_000_000

  func validate() throws {
    guard (1...64).contains(batch) else { throw ValidationError("--batch must be 1 to 64.") }
    // Each timed run keeps its time, so the count is bounded as any allocation from a flag is.
    guard (1...Self.maximumRuns).contains(runs) else {
      throw ValidationError("--runs must be 1 to \(Format.grouped(Self.maximumRuns)).")
    }
    guard (0...Self.maximumRuns).contains(warmup) else {
      throw ValidationError("--warmup must be 0 to \(Format.grouped(Self.maximumRuns)).")
    }
    guard model ?? BundledModel.path() != nil else {
      throw ValidationError(
        "--model is required: the bundled \(BundledModel.relativePath) is missing.")
    }
  }

  func run() throws {
    let path = model ?? BundledModel.path() ?? ""
    let result = try BenchResult.measure(
      path: path, kernels: kernels.set, batch: batch, runs: runs, warmup: warmup,
      threads: ParallelBatch.threads(threads.threads), cpu: CPUPeak.detect())
    if report.json {
      try printJSON(result)
    } else {
      Console.output(result.text)
    }
  }
}

/// `tinycnn bench`'s text.
extension BenchResult {
  var text: String {
    var out: [String] = []
    let us = latencyMicroseconds
    out.append(
      "\(model): \(kernels) kernels, batch \(batch), \(Format.grouped(runs)) runs "
        + "after \(Format.grouped(warmup)) warm-up")
    out.append(
      "cpu: \(cpu.model), \(cpu.clockText), \(cpu.isa); int8 peak "
        + "\(cpu.macsPerCycle) MAC/cycle = \(Format.fixed(cpu.peakGMACs, 1)) GMAC/s per core")
    out.append("")
    var table = TextTable([
      .right("#"), .left("layer"), .left("op"), .left("output"), .right("MACs"), .right("µs"),
      .right("share"), .right("GMAC/s"), .right("of peak"),
    ])
    let sum = layers.map(\.microseconds).reduce(0, +)
    for l in layers {
      table.add([
        "\(l.index)", l.name, l.op, l.output.map(String.init).joined(separator: "x"),
        l.macs > 0 ? Format.grouped(l.macs) : "", Format.fixed(l.microseconds, 2),
        sum > 0 ? Format.fixed(100 * l.microseconds / sum, 1) + " %" : "",
        l.macs > 0 ? Format.fixed(l.gmacs, 2) : "",
        l.macs > 0 ? Format.fixed(100 * l.peakFraction, 1) + " %" : "",
      ])
    }
    table.addSeparator()
    table.add([
      "", "total (invoke)", "", "", Format.grouped(macs), Format.fixed(us.median, 2), "",
      Format.fixed(gmacs, 2), Format.fixed(100 * peakFraction, 1) + " %",
    ])
    out.append(table.rendered())
    out.append("")
    out.append(
      "latency per image, 1 thread: median \(Format.fixed(us.median, 2)) µs "
        + "(p10 \(Format.fixed(us.p10, 2)), p90 \(Format.fixed(us.p90, 2)), "
        + "min \(Format.fixed(us.min, 2)), max \(Format.fixed(us.max, 2)))"
        + " = \(Format.grouped(imagesPerSecond)) images/s")
    out.append(
      "throughput, \(throughput.threads) thread\(throughput.threads == 1 ? "" : "s"): "
        + "\(Format.grouped(throughput.imagesPerSecond)) images/s "
        + "(\(Format.fixed(throughput.speedup, 2))x one thread)")
    out.append(
      "per-layer times are each operator invoked alone (median per layer; they sum to "
        + "\(Format.fixed(sum, 2)) µs)")
    return out.joined(separator: "\n")
  }
}

extension CPUPeak {
  var clockText: String {
    clockMeasured
      ? "\(Format.fixed(megahertz, 0)) MHz measured (nominal \(Format.fixed(nominalMegahertz, 0)))"
      : "\(Format.fixed(megahertz, 0)) MHz"
  }
}
