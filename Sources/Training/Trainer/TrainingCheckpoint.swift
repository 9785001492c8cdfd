import Datasets
import Foundation
import Graph

/// A training run stopped after an epoch, with every value the next epoch reads: a run resumed
/// from it ends with the same weights, bit for bit, as one that was never stopped (same seed,
/// settings and thread count). The batch order and the dropout masks need no state of their
/// own: they come from the seed and the epoch and step numbers.
///
/// Stored as a .safetensors file (`train --checkpoint-every N` writes `<out>.checkpoint`): the
/// parameters under their own names, the optimizer's moments as `optimizer.first/NAME` and
/// `optimizer.second/NAME`, and in `__metadata__["tinycnn_checkpoint"]` a JSON object with the
/// counters, the run's settings and the per-epoch record so far.
public struct TrainingCheckpoint {
  /// Epochs finished; the run continues with epoch `epochsDone` (0-based).
  public var epochsDone: Int
  /// The per-epoch record so far, for the model file's `training` metadata.
  public var history: [TrainingRecord.Epoch]
  /// What decides the weights (`settings(of:model:)`); a resumed run must have the same.
  public var settings: [String: String]
  var steps: Int
  var optimizerSteps: Int
  var augmentationState: UInt64
  var parameters: [(name: String, tensor: FloatTensor)]
  var moments: [(name: String, first: [Float], second: [Float])]

  static let metadataKey = "tinycnn_checkpoint"
  static let formatVersion = 1

  /// Where `train -o OUT` keeps its checkpoint.
  public static func path(forOutput output: String) -> String { output + ".checkpoint" }

  /// Whether a run writes its checkpoint after `epochsDone` of `total` epochs: every `every`
  /// epochs, but not after the last (the model file is written then and the checkpoint removed).
  public static func isDue(afterEpoch epochsDone: Int, of total: Int, every: Int?) -> Bool {
    guard let every, every >= 1 else { return false }
    return epochsDone < total && epochsDone % every == 0
  }

  /// A run's settings as the checkpoint compares them: the training record's fields (dataset,
  /// image counts, epochs, batch size, optimizer, rates, schedule, seed, augmentation, threads)
  /// as JSON text, and the model argument. The history, times and results are left out.
  public static func settings(of record: TrainingRecord, model: String) -> [String: String] {
    var settings = ["model": model]
    let encoder = JSONEncoder()
    guard let data = try? encoder.encode(record),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return settings }
    let results: Set = ["history", "seconds", "test_accuracy", "test_loss"]
    for (key, value) in object where !results.contains(key) {
      let text = try? JSONSerialization.data(
        withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
      settings[key] = text.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
    return settings
  }

  /// Throws when `settings` differ from the checkpoint's, naming the first setting that does.
  public func check(settings current: [String: String]) throws(TrainingError) {
    for key in Set(settings.keys).union(current.keys).sorted()
    where settings[key] != current[key] {
      throw TrainingError(
        "the checkpoint is of another run: \(key) was \(settings[key] ?? "unset"), now "
          + "\(current[key] ?? "unset"); resume with the same settings")
    }
  }
}

// MARK: Taking and restoring

extension Trainer {
  /// The run's state after `epochsDone` epochs, with its `history` and `settings`.
  public func checkpoint(
    epochsDone: Int, history: [TrainingRecord.Epoch], settings: [String: String]
  ) -> TrainingCheckpoint {
    let optimizerState = optimizer.state
    return TrainingCheckpoint(
      epochsDone: epochsDone, history: history, settings: settings, steps: steps,
      optimizerSteps: optimizerState.steps, augmentationState: augmentationRNG.state,
      parameters: network.parameters.map {
        ($0.name, FloatTensor(shape: $0.shape, values: $0.values))
      },
      moments: optimizerState.moments)
  }

  /// Puts the network, the optimizer and the counters back as `checkpoint` has them. Every
  /// parameter and moment must be there with this network's shapes.
  public func resume(from checkpoint: TrainingCheckpoint) throws(TrainingError) {
    let saved = Dictionary(
      checkpoint.parameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    for p in network.parameters {
      guard let tensor = saved[p.name] else {
        throw TrainingError("the checkpoint has no parameter '\(p.name)'")
      }
      guard tensor.shape == p.shape else {
        throw TrainingError(
          "the checkpoint's '\(p.name)' has shape \(tensor.shape), the model's is \(p.shape)")
      }
    }
    let trainable = network.parameters.filter(\.isTrainable)
    guard checkpoint.moments.map(\.name) == trainable.map(\.name),
      zip(checkpoint.moments, trainable).allSatisfy({
        $0.first.count == $1.count && $0.second.count == $1.count
      })
    else { throw TrainingError("the checkpoint's optimizer state does not fit the model") }
    guard checkpoint.steps >= 0, checkpoint.optimizerSteps >= 0 else {
      throw TrainingError("the checkpoint's step counts are negative")
    }
    for p in network.parameters { p.values = saved[p.name]!.values }
    optimizer.restore(
      steps: checkpoint.optimizerSteps, moments: checkpoint.moments.map { ($0.first, $0.second) })
    steps = checkpoint.steps
    augmentationRNG = SplitMix64(seed: checkpoint.augmentationState)
  }
}

// MARK: The file

extension TrainingCheckpoint {
  /// The counters, settings and history, as JSON under `metadataKey`.
  private struct Header: Codable {
    var format: Int
    var epochsDone: Int
    var steps: Int
    var optimizerSteps: Int
    /// Decimal text: a JSON number loses the bits of a UInt64 above 2^53.
    var augmentationState: String
    var settings: [String: String]
    var history: [TrainingRecord.Epoch]

