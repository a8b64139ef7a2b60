import ParetoCore
import ParetoData
import ParetoEval

/// Every figure of an optimization run, as `summary.json` holds it.
public struct OptimizeSummary: Sendable, Codable {
    /// One baseline: cross-validated on the training part, then fitted on
    /// all of it and scored on the test split.
    public struct Baseline: Sendable, Codable, Equatable {
        /// Its figures from cross-validation and timing.
        public var report: BaselineReport
        /// Its metric on the test split.
        public var test: Double
    }

    /// A finding of the audit, in brief.
    public struct Finding: Sendable, Codable, Equatable {
        /// "info", "warning" or "critical".
        public var severity: String
        /// The finding's kind (e.g. "target_leakage").
        public var kind: String
        /// The columns concerned.
        public var columns: [String]
        /// What was found.
        public var message: String
    }

    /// The model chosen and refitted.
    public struct Chosen: Sendable, Codable, Equatable {
        /// The trial it came from.
        public var trial: Int
        /// Its family and parameters.
        public var family: String
        public var parameters: [String: String]
        /// Its cross-validated metric (mean and sd over folds).
        public var cvMean: Double
        public var cvStandardDeviation: Double
        /// Boosting rounds of its refit, when boosted (also inside a blend).
        public var rounds: Int?
        /// Seconds the refit on all training rows took.
        public var refitSeconds: Double
        /// Why it was chosen.
        public var reason: String
    }

    /// The blend of top trials that was considered.
    public struct Ensemble: Sendable, Codable, Equatable {
        /// One member and its weight.
        public struct Member: Sendable, Codable, Equatable {
            /// The trial.
            public var trial: Int
            /// Its weight in the average.
            public var weight: Double
        }

        /// The trials considered (the chosen one first).
        public var candidates: [Int]
        /// The members greedy selection picked on all out-of-fold rows.
        public var members: [Member]
        /// Cross-fitted CV metric of the blend, and of the chosen trial on the same rows.
        public var blendCV: Double
        public var singleCV: Double
        /// The members' summed single-row latency and size (first-fold models).
        public var estimatedSingleRowSeconds: Double
        public var estimatedBytes: Int
        /// Whether the blend replaced the chosen trial, and why (not).
        public var accepted: Bool
        public var verdict: String
    }

    /// The calibration chosen by cross-validation on out-of-fold predictions.
    public struct Calibration: Sendable, Codable, Equatable {
        /// The method chosen.
        public var method: String
        /// Out-of-fold log loss of each method tried (cross-fitted).
        public var logLossByMethod: [String: Double]
    }

    /// The decision threshold (binary).
    public struct Threshold: Sendable, Codable, Equatable {
        /// The rule it optimizes.
        public var rule: String
        /// The threshold on the calibrated probability of the positive class.
        public var value: Double
        /// Precision and recall at it: out of fold, and on the test split.
        public var cvPrecision: Double
        public var cvRecall: Double
        public var testPrecision: Double
        public var testRecall: Double
    }

    /// The confirmation on the untouched test split.
    public struct Confirmation: Sendable, Codable, Equatable {
        /// The metric, with its bootstrap interval.
        public var metric: String
        public var value: Double
        public var lower: Double
        public var upper: Double
        public var confidence: Double
        /// More metrics on the same rows.
        public var otherMetrics: [String: Double]
        /// Rows of the test split.
        public var rows: Int
    }

    /// The Pareto version that ran.
    public var version: String
    /// The command line.
    public var command: String
    /// The seed.
    public var seed: UInt64
    /// Target, task, metric and its direction.
    public var target: String
    public var task: TaskKind
    public var metric: String
    public var higherIsBetter: Bool
    /// Rows in all, in the training part and in the test split; how the
    /// split was made.
    public var rows: Int
    public var trainRows: Int
    public var testRows: Int
    public var split: String
    /// Fingerprint of the training rows.
    public var dataFingerprint: String
    /// The audit's findings (warnings and worse) and the columns dropped.
    public var findings: [Finding]
    public var droppedColumns: [String]
    /// The limits: seconds, bytes.
    public var maxLatencySeconds: Double?
    public var maxSizeBytes: Int?
    public var maxMemoryBytes: Int?
    /// The baselines.
    public var baselines: [Baseline]
    /// Every search trial, and how many trials looked at the training part's
    /// validation folds (all of them): the more there are, the more the best
    /// CV value flatters the chosen model, which is why the test split
    /// confirms it.
    public var trials: [TrialOutcome]
    public var trialsThatSawValidation: Int
    public var searchSeconds: Double
    /// Parameter importance (share of explained variation) among the
    /// chosen family's complete trials, plus the family's own share over
    /// all trials ("family (all trials)").
    public var importance: [String: Double]
    /// The chosen model, its calibration, threshold and confirmation.
    public var chosen: Chosen
    public var ensemble: Ensemble?
    public var calibration: Calibration?
    public var threshold: Threshold?
    public var confirmation: Confirmation
    /// The final bundle's measured cost (whole path, on this machine).
    public var bundleCost: ModelCost
    /// Segment metrics on the test split.
    public var segments: [SegmentReport]
    /// Seconds the whole run took.
    public var totalSeconds: Double
}
