#if os(Linux)
import Glibc
import Synchronization

/// The threads behind `Parallel` on Linux: one worker per processor but
/// one, kept alive for the life of the process, that spin briefly and then
/// sleep between jobs, with the calling thread taking part in every job.
///
/// Why not `DispatchQueue.concurrentPerform`: on Linux, libdispatch wakes
/// its threads lazily, and a parallel section under about a millisecond ran
/// no faster on two threads than on one (`pareto-bench parallel`: a 100 µs
/// loop took 148 µs through `concurrentPerform` against 94 µs serially,
/// and 66 µs through this pool). Tree learning forks thousands of such
/// sections per model.
///
/// Rules: one job at a time. A call made while a job runs (a nested
/// parallel loop inside a job's body, or another thread's loop) runs
/// serially on its own thread, so nothing can deadlock and the total number
/// of busy threads never exceeds the processors. Iterations are claimed
/// from a shared counter; which thread runs which iteration does not affect
/// results, since callers write per-iteration slots.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, Parallel.activeProcessorCount - 1))

    /// How many times a worker polls for the next job before sleeping: some
    /// tens of microseconds, longer than the serial gaps between a tree
    /// learner's parallel sections.
    private static let spinLimit = 300_000

    private let workerCount: Int
    /// Set while a job runs; taken with a compare-exchange so that a second
    /// caller knows to run serially.
    private let busy = Atomic<Bool>(false)
    /// Bumped once per job; workers wait for it to change.
    private let generation = Atomic<UInt64>(0)
    /// The next iteration to claim, and how many have finished.
    private let nextIteration = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Workers inside the current job (they may still hold its body).
    private let inside = Atomic<Int>(0)
    /// Workers asleep on `condition` (so the caller signals only when needed).
    private let sleepers = Atomic<Int>(0)

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The current job, guarded by `mutex`: workers may join only while it is open.
    private var body: ((Int) -> Void)?
    private var iterations = 0
    private var open = false

    private init(workers: Int) {
        workerCount = workers
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 0..<workers {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            pthread_create(&thread, nil, { context in
                let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
                pool.workerLoop()
                return nil
            }, context)
            pthread_detach(thread)
        }
    }

    /// Runs `body(i)` for every `i` in `0..<iterations`, on the workers and
    /// the calling thread, returning when all are done. Returns `false`
    /// without running anything when another job holds the pool (the caller
    /// then runs the loop itself).
    func run(iterations count: Int, _ body: (Int) -> Void) -> Bool {
        guard workerCount > 0,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        withoutActuallyEscaping(body) { body in
            pthread_mutex_lock(mutex)
            self.body = body
            iterations = count
            open = true
            nextIteration.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            generation.wrappingAdd(1, ordering: .releasing)
            if sleepers.load(ordering: .relaxed) > 0 { pthread_cond_broadcast(condition) }
            pthread_mutex_unlock(mutex)
            claimAll(body, count)
            waitUntil { self.finished.load(ordering: .acquiring) == count }
            // Close the job, then wait for workers that joined it to leave
            // (they hold `body`, which must not outlive this call).
            pthread_mutex_lock(mutex)
            open = false
            self.body = nil
            pthread_mutex_unlock(mutex)
            waitUntil { self.inside.load(ordering: .acquiring) == 0 }
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func waitUntil(_ done: () -> Bool) {
        var spins = 0
        while !done() {
            spins += 1
            if spins > 2_000 { sched_yield() }
        }
    }

    private func claimAll(_ body: (Int) -> Void, _ count: Int) {
        while true {
            let i = nextIteration.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
            finished.wrappingAdd(1, ordering: .releasing)
        }
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            // Spin a while for the next job, then sleep until it comes.
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < Self.spinLimit { spins += 1 }
            pthread_mutex_lock(mutex)
            if generation.load(ordering: .acquiring) == seen {
                sleepers.wrappingAdd(1, ordering: .relaxed)
                while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(condition, mutex) }
                sleepers.wrappingSubtract(1, ordering: .relaxed)
            }
            seen = generation.load(ordering: .acquiring)
            if joinAndRun() { inside.wrappingSubtract(1, ordering: .releasing) }
        }
    }

    /// With `mutex` held: joins the open job, if any, and runs its
    /// iterations. Returns whether it joined. Its reference to the job's
    /// body ends with this call, before the caller may see `inside` drop
    /// (the body must not outlive `run`).
    @inline(never)
    private func joinAndRun() -> Bool {
        guard open, let job = body else {
            pthread_mutex_unlock(mutex)
            return false
        }
        let count = iterations
        inside.wrappingAdd(1, ordering: .relaxed)
        pthread_mutex_unlock(mutex)
        claimAll(job, count)
        return true
    }
}
#endif
