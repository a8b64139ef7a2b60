#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for large temporary arrays (the ranking metrics' sort buffers).
///
/// Why: a fresh 80 MB buffer from `malloc` is mapped 4 KB at a time, and
/// faulting in and zeroing those pages measured at a tenth of a 10-million-row
/// ROC AUC. Blocks of 4 MB or more come straight from `mmap` and, on Linux,
/// ask for transparent huge pages (one fault per 2 MB); smaller ones use the
/// ordinary allocator. Rule: free with `deallocate` and the same count.
enum ScratchMemory {
    private static let mappedFrom = 4 << 20
    private static let hugePage = 2 << 20

    /// Uninitialized room for `count` values (at least one).
    static func allocate<T>(_: T.Type, count: Int) -> UnsafeMutableBufferPointer<T> {
        let count = max(1, count), bytes = count * MemoryLayout<T>.stride
        guard bytes >= mappedFrom else { return .allocate(capacity: count) }
        // Out of memory ends the process here, as it would in `allocate`.
        guard let pointer = mmap(nil, rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pointer != MAP_FAILED
        else { fatalError("out of memory: cannot map \(bytes) bytes of scratch memory") }
        #if os(Linux)
        _ = madvise(pointer, rounded(bytes), MADV_HUGEPAGE)
        #endif
        return UnsafeMutableBufferPointer(start: pointer.bindMemory(to: T.self, capacity: count), count: count)
    }

    /// Frees memory from `allocate`.
    static func deallocate<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        let bytes = buffer.count * MemoryLayout<T>.stride
        if bytes >= mappedFrom {
            munmap(UnsafeMutableRawPointer(buffer.baseAddress!), rounded(bytes))
        } else {
            buffer.deallocate()
        }
    }

    private static func rounded(_ bytes: Int) -> Int { (bytes + hugePage - 1) / hugePage * hugePage }
}
