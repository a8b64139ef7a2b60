/// A stable least-significant-digit radix sort of 64-bit keys, optionally
/// moving one `Double` per key along, on several threads.
///
/// Why not the standard library's sort: ranking metrics sort millions of
/// scores, and a comparison sort pays log₂ n ≈ 23 unpredictable branches
/// per score at 10 million; this sort pays six sequential passes of 11-bit
/// digits, each a counting read and a scatter that both threads share.
/// A pass whose digit is the same in every key is skipped (common in the
/// top bits of scores that share a sign and binade).
///
/// Cost: O(n) time, the caller's scratch buffers of the same size, and
/// `threads × 6 × 2,048` counters.
public enum RadixSort {
    /// Bits per pass.
    public static let digitBits = 11
    /// Buckets per pass.
    public static let bucketCount = 1 << digitBits
    /// Passes over 64-bit keys.
    public static let passCount = (64 + digitBits - 1) / digitBits
    /// Below this many keys per thread, extra threads cost more than they save.
    public static let minimumChunk = 1 << 16

    /// An order-preserving key: for non-NaN `a` and `b`, `a < b` exactly when
    /// `key(a) < key(b)`, and `a == b` exactly when the keys are equal (the
    /// two zeros share one key, so they tie as they compare equal).
    @inline(__always)
    public static func key(_ x: Double) -> UInt64 {
        let bits = (x + 0.0).bitPattern  // -0.0 + 0.0 is +0.0
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    /// Sorts `keys` ascending, stably, applying the same moves to `payload`.
    ///
    /// The sorted data ends either in `keys` (and `payload`) or in `scratch`
    /// (and `payloadScratch`), whichever the last pass wrote: the result is
    /// `true` when it is the scratch. Scratch buffers must be as long as
    /// `keys`; `payload` and `payloadScratch` are given together or not at all.
    public static func sort(
        _ keys: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>,
        payload: UnsafeMutableBufferPointer<Double>? = nil, payloadScratch: UnsafeMutableBufferPointer<Double>? = nil,
        threads: Int? = nil
    ) -> Bool {
        let n = keys.count
        guard n > 1 else { return false }
        let parts = Parallel.chunks(of: 0..<n, parts: Parallel.threadCount(threads), minimumChunk: minimumChunk)
        let chunkCount = parts.count
        // counts[(chunk * passCount + pass) * bucketCount + bucket]
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunkCount * passCount * bucketCount)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let sharedCounts = SendableBuffer(counts)
        var source = (keys: SendableBuffer(keys), payload: payload.map(SendableBuffer.init))
        var target = (keys: SendableBuffer(scratch), payload: payloadScratch.map(SendableBuffer.init))

        // One read counts every digit of every chunk: the totals per digit are
        // the same in any order, so they decide up front which passes to skip.
        let original = source.keys
        run(chunkCount) { chunk in
            let base = sharedCounts.base.baseAddress! + chunk * passCount * bucketCount
            for i in parts[chunk] {
                let k = original[i]
                for pass in 0..<passCount {
                    base[pass * bucketCount + Int(truncatingIfNeeded: k >> UInt64(pass * digitBits)) & (bucketCount - 1)] += 1
                }
            }
        }
        var countsAreCurrent = true  // per-chunk counts describe `source` (no scatter since they were taken)
        var inScratch = false
        for pass in 0..<passCount {
            let shift = UInt64(pass * digitBits)
            if (0..<bucketCount).contains(where: { bucket in
                (0..<chunkCount).reduce(0) { $0 + counts[($1 * passCount + pass) * bucketCount + bucket] } == n
            }) {
                continue  // every key has the same digit here
            }
            if !countsAreCurrent {
                let current = source.keys
                run(chunkCount) { chunk in
                    let base = sharedCounts.base.baseAddress! + (chunk * passCount + pass) * bucketCount
                    base.update(repeating: 0, count: bucketCount)
                    for i in parts[chunk] {
                        base[Int(truncatingIfNeeded: current[i] >> shift) & (bucketCount - 1)] += 1
                    }
                }
            }
            // Chunk c's keys of bucket b go after every earlier bucket's keys
            // and after bucket b's keys from earlier chunks: that keeps it stable.
            var running = 0
            for bucket in 0..<bucketCount {
                for chunk in 0..<chunkCount {
                    let slot = (chunk * passCount + pass) * bucketCount + bucket
                    let count = counts[slot]
                    counts[slot] = running
                    running += count
                }
            }
            let from = source, to = target
            run(chunkCount) { chunk in
                let next = sharedCounts.base.baseAddress! + (chunk * passCount + pass) * bucketCount
                let keysIn = from.keys.base.baseAddress!, keysOut = to.keys.base.baseAddress!
                if let payloadIn = from.payload?.base.baseAddress, let payloadOut = to.payload?.base.baseAddress {
                    for i in parts[chunk] {
                        let k = keysIn[i]
                        let bucket = Int(truncatingIfNeeded: k >> shift) & (bucketCount - 1)
                        let j = next[bucket]
                        next[bucket] = j + 1
                        keysOut[j] = k
                        payloadOut[j] = payloadIn[i]
                    }
                } else {
                    for i in parts[chunk] {
                        let k = keysIn[i]
                        let bucket = Int(truncatingIfNeeded: k >> shift) & (bucketCount - 1)
                        let j = next[bucket]
                        next[bucket] = j + 1
                        keysOut[j] = k
                    }
                }
            }
            swap(&source, &target)
            inScratch.toggle()
            // One chunk's counts are the totals, which no reordering changes.
            countsAreCurrent = chunkCount == 1
        }
        return inScratch
    }

    /// The `Double` a key came from (`+0.0` for either zero).
    @inline(__always)
    public static func value(ofKey key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }

    /// `values` sorted ascending (NaN must not occur; −0.0 comes back as +0.0).
    ///
    /// Cost: O(n) with 16 bytes of scratch per value; on `threads` threads
    /// from 65,536 values per thread.
    public static func sorted(_ values: [Double], threads: Int? = nil) -> [Double] {
        guard values.count > 1 else { return values.map { $0 + 0.0 } }
        var keys = values.map(key)
        var scratch = [UInt64](repeating: 0, count: keys.count)
        let inScratch = keys.withUnsafeMutableBufferPointer { k in
            scratch.withUnsafeMutableBufferPointer { s in sort(k, scratch: s, threads: threads) }
        }
        return (inScratch ? scratch : keys).map(value(ofKey:))
    }

    /// Runs `body` for each chunk index, in parallel when there are several.
    private static func run(_ chunkCount: Int, _ body: @Sendable (Int) -> Void) {
        _ = Parallel.map(count: chunkCount, threads: chunkCount) { body($0) }
    }
}
