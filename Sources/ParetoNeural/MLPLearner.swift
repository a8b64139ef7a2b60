import ParetoCore
import ParetoData

/// A multilayer perceptron for tables, as a `TabularLearner`: numeric
/// columns standardized (missing → the mean plus a missing indicator),
/// categorical columns embedded, the task read from the target.
///
/// ```swift
/// var learner = MLPLearner()
/// learner.hidden = [256, 256]
/// learner.epochs = 30
/// let model = try learner.fit(train, target: "churn", validation: valid, observer: nil)
/// let p = try model.predict(test, threads: nil)
/// ```
///
/// Binary targets train one logit with binary cross-entropy, multiclass
/// targets k logits with softmax cross-entropy, regression one output with
/// `regressionLoss` on the standardized target. With a validation frame,
/// early stopping keeps the best epoch. The same data, seed and settings
/// give the same model for any `threads`.
public struct MLPLearner: TabularLearner, Equatable {
    /// How per-class weights are chosen.
    public enum ClassWeighting: String, Codable, Sendable {
        /// Every class weighs 1.
        case none
        /// n / (classes × n_c), as scikit-learn's "balanced".
        case balanced
    }

    /// Hidden layer widths, first to last.
    public var hidden: [Int] = [256, 256]
    /// The activation after each hidden layer (`.relu`, `.gelu`, `.tanh` or `.sigmoid`).
    public var activation: Layer = .relu
    /// Dropout after each hidden activation (0: none).
    public var dropout = 0.0
    /// Passes over the training rows.
    public var epochs = 20
    /// Rows per memory batch.
    public var batchSize = 256
    /// Memory batches per optimizer step.
    public var accumulationSteps = 1
    /// The update rule.
    public var optimizer = Optimizer.adamDefault
    /// The base learning rate.
    public var learningRate = 1e-3
    /// Weight decay (L2 for SGD/Adam, decoupled for AdamW).
    public var weightDecay = 0.0
    /// The learning-rate schedule.
    public var schedule = LearningRateSchedule.constant
    /// Steps of linear warmup.
    public var warmupSteps = 0
    /// Cuts the learning rate when the validation loss (or, without
    /// validation, the training loss) stalls; nil: off.
    public var plateau: ReduceOnPlateau? = nil
    /// Clip gradients to this global norm (nil: off).
    public var gradientClipNorm: Double? = nil
    /// Label smoothing for classification.
    public var labelSmoothing = 0.0
    /// The loss for regression targets (on the standardized target).
    public var regressionLoss = Loss.meanSquaredError
    /// Class weights for classification.
    public var classWeight = ClassWeighting.none
    /// With a validation frame: stop after this many epochs without a lower
    /// validation loss and keep the best epoch (nil: run every epoch).
    public var earlyStoppingPatience: Int? = 5
    /// Embedding widths by column name; others follow `EmbeddingSize.rule`.
    public var embeddingDimensions: [String: Int] = [:]
    /// Storage precision in training.
    public var precision = Precision.float32
    /// The task; nil infers it from the target.
    public var task: TaskKind? = nil
    /// Seeds initialization, shuffling and dropout.
    public var seed: UInt64 = 0
    /// Worker threads for the matrix products (nil: all cores).
    public var threads: Int? = nil
    /// Where checkpoints go (nil: none).
    public var checkpointDirectory: String? = nil
    /// Epochs between checkpoints.
    public var checkpointEvery = 1
    /// Continue from the checkpoint in `checkpointDirectory` when there is one.
    public var resume = false

    /// Creates a learner with the defaults above.
    public init() {}

    /// Fits on `frame` to predict `target` (see `train` for the errors).
    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> MLPModel {
        try train(frame, target: target, validation: validation, observer: observer).model
    }

