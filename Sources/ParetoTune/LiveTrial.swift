import ParetoCore

/// Thrown from an objective to say the trial was pruned (stopped early as
/// unpromising); the study records it as `pruned`, not `failed`.
///
/// ```swift
/// if try trial.shouldPrune() { throw TrialPruned() }
/// ```
public struct TrialPruned: Error, Sendable {
    /// Creates the signal.
    public init() {}
}

/// The trial an objective receives: ask it for parameter values, report
/// progress to it, and ask whether to stop.
///
/// ```swift
/// try study.optimize(nTrials: 100) { trial in
///     let lr = try trial.suggestFloat("lr", 1e-4...1e-1, log: true)
///     let booster = try trial.suggestCategorical("booster", ["gbdt", "rf"])
///     if booster == "gbdt" { _ = try trial.suggestInt("leaves", 8...256, log: true) }  // conditional space
///     return train(lr: lr)
/// }
/// ```
///
/// Rules: a parameter suggested twice returns the same value when the
/// distribution is the same, and throws `.conflictingDistribution` when it
/// is not; bad ranges throw before anything is sampled, naming the
/// parameter. One trial belongs to one thread (the objective's).
public final class Trial: @unchecked Sendable {
    /// The trial's number in its study.
    public let number: Int
    /// The study the trial belongs to.
    public let study: Study
    private var context: SamplingContext
    private var relative: [String: TrialParameter]
    private var fixedValues: [String: JSONText]
    /// The parameters suggested so far (and any fixed ones not yet suggested).
    public private(set) var parameters: [String: TrialParameter]
    private var lastHeartbeat: Double

    /// `history` is the study's trials with this one at index `number`; `columns` their finished parameters.
    init(study: Study, number: Int, record: TrialRecord, history: [TrialRecord], columns: ObservationColumns?, now: Double) {
        self.study = study
        self.number = number
        self.parameters = record.parameters
        let fixed = (try? record.userAttributes[Study.fixedParametersKey]?.decode([String: PlainJSON].self)) ?? [:]
        self.fixedValues = fixed.compactMapValues { try? JSONText(encoding: $0) }
        self.context = SamplingContext(directions: study.directions, trialNumber: number, history: history,
                                       ownIndex: number, columns: columns, seed: study.sampler.seed)
        self.relative = [:]
        self.lastHeartbeat = now
        self.relative = study.sampler.sampleRelative(&context)
    }

    // MARK: suggestions

    /// A real value in `range`, on a log scale when `log`, on the grid
    /// `low, low + step, …` when `step` is given.
    ///
    /// - Throws: `TuneError` (`.logNeedsPositiveLow`, `.logWithStep`,
    ///   `.invalidBound`, `.conflictingDistribution`), naming the parameter.
    public func suggestFloat(_ name: String, _ range: ClosedRange<Double>, log: Bool = false, step: Double? = nil) throws -> Double {
        try suggestFloat(name, low: range.lowerBound, high: range.upperBound, log: log, step: step)
    }

    /// A real value in `[low, high]`; as `suggestFloat(_:_:log:step:)`, and
    /// throws `.emptyRange` when `low > high` (bounds computed at run time).
    public func suggestFloat(_ name: String, low: Double, high: Double, log: Bool = false, step: Double? = nil) throws -> Double {
        let distribution = ParameterDistribution.float(try FloatDistribution(low: low, high: high, log: log, step: step, name: name))
        return try suggest(name, distribution)
    }

    /// An integer in `range`, on a log scale when `log`, every `step`-th from the low end.
    ///
    /// - Throws: `TuneError` as `suggestFloat`, naming the parameter.
    public func suggestInt(_ name: String, _ range: ClosedRange<Int>, log: Bool = false, step: Int = 1) throws -> Int {
        try suggestInt(name, low: range.lowerBound, high: range.upperBound, log: log, step: step)
    }

