import Files
/// A data set of the MNIST family loaded from disk and verified: 60,000 training and 10,000 test examples.
public struct MNISTFamilyDataset: Sendable {
    public let spec: DatasetSpec
    public let directory: String
    public let train: LabeledImages
    public let test: LabeledImages
    /// Per file: its path and how it was verified.
    public let provenance: [(role: DataFileRole, path: String, method: FileVerification.Method)]

    /// The paper's validation set: the last 10,000 training images.
    public static let validationCount = 10_000

    /// Training images without the validation set (the first 50,000).
    public var trainWithoutValidation: LabeledImages { train.subset(0..<(train.count - Self.validationCount)) }
    public var validation: LabeledImages { train.subset((train.count - Self.validationCount)..<train.count) }

    /// Loads and verifies all four files from `directory`.
    public static func load(_ spec: DatasetSpec, from directory: String) throws -> MNISTFamilyDataset {
        var provenance: [(DataFileRole, String, FileVerification.Method)] = []
        var raw: [DataFileRole: [UInt8]] = [:]
        for file in spec.files {
            guard let path = DataLocator.path(of: file, in: directory) else {
                throw FileError(directory + "/" + file.name + ".gz", "file not found")
            }
            let (content, method) = try FileVerification.verify(path: path, against: file)
            raw[file.role] = content
            provenance.append((file.role, path, method))
        }
        func path(_ role: DataFileRole) -> String { provenance.first { $0.0 == role }!.1 }
        func images(_ role: DataFileRole) throws -> (Int, [UInt8]) {
            try IDXReader.images(in: IDXReader.parse(raw[role]!, file: path(role)), file: path(role))
        }
        func labels(_ role: DataFileRole) throws -> [Int32] {
            try IDXReader.labels(in: IDXReader.parse(raw[role]!, file: path(role)), file: path(role), classCount: spec.classCount)
        }
        let (nTrain, trainPixels) = try images(.trainImages)
        let (nTest, testPixels) = try images(.testImages)
        let trainLabels = try labels(.trainLabels), testLabels = try labels(.testLabels)
        guard nTrain == trainLabels.count else {
            throw FileError(directory, "\(nTrain) training images but \(trainLabels.count) training labels")
        }
        guard nTest == testLabels.count else {
            throw FileError(directory, "\(nTest) test images but \(testLabels.count) test labels")
        }
        return MNISTFamilyDataset(spec: spec, directory: directory,
                                  train: LabeledImages(pixels: trainPixels, labels: trainLabels, classCount: spec.classCount),
                                  test: LabeledImages(pixels: testPixels, labels: testLabels, classCount: spec.classCount),
                                  provenance: provenance.map { ($0.0, $0.1, $0.2) })
    }
}
