import Files
import Foundation

/// The images of a folder laid out as one sub-folder per class (`DIR/cat/1.png`, `DIR/dog/2.jpg`): the
/// convention of torchvision's ImageFolder. Classes are the sub-folder names sorted by code point; images
/// are the `.png`, `.jpg` and `.jpeg` files (any letter case) anywhere below a class folder, in sorted
/// order folder by folder. Names starting with "." are skipped; other files are listed as ignored. Symbolic links are followed.
public struct ImageFolderListing: Sendable {
    /// One image file: its path below the root, its class, and what the cache compares.
    public struct Entry: Sendable, Equatable {
        public let relativePath: String
        public let classIndex: Int
        public let size: Int64
        /// Modification time in nanoseconds since 1970.
        public let modified: Int64
    }

    /// The most classes accepted (ImageNet has 1,000).
    public static let maximumClassCount = 1_000
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    public let root: String
    public let classNames: [String]
    public let entries: [Entry]
    /// Files below the root that are not images by their extension, relative to the root.
    public let ignored: [String]

    /// Lists `root`. Throws a one-line `FileError` when it is not a readable folder, holds fewer than two
    /// or more than `maximumClassCount` class folders, a class folder without images, a name that is not
    /// UTF-8, a class folder that is a symbolic-link loop, or a folder linked inside itself.
    public init(root: String) throws {
        self.root = root
        var info = stat()
        guard stat(root, &info) == 0 else { throw FileError(root, "cannot read the folder (\(String(cString: strerror(errno))))") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw FileError(root, "not a folder; expected one sub-folder per class holding its images") }
        var ignored: [String] = []
        var classFolders: [String] = []
        for name in try Self.names(in: root) {
            var child = stat()
            let path = root + "/" + name
            guard stat(path, &child) == 0 else {
                if errno == ELOOP { throw FileError(path, "symbolic link loop") }
                ignored.append(name)
                continue
            }
            if child.st_mode & S_IFMT == S_IFDIR { classFolders.append(name) } else { ignored.append(name) }
        }
        guard !classFolders.isEmpty else {
            throw FileError(root, "no class folders; expected one sub-folder per class, e.g. \(root)/cat/1.png")
        }
        guard classFolders.count >= 2 else {
            throw FileError(root, "only one class folder (\(classFolders[0])); a conditional model needs at least two classes")
        }
        guard classFolders.count <= Self.maximumClassCount else {
            throw FileError(root, "\(classFolders.count) class folders, more than the limit of \(Self.maximumClassCount)")
        }
        var entries: [Entry] = []
        for (index, name) in classFolders.enumerated() {
            var files: [Entry] = []
            var ancestors: Set<[UInt64]> = [Self.identity(root)]
            try Self.walk(root: root, relative: name, classIndex: index, ancestors: &ancestors, into: &files, ignored: &ignored)
            guard !files.isEmpty else { throw FileError(root + "/" + name, "class folder holds no .png, .jpg or .jpeg images") }
            entries += files
        }
        self.classNames = classFolders
        self.entries = entries
        self.ignored = ignored
    }

    /// Names in `directory`, sorted by code point, without "." names; refuses names that are not UTF-8.
    static func names(in directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            throw FileError(directory, "cannot read the folder (\(String(cString: strerror(errno))))")
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            var raw = entry.pointee.d_name
            let bytes: [UInt8] = withUnsafeBytes(of: &raw) { Array($0.prefix { $0 != 0 }) }
            if bytes.first == UInt8(ascii: ".") { continue }
            // Decoding replaces invalid sequences, so the bytes differ exactly when the name is not UTF-8.
            let name = String(decoding: bytes, as: UTF8.self)
            guard name.utf8.elementsEqual(bytes) else { throw FileError(directory + "/" + name, "file name is not UTF-8; rename it") }
            names.append(name)
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func identity(_ path: String) -> [UInt64] {
        var info = stat()
        return stat(path, &info) == 0 ? [UInt64(info.st_dev), UInt64(info.st_ino)] : []
    }

    private static func walk(root: String, relative: String, classIndex: Int, ancestors: inout Set<[UInt64]>,
                             into files: inout [Entry], ignored: inout [String]) throws {
        let directory = root + "/" + relative
        let id = identity(directory)
        guard ancestors.insert(id).inserted else { throw FileError(directory, "symbolic link loop (a folder inside itself)") }
        defer { ancestors.remove(id) }
        for name in try names(in: directory) {
            let path = relative + "/" + name, full = root + "/" + path
            var info = stat()
            guard stat(full, &info) == 0 else {
                // Unreadable, dangling or a link loop: listed, so that the import names it as a bad image
                // (which --skip-bad-images leaves out).
                if isImageName(name) { files.append(Entry(relativePath: path, classIndex: classIndex, size: -1, modified: 0)) } else { ignored.append(path) }
                continue
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                try walk(root: root, relative: path, classIndex: classIndex, ancestors: &ancestors, into: &files, ignored: &ignored)
            } else if isImageName(name) {
                files.append(Entry(relativePath: path, classIndex: classIndex, size: Int64(info.st_size),
                                   modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
            } else {
                ignored.append(path)
            }
        }
    }

    static func isImageName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The path of an entry.
    public func path(of entry: Entry) -> String { root + "/" + entry.relativePath }
}
