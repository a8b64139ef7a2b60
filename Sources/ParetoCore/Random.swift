#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast, seedable, splittable random number generator: xoshiro256** by
/// Blackman and Vigna.
///
/// ```swift
/// var rng = Xoshiro256(seed: 42)
/// let i = rng.uniformInt(below: 10)
/// var child = rng.split()        // an independent stream for a worker
/// ```
///
/// Every random choice in Pareto takes one of these explicitly, so the same
/// seed gives the same result on every run and every machine. Cost: a few
/// nanoseconds per `next()`, no allocation. The 256-bit state is seeded from
/// one `UInt64` through SplitMix64, as the algorithm's authors recommend.
///
/// Rules: never shares state between copies (it is a value type); `split()`
/// and `jump()` give streams that do not overlap in practice.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The four 64-bit words of state; never all zero.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the 256-bit state from `seed` with SplitMix64.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// Restores a generator from a saved state (for checkpoints).
    ///
    /// - Precondition: not all four words are zero.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        self.state = state
    }

    @usableFromInline @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        _next()
    }

    @usableFromInline @inline(__always)
    mutating func _next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// Advances the state by 2^128 steps: the usual way to hand 2^128
    /// non-overlapping sub-sequences to parallel workers.
    public mutating func jump() {
        let jumpPolynomial: [UInt64] = [
            0x180e_c6d3_3cfd_0aba, 0xd5a6_1266_f0c9_392c,
            0xa958_2618_e03f_c9aa, 0x39ab_dc45_29b1_661c,
        ]
        var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, s3: UInt64 = 0
        for word in jumpPolynomial {
            for bit in 0..<64 {
                if word & (1 << UInt64(bit)) != 0 {
                    s0 ^= state.0
                    s1 ^= state.1
                    s2 ^= state.2
                    s3 ^= state.3
                }
                _ = _next()
            }
        }
        state = (s0, s1, s2, s3)
    }

    /// Returns a new generator whose stream is independent of this one's,
    /// and advances this one.
    ///
    /// The child is seeded through SplitMix64 from two outputs of this
    /// generator, so splitting a child again never replays a sibling's
    /// stream (unlike handing out successive jumps).
    public mutating func split() -> Xoshiro256 {
        let a = _next()
        let b = _next()
        var mixer = SplitMix64(state: a ^ Self.rotl(b, 32))
        return Xoshiro256(state: (mixer.next(), mixer.next(), mixer.next(), mixer.next()))
    }

    /// `count` independent generators, one per worker, derived by `split()`
    /// (none for a count below 1).
    public mutating func split(into count: Int) -> [Xoshiro256] {
        (0..<max(0, count)).map { _ in split() }
    }

    public static func == (lhs: Xoshiro256, rhs: Xoshiro256) -> Bool {
        lhs.state == rhs.state
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }

    private enum CodingKeys: String, CodingKey { case state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let words = try container.decode([UInt64].self, forKey: .state)
        guard words.count == 4, words != [0, 0, 0, 0] else {
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container,
                debugDescription: "expected four 64-bit words, not all zero")
        }
        state = (words[0], words[1], words[2], words[3])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
    }
}

/// SplitMix64: a tiny generator used to expand one seed into a larger state.
///
/// Cost: one add, three multiplies and shifts per output.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The current 64-bit state.
    public var state: UInt64

    /// Starts from `state` as given.
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's
    /// multiply-and-reject method).
    ///
    /// Unlike `Int.random(in:using:)`, whose algorithm the standard library
    /// may change, this sequence is fixed, so seeded results stay the same
    /// across toolchains.
    ///
    /// - Precondition: `bound > 0`.
    @inlinable
    public mutating func uniformInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Shuffles `elements` in place with Fisher–Yates, using
    /// `uniformInt(below:)` so the permutation for a seed never changes.
    ///
    /// Cost: O(n), no allocation.
    @inlinable
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(
        _ elements: inout C
    ) where C.Index == Int {
        let start = elements.startIndex
        var remaining = elements.count
        while remaining > 1 {
            let j = uniformInt(below: remaining)
            remaining -= 1
            elements.swapAt(start + remaining, start + j)
        }
    }

    /// A standard normal draw (Box–Muller, the cosine half; two uniforms
    /// per draw), a fixed sequence for a seed like the other draws here.
    ///
    /// Cost: a logarithm, a square root and a cosine.
    @inlinable
    public mutating func standardNormal() -> Double {
        let u1 = 1 - uniformDouble()  // in (0, 1], so the logarithm is finite
        let u2 = uniformDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A random permutation of `0..<count`.
    @inlinable
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }
}
