import Foundation
import Testing
import ParetoCore
@testable import ParetoData

/// Seeded draws for building data sets with planted defects.
struct Draws {
    var rng: Xoshiro256

    init(seed: UInt64) { rng = Xoshiro256(seed: seed) }

    mutating func uniform() -> Double { rng.uniformDouble() }

    /// A standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u = max(rng.uniformDouble(), 1e-300), v = rng.uniformDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// A small, honest model for the model-based checks in these tests: the
/// class shares of the training rows in the same cell of a grid over the
/// given numeric columns (quantile bins per column), out of fold. It stands
/// in for the gradient-boosted trees the command-line tool uses.
struct GridPredictor: AuditPredictor {
    var columns: [String]
    var bins = 10

    func outOfFoldPredictions(_ frame: DataFrame, target: String, task: TaskKind, folds: [Fold]) throws -> [Double] {
        let n = frame.rowCount
        let encoding = try frame.classEncoding(target)
        let k = encoding.labels.count
        var cell = [Int](repeating: 0, count: n)
        for name in columns {
            let values = try #require(try frame.column(name).numeric).values.array
            let sorted = values.sorted()
            for row in 0..<n {
                let rank = sorted.firstIndex { $0 >= values[row] }!
                cell[row] = cell[row] * bins + min(bins - 1, rank * bins / n)
            }
        }
        let cells = Int(pow(Double(bins), Double(columns.count)))
        var out = [Double](repeating: .nan, count: n * k)
        for fold in folds {
            var counts = [Double](repeating: 0, count: cells * k)
            var prior = [Double](repeating: 0, count: k)
            for row in fold.train {
                counts[cell[row] * k + encoding.codes[row]] += 1
                prior[encoding.codes[row]] += 1 / Double(fold.train.count)
            }
            for row in fold.validation {
                let total = (0..<k).reduce(0.0) { $0 + counts[cell[row] * k + $1] }
                for c in 0..<k { out[row * k + c] = (counts[cell[row] * k + c] + prior[c]) / (total + 1) }
            }
        }
        return out
    }
}

extension AuditReport {
    /// The findings of `kind` whose columns are exactly `columns` (in any order).
    func findings(_ kind: AuditFinding.Kind, columns: Set<String>) -> [AuditFinding] {
        findings(kind).filter { Set($0.columns) == columns }
    }

    /// Kinds of findings at or above `severity`.
    func kinds(atLeast severity: AuditSeverity) -> Set<AuditFinding.Kind> {
        Set(findings.filter { $0.severity >= severity }.map(\.kind))
    }
}

@Suite("Data audit")
struct AuditTests {
    /// 600 rows: a target from x1 + x2, a leaked noisy copy of the target,
    /// a shuffled integer id, a constant, s = x2 + x3, and a column missing
    /// exactly where the label is "yes".
    func plantedFrame() throws -> DataFrame {
        var d = Draws(seed: 1)
        let n = 600
        var x1: [Double] = [], x2: [Double] = [], x3: [Double] = [], leak: [Double] = [], m: [Double] = []
        var y: [String?] = []
        for _ in 0..<n {
            let (a, b, c) = (d.normal(), d.normal(), d.normal())
            let yes = a + b + 0.8 * d.normal() > 0
            x1.append(a); x2.append(b); x3.append(c)
            y.append(yes ? "yes" : "no")
            leak.append((yes ? 1 : 0) + 0.1 * d.normal())
            m.append(yes ? .nan : d.normal())
        }
        let id = d.rng.permutation(n).map { Double(100_000 + $0) }
        return try DataFrame([
            .numeric("id", id), .numeric("x1", x1), .numeric("x2", x2), .numeric("x3", x3),
            .numeric("s", zip(x2, x3).map { $0 + $1 }), .numeric("leak", leak), .numeric("m", m),
            .categorical("const", Array(repeating: "same", count: n)), .categorical("y", y),
        ])
    }

