#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore

/// How much of the objective's variation across complete trials each
/// parameter explains, from a random-forest surrogate fitted to
/// (parameters → objective value): by functional ANOVA (the default, as
/// Optuna's `FanovaImportanceEvaluator`) or by mean decrease in impurity
/// (Optuna's `MeanDecreaseImpurityImportanceEvaluator`).
///
/// ```swift
/// let ranking = try ParameterImportance().evaluate(try study.trials)
/// for (name, share) in ranking { print(name, share) }   // shares sum to 1
/// ```
///
/// Rules: only complete trials with a finite value count, and only the
/// parameters every one of them has, with more than one possible value
/// (conditional parameters that some trials lack are left out, as Optuna's
/// intersection space does). Float and int parameters enter as their values
/// (log-scaled for log distributions); a categorical one as one 0/1 column
/// per choice, whose columns are taken together. Each tree grows on a
/// bootstrap sample to pure leaves (or `maxDepth`), splitting at midpoints
/// between distinct values by variance reduction.
///
/// - fANOVA (Hutter, Hoos & Leyton-Brown 2014): each tree is a piecewise
///   constant function on the search space's box (the distributions'
///   bounds). Its variance over the box (uniform there) splits into parts;
///   a parameter's importance is the variance of its marginal — the tree
///   averaged over every other parameter, as a function of this one — over
///   the tree's total variance. Averaged over trees, then normalized to sum
///   to 1. Unlike impurity, it measures the objective over the whole space,
///   not where the sampler happened to look.
/// - Mean decrease in impurity: a parameter's total weighted variance
///   reduction at its splits, normalized per tree, averaged, normalized.
///
/// All zeros when the objective never varies. Cost: O(trees × depth ×
/// columns × trials log trials) to fit; fANOVA adds O(trees × parameters ×
/// split cells × leaves × columns). Deterministic for a seed.
public struct ParameterImportance: Sendable {
    /// How the forest's importance is read.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Marginal variance over total variance (functional ANOVA).
        case fanova
        /// Total variance reduction at each parameter's splits.
        case meanDecreaseImpurity
    }

    /// Trees in the forest. Default 64.
    public var trees: Int
    /// The deepest a tree grows. Default 64.
    public var maxDepth: Int
    /// Seed of the bootstrap samples.
    public var seed: UInt64
    /// Sample each tree's rows with replacement (false: every tree sees every trial once).
    public var bootstrap: Bool
    /// fANOVA (default) or mean decrease in impurity.
    public var method: Method

    /// A forest with Optuna's settings (64 trees, depth ≤ 64, bootstrap).
    public init(trees: Int = 64, maxDepth: Int = 64, seed: UInt64 = 0, bootstrap: Bool = true, method: Method = .fanova) {
        self.trees = trees
        self.maxDepth = maxDepth
        self.seed = seed
        self.bootstrap = bootstrap
        self.method = method
    }

    /// Each parameter's share of the explained variation, largest first
    /// (ties by name).
    ///
    /// - Throws: `TuneError` (`.invalidOption`) when fewer than two trials qualify or no
    ///   parameter is shared by all of them.
    public func evaluate(_ trials: [TrialRecord], objective: Int = 0) throws -> [(name: String, importance: Double)] {
        guard trees >= 1, maxDepth >= 1 else { throw TuneError(.invalidOption, "trees and maxDepth must be ≥ 1, got \(trees) and \(maxDepth)") }
        let design = try ImportanceDesign(trials, objective: objective)
        var byParameter = [Double](repeating: 0, count: design.parameters.count)
        var generator = Xoshiro256(seed: seed)
        for _ in 0..<trees {
            var rows = Array(0..<design.y.count)
            if bootstrap { rows = rows.map { _ in Int.random(in: 0..<design.y.count, using: &generator) } }
            let tree = RegressionTree(rows: rows, columns: design.columns, y: design.y, maxDepth: maxDepth)
            switch method {
            case .meanDecreaseImpurity:
                var gain = [Double](repeating: 0, count: design.parameters.count)
                for node in tree.nodes where node.column >= 0 { gain[design.owner[node.column]] += node.reduction }
                let sum = gain.reduce(0, +)
                if sum > 0 { for p in gain.indices { byParameter[p] += gain[p] / sum } }
            case .fanova:
                let parts = Fanova.decompose(tree, bounds: design.bounds, groups: design.groups)
                guard parts.total > 0 else { continue }
                for p in byParameter.indices { byParameter[p] += parts.marginal[p] / parts.total }
            }
        }
        let sum = byParameter.reduce(0, +)
        if sum > 0 { byParameter = byParameter.map { $0 / sum } }
        let parameters = design.parameters
        return parameters.indices
            .sorted { byParameter[$0] != byParameter[$1] ? byParameter[$0] > byParameter[$1] : parameters[$0] < parameters[$1] }
            .map { (parameters[$0], byParameter[$0]) }
    }
}

