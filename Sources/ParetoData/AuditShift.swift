import ParetoCore

/// How one feature differs between training (reference) and test rows.
struct ShiftStatistics: Sendable {
    var psi: Double
    /// Kolmogorov–Smirnov for ordered kinds, chi-square for categories.
    var test: HypothesisTest?
    var isOrdered: Bool
    /// The feature's own out-of-fold AUC at telling test rows from training rows.
    var adversarialAUC: Double?
    var referenceMean: Double?
    var currentMean: Double?
    var referenceMissing: Double
    var currentMissing: Double
}

extension AuditRun {
    /// Bins of the population stability index for ordered kinds (plus one
    /// for missing values).
    static let stabilityBins = 10

    /// Per-feature shift between training and test rows (a test set, or the
    /// latest rows by time), and adversarial validation with the predictor.
    mutating func checkShift() throws {
        let compared = featureIndices.filter {
            $0 != timeIndex && !identifiers.contains($0) && profiles[$0].kind != .text
        }
        let names = compared.map { profiles[$0].name }
        let reference: DataFrame, current: DataFrame
        if let test {
            reference = try frame.selecting(names)
            current = try test.selecting(names)
            comparison = "the test data (\(rowCount(test.rowCount)))"
        } else if let timeIndex {
            let time = profiles[timeIndex]
            let order = (0..<frame.rowCount).filter { time.codes[$0] >= 0 }
                .sorted { (time.codes[$0], $0) < (time.codes[$1], $1) }
            let cut = Int((Double(order.count) * (1 - audit.timeTestFraction)).rounded())
            guard cut >= 1, cut < order.count else {
                notes.append("shift checks skipped: too few rows with a time to split")
                return
            }
            reference = try frame.rows(Array(order[..<cut]).sorted()).selecting(names)
            current = try frame.rows(Array(order[cut...]).sorted()).selecting(names)
            comparison = "the latest \(auditPercent(audit.timeTestFraction)) of rows by \"\(time.name)\" (from "
                + "\(time.label(ofCode: time.codes[order[cut]])), \(rowCount(current.rowCount))) against the rest"
        } else {
            notes.append("shift checks skipped: no test data and no time column")
            return
        }
        guard !names.isEmpty, reference.rowCount > 0, current.rowCount > 0 else {
            notes.append("shift checks skipped: no rows or no features to compare")
            return
        }
        let combined = try DataFrame.concatenating([reference, current])
        let referenceRows = reference.rowCount
        let total = combined.rowCount
        let isTest = (0..<total).map { Int32($0 >= referenceRows ? 1 : 0) }
        let enough = min(referenceRows, total - referenceRows) >= 2 * audit.folds
        let scorer = try (enough ? makeFolds(rowCount: total, classes: isTest, groups: nil) : nil).map {
            FeatureScorer(foldOfRow: $0.foldOf, foldCount: $0.folds.count, target: .classes(isTest, count: 2))
        }
        let columns = combined.columns
        let maxBins = min(64, max(2, total / 25))
        let statistics = Parallel.map(count: columns.count, threads: audit.threads) { i -> ShiftStatistics in
            let profile = ColumnProfile(columns[i])
            var result = Self.shift(profile, referenceRows: referenceRows)
            if let scorer {
                let (binOfCode, binCount) = profile.bins(maxBins: maxBins)
                let bins = profile.codes.map { $0 < 0 ? 0 : binOfCode[Int($0)] }
                result.adversarialAUC = scorer.score(bins: bins, binCount: binCount)?.value
            }
            return result
        }

        for (i, name) in names.enumerated() {
            let s = statistics[i]
            features.append(FeatureAudit(name: name, kind: profiles[compared[i]].kind, missing: 0, distinct: 0,
                                         psi: s.psi, shiftPValue: s.test?.pValue, adversarialAUC: s.adversarialAUC))
        }
        let shifted = names.indices.filter { i in
            statistics[i].psi >= thresholds.moderateShift && (statistics[i].test?.pValue ?? 1) < thresholds.significance
        }.sorted { statistics[$0].psi != statistics[$1].psi ? statistics[$0].psi > statistics[$1].psi : $0 < $1 }
        for i in shifted {
            let s = statistics[i]
            let name = names[i]
            var evidence = [AuditEvidence("psi", s.psi)]
            var detail = ""
            if let test = s.test {
                if s.isOrdered {
                    evidence += [AuditEvidence("ks_statistic", test.statistic), AuditEvidence("p_value", test.pValue)]
                    detail = "Kolmogorov–Smirnov D \(auditNumber(test.statistic)), p \(pText(test.pValue))"
                } else {
                    evidence += [AuditEvidence("chi_square", test.statistic),
                                 AuditEvidence("degrees_of_freedom", test.degreesOfFreedom ?? 0),
                                 AuditEvidence("p_value", test.pValue)]
                    detail = "chi-square p \(pText(test.pValue))"
                }
            }
            if let auc = s.adversarialAUC { evidence.append(AuditEvidence("adversarial_auc", auc)) }
            if let a = s.referenceMean, let b = s.currentMean {
                evidence += [AuditEvidence("train_mean", a), AuditEvidence("test_mean", b)]
                detail += "; mean \(auditNumber(a)) in training, \(auditNumber(b)) in test"
            }
            evidence += [AuditEvidence("train_missing_share", s.referenceMissing),
                         AuditEvidence("test_missing_share", s.currentMissing)]
            if s.referenceMissing != s.currentMissing && abs(s.referenceMissing - s.currentMissing) >= 0.01 {
                detail += "; missing in \(auditPercent(s.referenceMissing)) of training and "
                    + "\(auditPercent(s.currentMissing)) of test rows"
            }
            add(AuditFinding(
                kind: .featureShift, severity: s.psi >= thresholds.majorShift ? .warning : .info, columns: [name],
                message: "\"\(name)\" is distributed differently in the test rows: population stability index "
                    + "\(auditNumber(s.psi)) (\(detail)).",
                evidence: evidence,
                action: "Check that the test rows come from the same population and pipeline (units, encodings, "
                    + "period); a model is only trustworthy where its training data covers the test data."))
        }
        if min(referenceRows, total - referenceRows) < 2 * audit.folds {
            notes.append("adversarial validation skipped: each side needs at least \(2 * audit.folds) rows")
        } else {
            withModel("adversarial validation") {
                try $0.adversarialValidation(combined, referenceRows: referenceRows, names: names, statistics: statistics)
            }
        }
    }

