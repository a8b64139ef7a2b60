import Foundation
import Testing
@testable import ParetoTune

@Suite struct GPTests {
    @Test func expectedImprovementByHand() {
        // EI = σ (z Φ(z) + φ(z)), z = (best − μ) / σ.
        #expect(abs(expectedImprovement(mean: 0, deviation: 1, best: 0) - 0.3989422804014327) < 1e-12)  // φ(0)
        // μ = 1, σ = 2, best 0: z = −0.5, 2 (−0.5 Φ(−0.5) + φ(−0.5)).
        #expect(abs(expectedImprovement(mean: 1, deviation: 2, best: 0) - 0.39559311480261217) < 1e-12)
    }

    @Test func posteriorOfOneObservationByHand() throws {
        // One point at 0.5 with target 2, length scale 0.2, noise 1e-3. At distance 0.1 the
        // Matérn 5/2 correlation is (1 + s + s²/3) e^−s with s = √5 · 0.5: 0.8286491424181255.
        // Mean k · 2 / (1 + noise), deviation √(1 − k² / (1 + noise)).
        let gp = try #require(GaussianProcess(points: [[0.5]], targets: [2], lengthScale: 0.2, noise: 1e-3))
        #expect(abs(GaussianProcess.kernel(0.1, 0.2) - 0.8286491424181255) < 1e-14)
        let (mean, deviation) = gp.predict([0.6])
        #expect(abs(mean - 1.655642642194057) < 1e-12)
        #expect(abs(deviation - 0.5603807386032353) < 1e-12)
        // log N(2; 0, 1 + noise).
        #expect(abs(gp.logMarginalLikelihood - -2.9174402813732128) < 1e-12)
        // Two equal points without noise: not positive definite, refused.
        #expect(GaussianProcess(points: [[0.5], [0.5]], targets: [1, 1], lengthScale: 0.2, noise: 0) == nil)
    }

    @Test func beatsRandomSearchOnBranin() throws {
        func run(_ sampler: any ParameterSampler) throws -> Double {
            let study = try Study(direction: .minimize, sampler: sampler)
            try study.optimize(nTrials: 40) { trial in
                let x1 = try trial.suggestFloat("x1", -5...10), x2 = try trial.suggestFloat("x2", 0...15)
                let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
                let a = x2 - b * x1 * x1 + c * x1 - 6
                let tail: Double = 10 * (1 - t) * cos(x1) + 10
                return a * a + tail
            }
            return (try study.bestTrial)!.value!
        }
        let gp = try [1, 2, 3].map { try run(GPSampler(seed: $0, candidates: 300)) }.sorted()[1]
        let random = try [1, 2, 3].map { try run(RandomSampler(seed: $0)) }.sorted()[1]
        // Branin's minimum is 0.397887.
        #expect(gp < random, "GP \(gp) vs random \(random)")
        #expect(gp < 0.6)
    }
}
