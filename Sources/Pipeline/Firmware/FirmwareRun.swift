import Foundation

/// How the firmware's Swift is optimised (swiftc's -Osize, -O, -Ounchecked).
package enum FirmwareOptimization: String, CaseIterable, Codable {
  case size, speed, unchecked

  package var flag: String {
    switch self {
    case .size: "-Osize"
    case .speed: "-O"
    case .unchecked: "-Ounchecked"
    }
  }
}

/// Flash and RAM of the linked firmware, from `size` (Berkeley format).
package struct Footprint: Codable, Equatable {
  /// Code and constants (the model, the inputs): flash.
  package var text: Int
  /// Initialised RAM, stored in flash too.
  package var data: Int
  /// Zeroed RAM: the stack and the arena.
  package var bss: Int

  package init(text: Int, data: Int, bss: Int) {
    (self.text, self.data, self.bss) = (text, data, bss)
  }

  package var flash: Int { text + data }
  package var ram: Int { data + bss }

  /// "   text    data     bss     dec     hex filename" then one row of numbers.
  package static func parse(_ output: String) -> Footprint? {
    for line in output.split(separator: "\n") {
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard fields.count >= 3, let text = Int(fields[0]), let data = Int(fields[1]),
        let bss = Int(fields[2])
      else { continue }
      return Footprint(text: text, data: data, bss: bss)
    }
    return nil
  }
}

/// What the firmware printed over semihosting (main.swift lists the lines).
package struct FirmwareOutput {
  /// Operator names in execution order ("op 3 MAX_POOL_2D").
  package var operators: [String] = []
  /// Each image's int8 output ("output 2: -31 -66 ...").
  package var outputs: [Int: [Int8]] = [:]
  package var tops: [Int: Int] = [:]
  /// The firmware's own comparison with the embedded host outputs ("match 2: yes").
  package var matches: [Int: Bool] = [:]
  /// "arena: 8656 of 9424 bytes (plan 2768, tensors 5888)".
  package var arenaNeeded: Int?
  package var arenaAvailable: Int?
  package var planBytes: Int?
  package var tensorBytes: Int?
  /// "stack: 5588 of 8192 bytes".
  package var stackUsed: Int?
  package var stackSize: Int?
  /// "error: ..." lines.
  package var errors: [String] = []

  package static func parse(_ text: String) -> FirmwareOutput {
    var out = FirmwareOutput()
    for raw in text.split(separator: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      let words = line.split(separator: " ").map(String.init)
      func number(_ i: Int) -> Int? {
        i < words.count
          ? Int(words[i].trimmingCharacters(in: CharacterSet(charactersIn: ":,()")))
          : nil
      }
      guard let first = words.first else { continue }
      switch first {
      case "op" where words.count == 3 && number(1) == out.operators.count:
        out.operators.append(words[2])
      case "output":
        guard let image = number(1) else { continue }
        out.outputs[image] = words.dropFirst(2).compactMap { Int8($0) }
      case "top": if let image = number(1), let top = number(2) { out.tops[image] = top }
      case "match": if let image = number(1) { out.matches[image] = words.last == "yes" }
      case "arena:":
        (out.arenaNeeded, out.arenaAvailable) = (number(1), number(3))
        (out.planBytes, out.tensorBytes) = (number(6), number(8))
      case "stack:": (out.stackUsed, out.stackSize) = (number(1), number(3))
      case "error:": out.errors.append(String(line.dropFirst(7)))
      default: continue
      }
    }
    return out
  }
}