    /// An integer in `[low, high]`; throws `.emptyRange` when `low > high`.
    public func suggestInt(_ name: String, low: Int, high: Int, log: Bool = false, step: Int = 1) throws -> Int {
        let distribution = ParameterDistribution.int(try IntDistribution(low: low, high: high, log: log, step: step, name: name))
        return Int(try suggest(name, distribution))
    }

    /// One of `choices`: any `Codable & Hashable` values (strings, numbers,
    /// enums, small structs).
    ///
    /// - Throws: `.invalidChoices` for no or repeated choices, or an
    ///   encoding error for a choice that cannot be written as JSON.
    public func suggestCategorical<T: Codable & Hashable>(_ name: String, _ choices: [T]) throws -> T {
        let texts = try choices.map { try JSONText(encoding: $0) }
        let distribution = ParameterDistribution.categorical(try CategoricalDistribution(choices: texts, name: name))
        return choices[Int(try suggest(name, distribution))]
    }

    /// The internal value of parameter `name` from `distribution`: the value
    /// already set, a fixed (enqueued) value, the joint sample's value, or a
    /// fresh independent sample, in that order of preference.
    func suggest(_ name: String, _ distribution: ParameterDistribution) throws -> Double {
        if let existing = parameters[name] {
            guard existing.distribution == distribution else {
                throw TuneError(.conflictingDistribution,
                                "parameter \"\(name)\" was already suggested in trial \(number) from \(existing.distribution), now from \(distribution)",
                                hint: "give each distinct parameter its own name")
            }
            return existing.internalValue
        }
        let value: Double
        if let fixed = fixedValues[name], let v = Trial.internalValue(of: fixed, in: distribution) {
            value = v
        } else if let joint = relative[name], joint.distribution == distribution {
            value = joint.internalValue
        } else if distribution.isSingleValue {
            value = RandomSampler.fromUnit(0, distribution)
        } else {
            value = study.sampler.sampleIndependent(name, distribution, &context)
        }
        let parameter = TrialParameter(distribution: distribution, internalValue: value)
        try study.storage.setParameter(studyID: study.id, trial: number, name: name, parameter)
        parameters[name] = parameter
        return value
    }

    /// The internal value of a user-fixed value (its JSON text) in a
    /// distribution, or `nil` when it does not belong.
    static func internalValue(of fixed: JSONText, in distribution: ParameterDistribution) -> Double? {
        switch distribution {
        case .float, .int:
            guard let v = Double(fixed.text), distribution.contains(v) else { return nil }
            return v
        case .categorical(let d):
            return d.choices.firstIndex(of: fixed).map(Double.init)
        }
    }

    // MARK: progress and pruning

    /// Reports the objective's value after `step` (an epoch, a boosting round).
    public func report(_ value: Double, step: Int) throws {
        try report([value], step: step)
    }

    /// Reports one value per objective (or any vector a pruner understands) after `step`.
    public func report(_ values: [Double], step: Int) throws {
        try study.storage.reportIntermediate(studyID: study.id, trial: number, step: step, values: values)
        try beatIfDue()
    }

    /// Whether the study's pruner says to stop this trial now (then throw `TrialPruned()`).
    ///
    /// Cost: one read of the study's new and unfinished trials (see
    /// `Study.trials`) plus the pruner's work.
    public func shouldPrune() throws -> Bool {
        let trials = try study.cache.refresh(study.storage, studyID: study.id)
        guard trials.indices.contains(number) else { return false }
        return study.pruner.shouldPrune(trials[number], PruningContext(directions: study.directions, trials: trials))
    }

    /// Attaches a value the user wants kept with the trial (a metric, a note).
    public func setUserAttribute<T: Encodable>(_ key: String, _ value: T) throws {
        try study.storage.setUserAttribute(studyID: study.id, trial: number, key: key, value: try JSONText(encoding: value))
    }

    /// Sends a heartbeat when the study uses them and the interval has passed.
    func beatIfDue() throws {
        guard let interval = study.heartbeatInterval else { return }
        let now = wallClock()
        if now - lastHeartbeat >= interval {
            try study.storage.heartbeat(studyID: study.id, trial: number, now: now)
            lastHeartbeat = now
        }
    }
}
