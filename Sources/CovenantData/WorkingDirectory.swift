/// Paths as the user gave them, resolved against a working directory at each file access.
/// Diagnostics and reports keep the path as given; only the file system sees the resolved one.
/// A nil directory is the process's current directory (the real command line); tests pass a
/// directory instead of changing the process-wide one.
public enum WorkingDirectory {
  public static func resolve(_ path: String, in directory: String?) -> String {
    guard let directory, !directory.isEmpty, !path.hasPrefix("/") else { return path }
    return FileSystem.appending(path, to: directory)
  }
}
