import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a sampler may look at when it proposes values for one trial.
///
/// Built once per trial, when the trial starts: `trials` is the study's
/// history at that moment (running trials included, so parallel workers can
/// see each other's choices), and `random` is a generator seeded from the
/// sampler's seed and the trial's number, so the same seed gives the same
/// suggestions whatever ran before in the process.
public struct SamplingContext: Sendable {
    /// The study's objectives.
    public let directions: [StudyDirection]
    /// The number of the trial being sampled.
    public let trialNumber: Int
    /// The study's trials when this one started, in number order, without this one.
    ///
    /// Cost: O(trials) per read when the context was built by `Study` (the
    /// trial being sampled is cut out of `history` on each read); samplers
    /// that scan the history on every call read `history` instead.
    public var trials: [TrialRecord] {
        guard let ownIndex else { return history }
        var others = history
        others.remove(at: ownIndex)
        return others
    }
    /// The study's trials when this one started, in number order — with the
    /// trial being sampled at `ownIndex` when that is set (running, without
    /// the parameters it is being given). Shared with the study's copy of the
    /// history, not copied: cutting one record out of a few hundred cost
    /// more than TPE's whole split.
    let history: [TrialRecord]
    /// Where the trial being sampled sits in `history`, if it is there.
    let ownIndex: Int?
    /// The finished trials of `history` by parameter (built by `Study`; `nil` otherwise).
    let columns: ObservationColumns?
    /// The generator for this trial's random choices.
    public var random: Xoshiro256
    /// Where a sampler may keep work between its calls for this trial (the
    /// split of trials into good and bad, a chosen grid point); `nil` at the
    /// start of every trial, never shared between trials.
    public var samplerState: (any Sendable)?

    /// Creates a context; `Study` does this for every trial.
    public init(directions: [StudyDirection], trialNumber: Int, trials: [TrialRecord], seed: UInt64) {
        self.init(directions: directions, trialNumber: trialNumber, history: trials, ownIndex: nil, columns: nil, seed: seed)
    }

    /// A context over `history` that includes the trial being sampled at `ownIndex`.
    init(directions: [StudyDirection], trialNumber: Int, history: [TrialRecord], ownIndex: Int?,
         columns: ObservationColumns?, seed: UInt64) {
        self.directions = directions
        self.trialNumber = trialNumber
        self.history = history
        self.ownIndex = ownIndex
        self.columns = columns
        self.random = Xoshiro256(seed: SamplingContext.trialSeed(seed, trialNumber))
    }

    /// Mixes a sampler seed and a trial number into one well-spread seed.
    static func trialSeed(_ seed: UInt64, _ number: Int) -> UInt64 {
        var mixer = SplitMix64(state: seed ^ (UInt64(truncatingIfNeeded: number) &* 0x9e37_79b9_7f4a_7c15))
        return mixer.next()
    }

    /// The complete trials, in number order.
    public var completeTrials: [TrialRecord] { history.filter { $0.state == .complete } }
}

/// Proposes parameter values: the seam every search strategy plugs into.
///
/// ```swift
/// struct Constant: ParameterSampler {
///     func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
///                            _ context: inout SamplingContext) -> Double { 0 }
/// }
/// ```
///
/// A sampler is called twice over: once when a trial starts
/// (`sampleRelative`: joint values for parameters it can foresee, such as a
/// multivariate model over the search space seen so far; none by default),
/// then for each parameter the objective suggests that the joint sample did
/// not cover (`sampleIndependent`).
///
/// Rules: values are in internal form (see `TrialParameter`) and must lie in
/// the distribution; all randomness comes from `context.random`, so a sampler
/// is a pure function of its seed and the history (and can be shared by
/// many worker threads: it is `Sendable` and keeps no mutable state).
public protocol ParameterSampler: Sendable {
    /// The seed the study mixes with each trial number for `context.random`.
    var seed: UInt64 { get }

    /// Joint values (by parameter name) for the start of a trial.
    func sampleRelative(_ context: inout SamplingContext) -> [String: TrialParameter]

    /// One value, in internal form, for a parameter `sampleRelative` did not cover.
    func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                           _ context: inout SamplingContext) -> Double
}

extension ParameterSampler {
    /// No seed by default: the sampler makes no random choices.
    public var seed: UInt64 { 0 }

    /// No joint sample by default.
    public func sampleRelative(_ context: inout SamplingContext) -> [String: TrialParameter] { [:] }
}

/// Draws every parameter uniformly at random (on the log scale for log
/// parameters, uniformly over the grid for stepped ones).
///
/// The baseline every other sampler must beat. Cost: one or two random
/// draws per parameter.
public struct RandomSampler: ParameterSampler {
    /// The seed of every random choice.
    public let seed: UInt64

    /// Creates a random sampler.
    public init(seed: UInt64 = 0) { self.seed = seed }

    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        RandomSampler.draw(distribution, &context.random)
    }

    /// A uniform draw from `distribution`, in internal form.
    static func draw(_ distribution: ParameterDistribution, _ random: inout Xoshiro256) -> Double {
        fromUnit(random.uniformDouble(), distribution)
    }

    /// Maps a point of [0, 1) to the distribution, uniformly (on the log
    /// scale for log parameters; every grid point or choice equally likely).
    static func fromUnit(_ u: Double, _ distribution: ParameterDistribution) -> Double {
        switch distribution {
        case .float(let d):
            if let step = d.step {
                let count = ((d.high - d.low) / step).rounded() + 1
                return d.nearest(d.low + min(count - 1, (u * count).rounded(.down)) * step)
            }
            if d.log {
                let x = exp(ln(d.low) + u * (ln(d.high) - ln(d.low)))
                return min(max(x, d.low), d.high)
            }
            return min(d.low + u * (d.high - d.low), d.high)
        case .int(let d):
            if d.log {
                // Uniform on log(x) over [low − 0.5, high + 0.5], then rounded: every
                // integer gets the log-width of its rounding cell.
                let a = ln(Double(d.low) - 0.5), b = ln(Double(d.high) + 0.5)
                return Double(d.nearest(exp(a + u * (b - a))))
            }
            let count = (d.high - d.low) / d.step + 1
            return Double(d.low + min(count - 1, Int(u * Double(count))) * d.step)
        case .categorical(let d):
            return Double(min(d.choices.count - 1, Int(u * Double(d.choices.count))))
        }
    }
}

