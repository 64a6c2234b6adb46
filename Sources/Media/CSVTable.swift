import Files
import Foundation

/// A numeric CSV file with a header line (metrics.csv, validation.csv).
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[Double]]

    public init(header: [String], rows: [[Double]]) { self.header = header; self.rows = rows }

    /// Reads `path`; a cell that is not a number reads as NaN.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw FileError(path, "cannot be read") }
        guard let data = RegularFile.contents(atPath: path, limit: Self.maximumFileSize) else {
            throw FileError(path, RegularFile.whyUnread(path, limit: Self.maximumFileSize))
        }
        let lines = Self.lines(of: data)
        guard let first = lines.first else { throw FileError(path, "is empty") }
        header = first.split(separator: ",").map(String.init)
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan } }
    }

    /// The largest file read (metrics.csv of a long run is a few MB).
    public static let maximumFileSize = 256 << 20

    /// The lines of a text file; a byte that is not UTF-8 reads as U+FFFD and spoils only its own line,
    /// never the file. Empty when the file is absent, unreadable, not a regular file or larger than `maximumFileSize`.
    public static func lines(ofFileAt path: String) -> [Substring] {
        RegularFile.contents(atPath: path, limit: maximumFileSize).map(lines(of:)) ?? []
    }

    static func lines(of data: Data) -> [Substring] { String(decoding: data, as: UTF8.self).split(separator: "\n") }

    /// The values of column `name` (empty when there is no such column).
    public func column(_ name: String) -> [Double] {
        guard let i = header.firstIndex(of: name) else { return [] }
        return rows.map { i < $0.count ? $0[i] : .nan }
    }
}
