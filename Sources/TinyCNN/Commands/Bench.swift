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
      on this CPU, 2 instructions per cycle: with AVX-512 VNNI u8 x s8 dot products \
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
      path: path, kernels: kernels.kernels, batch: batch, runs: runs, warmup: warmup,
      threads: ParallelBatch.threads(threads.threads), cpu: CPUPeak.detect())
    if report.json {
      try printJSON(result)
    } else {
      Console.output(result.text)
    }
  }
}

/// This CPU's bit-exact int8 MAC peak: vector width from the /proc/cpuinfo flags, clock measured
/// (`CPUClock`), or /proc/cpuinfo's nominal "cpu MHz" when not measured.
struct CPUPeak: Encodable {
  var model: String
  /// The clock the peak uses: measured when `clockMeasured`, else the nominal one.
  var megahertz: Double
  var nominalMegahertz: Double
  var clockMeasured: Bool
  /// The widest vector extension the CPU has for int16 pairwise multiply-adds.
  var isa: String
  /// 2 vpmaddwd per cycle (measured on this machine's cores, ymm and zmm alike) x MACs each.
  var macsPerCycle: Int
  var peakGMACs: Double

  var clockText: String {
    clockMeasured
      ? "\(Format.fixed(megahertz, 0)) MHz measured (nominal \(Format.fixed(nominalMegahertz, 0)))"
      : "\(Format.fixed(megahertz, 0)) MHz"
  }

  static func detect(cpuinfo path: String = "/proc/cpuinfo") -> CPUPeak {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return parse(text, measuredMegahertz: CPUClock.measureMegahertz())
  }