/// The forest's input: one column per numeric parameter and per categorical
/// choice, with the box the search space spans in each.
struct ImportanceDesign {
    /// The parameters, sorted by name.
    var parameters: [String]
    /// `columns[c][row]`: the trials' values, column by column.
    var columns: [[Double]]
    /// The parameter each column belongs to.
    var owner: [Int]
    /// Each parameter's columns.
    var groups: [[Int]]
    /// Each column's range in the search space (transformed: log for log parameters; [0, 1] for a choice).
    var bounds: [(low: Double, high: Double)]
    /// The objective value of each row.
    var y: [Double]

    init(_ trials: [TrialRecord], objective: Int) throws {
        let usable = trials.filter {
            $0.state == .complete && ($0.values?.count ?? 0) > objective && $0.values![objective].isFinite
        }
        guard usable.count >= 2 else {
            throw TuneError(.invalidOption, "parameter importance needs at least 2 complete trials with a finite value, got \(usable.count)",
                            hint: "run more trials first")
        }
        // Shared names with one distribution everywhere; single-valued ones explain nothing.
        var names = Set(usable[0].parameters.keys)
        for trial in usable.dropFirst() { names.formIntersection(trial.parameters.keys) }
        parameters = names.filter { name in
            let d = usable[0].parameters[name]!.distribution
            return !d.isSingleValue && usable.allSatisfy { $0.parameters[name]!.distribution == d }
        }.sorted()
        guard !parameters.isEmpty else {
            throw TuneError(.invalidOption, "no parameter with more than one value is present, with one distribution, in every complete trial")
        }
        columns = []
        owner = []
        groups = []
        bounds = []
        func transformed(_ v: Double, _ log: Bool) -> Double { log ? ln(v) : v }
        for (p, name) in parameters.enumerated() {
            var group: [Int] = []
            switch usable[0].parameters[name]!.distribution {
            case .categorical(let d):
                for choice in 0..<d.choices.count {
                    group.append(columns.count)
                    columns.append(usable.map { $0.parameters[name]!.internalValue == Double(choice) ? 1 : 0 })
                    bounds.append((0, 1))
                }
            case .float(let d):
                group.append(columns.count)
                columns.append(usable.map { transformed($0.parameters[name]!.internalValue, d.log) })
                bounds.append((transformed(d.low, d.log), transformed(d.high, d.log)))
            case .int(let d):
                group.append(columns.count)
                columns.append(usable.map { transformed($0.parameters[name]!.internalValue, d.log) })
                bounds.append((transformed(Double(d.low), d.log), transformed(Double(d.high), d.log)))
            }
            owner += group.map { _ in p }
            groups.append(group)
        }
        y = usable.map { $0.values![objective] }
    }
}

/// A regression tree grown to pure leaves (or a depth limit), splitting at
/// the midpoint between distinct values with the largest variance
/// reduction (first column, then lowest threshold, on ties).
struct RegressionTree {
    /// An internal node (`column` ≥ 0) or a leaf (`column` = −1).
    struct Node {
        var column: Int
        var threshold: Double
        var left: Int
        var right: Int
        /// The mean objective of the node's rows.
        var value: Double
        /// Σ squared deviations before the split minus after (internal nodes).
        var reduction: Double
    }

