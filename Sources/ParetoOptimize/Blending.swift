import ParetoCore
import ParetoData
import ParetoEval

/// Greedy ensemble selection (Caruana et al., 2004) on out-of-fold
/// predictions: start from nothing, and `steps` times add (with
/// replacement) the candidate whose addition gives the best metric of the
/// averaged predictions; a candidate's weight is its share of the picks.
///
/// Rules: candidates are row-major matrices of `outputsPerRow` values per
/// row over the same rows (probabilities or values); ties go to the
/// earlier candidate, so the result is deterministic. Only `rows` are
/// scored, so the weights can be fitted on some rows and judged on others.
///
/// A selection under limits passes `allowed`: a candidate is added only
/// when the candidates picked so far plus it pass (the optimizer's summed
/// latency and size), so the blend stays within them by construction.
///
/// Cost: steps × candidates metric evaluations over `rows`.
struct BlendSelection {
    var metric: any Metric
    var task: TaskKind
    var targets: [Double]
    var outputsPerRow: Int
    var steps = 15

    /// Picks per candidate after greedy selection on `rows`, adding only
    /// candidates for which `allowed(members)` holds (members: the indices
    /// picked at least once, with the candidate). All zeros when no
    /// candidate is allowed alone.
    func greedy(_ candidates: [[Double]], rows: [Int], allowed: (Set<Int>) -> Bool = { _ in true }) throws -> [Int] {
        var counts = [Int](repeating: 0, count: candidates.count)
        let k = outputsPerRow
        var sum = [Double](repeating: 0, count: rows.count * k)
        var members = Set<Int>()
        for step in 1...steps {
            var best: (index: Int, score: Double)? = nil
            for (c, candidate) in candidates.enumerated() where members.contains(c) || allowed(members.union([c])) {
                var trial = sum
                for (j, row) in rows.enumerated() {
                    for o in 0..<k { trial[j * k + o] += candidate[row * k + o] }
                }
                let score = try evaluate(trial.map { $0 / Double(step) }, rows: rows)
                if best == nil || metric.direction.isBetter(score, than: best!.score) { best = (c, score) }
            }
            guard let chosen = best?.index else { break }
            counts[chosen] += 1
            members.insert(chosen)
            for (j, row) in rows.enumerated() {
                for o in 0..<k { sum[j * k + o] += candidates[chosen][row * k + o] }
            }
        }
        return counts
    }

    /// The blend's predictions on `rows` for pick counts `counts`.
    func blend(_ candidates: [[Double]], counts: [Int], rows: [Int]) -> [Double] {
        let k = outputsPerRow
        let total = Double(counts.reduce(0, +))
        var out = [Double](repeating: 0, count: rows.count * k)
        for (c, count) in counts.enumerated() where count > 0 {
            let w = Double(count) / total
            for (j, row) in rows.enumerated() {
                for o in 0..<k { out[j * k + o] += w * candidates[c][row * k + o] }
            }
        }
        return out
    }

    /// The metric of `predictions` (one matrix over `rows`).
    func evaluate(_ predictions: [Double], rows: [Int]) throws -> Double {
        let y = rows.map { targets[$0] }
        let outcomes = task == .regression
            ? try Outcomes(regressionTargets: y, predictions: predictions)
            : try Outcomes(classTargets: y, predictions: predictions, classCount: outputsPerRow)
        return try metric.evaluate(outcomes)
    }
}
