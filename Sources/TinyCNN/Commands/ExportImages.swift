import ArgumentParser
import Datasets
import Foundation
import Imaging
import Pipeline

/// `tinycnn export-images`: the first N images of each class of a dataset split, as PNG files
/// named by class, so a new user has something to classify at once.
struct ExportImages: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-images",
    abstract: "Write sample images of each class of a dataset as PNG files.",
    discussion: """
      Takes the first --per-class images of every class from the split, in dataset order, \
      and writes them with TinyCNN's PNG encoder as <class>-<i>.png, the class name in \
      lower case with every run of other characters turned into one '-' \
      ("Ankle boot" -> ankle-boot-0.png, "T-shirt/top" -> t-shirt-top-0.png).

      Examples:
        tinycnn export-images --dataset fashion-mnist --per-class 2 --out images/
        tinycnn export-images --dataset cifar10:/data/cifar10 --per-class 5 --out cifar/
        tinycnn export-images --split train --per-class 1 --out /tmp/samples --json
      """)

  @Option(help: "The images: \(DatasetCatalog.help).")
  var dataset = "fashion-mnist"

  @Option(help: "train or test.")
  var split = "test"

  @Option(name: .customLong("per-class"), help: "Images per class.")
  var perClass = 2

  @Option(name: [.short, .customLong("out")], help: "The folder to write to (created if needed).")
  var out = "images"

  @OptionGroup var report: ReportOptions

  func validate() throws {
    guard Split(rawValue: split) != nil else {
      throw ValidationError("--split must be train or test.")
    }
    guard perClass >= 1 else { throw ValidationError("--per-class must be at least 1.") }
  }

  func run() throws {
    let images: LabeledImages
    do { images = try DatasetCatalog.load(dataset, split: Split(rawValue: split)!) } catch {
      throw InputError(error.file, error.cause)
    }
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw InputError(out, "cannot create the folder")
    }
    var written: [String] = []
    var shortOf: [String] = []
    for (label, name) in images.classNames.enumerated() {
      let picks = images.labels.indices.lazy.filter { images.labels[$0] == label }.prefix(perClass)
      if picks.count < perClass { shortOf.append(name) }
      for (i, index) in picks.enumerated() {
        let path = (out as NSString).appendingPathComponent("\(Self.slug(name))-\(i).png")
        do { try PNG.write(images.image(index), to: path) } catch {
          throw InputError(error.file, error.cause)
        }
        written.append(path)
      }
    }
    if !shortOf.isEmpty {
      report.note("fewer than \(perClass) images of: \(shortOf.joined(separator: ", "))")
    }
    if report.json {
      try printJSON(
        ExportSummary(dataset: dataset, split: split, folder: out, files: written))
    } else {
      for path in written { Console.output(path) }
      report.note("wrote \(written.count) images to \(out)")
    }
  }

  /// "Ankle boot" -> "ankle-boot", "T-shirt/top" -> "t-shirt-top".
  static func slug(_ name: String) -> String {
    var out = ""
    var pendingDash = false
    for ch in name.lowercased() {
      if ch.isASCII && (ch.isLetter || ch.isNumber) {
        if pendingDash && !out.isEmpty { out.append("-") }
        pendingDash = false
        out.append(ch)
      } else {
        pendingDash = true
      }
    }
    return out.isEmpty ? "class" : out
  }
}

private struct ExportSummary: Encodable {
  var dataset: String
  var split: String
  var folder: String
  var files: [String]
}