    /// Fits and also returns the training record (history, per-epoch profiles).
    ///
    /// - Throws: `UsageError` for an unknown or unusable target;
    ///   `NeuralError` for bad settings, no rows or infinite values;
    ///   `FileError` for a bad checkpoint.
    public func train(_ frame: DataFrame, target: String, validation: DataFrame? = nil,
                      observer: (any TrainingObserver)? = nil) throws -> (model: MLPModel, result: TrainingResult) {
        guard [Layer.relu, .gelu, .tanh, .sigmoid].contains(activation) else {
            throw NeuralError("activation", "must be relu, gelu, tanh or sigmoid")
        }
        let targetColumn = try frame.column(target)
        let keep = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
        guard !keep.isEmpty else {
            throw NeuralError("training", "no row has a value in the target column \"\(target)\"")
        }
        let rows = keep.count == frame.rowCount ? frame : frame.rows(keep)
        let task = self.task ?? TargetSummary(targetColumn).task
        var classLabels: [String] = []
        if task != .regression {
            classLabels = try rows.classLabels(target)
            guard classLabels.count >= 2 else {
                throw UsageError("the target \"\(target)\" has only one class", hint: "a classifier needs two or more")
            }
            if task == .binary && classLabels.count > 2 {
                throw UsageError("the target \"\(target)\" has \(classLabels.count) classes, not 2",
                                 hint: "use the multiclass task")
            }
        }
        let encoding = try TableEncoding(fitting: rows, excluding: target, dimensions: embeddingDimensions)
        var targets = try rows.targetValues(target, task: task, classLabels: classLabels)
        var targetMean = 0.0, targetScale = 1.0
        if task == .regression {
            targetMean = targets.reduce(0, +) / Double(targets.count)
            let variance = targets.reduce(0) { $0 + ($1 - targetMean) * ($1 - targetMean) } / Double(targets.count)
            targetScale = variance > 0 ? variance.squareRoot() : 1
            targets = targets.map { ($0 - targetMean) / targetScale }
        }
        let inputs = try encoding.encode(rows)
        let data = TrainingData(numeric: inputs.numeric, codes: inputs.codes, targets: targets.map { Float($0) })

        var validationData: TrainingData? = nil
        if let validation {
            let column = try validation.column(target)
            let validRows = validation.rows((0..<validation.rowCount).filter { !column.isMissing($0) })
            if validRows.rowCount > 0 {
                let encoded = try encoding.encode(validRows)
                let values = try validRows.targetValues(target, task: task, classLabels: classLabels)
                validationData = TrainingData(numeric: encoded.numeric, codes: encoded.codes,
                                              targets: values.map { Float(($0 - targetMean) / targetScale) })
            }
        }

        let outputs = task == .multiclass ? classLabels.count : 1
        let architecture = NetworkArchitecture.perceptron(
            numericInputs: encoding.numericWidth, categoricalInputs: encoding.categoricalInputs, hidden: hidden,
            activation: activation, dropout: dropout, outputs: outputs)
        let network = try Network(architecture, seed: seed)
        var trainer = NetworkTrainer(loss: loss(for: task))
        trainer.epochs = epochs
        trainer.batchSize = batchSize
        trainer.accumulationSteps = accumulationSteps
        trainer.optimizer = optimizer
        trainer.learningRate = learningRate
        trainer.weightDecay = weightDecay
        trainer.schedule = schedule
        trainer.warmupSteps = warmupSteps
        trainer.plateau = plateau
        trainer.gradientClipNorm = gradientClipNorm
        trainer.earlyStoppingPatience = validationData == nil ? nil : earlyStoppingPatience
        trainer.precision = precision
        trainer.seed = seed
        trainer.threads = threads
        trainer.checkpointDirectory = checkpointDirectory
        trainer.checkpointEvery = checkpointEvery
        if classWeight == .balanced && task != .regression {
            trainer.classWeights = ClassWeights.balanced(labels: targets, classCount: classLabels.count)
        }
        let result = try trainer.train(network, on: data, validation: validationData, observer: observer, resume: resume)
        let model = MLPModel(target: target, task: task, classLabels: classLabels, encoding: encoding,
                             network: result.network, targetMean: targetMean, targetScale: targetScale)
        return (model, result)
    }