    /// Nodes, the root first; children after their parent.
    var nodes: [Node]

    /// Grows a tree on `rows` (repeats allowed: a bootstrap sample).
    init(rows: [Int], columns: [[Double]], y: [Double], maxDepth: Int) {
        nodes = []
        _ = grow(rows, depth: 0, columns: columns, y: y, maxDepth: maxDepth)
    }

    /// A tree from its nodes (tests build trees by hand).
    init(nodes: [Node]) { self.nodes = nodes }

    private mutating func grow(_ rows: [Int], depth: Int, columns: [[Double]], y: [Double], maxDepth: Int) -> Int {
        var sum = 0.0, squares = 0.0
        for r in rows { sum += y[r]; squares += y[r] * y[r] }
        let n = Double(rows.count)
        let index = nodes.count
        nodes.append(Node(column: -1, threshold: 0, left: -1, right: -1, value: rows.isEmpty ? 0 : sum / n, reduction: 0))
        guard rows.count >= 2, depth < maxDepth else { return index }
        let impurity = squares - sum * sum / n
        guard impurity > 1e-12 * max(1, squares) else { return index }
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
        guard let split = best, split.reduction > 0 else { return index }
        let column = columns[split.column]
        let left = grow(rows.filter { column[$0] <= split.threshold }, depth: depth + 1, columns: columns, y: y, maxDepth: maxDepth)
        let right = grow(rows.filter { column[$0] > split.threshold }, depth: depth + 1, columns: columns, y: y, maxDepth: maxDepth)
        nodes[index].column = split.column
        nodes[index].threshold = split.threshold
        nodes[index].left = left
        nodes[index].right = right
        nodes[index].reduction = split.reduction
        return index
    }
}

/// Functional ANOVA of one tree over a box.
enum Fanova {
    /// The most cells a group's marginal is evaluated on (a categorical
    /// parameter's columns multiply their split intervals); beyond it the
    /// group's columns with the most thresholds are averaged out like
    /// columns of other parameters (an approximation, for choices > 12).
    static let maxCells = 4096

