import ParetoCore

/// What a pruner may look at: the study's objectives and all its trials
/// (this one included, as of the call).
public struct PruningContext: Sendable {
    /// The study's objectives.
    public let directions: [StudyDirection]
    /// Every trial of the study, in number order.
    public let trials: [TrialRecord]

    /// Creates a context; `Trial.shouldPrune` does this.
    public init(directions: [StudyDirection], trials: [TrialRecord]) {
        self.directions = directions
        self.trials = trials
    }
}

/// Decides whether a running trial should stop early: one method.
///
/// Rules: reads only the trial's reported intermediate values and the other
/// trials'; makes no random choice; answers false when it has too little
/// to go on.
public protocol Pruner: Sendable {
    /// Whether `trial` (running, with its intermediate values so far) should stop now.
    func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool
}

/// Never prunes: the default.
public struct NoPruner: Pruner {
    /// Creates the pruner.
    public init() {}

    public func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool { false }
}