    @Test("planted defects are each found, with the right kind and columns")
    func plantedDefects() throws {
        let report = try DataAudit(target: "y").run(try plantedFrame())
        let leak = try #require(report.findings(.targetLeakage, columns: ["leak"]).first)
        #expect(leak.severity == .critical)
        #expect(leak.evidence("auc")!.number! >= 0.99)
        #expect(report.findings(.identifierColumn, columns: ["id"]).first?.severity == .warning)
        #expect(report.findings(.constantColumn, columns: ["const"]).count == 1)
        let sum = try #require(report.findings(.sumOfColumns).first)
        #expect(sum.columns == ["s", "x2", "x3"])
        #expect(sum.severity == .warning)
        let missing = try #require(report.findings(.informativeMissingness, columns: ["m"]).first)
        #expect(missing.severity == .critical)
        #expect(missing.evidence("indicator_auc")!.number! > 0.99)
        // Reported once, as missingness, not again as a leaking feature.
        #expect(report.findings(.targetLeakage, columns: ["m"]).isEmpty)
        // Nothing else is a leak, and the honest features are not flagged.
        #expect(Set(report.findings.filter { $0.severity == .critical }.flatMap(\.columns)) == ["leak", "m"])
        for name in ["x1", "x2", "x3"] {
            #expect(!report.findings.contains { $0.columns == [name] }, "\(name) was flagged")
        }
        #expect(report.findings(.duplicateRows).isEmpty && report.findings(.conflictingDuplicates).isEmpty)
        // Critical findings come first.
        #expect(report.findings.first?.severity == .critical)
        #expect(report.findings.map(\.severity) == report.findings.map(\.severity).sorted(by: >))
    }

    @Test("conflicting and exact duplicates: counts, groups and row numbers; identifiers are ignored")
    func duplicates() throws {
        var d = Draws(seed: 7)
        var x: [Double] = [], c: [String?] = [], y: [String?] = []
        for _ in 0..<200 {
            x.append(d.normal())
            c.append(["a", "b", "c"][d.rng.uniformInt(below: 3)])
            y.append(d.uniform() < 0.5 ? "0" : "1")
        }
        // Rows 101–103 repeat rows 1–3 exactly; rows 151–152 repeat rows 11–12 with the other label.
        for i in 0..<3 { x[100 + i] = x[i]; c[100 + i] = c[i]; y[100 + i] = y[i] }
        for i in 0..<2 { x[150 + i] = x[10 + i]; c[150 + i] = c[10 + i]; y[150 + i] = y[10 + i] == "0" ? "1" : "0" }
        // A fresh identifier per row must not hide the copies.
        let frame = try DataFrame([.text("key", (0..<200).map { "K\($0)" }), .numeric("x", x), .categorical("c", c),
                                   .categorical("y", y)])
        let report = try DataAudit(target: "y").run(frame)
        #expect(report.findings(.identifierColumn, columns: ["key"]).count == 1)
        let exact = try #require(report.findings(.duplicateRows).first)
        #expect(exact.evidence("duplicate_rows")?.number == 3)
        #expect(exact.evidence("groups")?.number == 3)
        #expect(exact.rows.starts(with: [1, 101]))
        #expect(exact.message.contains("ignoring \"key\""))
        let conflicts = try #require(report.findings(.conflictingDuplicates).first)
        #expect(conflicts.severity == .warning)
        #expect(conflicts.evidence("rows")?.number == 4)
        #expect(conflicts.evidence("groups")?.number == 2)
        #expect(Set(conflicts.rows) == [11, 12, 151, 152])
    }

