import ParetoCore
import ParetoData

/// A gradient-boosted model together with what it needs to predict from a
/// table: the feature columns (names and kinds), the target's name, the task
/// and the class labels. This is what `pareto train` saves and
/// `pareto predict` loads.
public struct TabularTreeModel: TabularModel, Equatable {
    /// The kind written in the model file's header.
    public static let fileKind = "gradient-boosted-trees"

    /// The target column's name.
    public var target: String
    /// Binary, multiclass or regression.
    public var task: TaskKind
    /// Class labels by class index (classification only); for binary, index 1 is the positive class.
    public var classLabels: [String]
    /// Each feature's column kind, in the model's feature order.
    public var featureKinds: [ColumnKind]
    /// The trained trees.
    public var model: GradientBoostedTrees

    /// Trains on every column of `frame` but the target and any text column
    /// (listed in the result's `skipped`), dropping rows without a target.
    ///
    /// Classes are numbered in sorted label order, so for 0/1, no/yes or
    /// `<=50K`/`>50K` the second is the positive class.
    ///
    /// - Throws: `UsageError` for an unknown target, a target that does not
    ///   fit `task`, or no rows with a target.
    public static func train(
        _ frame: DataFrame, target: String, task requestedTask: TaskKind? = nil,
        learner: GradientBoosting, binning options: BinningOptions = BinningOptions(),
        validation: DataFrame? = nil, observer: (any TrainingObserver)? = nil
    ) throws -> (model: TabularTreeModel, skipped: [String], droppedRows: Int) {
        let targetColumn = try frame.column(target)
        let task = requestedTask ?? TargetSummary(targetColumn).task
        let keep = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
        guard !keep.isEmpty else { throw UsageError("no row has a value in the target column \"\(target)\"") }
        let rows = keep.count == frame.rowCount ? frame : frame.rows(keep)
        let skipped = rows.columns.filter { $0.kind == .text && $0.name != target }.map(\.name)
        let features = try rows.dropping([target] + skipped)
        guard features.columnCount > 0 else { throw UsageError("there are no feature columns besides the target") }

        var classLabels: [String] = []
        if task != .regression {
            classLabels = try rows.classLabels(target)
            guard classLabels.count >= 2 else {
                throw UsageError("the target \"\(target)\" has only one class", hint: "a classifier needs two or more")
            }
            if task == .binary && classLabels.count > 2 {
                throw UsageError("the target \"\(target)\" has \(classLabels.count) classes, not 2",
                                 hint: "use --task multiclass")
            }
        }
        let labels = try labelValues(rows, target: target, task: task, classLabels: classLabels)
        var learner = learner
        learner.objective = try objective(learner.objective, task: task, classes: classLabels.count)

        let binning = try Binner.fit(features, options: options, threads: learner.threads)
        let data = try BinnedDataset(features, binning: binning, threads: learner.threads)
        var validationSet: (data: BinnedDataset, labels: [Double])? = nil
        if let validation {
            let v = try validation.column(target)
            let vKeep = (0..<validation.rowCount).filter { !v.isMissing($0) }
            let vRows = validation.rows(vKeep)
            let vFeatures = try vRows.selecting(features.columnNames)
            validationSet = (try BinnedDataset(vFeatures, binning: binning, threads: learner.threads),
                             try labelValues(vRows, target: target, task: task, classLabels: classLabels))
        }
        let trees = try learner.fit(data, labels: labels, validation: validationSet, observer: observer)
        let model = TabularTreeModel(target: target, task: task, classLabels: classLabels,
                                     featureKinds: features.columns.map(\.kind), model: trees)
        return (model, skipped, frame.rowCount - keep.count)
    }

    static func objective(_ given: BoostingObjective, task: TaskKind, classes: Int) throws -> BoostingObjective {
        switch (task, given) {
        case (.binary, .binary), (.binary, .focal): return given
        case (.binary, _): return .binary
        case (.multiclass, _): return .multiclass(classes: classes)
        case (.regression, .binary), (.regression, .focal), (.regression, .multiclass): return .regression
        case (.regression, _): return given
        }
    }

    /// The target column of `frame` as the learner's labels (see
    /// `DataFrame.targetValues`).
    public static func labelValues(_ frame: DataFrame, target: String, task: TaskKind, classLabels: [String]) throws
        -> [Double] {
        try frame.targetValues(target, task: task, classLabels: classLabels)
    }

