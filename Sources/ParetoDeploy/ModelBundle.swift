#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData
import ParetoEval
import ParetoFeatures
import ParetoLinear
import ParetoNeural
import ParetoTrees

/// The fitted model inside a bundle, of any family Pareto optimizes: one
/// Codable value whose case names the family.
///
/// Every case predicts from the raw table (the linear models carry their
/// fitted preprocessing pipeline; trees and networks encode raw columns
/// themselves).
public enum BundledModel: TabularModel {
    /// The class prior or the mean (a baseline).
    case prior(DummyLearner.Model)
    /// Gradient-boosted trees, a random forest or one tree.
    case trees(TabularTreeModel)
    /// Least squares (ridge, lasso, elastic net) behind its preprocessing.
    case linear(PipelineLearner<LinearRegressionLearner>.Model)
    /// Logistic regression behind its preprocessing.
    case logistic(PipelineLearner<LogisticRegressionLearner>.Model)
    /// A multilayer perceptron.
    case mlp(MLPModel)
    /// A weighted average of several models' predictions (probabilities
    /// per class, or values); weights are non-negative and sum to 1.
    indirect case blend(members: [BundledModel], weights: [Double])

    /// Binary, multiclass or regression.
    public var task: TaskKind {
        switch self {
        case .prior(let model): model.task
        case .trees(let model): model.task
        case .linear(let model): model.task
        case .logistic(let model): model.task
        case .mlp(let model): model.task
        case .blend(let members, _): members.first?.task ?? .regression
        }
    }

    /// The model's predictions (uncalibrated probabilities for classes).
    public func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
        switch self {
        case .prior(let model): try model.predict(frame, threads: threads)
        case .trees(let model): try model.predict(frame, threads: threads)
        case .linear(let model): try model.predict(frame, threads: threads)
        case .logistic(let model): try model.predict(frame, threads: threads)
        case .mlp(let model): try model.predict(frame, threads: threads)
        case .blend(let members, let weights): try Self.blend(members, weights, frame, threads)
        }
    }

    /// The weighted average of the members' predictions, classes matched by
    /// label (a member that never saw a class gives it probability 0).
    private static func blend(_ members: [BundledModel], _ weights: [Double], _ frame: DataFrame,
                              _ threads: Int?) throws -> Predictions {
        guard let first = members.first, members.count == weights.count else {
            throw UsageError("a blend needs one weight per member and at least one member")
        }
        var result = try first.predict(frame, threads: threads)
        for i in result.values.indices { result.values[i] = result.values[i].map { $0 * weights[0] } }
        for (member, weight) in zip(members.dropFirst(), weights.dropFirst()) {
            let predictions = try member.predict(frame, threads: threads)
            let columns = result.task == .regression ? [0] : result.classLabels.map { predictions.classLabels.firstIndex(of: $0) ?? -1 }
            for i in result.values.indices {
                for (c, source) in columns.enumerated() where source >= 0 {
                    result.values[i][c] += weight * predictions.values[i][source]
                }
            }
        }
        return result
    }
}

/// How a bundle maps a binary classifier's probability of the positive
/// class to a calibrated one.
public enum BundleCalibration: Sendable, Codable, Equatable {
    /// The model's probabilities as they are.
    case none
    /// A logistic curve on the log-odds of the model's probability (Platt
    /// scaling; probabilities are clamped to [1e-15, 1 − 1e-15] first).
    case platt(PlattCalibrator)
    /// A monotone step function (isotonic regression).
    case isotonic(IsotonicCalibrator)
    /// Beta calibration (three parameters).
    case beta(BetaCalibrator)
    /// Temperature scaling of several classes' log-probabilities.
    case temperature(TemperatureCalibrator)

    /// log(p / (1 − p)) with p clamped to [1e-15, 1 − 1e-15]: the score
    /// Platt scaling is fitted to and applied on.
    public static func logOdds(_ p: Double) -> Double {
        let q = min(max(p, 1e-15), 1 - 1e-15)
        return log(q / (1 - q))
    }

    /// "none", "platt", "isotonic" or "beta".
    public var name: String {
        switch self {
        case .none: "none"
        case .platt: "platt"
        case .isotonic: "isotonic"
        case .beta: "beta"
        case .temperature: "temperature"
        }
    }

    /// The calibrated probabilities of one row's classes: temperature
    /// scaling of their logarithms for several classes, `callAsFunction`
    /// on the second class's for two.
    public func calibrate(_ probabilities: [Double]) -> [Double] {
        switch self {
        case .none: return probabilities
        case .temperature(let c):
            let logits = probabilities.map { log(max($0, 1e-15)) }
            return (try? c(logits)) ?? probabilities
        default:
            guard probabilities.count == 2 else { return probabilities }
            let p = self(probabilities[1])
            return [1 - p, p]
        }
    }

