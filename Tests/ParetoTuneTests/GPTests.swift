import Foundation
import ParetoCore
import Testing
@testable import ParetoTune

/// The fixture written by Fixtures/make_gp_fixture.py (scikit-learn's GaussianProcessRegressor
/// with a fixed kernel, and mpmath at 60 digits).
private struct GPFixture: Decodable {
    struct Posterior: Decodable {
        var points: [Double]
        var targets: [Double]
        var tests: [Double]
        var length_scales: [Double]
        var signal: Double
        var noise: Double
        var mean: [Double]
        var std: [Double]
        var log_marginal_likelihood: Double
        var gradient_log_s_log_l: [Double]
    }
    struct LogEI: Decodable {
        var z: Double
        var log_h: Double
        var slope: Double
    }
    var posterior: Posterior
    var log_ei: [LogEI]

    static func load() throws -> GPFixture {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/gp_reference", withExtension: "json"))
        return try JSONDecoder().decode(GPFixture.self, from: Data(contentsOf: url))
    }
}

@Suite struct GPTests {
    private func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func maternByHand() {
        // r² = 0.25 (r = 0.5): s = √5/2 = 1.118033988749895, (1 + s + 5·0.25/3) e^−s.
        let value: Double = matern52(0.25)
        #expect(abs(value - 0.8286491424181255) < 1e-14)
        // Slope −5/6 (1 + s) e^−s, against a central difference.
        let h = 1e-6
        let numeric: Double = (matern52(0.25 + h) - matern52(0.25 - h)) / (2 * h)
        #expect(abs(matern52Slope(0.25) - numeric) < 1e-8)
        #expect(abs(matern52Slope(0) - -5.0 / 6.0) < 1e-15)
    }

    @Test func posteriorMatchesScikitLearn() throws {
        let f = try GPFixture.load().posterior
        let kernel = GPKernel(inverseSquaredLengthScales: f.length_scales.map { 1 / ($0 * $0) },
                              signalVariance: f.signal, noiseVariance: f.noise)
        let gp = try #require(GaussianProcess(points: f.points, dimension: 3, targets: f.targets, kernel: kernel))
        var workspace = GPWorkspace(gp.count)
        for t in 0..<f.mean.count {
            let x = Array(f.tests[(t * 3)..<(t * 3 + 3)])
            let (mean, variance) = x.withUnsafeBufferPointer { gp.posterior($0, &workspace) }
            #expect(close(mean, f.mean[t], 1e-10), "mean \(t): \(mean) vs \(f.mean[t])")
            #expect(close(variance.squareRoot(), f.std[t], 1e-8), "std \(t): \(variance.squareRoot()) vs \(f.std[t])")
        }
        #expect(close(gp.logMarginalLikelihood, f.log_marginal_likelihood, 1e-11))
        // The analytic gradient, mapped to sklearn's log-parameters: ∂/∂log s = s ∂/∂s and
        // ∂/∂log ℓₖ = −2θₖ ∂/∂θₖ (θ = ℓ⁻²).
        let data = GPTrainingData(points: f.points, dimension: 3, targets: f.targets)
        let (value, gradient) = try #require(GPHyperparameters.logMarginalLikelihood(data, kernel))
        #expect(close(value, f.log_marginal_likelihood, 1e-11))
        #expect(close(f.signal * gradient[3], f.gradient_log_s_log_l[0], 1e-9))
        for k in 0..<3 {
            let theta = kernel.inverseSquaredLengthScales[k]
            #expect(close(-2 * theta * gradient[k], f.gradient_log_s_log_l[k + 1], 1e-9), "ℓ\(k)")
        }
    }

    /// Seeded points and targets in [0, 1]^d for the gradient checks.
    private func data(_ n: Int, _ d: Int, seed: UInt64) -> GPTrainingData {
        var random = Xoshiro256(seed: seed)
        let points = (0..<(n * d)).map { _ in random.uniformDouble() }
        let raw = (0..<n).map { i in sin(5 * points[i * d]) + points[i * d + d - 1] * points[i * d + d - 1] + 0.1 * random.standardNormal() }
        return GPTrainingData(points: points, dimension: d, targets: GPSampler.standardize(raw))
    }

