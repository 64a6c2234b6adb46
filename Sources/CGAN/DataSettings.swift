/// Which images a run trains on, and their shape.
public struct DataSettings: Codable, Sendable, Equatable {
    /// A name `DatasetRegistry` knows, or `imageFolderName` for a run on a folder of images.
    public var dataset = "mnist"
    /// Train on the first `trainLimit` images only (quick experiments and tests); nil: all 50,000.
    public var trainLimit: Int?
    /// Side of the square images in pixels: G's output and D's input (28 for the MNIST family).
    public var imageSize = 28
    /// 1 (grey) or 3 (red, green, blue).
    public var channels = 1
    /// The folder of labelled images (one sub-folder per class) a run trains on; nil: `dataset`.
    public var imageFolder: String?
    /// The names of the classes in label order, where they are not the data set's own (an image folder's
    /// sub-folders): samples, grids and `cgan sample --label NAME` name classes by them.
    public var classNames: [String]?
    /// An image folder's share of each class held out for validation (a stratified split).
    public var validationFraction: Double?
    /// SHA-256 of the images an image-folder run held out (`sha256Hex` of the validation split), recorded when
    /// the run starts: a folder changed since then splits differently, and resuming or evaluating is refused.
    public var heldOutDigest: String?
    /// An image folder's unreadable files are left out instead of stopping the run.
    public var skipBadImages = false

    /// The name `dataset` takes for a run on an image folder.
    public static let imageFolderName = "image-folder"

    /// The sides the dcgan models are built for: the MNIST family's 28, and 16 to 128 (powers of 2).
    public static let convolutionalSides: Set<Int> = [16, 28, 32, 64, 128]
    /// The largest side of any model (an MLP's input grows with its square).
    public static let maximumSide = 128

    /// Values per image: channels x side x side.
    public var valuesPerImage: Int { channels * imageSize * imageSize }
}
