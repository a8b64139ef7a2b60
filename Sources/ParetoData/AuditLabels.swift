import ParetoCore

/// Rows whose given label a model confidently disagrees with, found by
/// confident learning (Northcutt, Jiang & Chuang, "Confident Learning:
/// Estimating Uncertainty in Dataset Labels", 2021).
///
/// ```swift
/// let issues = LabelIssues(probabilities: outOfFold, labels: codes, classCount: 2)
/// print(issues.rows.prefix(10), issues.thresholds)
/// ```
///
/// Rules: class j's threshold t_j is the average out-of-fold probability of
/// class j over the rows labelled j (its average self-confidence). A row is
/// counted for every class whose probability reaches that class's
/// threshold, and assigned the most probable of them (the confident
/// joint); it is a candidate when that class is not its label. Rows no
/// class reaches are not candidates, nor are rows with a NaN probability.
/// Candidates are ordered by their self-confidence (the probability of the
/// given label), lowest first. This is the "off-diagonals of the confident
/// joint" rule; cleanlab's default additionally prunes by estimated noise
/// rates.
///
/// Cost: two passes over the probabilities and one sort of the candidates.
public struct LabelIssues: Sendable, Equatable {
    /// Per class: the average self-confidence threshold (NaN for a class no
    /// row is labelled with).
    public var thresholds: [Double]
    /// Candidate rows (indices into the input), least self-confident first.
    public var rows: [Int]
    /// Per candidate: the class the model confidently gives instead.
    public var suggested: [Int]
    /// Per candidate: the probability of its given label.
    public var selfConfidence: [Double]

    /// Finds label issues from row-major out-of-fold probabilities
    /// (`classCount` per row) and each row's label in `0..<classCount`.
    ///
    /// - Precondition: `probabilities.count == labels.count × classCount`.
    public init(probabilities: [Double], labels: [Int], classCount k: Int) {
        precondition(k >= 1 && probabilities.count == labels.count * k, "one probability per row and class")
        var sums = [Double](repeating: 0, count: k)
        var counts = [Double](repeating: 0, count: k)
        for (row, label) in labels.enumerated() {
            let p = probabilities[row * k + label]
            guard !p.isNaN else { continue }
            sums[label] += p
            counts[label] += 1
        }
        let thresholds = (0..<k).map { counts[$0] > 0 ? sums[$0] / counts[$0] : .nan }
        var candidates: [(row: Int, given: Double, suggested: Int)] = []
        for (row, label) in labels.enumerated() {
            var best = -1
            var bestProbability = -Double.infinity
            for c in 0..<k {
                let p = probabilities[row * k + c]
                // NaN thresholds and probabilities never compare true.
                if p >= thresholds[c] && p > bestProbability {
                    best = c
                    bestProbability = p
                }
            }
            if best >= 0 && best != label {
                candidates.append((row, probabilities[row * k + label], best))
            }
        }
        candidates.sort { $0.given != $1.given ? $0.given < $1.given : $0.row < $1.row }
        self.thresholds = thresholds
        rows = candidates.map(\.row)
        suggested = candidates.map(\.suggested)
        selfConfidence = candidates.map(\.given)
    }
}

extension AuditRun {
    /// Label issues from the predictor's out-of-fold probabilities
    /// (classification), and the model's out-of-fold score.
    mutating func checkLabels() throws {
        guard let predictor = audit.predictor else {
            notes.append("label issues skipped: no model")
            return
        }
        guard task != .regression else {
            notes.append("label issues skipped: they apply to classification targets")
            return
        }
        guard !folds.isEmpty else { return }
        let modelFeatures = featureIndices.filter {
            !identifiers.contains($0) && !leaks.contains($0) && profiles[$0].kind != .text
        }
        guard !modelFeatures.isEmpty else {
            notes.append("label issues skipped: no usable features once identifiers and leaks are left out")
            return
        }
        let rows = labeled.count == frame.rowCount ? frame : frame.rows(labeled)
        let data = try rows.selecting(modelFeatures.map { profiles[$0].name } + [targetName])
        let k = classLabels.count
        let probabilities = try predictor.outOfFoldPredictions(data, target: targetName, task: task, folds: folds)
        guard probabilities.count == labeled.count * k else {
            throw UsageError("the audit's model returned \(probabilities.count) values for \(labeled.count) rows × \(k) classes")
        }
        let labels = classCodes.map(Int.init)
        modelScore = Self.macroAUC(probabilities, labels: labels, classCount: k)
        let issues = LabelIssues(probabilities: probabilities, labels: labels, classCount: k)
        guard !issues.rows.isEmpty else { return }
        let share = Double(issues.rows.count) / Double(labeled.count)
        var evidence = [AuditEvidence("rows", issues.rows.count), AuditEvidence("share", share)]
        if let modelScore { evidence.append(AuditEvidence("model_auc", modelScore)) }
        if k <= 10 {
            for c in 0..<k where !issues.thresholds[c].isNaN {
                evidence.append(AuditEvidence("threshold:\(classLabels[c])", issues.thresholds[c]))
            }
        }
        let first = issues.rows[0]
        let example = "row \(labeled[first] + 1) is labelled \"\(classLabels[labels[first]])\" but the model gives "
            + "\"\(classLabels[issues.suggested[0]])\" \(auditNumber(probabilities[first * k + issues.suggested[0]]))"
        add(AuditFinding(
            kind: .labelIssues, severity: share >= thresholds.labelIssueShare ? .warning : .info,
            columns: [targetName],
            message: "\(rowCount(issues.rows.count)) (\(auditPercent(share))) may be mislabelled: out of fold, "
                + "the model gives another class at least that class's average confidence, and more than the given "
                + "label. Least self-confident: \(example).",
            evidence: evidence,
            rows: examples(issues.rows.map { labeled[$0] }),
            action: "Review the listed rows: fix wrong labels or drop them from training (never from the test data); "
                + "some are simply hard cases."))
    }

    /// ROC AUC of row-major probabilities: of class 1 for two classes,
    /// macro one-vs-rest otherwise; `nil` if no class has both sides.
    static func macroAUC(_ probabilities: [Double], labels: [Int], classCount k: Int) -> Double? {
        let classes = k == 2 ? [1] : Array(0..<k)
        var sum = 0.0, used = 0
        for c in classes {
            let scores = labels.indices.map { probabilities[$0 * k + c] }
            if let auc = rowAUC(scores: scores, positive: labels.map { $0 == c }) {
                sum += auc
                used += 1
            }
        }
        return used == 0 ? nil : sum / Double(used)
    }
}
