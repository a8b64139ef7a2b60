#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A monotonic wall-clock timer, started when created.
///
/// ```swift
/// let clock = Stopwatch()
/// work()
/// print(clock.seconds)
/// ```
/// Cost: one `clock_gettime` call per read (tens of nanoseconds).
public struct Stopwatch: Sendable {
    private let start: UInt64

    /// Starts timing now.
    public init() { start = Stopwatch.nowNanoseconds() }

    /// Nanoseconds since an arbitrary fixed point, never going backwards.
    public static func nowNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Nanoseconds since this stopwatch started.
    public var nanoseconds: UInt64 { Stopwatch.nowNanoseconds() &- start }

    /// Seconds since this stopwatch started.
    public var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Reads this process's memory use from the operating system.
public enum MemoryProbe {
    /// The highest resident set size this process has reached, in bytes
    /// (`getrusage`'s `ru_maxrss`, and never below the current size).
    public static var peakResidentBytes: Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)  // bytes on Darwin
        #else
        // Linux updates the high-water mark lazily (per-thread RSS counters are
        // folded in from time to time), so it can trail the current size seen
        // in /proc; a peak is never below the present.
        return max(Int(usage.ru_maxrss) * 1024, currentResidentBytes ?? 0)  // ru_maxrss: kilobytes on Linux
        #endif
    }

    /// The current resident set size in bytes, or `nil` where the system
    /// does not expose it (read from `/proc/self/statm` on Linux).
    public static var currentResidentBytes: Int? {
        #if os(Linux)
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var size = 0, resident = 0
        guard fscanf_statm(file, &size, &resident) else { return nil }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// Memory the system can still give out without swapping, in bytes
    /// (`MemAvailable` in `/proc/meminfo` on Linux), or `nil` where unknown.
    public static var availableBytes: Int? {
        #if os(Linux)
        guard let file = fopen("/proc/meminfo", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard line.hasPrefix("MemAvailable:") else { continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
        #else
        return nil
        #endif
    }

    #if os(Linux)
    private static func fscanf_statm(_ file: UnsafeMutablePointer<FILE>, _ size: inout Int, _ resident: inout Int) -> Bool {
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return false }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let s = Int(fields[0]), let r = Int(fields[1]) else { return false }
        size = s
        resident = r
        return true
    }
    #endif
}
