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

/// Knowledge distillation: a smaller student trained to reproduce a
/// teacher's soft outputs rather than the labels.
///
/// The student regresses the teacher's raw scores — log-odds for binary,
/// centred logits per class for multiclass, predictions for regression —
/// with squared error, over the training rows plus augmented rows: each
/// augmented row is a random training row whose every feature is, with
/// probability `swapProbability`, taken from another random row (per-column
/// resampling, which keeps each column's distribution and explores the
/// space between rows where the teacher's answers carry most of its
/// knowledge). Soft targets carry more information per row than labels
/// (how sure the teacher is), which is why a small student gets closer to
/// the teacher this way than by fitting labels.
///
/// Students: `.gbdt` (a shallow boosted model: one regression per output,
/// interleaved into one model with the teacher's objective, so it saves,
/// predicts and compresses as any tree model) and `.mlp` (a small
/// perceptron; binary and regression teachers — the output layer absorbs
/// the target scaling, so it is a plain `MLPModel` of the teacher's task)
/// and `.linear` (ridge on the teacher's scores behind the linear
/// preprocessing: a logistic, multinomial logistic or linear regression
/// model, the smallest and fastest student).
public struct Distillation: Sendable {
    /// The kind of student.
    public enum Student: String, Sendable, CaseIterable {
        case gbdt, mlp, linear
    }

    /// The kind of student.
    public var student: Student
    /// Student settings (`--student-params`): gbdt `trees`, `leaves`,
    /// `depth`, `learning_rate`, `min_leaf`; mlp `hidden` (e.g. `32x16`),
    /// `epochs`, `learning_rate`, `batch`; linear `alpha`, `min_category`;
    /// all `augment` (augmented rows per
    /// training row, default 1), `swap` (0.3), `seed`.
    public var parameters: [String: String]

    /// A distillation into `student` with `parameters`.
    public init(student: Student, parameters: [String: String] = [:]) {
        self.student = student
        self.parameters = parameters
    }

