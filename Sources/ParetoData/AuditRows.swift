import ParetoCore

extension AuditRun {
    /// Exact duplicate rows, and conflicting duplicates: rows equal in every
    /// feature whose targets differ. Identifier columns (and the group
    /// column) are ignored, since a copied record usually gets a new id.
    ///
    /// How: a 64-bit hash of each row's value codes, rows sorted by hash,
    /// and rows of equal hash compared code by code (so a hash collision
    /// never merges different rows).
    mutating func checkRows() {
        let keyColumns = featureIndices.filter { !identifiers.contains($0) }
        guard !keyColumns.isEmpty else { return }
        let n = frame.rowCount
        var hashes = [UInt64](repeating: 0x243F_6A88_85A3_08D3, count: n)
        let profiles = self.profiles
        hashes.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            Parallel.forEachChunk(0..<n, threads: audit.threads, minimumChunk: 16_384) { range in
                for column in keyColumns {
                    profiles[column].codes.withUnsafeBufferPointer { codes in
                        for row in range {
                            var h = shared[row] ^ UInt64(UInt32(bitPattern: codes[row]))
                            h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
                            shared[row] = h ^ (h >> 32)
                        }
                    }
                }
            }
        }
        let order = (0..<n).sorted { hashes[$0] != hashes[$1] ? hashes[$0] < hashes[$1] : $0 < $1 }
        func sameFeatures(_ a: Int, _ b: Int) -> Bool {
            keyColumns.allSatisfy { profiles[$0].codes[a] == profiles[$0].codes[b] }
        }
        let targetCodes = profiles[targetIndex].codes

        // Classes of rows with identical features, each in row order.
        var classes: [[Int]] = []
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && hashes[order[end]] == hashes[order[start]] { end += 1 }
            if end - start >= 2 {
                var runClasses: [[Int]] = []
                for row in order[start..<end] {
                    if let i = runClasses.firstIndex(where: { sameFeatures($0[0], row) }) {
                        runClasses[i].append(row)
                    } else {
                        runClasses.append([row])
                    }
                }
                classes += runClasses.filter { $0.count >= 2 }
            }
            start = end
        }
        classes.sort { $0[0] < $1[0] }

        var repeats = 0, duplicateGroups = 0
        var duplicateExamples: [Int] = []
        var conflictRows = 0
        var conflicts: [[Int]] = []
        for rows in classes {
            // Rows equal in the target too are exact duplicates.
            var byTarget: [Int32: [Int]] = [:]
            for row in rows { byTarget[targetCodes[row], default: []].append(row) }
            for key in byTarget.keys.sorted() where byTarget[key]!.count >= 2 {
                let same = byTarget[key]!
                repeats += same.count - 1
                duplicateGroups += 1
                if duplicateExamples.count < audit.exampleRows { duplicateExamples += same.prefix(audit.exampleRows) }
            }
            let labeledTargets = Set(rows.map { targetCodes[$0] }.filter { $0 >= 0 })
            if labeledTargets.count >= 2 {
                let withTarget = rows.filter { targetCodes[$0] >= 0 }
                conflictRows += withTarget.count
                conflicts.append(withTarget)
            }
        }
        let ignored = featureIndices.filter { identifiers.contains($0) }.map { profiles[$0].name }
            + (groupIndex.map { [profiles[$0].name] } ?? [])
        let ignoring = ignored.isEmpty ? "" : " (ignoring \(quotedList(ignored)))"
        if repeats > 0 {
            let share = Double(repeats) / Double(n)
            add(AuditFinding(
                kind: .duplicateRows, severity: share >= 0.01 ? .warning : .info, columns: [],
                message: "\(rowCount(repeats)) (\(auditPercent(share))) repeat an earlier row exactly"
                    + "\(ignoring), in \(groupedInteger(duplicateGroups)) group\(duplicateGroups == 1 ? "" : "s").",
                evidence: [AuditEvidence("duplicate_rows", repeats), AuditEvidence("groups", duplicateGroups),
                           AuditEvidence("share", share)],
                rows: examples(duplicateExamples),
                action: "Drop the repeats before splitting, or keep copies in one fold (group the folds): a row that "
                    + "is both trained and validated on inflates the scores."))
        }
        if conflictRows > 0 {
            let share = Double(conflictRows) / Double(labeled.count)
            let first = conflicts[0]
            let labels = Set(first.map { targetCodes[$0] }).sorted().map { "\"\(profiles[targetIndex].label(ofCode: $0))\"" }
            add(AuditFinding(
                kind: .conflictingDuplicates, severity: task == .regression ? .info : .warning, columns: [targetName],
                message: "\(rowCount(conflictRows)) (\(auditPercent(share))) in \(groupedInteger(conflicts.count)) "
                    + "group\(conflicts.count == 1 ? "" : "s") share all their features\(ignoring) but have different "
                    + "targets; e.g. rows \(first.prefix(3).map { String($0 + 1) }.joined(separator: ", ")) have "
                    + labels.prefix(3).joined(separator: ", ") + ".",
                evidence: [AuditEvidence("rows", conflictRows), AuditEvidence("groups", conflicts.count),
                           AuditEvidence("share", share)],
                rows: examples(conflicts.flatMap { $0 }),
                action: task == .regression
                    ? "Identical inputs with different targets bound how well any model can do; check whether a feature is missing."
                    : "These rows cap any model's accuracy: check them for label errors, or find the feature that tells them apart."))
        }
    }
}
