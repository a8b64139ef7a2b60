import ParetoCore

/// How weights and activations are stored during training.
public enum Precision: String, Codable, Sendable, CaseIterable {
    /// Float32 throughout.
    case float32 = "fp32"
    /// IEEE half precision storage of the weights used by the passes, of
    /// activations and of activation gradients; Float32 master weights,
    /// products and accumulation; dynamic loss scaling.
    case float16 = "fp16"
    /// As `float16` with bfloat16 storage (Float32's range, 8 bits of precision).
    case bfloat16 = "bf16"
}

/// Where one epoch's time went, in seconds.
public struct EpochProfile: Codable, Sendable, Equatable {
    /// Gathering shuffled rows into the batch buffers.
    public var dataSeconds = 0.0
    /// Forward passes and the loss.
    public var forwardSeconds = 0.0
    /// Backward passes.
    public var backwardSeconds = 0.0
    /// Gradient clipping, loss-scale checks and optimizer updates.
    public var optimizerSeconds = 0.0
    /// The validation pass.
    public var validationSeconds = 0.0
    /// Checkpoint writing.
    public var checkpointSeconds = 0.0

    /// Creates an empty profile.
    public init() {}

    /// The sum of the parts.
    public var totalSeconds: Double {
        dataSeconds + forwardSeconds + backwardSeconds + optimizerSeconds + validationSeconds + checkpointSeconds
    }
}

/// One finished epoch.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// The epoch, from 0.
    public var epoch: Int
    /// The weighted mean training loss over the epoch's batches (with dropout on).
    public var trainingLoss: Double
    /// The weighted mean validation loss, when there is validation data.
    public var validationLoss: Double?
    /// The learning rate of the epoch's last step.
    public var learningRate: Double
    /// Steps skipped because scaled gradients overflowed (mixed precision).
    public var skippedSteps: Int
    /// The loss scale at the epoch's end (1 in fp32).
    public var lossScale: Double
}

/// What training returns.
public struct TrainingResult: Sendable {
    /// The trained network (the best epoch's weights when early stopping is on).
    public var network: Network
    /// Every finished epoch, those before a resume included.
    public var history: [EpochRecord]
    /// Time per epoch run in this call.
    public var profiles: [EpochProfile]
    /// The epoch whose weights were kept by early stopping.
    public var bestEpoch: Int?
    /// Whether training ended before `epochs` (early stopping or the observer).
    public var stoppedEarly: Bool
}

/// Trains a `Network` with mini-batches: the settings are a Codable value,
/// every one a stored property with a documented default.
///
/// ```swift
/// var trainer = NetworkTrainer(loss: .binaryCrossEntropy(labelSmoothing: 0))
/// trainer.epochs = 20
/// trainer.schedule = .cosine(minimumFactor: 0)
/// let result = try trainer.train(network, on: data, validation: held)
/// ```
///
/// Each epoch shuffles the rows with a `Xoshiro256` seeded from `seed`
/// (the same generator draws dropout masks), then takes optimizer steps on
/// effective batches of `batchSize × accumulationSteps` rows, each computed
/// as `accumulationSteps` memory batches whose gradients add up: the loss
/// is divided by the effective batch's total weight, so the gradient equals
/// the large batch's (to float rounding; not with batch norm, whose
/// statistics are per memory batch). Every buffer is allocated before the
/// first step. The result is the same bit for bit for the same data, seed
/// and settings, whatever `threads` (GEMM sums in a fixed order).
public struct NetworkTrainer: Codable, Sendable, Equatable {
    /// The loss minimized.
    public var loss: Loss
    /// Passes over the training rows.
    public var epochs = 10
    /// Rows per forward/backward pass (memory batch).
    public var batchSize = 256
    /// Memory batches per optimizer step (gradient accumulation).
    public var accumulationSteps = 1
    /// The update rule.
    public var optimizer = Optimizer.adamDefault
    /// The base learning rate.
    public var learningRate = 1e-3
    /// L2 (SGD, Adam) or decoupled (AdamW) weight decay, on every parameter as PyTorch does.
    public var weightDecay = 0.0
    /// The learning-rate schedule over steps.
    public var schedule = LearningRateSchedule.constant
    /// Steps of linear warmup from lr/warmupSteps to lr (not for one-cycle).
    public var warmupSteps = 0
    /// Cuts the rate when the monitored loss stalls (nil: off).
    public var plateau: ReduceOnPlateau? = nil
    /// Clip gradients to this global L2 norm (nil: off).
    public var gradientClipNorm: Double? = nil
    /// Per-class weights multiplying row weights (classification; nil: none).
    public var classWeights: [Double]? = nil
    /// Stop after this many epochs without a better monitored loss (the
    /// validation loss, or the training loss without validation) and keep
    /// the best epoch's weights; nil: run every epoch.
    public var earlyStoppingPatience: Int? = nil
    /// Storage precision of weights and activations in the passes.
    public var precision = Precision.float32
    /// Mixed precision's first loss scale (PyTorch's `GradScaler` default,
    /// 2¹⁶): halved at every step whose gradients overflow (the step is
    /// skipped), doubled after 2000 steps without overflow.
    public var initialLossScale = 65_536.0
    /// Seeds shuffling and dropout.
    public var seed: UInt64 = 0
    /// Threads for the matrix products (nil: all cores); results do not depend on it.
    public var threads: Int? = 1
    /// Where checkpoints go (nil: none). The folder must exist.
    public var checkpointDirectory: String? = nil
    /// Write a checkpoint after every this many epochs (and after the last).
    public var checkpointEvery = 1