    @Test("a clean regression set (independent features, smooth target plus noise) raises nothing serious")
    func cleanRegression() throws {
        var d = Draws(seed: 2)
        let n = 800
        var columns: [[Double]] = Array(repeating: [], count: 4)
        var y: [Double] = []
        for _ in 0..<n {
            let x = (0..<4).map { _ in 4 * d.uniform() - 2 }
            for j in 0..<4 { columns[j].append(x[j]) }
            y.append(sin(x[0]) + 0.5 * x[1] + 0.5 * d.normal())
        }
        let frame = try DataFrame(columns.enumerated().map { Column.numeric("x\($0.offset + 1)", $0.element) }
                                  + [.numeric("y", y)])
        let report = try DataAudit(target: "y").run(frame)
        #expect(report.count(.critical) == 0)
        #expect(report.count(.warning) == 0, "\(report.findings.map(\.message))")
        let leakKinds: Set<AuditFinding.Kind> = [.targetLeakage, .targetMapping, .sumOfColumns, .linearFunction,
                                                  .functionalDependency, .identifierColumn, .dominantFeature]
        #expect(Set(report.findings.map(\.kind)).isDisjoint(with: leakKinds))
        #expect(report.scoreMetric == "r2")
        // The informative features score above the pure-noise ones.
        let score = Dictionary(uniqueKeysWithValues: report.features.map { ($0.name, $0.score!) })
        #expect(score["x1"]! > 0.15 && score["x2"]! > 0.15)
        #expect(score["x3"]! < 0.05 && score["x4"]! < 0.05)
    }

    @Test("a clean classification set gives no leak and no flood of label issues")
    func cleanClassification() throws {
        var d = Draws(seed: 3)
        let n = 2000
        var x1: [Double] = [], x2: [Double] = [], x3: [Double] = [], y: [String?] = []
        for _ in 0..<n {
            let (a, b) = (d.normal(), d.normal())
            x1.append(a); x2.append(b); x3.append(d.normal())
            y.append(sin(2 * a) + b + 0.2 * d.normal() > 0 ? "pos" : "neg")
        }
        let frame = try DataFrame([.numeric("x1", x1), .numeric("x2", x2), .numeric("x3", x3), .categorical("y", y)])
        let report = try DataAudit(target: "y", predictor: GridPredictor(columns: ["x1", "x2"])).run(frame)
        #expect(report.kinds(atLeast: .warning).isEmpty, "\(report.findings.map(\.message))")
        let issues = report.findings(.labelIssues).first
        let share = issues?.evidence("share")?.number ?? 0
        #expect(share < 0.05, "label issues flood: \(share)")
        #expect(issues == nil || issues!.severity == .info)
        #expect(try #require(report.modelScore) > 0.9)
    }

    @Test("confident learning finds flipped labels: most of them, and few others")
    func flippedLabels() throws {
        var d = Draws(seed: 8)
        let n = 2000
        var x1: [Double] = [], x2: [Double] = [], y: [String?] = []
        var flipped = Set<Int>()
        for row in 0..<n {
            let (a, b) = (d.normal(), d.normal())
            x1.append(a); x2.append(b)
            var positive = a + b > 0
            if d.uniform() < 0.04 {
                positive.toggle()
                flipped.insert(row + 1)
            }
            y.append(positive ? "1" : "0")
        }
        let frame = try DataFrame([.numeric("x1", x1), .numeric("x2", x2), .categorical("y", y)])
        var audit = DataAudit(target: "y", predictor: GridPredictor(columns: ["x1", "x2"]))
        audit.exampleRows = n
        let report = try audit.run(frame)
        let issues = try #require(report.findings(.labelIssues).first)
        let found = Set(issues.rows)
        let recall = Double(found.intersection(flipped).count) / Double(flipped.count)
        let precision = Double(found.intersection(flipped).count) / Double(found.count)
        #expect(recall >= 0.6, "recall \(recall)")
        #expect(precision >= 0.8, "precision \(precision)")
        #expect(issues.evidence("rows")?.number == Double(found.count))
    }