    /// The feature columns of `frame` binned as in training.
    ///
    /// - Throws: `UsageError` naming a feature column the frame lacks or
    ///   whose kind differs from training.
    public func binned(_ frame: DataFrame, threads: Int? = nil) throws -> BinnedDataset {
        for name in model.featureNames where frame[name] == nil {
            throw UsageError("the data has no column \"\(name)\", which the model needs",
                             hint: "pass a file with the training columns (the target may be left out)")
        }
        return try BinnedDataset(try frame.selecting(model.featureNames), binning: model.binning, threads: threads)
    }

    /// From this many rows on, `predict` compiles the ensemble.
    static let compiledPredictionRows = 2_048

    /// The feature columns of `frame` as row-major raw values for
    /// `CompiledEnsemble`: numbers as they are (NaN when missing; booleans
    /// 0/1, date-times in microseconds, as binning reads them), categories
    /// as their training bin.
    ///
    /// - Throws: as `binned`.
    public func rawValues(_ frame: DataFrame, threads: Int? = nil) throws -> [Double] {
        for name in model.featureNames where frame[name] == nil {
            throw UsageError("the data has no column \"\(name)\", which the model needs",
                             hint: "pass a file with the training columns (the target may be left out)")
        }
        let columns = try frame.selecting(model.featureNames).columns
        let binning = model.binning
        for (column, bins) in zip(columns, binning) where (column.kind == .categorical) != bins.isCategorical {
            throw UsageError("column \"\(column.name)\" is \(column.kind.rawValue), but it was binned as "
                             + (bins.isCategorical ? "categorical" : "numeric"),
                             hint: "use the same column types as in training")
        }
        let n = frame.rowCount, f = columns.count
        var out = [Double](repeating: 0, count: n * f)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            Parallel.forEachChunk(0..<f, threads: threads) { features in
                for j in features {
                    let column = columns[j]
                    switch (column.values, binning[j]) {
                    case (.categorical(let c), .categorical):
                        let binOfCode = binning[j].bins(ofLabels: c.levels).map(Double.init)
                        for row in 0..<n {
                            let code = c.codes[row]
                            shared[row * f + j] = code == CategoricalColumn.missingCode ? 0 : binOfCode[Int(code)]
                        }
                    default:
                        for row in 0..<n { shared[row * f + j] = Binner.numericValue(column, row) }
                    }
                }
            }
        }
        return out
    }

    /// Predictions for every row of `frame`: one value per row for
    /// regression, one probability per class otherwise (for binary: both
    /// classes, in `classLabels` order).
    ///
    /// Cost: from `compiledPredictionRows` rows on, the rows' raw values go
    /// through a `CompiledEnsemble` (feature by feature, QuickScorer); fewer
    /// rows walk the trees on their bins, which skips compiling. Both give
    /// the same predictions bit for bit (tested).
    public func predict(_ frame: DataFrame, threads: Int? = nil) throws -> Predictions {
        let raw: [Double]
        if frame.rowCount >= Self.compiledPredictionRows {
            let rows = try rawValues(frame, threads: threads)
            let scores = rows.withUnsafeBufferPointer {
                CompiledEnsemble(model).rawScores(rows: $0, rowCount: frame.rowCount, threads: threads)
            }
            raw = model.predictions(fromRawScores: scores)
        } else {
            raw = model.predict(try binned(frame, threads: threads), threads: threads)
        }
        let k = model.outputCount
        let values = (0..<frame.rowCount).map { i -> [Double] in
            let row = Array(raw[(i * k)..<((i + 1) * k)])
            return task == .binary ? [1 - row[0], row[0]] : row
        }
        return Predictions(task: task, classLabels: classLabels, values: values)
    }

    /// Saves the model to `path` in Pareto's model format (atomically).
    public func save(to path: String) throws {
        try ModelFile.write(self, kind: Self.fileKind, to: path)
    }

    /// Loads a model saved by `save(to:)`, checking its structure.
    ///
    /// - Throws: `FileError` for a missing, foreign, truncated, corrupted or
    ///   future-version file, or one whose trees are inconsistent.
    public static func load(from path: String) throws -> TabularTreeModel {
        let model = try ModelFile.read(TabularTreeModel.self, kind: fileKind, from: path)
        if let problem = model.structuralProblem() {
            throw FileError(path: path, "the model is inconsistent: \(problem)", hint: "save the model again")
        }
        return model
    }

    /// A description of the first inconsistency in the model, or `nil`.
    func structuralProblem() -> String? {
        let m = model
        let features = m.featureNames.count
        guard m.binning.count == features, featureKinds.count == features else { return "feature lists differ in length" }
        guard m.outputCount >= 1, m.initialScores.count == m.outputCount, m.trees.count % m.outputCount == 0 else {
            return "output count and trees disagree"
        }
        if task != .regression && classLabels.count < 2 { return "a classifier needs two class labels" }
        for (t, tree) in m.trees.enumerated() {
            let nodes = tree.splitFeature.count
            let leaves = tree.leafValue.count
            guard leaves == nodes + 1, tree.leafCount.count == leaves,
                  [tree.thresholdBin.count, tree.threshold.count, tree.defaultLeft.count, tree.leftChild.count,
                   tree.rightChild.count, tree.categoryStart.count, tree.categoryWordCount.count]
                    .allSatisfy({ $0 == nodes })
            else { return "tree \(t) has arrays of different lengths" }
            for node in 0..<nodes where tree.categoryStart[node] >= 0 {
                let end = Int(tree.categoryStart[node]) + Int(tree.categoryWordCount[node])
                if end > tree.categoryWords.count { return "tree \(t) has a category set out of range" }
            }
            for node in 0..<nodes {
                guard (0..<features).contains(Int(tree.splitFeature[node])) else { return "tree \(t) splits on a missing feature" }
                for child in [tree.leftChild[node], tree.rightChild[node]] {
                    let valid = child < 0 ? Int(~child) < leaves : Int(child) > node && Int(child) < nodes
                    if !valid { return "tree \(t) has a child index out of range" }
                }
            }
        }
        return nil
    }
}