    /// Creates settings with the defaults above.
    public init(loss: Loss) { self.loss = loss }

    /// The checkpoint file inside `checkpointDirectory`.
    public static let checkpointFileName = "checkpoint.pareto"

    /// Throws `NeuralError` for a setting out of range.
    public func validate() throws {
        try loss.validate()
        try optimizer.validate()
        try schedule.validate()
        try plateau?.validate()
        try NeuralError.check(epochs, "epochs", atLeast: 1)
        try NeuralError.check(batchSize, "batchSize", atLeast: 1)
        try NeuralError.check(accumulationSteps, "accumulationSteps", atLeast: 1)
        try NeuralError.check(learningRate, "learningRate", in: 1e-12...1e3, hint: "typical rates are 1e-4 to 1e-1")
        try NeuralError.check(weightDecay, "weightDecay", in: 0...1e3)
        try NeuralError.check(warmupSteps, "warmupSteps", atLeast: 0)
        try NeuralError.check(checkpointEvery, "checkpointEvery", atLeast: 1)
        try NeuralError.check(initialLossScale, "initialLossScale", in: 1...1e30)
        if let gradientClipNorm { try NeuralError.check(gradientClipNorm, "gradientClipNorm", in: 1e-12...1e12) }
        if let earlyStoppingPatience { try NeuralError.check(earlyStoppingPatience, "earlyStoppingPatience", atLeast: 1) }
        if let classWeights {
            for (i, w) in classWeights.enumerated() where !(w.isFinite && w >= 0) {
                throw NeuralError("classWeights[\(i)]", "must be finite and ≥ 0, not \(w)")
            }
        }
    }

    /// These settings with the fields that may change between a run and its
    /// resume (threads, checkpoint placement) blanked.
    var resumable: NetworkTrainer {
        var copy = self
        copy.threads = nil
        copy.checkpointDirectory = nil
        copy.checkpointEvery = 1
        return copy
    }

    /// Trains `network` on `data` and returns the trained copy.
    ///
    /// `observer` sees every epoch (`"train loss"`, `"valid loss"`,
    /// `"learning rate"`) and may stop training. With `resume` and a
    /// checkpoint in `checkpointDirectory`, training continues from it
    /// exactly (same final weights, bit for bit, as a run never stopped);
    /// without a checkpoint there it starts afresh.
    ///
    /// - Throws: `NeuralError` for bad settings or data (NaN features, no
    ///   rows, targets that do not fit the loss); `FileError` for an
    ///   unreadable, truncated, corrupt or future-version checkpoint, or one
    ///   written with other settings.
    public func train(_ network: Network, on data: TrainingData, validation: TrainingData? = nil,
                      observer: (any TrainingObserver)? = nil, resume: Bool = false) throws -> TrainingResult {
        try validate()
        let plan = try NetworkPlan(network.architecture)
        try data.check(for: plan, loss: loss, name: "training")
        try validation?.check(for: plan, loss: loss, name: "validation")
        switch loss {
        case .softmaxCrossEntropy:
            guard plan.outputWidth >= 2 else {
                throw NeuralError("loss", "softmax cross-entropy needs 2 or more outputs, the network has \(plan.outputWidth)")
            }
        default:
            guard plan.outputWidth == 1 else {
                throw NeuralError("loss", "this loss reads one output per row, the network has \(plan.outputWidth)",
                                  hint: "end the network with .dense(1), or use softmax cross-entropy")
            }
        }
        var run = try TrainingRun(settings: self, plan: plan, network: network, data: data, validation: validation)
        if resume, let directory = checkpointDirectory {
            let path = directory + "/" + Self.checkpointFileName
            if fileExists(path) { try run.restore(from: path) }
        }
        return try run.train(observer: observer)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }
