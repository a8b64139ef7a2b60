extension AuditRun {
    /// The fewest present values for a column to be judged identifier-like.
    static let minimumIdentifierRows = 20

    /// Constant, near-constant and identifier-like columns; missing values
    /// per column; columns missing on the same rows.
    mutating func checkColumns() {
        for index in featureIndices {
            let p = profiles[index]
            if p.distinct <= 1 {
                let message = p.distinct == 0
                    ? "\"\(p.name)\" is empty: every value is missing."
                    : "\"\(p.name)\" holds one value, \(quotedValue(p, 0)), in every row where it is present"
                        + (p.missing > 0 ? "; \(rowCount(p.missing)) missing." : ".")
                add(AuditFinding(kind: .constantColumn, severity: .warning, columns: [p.name], message: message,
                                 evidence: [AuditEvidence("distinct", p.distinct), AuditEvidence("missing", p.missing)],
                                 action: "Drop it: it cannot help a model."))
                continue
            }
            let modeShare = Double(p.modeCount) / Double(p.present)
            if modeShare >= thresholds.nearConstantShare {
                let mode = Int32(p.counts.firstIndex(of: p.modeCount)!)
                add(AuditFinding(
                    kind: .nearConstantColumn, severity: .info, columns: [p.name],
                    message: "\"\(p.name)\" is nearly constant: \(quotedValue(p, mode)) fills \(auditPercent(modeShare)) "
                        + "of its present rows; \(rowCount(p.present - p.modeCount)) hold "
                        + "\(groupedInteger(p.distinct - 1)) other value\(p.distinct == 2 ? "" : "s").",
                    evidence: [AuditEvidence("mode_share", modeShare), AuditEvidence("other_rows", p.present - p.modeCount),
                               AuditEvidence("distinct", p.distinct)],
                    rows: examples(p.codes.indices.lazy.filter { p.codes[$0] >= 0 && p.codes[$0] != mode }),
                    action: "It carries little information: drop it unless the rare values matter (they may also be errors)."))
            }
            if index != timeIndex, let evidence = identifierEvidence(p) {
                identifiers.insert(index)
                let monotone = evidence.monotone != 0
                add(AuditFinding(
                    kind: .identifierColumn, severity: .warning, columns: [p.name],
                    message: "\"\(p.name)\" looks like a row identifier: \(groupedInteger(p.distinct)) distinct values in "
                        + "\(rowCount(p.present)) (\(auditPercent(evidence.share)))"
                        + (monotone ? ", \(evidence.monotone > 0 ? "increasing" : "decreasing") with the row number." : "."),
                    evidence: [AuditEvidence("distinct", p.distinct), AuditEvidence("distinct_share", evidence.share),
                               AuditEvidence("monotone", evidence.monotone)],
                    action: "Drop it from the features (it cannot generalize to new rows); if rows of one entity repeat, "
                        + "use it to group the folds instead."))
            }
        }
        for index in frame.columns.indices where index != targetIndex {
            let p = profiles[index]
            guard p.missing > 0, p.present > 0 else { continue }
            let share = Double(p.missing) / Double(p.rowCount)
            add(AuditFinding(
                kind: .missingValues, severity: share >= 0.5 ? .warning : .info, columns: [p.name],
                message: "\"\(p.name)\" is missing in \(rowCount(p.missing)) (\(auditPercent(share))).",
                evidence: [AuditEvidence("missing", p.missing), AuditEvidence("share", share)],
                rows: examples(p.codes.indices.lazy.filter { p.codes[$0] < 0 }),
                action: share >= 0.5
                    ? "More than half is missing: check that the column is usable before relying on it."
                    : "Trees handle missing values natively; other models need imputation fitted on training folds only."))
        }
        checkSharedMissingness()
    }

    /// Whether a profile looks like an identifier: its distinct share and
    /// its monotonicity (+1 increasing, −1 decreasing, 0 neither).
    private func identifierEvidence(_ p: ColumnProfile) -> (share: Double, monotone: Int)? {
        guard p.present >= Self.minimumIdentifierRows else { return nil }
        let share = Double(p.distinct) / Double(p.present)
        var monotone = 0
        if p.kind == .numeric && p.distinct == p.present {
            // Codes follow value order: strictly monotone codes are strictly monotone values.
            var increasing = true, decreasing = true
            var previous: Int32 = -1
            for code in p.codes where code >= 0 {
                if previous >= 0 {
                    if code <= previous { increasing = false }
                    if code >= previous { decreasing = false }
                    if !increasing && !decreasing { break }
                }
                previous = code
            }
            monotone = increasing ? 1 : decreasing ? -1 : 0
        }
        if monotone != 0 { return (share, monotone) }
        guard share >= thresholds.identifierShare else { return nil }
        switch p.kind {
        case .categorical: return (share, 0)
        case .numeric: return p.isWholeNumber ? (share, 0) : nil
        case .text:
            // Free text is nearly all distinct too; identifiers have no spaces.
            let sample = p.labels.prefix(200)
            return sample.contains { $0.contains(" ") || $0.contains("\t") } ? nil : (share, 0)
        default: return nil
        }
    }

    /// Columns whose missing rows coincide (Jaccard index at least the
    /// threshold), reported as connected groups.
    private mutating func checkSharedMissingness() {
        let candidates = frame.columns.indices.filter { index in
            index != targetIndex && profiles[index].missing > 0 && profiles[index].present > 0
        }.prefix(audit.maximumRelationColumns)
        guard candidates.count >= 2 else { return }
        let n = frame.rowCount
        let words = (n + 63) / 64
        let masks: [[UInt64]] = candidates.map { index in
            var mask = [UInt64](repeating: 0, count: words)
            for (row, code) in profiles[index].codes.enumerated() where code < 0 { mask[row >> 6] |= 1 << UInt64(row & 63) }
            return mask
        }
        let columns = Array(candidates)
        var parent = Array(columns.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { i = parent[i] }
            return i
        }
        for a in columns.indices {
            for b in (a + 1)..<columns.count {
                let (ma, mb) = (profiles[columns[a]].missing, profiles[columns[b]].missing)
                // The Jaccard index is at most min / max of the two counts.
                guard Double(min(ma, mb)) >= thresholds.sharedMissingness * Double(max(ma, mb)) else { continue }
                var both = 0
                for w in 0..<words { both += (masks[a][w] & masks[b][w]).nonzeroBitCount }
                if Double(both) >= thresholds.sharedMissingness * Double(ma + mb - both) {
                    let (ra, rb) = (root(a), root(b))
                    if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
                }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in columns.indices { members[root(i), default: []].append(i) }
        for key in members.keys.sorted() {
            let group = members[key]!
            guard group.count >= 2 else { continue }
            var all = masks[group[0]], any = masks[group[0]]
            for i in group.dropFirst() {
                for w in 0..<words {
                    all[w] &= masks[i][w]
                    any[w] |= masks[i][w]
                }
            }
            let inAll = all.reduce(0) { $0 + $1.nonzeroBitCount }
            let inAny = any.reduce(0) { $0 + $1.nonzeroBitCount }
            let names = group.map { profiles[columns[$0]].name }
            let message = inAll == inAny
                ? "\(quotedList(names)) are missing on exactly the same \(rowCount(inAll))."
                : "\(quotedList(names)) are almost always missing together: \(rowCount(inAll)) miss all of "
                    + "them, \(groupedInteger(inAny)) miss any (Jaccard index \(auditNumber(Double(inAll) / Double(inAny))))."
            var rows: [Int] = []
            for row in 0..<n where all[row >> 6] & (1 << UInt64(row & 63)) != 0 {
                rows.append(row)
                if rows.count == audit.exampleRows { break }
            }
            add(AuditFinding(
                kind: .sharedMissingness, severity: .info, columns: names, message: message,
                evidence: [AuditEvidence("missing_in_all", inAll), AuditEvidence("missing_in_any", inAny),
                           AuditEvidence("jaccard", Double(inAll) / Double(inAny))],
                rows: examples(rows),
                action: "A shared cause (a skipped form section, a failed join) is likely: one missing indicator covers "
                    + "them, and they should be imputed together."))
        }
    }

    /// A value of a profile, quoted for a message.
    func quotedValue(_ p: ColumnProfile, _ code: Int32) -> String {
        p.labels.isEmpty ? p.label(ofCode: code) : "\"\(p.label(ofCode: code))\""
    }
}
