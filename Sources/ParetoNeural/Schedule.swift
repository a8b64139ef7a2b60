import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the learning rate changes over training, as a factor of the base
/// rate at each optimizer step.
///
/// `step` counts optimizer updates from 0; an epoch is `stepsPerEpoch`
/// updates; `totalSteps` covers all epochs. A linear warmup (the trainer's
/// `warmupSteps`) multiplies every schedule but one-cycle, which has its own.
public enum LearningRateSchedule: Codable, Sendable, Equatable {
    /// The base rate throughout.
    case constant
    /// Multiplied by `factor` every `everyEpochs` epochs (PyTorch's `StepLR`).
    case step(everyEpochs: Int, factor: Double)
    /// Multiplied by `factor` every epoch (PyTorch's `ExponentialLR`).
    case exponential(factor: Double)
    /// Half a cosine from the base rate down to `minimumFactor` × base over
    /// the steps after warmup (PyTorch's `CosineAnnealingLR` over the run).
    case cosine(minimumFactor: Double)
    /// One cycle (Smith; PyTorch's `OneCycleLR`, cosine annealing): from
    /// base/`initialDivisor` up to the base rate over the first
    /// `peakFraction` of the steps, then down to base/(`initialDivisor` ·
    /// `finalDivisor`).
    case oneCycle(peakFraction: Double, initialDivisor: Double, finalDivisor: Double)

    /// One-cycle with PyTorch's defaults (0.3, 25, 10⁴).
    public static let oneCycleDefault = LearningRateSchedule.oneCycle(peakFraction: 0.3, initialDivisor: 25,
                                                                      finalDivisor: 10_000)

    /// Throws `NeuralError` for a setting out of range.
    public func validate() throws {
        switch self {
        case .constant: break
        case .step(let every, let factor):
            try NeuralError.check(every, "schedule.everyEpochs", atLeast: 1)
            try NeuralError.check(factor, "schedule.factor", in: 0...1)
        case .exponential(let factor): try NeuralError.check(factor, "schedule.factor", in: 0...1)
        case .cosine(let minimum): try NeuralError.check(minimum, "schedule.minimumFactor", in: 0...1)
        case .oneCycle(let peak, let initial, let final):
            try NeuralError.check(peak, "schedule.peakFraction", in: 0...1)
            try NeuralError.check(initial, "schedule.initialDivisor", in: 1...1e12)
            try NeuralError.check(final, "schedule.finalDivisor", in: 1...1e12)
        }
    }

    /// The factor of the base rate at optimizer step `step`.
    public func factor(step: Int, stepsPerEpoch: Int, totalSteps: Int, warmupSteps: Int = 0) -> Double {
        let epoch = Double(step / max(1, stepsPerEpoch))
        var warmup = 1.0
        if warmupSteps > 0 && step < warmupSteps { warmup = Double(step + 1) / Double(warmupSteps) }
        switch self {
        case .constant: return warmup
        case .step(let every, let factor): return warmup * pow(factor, Double(step / max(1, stepsPerEpoch) / every))
        case .exponential(let factor): return warmup * pow(factor, epoch)
        case .cosine(let minimum):
            guard step >= warmupSteps else { return warmup }
            let span = max(1, totalSteps - warmupSteps)
            let progress = min(1, Double(step - warmupSteps) / Double(span))
            return minimum + (1 - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        case .oneCycle(let peak, let initialDivisor, let finalDivisor):
            let initial = 1 / initialDivisor, final = initial / finalDivisor
            let peakStep = peak * Double(totalSteps) - 1
            let last = Double(totalSteps - 1)
            func anneal(_ start: Double, _ end: Double, _ fraction: Double) -> Double {
                end + (start - end) / 2 * (1 + cos(Double.pi * fraction))
            }
            let t = Double(step)
            if t <= peakStep { return anneal(initial, 1, peakStep > 0 ? t / peakStep : 1) }
            return anneal(1, final, last > peakStep ? min(1, (t - peakStep) / (last - peakStep)) : 1)
        }
    }
}

/// Cuts the learning rate when the monitored loss stops improving
/// (PyTorch's `ReduceLROnPlateau`, mode "min", relative threshold).
///
/// After an epoch whose loss is not below `best · (1 − threshold)`, a bad
/// epoch is counted; after more than `patience` of them the rate is
/// multiplied by `factor` (not below `minimumRate`) and the count restarts.
public struct ReduceOnPlateau: Codable, Sendable, Equatable {
    /// The multiplier applied on a plateau, in (0, 1).
    public var factor: Double = 0.1
    /// Bad epochs tolerated before a cut.
    public var patience: Int = 10
    /// Relative improvement that counts as better.
    public var threshold: Double = 1e-4
    /// The lowest learning rate a cut may reach.
    public var minimumRate: Double = 0

    /// Creates the rule with PyTorch's defaults.
    public init(factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, minimumRate: Double = 0) {
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.minimumRate = minimumRate
    }

    /// Throws `NeuralError` for a setting out of range.
    public func validate() throws {
        try NeuralError.check(factor, "plateau.factor", in: 1e-12...0.999_999)
        try NeuralError.check(patience, "plateau.patience", atLeast: 0)
        try NeuralError.check(threshold, "plateau.threshold", in: 0...1)
        try NeuralError.check(minimumRate, "plateau.minimumRate", in: 0...Double.greatestFiniteMagnitude)
    }

    /// The rule's memory, saved in checkpoints.
    public struct State: Codable, Sendable, Equatable {
        /// The best loss so far.
        public var best = Double.infinity
        /// Epochs since the last improvement (or cut).
        public var badEpochs = 0
        /// The product of all cuts so far.
        public var multiplier = 1.0

        /// A fresh state.
        public init() {}
    }

    /// Records an epoch's `loss`; returns the new multiplier of the base rate `baseRate`.
    public func observe(_ loss: Double, state: inout State, baseRate: Double) -> Double {
        if loss < state.best * (1 - threshold) {
            state.best = loss
            state.badEpochs = 0
        } else {
            state.badEpochs += 1
        }
        if state.badEpochs > patience {
            state.multiplier = max(state.multiplier * factor, baseRate > 0 ? minimumRate / baseRate : 0)
            state.badEpochs = 0
        }
        return state.multiplier
    }
}