    /// The PSI, the shift test and the means of one combined column whose
    /// first `referenceRows` rows are the reference.
    static func shift(_ p: ColumnProfile, referenceRows: Int) -> ShiftStatistics {
        let ordered = p.kind == .numeric || p.kind == .datetime
        var reference = [Double](repeating: 0, count: p.distinct)
        var current = [Double](repeating: 0, count: p.distinct)
        var missing = [0.0, 0.0]
        for (row, code) in p.codes.enumerated() {
            let isReference = row < referenceRows
            if code < 0 {
                missing[isReference ? 0 : 1] += 1
            } else if isReference {
                reference[Int(code)] += 1
            } else {
                current[Int(code)] += 1
            }
        }
        let currentRows = p.rowCount - referenceRows
        var result = ShiftStatistics(psi: 0, test: nil, isOrdered: ordered, adversarialAUC: nil,
                                     referenceMean: nil, currentMean: nil,
                                     referenceMissing: missing[0] / Double(max(1, referenceRows)),
                                     currentMissing: missing[1] / Double(max(1, currentRows)))
        if ordered {
            // A genuine NaN (the last code) counts with the missing values here.
            let numbers = p.values.last?.isNaN == true ? p.distinct - 1 : p.distinct
            if numbers < p.distinct {
                missing[0] += reference[numbers]
                missing[1] += current[numbers]
            }
            let referencePresent = reference[..<numbers].reduce(0, +)
            let currentPresent = current[..<numbers].reduce(0, +)
            // Deciles of the reference: each value goes to the bin its middle
            // reference row falls in; a test value between reference values
            // goes with its place in the reference's order.
            var referenceBins = [Double](repeating: 0, count: stabilityBins + 1)
            var currentBins = [Double](repeating: 0, count: stabilityBins + 1)
            referenceBins[0] = missing[0]
            currentBins[0] = missing[1]
            let width = max(1, referencePresent) / Double(stabilityBins)
            var before = 0.0
            var gap = 0.0, cumulativeReference = 0.0, cumulativeCurrent = 0.0
            var referenceSum = 0.0, currentSum = 0.0
            for code in 0..<numbers {
                let bin = min(stabilityBins, 1 + Int((before + reference[code] / 2) / width))
                referenceBins[bin] += reference[code]
                currentBins[bin] += current[code]
                before += reference[code]
                cumulativeReference += reference[code]
                cumulativeCurrent += current[code]
                if referencePresent > 0 && currentPresent > 0 {
                    gap = max(gap, abs(cumulativeReference / referencePresent - cumulativeCurrent / currentPresent))
                }
                // Skipping empty codes keeps 0 × ∞ out of the sums.
                if reference[code] > 0 { referenceSum += reference[code] * p.values[code] }
                if current[code] > 0 { currentSum += current[code] * p.values[code] }
            }
            result.psi = StatisticalTests.populationStabilityIndex(reference: referenceBins, current: currentBins)
            if referencePresent > 0 && currentPresent > 0 {
                let effective = referencePresent * currentPresent / (referencePresent + currentPresent)
                result.test = HypothesisTest(statistic: gap, degreesOfFreedom: nil,
                                             pValue: Distributions.kolmogorovSurvival(gap * effective.squareRoot()))
                if p.kind == .numeric {
                    result.referenceMean = referenceSum / referencePresent
                    result.currentMean = currentSum / currentPresent
                }
            }
        } else {
            let referenceBins = [missing[0]] + reference
            let currentBins = [missing[1]] + current
            result.psi = StatisticalTests.populationStabilityIndex(reference: referenceBins, current: currentBins)
            result.test = StatisticalTests.chiSquareIndependence([referenceBins, currentBins])
        }
        return result
    }