    func loss(for task: TaskKind) -> Loss {
        switch task {
        case .binary: return .binaryCrossEntropy(labelSmoothing: labelSmoothing)
        case .multiclass: return .softmaxCrossEntropy(labelSmoothing: labelSmoothing)
        case .regression: return regressionLoss
        }
    }
}

/// A fitted MLP with what it needs to predict from a table: the column
/// encoding, the network, the task and class labels, and the target's
/// scaling for regression. This is what `pareto train --model mlp` saves.
public struct MLPModel: TabularModel, Equatable {
    /// The kind written in the model file's header.
    public static let fileKind = "mlp"

    /// The target column's name.
    public var target: String
    /// Binary, multiclass or regression.
    public var task: TaskKind
    /// Class labels by class index (classification only).
    public var classLabels: [String]
    /// How columns become inputs.
    public var encoding: TableEncoding
    /// The trained network.
    public var network: Network
    /// Regression: predictions are `output · targetScale + targetMean`.
    public var targetMean: Double
    /// Regression: the target's standard deviation in training.
    public var targetScale: Double

    /// Creates a model from its parts.
    public init(target: String, task: TaskKind, classLabels: [String], encoding: TableEncoding, network: Network,
                targetMean: Double, targetScale: Double) {
        self.target = target
        self.task = task
        self.classLabels = classLabels
        self.encoding = encoding
        self.network = network
        self.targetMean = targetMean
        self.targetScale = targetScale
    }

    /// The feature columns and their kinds in training, to read new files alike.
    public var featureColumns: [(name: String, kind: ColumnKind)] {
        encoding.features.map { feature in
            switch feature {
            case .numeric(let name, let kind, _, _, _): return (name, kind)
            case .categorical(let name, _, _): return (name, .categorical)
            }
        }
    }

    /// Predictions for every row of `frame`: the value for regression, one
    /// probability per class otherwise (binary: both, in `classLabels` order).
    ///
    /// Cost: one forward pass in blocks of 1,024 rows.
    /// - Throws: `UsageError` for a missing or retyped column.
    public func predict(_ frame: DataFrame, threads: Int? = nil) throws -> Predictions {
        let inputs = try encoding.encode(frame)
        let outputs = try network.predict(numeric: inputs.numeric, codes: inputs.codes, rowCount: frame.rowCount,
                                          threads: threads)
        let k = task == .multiclass ? classLabels.count : 1
        let values: [[Double]] = (0..<frame.rowCount).map { row in
            let z = outputs[(row * k)..<((row + 1) * k)].map(Double.init)
            switch task {
            case .regression: return [z[0] * targetScale + targetMean]
            case .binary:
                let p = sigmoid(z[0])
                return [1 - p, p]
            case .multiclass:
                let peak = z.max()!
                let e = z.map { exp($0 - peak) }
                let total = e.reduce(0, +)
                return e.map { $0 / total }
            }
        }
        return Predictions(task: task, classLabels: classLabels, values: values)
    }

    /// Saves the model to `path` in Pareto's model format (atomically).
    public func save(to path: String) throws {
        try ModelFile.write(self, kind: Self.fileKind, to: path)
    }

    /// Loads a model saved by `save(to:)`.
    ///
    /// - Throws: `FileError` for a missing, foreign, truncated, corrupted or
    ///   future-version file, or one whose network does not fit its encoding.
    public static func load(from path: String) throws -> MLPModel {
        let model = try ModelFile.read(MLPModel.self, kind: fileKind, from: path)
        let plan: NetworkPlan
        do { plan = try NetworkPlan(model.network.architecture) } catch {
            throw FileError(path: path, "the model's network is invalid: \(error)", hint: "save the model again")
        }
        guard plan.parameterCount == model.network.parameters.count, plan.stateCount == model.network.state.count,
              model.network.architecture.numericInputs == model.encoding.numericWidth,
              model.network.architecture.categoricalInputs == model.encoding.categoricalInputs
        else { throw FileError(path: path, "the model is inconsistent: its network does not fit its inputs") }
        return model
    }

    /// Whether the file at `path` holds an MLP model (reads only its header line).
    public static func isStored(at path: String) -> Bool {
        (try? ModelFile.kind(at: path)) == fileKind
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
