import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoEval
import ParetoFeatures
import ParetoLinear
import ParetoNeural
import ParetoTrees
import ParetoTune

/// A model family the optimizer may search.
public enum ModelFamily: String, Sendable, Codable, CaseIterable, Comparable {
    /// Linear models: ridge/elastic net for numbers, logistic regression for classes.
    case linear
    /// Gradient-boosted trees.
    case gbdt
    /// A random forest.
    case rf
    /// A multilayer perceptron.
    case mlp

    /// Simplicity order, used to break ties: simpler first.
    var complexity: Int {
        switch self {
        case .linear: 0
        case .gbdt: 1
        case .rf: 2
        case .mlp: 3
        }
    }

    public static func < (a: ModelFamily, b: ModelFamily) -> Bool { a.complexity < b.complexity }
}

/// Any learner the optimizer fits, as one value: its model is a
/// `BundledModel`, so every family goes through the same folds, timing and
/// packaging.
public enum CandidateLearner: TabularLearner {
    case prior(DummyLearner)
    case trees(TreeEnsembleLearner)
    case linear(PipelineLearner<LinearRegressionLearner>)
    case logistic(PipelineLearner<LogisticRegressionLearner>)
    case mlp(MLPLearner)

    /// The learner's threads.
    public var threads: Int? {
        get {
            switch self {
            case .prior(let l): l.threads
            case .trees(let l): l.threads
            case .linear(let l): l.threads
            case .logistic(let l): l.threads
            case .mlp(let l): l.threads
            }
        }
        set {
            switch self {
            case .prior(var l): l.threads = newValue; self = .prior(l)
            case .trees(var l): l.threads = newValue; self = .trees(l)
            case .linear(var l): l.threads = newValue; self = .linear(l)
            case .logistic(var l): l.threads = newValue; self = .logistic(l)
            case .mlp(var l): l.threads = newValue; self = .mlp(l)
            }
        }
    }

    /// Fits the wrapped learner.
    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> BundledModel {
        switch self {
        case .prior(let l): .prior(try l.fit(frame, target: target, validation: validation, observer: observer))
        case .trees(let l): .trees(try l.fit(frame, target: target, validation: validation, observer: observer))
        case .linear(let l): .linear(try l.fit(frame, target: target, validation: validation, observer: observer))
        case .logistic(let l): .logistic(try l.fit(frame, target: target, validation: validation, observer: observer))
        case .mlp(let l): .mlp(try l.fit(frame, target: target, validation: validation, observer: observer))
        }
    }

    /// Whether fits use a validation set to stop early (so each fold is
    /// given its validation rows, and the refit needs the stopping point).
    var stopsEarly: Bool {
        switch self {
        case .trees(let l): l.boosting.earlyStoppingRounds != nil
        case .mlp(let l): l.earlyStoppingPatience != nil
        default: false
        }
    }

    /// The learner for the final fit on all rows, without a validation set:
    /// boosting runs the mean of the folds' best round counts, scaled up by
    /// k/(k−1) for the larger training set.
    func forRefit(stoppingPoints: [Int], folds: Int) -> CandidateLearner {
        guard !stoppingPoints.isEmpty else { return self }
        let mean = Double(stoppingPoints.reduce(0, +)) / Double(stoppingPoints.count)
        let scaled = max(1, Int((mean * Double(folds) / Double(max(1, folds - 1))).rounded()))
        switch self {
        case .trees(var l):
            // Never more rounds than the search allowed (its maximum, or a trial's cut to the limits).
            l.boosting.numTrees = min(scaled, l.boosting.numTrees)
            l.boosting.earlyStoppingRounds = nil
            return .trees(l)
        default:
            return self
        }
    }

    /// A tree learner that grows at most `rounds` rounds (trees, for a
    /// forest); other learners as they are.
    func capped(rounds: Int) -> CandidateLearner {
        guard case .trees(var l) = self else { return self }
        l.boosting.numTrees = min(l.boosting.numTrees, rounds)
        return .trees(l)
    }
}

extension BundledModel {
    /// Where early stopping stopped (boosting rounds kept); nil when the
    /// fit did not stop early or does not record it (networks restore their
    /// best weights but keep no epoch count, so their refit stops early
    /// on rows held out of the training part).
    var stoppingPoint: Int? {
        switch self {
        case .trees(let model): model.model.bestIteration.map { $0 + 1 }
        default: nil
        }
    }
}

