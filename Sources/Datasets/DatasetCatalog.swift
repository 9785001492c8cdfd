#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns a `--dataset` argument into images. It is one of
///
/// - a name: `fashion-mnist` (the Debian package, or `$TINYCNN_FASHION_MNIST`), `mnist`
///   (`$TINYCNN_MNIST`), `cifar10` (`$TINYCNN_CIFAR10`);
/// - a name and a folder: `mnist:/data/mnist`, `cifar10:/data/cifar-10-batches-bin`,
///   `fashion-mnist:/tmp/fmnist`;
/// - a folder, recognised by what it holds: IDX files, CIFAR-10 batches, or class sub-folders of
///   PNGs (see `PNGFolder`).
public enum DatasetCatalog {
  public static let names = ["fashion-mnist", "mnist", "cifar10"]

  /// What `--help` says about the accepted forms.
  public static let help =
    "fashion-mnist, mnist[:FOLDER], cifar10[:FOLDER], or a folder (IDX files, CIFAR-10 .bin"
    + " batches, or one sub-folder of PNGs per class)"

  /// The split's images; an empty split is an error (it would score 0 % and match "exactly").
  public static func load(_ spec: String, split: Split) throws(DatasetError) -> LabeledImages {
    let images = try loadAny(spec, split: split)
    guard images.count > 0 else {
      throw DatasetError(file: spec, cause: "the \(split) split has no images")
    }
    return images
  }

  static func loadAny(_ spec: String, split: Split) throws(DatasetError) -> LabeledImages {
    let (name, given) = parse(spec)
    // The folder given after the name, else the one the environment variable names.
    func folder(or variable: String, for name: String) throws(DatasetError) -> String {
      if let given { return given }
      return try environment(variable, for: name)
    }
    switch name {
    case "fashion-mnist":
      return try FashionMNIST.load(split, folder: given ?? FashionMNIST.folder)
    case "mnist":
      return try MNIST.load(split, folder: folder(or: "TINYCNN_MNIST", for: "mnist"))
    case "cifar10", "cifar-10":
      return try CIFAR10.load(split, folder: folder(or: "TINYCNN_CIFAR10", for: "cifar10"))
    case nil:
      return try loadFolder(given ?? spec, split: split)
    default:
      throw DatasetError(file: spec, cause: "unknown dataset; use \(help)")
    }
  }

  /// Splits `name:folder`; a bare known name has no folder; anything else is a folder.
  static func parse(_ spec: String) -> (name: String?, folder: String?) {
    let lowered = spec.lowercased()
    if names.contains(lowered) || lowered == "cifar-10" { return (lowered, nil) }
    if let colon = spec.firstIndex(of: ":") {
      let name = spec[..<colon].lowercased()
      if names.contains(name) || name == "cifar-10" {
        return (name, String(spec[spec.index(after: colon)...]))
      }
    }
    return (nil, spec)
  }

  static func loadFolder(_ folder: String, split: Split) throws(DatasetError) -> LabeledImages {
    guard FileSystem.isDirectory(folder) else {
      throw DatasetError(file: folder, cause: "no such dataset name or folder; use \(help)")
    }
    let idxPrefix = "\(folder)/train-images-idx3-ubyte"
    if FileSystem.isRegularFile(idxPrefix) || FileSystem.isRegularFile(idxPrefix + ".gz") {
      return try IDXImageSet.load(folder: folder, split: split, name: folder, classNames: [])
    }
    if FileSystem.isRegularFile("\(folder)/test_batch.bin")
      || FileSystem.isRegularFile("\(folder)/data_batch_1.bin")
    {
      return try CIFAR10.load(split, folder: folder)
    }
    if PNGFolder.looksLikeDataset(folder) {
      return try PNGFolder.load(split, folder: folder)
    }
    throw DatasetError(
      file: folder,
      cause: "not a dataset folder: no IDX files, no CIFAR-10 batches, no class sub-folders of PNGs"
    )
  }

  static func environment(_ variable: String, for name: String) throws(DatasetError) -> String {
    guard let value = getenv(variable) else {
      throw DatasetError(
        file: name,
        cause: "where is it? Pass --dataset \(name):FOLDER or set \(variable)=FOLDER")
    }
    return String(cString: value)
  }
}
