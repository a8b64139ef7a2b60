import Foundation
import Testing
import ParetoCore

@Suite("Stopwatch and MemoryProbe")
struct ProbesTests {
    @Test("nowNanoseconds never goes backwards")
    func monotonic() {
        var previous = Stopwatch.nowNanoseconds()
        for _ in 0..<10_000 {
            let now = Stopwatch.nowNanoseconds()
            #expect(now >= previous)
            previous = now
        }
        let clock = Stopwatch()
        let first = clock.nanoseconds
        let second = clock.nanoseconds
        #expect(second >= first)
    }

    @Test("a stopwatch measures a 20 ms sleep as between 19 ms and 2 s")
    func measuresSleep() {
        let clock = Stopwatch()
        let reference = Date()
        usleep(20_000)
        let seconds = clock.seconds
        let foundation = Date().timeIntervalSince(reference)
        #expect(seconds >= 0.019, "measured \(seconds) s")
        #expect(seconds < 2.0, "measured \(seconds) s")
        // Agrees with Foundation's wall clock to within 50 ms.
        #expect(abs(seconds - foundation) < 0.05, "\(seconds) vs \(foundation)")
        // seconds is nanoseconds / 1e9.
        let nanos = clock.nanoseconds
        #expect(Double(nanos) / 1e9 >= seconds)
    }

    @Test("peak resident memory covers a touched 64 MB allocation")
    func peakMemoryGrows() throws {
        let size = 64 << 20
        // Current first, then peak: other tests allocate concurrently, so a
        // current reading taken after the peak reading may exceed it. (Linux's
        // own high-water mark trails the current size; the probe takes the
        // larger, so only memory freed between the two reads can show here.)
        let currentBefore = try #require(MemoryProbe.currentResidentBytes)
        let peakBefore = MemoryProbe.peakResidentBytes
        #expect(peakBefore >= currentBefore - (1 << 20))
        let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { memory.deallocate() }
        memset(memory, 1, size)  // touch every page so it becomes resident
        let currentDuring = try #require(MemoryProbe.currentResidentBytes)
        let peakAfter = MemoryProbe.peakResidentBytes
        #expect(memory.load(fromByteOffset: size - 1, as: UInt8.self) == 1)
        // Loose: other tests running at the same time may free memory meanwhile.
        #expect(currentDuring - currentBefore >= 32 << 20, "current \(currentBefore) → \(currentDuring)")
        #expect(peakAfter >= peakBefore)
        #expect(peakAfter >= currentDuring - (1 << 20), "peak \(peakAfter) < current \(currentDuring)")
        #expect(peakAfter >= currentBefore + (32 << 20))
    }

    @Test("available memory agrees with /proc/meminfo and sysconf's bounds")
    func availableMemory() throws {
        #if os(Linux)
        let available = try #require(MemoryProbe.availableBytes)
        let total = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        // Read independently: Foundation's view of the same file.
        let text = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("MemAvailable:") })
        let kilobytes = try #require(Int(line.split(separator: " ")[1]))
        #expect(abs(available - kilobytes * 1024) < 256 << 20, "memory moves a little between the two reads")
        #expect(available > 0 && available <= total)
        #endif
    }
}