/// The search space of `pareto optimize`: the family first, then that
/// family's hyperparameters (a conditional space).
///
/// - gbdt: `learning_rate` 0.01–0.3 (log), `num_leaves` 8–256 (log),
///   `min_data_in_leaf` 5–200 (log), `feature_fraction` 0.4–1,
///   `bagging_fraction` 0.5–1, `lambda_l2` 1e-8–10 (log); up to 1,000
///   rounds with early stopping after 50 without progress on each fold's
///   validation rows, watching the optimized metric where the trees compute
///   it (the refit runs the folds' mean stopping round).
/// - rf: `trees` 50–300 (log), `max_depth` 4–16, `feature_fraction`
///   0.3–1, `min_data_in_leaf` 1–50 (log).
/// - linear: logistic regression `c` 1e-4–100 (log) and `l1_ratio` 0–1 for
///   two classes (`c` only, L2, for several: the L1 multinomial solver is
///   too slow for a budgeted search); elastic net `alpha` 1e-6–10 (log) and `l1_ratio` 0–1 for
///   numbers; behind `Pipeline.linearPreprocessing()`.
/// - mlp: `layers` 1–3, `width` 32–256 (log), `learning_rate` 1e-4–1e-2
///   (log), `weight_decay` 1e-6–1e-2 (log), `dropout` 0–0.3,
///   `batch_size` 128/256/512; up to 40 epochs with early stopping
///   (patience 5) on each fold's validation rows.
public struct CandidateSpace: Sendable {
    /// The families to choose from.
    public var families: [ModelFamily]
    /// The task.
    public var task: TaskKind
    /// Feature columns (for the forest's default feature fraction).
    public var featureCount: Int
    /// Seed of the learners.
    public var seed: UInt64
    /// What boosting's early stopping watches on each fold's validation
    /// rows (`nil`: the objective's log loss or squared error); see
    /// `stoppingMetric(for:task:)`.
    public var stoppingMetric: BoostingMetric? = nil

    /// The early-stopping metric for an optimized metric: the same quantity
    /// where the trees compute it (AUC, error rate, log loss, RMSE, MAE),
    /// as a LightGBM + Optuna study stops on the metric it tunes; `nil` for
    /// the others (the objective's default). Why it matters: log loss turns
    /// up long before the error rate stops falling (`bench/stopping_metric.py`
    /// on letter, LightGBM's defaults: log loss stops at round 97 with 3.75%
    /// misclassified, the error rate at round 335 with 3.26%), so stopping on
    /// log loss under-trains a search for accuracy.
    public static func stoppingMetric(for metric: String, task: TaskKind) -> BoostingMetric? {
        switch (task, metric) {
        case (.binary, "auc"): .auc
        case (.binary, "accuracy"): .error
        case (.binary, "logloss"): .logloss
        case (.multiclass, "accuracy"): .multiError
        case (.multiclass, "logloss"): .multiLogloss
        case (.regression, "rmse"), (.regression, "mse"): .rmse
        case (.regression, "mae"): .mae
        default: nil
        }
    }

    /// The learner a trial asks for, and its family.
    func suggest(_ trial: Trial) throws -> (ModelFamily, CandidateLearner) {
        let family = families.count == 1 ? families[0]
            : ModelFamily(rawValue: try trial.suggestCategorical("family", families.map(\.rawValue)))!
        return (family, try learner(family, trial))
    }

