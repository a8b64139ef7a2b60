import Dispatch
import Pareto

/// `pareto-bench parallel`: the cost of short parallel loops. Times a loop
/// of 20,000 / 200,000 / 2,000,000 dependent additions run serially, split
/// in two through `Parallel.forEachChunk` (Pareto's pool on Linux), and
/// split in two through `DispatchQueue.concurrentPerform`; prints the mean
/// microseconds of 200 runs each, with a serial gap between runs as in tree
/// learning.
func parallelOverhead(_ arguments: [String]) throws {
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1 << 16)
    buffer.initialize(repeating: 1)
    let shared = SendableBuffer(buffer)
    @Sendable func work(_ range: Range<Int>, _ slot: Int) {
        var sum = 0.0
        for i in range { sum += shared[i & 0xFFFF] * 1.000_000_1 }
        shared[slot * 64] = sum
    }
    var rows: [(String, JSONValue)] = []
    for size in [20_000, 200_000, 2_000_000] {
        var serial: UInt64 = 0, pool: UInt64 = 0, dispatch: UInt64 = 0
        for _ in 0..<200 {
            work(0..<20_000, 3)  // the serial gap between parallel sections
            var clock = Stopwatch()
            work(0..<size, 2)
            serial += clock.nanoseconds
            work(0..<20_000, 3)
            clock = Stopwatch()
            Parallel.forEachChunk(0..<size, threads: 2) { work($0, $0.lowerBound == 0 ? 0 : 1) }
            pool += clock.nanoseconds
            work(0..<20_000, 3)
            clock = Stopwatch()
            DispatchQueue.concurrentPerform(iterations: 2) { work(($0 * size / 2)..<(($0 + 1) * size / 2), $0) }
            dispatch += clock.nanoseconds
        }
        rows.append(("loop_\(size)", .object([("serial_us", .number(Double(serial) / 200_000)),
                                              ("parallel_us", .number(Double(pool) / 200_000)),
                                              ("concurrent_perform_us", .number(Double(dispatch) / 200_000))])))
    }
    print(JSONValue.object(rows).serialized())
}
