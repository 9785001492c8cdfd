import Foundation

/// Where tinycnn finds the files it reads besides its own code (the firmware's sources and
/// scripts, the sample images, the bundled model): a checkout, or an installation, which
/// scripts/install.sh lays out as PREFIX/bin/tinycnn and PREFIX/share/tinycnn.
package enum InstalledFiles {
  /// The installation's folder for them, relative to the binary's folder.
  package static let shareFromBinary = "../share/tinycnn"

  /// The folders that may hold them, seen from the binary at `executable` (symlinks resolved),
  /// in order: its `../share/tinycnn` (an installation), then its folder and each parent (a
  /// checkout's `.build/release/tinycnn`).
  package static func folders(besideExecutable executable: String) -> [URL] {
    let binary = URL(fileURLWithPath: (executable as NSString).resolvingSymlinksInPath)
    var folder = binary.deletingLastPathComponent().standardizedFileURL
    var folders = [folder.appendingPathComponent(shareFromBinary).standardizedFileURL]
    while folder.path != "/" && !folder.path.isEmpty {
      folders.append(folder)
      folder = folder.deletingLastPathComponent()
    }
    return folders
  }

  /// The running executable's path (Linux: /proc/self/exe; elsewhere argv[0]).
  package static func executablePath() -> String? {
    if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return link
    }
    return CommandLine.arguments.first.map { URL(fileURLWithPath: $0).path }
  }
}
