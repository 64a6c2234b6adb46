import Files
/// Which of a data set's four files.
public enum DataFileRole: String, Sendable, CaseIterable {
    case trainImages, trainLabels, testImages, testLabels
}

/// One file of a data set with what it must contain.
public struct DataFileSpec: Sendable {
    public let role: DataFileRole
    /// The file name without ".gz".
    public let name: String
    /// Size of the decompressed file.
    public let rawBytes: Int
    /// SHA-256 of the decompressed file: a re-compressed copy still verifies against it.
    public let rawSHA256: String?
    /// SHA-256 of the file as the mirrors serve it.
    public let gzipSHA256: String?

    public init(role: DataFileRole, name: String, rawBytes: Int, rawSHA256: String?, gzipSHA256: String?) {
        self.role = role; self.name = name; self.rawBytes = rawBytes
        self.rawSHA256 = rawSHA256; self.gzipSHA256 = gzipSHA256
    }
}

/// A data set in the MNIST IDX layout: its files, classes and where to download it.
public struct DatasetSpec: Sendable {
    public let name: String
    public let classNames: [String]
    public let files: [DataFileSpec]
    /// Base URLs; a file's URL is base + name + ".gz".
    public let mirrors: [String]
    /// Directories a system package installs the files into, searched after ./data/<name>/.
    public let systemDirectories: [String]

    public init(name: String, classNames: [String], files: [DataFileSpec], mirrors: [String], systemDirectories: [String]) {
        self.name = name; self.classNames = classNames; self.files = files
        self.mirrors = mirrors; self.systemDirectories = systemDirectories
    }

    public var classCount: Int { classNames.count }
    public func file(_ role: DataFileRole) -> DataFileSpec { files.first { $0.role == role }! }
}

/// The data sets that share MNIST's format.
public enum DatasetRegistry {
    public static let all: [DatasetSpec] = [mnist, fashionMNIST, kmnist]
    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) throws -> DatasetSpec {
        // The generated data set is found by name but not listed: it exists to exercise the tool, not to study.
        guard let spec = (all + [SyntheticDataset.spec]).first(where: { $0.name == name.lowercased() }) else {
            throw FileError(name, "unknown data set (known: \(names.joined(separator: ", ")))")
        }
        return spec
    }

    private static func files(_ sums: [(String, String?)]) -> [DataFileSpec] {
        let layout: [(DataFileRole, String, Int)] = [
            (.trainImages, "train-images-idx3-ubyte", 47_040_016), (.trainLabels, "train-labels-idx1-ubyte", 60_008),
            (.testImages, "t10k-images-idx3-ubyte", 7_840_016), (.testLabels, "t10k-labels-idx1-ubyte", 10_008),
        ]
        return zip(layout, sums).map { l, s in
            DataFileSpec(role: l.0, name: l.1, rawBytes: l.2, rawSHA256: s.1, gzipSHA256: s.0)
        }
    }

    public static let mnist = DatasetSpec(
        name: "mnist", classNames: (0..<10).map(String.init),
        files: files([
            ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ]),
        mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        systemDirectories: [])

    public static let fashionMNIST = DatasetSpec(
        name: "fashion-mnist",
        classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        files: files([
            ("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            ("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            ("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            ("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ]),
        mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        systemDirectories: ["/usr/share/datasets/fashion-mnist"])

    /// KMNIST's decompressed digests are not published; its files verify by their .gz digests.
    public static let kmnist = DatasetSpec(
        name: "kmnist", classNames: ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
        files: files([
            ("51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4", nil),
            ("e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17", nil),
            ("edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5", nil),
            ("20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c", nil),
        ]),
        mirrors: ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"],
        systemDirectories: [])
}
