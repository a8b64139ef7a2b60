#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only hash table from category texts (their UTF-8 bytes) to their
/// index in a fixed list, for looking a row's category up without building
/// a `String` or hashing through `Hashable` (both can allocate).
///
/// Layout: the levels' bytes back to back in one buffer, their start
/// offsets, and an open-addressing slot array (a power of two, at most half
/// full) of level indices, probed linearly from an FNV-1a hash.
///
/// Cost: building is O(total bytes); a lookup hashes the text once and
/// compares bytes with the few levels in its probe run; no allocation.
struct BundleLevelTable: Sendable {
    /// The levels, in index order.
    let levels: [String]
    private let bytes: [UInt8]
    private let starts: [Int]
    private let slots: [Int32]
    private let mask: Int

    /// A table of `levels`; a repeated level keeps its first index.
    init(_ levels: [String]) {
        self.levels = levels
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        for level in levels {
            bytes.append(contentsOf: level.utf8)
            starts.append(bytes.count)
        }
        var capacity = 8
        while capacity < 2 * max(1, levels.count) { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { all in
            for index in levels.indices {
                let text = UnsafeBufferPointer(rebasing: all[starts[index]..<starts[index + 1]])
                var slot = Int(truncatingIfNeeded: Self.hash(text)) & mask
                var duplicate = false
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    if Self.equal(text, UnsafeBufferPointer(rebasing: all[starts[other]..<starts[other + 1]])) {
                        duplicate = true
                        break
                    }
                    slot = (slot + 1) & mask
                }
                if !duplicate { slots[slot] = Int32(index) }
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.slots = slots
        self.mask = mask
    }

    /// FNV-1a, 64 bits.
    @inline(__always)
    static func hash(_ text: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// The index of the level whose bytes are `text`, or −1.
    func index(of text: UnsafeBufferPointer<UInt8>) -> Int32 {
        var slot = Int(truncatingIfNeeded: Self.hash(text)) & mask
        return bytes.withUnsafeBufferPointer { all in
            starts.withUnsafeBufferPointer { starts in
                slots.withUnsafeBufferPointer { slots in
                    while true {
                        let candidate = slots[slot]
                        if candidate < 0 { return -1 }
                        let i = Int(candidate)
                        if Self.equal(text, UnsafeBufferPointer(rebasing: all[starts[i]..<starts[i + 1]])) { return candidate }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// The index of `level`, or −1 (allocation-free for native strings).
    func index(of level: String) -> Int32 {
        var level = level
        return level.withUTF8 { index(of: $0) }
    }
}
