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

    /// Every trial of the study, in number order, as of now.
    func refresh(_ storage: any StudyStorage, studyID: Int) throws -> [TrialRecord] {
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
                    return records
                }
                if !record.state.isFinished { stillOpen.append(record.number) }
            }
            unfinished = stillOpen
            return records
        }
    }
}
