extension AuditRun {
    /// Columns determined by another (functional dependencies), exact linear
    /// functions and exact sums; any of them involving the target is a leak.
    mutating func checkRelations() {
        let candidates = relationCandidates()
        var related = Set<[Int]>()
        checkDependencies(candidates, &related)
        checkRegressionRanges(candidates)
        let numeric = candidates.filter { profiles[$0].kind == .numeric && !profiles[$0].values.contains(where: \.isNaN) }
        checkLinearFunctions(numeric, &related)
        checkSums(numeric, related)
    }

    /// The target first, then columns that vary, are not identifiers, text
    /// or the group column, up to the relation limit.
    private func relationCandidates() -> [Int] {
        let others = featureIndices.filter { index in
            let p = profiles[index]
            return !identifiers.contains(index) && p.kind != .text && p.distinct >= 2
        }
        return [targetIndex] + others.prefix(max(0, audit.maximumRelationColumns - 1))
    }

    /// Values of a profile including "missing" as one more value.
    private func valueCount(_ index: Int) -> Int {
        profiles[index].distinct + (profiles[index].missing > 0 ? 1 : 0)
    }

    /// Whether each value of column `a` (missing counting as a value) comes
    /// with a single value of column `b`. Stops at the first counterexample.
    private func determines(_ a: Int, _ b: Int) -> Bool {
        let pa = profiles[a], pb = profiles[b]
        let missingA = Int32(pa.distinct)
        var image = [Int32](repeating: -2, count: pa.distinct + 1)
        return pa.codes.withUnsafeBufferPointer { ca in
            pb.codes.withUnsafeBufferPointer { cb in
                for row in 0..<ca.count {
                    let x = ca[row] < 0 ? missingA : ca[row]
                    let y = cb[row]
                    let seen = image[Int(x)]
                    if seen == -2 {
                        image[Int(x)] = y
                    } else if seen != y {
                        return false
                    }
                }
                return true
            }
        }
    }

    private mutating func checkDependencies(_ candidates: [Int], _ related: inout Set<[Int]>) {
        let limit = thresholds.determinantShare * Double(frame.rowCount)
        let determinants = Set(candidates.filter { valueCount($0) >= 2 && Double(profiles[$0].distinct) <= limit })
        var functionsOf: [Int: [Int]] = [:]
        for (i, a) in candidates.enumerated() {
            for b in candidates[(i + 1)...] {
                guard valueCount(a) >= 2, valueCount(b) >= 2 else { continue }
                let aToB = determinants.contains(a) && valueCount(b) <= valueCount(a) && determines(a, b)
                let bToA = determinants.contains(b) && valueCount(a) <= valueCount(b) && determines(b, a)
                guard aToB || bToA else { continue }
                related.insert([a, b])
                let (pa, pb) = (profiles[a], profiles[b])
                if a == targetIndex || b == targetIndex {
                    let feature = a == targetIndex ? b : a
                    let pf = profiles[feature]
                    leaks.insert(feature)
                    let message: String
                    if aToB && bToA {
                        message = "\"\(pf.name)\" is the target relabelled: its \(valueCount(feature)) values map one-to-one "
                            + "onto the target's."
                    } else if (feature == a && aToB) || (feature == b && bToA) {
                        message = "The target is a function of \"\(pf.name)\": each of its \(valueCount(feature)) values "
                            + "comes with a single target value."
                    } else {
                        message = "\"\(pf.name)\" is determined by the target: each target value comes with a single "
                            + "value of \"\(pf.name)\"."
                    }
                    add(AuditFinding(
                        kind: .targetMapping, severity: .critical, columns: [pf.name, targetName], message: message,
                        evidence: [AuditEvidence("values", valueCount(feature)),
                                   AuditEvidence("target_values", valueCount(targetIndex))],
                        action: "Remove \"\(pf.name)\": a column this tied to the target is derived from it or recorded "
                            + "after it, and will not be there when predicting."))
                } else if aToB && bToA {
                    add(AuditFinding(
                        kind: .functionalDependency, severity: .warning, columns: [pa.name, pb.name],
                        message: "\"\(pa.name)\" and \"\(pb.name)\" are one-to-one: each of the \(valueCount(a)) values of "
                            + "one comes with a single value of the other, so they carry the same information.",
                        evidence: [AuditEvidence("values", valueCount(a))],
                        action: "Keep one of them; the other adds nothing and splits importance between them."))
                } else {
                    let (from, to) = aToB ? (a, b) : (b, a)
                    functionsOf[from, default: []].append(to)
                }
            }
        }
        // Many-to-one dependencies, one finding per determining column.
        for from in candidates {
            guard let dependents = functionsOf[from] else { continue }
            let names = dependents.map { profiles[$0].name }
            let fromName = profiles[from].name
            let one = dependents.count == 1
            add(AuditFinding(
                kind: .functionalDependency, severity: .info, columns: names + [fromName],
                message: "\(quotedList(names)) \(one ? "is a function" : "are functions") of \"\(fromName)\": each of its "
                    + "\(valueCount(from)) values comes with a single value of \(one ? "it" : "each") ("
                    + dependents.map { "\(valueCount($0))" }.joined(separator: ", ") + " value"
                    + (dependents.count == 1 && valueCount(dependents[0]) == 1 ? "" : "s") + ").",
                evidence: [AuditEvidence("determining_values", valueCount(from))]
                    + dependents.map { AuditEvidence("values:\(profiles[$0].name)", valueCount($0)) },
                action: profiles[from].kind == .datetime
                    ? "Expected when \(one ? "it is a calendar part" : "they are calendar parts") of \"\(fromName)\"; "
                        + "nothing to do (a model finds them more easily than in the date itself)."
                    : "\(one ? "It adds" : "They add") nothing a model cannot learn from \"\(fromName)\"; keep "
                        + "\(one ? "it" : "them") only as deliberate coarser groupings."))
        }
    }