/// A tree-ensemble learner for tables: boosting, random forest or single
/// tree (per `boosting.mode`), with its binning, as a `TabularLearner`.
public struct TreeEnsembleLearner: TabularLearner, Equatable {
    /// The ensemble's settings (the objective is adapted to the task).
    public var boosting: GradientBoosting
    /// How features are binned.
    public var binning: BinningOptions
    /// The task; `nil` infers it from the target.
    public var task: TaskKind?
    /// Worker threads for fitting (the boosting's setting).
    public var threads: Int? {
        get { boosting.threads }
        set { boosting.threads = newValue }
    }

    /// Creates a learner.
    public init(_ boosting: GradientBoosting, binning: BinningOptions = BinningOptions(), task: TaskKind? = nil) {
        self.boosting = boosting
        self.binning = binning
        self.task = task
    }

    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> TabularTreeModel {
        try TabularTreeModel.train(frame, target: target, task: task, learner: boosting, binning: binning,
                                   validation: validation, observer: observer).model
    }
}

extension TabularTreeModel {
    /// A model from its parts (an imported model with its schema).
    ///
    /// - Throws: `UsageError` when the kinds or class labels do not fit the
    ///   trees (one kind per feature, categorical exactly where the binning
    ///   is; two labels for binary, one per output for multiclass).
    public init(importing model: GradientBoostedTrees, target: String, task: TaskKind, classLabels: [String],
                featureKinds: [ColumnKind]) throws {
        guard featureKinds.count == model.featureNames.count else {
            throw UsageError("\(featureKinds.count) feature kinds for \(model.featureNames.count) features")
        }
        for (f, kind) in featureKinds.enumerated() where (kind == .categorical) != model.binning[f].isCategorical {
            throw UsageError("feature \"\(model.featureNames[f])\" is \(kind.rawValue) but binned as "
                             + (model.binning[f].isCategorical ? "categorical" : "numeric"))
        }
        switch task {
        case .binary: guard classLabels.count == 2 else { throw UsageError("a binary model needs 2 class labels") }
        case .multiclass:
            guard classLabels.count == model.outputCount else {
                throw UsageError("\(classLabels.count) class labels for \(model.outputCount) classes")
            }
        case .regression: guard classLabels.isEmpty else { throw UsageError("a regression model has no class labels") }
        }
        self.init(target: target, task: task, classLabels: classLabels, featureKinds: featureKinds, model: model)
    }
}