    /// The tree's total variance over the box (uniform), and each group's
    /// marginal variance: the variance, over the group's columns, of the
    /// tree averaged over all other columns.
    ///
    /// The leaves partition the box into sub-boxes with constant values;
    /// the split thresholds on a group's columns cut its sub-box into cells
    /// on which the marginal is constant: the sum, over leaves covering a
    /// cell, of value × the leaf's volume share in the other columns.
    static func decompose(_ tree: RegressionTree, bounds: [(low: Double, high: Double)], groups: [[Int]])
        -> (total: Double, marginal: [Double]) {
        let d = bounds.count
        // Each leaf's box, as a share of each column's range.
        var leafValues: [Double] = []
        var leafLow: [[Double]] = [], leafHigh: [[Double]] = []
        var splits = [[Double]](repeating: [], count: d)
        func walk(_ i: Int, _ low: [Double], _ high: [Double]) {
            let node = tree.nodes[i]
            if node.column < 0 {
                leafValues.append(node.value)
                leafLow.append(low)
                leafHigh.append(high)
                return
            }
            let c = node.column
            let t = min(max(node.threshold, low[c]), high[c])
            splits[c].append(t)
            var leftHigh = high, rightLow = low
            leftHigh[c] = t
            rightLow[c] = t
            walk(node.left, low, leftHigh)
            walk(node.right, rightLow, high)
        }
        walk(0, bounds.map(\.low), bounds.map(\.high))
        let leaves = leafValues.count
        // share[l][c]: leaf l's width in column c over the column's range (1 for an empty range).
        var share = [[Double]](repeating: [Double](repeating: 1, count: d), count: leaves)
        var volume = [Double](repeating: 1, count: leaves)
        for l in 0..<leaves {
            for c in 0..<d where bounds[c].high > bounds[c].low {
                share[l][c] = (leafHigh[l][c] - leafLow[l][c]) / (bounds[c].high - bounds[c].low)
                volume[l] *= share[l][c]
            }
        }
        var mean = 0.0
        for l in 0..<leaves { mean += volume[l] * leafValues[l] }
        var total = 0.0
        for l in 0..<leaves { total += volume[l] * (leafValues[l] - mean) * (leafValues[l] - mean) }

        var marginal = [Double](repeating: 0, count: groups.count)
        for (g, group) in groups.enumerated() {
            // Each split column's cells: its distinct thresholds cut its range.
            // Columns never split carry a constant marginal: they average out.
            var active: [(column: Int, edges: [Double])] = group.compactMap { c in
                let inside = Set(splits[c]).filter { $0 > bounds[c].low && $0 < bounds[c].high }.sorted()
                return inside.isEmpty ? nil : (c, [bounds[c].low] + inside + [bounds[c].high])
            }
            // Too many cells (a categorical's choices multiply): the columns
            // with the most thresholds go first.
            while active.reduce(1, { $0 * ($1.edges.count - 1) }) > maxCells,
                  let widest = active.indices.max(by: { active[$0].edges.count < active[$1].edges.count }) {
                active.remove(at: widest)
            }
            guard !active.isEmpty else { continue }
            // Each leaf's volume share in the columns outside the active ones.
            let outside: [Double] = (0..<leaves).map { l in
                active.reduce(volume[l]) { share[l][$1.column] > 0 ? $0 / share[l][$1.column] : 0 }
            }
            if active.count == 1 {
                marginal[g] = singleColumnVariance(active[0].column, active[0].edges, bounds: bounds[active[0].column],
                                                   leafLow: leafLow, leafHigh: leafHigh, values: leafValues,
                                                   outside: outside, mean: mean)
                continue
            }
            let counts = active.map { $0.edges.count - 1 }
            var cell = [Int](repeating: 0, count: active.count)
            var middle = [Double](repeating: 0, count: active.count)
            var variance = 0.0
            for _ in 0..<counts.reduce(1, *) {
                var weight = 1.0
                for (k, a) in active.enumerated() {
                    let left = a.edges[cell[k]], right = a.edges[cell[k] + 1]
                    middle[k] = (left + right) / 2
                    weight *= (right - left) / (bounds[a.column].high - bounds[a.column].low)
                }
                // Cell edges are thresholds, so a leaf covers a cell whole or not at all.
                var value = 0.0
                for l in 0..<leaves {
                    var covers = true
                    for (k, a) in active.enumerated() where !(leafLow[l][a.column] <= middle[k] && middle[k] <= leafHigh[l][a.column]) {
                        covers = false
                        break
                    }
                    if covers { value += leafValues[l] * outside[l] }
                }
                variance += weight * (value - mean) * (value - mean)
                // The next cell, odometer order.
                var k = 0
                while k < active.count {
                    cell[k] += 1
                    if cell[k] < counts[k] { break }
                    cell[k] = 0
                    k += 1
                }
            }
            marginal[g] = variance
        }
        return (total, marginal)
    }

    /// One column's marginal variance: each leaf covers a run of cells
    /// (found by binary search), added through a difference array, so
    /// O(leaves × log cells + cells) instead of cells × leaves.
    private static func singleColumnVariance(_ c: Int, _ edges: [Double], bounds: (low: Double, high: Double),
                                             leafLow: [[Double]], leafHigh: [[Double]], values: [Double],
                                             outside: [Double], mean: Double) -> Double {
        let cells = edges.count - 1
        // The index of the edge equal to `x` (every leaf bound is an edge).
        func edgeIndex(_ x: Double) -> Int {
            var lo = 0, hi = edges.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if edges[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        var delta = [Double](repeating: 0, count: cells + 1)
        for l in values.indices {
            let first = edgeIndex(leafLow[l][c]), end = edgeIndex(leafHigh[l][c])
            let amount = values[l] * outside[l]
            delta[first] += amount
            delta[end] -= amount
        }
        var value = 0.0, variance = 0.0
        let range = bounds.high - bounds.low
        for k in 0..<cells {
            value += delta[k]
            variance += (edges[k + 1] - edges[k]) / range * (value - mean) * (value - mean)
        }
        return variance
    }
}