    @Test("LabelIssues: thresholds are average self-confidence; off-diagonal confident rows, least confident first")
    func confidentLearningByHand() {
        // Three classes, six rows (probabilities per row: class 0, 1, 2).
        let p: [Double] = [
            0.9, 0.05, 0.05,  // label 0, confident 0
            0.6, 0.3, 0.1,    // label 0, nothing above threshold but class 0 … not an issue
            0.1, 0.8, 0.1,    // label 1
            0.7, 0.2, 0.1,    // label 1: class 0 reaches t0 = 0.75? no (0.7 < 0.75), class 1 0.2 < t1 → none
            0.8, 0.15, 0.05,  // label 2: class 0 (0.8 ≥ 0.75) → issue, suggests 0
            0.05, 0.05, 0.9,  // label 2
        ]
        let labels = [0, 0, 1, 1, 2, 2]
        let issues = LabelIssues(probabilities: p, labels: labels, classCount: 3)
        // t0 = (0.9 + 0.6) / 2, t1 = (0.8 + 0.2) / 2, t2 = (0.05 + 0.9) / 2.
        #expect(zip(issues.thresholds, [0.75, 0.5, 0.475]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(issues.rows == [4])
        #expect(issues.suggested == [0])
        #expect(issues.selfConfidence == [0.05])
        // With two candidates, the lower self-confidence comes first: t0 = 0.85,
        // so rows 3 (0.9) and 4 (0.86) are confidently class 0.
        let two = LabelIssues(probabilities: [0.9, 0.1, 0.8, 0.2, 0.2, 0.8, 0.9, 0.1, 0.86, 0.14],
                              labels: [0, 0, 1, 1, 1], classCount: 2)
        #expect(two.rows == [3, 4])
        #expect(two.suggested == [0, 0])
        // A NaN probability (a row no fold predicted) is never a candidate.
        let unpredicted = LabelIssues(probabilities: [0.9, 0.1, .nan, .nan, 0.2, 0.8], labels: [0, 0, 1], classCount: 2)
        #expect(unpredicted.rows.isEmpty)
    }

    @Test("a regression target: skew, a cap at the maximum, far-out values with the most extreme first")
    func regressionTarget() throws {
        var d = Draws(seed: 9)
        let n = 1000
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<n {
            let a = d.normal()
            x.append(a)
            y.append(min(12, exp(0.8 * a + 0.6 * d.normal())))
        }
        let skewed = try DataAudit(target: "y").run(try DataFrame([.numeric("x", x), .numeric("y", y)]))
        let skew = try #require(skewed.findings(.targetSkew).first)
        #expect(skew.evidence("skewness")!.number! > 1)
        #expect(skew.action.contains("log"))
        let cap = try #require(skewed.findings(.cappedTarget).first)
        #expect(cap.evidence("value")?.number == 12)
        #expect(cap.evidence("rows")?.number == Double(y.filter { $0 == 12 }.count))
        #expect(cap.message.contains("maximum"))

        var z = (0..<n).map { _ in d.normal() }
        z[500] = 40
        z[20] = -25
        let outliers = try DataAudit(target: "z").run(try DataFrame([.numeric("x", x), .numeric("z", z)]))
        let far = try #require(outliers.findings(.targetOutliers).first)
        #expect(far.evidence("beyond_3_iqr")?.number == 2)
        #expect(far.rows == [501, 21])
        #expect(outliers.findings(.cappedTarget).isEmpty)
    }

    @Test("relations: a function, a one-to-one pair, a linear function, and target mappings")
    func relations() throws {
        var d = Draws(seed: 10)
        let n = 800
        let cities = (0..<20).map { "city\($0)" }
        var city: [String?] = [], tempC: [Double] = [], y: [String?] = [], other: [Double] = []
        for _ in 0..<n {
            city.append(cities[d.rng.uniformInt(below: 20)])
            tempC.append((d.normal() * 80).rounded() / 8)
            y.append(d.uniform() < 0.4 ? "churn" : "stay")
            other.append(d.normal())
        }
        let frame = try DataFrame([
            .categorical("city", city),
            .categorical("state", city.map { "S" + String(Int($0!.dropFirst(4))! % 4) }),
            .numeric("city_code", city.map { Double(Int($0!.dropFirst(4))! * 7 + 3) }),
            .numeric("temp_c", tempC), .numeric("temp_f", tempC.map { 1.8 * $0 + 32 }),
            .categorical("y_code", y.map { $0 == "churn" ? "C" : "S" }),
            .numeric("other", other), .categorical("y", y),
        ])
        let report = try DataAudit(target: "y").run(frame)
        let function = try #require(report.findings(.functionalDependency, columns: ["state", "city"]).first)
        #expect(function.severity == .info)
        #expect(report.findings(.functionalDependency, columns: ["city", "city_code"]).first?.severity == .warning)
        let linear = try #require(report.findings(.linearFunction, columns: ["temp_c", "temp_f"]).first)
        let slope = linear.evidence("slope")!.number!
        #expect(abs(slope - 1 / 1.8) < 1e-12 || slope == 1.8)
        let mapping = try #require(report.findings(.targetMapping, columns: ["y_code", "y"]).first)
        #expect(mapping.severity == .critical)
        #expect(mapping.message.contains("relabelled"))
        #expect(report.findings.allSatisfy { !$0.columns.contains("other") })

        // Regression: a binned copy of the target, and a linear copy of it.
        let value = (0..<n).map { _ in d.uniform() * 100 }
        let regression = try DataFrame([
            .numeric("value", value), .categorical("band", value.map { "b\(Int($0 / 25))" }),
            .numeric("cents", value.map { $0 * 100 }), .numeric("noise", other),
        ])
        let found = try DataAudit(target: "value").run(regression)
        #expect(found.findings(.targetMapping, columns: ["band", "value"]).first?.severity == .critical)
        #expect(found.findings(.targetMapping, columns: ["cents", "value"]).first?.severity == .critical)
        // Both are reported as mappings, not again as single-feature leaks.
        #expect(found.findings(.targetLeakage).isEmpty)
    }

