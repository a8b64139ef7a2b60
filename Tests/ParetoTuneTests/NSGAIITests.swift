import Testing
@testable import ParetoTune

/// The area dominated by a 2-D front (both minimized) up to `reference`.
private func hypervolume(_ points: [[Double]], reference: [Double]) -> Double {
    let front = points.filter { $0[0] < reference[0] && $0[1] < reference[1] }.sorted { $0[0] < $1[0] }
    var area = 0.0
    var ceiling = reference[1]
    for p in front where p[1] < ceiling {
        area += (reference[0] - p[0]) * (ceiling - p[1])
        ceiling = p[1]
    }
    return area
}

@Suite struct NSGAIITests {
    @Test func constrainedRanksPutInfeasibleAfterFeasible() {
        // Feasible: (1,1) rank 0, (2,2) rank 1. Infeasible by violation 0.5, 0.5, 2:
        // ranks 2, 2, 3 — even though (0,0) would dominate everything.
        let points: [[Double]] = [[2, 2], [0, 0], [1, 1], [0.5, 0.5], [3, 3]]
        let violations: [Double] = [0, 0.5, 0, 2, 0.5]
        #expect(Dominance.constrainedRanks(points, violations: violations) == [1, 2, 0, 3, 2])
        #expect(Dominance.constrainedRanks(points, violations: [0, 0, 0, 0, 0]) == Dominance.ranks(points))
    }

    @Test func hypervolumeHelperByHand() {
        // Points (1,3), (2,1) under reference (4,4): 3·1 + 2·(3 − 1) = 7.
        #expect(hypervolume([[1, 3], [2, 1], [3, 3]], reference: [4, 4]) == 7)
    }

    @Test func selectionKeepsWholeFrontsThenTheLeastCrowded() {
        let sampler = NSGAIISampler(populationSize: 3)
        let values: [[Double]] = [[0, 4], [1, 2], [2, 1], [4, 0], [3, 3]]
        let trials = values.enumerated().map { TrialRecord(number: $0, state: .complete, values: $1) }
        // The front has four points; the two ends (∞ crowding) and then the inner point
        // with the larger crowding: (1,2) and (2,1) tie at 1.25, so the lower index.
        let chosen: [Int] = sampler.select(trials, [.minimize, .minimize]).map(\.number)
        #expect(chosen == [0, 1, 3])
    }

    @Test func beatsRandomSearchOnZDT1() throws {
        func run(_ sampler: any ParameterSampler) throws -> Double {
            let study = try Study(directions: [.minimize, .minimize], sampler: sampler)
            try study.optimize(nTrials: 400, objectives: { trial in
                var x: [Double] = []
                for i in 0..<5 { x.append(try trial.suggestFloat("x\(i)", 0...1)) }
                let g = 1 + 9 * x[1...].reduce(0, +) / 4
                let f1 = x[0]
                return [f1, g * (1 - (f1 / g).squareRoot())]
            })
            return hypervolume((try study.bestTrials).map { $0.values! }, reference: [1.1, 11])
        }
        let nsga = try [1, 2, 3].map { try run(NSGAIISampler(seed: $0, populationSize: 40)) }.sorted()[1]
        let random = try [1, 2, 3].map { try run(RandomSampler(seed: $0)) }.sorted()[1]
        // The true front's hypervolume is 1.1 · 11 − 1/3 ≈ 11.77.
        #expect(nsga > random, "NSGA-II \(nsga) vs random \(random)")
        #expect(nsga > 11.0)
    }

    @Test func constraintsSteerTheSearchToFeasibleTrials() throws {
        let study = try Study(directions: [.minimize, .minimize], sampler: NSGAIISampler(seed: 4, populationSize: 20))
        try study.optimize(nTrials: 200, objectives: { trial in
            let x = try trial.suggestFloat("x", 0...1)
            let y = try trial.suggestFloat("y", 0...1)
            try trial.setConstraints([1.5 - x - y])  // feasible when x + y ≥ 1.5: 1/8 of random draws
            return [x, y]
        })
        let trials = try study.trials
        let early = trials.prefix(20).filter { $0.constraintViolation == 0 }.count
        let late = trials.suffix(60).filter { $0.constraintViolation == 0 }.count
        // Random draws are feasible 1 time in 8 (7.5 of 60 expected); NSGA-II's children
        // of feasible parents land near the boundary, about half of them inside.
        #expect(late >= 15, "feasible late: \(late) of 60, early: \(early) of 20")
        // Constrained selection: once 20 feasible trials exist, the population holds only feasible ones.
        let survivors = NSGAIISampler(seed: 4, populationSize: 20).population(after: 9, trials, [.minimize, .minimize])
        #expect(survivors.count == 20)
        #expect(survivors.allSatisfy { $0.constraintViolation == 0 })
        #expect(trials[0].constraintViolation >= 0)
    }
}
