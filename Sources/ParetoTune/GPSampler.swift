import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bayesian optimization with a Gaussian process and log expected
/// improvement: sample-efficient on smooth, low-dimensional continuous spaces.
///
/// ```swift
/// let sampler = GPSampler(seed: 1)
/// let study = try Study(direction: .minimize, sampler: sampler)
/// ```
///
/// Models the float and integer parameters every finished trial shares, on
/// [0, 1] (log parameters on the log scale; integers and steps widened by
/// half a step). After `startupTrials` random trials it fits a Gaussian
/// process with an ARD Matérn 5/2 kernel (one length scale per parameter,
/// a signal variance and a noise variance) to the standardized values, by
/// maximum a posteriori: log marginal likelihood plus weak priors, analytic
/// gradients, a projected L-BFGS on the log parameters, started from the
/// previous trial's fit (see `fit`). It then proposes the point of
/// highest log expected improvement over the best value so far: the best of
/// `candidates` quasi-random points plus up to `localSearches − 2` more
/// drawn with probability ∝ EI and the best trial each start a local search
/// (L-BFGS in length-scale units for continuous parameters, a grid search
/// for integer and stepped ones). Trials still running enter the model as
/// points at their predicted value, so parallel workers spread out.
/// Categorical parameters, conditional ones and multi-objective studies are
/// sampled at random. This is the design of Optuna 5's `GPSampler`,
/// written anew; `bench/gp_split.py` compares the two (bench/README.md).
///
/// Rules: deterministic for a seed and a history (the fit cache only saves
/// work); infinite values are clipped to the finite extremes, NaN values
/// ignored.
///
/// Cost per trial, n complete trials and d parameters: the fit, O(n³)
/// per likelihood evaluation (tens of them; milliseconds at n = 100), plus
/// `candidates` × O(n d + n²) for the sweep on both cores and up to
/// `localSearches` × 200 × O(n d + n²) for the local searches. Use it for up
/// to a few hundred trials.
public struct GPSampler: ParameterSampler {
    /// The seed of every random choice.
    public let seed: UInt64
    /// Random trials before the model takes over.
    public var startupTrials: Int
    /// Quasi-random points in the acquisition's first sweep (Optuna: 2,048).
    public var candidates: Int
    /// Local searches of the acquisition per trial (Optuna: 10).
    public var localSearches: Int
    /// Whether the objective has no noise: the noise variance is then held
    /// at the 1e-6 floor instead of fitted.
    public var deterministicObjective: Bool
    /// Fits of recent histories, so each fit starts from the last one.
    let cache = GPFitCache()

    /// Creates a GP sampler.
    ///
    /// - Parameters:
    ///   - startupTrials: random trials first (at least 2).
    ///   - candidates: points in the acquisition's sweep (at least 10).
    ///   - localSearches: local searches from the sweep's best points (at least 1).
    ///   - deterministicObjective: fix the noise at its floor.
    public init(seed: UInt64 = 0, startupTrials: Int = 10, candidates: Int = 2048,
                localSearches: Int = 10, deterministicObjective: Bool = false) {
        self.seed = seed
        self.startupTrials = max(2, startupTrials)
        self.candidates = max(10, candidates)
        self.localSearches = max(1, localSearches)
        self.deterministicObjective = deterministicObjective
    }