    @Test("the target as a sum of two features is critical")
    func targetSum() throws {
        var d = Draws(seed: 11)
        let casual = (0..<300).map { _ in (d.uniform() * 50).rounded() }
        let registered = (0..<300).map { _ in (d.uniform() * 200).rounded() }
        let frame = try DataFrame([.numeric("casual", casual), .numeric("registered", registered),
                                   .numeric("hour", (0..<300).map { Double($0 % 24) }),
                                   .numeric("count", zip(casual, registered).map { $0 + $1 })])
        let report = try DataAudit(target: "count").run(frame)
        let sum = try #require(report.findings(.sumOfColumns).first)
        #expect(sum.severity == .critical)
        #expect(sum.columns == ["count", "casual", "registered"])
    }

    @Test("near-constant columns, shared missingness, missing targets and missing shares")
    func columns() throws {
        var d = Draws(seed: 12)
        let n = 1000
        var rare: [String?] = [], a: [Double] = [], b: [Double] = [], y: [Double] = []
        for i in 0..<n {
            rare.append(i % 200 == 7 ? "odd" : "usual")
            let gone = d.uniform() < 0.1
            a.append(gone ? .nan : d.normal())
            b.append(gone ? .nan : d.normal())
            y.append(i % 97 == 0 ? .nan : d.normal())
        }
        let report = try DataAudit(target: "y").run(try DataFrame([
            .categorical("rare", rare), .numeric("a", a), .numeric("b", b), .numeric("y", y)]))
        let near = try #require(report.findings(.nearConstantColumn, columns: ["rare"]).first)
        #expect(near.evidence("other_rows")?.number == 5)
        #expect(near.rows == [8, 208, 408, 608, 808])
        let shared = try #require(report.findings(.sharedMissingness).first)
        #expect(shared.columns == ["a", "b"])
        #expect(shared.evidence("missing_in_all")?.number == shared.evidence("missing_in_any")?.number)
        let target = try #require(report.findings(.missingTarget).first)
        #expect(target.evidence("rows")?.number == 11)
        #expect(target.rows.prefix(2) == [1, 98])
        #expect(report.findings(.missingValues).map(\.columns) == [["a"], ["b"]])
    }

    @Test("identifiers: shuffled whole numbers, monotone sequences and codes without spaces; not free text or measurements")
    func identifiers() throws {
        var d = Draws(seed: 13)
        let n = 300
        let frame = try DataFrame([
            .numeric("row", (0..<n).map { 0.5 * Double($0) }),
            .text("code", (0..<n).map { "A-\(1000 + $0 * 7)" }),
            .text("comment", (0..<n).map { "note number \($0) here" }),
            .numeric("weight", (0..<n).map { _ in 50 + 10 * d.normal() }),
            .numeric("y", (0..<n).map { _ in d.normal() }),
        ])
        let report = try DataAudit(target: "y").run(frame)
        let ids = Set(report.findings(.identifierColumn).flatMap(\.columns))
        #expect(ids == ["row", "code"])
        #expect(report.findings(.identifierColumn, columns: ["row"]).first?.evidence("monotone")?.number == 1)
    }

