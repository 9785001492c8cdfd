import Dispatch
import Estimator
import Foundation
import Runtime

/// Latency statistics over runs, in microseconds per image.
package struct LatencyStats: Encodable {
  package var median: Double
  package var p10: Double
  package var p90: Double
  package var min: Double
  package var max: Double

  package init(_ samples: [Double]) {
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
package struct BenchResult: Encodable {
  package struct Layer: Encodable {
    package var index: Int
    package var name: String
    package var op: String
    package var output: [Int]
    package var macs: Int
    /// Median over runs of this operator's time per image.
    package var microseconds: Double
    package var gmacs: Double
    package var peakFraction: Double
  }
  package struct Throughput: Encodable {
    package var threads: Int
    package var imagesPerSecond: Double
    /// Over the single-thread images/s from the median latency.
    package var speedup: Double
  }

  package var model: String
  /// The kernel set's name: "reference" or "optimized".
  /// The kernel set that ran (`KernelSet.name`: with `--kernels optimized`, the fastest this CPU
  /// has).
  package var kernels: String
  package var batch: Int
  package var runs: Int
  package var warmup: Int
  package var cpu: CPUPeak
  /// One thread, per image.
  package var latencyMicroseconds: LatencyStats
  package var imagesPerSecond: Double
  package var macs: Int
  package var gmacs: Double
  package var peakFraction: Double
  package var throughput: Throughput
  package var layers: [Layer]

  package static func measure(
    path: String, kernels: KernelSet, batch: Int, runs: Int, warmup: Int, threads: Int,
    cpu: CPUPeak
  ) throws -> BenchResult {
    let file = try ModelFile(path: path)
    let images = try BenchInputs(file.model, images: batch)
    let session = try ModelSession(file: file, kernels: kernels)
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
          op: layer.map(\.opName) ?? "?", output: layer?.outputShape ?? [],
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
      model: path, kernels: String(describing: kernels.name), batch: batch, runs: runs,
      warmup: warmup,
      cpu: cpu,
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
    file: ModelFile, kernels: KernelSet, images: BenchInputs, runs: Int, warmup: Int,
    threads: Int
  ) throws -> Double {
    var sessions: [ModelSession] = []
    for _ in 0..<threads { sessions.append(try ModelSession(file: file, kernels: kernels)) }
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
}

/// Deterministic pseudo-random inputs for every model input, `count` images of each: int8 and
/// uint8 bytes uniform, float32 in [0, 1) (a quantize-in model's pixels), other types zero.
package struct BenchInputs: @unchecked Sendable {
  package let count: Int
  private let data: [[[UInt8]]]  // [image][input] bytes

  package init(_ model: Model, images: Int) throws {
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
  package func set(_ k: Int, _ interpreter: Interpreter) throws {
    for (i, bytes) in data[k].enumerated() {
      let slot = try interpreter.input(i).bytes
      bytes.withUnsafeBytes { slot.copyMemory(from: $0) }
    }
  }
}
