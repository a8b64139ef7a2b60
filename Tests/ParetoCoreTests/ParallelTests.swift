import Foundation
import Testing
import ParetoCore

/// An error that says which iteration threw it.
private struct IterationError: Error, Equatable {
    let index: Int
}

/// Checks that `chunks` cut `range` into contiguous, nearly equal pieces.
private func expectEvenCover(_ chunks: [Range<Int>], of range: Range<Int>, parts: Int, minimumChunk: Int,
                             sourceLocation: SourceLocation = #_sourceLocation) {
    let label = "\(range) parts \(parts) minimum \(minimumChunk): \(chunks)"
    if range.isEmpty {
        #expect(chunks.isEmpty, "\(label)", sourceLocation: sourceLocation)
        return
    }
    #expect(chunks.first?.lowerBound == range.lowerBound, "\(label)", sourceLocation: sourceLocation)
    #expect(chunks.last?.upperBound == range.upperBound, "\(label)", sourceLocation: sourceLocation)
    for (a, b) in zip(chunks, chunks.dropFirst()) {
        #expect(a.upperBound == b.lowerBound, "not contiguous: \(label)", sourceLocation: sourceLocation)
    }
    #expect(chunks.allSatisfy { !$0.isEmpty }, "\(label)", sourceLocation: sourceLocation)
    let sizes = chunks.map(\.count)
    #expect(sizes.max()! - sizes.min()! <= 1, "\(label)", sourceLocation: sourceLocation)
    // Longer chunks come first ("the last chunks may be one shorter").
    #expect(sizes == sizes.sorted(by: >), "\(label)", sourceLocation: sourceLocation)
    #expect(chunks.count <= max(1, parts), "\(label)", sourceLocation: sourceLocation)
    if range.count >= minimumChunk {
        #expect(sizes.min()! >= minimumChunk, "\(label)", sourceLocation: sourceLocation)
        // As many chunks as allowed: parts, or as many full minimum chunks as fit.
        let expectedCount = max(1, min(parts, range.count / max(1, minimumChunk)))
        #expect(chunks.count == expectedCount, "\(label)", sourceLocation: sourceLocation)
    } else {
        #expect(chunks == [range], "\(label)", sourceLocation: sourceLocation)
    }
}

@Suite("Parallel")
struct ParallelTests {
    @Test("chunks: hand-computed examples")
    func chunkExamples() {
        #expect(Parallel.chunks(of: 0..<10, parts: 3) == [0..<4, 4..<7, 7..<10])
        #expect(Parallel.chunks(of: 0..<10, parts: 5) == [0..<2, 2..<4, 4..<6, 6..<8, 8..<10])
        #expect(Parallel.chunks(of: 5..<12, parts: 2) == [5..<9, 9..<12])
        #expect(Parallel.chunks(of: 0..<3, parts: 8) == [0..<1, 1..<2, 2..<3])
        // At least 4 per chunk: 10 / 4 = 2 chunks, of 5 each.
        #expect(Parallel.chunks(of: 0..<10, parts: 8, minimumChunk: 4) == [0..<5, 5..<10])
        // Fewer indices than the minimum: one chunk.
        #expect(Parallel.chunks(of: 0..<3, parts: 8, minimumChunk: 4) == [0..<3])
        #expect(Parallel.chunks(of: 0..<0, parts: 4).isEmpty)
        #expect(Parallel.chunks(of: 7..<7, parts: 4).isEmpty)
        // Nonsense part counts still give one chunk.
        #expect(Parallel.chunks(of: 0..<5, parts: 0) == [0..<5])
        #expect(Parallel.chunks(of: 0..<5, parts: -2) == [0..<5])
    }

    @Test("chunks cover the range exactly, contiguously, with sizes within one and the minimum respected")
    func chunkProperties() {
        for lower in [0, 3, -50] {
            for count in [0, 1, 2, 5, 16, 17, 100, 1001] {
                for parts in [1, 2, 3, 4, 7, 8, 64, 2000] {
                    for minimumChunk in [1, 2, 3, 10, 256] {
                        let range = lower..<(lower + count)
                        let chunks = Parallel.chunks(of: range, parts: parts, minimumChunk: minimumChunk)
                        expectEvenCover(chunks, of: range, parts: parts, minimumChunk: minimumChunk)
                    }
                }
            }
        }
    }

