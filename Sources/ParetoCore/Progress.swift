#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives progress of a long task: loading, training rounds, trials.
///
/// A task calls `begin` once, `advance` as work completes, and `finish` once.
/// Implementations must be cheap to call: a reporter decides itself how often
/// to redraw. Thread-safe implementations may be advanced from many workers.
public protocol ProgressReporter: Sendable {
    /// Starts a task of `total` units (`nil` when the total is unknown).
    func begin(_ label: String, total: Int?)
    /// Records `units` more completed units.
    func advance(by units: Int)
    /// Ends the task, with an optional one-line result.
    func finish(_ summary: String?)
    /// Shows a short status beside the progress (such as the latest
    /// validation metric); reporters that show nothing ignore it.
    func status(_ text: String)
}

extension ProgressReporter {
    public func status(_ text: String) {}
}

/// A reporter that shows nothing: the default when output is not a terminal.
public struct SilentProgress: ProgressReporter {
    /// Creates a silent reporter.
    public init() {}
    public func begin(_ label: String, total: Int?) {}
    public func advance(by units: Int) {}
    public func finish(_ summary: String?) {}
}

/// A one-line progress bar on standard error, redrawn at most ten times a
/// second: `loading  [#########-----------]  45%  1.2 s`.
///
/// Thread-safe: `advance` may be called from any worker.
public final class TerminalProgressBar: ProgressReporter, @unchecked Sendable {
    private let lock = Lock()
    private let width: Int
    private var label = ""
    private var total: Int?
    private var done = 0
    private var started = Stopwatch()
    private var lastDraw: Double = -1
    private var statusText = ""

    /// Creates a bar `width` characters wide (at least 1).
    public init(width: Int = 30) { self.width = max(1, width) }

    public func begin(_ label: String, total: Int?) {
        lock.withLock {
            self.label = label
            self.total = total
            done = 0
            started = Stopwatch()
            lastDraw = -1
            draw(force: true)
        }
    }

    public func advance(by units: Int) {
        lock.withLock {
            done += units
            draw(force: false)
        }
    }

    /// Shows `text` after the bar from the next redraw on.
    public func status(_ text: String) {
        lock.withLock { statusText = text }
    }

    public func finish(_ summary: String?) {
        lock.withLock {
            let seconds = started.seconds
            let line = "\(label)  \(summary ?? "done")  (\(Self.format(seconds: seconds)))"
            Self.write("\r\u{1B}[2K" + line + "\n")
        }
    }

    private func draw(force: Bool) {
        let now = started.seconds
        guard force || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        var line = "\r\u{1B}[2K\(label)  "
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled)
                + String(repeating: "-", count: width - filled) + "]"
            line += "  \(Int(fraction * 100))%"
        } else {
            line += "\(done)"
        }
        line += "  " + Self.format(seconds: now)
        if !statusText.isEmpty { line += "  " + statusText }
        Self.write(line)
    }

    static func format(seconds: Double) -> String {
        let tenths = (seconds * 10).rounded()
        return "\(tenths / 10) s"
    }

    private static func write(_ text: String) { writeToStandardError(text) }
}

/// Chooses a reporter: a progress bar when standard error is a terminal,
/// silence otherwise (logs, pipes, CI).
public func automaticProgressReporter() -> any ProgressReporter {
    isatty(2) != 0 ? TerminalProgressBar() : SilentProgress()
}

/// A small mutual-exclusion lock over `pthread_mutex_t`.
///
/// Used where a few fields must change together from many threads; keep
/// critical sections short.
public final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    /// Creates an unlocked lock.
    public init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` while holding the lock.
    @inlinable
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lockMutex()
        defer { unlockMutex() }
        return try body()
    }

    @usableFromInline func lockMutex() { pthread_mutex_lock(mutex) }
    @usableFromInline func unlockMutex() { pthread_mutex_unlock(mutex) }
}