    /// The point of highest log EI for the shared float and integer
    /// parameters; empty during start-up, for multi-objective studies, and
    /// when no such parameter is shared by every complete trial.
    public func sampleRelative(_ context: inout SamplingContext) -> [String: TrialParameter] {
        guard context.directions.count == 1 else { return [:] }
        let history = context.trials
        let complete = history.filter { $0.state == .complete && !($0.values![0].isNaN) }
        guard complete.count >= startupTrials else { return [:] }
        let space = TPESampler.sharedSpace(complete).filter {
            if case .categorical = $0.value { return false }
            return true
        }
        guard !space.isEmpty else { return [:] }
        let names = space.keys.sorted()
        let distributions = names.map { space[$0]! }
        let d = names.count
        // Maximized internally: y = −value when minimizing.
        let sign: Double = context.directions[0] == .minimize ? -1 : 1
        var points: [Double] = [], raw: [Double] = []
        for trial in complete {
            guard let x = CMAESSampler.normalized(trial, names, distributions) else { continue }
            points += x
            raw.append(sign * trial.values![0])
        }
        guard raw.count >= 2 else { return [:] }
        let y = GPSampler.standardize(raw)
        guard let kernel = fit(names, points, raw, dimension: d),
              var gp = GaussianProcess(points: points, dimension: d, targets: y, kernel: kernel) else { return [:] }
        let bestTrial = y.indices.max { y[$0] < y[$1] }!
        // Running trials (other workers): believed at their predicted value, as if observed, so
        // the improvement they will bring is not counted again next to them.
        var running: [Double] = []
        for trial in history where trial.state == .running {
            if let x = CMAESSampler.normalized(trial, names, distributions) { running += x }
        }
        if !running.isEmpty, let believed = gp.believing(running) { gp = believed }
        let threshold = gp.targets.max()!
        let discrete = distributions.enumerated().compactMap { GPDiscreteAxis(coordinate: $0.offset, $0.element) }
        var maximizer = GPAcquisitionMaximizer(gp: gp, threshold: threshold, discrete: discrete)
        maximizer.sweep = candidates
        maximizer.localSearches = localSearches
        let warm = Array(points[(bestTrial * d)..<((bestTrial + 1) * d)])
        let (best, _) = maximizer.maximize(warmStarts: localSearches > 1 ? [warm] : [], &context.random)
        var result: [String: TrialParameter] = [:]
        for (i, name) in names.enumerated() {
            result[name] = TrialParameter(distribution: distributions[i],
                                          internalValue: CMAESSampler.denormalize(best[i], distributions[i]))
        }
        return result
    }

    /// A uniform random value: categorical, conditional and start-up parameters.
    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        RandomSampler.draw(distribution, &context.random)
    }

    /// Values to mean 0 and (population) variance 1, infinities first
    /// clipped to the finite extremes.
    static func standardize(_ raw: [Double]) -> [Double] {
        let finite = raw.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        let clipped = raw.map { min(max($0, low), high) }
        let mean = clipped.reduce(0, +) / Double(clipped.count)
        let variance = clipped.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(clipped.count)
        let spread = max(variance.squareRoot(), 1e-10)
        return clipped.map { ($0 - mean) / spread }
    }

    /// The MAP kernel for the points and raw (signed, unstandardized) values
    /// of the first m complete trials, as Optuna fits it: started from the
    /// fit for the first m − 1 (the previous trial's), down to the first
    /// modelled trial, which starts from `GPKernel.initial`; from the initial
    /// kernel again if a warm start breaks down. Fits found in `cache` are
    /// reused, the missing tail of the chain is recomputed (all of it, once,
    /// for a resumed study), so the kernel depends on the history only.
    func fit(_ names: [String], _ points: [Double], _ raw: [Double], dimension d: Int) -> GPKernel? {
        let m = raw.count
        var length = m, start = GPKernel.initial(dimension: d)
        while true {
            if let known = cache.lookup(names, Array(points.prefix(length * d)), Array(raw.prefix(length))) {
                if length == m { return known }
                start = known
                length += 1
                break
            }
            if length <= max(startupTrials, 2) { break }
            length -= 1
        }
        var kernel: GPKernel?
        while length <= m {
            let prefixPoints = Array(points.prefix(length * d)), prefixRaw = Array(raw.prefix(length))
            let data = GPTrainingData(points: prefixPoints, dimension: d, targets: GPSampler.standardize(prefixRaw))
            kernel = GPHyperparameters.fit(data, from: start, fixedNoise: deterministicObjective)
                ?? GPHyperparameters.fit(data, from: .initial(dimension: d), fixedNoise: deterministicObjective)
            if let kernel {
                cache.store(names, prefixPoints, prefixRaw, kernel)
                start = kernel
            } else {
                start = .initial(dimension: d)
            }
            length += 1
        }
        return kernel
    }
}
