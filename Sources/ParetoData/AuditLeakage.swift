import ParetoCore

extension AuditRun {
    /// Each feature's out-of-fold score alone over `rows` (positions into
    /// the labeled rows), by `scorer`; `nil` for a feature it cannot score.
    /// A numeric feature gets at most 64 bins, fewer so that a bin holds
    /// about 25 rows on average.
    func singleFeatureScores(_ candidates: [Int], rows: [Int], scorer: FeatureScorer) -> [SingleFeatureScore?] {
        let profiles = self.profiles
        let labeled = self.labeled
        let maxBins = min(64, max(2, rows.count / 25))
        return Parallel.map(count: candidates.count, threads: audit.threads) { i -> SingleFeatureScore? in
            let p = profiles[candidates[i]]
            let (binOfCode, binCount) = p.bins(maxBins: maxBins)
            let bins = p.codes.withUnsafeBufferPointer { codes in
                rows.map { position -> Int32 in
                    let code = codes[labeled[position]]
                    return code < 0 ? 0 : binOfCode[Int(code)]
                }
            }
            return scorer.score(bins: bins, binCount: binCount)
        }
    }

    /// Single-feature leakage, informative missingness and a dominant feature.
    mutating func checkLeakage() {
        guard let scorer else { return }
        // A column with a single value (missing included) cannot score.
        let candidates = featureIndices.filter {
            profiles[$0].kind != .text && profiles[$0].distinct + (profiles[$0].missing > 0 ? 1 : 0) >= 2
        }
        let results = singleFeatureScores(candidates, rows: Array(labeled.indices), scorer: scorer)
        for (i, index) in candidates.enumerated() { if let score = results[i] { scores[index] = score.value } }
        let metric = task == .regression ? "r2" : "auc"
        let metricName = task == .regression ? "R²" : "AUC"

        // Missingness first: a column whose missingness encodes the target is
        // reported as such, not again as a leaking feature.
        checkInformativeMissingness(scorer)
        let ranked = scores.keys.sorted { scores[$0]! != scores[$1]! ? scores[$0]! > scores[$1]! : $0 < $1 }
        for index in ranked {
            let score = scores[index]!
            guard score >= thresholds.suspicious else { break }
            guard !leaks.contains(index), !identifiers.contains(index) else { continue }
            let critical = score >= thresholds.leakage
            if critical { leaks.insert(index) }
            let name = profiles[index].name
            let next = ranked.first { $0 != index }.map { scores[$0]! }
            var evidence = [AuditEvidence(metric, score), AuditEvidence("rows", labeled.count)]
            if let next { evidence.append(AuditEvidence("best_other_\(metric)", next)) }
            add(AuditFinding(
                kind: .targetLeakage, severity: critical ? .critical : .info, columns: [name],
                message: "\"\(name)\" alone predicts the target \(critical ? "almost perfectly" : "very well"): "
                    + "out-of-fold \(metricName) \(auditNumber(score)) from its values alone (no model).",
                evidence: evidence,
                action: "Check when \"\(name)\" becomes known: if only after the outcome, or if it is derived from the "
                    + "target, remove it; if it is truly known in advance, the task is easier than it looks."))
        }
        checkDominantFeature(metric: metric, metricName: metricName)
    }

