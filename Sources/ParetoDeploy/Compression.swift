import ParetoCore
import ParetoData
import ParetoEval

/// Size, speed and quality of one model, as a compression step reports them.
public struct CompressionFigures: Sendable, Equatable {
    /// The model file's size in bytes (header included).
    public var bytes: Int
    /// Median seconds to score one row of prepared values (model alone), or
    /// 0 when speed was not measured.
    public var singleRowSeconds: Double
    /// Rows per second scoring all validation rows at once on one thread,
    /// or 0 when not measured.
    public var rowsPerSecond: Double
    /// The metric on the validation rows.
    public var metric: Double

    /// Figures from their parts.
    public init(bytes: Int, singleRowSeconds: Double, rowsPerSecond: Double, metric: Double) {
        self.bytes = bytes
        self.singleRowSeconds = singleRowSeconds
        self.rowsPerSecond = rowsPerSecond
        self.metric = metric
    }
}

/// What one compression step did, measured on validation rows: the figures
/// before and after, the largest change of any prediction, and whether the
/// step was kept.
public struct CompressionStepReport: Sendable, Equatable {
    /// The step ("trim rounds", "refit leaves", "quantize int8", …).
    public var step: String
    /// The model the step started from.
    public var before: CompressionFigures
    /// The model the step produced (kept or not).
    public var after: CompressionFigures
    /// The largest absolute change of any predicted value (probability or
    /// regression value) between before and after, when measured.
    public var maxPredictionChange: Double?
    /// Whether the result is kept: the metric is within the allowed loss of
    /// the original model's (steps after a refused one do not run).
    public var accepted: Bool
    /// A short explanation (what changed, why refused).
    public var note: String

    /// A report from its parts.
    public init(step: String, before: CompressionFigures, after: CompressionFigures, maxPredictionChange: Double?,
                accepted: Bool, note: String) {
        self.step = step
        self.before = before
        self.after = after
        self.maxPredictionChange = maxPredictionChange
        self.accepted = accepted
        self.note = note
    }
}

/// Scores predictions on labelled validation rows with one metric, and says
/// how much worse one value is than another.
public struct CompressionJudge: Sendable {
    /// The metric.
    public let metric: any Metric
    /// The task.
    public let task: TaskKind
    /// Label per validation row (class index or value).
    public let labels: [Double]
    /// Classes (classification).
    public let classCount: Int

    /// A judge for `task` on `labels`.
    public init(metric: any Metric, task: TaskKind, labels: [Double], classCount: Int) {
        self.metric = metric
        self.task = task
        self.labels = labels
        self.classCount = classCount
    }

    /// The metric of `predictions` (as `predict` returns them).
    ///
    /// - Throws: `EvaluationError` when the metric does not fit the task.
    public func score(_ predictions: Predictions) throws -> Double {
        let outcomes: Outcomes
        switch task {
        case .regression: outcomes = try Outcomes(regressionTargets: labels, predictions: predictions.values.map { $0[0] })
        case .binary: outcomes = try Outcomes(classTargets: labels, predictions: predictions.values.map { $0[1] }, classCount: 2)
        case .multiclass:
            outcomes = try Outcomes(classTargets: labels, predictions: predictions.values.flatMap { $0 }, classCount: classCount)
        }
        return try metric.evaluate(outcomes)
    }

    /// How much worse `value` is than `reference` (negative when better).
    public func loss(from reference: Double, to value: Double) -> Double {
        metric.direction == .higherIsBetter ? reference - value : value - reference
    }

    /// The largest absolute difference between two sets of predictions.
    public static func maxChange(_ a: Predictions, _ b: Predictions) -> Double {
        var worst = 0.0
        for (x, y) in zip(a.values, b.values) {
            for (u, v) in zip(x, y) { worst = max(worst, abs(u - v)) }
        }
        return worst
    }
}

/// Timing of a model alone on prepared rows.
public enum CompressionTiming {
    /// Median seconds of `single(i)` over up to `singleCalls` rows (each call
    /// scores row `i`), and rows per second of `batch()` repeated for about
    /// `seconds` (each call scores `rowCount` rows).
    public static func measure(rowCount: Int, singleCalls: Int = 2_000, seconds: Double = 0.2,
                               single: (Int) -> Double, batch: () -> Double) throws -> (Double, Double) {
        guard rowCount > 0 else { return (0, 0) }
        var times: [Double] = []
        var sink = 0.0
        for i in 0..<min(rowCount, singleCalls) {
            let clock = Stopwatch()
            sink += single(i)
            times.append(clock.seconds)
        }
        let clock = Stopwatch()
        var calls = 0
        repeat {
            sink += batch()
            calls += 1
        } while clock.seconds < seconds
        let throughput = Double(calls * rowCount) / clock.seconds
        if sink.isNaN && sink.sign == .minus { print("", terminator: "") }  // keeps the scores alive
        return (try LatencySample(secondsPerCall: times).p50, throughput)
    }
}
