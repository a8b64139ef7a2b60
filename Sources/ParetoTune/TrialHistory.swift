import ParetoCore

/// One `Study` value's copy of its study's trials, brought up to date by
/// reading only what can have changed since the last read.
///
/// Why it is correct: finished trials never change (storage guarantee 2) and
/// numbers are gap-free (guarantee 3), so after a read that saw trials
/// 0…n, the only trials that can differ from the copy are those numbered
/// above n and those that were waiting or running at that read. Each refresh
/// asks the storage for exactly those (`trials(studyID:after:including:)`).
///
/// Cost per refresh: one read of the new and unfinished trials (about
/// `nJobs` rows with one worker process) instead of the whole study, plus
/// O(unfinished) bookkeeping. The array handed out shares storage with the
/// copy until the next refresh writes to it. Thread-safe (one lock).
final class TrialHistory: @unchecked Sendable {
    private let lock = Lock()
    private var records: [TrialRecord] = []
    /// Numbers of trials that were waiting or running at the last read.
    private var unfinished: [Int] = []
    /// The finished trials' parameters by name, grown as trials finish.
    private var columns = ObservationColumns()

    /// Every trial of the study, in number order, as of now.
    func refresh(_ storage: any StudyStorage, studyID: Int) throws -> [TrialRecord] {
        try refreshWithColumns(storage, studyID: studyID).trials
    }

    /// As `refresh`, with the finished trials' parameters by name (from the same read).
    func refreshWithColumns(_ storage: any StudyStorage, studyID: Int) throws -> (trials: [TrialRecord], columns: ObservationColumns) {
        try lock.withLock {
            let fresh = try storage.trials(studyID: studyID, after: records.count - 1, including: unfinished)
            var stillOpen: [Int] = []
            for record in fresh {
                if record.number < records.count {
                    records[record.number] = record
                } else if record.number == records.count {
                    records.append(record)
                } else {
                    // A gap means the storage broke guarantee 3 or a write
                    // landed between its queries: start over from a full read.
                    records = try storage.trials(studyID: studyID, states: nil)
                    unfinished = records.filter { !$0.state.isFinished }.map(\.number)
                    columns = ObservationColumns()
                    for record in records where record.state.isFinished { columns.add(record) }
                    return (records, columns)
                }
                // A record comes back only while unfinished, so each finished one is added once.
                if record.state.isFinished { columns.add(record) } else { stillOpen.append(record.number) }
            }
            unfinished = stillOpen
            return (records, columns)
        }
    }
}

/// The parameters of a study's finished trials, by name, as arrays indexed
/// by trial number: what TPE reads for every parameter of every trial.
///
/// Why: reading them from the trial records costs a hash of the name and a
/// retain per trial and parameter; kept here they grow by one entry per
/// finished trial (finished trials never change), and a sampler reads plain
/// arrays. A value type: each trial's sampler gets a snapshot (shared until
/// the next trial finishes).
struct ObservationColumns: Sendable {
    /// One parameter's values.
    struct Column: Sendable {
        /// The distinct distributions the parameter had.
        var distributions: [ParameterDistribution] = []
        /// Per trial number: the index of its distribution in `distributions`, or −1 (absent, or not finished).
        var kinds: [Int32] = []
        /// Per trial number: the internal value (0 where absent).
        var values: [Double] = []

        mutating func set(_ number: Int, _ parameter: TrialParameter) {
            if kinds.count <= number {
                kinds.append(contentsOf: repeatElement(-1, count: number + 1 - kinds.count))
                values.append(contentsOf: repeatElement(0, count: number + 1 - values.count))
            }
            let kind: Int
            if let known = distributions.firstIndex(of: parameter.distribution) {
                kind = known
            } else {
                kind = distributions.count
                distributions.append(parameter.distribution)
            }
            kinds[number] = Int32(kind)
            values[number] = parameter.internalValue
        }
    }

    var byName: [String: Column] = [:]

    /// Adds a finished trial's parameters.
    mutating func add(_ record: TrialRecord) {
        for (name, parameter) in record.parameters {
            byName[name, default: Column()].set(record.number, parameter)
        }
    }
}