/// The instruction counts the QEMU plugin logged ("insncount op 5 585643 alu=... regs=..."),
/// with what the markers themselves cost taken off. The firmware runs, per image, one counted
/// `invoke` and then each operator in its own counted region; op region 0 is an empty one, the
/// markers' cost.
package struct InstructionCounts: Codable, Equatable {
  /// Instructions of the calls to the markers around an empty region (subtracted from all).
  package var markerCost: Int
  /// One whole inference per image.
  package var invoke: [Int]
  /// `perOperator[image][op]`.
  package var perOperator: [[Int]]
  /// Every instruction of the run: start-up, planning, printing, all inferences.
  package var total: Int
  /// The same regions by timing class, when the plugin logged them (as `invoke`, `perOperator`).
  package var invokeMix: [InstructionMix]? = nil
  package var perOperatorMix: [[InstructionMix]]? = nil

  package static func parse(_ log: String, operatorCount: Int, imageCount: Int)
    -> InstructionCounts?
  {
    var invoke: [(Int, InstructionMix?)] = []
    var ops: [(Int, InstructionMix?)] = []
    var total: Int?
    for line in log.split(separator: "\n") {
      let w = line.split(separator: " ")
      guard w.first == "insncount" else { continue }
      if w.count == 3, w[1] == "total" { total = Int(w[2]) }
      guard w.count >= 4, let index = Int(w[2]), let count = Int(w[3]) else { continue }
      let mix = w.count > 4 ? InstructionMix(w.dropFirst(4)) : nil
      if w[1] == "invoke", index == invoke.count { invoke.append((count, mix)) }
      if w[1] == "op", index == ops.count { ops.append((count, mix)) }
    }
    guard let total, invoke.count == imageCount, ops.count == 1 + imageCount * operatorCount
    else { return nil }
    let cost = ops[0].0
    let perOperator = (0..<imageCount).map { image in
      (0..<operatorCount).map { ops[1 + image * operatorCount + $0].0 - cost }
    }
    var counts = InstructionCounts(
      markerCost: cost, invoke: invoke.map { $0.0 - cost }, perOperator: perOperator,
      total: total)
    let invokeMixes = invoke.compactMap(\.1)
    let opMixes = ops.compactMap(\.1)
    if invokeMixes.count == invoke.count, opMixes.count == ops.count {
      let markers = opMixes[0]
      counts.invokeMix = invokeMixes.map { $0.subtracting(markers) }
      counts.perOperatorMix = (0..<imageCount).map { image in
        (0..<operatorCount).map { opMixes[1 + image * operatorCount + $0].subtracting(markers) }
      }
    }
    return counts
  }
}

/// One firmware build folder: runs firmware/build.sh there and reads what it made.
package struct FirmwareBuild {
  package let toolchain: FirmwareToolchain
  package let board: FirmwareBoard
  package let directory: URL
  package let optimization: FirmwareOptimization

  package var elf: URL { directory.appendingPathComponent("fw.elf") }

  /// The environment of build.sh: ours, with the tool search path we were given.
  private var environment: [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = toolchain.searchPath.joined(separator: ":")
    return env
  }

  private func script(_ action: String) throws -> ProcessResult {
    try runProcess(
      toolchain.buildScript.path,
      ["--board", board.rawValue, "--out", directory.path, "--opt", optimization.flag, action],
      environment: environment, logDirectory: directory)
  }

  /// Compiles and links fw.elf (the log goes to build.log); returns its footprint. `relink`
  /// keeps the compiled Swift and compiles the C side (the generated data) again.
  package func build(relink: Bool = false) throws -> Footprint {
    let result = try script(relink ? "relink" : "build")
    let log = directory.appendingPathComponent("build.log")
    try? (result.stdout + result.stderr).write(to: log, atomically: true, encoding: .utf8)
    guard result.status == 0 else {
      // The last error lines say what failed (a compile error, RAM overflow at link time).
      let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
      let cause = errors.suffix(3).joined(separator: "; ")
      throw InputError(
        log.path,
        "the \(board.rawValue) firmware did not build"
          + (cause.isEmpty ? " (exit status \(result.status))" : ": \(cause)"))
    }
    let size = try runProcess(try toolchain.sizeTool(), [elf.path], logDirectory: directory)
    guard size.status == 0, let footprint = Footprint.parse(size.stdout) else {
      throw InputError(elf.path, "size could not read it: \(size.stderr)")
    }
    return footprint
  }

  /// The arena the firmware's own plan needs: `sources` built as a measuring firmware (it plans
  /// for its 32-bit CPU, prints its arena line and stops: main.swift) and run; nil when it did
  /// not say, or needs more than the host's bound (the bound stands, and a real run reports the
  /// problem). The Swift object stays for a `build(relink: true)` with the measured size.
  package func measureArena(_ sources: FirmwareSources) throws -> Int? {
    var measuring = sources
    measuring.measureOnly = true
    try measuring.write(to: directory)
    _ = try build()
    let result = try run(counting: false)
    guard result.status == 0, let needed = FirmwareOutput.parse(result.output).arenaNeeded,
      needed <= sources.plan.arenaBytes
    else { return nil }
    return needed
  }

  /// Runs fw.elf under QEMU, counting instructions if asked.
  package func run(counting: Bool) throws -> (
    status: Int32, output: String, qemuErrors: String, log: String?
  ) {
    let result = try script(counting ? "count" : "run")
    var log: String? = nil
    if counting {
      log = try? String(
        contentsOf: directory.appendingPathComponent("insncount.log"), encoding: .utf8)
    }
    try? result.stdout.write(
      to: directory.appendingPathComponent("run.log"), atomically: true, encoding: .utf8)
    return (result.status, result.stdout, result.stderr, log)
  }
}