    @Test func logMarginalLikelihoodGradientMatchesCentralDifferences() throws {
        let data = data(15, 4, seed: 3)
        let kernel = GPKernel(inverseSquaredLengthScales: [2.0, 0.4, 7.0, 1.1], signalVariance: 0.8, noiseVariance: 0.03)
        let (_, gradient) = try #require(GPHyperparameters.logMarginalLikelihood(data, kernel))
        func at(_ k: Int, _ h: Double) -> Double {
            var p = kernel
            if k < 4 { p.inverseSquaredLengthScales[k] += h } else if k == 4 { p.signalVariance += h } else { p.noiseVariance += h }
            return GPHyperparameters.logMarginalLikelihood(data, p)!.value
        }
        for k in 0..<6 {
            let h = 1e-6
            let numeric = (at(k, h) - at(k, -h)) / (2 * h)
            #expect(abs(gradient[k] - numeric) <= 1e-6 * max(1, abs(numeric)), "parameter \(k): \(gradient[k]) vs \(numeric)")
        }
    }

    @Test func mapObjectiveGradientMatchesCentralDifferences() throws {
        // The function the minimizer sees: −(log likelihood + log prior) in the log parameters.
        let data = data(12, 3, seed: 9)
        let raw: [Double] = [0.3, -1.2, 1.5, -0.2, -3.0]
        var gradient = [Double](repeating: 0, count: raw.count), scratch = gradient
        let value = GPHyperparameters.objective(data, raw: raw, gradient: &gradient)
        #expect(value.isFinite)
        for k in raw.indices {
            var plus = raw, minus = raw
            plus[k] += 1e-6
            minus[k] -= 1e-6
            let numeric = (GPHyperparameters.objective(data, raw: plus, gradient: &scratch)
                - GPHyperparameters.objective(data, raw: minus, gradient: &scratch)) / 2e-6
            #expect(abs(gradient[k] - numeric) <= 1e-6 * max(1, abs(numeric)), "raw \(k): \(gradient[k]) vs \(numeric)")
        }
        // Log prior by hand at θ = 2, s = 0.5, σ² = 0.1:
        // −(0.05 + 0.2) + (log 0.5 − 0.5) + (0.1 log 0.1 − 3).
        let prior = GPHyperparameters.logPrior(GPKernel(inverseSquaredLengthScales: [2], signalVariance: 0.5, noiseVariance: 0.1))
        #expect(abs(prior.value - (-0.25 + (log(0.5) - 0.5) + (0.1 * log(0.1) - 3))) < 1e-14)
    }

    @Test func fitRaisesTheLogPosterior() throws {
        // The MAP fit from the initial kernel must end at a lower objective with a small gradient,
        // and must find the relevant dimension (x0 and the last one drive the targets; x1 does not).
        let data = data(30, 3, seed: 11)
        var g = [Double](repeating: 0, count: 5)
        let start = GPHyperparameters.objective(data, raw: GPHyperparameters.raw(.initial(dimension: 3), fixedNoise: false), gradient: &g)
        let kernel = try #require(GPHyperparameters.fit(data, from: .initial(dimension: 3), fixedNoise: false))
        let end = GPHyperparameters.objective(data, raw: GPHyperparameters.raw(kernel, fixedNoise: false), gradient: &g)
        #expect(end < start - 1)
        #expect(g.allSatisfy { abs($0) < 0.05 }, "gradient at the fit \(g)")
        #expect(kernel.inverseSquaredLengthScales[0] > kernel.inverseSquaredLengthScales[1])
    }

    @Test func logExpectedImprovementMatchesMpmath() throws {
        for c in try GPFixture.load().log_ei {
            let (value, slope) = logStandardExpectedImprovement(c.z)
            #expect(abs(value - c.log_h) <= 1e-12 * max(1, abs(c.log_h)), "z = \(c.z): \(value) vs \(c.log_h)")
            #expect(abs(slope - c.slope) <= 1e-10 * max(1, abs(c.slope)), "z = \(c.z): slope \(slope) vs \(c.slope)")
        }
        // By hand at z = 0: log φ(0) = −½ log 2π; slope Φ(0)/φ(0) = ½ √(2π).
        let zero = logStandardExpectedImprovement(0)
        #expect(abs(zero.value - -0.5 * log(2 * Double.pi)) < 1e-15)
        #expect(abs(zero.slope - 0.5 * (2 * Double.pi).squareRoot()) < 1e-14)
        // Both branches agree where they meet.
        let below = logStandardExpectedImprovement(-5 - 1e-12), above = logStandardExpectedImprovement(-5)
        #expect(abs(below.value - above.value) < 1e-10)
    }