  static func parse(_ cpuinfo: String, measuredMegahertz: Double? = nil) -> CPUPeak {
    func field(_ name: String) -> String? {
      for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
        if let colon = line.firstIndex(of: ":") {
          return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
    let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
    // MACs per instruction of the fastest bit-exact multiply-add the CPU has.
    let (isa, macsPerInstruction) =
      flags.contains("avx512bw") && flags.contains("avx512_vnni")
      ? ("AVX-512 VNNI", 64)
      : flags.contains("avx512bw")
        ? ("AVX-512BW", 32) : flags.contains("avx2") ? ("AVX2", 16) : ("SSE2", 8)
    let nominal = Double(field("cpu MHz") ?? "") ?? 0
    let mhz = measuredMegahertz ?? nominal
    let perCycle = 2 * macsPerInstruction
    return CPUPeak(
      model: field("model name") ?? "unknown", megahertz: mhz, nominalMegahertz: nominal,
      clockMeasured: measuredMegahertz != nil, isa: isa, macsPerCycle: perCycle,
      peakGMACs: Double(perCycle) * mhz / 1000)
  }
}

/// Latency statistics over runs, in microseconds per image.
struct LatencyStats: Encodable {
  var median: Double
  var p10: Double
  var p90: Double
  var min: Double
  var max: Double

  init(_ samples: [Double]) {
    let s = samples.sorted()
    func at(_ q: Double) -> Double { s.isEmpty ? 0 : s[Int((Double(s.count - 1) * q).rounded())] }
    median = at(0.5)
    p10 = at(0.1)
    p90 = at(0.9)
    min = s.first ?? 0
    max = s.last ?? 0
  }
}

/// What `tinycnn bench` measured.
struct BenchResult: Encodable {
  struct Layer: Encodable {
    var index: Int
    var name: String
    var op: String
    var output: [Int]
    var macs: Int
    /// Median over runs of this operator's time per image.
    var microseconds: Double
    var gmacs: Double
    var peakFraction: Double
  }
  struct Throughput: Encodable {
    var threads: Int
    var imagesPerSecond: Double
    /// Over the single-thread images/s from the median latency.
    var speedup: Double
  }

  var model: String
  var kernels: KernelChoice
  /// The kernel set that ran (`KernelSet.name`): with `optimized`, the fastest this CPU has.
  var kernelSet: String
  var batch: Int
  var runs: Int
  var warmup: Int
  var cpu: CPUPeak
  /// One thread, per image.
  var latencyMicroseconds: LatencyStats
  var imagesPerSecond: Double
  var macs: Int
  var gmacs: Double
  var peakFraction: Double
  var throughput: Throughput
  var layers: [Layer]

  static func measure(
    path: String, kernels: KernelChoice, batch: Int, runs: Int, warmup: Int, threads: Int,
    cpu: CPUPeak
  ) throws -> BenchResult {
    let file = try ModelFile(path: path)
    let images = try BenchInputs(file.model, images: batch)
    let session = try ModelSession(file: file, kernels: kernels.set)
    let interpreter = session.interpreter

    func time(_ body: () throws -> Void) rethrows -> Double {
      let t0 = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000
    }
    func invoke() throws {
      do { try interpreter.invoke() } catch { throw file.error(error) }
    }
    func invoke(_ i: Int) throws {
      do { try interpreter.invokeOperator(i) } catch { throw file.error(error) }
    }

    // Whole invokes. With batch 1 the input stays set, as for the other runtimes' invoke.
    try images.set(0, interpreter)
    for _ in 0..<warmup {
      for k in 0..<batch {
        if batch > 1 { try images.set(k, interpreter) }
        try invoke()
      }
    }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    for _ in 0..<runs {
      samples.append(
        try time {
          for k in 0..<batch {
            if batch > 1 { try images.set(k, interpreter) }
            try invoke()
          }
        } / Double(batch))
    }
    let latency = LatencyStats(samples)

    // Each operator alone, in order (each reads what the previous ones left in the arena).
    let ops = file.model.operatorCount
    var perOp = [[Double]](repeating: [], count: ops)
    for r in -min(warmup, 10)..<runs {
      var run = [Double](repeating: 0, count: ops)
      for k in 0..<batch {
        try images.set(k, interpreter)
        for i in 0..<ops {
          run[i] += try time { try invoke(i) }
        }
      }
      if r >= 0 { for i in 0..<ops { perOp[i].append(run[i] / Double(batch)) } }
    }
    let work = try? ModelWork(tfliteAt: path)
    var layers: [Layer] = []
    for i in 0..<ops {
      let layer = work?.layers.count == ops ? work?.layers[i] : nil
      let us = LatencyStats(perOp[i]).median
      let macs = layer?.macs ?? 0
      let gmacs = us > 0 ? Double(macs) / us / 1000 : 0
      layers.append(
        Layer(
          index: i, name: layer?.name ?? "op\(i)",
          op: layer.map { String(describing: $0.op) } ?? "?", output: layer?.outputShape ?? [],
          macs: macs, microseconds: us, gmacs: gmacs,
          peakFraction: cpu.peakGMACs > 0 ? gmacs / cpu.peakGMACs : 0))
    }

    let macs = layers.map(\.macs).reduce(0, +)
    let gmacs = latency.median > 0 ? Double(macs) / latency.median / 1000 : 0
    let single = latency.median > 0 ? 1e6 / latency.median : 0
    let parallel = try throughput(
      file: file, kernels: kernels, images: images, runs: runs, warmup: warmup,
      threads: max(1, threads))
    return BenchResult(
      model: path, kernels: kernels,
      kernelSet: String(describing: session.interpreter.kernels.name), batch: batch, runs: runs,
      warmup: warmup, cpu: cpu,
      latencyMicroseconds: latency, imagesPerSecond: single, macs: macs, gmacs: gmacs,
      peakFraction: cpu.peakGMACs > 0 ? gmacs / cpu.peakGMACs : 0,
      throughput: Throughput(
        threads: max(1, threads), imagesPerSecond: parallel,
        speedup: single > 0 ? parallel / single : 0),
      layers: layers)
  }

  /// Images/s with `threads` workers, each with its own interpreter running `runs` runs of the
  /// batch, timed together after all have warmed up.
  static func throughput(
    file: ModelFile, kernels: KernelChoice, images: BenchInputs, runs: Int, warmup: Int,
    threads: Int
  ) throws -> Double {
    var sessions: [ModelSession] = []
    for _ in 0..<threads { sessions.append(try ModelSession(file: file, kernels: kernels.set)) }
    func work(_ w: Int, _ count: Int) throws {
      let interpreter = sessions[w].interpreter
      for _ in 0..<count {
        for k in 0..<images.count {
          try images.set(k, interpreter)
          do { try interpreter.invoke() } catch { throw file.error(error) }
        }
      }
    }
    try ParallelBatch.run(count: threads, workers: threads) { w, _ in try work(w, warmup) }
    let t0 = DispatchTime.now().uptimeNanoseconds
    try ParallelBatch.run(count: threads, workers: threads) { w, _ in try work(w, runs) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return seconds > 0 ? Double(threads * runs * images.count) / seconds : 0
  }

  var text: String {
    var out: [String] = []
    let us = latencyMicroseconds
    out.append(
      "\(model): \(kernels.rawValue) kernels (\(kernelSet)), batch \(batch), "
        + "\(Format.grouped(runs)) runs after \(Format.grouped(warmup)) warm-up")
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

/// Deterministic pseudo-random inputs for every model input, `count` images of each: int8 and
/// uint8 bytes uniform, float32 in [0, 1) (a quantize-in model's pixels), other types zero.
struct BenchInputs: @unchecked Sendable {
  let count: Int
  private let data: [[[UInt8]]]  // [image][input] bytes

  init(_ model: Model, images: Int) throws {
    count = images
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }
    var all: [[[UInt8]]] = []
    for _ in 0..<images {
      var perInput: [[UInt8]] = []
      for i in 0..<model.inputCount {
        let tensor = try model.tensor(at: model.inputTensorIndex(i))
        var bytes = [UInt8](repeating: 0, count: tensor.byteCount)
        switch tensor.type {
        case .int8, .uint8:
          for j in bytes.indices { bytes[j] = UInt8(truncatingIfNeeded: next()) }
        case .float32:
          for j in 0..<bytes.count / 4 {
            let bits = Float(next() % 1000) / 1000
            withUnsafeBytes(of: bits.bitPattern.littleEndian) {
              for b in 0..<4 { bytes[4 * j + b] = $0[b] }
            }
          }
        default: break
        }
        perInput.append(bytes)
      }
      all.append(perInput)
    }
    data = all
  }

  /// Copies image `k` into the interpreter's input tensors.
  func set(_ k: Int, _ interpreter: Interpreter) throws {
    for (i, bytes) in data[k].enumerated() {
      let slot = try interpreter.input(i).bytes
      bytes.withUnsafeBytes { slot.copyMemory(from: $0) }
    }
  }
}
