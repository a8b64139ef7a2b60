import ParetoCore

/// A set of parameters that always occur together in a study's history,
/// with the distribution each is modelled with: what grouped multivariate
/// TPE samples jointly.
struct ParameterGroup: Sendable, Equatable {
    /// The parameters' names, sorted.
    var names: [String]
    /// Per name: the distribution of the first counted trial that has it.
    var distributions: [ParameterDistribution]
}

/// Cuts the parameters of a study's complete and pruned trials into groups
/// of parameters that always occur together (Optuna's group-decomposed
/// search space, `TPESampler(multivariate=True, group=True)`).
///
/// The rule: start with no groups; for each counted trial (complete or
/// pruned) with parameter set S, split every group G into G ∩ S and G − S
/// (empty parts dropped), then add S minus all groups as a new group.
///
/// Why it is computed another way: two parameters end in the same group
/// exactly when every counted trial has both or neither (a group is split
/// as soon as a trial holds one of two parameters without the other, and
/// two parameters first seen in different trials never meet). So the
/// groups are the classes of parameters with equal presence over the
/// counted trials: one bitset per parameter, grouped by value. This reads
/// the study's observation columns (plain arrays) instead of every trial's
/// parameter dictionary, which at a thousand trials would cost more than
/// the rest of TPE's work per trial.
///
/// Distributions: as Optuna, which keeps the distribution a parameter had
/// when its group was formed, a parameter is modelled with the
/// distribution of the first counted trial that has it, and a later change
/// of its distribution does not split its group.
///
/// Order (it fixes the order the groups draw from the trial's generator):
/// groups by the first counted trial that has them, then by smallest name.
///
/// Cost: O(trials) to mark the counted trials, then O(parameters ×
/// trials / 64) words with the columns; O(trials × parameters) dictionary
/// reads from the records without them.
enum GroupDecomposition {
    /// The groups of the complete and pruned trials in `trials` (index =
    /// trial number); `known`, when given, holds their parameters by name.
    static func groups(_ trials: [TrialRecord], _ known: ObservationColumns?) -> [ParameterGroup] {
        let n = trials.count
        let words = (n + 63) / 64
        var counted = [UInt64](repeating: 0, count: words)
        var any = false
        trials.withUnsafeBufferPointer { records in
            for i in 0..<n where records[i].state == .complete || records[i].state == .pruned {
                counted[i >> 6] |= 1 << UInt64(i & 63)
                any = true
            }
        }
        guard any else { return [] }
        // Per parameter: presence over counted trials, the first such trial and its distribution.
        var presence: [String: (bits: [UInt64], first: Int, distribution: ParameterDistribution)] = [:]
        if let known {
            for (name, column) in known.byName {
                var bits = [UInt64](repeating: 0, count: words)
                var first = -1
                column.kinds.withUnsafeBufferPointer { kinds in
                    for i in 0..<min(n, kinds.count) where kinds[i] >= 0 && counted[i >> 6] & (1 << UInt64(i & 63)) != 0 {
                        bits[i >> 6] |= 1 << UInt64(i & 63)
                        if first < 0 { first = i }
                    }
                }
                if first >= 0 { presence[name] = (bits, first, column.distributions[Int(column.kinds[first])]) }
            }
        } else {
            for i in 0..<n where counted[i >> 6] & (1 << UInt64(i & 63)) != 0 {
                for (name, p) in trials[i].parameters { mark(&presence, name, i, p.distribution, words) }
            }
        }
        var groupOf: [[UInt64]: Int] = [:]
        var groups: [(first: Int, group: ParameterGroup)] = []
        for name in presence.keys.sorted() {
            let entry = presence[name]!
            if let g = groupOf[entry.bits] {
                groups[g].group.names.append(name)
                groups[g].group.distributions.append(entry.distribution)
            } else {
                groupOf[entry.bits] = groups.count
                groups.append((entry.first, ParameterGroup(names: [name], distributions: [entry.distribution])))
            }
        }
        // Names were visited in order, so each group's first name is its smallest.
        return groups.sorted { ($0.first, $0.group.names[0]) < ($1.first, $1.group.names[0]) }.map(\.group)
    }