    /// Whether a column's missingness predicts the target: a chi-square test
    /// of missing × class, or Welch's t-test of the target where missing
    /// against where present; critical when the missing indicator alone
    /// predicts the target (out-of-fold score at least `suspicious`).
    private mutating func checkInformativeMissingness(_ scorer: FeatureScorer) {
        let candidates = featureIndices
        for index in candidates {
            let p = profiles[index]
            var indicator = [Int32](repeating: 0, count: labeled.count)
            var missingRows = 0
            for (position, row) in labeled.enumerated() where p.codes[row] < 0 {
                indicator[position] = 1
                missingRows += 1
            }
            guard missingRows > 0, missingRows < labeled.count else { continue }
            let indicatorScore = scorer.score(bins: indicator, binCount: 2)?.value ?? 0.5
            var evidence: [AuditEvidence] = [AuditEvidence("missing", missingRows)]
            let test: HypothesisTest
            let effect: Double
            var detail: String
            if task == .regression {
                var missing = MeanAndVariance(), present = MeanAndVariance()
                for (position, value) in targetValues.enumerated() {
                    if indicator[position] == 1 { missing.add(value) } else { present.add(value) }
                }
                guard let t = StatisticalTests.welchT(missing, present) else { continue }
                test = t
                let pooled = ((missing.variance + present.variance) / 2).squareRoot()
                effect = pooled > 0 ? abs(missing.mean - present.mean) / pooled : 0
                evidence += [AuditEvidence("mean_when_missing", missing.mean), AuditEvidence("mean_when_present", present.mean),
                             AuditEvidence("t", t.statistic), AuditEvidence("degrees_of_freedom", t.degreesOfFreedom!),
                             AuditEvidence("p_value", t.pValue), AuditEvidence("cohens_d", effect),
                             AuditEvidence("indicator_r2", indicatorScore)]
                detail = "the target averages \(auditNumber(missing.mean)) where it is missing and "
                    + "\(auditNumber(present.mean)) where present (Welch's t-test p \(pText(t.pValue)))"
            } else {
                let k = classLabels.count
                var table = [[Double]](repeating: [Double](repeating: 0, count: k), count: 2)
                for (position, code) in classCodes.enumerated() { table[Int(indicator[position])][Int(code)] += 1 }
                guard let t = StatisticalTests.chiSquareIndependence(table) else { continue }
                test = t
                effect = (t.statistic / Double(labeled.count)).squareRoot()
                evidence += [AuditEvidence("chi_square", t.statistic), AuditEvidence("degrees_of_freedom", t.degreesOfFreedom!),
                             AuditEvidence("p_value", t.pValue), AuditEvidence("cramers_v", effect),
                             AuditEvidence("indicator_auc", indicatorScore)]
                let shares = (0..<k).map { c in table[1][c] / max(1, table[0][c] + table[1][c]) }
                if k <= 10 {
                    for c in 0..<k { evidence.append(AuditEvidence("missing_share:\(classLabels[c])", shares[c])) }
                }
                let order = (0..<k).sorted { shares[$0] != shares[$1] ? shares[$0] > shares[$1] : $0 < $1 }
                detail = "it is missing in \(auditPercent(shares[order.first!])) of \"\(classLabels[order.first!])\" rows "
                    + "but \(auditPercent(shares[order.last!])) of \"\(classLabels[order.last!])\" rows "
                    + "(chi-square p \(pText(t.pValue)))"
            }
            let severity: AuditSeverity
            if indicatorScore >= thresholds.suspicious {
                severity = .critical
                leaks.insert(index)
            } else if test.pValue < thresholds.significance {
                // Cramér's V or Cohen's d of 0.1 / 0.2 is a small effect; below it, the
                // test is significant only because the data is large.
                severity = effect >= (task == .regression ? 0.2 : 0.1) ? .warning : .info
            } else {
                continue
            }
            let encodes = severity == .critical
            add(AuditFinding(
                kind: .informativeMissingness, severity: severity, columns: [p.name],
                message: encodes
                    ? "Whether \"\(p.name)\" is missing encodes the target: the missing indicator alone scores "
                        + "out-of-fold \(task == .regression ? "R²" : "AUC") \(auditNumber(indicatorScore)); \(detail)."
                    : "Whether \"\(p.name)\" is missing predicts the target: \(detail).",
                evidence: evidence,
                action: encodes
                    ? "Missingness that tracks the label comes from how the data was collected (filled in only after "
                        + "the outcome, say): remove the column, or fill it the way production data will be."
                    : "Keep missing values as their own value (trees do) or add a missing indicator rather than "
                        + "imputing them away; check the same pattern holds where the model will run."))
        }
    }

    /// The best single feature, when its lift over chance is far above the
    /// second best's (among features not already reported as leaks).
    private mutating func checkDominantFeature(metric: String, metricName: String) {
        let usable = scores.keys.filter { !identifiers.contains($0) && !leaks.contains($0) }
        // Lift on a correlation-like scale for both tasks: the Gini
        // coefficient 2·AUC − 1, or √R² (R² is a squared correlation, so a
        // ratio of R² would exaggerate every gap).
        func lift(_ index: Int) -> Double {
            let score = scores[index]!
            return task == .regression ? max(0, score).squareRoot() : max(0, 2 * score - 1)
        }
        let ranked = usable.sorted { lift($0) != lift($1) ? lift($0) > lift($1) : $0 < $1 }
        guard ranked.count >= 2 else { return }
        let (top, second) = (ranked[0], ranked[1])
        guard lift(top) >= thresholds.dominantLift,
              lift(top) >= thresholds.dominance * lift(second) else { return }
        let ratio = lift(second) > 0 ? lift(top) / lift(second) : .infinity
        let (name, secondName) = (profiles[top].name, profiles[second].name)
        add(AuditFinding(
            kind: .dominantFeature, severity: .warning, columns: [name, secondName],
            message: "\"\(name)\" predicts the target far better alone than any other feature: out-of-fold "
                + "\(metricName) \(auditNumber(scores[top]!)) against \(auditNumber(scores[second]!)) for the next, "
                + "\"\(secondName)\"" + (ratio.isFinite ? " (\(auditNumber(ratio)) times its lift over chance)." : "."),
            evidence: [AuditEvidence(metric, scores[top]!), AuditEvidence("second_\(metric)", scores[second]!),
                       AuditEvidence("second_column", text: secondName)]
                + (ratio.isFinite ? [AuditEvidence("lift_ratio", ratio)] : []),
            action: "Make sure \"\(name)\" is known when predicting (a value recorded after the outcome looks like "
                + "this); compare models with and without it."))
    }
}

/// A p-value for a message: "< 1e-16" below the smallest a double resolves
/// near 1, else two significant digits.
func pText(_ p: Double) -> String {
    p < 1e-16 ? "< 1e-16" : "= " + auditNumber(p)
}