    /// 1,200 daily rows: x1 drives the target in the first half, x2 in the
    /// second; "late" is missing until day 600; "z" jumps in the last 20%.
    func timeFrame() throws -> DataFrame {
        var d = Draws(seed: 14)
        let n = 1200
        var x1: [Double] = [], x2: [Double] = [], late: [Double] = [], z: [Double] = [], y: [String?] = []
        for day in 0..<n {
            let (a, b) = (d.normal(), d.normal())
            x1.append(a); x2.append(b)
            y.append((day < 600 ? a : b) + 0.3 * d.normal() > 0 ? "1" : "0")
            late.append(day < 600 ? .nan : d.normal())
            z.append(d.normal() + (day >= 960 ? 2 : 0))
        }
        let start: Int64 = 1_577_836_800_000_000  // 2020-01-01
        let days = (0..<n).map { Optional(start + Int64($0) * 86_400_000_000) }
        // Rows are shuffled: the checks must order them by time themselves.
        let order = d.rng.permutation(n)
        let frame = try DataFrame([
            Column(name: "day", values: .datetime(DateTimeColumn(microseconds: days, hasTime: false))),
            .numeric("x1", x1), .numeric("x2", x2), .numeric("late", late), .numeric("z", z), .categorical("y", y),
        ])
        return frame.rows(order)
    }

    @Test("over time: relations that change, missingness that starts at a date, and the latest rows as a test set")
    func overTime() throws {
        let report = try DataAudit(target: "y", time: "day").run(try timeFrame())
        let unstable = report.findings(.unstableRelation)
        #expect(Set(unstable.map { $0.columns[0] }) == ["x1", "x2"], "\(unstable.map(\.evidence))")
        let x1 = try #require(unstable.first { $0.columns[0] == "x1" })
        #expect(x1.evidence("auc_early")!.number! > 0.85)
        #expect(x1.evidence("auc_late")!.number! < 0.6)
        #expect(x1.evidence("split_time") == .text("2021-08-23"))
        let change = try #require(report.findings(.missingnessChange, columns: ["late", "day"]).first)
        #expect(change.evidence("change_time") == .text("2021-08-23"))
        #expect(change.evidence("missing_share_before")?.number == 1)
        #expect(change.evidence("missing_share_after")?.number == 0)
        let shift = try #require(report.findings(.featureShift).first)
        #expect(shift.columns == ["z"])
        #expect(shift.severity == .warning)
        #expect(report.comparison?.contains("latest 20%") == true)
        #expect(report.features.first { $0.name == "day" }?.psi == nil, "the time column is not compared")
    }

    @Test("a test file: shifted features found, stable ones not; adversarial validation names the shifted feature")
    func testShift() throws {
        var d = Draws(seed: 15)
        func make(_ n: Int, drift: Double, shares: [Double]) -> DataFrame {
            var stable: [Double] = [], moved: [Double] = [], cat: [String?] = [], y: [String?] = []
            for _ in 0..<n {
                let s = d.normal()
                stable.append(s)
                moved.append(d.normal() + drift)
                let u = d.uniform()
                cat.append(u < shares[0] ? "a" : u < shares[0] + shares[1] ? "b" : "c")
                y.append(s + d.normal() > 0 ? "1" : "0")
            }
            return try! DataFrame([.numeric("stable", stable), .numeric("drift", moved), .categorical("cat", cat),
                                   .categorical("y", y)])
        }
        let train = make(800, drift: 0, shares: [0.5, 0.3])
        let shifted = make(400, drift: 1.2, shares: [0.2, 0.3])
        let audit = DataAudit(target: "y", predictor: GridPredictor(columns: ["stable", "drift"]))
        let report = try audit.run(train, test: try shifted.dropping(["y"]))
        let shifts = report.findings(.featureShift)
        #expect(shifts.map { $0.columns[0] } == ["drift", "cat"])
        #expect(shifts[0].severity == .warning)
        let adversarial = try #require(report.findings(.adversarialValidation).first)
        #expect(adversarial.severity >= .warning)
        #expect(adversarial.columns.first == "drift")
        #expect(adversarial.evidence("auc")!.number! > 0.7)

        let same = try audit.run(train, test: make(400, drift: 0, shares: [0.5, 0.3]))
        #expect(same.findings(.featureShift).isEmpty)
        #expect(same.findings(.adversarialValidation).first?.severity == .info)
    }

