/// Owns one aligned, zero-initialised block of `Float`s. Matrices are views into it.
public final class MatrixStorage {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}

/// A dense, row-major `Float` matrix: a cheap view (pointer, rows, columns) into shared storage.
///
/// Copying a `Matrix` copies the view, not the numbers: layers hand out views of buffers they own,
/// which stay valid until that layer runs again.
public struct Matrix {
    public let storage: MatrixStorage
    public let offset: Int
    public let rows: Int
    public let cols: Int

    /// Allocates a zero-filled `rows` x `cols` matrix.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.init(storage: MatrixStorage(count: rows * cols), offset: 0, rows: rows, cols: cols)
    }

    /// Allocates a matrix holding `values` in row-major order.
    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "expected \(rows * cols) values, got \(values.count)")
        self.init(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    public init(storage: MatrixStorage, offset: Int, rows: Int, cols: Int) {
        precondition(offset + rows * cols <= storage.count || rows * cols == 0, "view outside storage")
        self.storage = storage
        self.offset = offset
        self.rows = rows
        self.cols = cols
    }

    @inline(__always) public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }
    @inline(__always) public var count: Int { rows * cols }
    public var shape: [Int] { [rows, cols] }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    @inline(__always) public subscript(row: Int, col: Int) -> Float {
        get { pointer[row * cols + col] }
        nonmutating set { pointer[row * cols + col] = newValue }
    }

    /// The rows `range` as a view sharing this matrix's storage.
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "row range \(range) outside 0..<\(rows)")
        return Matrix(storage: storage, offset: offset + range.lowerBound * cols, rows: range.count, cols: cols)
    }

    public var array: [Float] { Array(buffer) }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    /// Copies `source`'s numbers into this matrix (shapes must hold the same count).
    public func copy(from source: Matrix) {
        precondition(source.count == count, "copy of \(source.shape) into \(shape)")
        pointer.update(from: source.pointer, count: count)
    }

    /// A new matrix with its own storage holding the same numbers.
    public func clone() -> Matrix {
        let m = Matrix(rows: rows, cols: cols)
        m.copy(from: self)
        return m
    }
}

/// A buffer a layer keeps between calls, grown only when a larger one is needed, so the steady-state
/// training step allocates nothing (also when the shape changes with the batch, as [C, B·P] does).
public struct Workspace {
    private var storage: MatrixStorage?

    public init() {}

    /// A `rows` x `cols` view, reallocating only when the buffer holds fewer than rows·cols values.
    public mutating func matrix(rows: Int, cols: Int) -> Matrix {
        if let s = storage, s.count >= rows * cols { return Matrix(storage: s, offset: 0, rows: rows, cols: cols) }
        let m = Matrix(rows: rows, cols: cols)
        storage = m.storage
        return m
    }
}