    /// Parses `k=v,k=v` (the CLI's `--student-params`).
    ///
    /// - Throws: `UsageError` naming a malformed item.
    public static func parseParameters(_ text: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw UsageError("--student-params: \"\(item)\" is not key=value", hint: "for example trees=50,leaves=15")
            }
            out[parts[0].trimmingSpaces] = parts[1].trimmingSpaces
        }
        return out
    }

    func number(_ key: String, _ fallback: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = parameters[key] else { return fallback }
        guard let value = Double(text), range.contains(value) else {
            throw UsageError("student parameter \(key)=\(text) must be a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func integer(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = parameters[key] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("student parameter \(key)=\(text) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func checkKeys(_ allowed: Set<String>) throws {
        for key in parameters.keys.sorted() where !allowed.contains(key) {
            throw UsageError("unknown student parameter \"\(key)\" for a \(student.rawValue) student",
                             hint: "known: " + allowed.sorted().joined(separator: ", "))
        }
    }

    /// The training rows (features only) followed by augmented rows.
    ///
    /// Cost: one gather per column. Deterministic for a seed.
    public static func augmented(_ features: DataFrame, factor: Double, swapProbability: Double, seed: UInt64) -> DataFrame {
        let n = features.rowCount
        let extra = Int((Double(n) * factor).rounded())
        guard extra > 0, n > 0 else { return features }
        var random = Xoshiro256(seed: seed)
        let base = (0..<extra).map { _ in Int(random.next() % UInt64(n)) }
        let columns = features.columns.map { column -> Column in
            var indices = Array(0..<n)
            indices.reserveCapacity(n + extra)
            for r in 0..<extra {
                let swap = Double(random.next() >> 11) / Double(1 << 53) < swapProbability
                indices.append(swap ? Int(random.next() % UInt64(n)) : base[r])
            }
            return column.take(indices)
        }
        return try! DataFrame(columns)  // same names and lengths as a valid frame
    }

    /// The targets a student regresses for one output: teacher raw scores
    /// (row-major `k` per row) → output `c`'s column, multiclass logits
    /// centred per row.
    static func softTargets(_ raw: [Double], k: Int, output c: Int) -> [Double] {
        let n = raw.count / k
        return (0..<n).map { i in
            guard k > 1 else { return raw[i] }
            var mean = 0.0
            for j in 0..<k { mean += raw[i * k + j] }
            return raw[i * k + c] - mean / Double(k)
        }
    }

    /// Trains a student of a tree teacher on `training` rows (the target
    /// column may be present; it is not read).
    ///
    /// - Throws: `UsageError` for bad parameters or a student that cannot
    ///   take this task.
    public func distill(_ teacher: TabularTreeModel, training: DataFrame) throws -> any TabularModel {
        let k = teacher.model.outputCount
        let trees = teacher.model
        return try distill(target: teacher.target, task: teacher.task, classLabels: teacher.classLabels, outputs: k,
                           training: training) { frame in
            let values = try teacher.rawValues(frame)
            let raw = values.withUnsafeBufferPointer { CompiledEnsemble(trees).rawScores(rows: $0, rowCount: frame.rowCount) }
            // Regression students learn predictions (raw scores are logs for Poisson).
            return teacher.task == .regression ? trees.predictions(fromRawScores: raw) : raw
        }
    }

    /// Trains a student of a network teacher (see `distill(_:training:)`).
    public func distill(_ teacher: MLPModel, training: DataFrame) throws -> any TabularModel {
        let k = teacher.task == .multiclass ? teacher.classLabels.count : 1
        return try distill(target: teacher.target, task: teacher.task, classLabels: teacher.classLabels, outputs: k,
                           training: training) { frame in
            let inputs = try teacher.encoding.encode(frame)
            let raw = try teacher.network.predict(numeric: inputs.numeric, codes: inputs.codes, rowCount: frame.rowCount,
                                                  threads: nil).map(Double.init)
            return teacher.task == .regression ? raw.map { $0 * teacher.targetScale + teacher.targetMean } : raw
        }
    }

    /// The column name the student's soft target takes while training.
    static let softColumn = "__pareto_teacher_score"

    func distill(target: String, task: TaskKind, classLabels: [String], outputs k: Int,
                 training: DataFrame, teacherRaw: (DataFrame) throws -> [Double]) throws -> any TabularModel {
        let factor = try number("augment", 1, in: 0...100)
        let swap = try number("swap", 0.3, in: 0...1)
        let seed = UInt64(try integer("seed", 0, in: 0...Int.max))
        let features = training[target] == nil ? training : try training.dropping([target])
        let rows = Self.augmented(features, factor: factor, swapProbability: swap, seed: seed)
        let raw = try teacherRaw(rows)
        switch student {
        case .gbdt:
            try checkKeys(["trees", "leaves", "depth", "learning_rate", "min_leaf", "augment", "swap", "seed"])
            var learner = GradientBoosting(objective: .regression)
            learner.numTrees = try integer("trees", 50, in: 1...100_000)
            learner.tree.numLeaves = try integer("leaves", 15, in: 2...131_072)
            if parameters["depth"] != nil { learner.tree.maxDepth = try integer("depth", 4, in: 1...64) }
            learner.learningRate = try number("learning_rate", 0.1, in: 1e-6...1)
            learner.tree.minDataInLeaf = try integer("min_leaf", 20, in: 1...1_000_000)
            learner.seed = seed
            var perOutput: [TabularTreeModel] = []
            for c in 0..<k {
                var frame = rows
                try frame.setColumn(.numeric(Self.softColumn, Self.softTargets(raw, k: k, output: c)))
                perOutput.append(try TabularTreeModel.train(frame, target: Self.softColumn, task: .regression,
                                                            learner: learner).model)
            }
            let first = perOutput[0].model
            var trees: [DecisionTree] = []
            for round in 0..<first.rounds {
                for c in 0..<k { trees.append(perOutput[c].model.trees[round]) }
            }
            let studentObjective: BoostingObjective
            switch task {
            case .binary: studentObjective = .binary
            case .multiclass: studentObjective = .multiclass(classes: k)
            case .regression: studentObjective = .regression
            }
            let model = try GradientBoostedTrees(trees: trees, objective: studentObjective, outputCount: k,
                                                 initialScores: perOutput.map { $0.model.initialScores[0] },
                                                 binning: first.binning, featureNames: first.featureNames)
            return try TabularTreeModel(importing: model, target: target, task: task, classLabels: classLabels,
                                        featureKinds: perOutput[0].featureKinds)
        case .mlp:
            try checkKeys(["hidden", "epochs", "learning_rate", "batch", "augment", "swap", "seed"])
            guard task != .multiclass else {
                throw UsageError("an MLP student learns one output; this teacher has \(k) classes",
                                 hint: "use --student gbdt for multiclass teachers")
            }
            var learner = MLPLearner()
            let hidden = (parameters["hidden"] ?? "32").split(separator: "x").map { Int($0) }
            guard !hidden.isEmpty, hidden.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                throw UsageError("student parameter hidden=\(parameters["hidden"] ?? "") must be widths like 32 or 64x32")
            }
            learner.hidden = hidden.map { $0! }
            learner.epochs = try integer("epochs", 20, in: 1...10_000)
            learner.learningRate = try number("learning_rate", 1e-3, in: 1e-6...1)
            learner.batchSize = try integer("batch", 256, in: 1...1_000_000)
            learner.task = .regression
            learner.seed = seed
            learner.earlyStoppingPatience = nil
            var frame = rows
            try frame.setColumn(.numeric(Self.softColumn, Self.softTargets(raw, k: 1, output: 0)))
            var trained = try learner.train(frame, target: Self.softColumn).model
            // Fold the target scaling into the output layer: raw output = teacher score.
            let layers = try NetworkPruning.denseLayers(trained.network)
            let last = layers[layers.count - 1]
            let scale = Float(trained.targetScale), shift = Float(trained.targetMean)
            for i in 0..<(last.inputs * last.outputs) { trained.network.parameters[last.offset + i] *= scale }
            let b = last.offset + last.inputs * last.outputs
            trained.network.parameters[b] = trained.network.parameters[b] * scale + shift
            return MLPModel(target: target, task: task, classLabels: classLabels, encoding: trained.encoding,
                            network: trained.network, targetMean: 0, targetScale: 1)
        case .linear:
            try checkKeys(["alpha", "min_category", "augment", "swap", "seed"])
            return try linearStudent(rows, raw: raw, target: target, task: task, classLabels: classLabels, outputs: k)
        }
    }

    /// A linear student: the logistic/linear preprocessing (imputation with
    /// missing indicators, standardization, one-hot encoding) fitted on the
    /// augmented rows, then one ridge regression per output on the
    /// teacher's raw scores. Regressing log-odds (binary) or centred logits
    /// (multiclass) makes the student a logistic or multinomial logistic
    /// model whose scores approximate the teacher's; a regression teacher
    /// gets a linear regression. Free-text columns are left out.
    ///
    /// Settings: `alpha` (ridge penalty on the mean squared error, default
    /// 1e-4; with 0, ordinary least squares, and each one-hot group drops
    /// its first column), `min_category` (levels rarer than this share one
    /// column, 5).
    func linearStudent(_ rows: DataFrame, raw: [Double], target: String, task: TaskKind, classLabels: [String],
                       outputs k: Int) throws -> any TabularModel {
        let alpha = try number("alpha", 1e-4, in: 0...1e6)
        let minCategory = try integer("min_category", 5, in: 1...1_000_000)
        let inputs = try DataFrame(rows.columns.filter { $0.kind != .text })
        guard inputs.columnCount > 0 else {
            throw UsageError("a linear student needs at least one column that is not free text")
        }
        // Without a penalty a complete one-hot group duplicates the intercept: drop its first column.
        let (pipeline, design) = try Pipeline.linearPreprocessing(minCategoryCount: minCategory, dropFirstCategory: alpha == 0)
            .fitTransform(inputs, target: nil)
        var solutions: [LinearModel] = []
        var featureNames: [String] = []
        for c in 0..<k {
            var frame = design
            try frame.setColumn(.numeric(Self.softColumn, Self.softTargets(raw, k: k, output: c)))
            let fitted = try LinearRegressionLearner(alpha: alpha).fit(frame, target: Self.softColumn, validation: nil,
                                                                       observer: nil)
            guard case .regression(let solution) = fitted.fitted else {
                throw UsageError("the linear student's fit did not return a linear regression")
            }
            solutions.append(solution)
            featureNames = fitted.featureNames
        }
        switch task {
        case .regression:
            let base = LinearTabularModel(featureNames: featureNames, task: .regression, classLabels: [],
                                          fitted: .regression(solutions[0]))
            return PipelineLearner<LinearRegressionLearner>.Model(pipeline: pipeline, base: base)
        case .binary:
            let logistic = LogisticModel(coefficients: solutions[0].coefficients, intercept: solutions[0].intercept)
            let base = LinearTabularModel(featureNames: featureNames, task: .binary, classLabels: classLabels,
                                          fitted: .binary(logistic))
            return PipelineLearner<LogisticRegressionLearner>.Model(pipeline: pipeline, base: base)
        case .multiclass:
            let multinomial = MultinomialLogisticModel(coefficients: solutions.map(\.coefficients),
                                                       intercepts: solutions.map(\.intercept))
            let base = LinearTabularModel(featureNames: featureNames, task: .multiclass, classLabels: classLabels,
                                          fitted: .multinomial(multinomial))
            return PipelineLearner<LogisticRegressionLearner>.Model(pipeline: pipeline, base: base)
        }
    }

    /// How much of the teacher's gain over a baseline the student keeps:
    /// `(student − baseline) / (teacher − baseline)` in metric units (1:
    /// all of it; 0: none). NaN when the teacher does no better than the baseline.
    public static func keptGain(teacher: Double, student: Double, baseline: Double) -> Double {
        let gain = teacher - baseline
        return gain == 0 ? .nan : (student - baseline) / gain
    }

    /// The baseline's predictions for `rows`: class frequencies (or the
    /// mean) of the training labels, the same for every row.
    public static func baseline(task: TaskKind, classLabels: [String], trainingLabels: [Double], rows: Int) -> Predictions {
        let n = Double(max(1, trainingLabels.count))
        let values: [Double]
        switch task {
        case .regression: values = [trainingLabels.reduce(0, +) / n]
        case .binary, .multiclass:
            var counts = [Double](repeating: 0, count: max(2, classLabels.count))
            for y in trainingLabels where Int(y) >= 0 && Int(y) < counts.count { counts[Int(y)] += 1 }
            values = counts.map { $0 / n }
        }
        return Predictions(task: task, classLabels: classLabels, values: Array(repeating: values, count: rows))
    }
}

fileprivate extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
