/// Service figures from a timing sample: latency percentiles and throughput
/// of a model answering calls.
///
/// ```swift
/// let sample = try LatencySample(secondsPerCall: timings, rowsPerCall: 64)
/// sample.p99             // seconds: 99% of calls were at least this fast
/// sample.rowsPerSecond   // rows scored per second of call time
/// ```
///
/// Percentiles interpolate linearly between the sorted timings, as numpy's
/// default `percentile` does: the p-th percentile of n sorted values x₀…xₙ₋₁
/// sits at position h = p/100·(n − 1), between x⌊h⌋ and x⌊h⌋₊₁. Throughput
/// is total rows over total time (not a mean of per-call rates, which would
/// overweight the fast calls). Cost: one sort at construction; each
/// percentile is then O(1).
public struct LatencySample: Sendable, Equatable {
    /// The timings, in seconds, sorted ascending.
    public let sortedSeconds: [Double]
    /// The rows each call scored.
    public let rowsPerCall: Int

    /// Wraps per-call timings of calls that each scored `rowsPerCall` rows.
    ///
    /// - Throws: `EvaluationError` for an empty sample, a NaN, infinite or
    ///   negative time, fewer than 1 row per call, or a sample whose times are
    ///   all 0 (the clock was too coarse to measure anything).
    public init(secondsPerCall: [Double], rowsPerCall: Int = 1) throws {
        guard !secondsPerCall.isEmpty else { throw EvaluationError("the timing sample is empty") }
        if let bad = secondsPerCall.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw EvaluationError("call \(bad + 1): time \(secondsPerCall[bad]) is not a finite number of seconds ≥ 0")
        }
        guard rowsPerCall >= 1 else { throw EvaluationError("each call must score at least 1 row, got \(rowsPerCall)") }
        guard secondsPerCall.contains(where: { $0 > 0 }) else {
            throw EvaluationError("every call took 0 seconds", hint: "time batches of calls with a finer clock")
        }
        sortedSeconds = secondsPerCall.sorted()
        self.rowsPerCall = rowsPerCall
    }

    /// The number of calls timed.
    public var calls: Int { sortedSeconds.count }

    /// The `p`-th percentile of the call time in seconds (`p` in 0…100),
    /// linearly interpolated as numpy's default.
    ///
    /// - Throws: `EvaluationError` when `p` is outside 0…100.
    public func percentile(_ p: Double) throws -> Double {
        try Metrics.percentile(sorted: sortedSeconds, p)
    }

    /// The median call time in seconds.
    public var p50: Double { Metrics.interpolated(sorted: sortedSeconds, 50) }
    /// The call time 90% of calls beat or equal, in seconds.
    public var p90: Double { Metrics.interpolated(sorted: sortedSeconds, 90) }
    /// The call time 99% of calls beat or equal, in seconds.
    public var p99: Double { Metrics.interpolated(sorted: sortedSeconds, 99) }
    /// The mean call time in seconds.
    public var mean: Double { totalSeconds / Double(calls) }
    /// The total time of all calls, in seconds.
    public var totalSeconds: Double { sortedSeconds.reduce(0, +) }
    /// Calls answered per second of call time.
    public var callsPerSecond: Double { Double(calls) / totalSeconds }
    /// Rows scored per second of call time.
    public var rowsPerSecond: Double { Double(calls) * Double(rowsPerCall) / totalSeconds }
}

extension Metrics {
    /// The `p`-th percentile of `values` (`p` in 0…100), linearly
    /// interpolated between sorted values as numpy's default `percentile`.
    ///
    /// Cost: a sort, O(n log n); sort once and use `LatencySample` for many percentiles.
    ///
    /// - Throws: `EvaluationError` for empty input, a NaN value, or `p` outside 0…100.
    public static func percentile(_ values: [Double], _ p: Double) throws -> Double {
        guard !values.isEmpty else { throw EvaluationError("there are no values to take a percentile of") }
        if let bad = values.firstIndex(where: \.isNaN) { throw EvaluationError("value \(bad + 1) is NaN") }
        return try percentile(sorted: values.sorted(), p)
    }

    static func percentile(sorted: [Double], _ p: Double) throws -> Double {
        guard p >= 0, p <= 100 else { throw EvaluationError("a percentile must be in 0…100, got \(p)") }
        return interpolated(sorted: sorted, p)
    }

    /// Linear interpolation at position p/100·(n − 1) of non-empty sorted values.
    static func interpolated(sorted x: [Double], _ p: Double) -> Double {
        let h = p / 100 * Double(x.count - 1)
        let low = min(Int(h), x.count - 1)
        let high = min(low + 1, x.count - 1)
        let t = h - Double(low)
        let a = x[low], b = x[high]
        // Interpolate from the nearer end, so the result stays exact at either one.
        return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t)
    }
}
