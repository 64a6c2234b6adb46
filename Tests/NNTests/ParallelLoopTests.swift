import NN
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Element-wise passes split over two threads: every item once, on both threads, and the same bits as on one.
final class ParallelLoopTests: XCTestCase {
    override func tearDown() { BLASRuntime.setThreadCount(1) }

    func testChunksPartitionTheRangeAtAlignedBounds() {
        for count in [0, 1, 15, 16, 17, 100, 4097, 1_000_003] {
            for parts in 1...5 {
                for alignment in [1, 16] {
                    var next = 0
                    for index in 0..<parts {
                        let r = ParallelLoop.chunk(index, of: parts, count: count, alignment: alignment)
                        XCTAssertEqual(r.lowerBound, next, "count \(count), parts \(parts)")
                        if r.upperBound != count { XCTAssertEqual(r.upperBound % alignment, 0) }
                        next = r.upperBound
                    }
                    XCTAssertEqual(next, count, "count \(count), parts \(parts), alignment \(alignment)")
                }
            }
        }
    }

    func testEveryItemRunsOnceOnBothThreads() {
        BLASRuntime.setThreadCount(2)
        let count = 3 * ParallelLoop.minimumParallelWork + 5
        let visits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
        defer { visits.deallocate() }
        visits.initialize(repeating: 0)
        let threadIDs = UnsafeMutableBufferPointer<pthread_t>.allocate(capacity: 2)
        defer { threadIDs.deallocate() }
        threadIDs.initialize(repeating: 0)
        ParallelLoop.forEachChunk(count) { r in
            for i in r { visits[i] += 1 }
            threadIDs[r.lowerBound == 0 ? 0 : 1] = pthread_self()
        }
        XCTAssertTrue(visits.allSatisfy { $0 == 1 })
        XCTAssertNotEqual(threadIDs[0], 0)
        XCTAssertNotEqual(threadIDs[1], 0)
        XCTAssertNotEqual(threadIDs[0], threadIDs[1], "the two halves ran on one thread")

        // Small passes stay on the calling thread, in one piece.
        var pieces = 0
        ParallelLoop.forEachChunk(100) { r in pieces += 1; XCTAssertEqual(r, 0..<100) }
        XCTAssertEqual(pieces, 1)

        // With OpenBLAS's own thread pool doing the products, passes stay on one thread (two spinning pools fight).
        BLASRuntime.setThreadCount(2, for: MatrixProducts(backend: .openBLAS))
        var openBLASPieces = 0
        ParallelLoop.forEachChunk(count) { _ in openBLASPieces += 1 }
        XCTAssertEqual(openBLASPieces, 1)
    }

    /// Batch norm's per-channel sums, column sums and Adam's update give the same bits at one and two threads: only
    /// independent items were split, never a sum across them.
    func testLayersGiveTheSameBitsAtOneAndTwoThreads() {
        func run(threads: Int) -> [[Float]] {
            BLASRuntime.setThreadCount(threads)
            let rng = RandomGenerator(seed: 7)
            let shape = ImageShape(channels: 64, height: 14, width: 14)
            let bn2 = BatchNorm2d(shape), bn1 = BatchNorm1d(1000)
            let x2 = Matrix(rows: 32, cols: shape.count), x1 = Matrix(rows: 64, cols: 1000)
            rng.fillNormal(x2); rng.fillNormal(x1)
            let dy2 = Matrix(rows: 32, cols: shape.count), dy1 = Matrix(rows: 64, cols: 1000)
            rng.fillNormal(dy2); rng.fillNormal(dy1)
            let y2 = bn2.forward(x2, mode: .training).array, dx2 = bn2.backward(dy2, needs: [.input, .parameters]).array
            let y1 = bn1.forward(x1, mode: .training).array, dx1 = bn1.backward(dy1, needs: [.input, .parameters]).array
            let relu = LeakyReLU(), act = relu.forward(x2, mode: .training).array
            let linear = Linear(300, 400)
            rng.fillNormal(linear.weight.gradient)
            let adam = Adam(linear)
            for step in 1...3 { adam.update(Hyperparameters(learningRate: 1e-3, momentum: 0.5), step: step) }
            let columnSums = Matrix(rows: 1, cols: 1000)
            sumRows(of: x1, into: columnSums)
            return [y2, dx2, y1, dx1, act, bn2.gamma.gradient.array, bn1.runningVariance.value.array, linear.weight.value.array,
                    columnSums.array]
        }
        let one = run(threads: 1), two = run(threads: 2)
        for (k, (a, b)) in zip(one, two).enumerated() {
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "output \(k) differs between one and two threads")
        }
    }
}