    /// The calibrated probability of `score` (a probability of class 1;
    /// temperature scaling leaves a single score as it is).
    public func callAsFunction(_ score: Double) -> Double {
        switch self {
        case .none: score
        case .platt(let c): c(Self.logOdds(score))
        case .isotonic(let c): c(score)
        case .beta(let c): c(score)
        case .temperature: score
        }
    }
}

/// One input column the bundle expects: its name and the kind it had in
/// training (a CSV is read with these kinds, so "01" stays a category
/// when it was one).
public struct BundleColumn: Sendable, Codable, Equatable {
    /// The column's name.
    public var name: String
    /// Its kind in training.
    public var kind: ColumnKind

    /// A column `name` of `kind`.
    public init(name: String, kind: ColumnKind) {
        self.name = name
        self.kind = kind
    }
}

/// Reference statistics of one training column, kept in the bundle so that
/// drift in served data can be measured against them later.
public struct FeatureReference: Sendable, Codable, Equatable {
    /// One category and how many training rows had it.
    public struct LevelCount: Sendable, Codable, Equatable {
        /// The category.
        public var level: String
        /// Its training rows.
        public var count: Int
    }

    /// The column's name.
    public var name: String
    /// Its kind.
    public var kind: ColumnKind
    /// Training rows, and those missing the value.
    public var rows: Int
    public var missing: Int
    /// Numbers: mean and sample standard deviation of the present values.
    public var mean: Double?
    public var standardDeviation: Double?
    /// Numbers: the 0, 10, …, 100th percentiles (linear interpolation) —
    /// the bin edges of a population-stability index.
    public var deciles: [Double]
    /// Categories and booleans: the 50 most frequent values with their
    /// counts (ties by value), and how many distinct values there were.
    public var topLevels: [LevelCount]
    public var distinct: Int

    /// The statistics of `column`.
    ///
    /// Cost: O(n log n) for numbers (a sort), O(n) otherwise.
    public init(_ column: Column) {
        name = column.name
        kind = column.kind
        rows = column.count
        missing = column.missingCount
        mean = nil
        standardDeviation = nil
        deciles = []
        topLevels = []
        distinct = 0
        if let numeric = column.numeric {
            var present: [Double] = []
            present.reserveCapacity(numeric.count - missing)
            for i in 0..<numeric.count where !numeric.isMissing(i) { present.append(numeric.values[i]) }
            present.sort()
            distinct = present.isEmpty ? 0 : 1 + zip(present, present.dropFirst()).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
            guard !present.isEmpty else { return }
            let m = present.reduce(0, +) / Double(present.count)
            mean = m
            standardDeviation = present.count > 1
                ? (present.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(present.count - 1)).squareRoot() : 0
            deciles = (0...10).map { tenth in
                // Linear interpolation between order statistics (numpy's default).
                let position = Double(present.count - 1) * Double(tenth) / 10
                let low = Int(position.rounded(.down)), high = min(low + 1, present.count - 1)
                return present[low] + (position - Double(low)) * (present[high] - present[low])
            }
            return
        }
        var counts: [String: Int] = [:]
        for i in 0..<column.count {
            guard let value = column.formattedValue(i) else { continue }
            counts[value, default: 0] += 1
        }
        distinct = counts.count
        topLevels = counts.map { LevelCount(level: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.level) > ($1.count, $0.level) }
            .prefix(50).map { $0 }
    }
}

/// Everything needed to serve a model, in one versioned, checksummed file:
/// the fitted model (with its preprocessing), the probability calibration,
/// the decision threshold, the input schema, a fingerprint of the training
/// data, the confirmed metrics, the seed and reference statistics of every
/// input column. `pareto optimize` writes it as `model.pareto`; `pareto
/// predict` and `pareto evaluate` read it like any model file.
///
/// Rules: `predict` returns calibrated probabilities (classes) or values;
/// `labels` applies the threshold for binary models (score ≥ threshold is
/// the second class label) and the most probable class otherwise. The file
/// is Pareto's `ModelFile` format (kind `bundle`): a truncated, corrupted or
/// future-version file is a clear error.
public struct ModelBundle: Sendable, Codable {
    /// The kind written in the file header.
    public static let fileKind = "bundle"