    /// Regression: a column whose values split the target's range into
    /// disjoint intervals (a binned copy of the target).
    private mutating func checkRegressionRanges(_ candidates: [Int]) {
        guard task == .regression else { return }
        let limit = thresholds.determinantShare * Double(labeled.count)
        for index in candidates where index != targetIndex && !leaks.contains(index) {
            let p = profiles[index]
            let values = valueCount(index)
            guard values >= 2, Double(values) <= limit else { continue }
            var low = [Double](repeating: .infinity, count: values)
            var high = [Double](repeating: -.infinity, count: values)
            var rows = [Int](repeating: 0, count: values)
            for (position, row) in labeled.enumerated() {
                let code = p.codes[row] < 0 ? p.distinct : Int(p.codes[row])
                low[code] = min(low[code], targetValues[position])
                high[code] = max(high[code], targetValues[position])
                rows[code] += 1
            }
            let used = (0..<values).filter { rows[$0] > 0 }.sorted { low[$0] < low[$1] }
            // Every value needs a few rows, or a column unique per row would pass.
            guard used.count >= 2, used.allSatisfy({ rows[$0] >= 5 }) else { continue }
            guard zip(used, used.dropFirst()).allSatisfy({ high[$0] < low[$1] }) else { continue }
            leaks.insert(index)
            add(AuditFinding(
                kind: .targetMapping, severity: .critical, columns: [p.name, targetName],
                message: "\"\(p.name)\" splits the target's range: each of its \(used.count) values covers its own "
                    + "interval of target values, so it is a binned copy of the target.",
                evidence: [AuditEvidence("values", used.count)],
                action: "Remove \"\(p.name)\": it is derived from the target and will not be there when predicting."))
        }
    }

