import ParetoCore

/// Placeholder until the TPE implementation lands: random sampling.
public struct TPESampler: Sampler {
    public let seed: UInt64
    public init(seed: UInt64 = 0) { self.seed = seed }
    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        RandomSampler.draw(distribution, &context.random)
    }
}
