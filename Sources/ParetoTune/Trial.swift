import ParetoCore

/// Whether an objective is to be made small or large.
public enum StudyDirection: String, Codable, Sendable, Hashable, CaseIterable {
    /// Smaller values are better (a loss, a latency).
    case minimize
    /// Larger values are better (an accuracy, an AUC).
    case maximize
}

/// A study as its storage knows it: a unique name, the storage's key for it,
/// and one direction per objective.
///
/// A study with one direction is single-objective; with several, every
/// complete trial reports one value per direction, in this order.
public struct StudyRecord: Codable, Sendable, Hashable {
    /// The storage's key for the study (a row id in a database).
    public var id: Int
    /// The study's name, unique within its storage.
    public var name: String
    /// One direction per objective, in the order the objective returns its values.
    public var directions: [StudyDirection]

    /// Creates a record; storages make these, users read them.
    public init(id: Int, name: String, directions: [StudyDirection]) {
        self.id = id
        self.name = name
        self.directions = directions
    }
}

/// Where a trial is in its life.
///
/// `waiting` → `running` → one of `complete`, `pruned`, `failed`. The last
/// three are *finished*: a storage refuses any further write to them.
public enum TrialState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Queued with fixed parameters (`enqueueTrial`, or a dead worker's re-queued
    /// trial), not yet claimed by a worker.
    case waiting
    /// A worker is evaluating it.
    case running
    /// The objective returned its values.
    case complete
    /// A pruner stopped it early; its last intermediate values stand for it.
    case pruned
    /// The objective threw, returned NaN, or its worker stopped sending heartbeats.
    case failed

    /// True for `complete`, `pruned` and `failed`: the states nothing may change.
    public var isFinished: Bool {
        switch self {
        case .complete, .pruned, .failed: true
        case .waiting, .running: false
        }
    }
}

/// One parameter of one trial: the distribution it was drawn from and its
/// value in the distribution's internal form.
///
/// The internal form is one `Double` for every kind, so storages need one
/// column for it: the value itself for floats, the integer for ints, the
/// index of the choice for categoricals.
public struct TrialParameter: Codable, Sendable, Hashable {
    /// The distribution the value was drawn from.
    public var distribution: ParameterDistribution
    /// The value in internal form (see the type's summary).
    public var internalValue: Double

    /// Pairs a distribution with an internal value.
    public init(distribution: ParameterDistribution, internalValue: Double) {
        self.distribution = distribution
        self.internalValue = internalValue
    }

    /// The value as the user sees it: a number, or the JSON text of a categorical choice.
    public var displayValue: JSONText {
        distribution.externalValue(internalValue)
    }
}

/// Everything a storage knows about one trial: a value snapshot.
///
/// Reading a study's trials gives these; they never change behind the
/// reader's back. (The live object an objective receives is `Trial`.)
public struct TrialRecord: Codable, Sendable, Hashable {
    /// The trial's number in its study: 0, 1, 2, … without gaps, in creation order.
    public var number: Int
    /// Where the trial is in its life.
    public var state: TrialState
    /// The parameters suggested (or fixed) so far, by name.
    public var parameters: [String: TrialParameter]
    /// One value per study direction once `complete`; `nil` before, and for
    /// pruned or failed trials.
    public var values: [Double]?
    /// Values reported while the trial ran, by step (one per objective, or
    /// however many the objective reports).
    public var intermediateValues: [Int: [Double]]
    /// Free-form attributes the user attached, as JSON texts.
    public var userAttributes: [String: JSONText]
    /// When the trial started running, in seconds since 1970 (`nil` while waiting).
    public var startedAt: Double?
    /// When the trial finished, in seconds since 1970.
    public var completedAt: Double?
    /// The last heartbeat from its worker, in seconds since 1970; `nil` if the
    /// worker never sent one (such trials are never declared dead).
    public var heartbeatAt: Double?
    /// Who runs (or ran) the trial: free text, e.g. `host:pid:thread`.
    public var workerID: String?
    /// For a trial re-queued after its worker died: the number of the dead trial.
    public var retryOf: Int?

    /// Creates a record; storages make these.
    public init(
        number: Int, state: TrialState, parameters: [String: TrialParameter] = [:], values: [Double]? = nil,
        intermediateValues: [Int: [Double]] = [:], userAttributes: [String: JSONText] = [:],
        startedAt: Double? = nil, completedAt: Double? = nil, heartbeatAt: Double? = nil,
        workerID: String? = nil, retryOf: Int? = nil
    ) {
        self.number = number
        self.state = state
        self.parameters = parameters
        self.values = values
        self.intermediateValues = intermediateValues
        self.userAttributes = userAttributes
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.heartbeatAt = heartbeatAt
        self.workerID = workerID
        self.retryOf = retryOf
    }

    /// The single objective value of a complete single-objective trial.
    public var value: Double? {
        guard let values, values.count == 1 else { return nil }
        return values[0]
    }

    /// The intermediate values reported at the highest step, if any.
    public var lastIntermediate: (step: Int, values: [Double])? {
        guard let step = intermediateValues.keys.max() else { return nil }
        return (step, intermediateValues[step]!)
    }

    /// Seconds from start to completion, when both are known.
    public var duration: Double? {
        guard let startedAt, let completedAt else { return nil }
        return completedAt - startedAt
    }
}