    /// Pairs of numeric columns with a = α·b + β on every row where both are
    /// present (within the relative tolerance), α and β fixed by the rows
    /// holding b's smallest and largest values.
    private mutating func checkLinearFunctions(_ numeric: [Int], _ related: inout Set<[Int]>) {
        // Per column: the rows of its smallest and largest present value.
        var extremes: [Int: (low: Int, high: Int)] = [:]
        for index in numeric {
            let codes = profiles[index].codes
            let top = Int32(profiles[index].distinct - 1)
            if let low = codes.firstIndex(of: 0), let high = codes.firstIndex(of: top) { extremes[index] = (low, high) }
        }
        for (i, a) in numeric.enumerated() {
            for b in numeric[(i + 1)...] where !related.contains([a, b]) {
                var found: (y: Int, x: Int, alpha: Double, beta: Double)?
                if let (alpha, beta) = linearFit(a, b, extremes[b]) {
                    found = (a, b, alpha, beta)
                } else if let (alpha, beta) = linearFit(b, a, extremes[a]) {
                    found = (b, a, alpha, beta)
                }
                guard let found else { continue }
                related.insert([a, b])
                let (y, x) = (profiles[found.y].name, profiles[found.x].name)
                let copy = found.alpha == 1 && found.beta == 0
                let formula = copy ? "a copy of \"\(x)\"" : "\(auditNumber(found.alpha)) × \"\(x)\""
                    + (found.beta == 0 ? "" : (found.beta > 0 ? " + " : " − ") + auditNumber(abs(found.beta)))
                let evidence = [AuditEvidence("slope", found.alpha), AuditEvidence("intercept", found.beta)]
                if found.y == targetIndex || found.x == targetIndex {
                    let feature = found.y == targetIndex ? found.x : found.y
                    leaks.insert(feature)
                    add(AuditFinding(
                        kind: .targetMapping, severity: .critical, columns: [profiles[feature].name, targetName],
                        message: "\"\(y)\" is \(copy ? formula : "exactly " + formula) on every row: "
                            + "\"\(profiles[feature].name)\" is the target in disguise.",
                        evidence: evidence,
                        action: "Remove \"\(profiles[feature].name)\": it is derived from the target."))
                } else {
                    add(AuditFinding(
                        kind: .linearFunction, severity: .warning, columns: [y, x],
                        message: "\"\(y)\" is \(copy ? formula : "exactly " + formula) on every row where both are present.",
                        evidence: evidence,
                        action: "Keep one of them: the other carries the same information (and makes linear models singular)."))
                }
            }
        }
    }

    /// α and β with y = α·x + β on every row where both are present, or `nil`.
    private func linearFit(_ y: Int, _ x: Int, _ extremes: (low: Int, high: Int)?) -> (Double, Double)? {
        guard let extremes else { return nil }
        let px = profiles[x], py = profiles[y]
        let (x0, x1) = (px.values[Int(px.codes[extremes.low])], px.values[Int(px.codes[extremes.high])])
        let (c0, c1) = (py.codes[extremes.low], py.codes[extremes.high])
        guard c0 >= 0, c1 >= 0, x1 > x0 else { return nil }
        let (y0, y1) = (py.values[Int(c0)], py.values[Int(c1)])
        let alpha = (y1 - y0) / (x1 - x0)
        guard alpha != 0, alpha.isFinite else { return nil }
        // Anchor at the endpoint nearer zero, where β loses least to rounding.
        let beta = abs(x0) <= abs(x1) ? y0 - alpha * x0 : y1 - alpha * x1
        let tolerance = thresholds.tolerance
        var compared = 0
        let holds = px.codes.withUnsafeBufferPointer { cx in
            py.codes.withUnsafeBufferPointer { cy in
                px.values.withUnsafeBufferPointer { vx in
                    py.values.withUnsafeBufferPointer { vy in
                        for row in 0..<cx.count where cx[row] >= 0 && cy[row] >= 0 {
                            let u = vx[Int(cx[row])], v = vy[Int(cy[row])]
                            let predicted = alpha * u + beta
                            let scale = max(abs(v), abs(alpha * u), abs(beta), Double.leastNormalMagnitude)
                            if abs(v - predicted) > tolerance * scale { return false }
                            compared += 1
                        }
                        return true
                    }
                }
            }
        }
        guard holds, compared >= 10 else { return nil }
        // Report whole numbers exactly when they are whole within the tolerance.
        func clean(_ v: Double) -> Double {
            let r = v.rounded()
            return abs(v - r) <= tolerance * max(1, abs(v)) ? r : v
        }
        return (clean(alpha), clean(beta))
    }

