import Foundation

/// Whether two paths name one file (same device and inode, through links of either kind): an output that
/// is an input would be replaced while it is being read.
public enum FileIdentity {
    /// True when both paths exist and are the same file.
    public static func same(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// Throws when `output` would be written inside `folder` (through links too): a folder being read, such as
    /// the images of a run, is not a place for an output.
    public static func checkOutside(_ output: String, folder: String) throws {
        func resolved(_ path: String) -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            return realpath(path, &buffer) != nil ? String(cString: buffer) : nil
        }
        let parent = URL(fileURLWithPath: output).deletingLastPathComponent().path
        guard let inside = resolved(folder), let target = resolved(parent) else { return }
        if target == inside || target.hasPrefix(inside + "/") {
            throw FileError(output, "is inside the image folder \(folder), which is read, not written; choose another output")
        }
    }

    /// Throws when `output` is one of `inputs`.
    public static func checkNotInput(_ output: String, inputs: [String]) throws {
        for input in inputs where same(output, input) {
            throw FileError(output, (output == input ? "is also" : "is the same file as") + " the input \(input); "
                            + "writing it would replace what is being read; choose another output")
        }
    }
}
