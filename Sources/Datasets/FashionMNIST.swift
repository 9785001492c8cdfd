#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Zalando's Fashion-MNIST: 28x28 gray images of 10 kinds of clothing, 60,000 for training and
/// 10,000 for testing, as IDX files. By default read from the Debian package
/// `dataset-fashion-mnist`; `TINYCNN_FASHION_MNIST=/path` points elsewhere.
public enum FashionMNIST {
  public static let defaultFolder = "/usr/share/datasets/fashion-mnist"

  /// The class names in label order, from the dataset's README.
  public static let classNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// The folder to read: `$TINYCNN_FASHION_MNIST` if set, else the Debian package's.
  public static var folder: String {
    if let override = getenv("TINYCNN_FASHION_MNIST") { return String(cString: override) }
    return defaultFolder
  }

  public static func load(_ split: Split, folder: String = folder) throws(DatasetError)
    -> LabeledImages
  {
    guard FileSystem.isDirectory(folder) else {
      throw DatasetError(
        file: folder,
        cause: "Fashion-MNIST is not here; install it with `apt-get install dataset-fashion-mnist`"
          + " (scripts/setup.sh does) or set TINYCNN_FASHION_MNIST to its folder")
    }
    return try IDXImageSet.load(
      folder: folder, split: split, name: "fashion-mnist", classNames: classNames)
  }
}

/// LeCun's MNIST digits, or any other IDX image set with the MNIST file names, from a folder.
/// (Debian has no MNIST package; download the four files and point `--dataset` at the folder.)
public enum MNIST {
  public static let classNames = (0...9).map(String.init)

  public static func load(_ split: Split, folder: String) throws(DatasetError) -> LabeledImages {
    try IDXImageSet.load(folder: folder, split: split, name: "mnist", classNames: classNames)
  }
}
