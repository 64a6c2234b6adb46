import Files
import Foundation

/// A numeric CSV file with a header line (metrics.csv, validation.csv).
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[Double]]

    public init(header: [String], rows: [[Double]]) { self.header = header; self.rows = rows }

    /// Reads `path`; a cell that is not a number reads as NaN.
    public init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw FileError(path, "cannot be read") }
        let lines = text.split(separator: "\n")
        guard let first = lines.first else { throw FileError(path, "is empty") }
        header = first.split(separator: ",").map(String.init)
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan } }
    }

    /// The values of column `name` (empty when there is no such column).
    public func column(_ name: String) -> [Double] {
        guard let i = header.firstIndex(of: name) else { return [] }
        return rows.map { i < $0.count ? $0[i] : .nan }
    }
}