    @Test("group folds: a per-group attribute only looks predictive when groups straddle the folds")
    func groups() throws {
        var d = Draws(seed: 16)
        var customer: [String?] = [], attribute: [Double] = [], y: [String?] = []
        for g in 0..<60 {
            let rate = d.uniform() < 0.5 ? 0.15 : 0.85
            let value = d.uniform()
            for _ in 0..<20 {
                customer.append("c\(g)")
                attribute.append(value)
                y.append(d.uniform() < rate ? "1" : "0")
            }
        }
        let frame = try DataFrame([.categorical("customer", customer), .numeric("attribute", attribute),
                                   .categorical("y", y)])
        let plain = try DataAudit(target: "y").run(try frame.dropping(["customer"]))
        let grouped = try DataAudit(target: "y", group: "customer").run(frame)
        let plainScore = try #require(plain.features.first { $0.name == "attribute" }?.score)
        let groupedScore = try #require(grouped.features.first { $0.name == "attribute" }?.score)
        #expect(plainScore > 0.75)
        #expect(groupedScore < 0.62)
        #expect(grouped.features.first { $0.name == "customer" }?.score == nil, "the group column is not a feature")
    }

    @Test("too few rows for the folds: out-of-fold checks are skipped with a note, the rest still run")
    func fewRows() throws {
        let frame = try DataFrame([.numeric("x", (0..<30).map(Double.init)), .categorical("c", Array(repeating: "k", count: 30)),
                                   .categorical("y", (0..<30).map { $0 % 2 == 0 ? "a" : "b" })])
        let report = try DataAudit(target: "y", predictor: GridPredictor(columns: ["x"])).run(frame)
        #expect(report.folds == 0)
        #expect(report.notes.contains { $0.contains("out-of-fold checks skipped: 30 rows with a target; they need 10 per fold (50)") })
        #expect(report.features.allSatisfy { $0.score == nil })
        #expect(report.findings(.labelIssues).isEmpty && report.modelScore == nil)
        #expect(report.findings(.constantColumn, columns: ["c"]).count == 1)
    }

    /// A model that cannot fit.
    struct FailingPredictor: AuditPredictor {
        func outOfFoldPredictions(_ frame: DataFrame, target: String, task: TaskKind, folds: [Fold]) throws -> [Double] {
            throw UsageError("no model today")
        }
    }

    @Test("a model that fails leaves notes; the model-free findings stand")
    func failingModel() throws {
        let frame = try plantedFrame()
        let report = try DataAudit(target: "y", predictor: FailingPredictor()).run(frame, test: try frame.dropping(["y"]))
        #expect(report.notes.contains("label issues skipped: the model failed: no model today"))
        #expect(report.notes.contains("adversarial validation skipped: the model failed: no model today"))
        #expect(report.findings(.targetLeakage, columns: ["leak"]).count == 1)
    }