    /// Adversarial validation: the predictor's out-of-fold AUC at telling
    /// test rows from training rows, on the compared features.
    private mutating func adversarialValidation(_ combined: DataFrame, referenceRows: Int, names: [String],
                                                statistics: [ShiftStatistics]) throws {
        guard let predictor = audit.predictor else {
            notes.append("adversarial validation skipped: no model (each feature's own adversarial AUC is in the feature table)")
            return
        }
        var rows = Array(0..<combined.rowCount)
        if rows.count > audit.adversarialRowLimit {
            // A seeded sample of each side, keeping their shares.
            var rng = Xoshiro256(seed: audit.seed)
            let keepReference = Int(Double(audit.adversarialRowLimit) * Double(referenceRows) / Double(rows.count))
            let keepCurrent = audit.adversarialRowLimit - keepReference
            let referencePick = rng.permutation(referenceRows).prefix(keepReference)
            let currentPick = rng.permutation(rows.count - referenceRows).prefix(keepCurrent).map { $0 + referenceRows }
            rows = (Array(referencePick) + currentPick).sorted()
        }
        var label = "is_test"
        while combined[label] != nil { label = "_" + label }
        var data = combined.rows(rows)
        try data.setColumn(.categorical(label, rows.map { $0 >= referenceRows ? "1" : "0" }))
        let isTest = rows.map { Int32($0 >= referenceRows ? 1 : 0) }
        guard let made = try makeFolds(rowCount: rows.count, classes: isTest, groups: nil) else { return }
        let predictions = try predictor.outOfFoldPredictions(data, target: label, task: .binary, folds: made.folds)
        guard predictions.count == 2 * rows.count else {
            throw UsageError("the audit's model returned \(predictions.count) values for \(rows.count) rows × 2 classes")
        }
        let scores = (0..<rows.count).map { predictions[2 * $0 + 1] }
        guard let auc = rowAUC(scores: scores, positive: isTest.map { $0 == 1 }) else { return }
        let severity: AuditSeverity = auc >= thresholds.adversarialCritical ? .critical
            : auc >= thresholds.adversarialWarning ? .warning : .info
        let telling = names.indices.filter { (statistics[$0].adversarialAUC ?? 0.5) >= 0.55 }
            .sorted { statistics[$0].adversarialAUC! > statistics[$1].adversarialAUC! }.prefix(5)
        let list = telling.map { "\"\(names[$0])\" (\(auditNumber(statistics[$0].adversarialAUC!)))" }
        var evidence = [AuditEvidence("auc", auc), AuditEvidence("rows", rows.count)]
        for i in telling { evidence.append(AuditEvidence("auc:\(names[i])", statistics[i].adversarialAUC!)) }
        add(AuditFinding(
            kind: .adversarialValidation, severity: severity, columns: telling.map { names[$0] },
            message: severity == .info
                ? "A classifier barely tells test rows from training rows (out-of-fold AUC \(auditNumber(auc))): "
                    + "the test rows look like the training rows."
                : "A classifier tells test rows from training rows with out-of-fold AUC \(auditNumber(auc)): the test "
                    + "rows differ." + (list.isEmpty ? "" : " Most telling alone: \(list.joined(separator: ", "))."),
            evidence: evidence,
            action: severity == .info
                ? "Nothing to do: validation scores should carry over to the test rows."
                : "Validate on rows like the test rows (time-ordered folds, or weight training rows by how test-like "
                    + "they look), and fix or drop features that differ for no real reason."))
    }
}
