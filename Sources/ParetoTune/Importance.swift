#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore

/// How much of the objective's variation across complete trials each
/// parameter explains, by the mean decrease in impurity of a random-forest
/// surrogate fitted to (parameters → objective value) — Optuna's
/// `MeanDecreaseImpurityImportanceEvaluator`, with the same forest settings.
///
/// ```swift
/// let ranking = try ParameterImportance().evaluate(try study.trials)
/// for (name, share) in ranking { print(name, share) }   // shares sum to 1
/// ```
///
/// Rules: only complete trials with a finite value count, and only the
/// parameters every one of them has (conditional parameters that some trials
/// lack are left out, as Optuna's intersection space does). Float and int
/// parameters enter as their values (log-scaled for log distributions);
/// a categorical one as one 0/1 column per choice, whose importances are
/// summed. Each tree grows on a bootstrap sample to pure leaves (or
/// `maxDepth`), splitting at midpoints between distinct values by variance
/// reduction; a feature's importance is its total weighted variance
/// reduction, normalized per tree, averaged over trees, then normalized to
/// sum to 1 (all zeros when the objective never varies).
///
/// Cost: O(trees × depth × features × trials log trials). Deterministic for
/// a seed.
public struct ParameterImportance: Sendable {
    /// Trees in the forest. Default 64.
    public var trees: Int
    /// The deepest a tree grows. Default 64.
    public var maxDepth: Int
    /// Seed of the bootstrap samples.
    public var seed: UInt64
    /// Sample each tree's rows with replacement (false: every tree sees every trial once).
    public var bootstrap: Bool

    /// A forest with Optuna's settings.
    public init(trees: Int = 64, maxDepth: Int = 64, seed: UInt64 = 0, bootstrap: Bool = true) {
        self.trees = trees
        self.maxDepth = maxDepth
        self.seed = seed
        self.bootstrap = bootstrap
    }

    /// Each parameter's share of the explained variation, largest first
    /// (ties by name).
    ///
    /// - Throws: `TuneError` (`.invalidOption`) when fewer than two trials qualify or no
    ///   parameter is shared by all of them.
    public func evaluate(_ trials: [TrialRecord], objective: Int = 0) throws -> [(name: String, importance: Double)] {
        guard trees >= 1, maxDepth >= 1 else { throw TuneError(.invalidOption, "trees and maxDepth must be ≥ 1, got \(trees) and \(maxDepth)") }
        let usable = trials.filter {
            $0.state == .complete && ($0.values?.count ?? 0) > objective && $0.values![objective].isFinite
        }
        guard usable.count >= 2 else {
            throw TuneError(.invalidOption, "parameter importance needs at least 2 complete trials with a finite value, got \(usable.count)",
                            hint: "run more trials first")
        }
        var names = Set(usable[0].parameters.keys)
        for trial in usable.dropFirst() { names.formIntersection(trial.parameters.keys) }
        let parameters = names.sorted()
        guard !parameters.isEmpty else {
            throw TuneError(.invalidOption, "no parameter is present in every complete trial")
        }
        // Columns: one per numeric parameter, one per categorical choice.
        var columns: [[Double]] = []
        var owner: [Int] = []
        for (p, name) in parameters.enumerated() {
            switch usable[0].parameters[name]!.distribution {
            case .categorical(let d):
                for choice in 0..<d.choices.count {
                    columns.append(usable.map { $0.parameters[name]!.internalValue == Double(choice) ? 1 : 0 })
                    owner.append(p)
                }
            case .float(let d):
                columns.append(usable.map { d.log ? logOrValue($0.parameters[name]!.internalValue) : $0.parameters[name]!.internalValue })
                owner.append(p)
            case .int(let d):
                columns.append(usable.map { d.log ? logOrValue($0.parameters[name]!.internalValue) : $0.parameters[name]!.internalValue })
                owner.append(p)
            }
        }
        let y = usable.map { $0.values![objective] }
        var total = [Double](repeating: 0, count: columns.count)
        var generator = Xoshiro256(seed: seed)
        for _ in 0..<trees {
            var rows = Array(0..<usable.count)
            if bootstrap { rows = rows.map { _ in Int.random(in: 0..<usable.count, using: &generator) } }
            var gain = [Double](repeating: 0, count: columns.count)
            grow(rows, depth: 0, columns: columns, y: y, gain: &gain)
            let sum = gain.reduce(0, +)
            if sum > 0 { for c in gain.indices { total[c] += gain[c] / sum } }
        }
        var byParameter = [Double](repeating: 0, count: parameters.count)
        for (c, p) in owner.enumerated() { byParameter[p] += total[c] }
        let sum = byParameter.reduce(0, +)
        if sum > 0 { byParameter = byParameter.map { $0 / sum } }
        return parameters.indices
            .sorted { byParameter[$0] != byParameter[$1] ? byParameter[$0] > byParameter[$1] : parameters[$0] < parameters[$1] }
            .map { (parameters[$0], byParameter[$0]) }
    }

    private func logOrValue(_ v: Double) -> Double { v > 0 ? log(v) : v }

    /// Grows one node on `rows`, adding each split's weighted variance
    /// reduction (Σ squared deviations before − after) to `gain`.
    private func grow(_ rows: [Int], depth: Int, columns: [[Double]], y: [Double], gain: inout [Double]) {
        guard rows.count >= 2, depth < maxDepth else { return }
        var sum = 0.0, squares = 0.0
        for r in rows { sum += y[r]; squares += y[r] * y[r] }
        let n = Double(rows.count)
        let impurity = squares - sum * sum / n
        guard impurity > 1e-12 * max(1, squares) else { return }
        var best: (column: Int, threshold: Double, reduction: Double)? = nil
        for (c, column) in columns.enumerated() {
            let order = rows.sorted { column[$0] < column[$1] }
            var leftSum = 0.0, leftSquares = 0.0
            for k in 0..<(order.count - 1) {
                let v = y[order[k]]
                leftSum += v
                leftSquares += v * v
                let here = column[order[k]], next = column[order[k + 1]]
                guard here < next else { continue }
                let nl = Double(k + 1), nr = n - nl
                let rightSum = sum - leftSum, rightSquares = squares - leftSquares
                let after = (leftSquares - leftSum * leftSum / nl) + (rightSquares - rightSum * rightSum / nr)
                let reduction = impurity - after
                if best == nil || reduction > best!.reduction { best = (c, (here + next) / 2, reduction) }
            }
        }
        guard let split = best, split.reduction > 0 else { return }
        gain[split.column] += split.reduction
        let column = columns[split.column]
        grow(rows.filter { column[$0] <= split.threshold }, depth: depth + 1, columns: columns, y: y, gain: &gain)
        grow(rows.filter { column[$0] > split.threshold }, depth: depth + 1, columns: columns, y: y, gain: &gain)
    }
}
