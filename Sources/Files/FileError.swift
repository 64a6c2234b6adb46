/// A problem with a file (data, checkpoint, output), reported as one line: the file, then what is wrong with it.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let problem: String

    public init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
