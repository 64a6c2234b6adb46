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
        if isInside(output, folder: folder) {
            throw FileError(output, "is inside the image folder \(folder), which is read, not written; choose another output")
        }
    }

    /// True when `path`, which need not exist yet, is `folder` or lies inside it, through links of either:
    /// the nearest part of `path` that exists is resolved, and the parts still to be created are added to it.
    public static func isInside(_ path: String, folder: String) -> Bool {
        func resolved(_ path: String) -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            return realpath(path, &buffer) != nil ? String(cString: buffer) : nil
        }
        guard let inside = resolved(folder) else { return false }
        // By text, not URL: URL's deletingLastPathComponent of a path ending in ".." appends another "..".
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let parts = absolute.split(separator: "/").map(String.init)
        var existing = parts.count
        while existing > 0 && resolved("/" + parts[..<existing].joined(separator: "/")) == nil { existing -= 1 }
        guard var target = resolved("/" + parts[..<existing].joined(separator: "/")).map({ $0.split(separator: "/").map(String.init) })
        else { return false }
        for part in parts[existing...] where part != "." {
            if part == ".." { _ = target.popLast() } else { target.append(part) }
        }
        let folderParts = inside.split(separator: "/").map(String.init)
        return target.count >= folderParts.count && Array(target.prefix(folderParts.count)) == folderParts
    }

    /// Throws when `output` is one of `inputs`.
    public static func checkNotInput(_ output: String, inputs: [String]) throws {
        for input in inputs where same(output, input) {
            throw FileError(output, (output == input ? "is also" : "is the same file as") + " the input \(input); "
                            + "writing it would replace what is being read; choose another output")
        }
    }
}
