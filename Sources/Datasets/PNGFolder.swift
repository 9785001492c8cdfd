import Imaging
import InputChecks

/// A folder of PNGs with one sub-folder per class, the layout of Keras'
/// `image_dataset_from_directory` and PyTorch's `ImageFolder`:
///
///     flowers/train/daisy/001.png     flowers/daisy/001.png
///     flowers/train/tulip/002.png  or flowers/tulip/002.png
///     flowers/test/daisy/101.png      ...
///
/// With `train/` and `test/` sub-folders those are the splits. Without them, every tenth image of
/// each class (in file-name order: 10th, 20th, ...) is the test split and the rest the training
/// split, so both are fixed and never overlap. Class names are the sub-folder names, sorted.
/// Every image is resized (bilinear) to one size: `size`, or else the size of the first image.
/// Images are gray unless `format` says otherwise or any image in the folder has colour.
public enum PNGFolder {
  public static let testEvery = 10

  public static func load(
    _ split: Split, folder: String, size: (width: Int, height: Int)? = nil,
    format: PixelFormat? = nil
  ) throws(DatasetError) -> LabeledImages {
    let hasSplits =
      FileSystem.isDirectory("\(folder)/train") && FileSystem.isDirectory("\(folder)/test")
    let root = hasSplits ? "\(folder)/\(split)" : folder
    // Class numbers come from the training split's folders, for both splits: numbering each
    // split by its own folders once scored a test split with a class fewer against the wrong
    // labels, with exit code 0.
    let classes = classFolders(hasSplits ? "\(folder)/train" : folder)
    guard classes.count >= 2 else {
      throw DatasetError(
        file: hasSplits ? "\(folder)/train" : folder,
        cause: "found \(classes.count) class folder(s) with PNGs; a dataset folder needs one"
          + " sub-folder of .png files per class (at least 2)")
    }
    let splitClasses = hasSplits ? classFolders(root) : classes
    if let extra = splitClasses.first(where: { !classes.contains($0) }) {
      throw DatasetError(
        file: "\(root)/\(extra)",
        cause: "class '\(extra)' of the \(split) split is not in the training split "
          + "(\(classes.joined(separator: ", ")))")
    }
    // Read every file once; decode after the headers have settled the size and the format.
    var files: [(path: String, label: Int, bytes: [UInt8], header: PNGHeader)] = []
    for (label, name) in classes.enumerated() where splitClasses.contains(name) {
      var pngs = pngFiles("\(root)/\(name)")
      if !hasSplits {
        pngs = pngs.enumerated().filter {
          ($0.offset % testEvery == testEvery - 1) == (split == .test)
        }
        .map(\.element)
      }
      for path in pngs {
        let bytes: [UInt8]
        do { bytes = try BinaryFile.read(path) } catch {
          throw DatasetError(file: path, cause: error.cause)
        }
        do {
          files.append((path, label, bytes, try PNG.header(bytes, source: path)))
        } catch { throw DatasetError(file: path, cause: error.cause) }
      }
    }
    guard let first = files.first else {
      throw DatasetError(file: root, cause: "the \(split) split has no images")
    }
    let width = size?.width ?? first.header.width
    let height = size?.height ?? first.header.height
    let pixelFormat = format ?? (files.contains { $0.header.isColor } ? .rgb : .gray)
    do {
      _ = try ResourceLimit.bytes.checkProduct(
        [files.count, width, height, pixelFormat.channels],
        "\(files.count) images of \(width) x \(height)")
    } catch { throw DatasetError(file: root, cause: error.description) }
    var pixels: [UInt8] = []
    pixels.reserveCapacity(files.count * width * height * pixelFormat.channels)
    for file in files {
      var image: Image
      do { image = try PNG.decode(file.bytes, as: pixelFormat, source: file.path) } catch {
        throw DatasetError(file: file.path, cause: error.cause)
      }
      if image.width != width || image.height != height {
        image = image.resized(width: width, height: height)
      }
      pixels += image.pixels
    }
    return LabeledImages(
      name: "\(folder) (\(split))", width: width, height: height, channels: pixelFormat.channels,
      pixels: pixels, labels: files.map(\.label), classNames: classes)
  }

  /// Whether `folder` looks like a PNG dataset (class sub-folders holding .png files).
  public static func looksLikeDataset(_ folder: String) -> Bool {
    let hasSplits =
      FileSystem.isDirectory("\(folder)/train") && FileSystem.isDirectory("\(folder)/test")
    return classFolders(hasSplits ? "\(folder)/train" : folder).count >= 2
  }

  /// Sub-folders of `root` that hold at least one .png, sorted by name.
  static func classFolders(_ root: String) -> [String] {
    (FileSystem.contents(root) ?? []).filter { name in
      !name.hasPrefix(".") && FileSystem.isDirectory("\(root)/\(name)")
        && !pngFiles("\(root)/\(name)").isEmpty
    }
  }

  static func pngFiles(_ folder: String) -> [String] {
    (FileSystem.contents(folder) ?? []).filter {
      !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".png")
    }.map { "\(folder)/\($0)" }.filter(FileSystem.isRegularFile)
  }
}
