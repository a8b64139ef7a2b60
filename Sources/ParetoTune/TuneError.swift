import ParetoCore

/// A problem with a study, a trial, a parameter or a search space.
///
/// Switch on `kind` for the cause; `description` names the parameter, trial
/// or study and says what to do.
public struct TuneError: ParetoError, Equatable {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Hashable {
        /// A parameter's range has no values (low above high, a step wider than the range).
        case emptyRange
        /// A bound is NaN or infinite, or a step is not positive.
        case invalidBound
        /// A log-scaled parameter's low bound is not positive.
        case logNeedsPositiveLow
        /// A log-scaled parameter also has a step (the two do not combine).
        case logWithStep
        /// A categorical parameter has no choices, or two equal ones.
        case invalidChoices
        /// A parameter was suggested again in the same trial with another distribution.
        case conflictingDistribution
        /// A value lies outside its parameter's distribution.
        case valueOutsideDistribution
        /// A study with this name already exists in the storage.
        case studyExists
        /// No study with this name (or key) exists in the storage.
        case studyNotFound
        /// No trial with this number exists in the study.
        case trialNotFound
        /// A write to a finished (complete, pruned or failed) trial.
        case trialFinished
        /// A write that needs a running trial reached a waiting one.
        case trialNotRunning
        /// The number of objective values does not match the study's directions.
        case wrongValueCount
        /// An objective value is NaN.
        case invalidValue
        /// A study needs at least one direction.
        case noDirections
        /// A search-space file or value is malformed.
        case invalidSearchSpace
        /// An option of a sampler, pruner or study is out of range.
        case invalidOption
    }

    /// What kind of problem this is.
    public let kind: Kind
    /// What went wrong, naming the parameter, trial or study.
    public let message: String
    /// What to do about it.
    public let hint: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }
}
