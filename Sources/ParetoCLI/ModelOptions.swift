import ArgumentParser
import Pareto

/// The model settings `pareto train` and `pareto cv` share: the family, the
/// task and objective, LightGBM-named tree settings, threads and the seed.
struct ModelOptions: ParsableArguments {
    @Option(help: "The model family: gbdt, rf (random forest), tree (one decision tree), linear (least squares, ridge, lasso, elastic net) logistic (logistic regression) or mlp (a neural network).")
    var model = "gbdt"

    @Option(help: "binary, multiclass or regression (default: inferred from the target).")
    var task: String?

    @Option(help: "The loss: binary, focal, regression, l1, huber, quantile, poisson (default: the task's).")
    var objective: String?

    @Option(help: "Quantile for --objective quantile, alpha for focal.")
    var alpha: Double?

    @Option(help: "Boosting rounds.") var trees = 100
    @Option(help: "Leaves per tree.") var leaves = 31
    @Option(name: .customLong("learning-rate"), help: "Shrinkage per tree.") var learningRate = 0.1
    @Option(name: .customLong("max-depth"), help: "Deepest leaf (default: no limit).") var maxDepth: Int?
    @Option(name: .customLong("min-data-in-leaf"), help: "Fewest rows per leaf.") var minDataInLeaf = 20
    @Option(help: "Value bins per feature (LightGBM's max_bin; one fewer when a column has missing values, which get a bin of their own).") var bins = 255
    @Option(help: "L1 regularization: of leaf values (trees); of the coefficients against the mean loss (linear, logistic).")
    var l1: Double?
    @Option(help: "L2 regularization: of leaf values (trees); ½‖β‖² against the mean loss (linear, logistic; default for logistic: 1/rows, scikit-learn's C = 1).")
    var l2: Double?
    @Option(help: "Share of rows each tree sees (bagging), in (0, 1].") var subsample: Double?
    @Option(help: "Share of features each tree may use, in (0, 1].") var colsample: Double?

    @Option(name: .customLong("class-weight"), help: "balanced: weight classes inversely to their frequency.")
    var classWeight: String?

    @Option(help: "Worker threads (default: all processors).") var threads: Int?
    @Option(help: "Seed for sampling and splits.") var seed: UInt64 = 0

    /// The learner these flags describe, for a table with `featureCount` features.
    func learner(featureCount: Int) throws -> GradientBoosting {
        guard ["gbdt", "rf", "tree"].contains(model) else {
            throw UsageError("unknown model family \"\(model)\"", hint: "use gbdt, rf, tree, linear, logistic or mlp")
        }
        var learner = GradientBoosting(objective: try parseObjective())
        switch model {
        case "rf":
            learner = .randomForest(objective: learner.objective, trees: trees, maxDepth: maxDepth, featureCount: featureCount)
        case "tree":
            learner = .decisionTree(objective: learner.objective, maxDepth: maxDepth, maxLeaves: leaves,
                                    minDataInLeaf: minDataInLeaf)
        default:
            learner.numTrees = trees
            learner.learningRate = learningRate
            learner.tree.numLeaves = leaves
            learner.tree.maxDepth = maxDepth
            learner.tree.minDataInLeaf = minDataInLeaf
        }
        learner.tree.lambdaL1 = l1 ?? 0
        learner.tree.lambdaL2 = l2 ?? 0
        learner.seed = seed
        if let subsample {
            learner.baggingFraction = subsample
            learner.baggingFrequency = 1
        }
        if let colsample { learner.featureFraction = colsample }
        learner.threads = threads
        if let classWeight {
            guard classWeight == "balanced" else { throw UsageError("--class-weight takes \"balanced\", not \"\(classWeight)\"") }
            learner.classWeight = .balanced
        }
        return learner
    }

    /// How features are binned.
    var binning: BinningOptions {
        var options = BinningOptions()
        options.maxBins = bins
        options.seed = seed
        return options
    }

    /// `--task`, checked.
    func parsedTask() throws -> TaskKind? {
        try task.map { name -> TaskKind in
            guard let kind = TaskKind(rawValue: name) else {
                throw UsageError("--task must be binary, multiclass or regression, not \"\(name)\"")
            }
            return kind
        }
    }

    func parseObjective() throws -> BoostingObjective {
        switch objective {
        case nil, "binary": return .binary
        case "focal": return .focal(alpha: alpha ?? 0.25, gamma: 2)
        case "regression", "l2": return .regression
        case "l1": return .l1
        case "huber": return .huber(delta: alpha ?? 1)
        case "quantile": return .quantile(alpha: alpha ?? 0.5)
        case "poisson": return .poisson
        case "multiclass": return .multiclass(classes: 2)
        case let other?:
            throw UsageError("unknown objective \"\(other)\"",
                             hint: "use binary, focal, regression, l1, huber, quantile, poisson or multiclass")
        }
    }
}