    /// The target column's name.
    public var target: String
    /// Binary, multiclass or regression.
    public var task: TaskKind
    /// Class labels by index (classification).
    public var classLabels: [String]
    /// The input columns, in training order.
    public var inputSchema: [BundleColumn]
    /// The fitted model.
    public var model: BundledModel
    /// The model's family: "gbdt", "rf", "linear", "logistic", "mlp" or "prior".
    public var family: String
    /// The calibration of binary probabilities.
    public var calibration: BundleCalibration
    /// The decision threshold of binary models on the calibrated
    /// probability of the second class (nil: 0.5).
    public var threshold: DecisionThreshold?
    /// FNV-1a 64 fingerprint of the rows the model was fitted on.
    public var dataFingerprint: String
    /// How many rows the model was fitted on.
    public var trainingRows: Int
    /// Metrics by name: the cross-validated and the confirmed test values.
    public var metrics: [String: Double]
    /// The seed of the run that made the bundle.
    public var seed: UInt64
    /// Reference statistics of every input column.
    public var references: [FeatureReference]

    /// A bundle of its parts.
    public init(target: String, task: TaskKind, classLabels: [String], inputSchema: [BundleColumn], model: BundledModel,
                family: String, calibration: BundleCalibration, threshold: DecisionThreshold?, dataFingerprint: String,
                trainingRows: Int, metrics: [String: Double], seed: UInt64, references: [FeatureReference]) {
        self.target = target
        self.task = task
        self.classLabels = classLabels
        self.inputSchema = inputSchema
        self.model = model
        self.family = family
        self.calibration = calibration
        self.threshold = threshold
        self.dataFingerprint = dataFingerprint
        self.trainingRows = trainingRows
        self.metrics = metrics
        self.seed = seed
        self.references = references
    }

    /// Calibrated predictions for the rows of `frame`.
    ///
    /// - Throws: `UsageError` naming a missing input column; the model's errors.
    public func predict(_ frame: DataFrame, threads: Int? = nil) throws -> Predictions {
        // A hashed lookup per column: this runs on every (single-row) call.
        for column in inputSchema where frame.position(of: column.name) == nil {
            throw UsageError("the input has no column \"\(column.name)\", which the model was trained on",
                             hint: "pass a table with the training columns: \(inputSchema.map(\.name).joined(separator: ", "))")
        }
        var predictions = try model.predict(frame, threads: threads)
        if task != .regression, calibration != .none {
            for i in predictions.values.indices { predictions.values[i] = calibration.calibrate(predictions.values[i]) }
        }
        return predictions
    }

    /// The decided label of every row: the threshold for binary models,
    /// the most probable class for several, the value as text for
    /// regression.
    public func labels(_ predictions: Predictions) -> [String] {
        guard task == .binary, let threshold, classLabels.count == 2 else { return predictions.labels }
        return predictions.values.map { threshold.isPositive($0[1]) ? classLabels[1] : classLabels[0] }
    }

    /// Writes the bundle to `path` (atomically).
    ///
    /// - Throws: `FileError` when the file cannot be written.
    public func write(to path: String) throws {
        try ModelFile.write(self, kind: Self.fileKind, to: path)
    }

    /// Reads a bundle from `path`.
    ///
    /// - Throws: `FileError` for a missing, foreign, truncated, corrupted or newer file.
    public static func read(from path: String) throws -> ModelBundle {
        try ModelFile.read(ModelBundle.self, kind: fileKind, from: path)
    }

    /// The size of the bundle file in bytes.
    public func encodedSize() throws -> Int {
        try ModelFile.encoded(self, kind: Self.fileKind).count
    }
}

extension DataFrame {
    /// A 64-bit FNV-1a fingerprint of the table's names, kinds and values,
    /// as 16 hex digits: equal tables give equal fingerprints, and any
    /// changed cell changes it (but for a 2⁻⁶⁴ chance).
    ///
    /// Cost: one pass over every cell.
    public func fingerprint() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        func mix(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: value >> shift)) } }
        func mix(_ text: String) {
            for byte in text.utf8 { mix(byte) }
            mix(UInt8(0xff))
        }
        mix(UInt64(rowCount))
        for column in columns {
            mix(column.name)
            mix(column.kind.rawValue)
            if let numeric = column.numeric {
                for i in 0..<numeric.count {
                    mix(numeric.isMissing(i) ? 0x7ff8_dead_beef_0001 : numeric.values[i].bitPattern)
                }
            } else if let categorical = column.categorical {
                var levelHashes: [UInt64] = []
                levelHashes.reserveCapacity(categorical.levels.count)
                for level in categorical.levels {
                    var h: UInt64 = 0xcbf2_9ce4_8422_2325
                    for byte in level.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
                    levelHashes.append(h)
                }
                for i in 0..<categorical.count {
                    let code = categorical.codes[i]
                    mix(code == CategoricalColumn.missingCode ? 0x7ff8_dead_beef_0002 : levelHashes[Int(code)])
                }
            } else {
                for i in 0..<column.count { mix(column.formattedValue(i) ?? "\u{0}missing") }
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
