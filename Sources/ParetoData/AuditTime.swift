import ParetoCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditRun {
    /// With a time column: features whose relation to the target differs
    /// between the earlier and the later half of the rows, and columns
    /// whose missing share changes sharply at one time.
    mutating func checkTime() {
        guard let timeIndex else { return }
        checkRelationOverTime(timeIndex)
        checkMissingnessOverTime(timeIndex)
    }

    /// Single-feature scores in the earlier and later half of the labeled
    /// rows (by time; folds within each half), compared: for AUC with
    /// Hanley & McNeil's standard errors (for multiclass, as if each class
    /// held an equal share), for R² with Fisher's z on the correlation of
    /// out-of-fold predictions and target. A change is reported when it is
    /// at least `relationChange` and significant after a Bonferroni
    /// correction for the number of features compared.
    private mutating func checkRelationOverTime(_ timeIndex: Int) {
        let time = profiles[timeIndex]
        let ordered = labeled.indices.filter { time.codes[labeled[$0]] >= 0 }
            .sorted { (time.codes[labeled[$0]], $0) < (time.codes[labeled[$1]], $1) }
        let half = ordered.count / 2
        let halves = [Array(ordered[..<half]), Array(ordered[half...])]
        var scorers: [FeatureScorer] = []
        for rows in halves {
            let classes = task == .regression ? nil : rows.map { classCodes[$0] }
            guard let made = try? makeFolds(rowCount: rows.count, classes: classes,
                                            groups: groupCodes(of: rows.map { labeled[$0] })),
                  rows.count >= Self.minimumRowsPerFold * audit.folds else {
                notes.append("change over time skipped: too few rows with a time to score each half in folds")
                return
            }
            scorers.append(FeatureScorer(foldOfRow: made.foldOf, foldCount: made.folds.count,
                                         target: scoringTarget(labeledPositions: rows)))
        }
        let candidates = featureIndices.filter {
            $0 != timeIndex && !identifiers.contains($0) && profiles[$0].kind != .text
        }
        let early = singleFeatureScores(candidates, rows: halves[0], scorer: scorers[0])
        let late = singleFeatureScores(candidates, rows: halves[1], scorer: scorers[1])
        let splitTime = time.label(ofCode: time.codes[labeled[halves[1][0]]])
        let metric = task == .regression ? "r2" : "auc"
        let metricName = task == .regression ? "R²" : "AUC"

        func errorOfAUC(_ auc: Double, _ rows: [Int]) -> Double {
            let n = Double(rows.count)
            if task == .binary {
                let positives = Double(rows.reduce(0) { $0 + Int(classCodes[$1]) })
                return aucStandardError(auc, positives: positives, negatives: n - positives)
            }
            let share = n / Double(classLabels.count)
            return aucStandardError(auc, positives: share, negatives: n - share)
        }
        var flagged: [(index: Int, early: Double, late: Double, z: Double, p: Double)] = []
        for (i, index) in candidates.enumerated() {
            guard let a = early[i], let b = late[i] else { continue }
            let z: Double
            if task == .regression {
                let (n1, n2) = (Double(halves[0].count), Double(halves[1].count))
                let limit = 1 - 1e-12
                let (r1, r2) = (min(limit, max(-limit, a.correlation ?? 0)), min(limit, max(-limit, b.correlation ?? 0)))
                z = (atanh(r2) - atanh(r1)) / (1 / (n1 - 3) + 1 / (n2 - 3)).squareRoot()
            } else {
                let error = (errorOfAUC(a.value, halves[0]).squared + errorOfAUC(b.value, halves[1]).squared).squareRoot()
                z = error > 0 ? (b.value - a.value) / error : 0
            }
            let p = 2 * Distributions.normalCDF(-abs(z))
            // Every feature is tested: Bonferroni keeps the chance of any false alarm at the significance level.
            if abs(b.value - a.value) >= thresholds.relationChange && p * Double(candidates.count) < thresholds.significance {
                flagged.append((index, a.value, b.value, z, p))
            }
        }
        flagged.sort { abs($0.late - $0.early) > abs($1.late - $1.early) }
        for item in flagged {
            let name = profiles[item.index].name
            add(AuditFinding(
                kind: .unstableRelation, severity: .warning, columns: [name, profiles[timeIndex].name],
                message: "\"\(name)\" relates to the target differently over time: alone it scores out-of-fold "
                    + "\(metricName) \(auditNumber(item.early)) before \(splitTime) and \(auditNumber(item.late)) from then "
                    + "on (p \(pText(item.p))).",
                evidence: [AuditEvidence("\(metric)_early", item.early), AuditEvidence("\(metric)_late", item.late),
                           AuditEvidence("change", item.late - item.early), AuditEvidence("z", item.z),
                           AuditEvidence("p_value", item.p), AuditEvidence("split_time", text: splitTime)],
                action: "Look for a change in how \"\(name)\" is defined or recorded, or leakage in one period; "
                    + "validate with time-ordered folds so the model is judged on the future."))
        }
    }

    /// The one split in time that best separates a column's missing rows
    /// (the largest 2 × 2 chi-square, each side keeping at least 5% of the
    /// rows and splitting only between distinct times); reported when the
    /// missing share changes by at least `missingnessChange` and the
    /// chi-square p-value, optimistic since the split was chosen, is below
    /// the significance level.
    private mutating func checkMissingnessOverTime(_ timeIndex: Int) {
        let time = profiles[timeIndex]
        let order = (0..<frame.rowCount).filter { time.codes[$0] >= 0 }
            .sorted { (time.codes[$0], $0) < (time.codes[$1], $1) }
        let n = order.count
        let minimum = max(10, n / 20)
        guard n >= 2 * minimum else { return }
        for index in frame.columns.indices where index != targetIndex && index != timeIndex {
            let p = profiles[index]
            var prefix = [Int](repeating: 0, count: n + 1)
            for (i, row) in order.enumerated() { prefix[i + 1] = prefix[i] + (p.codes[row] < 0 ? 1 : 0) }
            let total = prefix[n]
            guard total > 0, total < n else { continue }
            var best = (split: 0, statistic: -1.0)
            for k in minimum...(n - minimum) where time.codes[order[k - 1]] != time.codes[order[k]] {
                let a = Double(prefix[k]), b = Double(k) - a
                let c = Double(total) - a, d = Double(n - k) - c
                let denominator = (a + b) * (c + d) * (a + c) * (b + d)
                guard denominator > 0 else { continue }
                let statistic = Double(n) * (a * d - b * c) * (a * d - b * c) / denominator
                if statistic > best.statistic { best = (k, statistic) }
            }
            guard best.statistic >= 0 else { continue }
            let before = Double(prefix[best.split]) / Double(best.split)
            let after = Double(total - prefix[best.split]) / Double(n - best.split)
            let pValue = Distributions.chiSquareSurvival(best.statistic, degreesOfFreedom: 1)
            guard abs(after - before) >= thresholds.missingnessChange, pValue < thresholds.significance else { continue }
            let when = time.label(ofCode: time.codes[order[best.split]])
            add(AuditFinding(
                kind: .missingnessChange, severity: .warning, columns: [p.name, time.name],
                message: "The share of missing \"\(p.name)\" changes sharply at \(when): \(auditPercent(before)) before, "
                    + "\(auditPercent(after)) from then on.",
                evidence: [AuditEvidence("change_time", text: when), AuditEvidence("missing_share_before", before),
                           AuditEvidence("missing_share_after", after), AuditEvidence("chi_square", best.statistic),
                           AuditEvidence("p_value", pValue)],
                rows: examples([order[best.split]]),
                action: "Something changed in how \"\(p.name)\" is collected: a model trained across the change learns "
                    + "the artifact. Train on data after it, or mark the period, and validate over time."))
        }
    }
}

private extension Double {
    var squared: Double { self * self }
}
