import ParetoCore

/// Spreads trials evenly over the space with a scrambled Halton sequence:
/// fewer gaps and clumps than random sampling for the same number of trials.
///
/// Trial `n` takes point `n + 1` of the sequence; the `k`-th parameter a
/// trial suggests takes dimension `k` (base: the `k`-th prime). Each
/// dimension's digits are permuted and the point shifted modulo 1, both
/// seeded, so different seeds give different (equally even) designs and the
/// early dimensions' correlations of plain Halton are broken. Beyond the
/// 32nd parameter, values are drawn at random.
///
/// Cost: O(log n) per parameter.
public struct QuasiRandomSampler: ParameterSampler {
    /// The seed of the scrambling.
    public let seed: UInt64

    /// Creates a quasi-random sampler.
    public init(seed: UInt64 = 0) { self.seed = seed }

    static let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53,
                         59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131]

    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        let dimension = context.samplerState as? Int ?? 0
        context.samplerState = dimension + 1
        guard dimension < QuasiRandomSampler.primes.count else { return RandomSampler.draw(distribution, &context.random) }
        return RandomSampler.fromUnit(point(context.trialNumber + 1, dimension: dimension), distribution)
    }

    /// Coordinate `dimension` of point `index` of the scrambled sequence, in [0, 1).
    public func point(_ index: Int, dimension: Int) -> Double {
        let base = QuasiRandomSampler.primes[dimension]
        var scramble = Xoshiro256(seed: SamplingContext.trialSeed(seed, -1 - dimension))
        // Digit 0 stays 0, so the infinite run of leading zeros stays zero.
        var permutation = Array(0..<base)
        var tail = Array(permutation[1...])
        scramble.shuffle(&tail)
        permutation.replaceSubrange(1..., with: tail)
        let shift = scramble.uniformDouble()
        var n = index, scale = 1.0 / Double(base), x = 0.0
        while n > 0 {
            x += Double(permutation[n % base]) * scale
            n /= base
            scale /= Double(base)
        }
        x += shift
        return x - x.rounded(.down)
    }
}
