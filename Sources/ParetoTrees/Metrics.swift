#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A validation metric for early stopping, computed on raw scores.
///
/// (The full metric library, with weights, intervals and checks, belongs to
/// `ParetoEval`; these are the few the boosting loop needs, kept here so the
/// trees depend on nothing above them.)
public enum BoostingMetric: String, Sendable, Codable, Equatable, CaseIterable {
    /// Binary log loss (lower is better).
    case logloss
    /// Area under the ROC curve, ties counted half (higher is better).
    case auc
    /// Multiclass log loss (lower is better).
    case multiLogloss = "multi_logloss"
    /// Root mean squared error (lower is better).
    case rmse
    /// Mean absolute error (lower is better).
    case mae
    /// Share of rows misclassified at probability 0.5 (LightGBM's
    /// `binary_error`; lower is better). A probability of exactly 0.5
    /// predicts the negative class.
    case error = "binary_error"
    /// Share of rows whose true class does not score strictly above every
    /// other class (LightGBM's `multi_error` with top-k 1, so a tie counts
    /// as an error; lower is better).
    case multiError = "multi_error"

    /// Whether larger values are better.
    public var higherIsBetter: Bool { self == .auc }

    /// Whether the metric can score `objective`'s outputs: the binary
    /// metrics need one probability per row, the multiclass ones a score
    /// per class, the regression ones a number.
    public func fits(_ objective: BoostingObjective) -> Bool {
        switch (self, objective) {
        case (.logloss, .binary), (.logloss, .focal), (.auc, .binary), (.auc, .focal),
             (.error, .binary), (.error, .focal):
            true
        case (.multiLogloss, .multiclass), (.multiError, .multiclass):
            true
        case (.rmse, .regression), (.rmse, .l1), (.rmse, .huber), (.rmse, .quantile), (.rmse, .poisson),
             (.mae, .regression), (.mae, .l1), (.mae, .huber), (.mae, .quantile), (.mae, .poisson):
            true
        default:
            false
        }
    }

    /// The metric of `rawScores` (class-major, `outputCount` blocks) against `labels`.
    func evaluate(rawScores: [Double], labels: [Double], outputCount k: Int, objective: any Objective) -> Double {
        let n = labels.count
        switch self {
        case .logloss:
            var sum = 0.0
            for i in 0..<n {
                let p = min(max(objective.transform([rawScores[i]])[0], 1e-15), 1 - 1e-15)
                sum -= labels[i] == 1 ? log(p) : log(1 - p)
            }
            return sum / Double(max(n, 1))
        case .multiLogloss:
            var sum = 0.0
            for i in 0..<n {
                let p = objective.transform((0..<k).map { rawScores[$0 * n + i] })
                sum -= log(max(p[Int(labels[i])], 1e-15))
            }
            return sum / Double(max(n, 1))
        case .auc:
            return rocAUC(scores: Array(rawScores[0..<n]), labels: labels)
        case .error:
            var wrong = 0
            for i in 0..<n where (objective.transform([rawScores[i]])[0] > 0.5) != (labels[i] == 1) { wrong += 1 }
            return Double(wrong) / Double(max(n, 1))
        case .multiError:
            // Raw scores rank classes as the softmax probabilities do.
            var wrong = 0
            for i in 0..<n {
                let truth = rawScores[Int(labels[i]) * n + i]
                for c in 0..<k where c != Int(labels[i]) && rawScores[c * n + i] >= truth {
                    wrong += 1
                    break
                }
            }
            return Double(wrong) / Double(max(n, 1))
        case .rmse:
            var sum = 0.0
            for i in 0..<n {
                let d = objective.transform([rawScores[i]])[0] - labels[i]
                sum += d * d
            }
            return (sum / Double(max(n, 1))).squareRoot()
        case .mae:
            var sum = 0.0
            for i in 0..<n { sum += abs(objective.transform([rawScores[i]])[0] - labels[i]) }
            return sum / Double(max(n, 1))
        }
    }
}

/// ROC AUC by ranks: the Mann–Whitney statistic with tied scores sharing
/// their average rank.
func rocAUC(scores: [Double], labels: [Double]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSumPositive = 0.0
    var positives = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let averageRank = Double(i + j) / 2 + 1
        for k in i...j where labels[order[k]] == 1 {
            rankSumPositive += averageRank
            positives += 1
        }
        i = j + 1
    }
    let negatives = Double(order.count) - positives
    guard positives > 0, negatives > 0 else { return .nan }
    return (rankSumPositive - positives * (positives + 1) / 2) / (positives * negatives)
}
