import ParetoCore

/// Tries every combination of listed values once, in a seeded random order.
///
/// ```swift
/// let sampler = try GridSampler(["leaves": [15, 31, 63], "booster": ["gbdt", "rf"]])   // 6 points
/// ```
///
/// A trial takes the first point of the seeded order that no earlier trial
/// (of any state but failed) has taken, so parallel workers rarely repeat a
/// point; once every point is taken, points repeat in the same order. A
/// parameter the grid does not list, or a listed value outside the
/// distribution the objective suggests, is drawn at random.
///
/// Cost per trial: O(trials × parameters) to find the taken points.
public struct GridSampler: ParameterSampler {
    /// The seed of the visiting order.
    public let seed: UInt64
    /// The grid: parameter names (sorted) and their values as JSON texts.
    public let names: [String]
    /// The values of each parameter in `names`, as JSON texts.
    public let values: [[JSONText]]

    /// Creates a grid from lists of values (numbers, strings, any `Encodable`).
    ///
    /// - Throws: `.invalidOption` for an empty list.
    public init(_ grid: [String: [any Encodable & Sendable]], seed: UInt64 = 0) throws {
        self.seed = seed
        names = grid.keys.sorted()
        values = try names.map { name in
            let list = try grid[name]!.map { try JSONText(encoding: $0) }
            guard !list.isEmpty else {
                throw TuneError(.invalidOption, "grid parameter \"\(name)\" has no values")
            }
            return list
        }
    }

    /// The number of grid points.
    public var count: Int { values.reduce(1) { $0 * $1.count } }

    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        guard let column = names.firstIndex(of: name) else { return RandomSampler.draw(distribution, &context.random) }
        let point: Int
        if let chosen = context.samplerState as? Int {
            point = chosen
        } else {
            point = choosePoint(context)
            context.samplerState = point
        }
        let value = values[column][coordinates(of: point)[column]]
        return Trial.internalValue(of: value, in: distribution) ?? RandomSampler.draw(distribution, &context.random)
    }

    /// The index of each parameter's value at grid point `point` (mixed radix).
    func coordinates(of point: Int) -> [Int] {
        var rest = point
        return values.map { list in
            defer { rest /= list.count }
            return rest % list.count
        }
    }

    /// The grid point of a trial's parameters, when every listed parameter holds a listed value.
    func point(of trial: TrialRecord) -> Int? {
        var point = 0, radix = 1
        for (column, name) in names.enumerated() {
            guard let parameter = trial.parameters[name],
                  let index = values[column].firstIndex(of: parameter.displayValue) else { return nil }
            point += index * radix
            radix *= values[column].count
        }
        return point
    }

    private func choosePoint(_ context: SamplingContext) -> Int {
        var taken = [Bool](repeating: false, count: count)
        for trial in context.trials where trial.state != .failed {
            if let p = point(of: trial) { taken[p] = true }
        }
        var order = Xoshiro256(seed: seed)
        let permutation = order.permutation(count)
        return permutation.first { !taken[$0] } ?? permutation[context.trialNumber % count]
    }
}