    @Test("forEachChunk visits every index exactly once", arguments: [
        (0..<1000, 4, 1, 1), (10..<1010, 3, 7, 4), (0..<1, 8, 1, 1), (0..<37, 2, 100, 1), (5..<5, 4, 1, 1),
        (0..<10_000, nil, 16, 3),
    ] as [(Range<Int>, Int?, Int, Int)])
    func forEachChunkCoverage(range: Range<Int>, threads: Int?, minimumChunk: Int, chunksPerThread: Int) {
        let memory = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, range.upperBound))
        memory.initialize(repeating: 0)
        defer { memory.deallocate() }
        let visits = SendableBuffer(memory)
        Parallel.forEachChunk(range, threads: threads, minimumChunk: minimumChunk,
                              chunksPerThread: chunksPerThread) { chunk in
            for i in chunk { visits[i] += 1 }
        }
        for i in 0..<range.lowerBound where i < memory.count {
            #expect(memory[i] == 0, "index \(i) is outside the range but was visited")
        }
        let counts = range.map { memory[$0] }
        #expect(counts.allSatisfy { $0 == 1 }, "visits per index: \(Set(counts))")
    }

    @Test("map returns results in index order, for one thread and many")
    func mapOrder() {
        for threads in [1, 2, 4, 16, nil] as [Int?] {
            let squares = Parallel.map(count: 1000, threads: threads) { (i: Int) -> Int in i * i }
            #expect(squares == (0..<1000).map { $0 * $0 }, "threads \(String(describing: threads))")
        }
        #expect(Parallel.map(count: 0, threads: 4) { (i: Int) -> Int in i }.isEmpty)
        #expect(Parallel.map(count: 1, threads: 4) { (i: Int) -> Int in i + 41 } == [41])
    }

    @Test("map rethrows the lowest index's error, whatever the timing", arguments: [1, 2, 4, 8])
    func mapLowestError(threads: Int) {
        for _ in 0..<10 {
            let memory = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 64)
            memory.initialize(repeating: false)
            defer { memory.deallocate() }
            let ran = SendableBuffer(memory)
            // Indices 5, 12, 19, ... throw; the lowest one throws last.
            do throws(IterationError) {
                _ = try Parallel.map(count: 64, threads: threads) { (i: Int) throws(IterationError) -> Int in
                    ran[i] = true
                    if i % 7 == 5 {
                        if i == 5 { usleep(2000) }
                        throw IterationError(index: i)
                    }
                    return i
                }
                Issue.record("map should have thrown")
            } catch {
                // `error` is statically an IterationError: map's throws are typed.
                #expect(error.index == 5)
            }
            if threads > 1 {
                // Parallel runs finish every iteration before rethrowing.
                #expect(memory.allSatisfy { $0 }, "not every iteration ran")
            }
        }
    }

    @Test("map without errors under typed throws returns normally")
    func mapTypedNoThrow() throws {
        let result = try Parallel.map(count: 10, threads: 4) { (i: Int) throws(IterationError) -> String in
            String(i)
        }
        #expect(result == (0..<10).map(String.init))
    }

    @Test("mapChunks returns one value per chunk, in chunk order")
    func mapChunksOrder() {
        for threads in [1, 3, 4, nil] as [Int?] {
            for minimumChunk in [1, 10, 1000] {
                let range = 3..<503
                let pieces = Parallel.mapChunks(range, threads: threads, minimumChunk: minimumChunk) {
                    (chunk: Range<Int>) -> Range<Int> in chunk
                }
                let parts = Parallel.threadCount(threads)
                expectEvenCover(pieces, of: range, parts: parts, minimumChunk: minimumChunk)
                let sums = Parallel.mapChunks(range, threads: threads, minimumChunk: minimumChunk) {
                    (chunk: Range<Int>) -> Int in chunk.reduce(0, +)
                }
                // The chunk sums add up to the whole: 3 + ... + 502 = 505 × 500 / 2.
                let total: Int = sums.reduce(0, +)
                #expect(total == 126_250)
                #expect(sums == pieces.map { $0.reduce(0, +) })
            }
        }
    }

    @Test("mapChunks rethrows the first chunk's error")
    func mapChunksError() {
        do throws(IterationError) {
            _ = try Parallel.mapChunks(0..<100, threads: 4) { (chunk: Range<Int>) throws(IterationError) -> Int in
                if chunk.lowerBound > 0 { throw IterationError(index: chunk.lowerBound) }
                return 0
            }
            Issue.record("mapChunks should have thrown")
        } catch {
            let chunks = Parallel.chunks(of: 0..<100, parts: 4)
            #expect(error.index == chunks[1].lowerBound)
        }
    }

    @Test("threadCount: nil and 0 mean every processor, negatives mean 1")
    func threadCount() {
        let all = Parallel.activeProcessorCount
        #expect(all >= 1)
        #expect(all <= ProcessInfo.processInfo.processorCount)
        #expect(Parallel.threadCount(nil) == all)
        #expect(Parallel.threadCount(0) == all)
        #expect(Parallel.threadCount(-3) == 1)
        #expect(Parallel.threadCount(-1) == 1)
        #expect(Parallel.threadCount(1) == 1)
        #expect(Parallel.threadCount(5) == 5)
    }

    @Test("nested loops and loops from many threads at once all complete with every index visited once")
    func nestedAndConcurrent() {
        // 8 outer iterations, each running an inner parallel loop (serial
        // inside a job), started from 4 threads at once.
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var visits: [Int: Int] = [:]
            func add(_ key: Int) { lock.lock(); visits[key, default: 0] += 1; lock.unlock() }
        }
        let counts = Counts()
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<50 {
                Parallel.forEachChunk(0..<8, threads: 4) { outer in
                    for o in outer {
                        let sums = Parallel.map(count: 16, threads: 2) { i in i * i }
                        #expect(sums == (0..<16).map { $0 * $0 })
                        counts.add(((caller * 50 + round) * 8) + o)
                    }
                }
            }
        }
        #expect(counts.visits.count == 4 * 50 * 8)
        #expect(counts.visits.values.allSatisfy { $0 == 1 })
    }

    @Test("thousands of short loops in a row: each sees every index once")
    func manyShortLoops() {
        let n = 37
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        defer { slots.deallocate() }
        let shared = SendableBuffer(slots)
        for round in 1...5_000 {
            slots.initialize(repeating: 0)
            Parallel.forEachChunk(0..<n, threads: 2) { range in
                for i in range { shared[i] += round }
            }
            if !slots.allSatisfy({ $0 == round }) {
                Issue.record("round \(round): \(Array(slots))")
                break
            }
        }
    }
}

