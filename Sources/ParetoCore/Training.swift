/// What an observer tells a training loop after a step.
public enum TrainingDecision: Sendable, Equatable {
    /// Keep training.
    case `continue`
    /// Stop now (a pruner's verdict, a user's interrupt, a time budget).
    case stop
}

/// Called once per boosting round or epoch: progress bars, pruning of bad
/// trials and checkpoints hang off this one hook.
///
/// `metrics` holds the validation metrics of the step by name (for example
/// `["valid logloss": 0.31]`); it is empty without validation data.
public protocol TrainingObserver: Sendable {
    /// Receives step `index` (0-based) and decides whether training goes on.
    func step(_ index: Int, metrics: [String: Double]) -> TrainingDecision
}

/// An observer from a closure.
public struct ClosureObserver: TrainingObserver {
    private let body: @Sendable (Int, [String: Double]) -> TrainingDecision

    /// Wraps `body`.
    public init(_ body: @escaping @Sendable (Int, [String: Double]) -> TrainingDecision) { self.body = body }

    public func step(_ index: Int, metrics: [String: Double]) -> TrainingDecision { body(index, metrics) }
}
