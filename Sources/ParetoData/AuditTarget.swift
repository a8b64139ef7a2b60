extension AuditRun {
    /// Rows without a target; class balance and rare classes; a regression
    /// target's skewness, outliers and caps.
    mutating func checkTarget() {
        let missing = frame.rowCount - labeled.count
        if missing > 0 {
            let column = frame.columns[targetIndex]
            let rows = (0..<frame.rowCount).lazy.filter { column.isMissing($0) }
            add(AuditFinding(
                kind: .missingTarget, severity: .warning, columns: [targetName],
                message: "\(rowCount(missing)) (\(auditPercent(Double(missing) / Double(frame.rowCount)))) "
                    + "have no value in the target \"\(targetName)\"; checks that need the target leave them out.",
                evidence: [AuditEvidence("rows", missing), AuditEvidence("share", Double(missing) / Double(frame.rowCount))],
                rows: examples(rows),
                action: "Find out why the target is missing; train without those rows (or use them as unlabeled data)."))
        }
        if task == .regression { checkRegressionTarget() } else { checkClasses() }
    }

    private mutating func checkClasses() {
        var counts = [Int](repeating: 0, count: classLabels.count)
        for code in classCodes { counts[Int(code)] += 1 }
        let n = Double(labeled.count)
        let largest = counts.max()!, smallest = counts.min()!
        let ratio = Double(largest) / Double(smallest)
        if ratio >= thresholds.imbalanceRatio {
            let order = counts.indices.sorted { counts[$0] != counts[$1] ? counts[$0] < counts[$1] : $0 < $1 }
            let shares = order.prefix(5).map { "\"\(classLabels[$0])\" \(auditPercent(Double(counts[$0]) / n))" }
            var evidence = [AuditEvidence("imbalance_ratio", ratio)]
            if classLabels.count <= 20 {
                for c in counts.indices { evidence.append(AuditEvidence("rows:\(classLabels[c])", counts[c])) }
            }
            add(AuditFinding(
                kind: .classImbalance, severity: ratio >= thresholds.severeImbalanceRatio ? .warning : .info,
                columns: [targetName],
                message: "The classes are unbalanced (largest over smallest \(auditNumber(ratio)):1): "
                    + shares.joined(separator: ", ") + (classLabels.count > 5 ? ", …" : "") + ".",
                evidence: evidence,
                action: "Judge models by AUC, average precision or balanced accuracy rather than accuracy; "
                    + "consider class weights, or resample the training folds only."))
        }
        let rare = counts.indices.filter { counts[$0] < 2 * audit.folds }
        if !rare.isEmpty {
            let names = rare.map { "\"\(classLabels[$0])\" (\(counts[$0]))" }
            add(AuditFinding(
                kind: .classImbalance, severity: .warning, columns: [targetName],
                message: "Class\(rare.count == 1 ? "" : "es") \(names.joined(separator: ", ")) "
                    + "\(rare.count == 1 ? "has" : "have") fewer than two rows per fold (\(audit.folds) folds): "
                    + "out-of-fold estimates for \(rare.count == 1 ? "it" : "them") are unreliable.",
                evidence: rare.map { AuditEvidence("rows:\(classLabels[$0])", counts[$0]) },
                action: "Collect more rows of the rare classes, merge them with a related class, or use fewer folds."))
        }
    }

    private mutating func checkRegressionTarget() {
        let values = targetValues
        let n = Double(values.count)
        let skew = StatisticalTests.skewness(values)
        let sorted = values.sorted()
        let minimum = sorted.first!, maximum = sorted.last!
        if abs(skew) >= thresholds.skewness {
            let positive = minimum > 0
            add(AuditFinding(
                kind: .targetSkew, severity: abs(skew) >= 2 * thresholds.skewness ? .warning : .info,
                columns: [targetName],
                message: "The target \"\(targetName)\" is skewed \(skew > 0 ? "to the right" : "to the left") "
                    + "(skewness \(auditNumber(skew))): a squared-error model chases the long tail.",
                evidence: [AuditEvidence("skewness", skew), AuditEvidence("min", minimum), AuditEvidence("max", maximum)],
                action: positive
                    ? "Model log(target) and transform predictions back (or use a Poisson, L1 or Huber loss); "
                        + "report errors on the original scale."
                    : "Consider an L1 or Huber loss, or a signed-log transform of the target."))
        }

        let q1 = Self.quantile(sorted, 0.25), q3 = Self.quantile(sorted, 0.75)
        let iqr = q3 - q1
        if iqr > 0 {
            let (mildLow, mildHigh) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr)
            let (farLow, farHigh) = (q1 - 3 * iqr, q3 + 3 * iqr)
            var mild = 0, far: [(position: Int, distance: Double)] = []
            for (i, v) in values.enumerated() {
                if v < mildLow || v > mildHigh { mild += 1 }
                if v < farLow { far.append((i, farLow - v)) } else if v > farHigh { far.append((i, v - farHigh)) }
            }
            if !far.isEmpty {
                let share = Double(far.count) / n
                far.sort { $0.distance != $1.distance ? $0.distance > $1.distance : $0.position < $1.position }
                add(AuditFinding(
                    kind: .targetOutliers, severity: share >= thresholds.outlierShare ? .warning : .info,
                    columns: [targetName],
                    message: "\(groupedInteger(far.count)) target values (\(auditPercent(share))) lie more than 3 × IQR "
                        + "beyond the quartiles [\(auditNumber(q1)), \(auditNumber(q3))] (Tukey's far-out values; "
                        + "\(groupedInteger(mild)) beyond 1.5 × IQR).",
                    evidence: [AuditEvidence("q25", q1), AuditEvidence("q75", q3), AuditEvidence("iqr", iqr),
                               AuditEvidence("lower_fence", mildLow), AuditEvidence("upper_fence", mildHigh),
                               AuditEvidence("beyond_1_5_iqr", mild), AuditEvidence("beyond_3_iqr", far.count),
                               AuditEvidence("share", share)],
                    rows: examples(far.map { labeled[$0.position] }),
                    action: "Check the listed rows for entry errors or mixed units; if genuine, prefer a robust loss "
                        + "(Huber or L1) or a transformed target."))
            }
        }

        var distinct = sorted.isEmpty ? 0 : 1
        for i in sorted.indices.dropFirst() where sorted[i] != sorted[i - 1] { distinct += 1 }
        let perValue = n / Double(distinct)
        for (side, value) in [("maximum", maximum), ("minimum", minimum)] {
            let positions = values.indices.filter { values[$0] == value }
            let count = Double(positions.count)
            guard positions.count >= 10, count >= thresholds.cappedShare * n,
                  count >= thresholds.cappedFrequency * perValue else { continue }
            add(AuditFinding(
                kind: .cappedTarget, severity: .warning, columns: [targetName],
                message: "\(rowCount(positions.count)) (\(auditPercent(count / n))) have the target at exactly "
                    + "its \(side) \(auditNumber(value)), \(auditNumber(count / perValue)) times the average rows per "
                    + "value: the target looks \(side == "maximum" ? "capped" : "floored") there.",
                evidence: [AuditEvidence("value", value), AuditEvidence("rows", positions.count),
                           AuditEvidence("share", count / n), AuditEvidence("average_rows_per_value", perValue)],
                rows: examples(positions.map { labeled[$0] }),
                action: "Values at the \(side == "maximum" ? "cap" : "floor") are bounds, not measurements: drop those "
                    + "rows, or model the bound separately, and do not trust errors near it."))
        }
    }

    /// The `q`-quantile of ascending `values`, interpolating linearly (numpy's default).
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return fraction == 0 ? values[lower] : values[lower] + (values[upper] - values[lower]) * fraction
    }
}
