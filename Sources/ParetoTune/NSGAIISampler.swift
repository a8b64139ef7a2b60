import ParetoCore

extension Trial {
    /// The user attribute that holds a trial's constraint values.
    public static let constraintsKey = "constraints"

    /// Records constraint values for constraint-aware samplers (NSGA-II): the
    /// trial is feasible when every value is ≤ 0; positive values measure the
    /// violation.
    public func setConstraints(_ values: [Double]) throws {
        try setUserAttribute(Trial.constraintsKey, values)
    }
}

extension TrialRecord {
    /// The sum of the positive constraint values (0 when feasible or when
    /// no constraints were recorded).
    public var constraintViolation: Double {
        guard let text = userAttributes[Trial.constraintsKey],
              let values = try? text.decode([Double].self) else { return 0 }
        return values.reduce(0) { $0 + max(0, $1) }
    }
}

extension Dominance {
    /// Ranks with constraints (Deb 2000): feasible points (violation 0) by
    /// non-dominated sort first; then infeasible ones, each rank holding the
    /// points of one violation level, smaller violations first.
    public static func constrainedRanks(_ points: [[Double]], violations: [Double]) -> [Int] {
        let feasible = points.indices.filter { violations[$0] <= 0 }
        var rank = [Int](repeating: 0, count: points.count)
        let feasibleRanks = ranks(feasible.map { points[$0] })
        for (i, r) in zip(feasible, feasibleRanks) { rank[i] = r }
        var next = (feasibleRanks.max() ?? -1) + 1
        let infeasible = points.indices.filter { violations[$0] > 0 }.sorted { (violations[$0], $0) < (violations[$1], $1) }
        var previous: Double?
        for i in infeasible {
            if let previous, violations[i] > previous { next += 1 }
            rank[i] = next
            previous = violations[i]
        }
        return rank
    }
}

/// NSGA-II (Deb et al. 2002): a genetic algorithm for one or several
/// objectives, with constraints.
///
/// ```swift
/// let sampler = NSGAIISampler(seed: 1, populationSize: 40)
/// try study.optimize(nTrials: 400, objectives: { trial in
///     let x = try trial.suggestFloat("x", 0...1)
///     try trial.setConstraints([x - 0.8])        // feasible when x ≤ 0.8
///     return [x, 1 - x * x]
/// })
/// ```
///
/// Trial `n` belongs to generation ⌊n / populationSize⌋. Generation 0 is
/// random. The population after generation `g` is the best `populationSize`
/// of the previous population and generation `g`'s complete trials, ranked
/// by (constrained) non-domination rank, ties cut by crowding distance. A
/// child of generation `g + 1` takes two parents by binary tournament from
/// that population, mixes them by uniform crossover (with probability
/// `crossoverProbability`, each parameter from either parent with even odds;
/// else a copy of the first) and redraws each parameter at random with
/// probability `mutationProbability` (1 / parameters by default).
///
/// Stateless: the populations are recomputed from the history each trial,
/// O(generations × populationSize² × objectives).
public struct NSGAIISampler: ParameterSampler {
    /// The seed of every random choice.
    public let seed: UInt64
    /// Trials per generation.
    public var populationSize: Int
    /// The chance that a child mixes its parents rather than copying one.
    public var crossoverProbability: Double
    /// The chance to redraw each parameter at random; `nil` for 1 / parameters.
    public var mutationProbability: Double?

    /// Creates an NSGA-II sampler.
    public init(seed: UInt64 = 0, populationSize: Int = 50, crossoverProbability: Double = 0.9,
                mutationProbability: Double? = nil) {
        self.seed = seed
        self.populationSize = max(2, populationSize)
        self.crossoverProbability = crossoverProbability
        self.mutationProbability = mutationProbability
    }

    /// The surviving population after `generation` (complete trials only).
    func population(after generation: Int, _ trials: [TrialRecord], _ directions: [StudyDirection]) -> [TrialRecord] {
        var population: [TrialRecord] = []
        for g in 0...generation {
            let range = (g * populationSize)..<((g + 1) * populationSize)
            let born = trials.filter { range.contains($0.number) && $0.state == .complete && $0.values?.count == directions.count }
            population = select(population + born, directions)
        }
        return population
    }

    /// The best `populationSize` trials by constrained rank, then crowding distance.
    func select(_ candidates: [TrialRecord], _ directions: [StudyDirection]) -> [TrialRecord] {
        guard candidates.count > populationSize else { return candidates }
        let points = candidates.map { Dominance.minimizing($0.values!, directions) }
        let rank = Dominance.constrainedRanks(points, violations: candidates.map(\.constraintViolation))
        var chosen: [Int] = []
        var level = 0
        while chosen.count < populationSize {
            let front = candidates.indices.filter { rank[$0] == level }
            if chosen.count + front.count <= populationSize {
                chosen += front
            } else {
                let crowding = Dominance.crowdingDistances(front.map { points[$0] })
                let order = front.indices.sorted { (crowding[$0], -front[$0]) > (crowding[$1], -front[$1]) }
                chosen += order.prefix(populationSize - chosen.count).map { front[$0] }
            }
            level += 1
        }
        return chosen.sorted().map { candidates[$0] }
    }

    public func sampleRelative(_ context: inout SamplingContext) -> [String: TrialParameter] {
        let generation = context.trialNumber / populationSize
        guard generation > 0 else { return [:] }
        let parents = population(after: generation - 1, context.trials, context.directions)
        guard parents.count >= 2 else { return [:] }
        let space = TPESampler.sharedSpace(parents)
        guard !space.isEmpty else { return [:] }
        // Tournament order: rank and crowding within the parent population.
        let points = parents.map { Dominance.minimizing($0.values!, context.directions) }
        let rank = Dominance.constrainedRanks(points, violations: parents.map(\.constraintViolation))
        var crowding = [Double](repeating: 0, count: parents.count)
        for level in Set(rank) {
            let front = parents.indices.filter { rank[$0] == level }
            for (i, d) in zip(front, Dominance.crowdingDistances(front.map { points[$0] })) { crowding[i] = d }
        }
        func tournament(_ random: inout Xoshiro256) -> Int {
            let a = random.uniformInt(below: parents.count), b = random.uniformInt(below: parents.count)
            if rank[a] != rank[b] { return rank[a] < rank[b] ? a : b }
            return crowding[a] >= crowding[b] ? a : b
        }
        let first = parents[tournament(&context.random)]
        let second = parents[tournament(&context.random)]
        let mix = context.random.uniformDouble() < crossoverProbability
        let names = space.keys.sorted()
        let mutation = mutationProbability ?? 1 / Double(names.count)
        var child: [String: TrialParameter] = [:]
        for name in names {
            let fromSecond = mix && context.random.uniformDouble() < 0.5
            let mutate = context.random.uniformDouble() < mutation
            if mutate { continue }  // left to sampleIndependent: a random draw
            child[name] = (fromSecond ? second : first).parameters[name]!
        }
        return child
    }

    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        RandomSampler.draw(distribution, &context.random)
    }
}