    /// Triples a = b + c of numeric columns on every row where all three are
    /// present: the first `maximumSumColumns` numeric columns (the target
    /// among them), checked first on 32 spread rows, then on all.
    private mutating func checkSums(_ numeric: [Int], _ related: Set<[Int]>) {
        let columns = Array(numeric.prefix(audit.maximumSumColumns))
        guard columns.count >= 3 else { return }
        let n = frame.rowCount
        let stride = max(1, n / 32)
        let sample = Array(Swift.stride(from: 0, to: n, by: stride))
        let tolerance = thresholds.tolerance
        let profiles = self.profiles
        func relation(_ i: Int, _ j: Int) -> Bool {
            related.contains([min(columns[i], columns[j]), max(columns[i], columns[j])])
        }
        // Values come through each profile's codes (no copy per column).
        func holds(_ s: Int, _ i: Int, _ j: Int, rows: [Int]?) -> (holds: Bool, compared: Int, bothNonzero: Bool) {
            let (a, b, c) = (profiles[columns[s]], profiles[columns[i]], profiles[columns[j]])
            var compared = 0
            var nonzeroB = false, nonzeroC = false
            func check(_ row: Int) -> Bool {
                let (ca, cb, cc) = (a.codes[row], b.codes[row], c.codes[row])
                if ca < 0 || cb < 0 || cc < 0 { return true }
                let (x, y, z) = (a.values[Int(ca)], b.values[Int(cb)], c.values[Int(cc)])
                compared += 1
                if y != 0 { nonzeroB = true }
                if z != 0 { nonzeroC = true }
                return abs(x - (y + z)) <= tolerance * max(abs(x), abs(y), abs(z))
            }
            if let rows {
                for row in rows where !check(row) { return (false, compared, false) }
            } else {
                for row in 0..<n where !check(row) { return (false, compared, false) }
            }
            return (true, compared, nonzeroB && nonzeroC)
        }
        for s in columns.indices {
            for i in columns.indices where i != s {
                for j in (i + 1)..<columns.count where j != s {
                    if relation(s, i) || relation(s, j) || relation(i, j) { continue }
                    guard holds(s, i, j, rows: sample).holds else { continue }
                    let full = holds(s, i, j, rows: nil)
                    // Both parts must be non-zero somewhere, or the "sum" is a copy.
                    guard full.holds, full.bothNonzero, full.compared >= 10, 2 * full.compared >= n else { continue }
                    let names = [s, i, j].map { profiles[columns[$0]].name }
                    let involvesTarget = [s, i, j].contains { columns[$0] == targetIndex }
                    let message = "\"\(names[0])\" = \"\(names[1])\" + \"\(names[2])\" on every row where all three are "
                        + "present (\(rowCount(full.compared)))."
                    if involvesTarget {
                        let parts = [s, i, j].filter { columns[$0] != targetIndex }.map { columns[$0] }
                        for part in parts { leaks.insert(part) }
                        let partNames = parts.map { profiles[$0].name }
                        add(AuditFinding(
                            kind: .sumOfColumns, severity: .critical, columns: names,
                            message: message + " With \(quotedList(partNames)), the target is known exactly.",
                            evidence: [AuditEvidence("rows", full.compared)],
                            action: "Remove \(quotedList(partNames)) (or at least one of them): they are parts of the "
                                + "target, not predictors of it."))
                    } else {
                        add(AuditFinding(
                            kind: .sumOfColumns, severity: .warning, columns: names, message: message,
                            evidence: [AuditEvidence("rows", full.compared)],
                            action: "Drop one of the three: any two determine the third."))
                    }
                }
            }
        }
    }
}