    @Test func logExpectedImprovementGradientMatchesCentralDifferences() throws {
        let data = data(20, 3, seed: 5)
        let kernel = GPKernel(inverseSquaredLengthScales: [4, 0.5, 9], signalVariance: 1.2, noiseVariance: 1e-4)
        let gp = try #require(GaussianProcess(points: data.points, dimension: 3, targets: data.targets, kernel: kernel))
        var workspace = GPWorkspace(gp.count)
        let threshold = data.targets.max()!
        // Far from the data (z very negative) as well as in between.
        for x in [[0.3, 0.6, 0.2], [0.91, 0.05, 0.77], [0.5, 0.5, 0.5]] {
            var gradient = [Double](repeating: 0, count: 3)
            let value = x.withUnsafeBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in logExpectedImprovement(gp, p, threshold: threshold, &workspace, gradient: g) }
            }
            let plain = x.withUnsafeBufferPointer { logExpectedImprovement(gp, $0, threshold: threshold, &workspace) }
            #expect(value == plain)
            for k in 0..<3 {
                var plus = x, minus = x
                plus[k] += 1e-6
                minus[k] -= 1e-6
                let fp = plus.withUnsafeBufferPointer { logExpectedImprovement(gp, $0, threshold: threshold, &workspace) }
                let fm = minus.withUnsafeBufferPointer { logExpectedImprovement(gp, $0, threshold: threshold, &workspace) }
                let numeric = (fp - fm) / 2e-6
                #expect(abs(gradient[k] - numeric) <= 1e-5 * max(1, abs(numeric)), "x \(x) k \(k): \(gradient[k]) vs \(numeric)")
            }
        }
    }

    @Test func boxMinimizerFindsConstrainedOptimum() {
        // Rosenbrock in 2-D (minimum at (1, 1)) and a quadratic whose minimum (2, −1) lies outside
        // [0, 1]²: the constrained optimum is the corner (1, 0).
        let minimizer = BoxMinimizer()
        let rosenbrock = minimizer.minimize([-1.2, 1], lower: [-5, -5], upper: [5, 5]) { x, g in
            let a = x[1] - x[0] * x[0]
            g[0] = -400 * x[0] * a - 2 * (1 - x[0])
            g[1] = 200 * a
            return 100 * a * a + (1 - x[0]) * (1 - x[0])
        }
        #expect(abs(rosenbrock.x[0] - 1) < 1e-3 && abs(rosenbrock.x[1] - 1) < 1e-3, "\(rosenbrock.x)")
        let boxed = minimizer.minimize([0.5, 0.5], lower: [0, 0], upper: [1, 1]) { x, g in
            g[0] = 2 * (x[0] - 2)
            g[1] = 2 * (x[1] + 1)
            return (x[0] - 2) * (x[0] - 2) + (x[1] + 1) * (x[1] + 1)
        }
        #expect(boxed.x == [1, 0])
    }

    @Test func beatsRandomSearchOnBranin() throws {
        func run(_ sampler: any ParameterSampler) throws -> Double {
            let study = try Study(direction: .minimize, sampler: sampler)
            try study.optimize(nTrials: 30) { trial in
                let x1 = try trial.suggestFloat("x1", -5...10), x2 = try trial.suggestFloat("x2", 0...15)
                let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
                let a = x2 - b * x1 * x1 + c * x1 - 6
                let tail: Double = 10 * (1 - t) * cos(x1) + 10
                return a * a + tail
            }
            return (try study.bestTrial)!.value!
        }
        let gp = try [1, 2, 3].map { try run(GPSampler(seed: $0, candidates: 256)) }.sorted()[1]
        let random = try [1, 2, 3].map { try run(RandomSampler(seed: $0)) }.sorted()[1]
        // Branin's minimum is 0.397887; random search after 30 trials is typically above 1.
        #expect(gp < random, "GP \(gp) vs random \(random)")
        #expect(gp < 0.45, "GP \(gp)")
    }

    @Test func integerAndSteppedParametersStayOnTheirGrids() throws {
        // f = (n − 37)² + (q − 0.35)² · 100 + (k − 3)²: integers, a stepped float, a small integer.
        let sampler = GPSampler(seed: 4, startupTrials: 5, candidates: 256)
        let study = try Study(direction: .minimize, sampler: sampler)
        try study.optimize(nTrials: 30) { trial in
            let n = try trial.suggestInt("n", 0...100)
            let q = try trial.suggestFloat("q", 0...1, step: 0.05)
            let k = try trial.suggestInt("k", 1...5)
            let integerPart = Double((n - 37) * (n - 37) + (k - 3) * (k - 3))
            let steppedPart: Double = (q - 0.35) * (q - 0.35) * 100
            return integerPart + steppedPart
        }
        for trial in try study.trials {
            for (_, p) in trial.parameters { #expect(p.distribution.contains(p.internalValue)) }
        }
        let best = try #require(try study.bestTrial)
        #expect(best.value! <= 4, "best \(best.value!) at \(best.parameters.mapValues(\.internalValue))")
    }

    @Test func sameHistoryGivesSameSuggestionWhateverTheCacheHolds() throws {
        // A sampler that ran the study (its cache holds every fit) and a fresh one (which
        // recomputes the warm-start chain) must propose the same next point from the same history.
        let used = GPSampler(seed: 8, candidates: 128)
        let study = try Study(direction: .minimize, sampler: used)
        try study.optimize(nTrials: 23) { trial in
            let x = try trial.suggestFloat("x", 0...1), y = try trial.suggestFloat("y", 1e-3...1, log: true)
            return (x - 0.3) * (x - 0.3) + log10(y) * log10(y)
        }
        let history = try study.trials
        var warm = SamplingContext(directions: [.minimize], trialNumber: 23, trials: history, seed: 8)
        var cold = SamplingContext(directions: [.minimize], trialNumber: 23, trials: history, seed: 8)
        let a = used.sampleRelative(&warm)
        let b = GPSampler(seed: 8, candidates: 128).sampleRelative(&cold)
        #expect(!a.isEmpty)
        #expect(a == b)
        // And two studies with the same seed propose the same points throughout.
        let again = try Study(direction: .minimize, sampler: GPSampler(seed: 8, candidates: 128))
        try again.optimize(nTrials: 23) { trial in
            let x = try trial.suggestFloat("x", 0...1), y = try trial.suggestFloat("y", 1e-3...1, log: true)
            return (x - 0.3) * (x - 0.3) + log10(y) * log10(y)
        }
        #expect(try again.trials.map(\.parameters) == history.map(\.parameters))
    }

    @Test func believedPointsKeepTheMeanAndRemoveTheVariance() throws {
        // The "kriging believer" for running trials: the mean is unchanged everywhere (the extra
        // target is the mean itself), and the variance at the believed point falls to about the
        // noise level.
        let data = data(10, 2, seed: 21)
        let kernel = GPKernel(inverseSquaredLengthScales: [3, 3], signalVariance: 1, noiseVariance: 1e-4)
        let gp = try #require(GaussianProcess(points: data.points, dimension: 2, targets: data.targets, kernel: kernel))
        let running: [Double] = [0.37, 0.81]
        let believed = try #require(gp.believing(running))
        var workspace = GPWorkspace(gp.count), bigger = GPWorkspace(believed.count)
        let before = running.withUnsafeBufferPointer { gp.posterior($0, &workspace) }
        let after = running.withUnsafeBufferPointer { believed.posterior($0, &bigger) }
        #expect(abs(before.mean - after.mean) < 1e-6)
        #expect(before.variance > 0.01 && after.variance < 2e-4, "\(before.variance) → \(after.variance)")
        for probe in [[0.1, 0.2], [0.5, 0.5], [0.4, 0.8]] {
            let m0 = probe.withUnsafeBufferPointer { gp.posterior($0, &workspace).mean }
            let m1 = probe.withUnsafeBufferPointer { believed.posterior($0, &bigger).mean }
            #expect(abs(m0 - m1) < 1e-6)
        }
    }

    @Test func runningTrialsPushTheNextProposalAway() throws {
        // Early in a 2-D study (7 trials, much still uncertain): with the proposal already running
        // elsewhere, the next proposal goes somewhere else.
        let sampler = GPSampler(seed: 2, startupTrials: 5, candidates: 256)
        let study = try Study(direction: .minimize, sampler: sampler)
        try study.optimize(nTrials: 7) { trial in
            let x = try trial.suggestFloat("x", 0...1), y = try trial.suggestFloat("y", 0...1)
            return sin(9 * x) * cos(7 * y) + x
        }
        let history = try study.trials
        var plain = SamplingContext(directions: [.minimize], trialNumber: 7, trials: history, seed: 2)
        let first = sampler.sampleRelative(&plain)
        let x = try #require(first["x"]), y = try #require(first["y"])
        let busy = TrialRecord(number: 7, state: .running, parameters: first)
        var withBusy = SamplingContext(directions: [.minimize], trialNumber: 8, trials: history + [busy], seed: 2)
        let second = sampler.sampleRelative(&withBusy)
        let dx = try #require(second["x"]).internalValue - x.internalValue
        let dy = try #require(second["y"]).internalValue - y.internalValue
        #expect((dx * dx + dy * dy).squareRoot() > 0.02, "\(first) then \(second)")
    }
}