    enum CodingKeys: String, CodingKey {
      case format, steps, settings, history
      case epochsDone = "epochs_done"
      case optimizerSteps = "optimizer_steps"
      case augmentationState = "augmentation_state"
    }
  }

  public func encoded() -> [UInt8] {
    let header = Header(
      format: Self.formatVersion, epochsDone: epochsDone, steps: steps,
      optimizerSteps: optimizerSteps, augmentationState: String(augmentationState),
      settings: settings, history: history)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // Strings, integers and finite-or-not doubles in plain structs: encoding cannot fail.
    let json = (try? encoder.encode(header)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    var tensors = parameters
    for m in moments {
      tensors.append(
        ("optimizer.first/\(m.name)", FloatTensor(shape: [m.first.count], values: m.first)))
      tensors.append(
        ("optimizer.second/\(m.name)", FloatTensor(shape: [m.second.count], values: m.second)))
    }
    return SafetensorsFile(metadata: [Self.metadataKey: json], tensors: tensors).encoded()
  }

  /// Reads a checkpoint; `source` names it in errors. The counters are checked here, the names
  /// and shapes against the model by `Trainer.resume(from:)`.
  public static func decode(_ bytes: [UInt8], source: String) throws(SafetensorsFile.FormatError)
    -> TrainingCheckpoint
  {
    try TrainingCheckpoint(SafetensorsFile.decode(bytes, source: source), source: source)
  }

  public static func read(_ path: String) throws(SafetensorsFile.FormatError)
    -> TrainingCheckpoint
  {
    try TrainingCheckpoint(SafetensorsFile.read(path), source: path)
  }

  private init(_ file: SafetensorsFile, source: String) throws(SafetensorsFile.FormatError) {
    func fail(_ cause: String) -> SafetensorsFile.FormatError {
      SafetensorsFile.FormatError(path: source, cause: cause)
    }
    guard let json = file.metadata[Self.metadataKey] else {
      throw fail("not a training checkpoint (no \(Self.metadataKey) in __metadata__)")
    }
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: Data(json.utf8)) } catch {
      throw fail("the checkpoint's \(Self.metadataKey) metadata is not readable")
    }
    guard header.format == Self.formatVersion else {
      throw fail("checkpoint format \(header.format); this tinycnn reads \(Self.formatVersion)")
    }
    guard header.epochsDone >= 1, header.history.count == header.epochsDone, header.steps >= 0,
      header.optimizerSteps >= 0,
      let state = UInt64(header.augmentationState)
    else { throw fail("the checkpoint's counters are out of range") }
    var parameters: [(name: String, tensor: FloatTensor)] = []
    var first: [String: [Float]] = [:]
    var second: [String: [Float]] = [:]
    var order: [String] = []
    for (name, tensor) in file.tensors {
      if name.hasPrefix("optimizer.first/") {
        let key = String(name.dropFirst("optimizer.first/".count))
        first[key] = tensor.values
        order.append(key)
      } else if name.hasPrefix("optimizer.second/") {
        second[String(name.dropFirst("optimizer.second/".count))] = tensor.values
      } else {
        parameters.append((name, tensor))
      }
    }
    var moments: [(name: String, first: [Float], second: [Float])] = []
    for name in order {
      guard let m = first[name], let v = second[name] else {
        throw fail("the checkpoint's optimizer state for '\(name)' is incomplete")
      }
      moments.append((name, m, v))
    }
    guard second.count == first.count else {
      throw fail("the checkpoint's optimizer state is incomplete")
    }
    self.init(
      epochsDone: header.epochsDone, history: header.history, settings: header.settings,
      steps: header.steps, optimizerSteps: header.optimizerSteps, augmentationState: state,
      parameters: parameters, moments: moments)
  }

  /// Writes through a temporary file and a rename (`AtomicFile`): an interrupted write leaves
  /// the previous checkpoint.
  public func write(to path: String) throws(AtomicFile.WriteError) {
    try AtomicFile.write(encoded(), to: path)
  }

}

// MARK: The train command's use

extension Trainer {
  /// Continues the run from the checkpoint at `path`, after checking that it is of this run
  /// (`settings`) and has epochs left of `options.epochs`. Returns it: its `history` continues
  /// the record and its `epochsDone` is where training picks up. Errors name the file.
  public func resume(fromFile path: String, settings: [String: String])
    throws(SafetensorsFile.FormatError) -> TrainingCheckpoint
  {
    let checkpoint = try TrainingCheckpoint.read(path)
    do throws(TrainingError) {
      try checkpoint.check(settings: settings)
      guard checkpoint.epochsDone < options.epochs else {
        throw TrainingError(
          "the checkpoint is after epoch \(checkpoint.epochsDone) of \(options.epochs): "
            + "nothing is left to train")
      }
      try resume(from: checkpoint)
    } catch {
      throw SafetensorsFile.FormatError(path: path, cause: error.message)
    }
    return checkpoint
  }

  /// Writes the checkpoint to `path` after `epochsDone` epochs when `every` makes it due
  /// (`TrainingCheckpoint.isDue`); atomically, so the previous checkpoint survives a failure.
  public func writeCheckpointIfDue(
    to path: String, every: Int?, epochsDone: Int, history: [TrainingRecord.Epoch],
    settings: [String: String]
  ) throws(AtomicFile.WriteError) {
    guard TrainingCheckpoint.isDue(afterEpoch: epochsDone, of: options.epochs, every: every)
    else { return }
    try checkpoint(epochsDone: epochsDone, history: history, settings: settings).write(to: path)
  }
}
