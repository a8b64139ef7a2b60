import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw buffer that may cross into a parallel loop's `@Sendable` closure.
///
/// Swift's strict concurrency forbids capturing an `UnsafeMutableBufferPointer`
/// in a `@Sendable` closure; this one wrapper is the project's single,
/// documented way around that. Rule: concurrent workers must write disjoint
/// indices, and the memory must outlive the parallel loop.
public struct SendableBuffer<Element>: @unchecked Sendable {
    /// The wrapped buffer.
    public let base: UnsafeMutableBufferPointer<Element>

    /// Wraps `base`; the caller keeps ownership of the memory.
    public init(_ base: UnsafeMutableBufferPointer<Element>) { self.base = base }

    /// Reads or writes element `index` (no bounds check in release builds).
    @inlinable public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    /// The number of elements.
    @inlinable public var count: Int { base.count }
}

/// Parallel loops over index ranges: the helper every hot loop in Pareto uses.
///
/// ```swift
/// Parallel.forEachChunk(0..<rows.count, threads: 2) { range in
///     for i in range { out[i] = f(rows[i]) }
/// }
/// ```
///
/// Cost: a few microseconds to fork on Linux (`WorkerPool`; well under one
/// while its workers still spin from the last loop), so give each chunk at
/// least a few microseconds of work (`minimumChunk`). With one thread, or a
/// range smaller than two chunks, the body runs on the calling thread with
/// no dispatch at all; so does a loop started inside another loop's body.
///
/// Rules: chunk boundaries depend only on the range, the thread count and
/// `minimumChunk`, never on timing, so results that are combined per chunk
/// in chunk order are deterministic for a given thread count.
public enum Parallel {
    /// The number of online processors: the default thread count. (CPU
    /// affinity and container quotas are not consulted; pass a thread count
    /// to stay within them.)
    ///
    /// Read once: glibc's `sysconf(_SC_NPROCESSORS_ONLN)` opens and parses
    /// `/sys/devices/system/cpu/online` on every call, which cost a
    /// single-row prediction (dozens of small parallel loops) about 12% of
    /// its time.
    public static let activeProcessorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// The thread count for a loop of `work` elementary steps: 1 when the
    /// work is too small to repay waking other threads (under `2 ×
    /// minimumPerThread`), otherwise `nil` (all cores). Single-row
    /// predictions go through loops over columns whose bodies touch one
    /// value each; running them inline keeps them from paying a thread
    /// hand-off per column.
    public static func threads(forWork work: Int, minimumPerThread: Int = 1 << 13) -> Int? {
        work < 2 * minimumPerThread ? 1 : nil
    }

    /// The most threads any loop uses, whatever is asked: more than this
    /// only adds scheduling cost (and per-thread buffers).
    public static let maximumThreads = 256

    /// Resolves a user's thread count: `nil` or `0` means all active
    /// processors; negative values are treated as 1, values above
    /// `maximumThreads` as `maximumThreads`.
    public static func threadCount(_ requested: Int?) -> Int {
        guard let requested, requested != 0 else { return min(activeProcessorCount, maximumThreads) }
        return min(max(1, requested), maximumThreads)
    }

    /// Splits `range` into at most `parts` contiguous, nearly equal chunks of
    /// at least `minimumChunk` indices (the last chunks may be one shorter).
    public static func chunks(of range: Range<Int>, parts: Int, minimumChunk: Int = 1) -> [Range<Int>] {
        let n = range.count
        guard n > 0 else { return [] }
        let byMinimum = max(1, n / max(1, minimumChunk))
        let count = max(1, min(parts, byMinimum))
        let base = n / count
        let extra = n % count
        var result: [Range<Int>] = []
        result.reserveCapacity(count)
        var start = range.lowerBound
        for i in 0..<count {
            let length = base + (i < extra ? 1 : 0)
            result.append(start..<(start + length))
            start += length
        }
        return result
    }

    /// Runs `body` once per chunk of `range`, on up to `threads` threads.
    ///
    /// `threads: nil` uses every active processor. The range is cut into
    /// `threads * chunksPerThread` chunks so that uneven work balances.
    public static func forEachChunk(
        _ range: Range<Int>, threads: Int? = nil, minimumChunk: Int = 1,
        chunksPerThread: Int = 1, _ body: @Sendable (Range<Int>) -> Void
    ) {
        let threadCount = threadCount(threads)
        let parts = chunks(
            of: range, parts: threadCount * max(1, chunksPerThread), minimumChunk: minimumChunk)
        if parts.count <= 1 || threadCount == 1 {
            for part in parts { body(part) }
            return
        }
        perform(iterations: parts.count) { body(parts[$0]) }
    }

    /// Runs `body(i)` for `i` in `0..<iterations` on the worker threads and
    /// the calling thread: on Linux through `WorkerPool` (serially on the
    /// calling thread when the pool is busy, as in a nested loop), elsewhere
    /// through `DispatchQueue.concurrentPerform`.
    static func perform(iterations: Int, _ body: @Sendable (Int) -> Void) {
        #if os(Linux)
        if WorkerPool.shared.run(iterations: iterations, body) { return }
        for i in 0..<iterations { body(i) }
        #else
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
        #endif
    }

    /// Computes one value per chunk of `range` in parallel and returns them in
    /// chunk order, so a reduction over the result is deterministic.
    public static func mapChunks<T: Sendable, E: Error>(
        _ range: Range<Int>, threads: Int? = nil, minimumChunk: Int = 1,
        _ body: @Sendable (Range<Int>) throws(E) -> T
    ) throws(E) -> [T] {
        let threadCount = threadCount(threads)
        let parts = chunks(of: range, parts: threadCount, minimumChunk: minimumChunk)
        return try map(count: parts.count, threads: threadCount) { (i: Int) throws(E) -> T in
            try body(parts[i])
        }
    }

    /// Computes `body(i)` for each `i` in `0..<count` in parallel and returns
    /// the results in index order. If any iteration throws, the error of the
    /// lowest index is rethrown after all iterations finish, so which error a
    /// caller sees does not depend on timing.
    public static func map<T: Sendable, E: Error>(
        count: Int, threads: Int? = nil, _ body: @Sendable (Int) throws(E) -> T
    ) throws(E) -> [T] {
        guard count > 0 else { return [] }
        let threadCount = threadCount(threads)
        if count == 1 || threadCount == 1 {
            var results: [T] = []
            results.reserveCapacity(count)
            for i in 0..<count { results.append(try body(i)) }
            return results
        }
        let slots = UnsafeMutableBufferPointer<Result<T, E>?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        let shared = SendableBuffer(slots)
        perform(iterations: count) { i in
            shared[i] = Result { () throws(E) -> T in try body(i) }
        }
        var results: [T] = []
        results.reserveCapacity(count)
        for i in 0..<count {
            results.append(try shared[i]!.get())
        }
        return results
    }
}
