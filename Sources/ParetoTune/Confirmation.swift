import ParetoCore

/// The last step of a tuning run: the chosen configuration measured once on
/// rows no trial has seen (an untouched test split), kept with the study.
///
/// Why it is first-class: every trial that reads the validation data makes
/// the best validation value a little more optimistic (the more trials, the
/// more the winner is chosen for its luck on those rows). The study records
/// how many trials looked (`validationTrials`), and one confirmation on
/// fresh rows gives an unbiased figure. A second confirmation is refused:
/// looking at the test split again to pick between configurations would
/// turn it into another validation split.
public struct Confirmation: Codable, Sendable, Hashable {
    /// The metric's name (`auc`, `rmse`, …).
    public var metric: String
    /// The metric's value on the test rows.
    public var value: Double
    /// How many test rows it was measured on.
    public var rows: Int
    /// The trial whose configuration was confirmed, when it came from one.
    public var trial: Int?
    /// How many trials had looked at the validation data when it was recorded.
    public var validationTrials: Int
    /// When it was recorded (seconds since 1970).
    public var recordedAt: Double

    /// Creates a confirmation record; `Study.recordConfirmation` makes and stores one.
    public init(metric: String, value: Double, rows: Int, trial: Int?, validationTrials: Int, recordedAt: Double) {
        self.metric = metric
        self.value = value
        self.rows = rows
        self.trial = trial
        self.validationTrials = validationTrials
        self.recordedAt = recordedAt
    }

    private enum CodingKeys: String, CodingKey {
        case metric, value, rows, trial
        case validationTrials = "validation_trials"
        case recordedAt = "recorded_at"
    }
}

extension Study {
    /// The study attribute that holds the confirmation (JSON of `Confirmation`).
    public static let confirmationKey = "confirmation"

    /// How many of `trials` looked at the validation data: every complete
    /// trial, and every other one that reported an intermediate value (a
    /// pruned trial was judged on validation values too). Failed trials that
    /// reported nothing, and waiting ones, did not look.
    public static func validationTrialCount(_ trials: [TrialRecord]) -> Int {
        trials.count { $0.state == .complete || !$0.intermediateValues.isEmpty }
    }

    /// How many trials of this study have looked at the validation data (see
    /// `validationTrialCount(_:)`). Cost: one incremental read of the trials.
    public var validationTrialCount: Int {
        get throws { Study.validationTrialCount(try trials) }
    }

    /// Records the one measurement of the chosen configuration on untouched
    /// test rows, with the number of trials that had looked at the
    /// validation data by then.
    ///
    /// ```swift
    /// let best = try study.bestTrial!
    /// let auc = try AUC().evaluate(model.predict(test), test)   // rows no trial saw
    /// try study.recordConfirmation(metric: "auc", value: auc, rows: test.rowCount, trial: best.number)
    /// ```
    ///
    /// - Throws: `.invalidOption` when the study already has a confirmation
    ///   (one per study, also across processes: the storage checks and writes
    ///   in one transaction), for a non-finite value, fewer than one row, or a
    ///   `trial` that is not a complete trial of the study.
    @discardableResult
    public func recordConfirmation(metric: String, value: Double, rows: Int, trial: Int? = nil) throws -> Confirmation {
        guard value.isFinite else {
            throw TuneError(.invalidOption, "study \"\(name)\": the confirmation's \(metric) must be a finite number, got \(value)")
        }
        guard rows >= 1 else {
            throw TuneError(.invalidOption, "study \"\(name)\": a confirmation needs at least one test row, got \(rows)")
        }
        let all = try trials
        if let trial {
            guard all.indices.contains(trial), all[trial].state == .complete else {
                throw TuneError(.invalidOption, "study \"\(name)\": trial \(trial) is not a complete trial of the study",
                                hint: "confirm the configuration of a complete trial, usually the best one")
            }
        }
        let record = Confirmation(metric: metric, value: value, rows: rows, trial: trial,
                                  validationTrials: Study.validationTrialCount(all), recordedAt: wallClock())
        do {
            try storage.setStudyAttribute(studyID: id, key: Study.confirmationKey, value: try JSONText(encoding: record),
                                          replacing: false)
        } catch let error as TuneError where error.kind == .invalidOption {
            let earlier = try? confirmation
            throw TuneError(.invalidOption,
                            "study \"\(name)\" already has its confirmation on test data"
                                + (earlier.map { " (\($0.metric) \($0.value) on \($0.rows) rows)" } ?? ""),
                            hint: "measure on the test split once; for another look, start a new study with a fresh test split")
        }
        return record
    }

    /// The study's confirmation on test data, or `nil` before one is recorded.
    public var confirmation: Confirmation? {
        get throws { try Study.confirmation(in: storage, studyID: id) }
    }

    /// The confirmation of the study `studyID` in `storage` (for readers
    /// that have a storage and a study record, not a `Study`).
    public static func confirmation(in storage: any StudyStorage, studyID: Int) throws -> Confirmation? {
        try storage.studyAttributes(studyID: studyID)[confirmationKey]?.decode(Confirmation.self)
    }
}
