/// A dictionary from byte strings to dense codes (0, 1, 2, … in order of
/// first insertion), used to dictionary-encode categorical fields straight
/// from the file's bytes.
///
/// Open addressing with linear probing over a power-of-two table; keys are
/// copied into one byte arena. A lookup hashes the bytes once (FNV-1a) and
/// compares bytes only on a hash match, so a repeated label costs no
/// allocation at all. Not thread-safe: one table per parsing chunk, merged
/// afterwards in chunk order.
struct LevelTable {
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// The number of distinct keys.
    var count: Int { hashes.count }

    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = start
        while i < end {
            h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3
            i += 1
        }
        return h ^ (h >> 29)
    }

    /// The code of `bytes[start..<end]`, inserting it if new. `isNew` tells
    /// the caller to validate the key (UTF-8) once.
    @inline(__always)
    mutating func code(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, isNew: inout Bool) -> UInt32 {
        let h = Self.hash(bytes, start, end)
        let length = end - start
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let existing = slots[slot]
            if existing < 0 { break }
            let code = Int(existing)
            if hashes[code] == h && offsets[code + 1] - offsets[code] == length
                && keyEquals(code, bytes, start, length) {
                isNew = false
                return UInt32(code)
            }
            slot = (slot + 1) & mask
        }
        let code = hashes.count
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: bytes + start, count: length))
        offsets.append(arena.count)
        slots[slot] = Int32(code)
        isNew = true
        if hashes.count * 2 > slots.count { grow() }
        return UInt32(code)
    }

    @inline(__always)
    private func keyEquals(_ code: Int, _ bytes: UnsafePointer<UInt8>, _ start: Int, _ length: Int) -> Bool {
        arena.withUnsafeBufferPointer { keys in
            let base = offsets[code]
            for k in 0..<length where keys[base + k] != bytes[start + k] { return false }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for (code, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }

    /// The bytes of key `code`.
    func key(_ code: Int) -> ArraySlice<UInt8> { arena[offsets[code]..<offsets[code + 1]] }

    /// Key `code` as a `String` (keys were validated as UTF-8 on insertion).
    func string(_ code: Int) -> String { String(decoding: key(code), as: UTF8.self) }

    /// The code of `key`, inserting it if new.
    mutating func code(of key: ArraySlice<UInt8>) -> UInt32 {
        var isNew = false
        let copy = Array(key) + [0]
        return copy.withUnsafeBufferPointer { code($0.baseAddress!, 0, key.count, isNew: &isNew) }
    }
}