    private func learner(_ family: ModelFamily, _ trial: Trial) throws -> CandidateLearner {
        let objective: BoostingObjective = task == .regression ? .regression : .binary
        switch family {
        case .gbdt:
            var boosting = GradientBoosting(objective: objective)
            boosting.learningRate = try trial.suggestFloat("gbdt.learning_rate", 0.01...0.3, log: true)
            boosting.tree.numLeaves = try trial.suggestInt("gbdt.num_leaves", 8...256, log: true)
            boosting.tree.minDataInLeaf = try trial.suggestInt("gbdt.min_data_in_leaf", 5...200, log: true)
            boosting.featureFraction = try trial.suggestFloat("gbdt.feature_fraction", 0.4...1)
            let bagging = try trial.suggestFloat("gbdt.bagging_fraction", 0.5...1)
            if bagging < 0.999 {
                boosting.baggingFraction = bagging
                boosting.baggingFrequency = 1
            }
            boosting.tree.lambdaL2 = try trial.suggestFloat("gbdt.lambda_l2", 1e-8...10, log: true)
            boosting.numTrees = 1_000
            boosting.earlyStoppingRounds = 50
            boosting.metric = stoppingMetric
            boosting.seed = seed
            return .trees(TreeEnsembleLearner(boosting, task: task))
        case .rf:
            var forest = GradientBoosting.randomForest(
                objective: objective, trees: try trial.suggestInt("rf.trees", 50...300, log: true),
                maxDepth: try trial.suggestInt("rf.max_depth", 4...16), featureCount: featureCount)
            forest.featureFraction = try trial.suggestFloat("rf.feature_fraction", 0.3...1)
            forest.tree.minDataInLeaf = try trial.suggestInt("rf.min_data_in_leaf", 1...50, log: true)
            forest.seed = seed
            return .trees(TreeEnsembleLearner(forest, task: task))
        case .linear:
            if task == .regression {
                let base = LinearRegressionLearner(alpha: try trial.suggestFloat("linear.alpha", 1e-6...10, log: true),
                                                   l1Ratio: try trial.suggestFloat("linear.l1_ratio", 0...1))
                return .linear(PipelineLearner(pipeline: .linearPreprocessing(), base: base))
            }
            // Several classes: L2 only — the L1 multinomial solver can take
            // minutes on tens of thousands of rows, which a budgeted search
            // cannot interrupt.
            let l1Ratio = task == .binary ? try trial.suggestFloat("linear.l1_ratio", 0...1) : 0
            let base = LogisticRegressionLearner(c: try trial.suggestFloat("linear.c", 1e-4...100, log: true), l1Ratio: l1Ratio)
            return .logistic(PipelineLearner(pipeline: .linearPreprocessing(), base: base))
        case .mlp:
            var mlp = MLPLearner()
            let layers = try trial.suggestInt("mlp.layers", 1...3)
            let width = try trial.suggestInt("mlp.width", 32...256, log: true)
            mlp.hidden = Array(repeating: width, count: layers)
            mlp.learningRate = try trial.suggestFloat("mlp.learning_rate", 1e-4...1e-2, log: true)
            mlp.weightDecay = try trial.suggestFloat("mlp.weight_decay", 1e-6...1e-2, log: true)
            mlp.dropout = try trial.suggestFloat("mlp.dropout", 0...0.3)
            mlp.batchSize = try trial.suggestCategorical("mlp.batch_size", [128, 256, 512])
            mlp.epochs = 40
            mlp.earlyStoppingPatience = 5
            mlp.task = task
            mlp.seed = seed
            return .mlp(mlp)
        }
    }

    /// Parameters of a first trial per family: LightGBM's defaults for
    /// boosting (so the search starts from the usual baseline), scikit-learn's
    /// for the others.
    func defaults(_ family: ModelFamily) -> [String: any Encodable & Sendable] {
        var values: [String: any Encodable & Sendable] = families.count == 1 ? [:] : ["family": family.rawValue]
        switch family {
        case .gbdt:
            values.merge(["gbdt.learning_rate": 0.1, "gbdt.num_leaves": 31, "gbdt.min_data_in_leaf": 20,
                          "gbdt.feature_fraction": 1.0, "gbdt.bagging_fraction": 1.0, "gbdt.lambda_l2": 1e-8]) { $1 }
        case .rf:
            values.merge(["rf.trees": 100, "rf.max_depth": 16, "rf.feature_fraction": 0.6, "rf.min_data_in_leaf": 1]) { $1 }
        case .linear:
            if task == .regression {
                values.merge(["linear.alpha": 1e-3, "linear.l1_ratio": 0.0]) { $1 }
            } else if task == .binary {
                values.merge(["linear.c": 1.0, "linear.l1_ratio": 0.0]) { $1 }
            } else {
                values.merge(["linear.c": 1.0]) { $1 }
            }
        case .mlp:
            values.merge(["mlp.layers": 2, "mlp.width": 128, "mlp.learning_rate": 1e-3, "mlp.weight_decay": 1e-5,
                          "mlp.dropout": 0.0, "mlp.batch_size": 256]) { $1 }
        }
        return values
    }
}