    @Test("infinite values: evidence keeps them as text, so the report still encodes")
    func infinities() throws {
        #expect(AuditEvidence("mean", Double.infinity).value == .text("inf"))
        #expect(AuditEvidence("mean", -Double.infinity).value == .text("-inf"))
        #expect(AuditEvidence("mean", Double.nan).value == .text("nan"))
        // Shuffled and fractional, so not an identifier.
        let x = (0..<200).map { Double($0 * 37 % 200) + 0.25 }
        let train = try DataFrame([.numeric("x", x), .numeric("y", (0..<200).map { Double($0 % 2) })])
        let test = try DataFrame([.numeric("x", x.map { $0 < 100 ? $0 : .infinity })])
        let report = try DataAudit(target: "y").run(train, test: test)
        let shift = try #require(report.findings(.featureShift).first)
        #expect(shift.evidence("test_mean") == .text("inf"))
        #expect(shift.evidence("train_mean") == .number(99.75))
        let decoded = try JSONDecoder().decode(AuditReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
    }

    @Test("profiles code numbers in value order: negatives, both zeros, ties, infinities, missing, genuine NaN")
    func profileCodes() throws {
        var d = Draws(seed: 17)
        var values = (0..<5000).map { _ in (d.normal() * 1000).rounded() / 10 }
        values += [0.0, -0.0, .infinity, -.infinity, .nan, 1e300, -1e-300]
        let p = ColumnProfile(.numeric("x", values))
        let present = values.filter { !$0.isNaN }
        let distinct = Array(Set(present.map { $0 + 0.0 })).sorted()
        #expect(p.values == distinct)
        for (row, v) in values.enumerated() {
            #expect(v.isNaN ? p.codes[row] == -1 : p.values[Int(p.codes[row])] == v, "row \(row)")
        }
        #expect(p.counts.reduce(0, +) == present.count && p.missing == 1)
        #expect(p.counts[distinct.firstIndex(of: 0)!] == present.filter { $0 == 0 }.count)
        // With a validity mask, a genuine NaN is one more value, after every number.
        let masked = ColumnProfile(Column(name: "m", values: .numeric(NumericColumn(values: [2, .nan, 1, .nan],
                                                                                       validity: [true, true, true, false]))))
        #expect(masked.codes == [1, 2, 0, -1])
        #expect(masked.values.count == 3 && masked.values[2].isNaN)
    }

    @Test("bad settings and inputs are refused with the column named")
    func refusals() throws {
        let frame = try plantedFrame()
        func message(_ body: () throws -> Any) -> String {
            do {
                _ = try body()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message { try DataAudit(target: "nope").run(frame) }.contains("no target column named \"nope\""))
        #expect(message { try DataAudit(target: "y", time: "const").run(frame) }
            .contains("the time column \"const\" is categorical"))
        #expect(message { try DataAudit(target: "y", group: "y").run(frame) }.contains("cannot be the target"))
        #expect(message { try DataAudit(target: "const").run(frame) }.contains("only one class"))
        var folds = DataAudit(target: "y")
        folds.folds = 1
        #expect(message { try folds.run(frame) }.contains("at least 2 folds"))
        let test = try frame.dropping(["x3"])
        #expect(message { try DataAudit(target: "y").run(frame, test: test) }
            .contains("the test data has no column \"x3\""))
        var retyped = try frame.dropping(["x1"])
        try retyped.setColumn(.categorical("x1", (0..<frame.rowCount).map { "v\($0 % 3)" }))
        #expect(message { try DataAudit(target: "y").run(frame, test: retyped) }
            .contains("column \"x1\" is numeric in the training data but categorical in the test data"))
    }

    @Test("the report is deterministic for a seed and thread count, round-trips through Codable and has its JSON fields")
    func reportShape() throws {
        let frame = try timeFrame()
        var audit = DataAudit(target: "y", time: "day", predictor: GridPredictor(columns: ["x1", "x2"]))
        audit.threads = 1
        let one = try audit.run(frame)
        audit.threads = 2
        let two = try audit.run(frame)
        #expect(one == two)
        let decoded = try JSONDecoder().decode(AuditReport.self, from: try JSONEncoder().encode(one))
        #expect(decoded == one)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(one.json.serialized().utf8)) as? [String: Any])
        #expect(json["rows"] as? Int == 1200)
        #expect(json["task"] as? String == "binary")
        #expect(json["classes"] as? [String: Int] != nil)
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(counts["warning"] == one.count(.warning))
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.count == one.findings.count)
        let first = findings[0]
        for key in ["kind", "severity", "columns", "message", "evidence", "rows", "action"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["day", "x1", "x2", "late", "z"])
    }
}
