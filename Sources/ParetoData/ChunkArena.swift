#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reusable memory for chunk results, one region per chunk slot, kept for a
/// whole read so later blocks reuse the pages earlier blocks touched.
///
/// Why: allocating fresh buffers for every block made the kernel map and
/// zero new pages each time (half of the reader's 100,000 page faults on the
/// benchmark file). Regions come straight from `mmap` and, on Linux, ask
/// for transparent huge pages, so touching them costs one fault per 2 MB.
/// Rule: chunk `k` of a block uses slot `k` only, so parallel chunks never
/// share a region.
final class ChunkArena: @unchecked Sendable {
    private var regions: [(pointer: UnsafeMutableRawPointer, size: Int)?]

    init(slots: Int) {
        regions = Array(repeating: nil, count: slots)
    }

    deinit {
        for case let region? in regions { munmap(region.pointer, region.size) }
    }

    /// At least `bytes` of writable memory for slot `slot`, 64-byte aligned,
    /// or `nil` when the system has no memory to give. Its contents are
    /// whatever the slot held last.
    func region(slot: Int, bytes: Int) -> UnsafeMutableRawPointer? {
        if let existing = regions[slot], existing.size >= bytes { return existing.pointer }
        if let existing = regions[slot] { munmap(existing.pointer, existing.size) }
        let hugePage = 2 << 20
        let size = max(hugePage, (bytes + hugePage - 1) / hugePage * hugePage)
        guard let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pointer != MAP_FAILED
        else { return nil }
        #if os(Linux)
        _ = madvise(pointer, size, MADV_HUGEPAGE)
        #endif
        regions[slot] = (pointer, size)
        return pointer
    }
}