    /// Records that counted trial `i` has parameter `name`.
    private static func mark(_ presence: inout [String: (bits: [UInt64], first: Int, distribution: ParameterDistribution)],
                             _ name: String, _ i: Int, _ distribution: ParameterDistribution, _ words: Int) {
        if presence[name] == nil { presence[name] = ([UInt64](repeating: 0, count: words), i, distribution) }
        presence[name]!.bits[i >> 6] |= 1 << UInt64(i & 63)
        if i < presence[name]!.first { presence[name]!.first = i; presence[name]!.distribution = distribution }
    }

    /// `value` (internal form in `source`) in the internal form of
    /// `target`, or `nil` when `target` cannot hold it.
    ///
    /// Optuna converts a trial's value into the group's distribution
    /// whatever its range; here a number must also lie in the target's
    /// range (and grid), and a choice must be one of the target's: the
    /// estimator's kernels assume observations inside the range (a log
    /// kernel of a non-positive value would be NaN).
    static func convert(_ value: Double, from source: ParameterDistribution, to target: ParameterDistribution) -> Double? {
        if source == target { return value }
        switch (source, target) {
        case (.float, .float(let t)):
            return t.contains(value) ? t.nearest(value) : nil
        case (.int, .int(let t)):
            return t.contains(value) ? value : nil
        case (.categorical(let s), .categorical(let t)):
            let index = Int(value)
            guard s.choices.indices.contains(index) else { return nil }
            return t.choices.firstIndex(of: s.choices[index]).map(Double.init)
        default:
            return nil
        }
    }

    /// Per parameter, the internal values (in the group's `distributions`)
    /// of the trials at `indices` that have every parameter of the group
    /// with a value those distributions can hold (`convert`), in trial
    /// order: `TPESampler.observations` with conversion instead of equality.
    static func observations(_ trials: [TrialRecord], _ known: ObservationColumns?, _ indices: [Int], _ names: [String],
                             _ distributions: [ParameterDistribution]) -> [[Double]] {
        var kept: [Int] = []
        return observations(trials, known, indices, names, distributions, kept: &kept)
    }

    /// As above; `kept` receives the indices (from `indices`) of the trials observed, in order.
    static func observations(_ trials: [TrialRecord], _ known: ObservationColumns?, _ indices: [Int], _ names: [String],
                             _ distributions: [ParameterDistribution], kept: inout [Int]) -> [[Double]] {
        kept.removeAll(keepingCapacity: true)
        var columns = [[Double]](repeating: [], count: names.count)
        for d in names.indices { columns[d].reserveCapacity(indices.count) }
        var row = [Double](repeating: 0, count: names.count)
        let stored: [ObservationColumns.Column?] = names.map { known?.byName[$0] }
        // Per parameter and stored distribution: whether it is the group's own (no conversion needed).
        let isOwn: [[Bool]] = names.indices.map { d in stored[d]?.distributions.map { $0 == distributions[d] } ?? [] }
        trials.withUnsafeBufferPointer { records in
            trials: for i in indices {
                if known != nil && records[i].state.isFinished {
                    for d in names.indices {
                        guard let column = stored[d], i < column.kinds.count, column.kinds[i] >= 0 else { continue trials }
                        let kind = Int(column.kinds[i])
                        if isOwn[d][kind] {
                            row[d] = column.values[i]
                        } else if let v = convert(column.values[i], from: column.distributions[kind], to: distributions[d]) {
                            row[d] = v
                        } else {
                            continue trials
                        }
                    }
                } else {
                    for d in names.indices {
                        guard let p = records[i].parameters[names[d]],
                              let v = convert(p.internalValue, from: p.distribution, to: distributions[d]) else { continue trials }
                        row[d] = v
                    }
                }
                for d in names.indices { columns[d].append(row[d]) }
                kept.append(i)
            }
        }
        return columns
    }
}
