import Foundation

/// A bounded view of a numeric CSV log (metrics.csv, validation.csv), however large the file grows: its
/// header, at most `maximumRows` rows spread evenly over the file, and always its last complete row.
/// A file up to `wholeFileLimit` bytes is read whole; a larger one costs `maximumRows` small reads, so a
/// request's time and memory do not grow with the log.
struct CSVSample {
    let header: [String]
    /// Rows in file order; a cell that is not a number reads as NaN.
    let rows: [[Double]]
    /// True when rows of the file were left out.
    let downsampled: Bool

    /// Longest line read (longer ones are skipped) and most columns kept.
    static let maximumLineLength = 4_096, maximumColumns = 64
    /// Larger files are sampled rather than read whole.
    static let wholeFileLimit = 256 << 10

    init(header: [String], rows: [[Double]], downsampled: Bool) {
        self.header = header
        self.rows = rows
        self.downsampled = downsampled
    }

    init(file: RunFiles.OpenFile, maximumRows: Int) {
        let size = file.size
        let start = file.read(at: 0, count: min(size, Self.maximumLineLength))
        guard let end = start.firstIndex(of: UInt8(ascii: "\n")) ?? (size <= Self.maximumLineLength ? start.count : nil) else {
            self.init(header: [], rows: [], downsampled: false)
            return
        }
        let header = Self.cells(start[..<end]).map { String(decoding: $0, as: UTF8.self) }
        let bodyStart = min(end + 1, size)
        func parse(_ line: ArraySlice<UInt8>) -> [Double] {
            Self.cells(line).map { Double(String(decoding: $0, as: UTF8.self)) ?? .nan }
        }
        // An unterminated last line is a row being written unless every column has a value.
        func complete(_ line: ArraySlice<UInt8>, terminated: Bool) -> Bool {
            guard !line.isEmpty, line.count <= Self.maximumLineLength else { return false }
            if terminated { return true }
            let cells = Self.cells(line)
            return cells.count == header.count && cells.allSatisfy { !$0.isEmpty }
        }
        let limit = max(2, maximumRows)
        if size - bodyStart <= Self.wholeFileLimit {
            let body = file.read(at: bodyStart, count: size - bodyStart)
            var rows: [[Double]] = []
            var lineStart = body.startIndex
            while lineStart < body.endIndex {
                let newline = body[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
                let line = body[lineStart..<(newline ?? body.endIndex)]
                if complete(line, terminated: newline != nil) { rows.append(parse(line)) }
                lineStart = (newline ?? body.endIndex) + 1
            }
            guard rows.count > limit else {
                self.init(header: header, rows: rows, downsampled: false)
                return
            }
            let picked = (0..<limit).map { i in rows[(rows.count - 1) * i / (limit - 1)] }
            self.init(header: header, rows: picked, downsampled: true)
            return
        }
        // One line starting at or after each of `limit - 1` evenly spaced offsets, then the last line.
        var rows: [[Double]] = []
        var lastStart = -1
        let window = 2 * Self.maximumLineLength
        for i in 0..<(limit - 1) {
            let offset = bodyStart + (size - bodyStart) / (limit - 1) * i
            // Lines are short: a small read almost always holds the rest of one and the next whole.
            guard let found = Self.lineAfter(offset, skipping: offset > bodyStart, in: file, window: 512)
                    ?? Self.lineAfter(offset, skipping: offset > bodyStart, in: file, window: window),
                  offset + found.start > lastStart else { continue }
            let (from, line) = found
            if complete(line, terminated: true) {
                rows.append(parse(line))
                lastStart = offset + from
            }
        }
        let tailOffset = max(bodyStart, size - window)
        let tail = file.read(at: tailOffset, count: size - tailOffset)
        var lines = tail.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let terminated = tail.last == UInt8(ascii: "\n")
        if terminated { lines.removeLast() }
        // The first line of the window may be cut.
        if tailOffset > bodyStart, !lines.isEmpty { lines.removeFirst() }
        if let last = lines.last, complete(last, terminated: terminated) {
            if tailOffset + (last.startIndex - tail.startIndex) > lastStart { rows.append(parse(last)) }
        } else if lines.count >= 2, let previous = lines.dropLast().last, complete(previous, terminated: true),
                  tailOffset + (previous.startIndex - tail.startIndex) > lastStart {
            rows.append(parse(previous))
        }
        self.init(header: header, rows: rows, downsampled: true)
    }

    /// The first complete line at `offset` (after the rest of the line there when `skipping`), and its start
    /// relative to `offset`, from one read of `window` bytes.
    static func lineAfter(_ offset: Int, skipping: Bool, in file: RunFiles.OpenFile, window: Int) -> (start: Int, line: ArraySlice<UInt8>)? {
        let bytes = file.read(at: offset, count: window)
        var from = bytes.startIndex
        if skipping {
            guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            from = newline + 1
        }
        guard let newline = bytes[from...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return (from, bytes[from..<newline])
    }

    /// The values of column `name` (empty when there is no such column).
    func column(_ name: String) -> [Double] {
        guard let i = header.firstIndex(of: name) else { return [] }
        return rows.map { i < $0.count ? $0[i] : .nan }
    }

    /// A line's comma-separated cells (a carriage return at its end dropped), `maximumColumns` at most.
    static func cells(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        return Array(trimmed.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).prefix(maximumColumns))
    }
}
