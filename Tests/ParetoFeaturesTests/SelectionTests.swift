import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// The committed outputs of `Fixtures/make_selection_fixtures.py`
/// (scikit-learn 1.9, numpy and pandas on the same inputs).
enum SelectionFixtures {
    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    struct Dropped: Decodable { let column: String; let value: Double }

    struct BreastCancer: Decodable {
        struct Variance: Decodable {
            struct Case: Decodable { let threshold: Double; let kept: [String] }
            let values: [Double]
            let cases: [Case]
        }
        struct Correlation: Decodable {
            struct Case: Decodable { let threshold: Double; let later, higherMeanCorrelation: [Dropped] }
            let matrix: [[Double?]]
            let cases: [Case]
            let meanStrength: [Double]
        }
        struct MutualInformation: Decodable {
            struct TopK: Decodable { let k: Int; let support: [Bool] }
            let columns: [String]
            let ross, sklearn, sklearnMeanOf30, sklearnSdOf30: [Double]
            let topK: [TopK]
        }
        let names: [String]
        let columns: [String: [Double?]]
        let target: [Int]
        let variance: Variance
        let correlation: Correlation
        let mutualInformation: MutualInformation

        func frame() throws -> DataFrame {
            try DataFrame(names.map { name in .numeric(name, columns[name]!.map { $0 ?? .nan }) }
                          + [.numeric("target", target.map(Double.init))])
        }
    }

    struct MI: Decodable {
        struct Wine: Decodable {
            let names: [String]
            let columns: [String: [Double]]
            let target: [Int]
            let discrete: [String]
            let ross: [Double]
            let discreteValues: [String: Double]
            let sklearnWithDiscrete, sklearnMeanOf30, sklearnSdOf30: [Double]

            func frame() throws -> DataFrame {
                try DataFrame(names.map { .numeric($0, columns[$0]!) } + [.numeric("target", target.map(Double.init))])
            }
        }
        struct Synthetic: Decodable {
            let columns: [[Double]]
            let target: [Int]
            let ross, sklearn, sklearnFiveNeighbours: [Double]
            let smallClassTarget: [Int]
            let smallClassExact, smallClassSklearn: [Double]

            func frame(_ labels: [Int]) throws -> DataFrame {
                try DataFrame(columns.indices.map { .numeric("s\($0)", columns[$0]) } + [.numeric("target", labels.map(Double.init))])
            }
        }
        struct Adult: Decodable {
            let names: [String]
            let levels: [String: [String]]
            let codes: [String: [Int]]
            let income: [Int]
            let mutualInformation: [Double]

            func frame() throws -> DataFrame {
                try DataFrame(names.map { name in
                    Column(name: name, values: .categorical(CategoricalColumn(codes: codes[name]!.map(UInt32.init), levels: levels[name]!)))
                } + [.categorical("income", income.map { $0 == 1 ? ">50K" : "<=50K" })])
            }
        }
        let wine: Wine
        let synthetic: Synthetic
        let adult: Adult
    }
}

/// |a − b| within `tolerance` relative to |b| (absolute below 1).
private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

/// The message of the `UsageError` `body` throws, or a recorded issue.
private func usageMessage(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        Issue.record("expected a UsageError")
        return ""
    } catch let error as UsageError {
        return error.description
    } catch {
        Issue.record("expected a UsageError, got \(error)")
        return ""
    }
}

@Suite("Variance threshold and correlation pruning")
struct VarianceAndCorrelationTests {
    @Test("variances equal numpy's nanvar and the kept columns scikit-learn's VarianceThreshold support, for five thresholds")
    func varianceMatchesScikitLearn() throws {
        let fixture = try SelectionFixtures.load("selection_breast_cancer.json", as: SelectionFixtures.BreastCancer.self)
        let frame = try fixture.frame()
        for c in fixture.variance.cases {
            let fitted = try VarianceThreshold(threshold: c.threshold).fit(frame, columns: fixture.names, target: "target")
            #expect(fitted.kept == c.kept, "threshold \(c.threshold)")
            #expect(fitted.dropped.map(\.column) == fixture.names.filter { !c.kept.contains($0) })
            for (score, expected) in zip(fitted.scores, fixture.variance.values) {
                // numpy leaves rounding residue (2e-34) in a constant 0.1 column; Pareto reports 0.
                #expect(close(score.score, expected) || (score.score == 0 && expected < 1e-30), "\(score.column)")
            }
        }
        let zero = try VarianceThreshold().fit(frame, columns: fixture.names, target: "target")
        #expect(zero.dropped.map(\.column) == ["constant tenth", "constant with gaps"])
        #expect(zero.dropped[0].reason == "variance 0 ≤ threshold 0" && zero.dropped[0].value == 0)
        // Through a pipeline: the fitted step drops the same columns from new rows.
        let (pipeline, _) = try Pipeline([.init(.numeric, VarianceThreshold(threshold: 1))]).fitTransform(frame, target: "target")
        let out = try pipeline.transform(frame.rows(0..<10))
        #expect(out.columnNames == fixture.variance.cases[3].kept + ["target"])
    }

    @Test("the correlation matrix equals pandas' DataFrame.corr (pairwise complete rows) to 1e-9")
    func correlationMatrixMatchesPandas() throws {
        let fixture = try SelectionFixtures.load("selection_breast_cancer.json", as: SelectionFixtures.BreastCancer.self)
        let frame = try fixture.frame()
        let p = fixture.names.count
        for threads in [1, 2] {
            let r = try CorrelationPruning.correlations(frame, columns: fixture.names, threads: threads)
            var compared = 0
            for i in 0..<p {
                for j in 0..<p {
                    if let expected = fixture.correlation.matrix[i][j] {
                        #expect(abs(r[i * p + j] - expected) <= 1e-9, "\(fixture.names[i]) × \(fixture.names[j])")
                        compared += 1
                    } else {
                        #expect(r[i * p + j].isNaN, "\(fixture.names[i]) × \(fixture.names[j]) is undefined")
                    }
                }
            }
            #expect(compared == 31 * 31, "two constant columns have no correlations")
        }
    }

    @Test("both pruning rules drop the reference's columns, in order, with the deciding |r|, at four thresholds")
    func pruningMatchesReference() throws {
        let fixture = try SelectionFixtures.load("selection_breast_cancer.json", as: SelectionFixtures.BreastCancer.self)
        let frame = try fixture.frame()
        for c in fixture.correlation.cases {
            for (rule, expected) in [(CorrelationPruning.Drop.later, c.later), (.higherMeanCorrelation, c.higherMeanCorrelation)] {
                let fitted = try CorrelationPruning(threshold: c.threshold, drop: rule).fit(frame, columns: fixture.names, target: "target")
                #expect(fitted.dropped.map(\.column) == expected.map(\.column), "\(rule) at \(c.threshold)")
                #expect(zip(fitted.dropped, expected).allSatisfy { abs($0.value - $1.value) <= 1e-9 })
                #expect(Set(fitted.kept).union(fitted.dropped.map(\.column)) == Set(fixture.names))
                for (score, mean) in zip(fitted.scores, fixture.correlation.meanStrength) { #expect(abs(score.score - mean) <= 1e-9) }
            }
        }
        let case95 = try CorrelationPruning(threshold: 0.95).fit(frame, columns: fixture.names, target: "target")
        #expect(case95.dropped.first?.reason.hasPrefix("|r| = 0.9979 with \"mean radius\"") == true, "\(case95.dropped.first?.reason ?? "")")
    }

    @Test("selectors refuse columns of other kinds, all-missing columns and bad thresholds, by name")
    func refusals() throws {
        let frame = try DataFrame([.numeric("a", [1, 2, 3]), .numeric("gone", [.nan, .nan, .nan]),
                                   .categorical("c", ["u", "v", "u"]), .numeric("y", [0, 1, 0])])
        #expect(usageMessage { try VarianceThreshold().fit(frame, columns: ["a", "gone"], target: "y") }
            .contains("column \"gone\" has no values"))
        #expect(usageMessage { try CorrelationPruning().fit(frame, columns: ["a", "gone"], target: "y") }
            .contains("column \"gone\" has no values"))
        #expect(usageMessage { try VarianceThreshold().fit(frame, columns: ["c"], target: "y") }.contains("column \"c\" is categorical"))
        #expect(usageMessage { try VarianceThreshold(threshold: -1).fit(frame, columns: ["a"], target: "y") }.contains("0 or more"))
        #expect(usageMessage { try CorrelationPruning(threshold: 1.5).fit(frame, columns: ["a"], target: "y") }.contains("[0, 1]"))
        let booleans = try DataFrame([.boolean("b", [true, false, true, nil]), .numeric("x", [1, 0, 1, 5])])
        let r = try CorrelationPruning.correlations(booleans, columns: ["b", "x"])
        #expect(r[1] == 1, "booleans count as 0/1, over the rows both have")
        #expect(abs(try VarianceThreshold().fit(booleans, columns: ["b"], target: nil).scores[0].score - 2.0 / 9.0) < 1e-16)
    }
}

@Suite("Mutual information")
struct MutualInformationTests {
    @Test("continuous columns: Ross's estimator equals scikit-learn's _compute_mi_cd to 1e-9 (ties included, jitter off)")
    func rossMatchesScikitLearn() throws {
        let fixture = try SelectionFixtures.load("selection_breast_cancer.json", as: SelectionFixtures.BreastCancer.self)
        let mi = fixture.mutualInformation
        let frame = try fixture.frame()
        let scores = try MutualInformationSelection(jitter: false).scores(frame, columns: mi.columns, target: "target")
        for (j, name) in mi.columns.enumerated() { #expect(abs(scores[j] - mi.ross[j]) <= 1e-9, "\(name)") }
        for t in mi.topK {
            let fitted = try MutualInformationSelection(rule: .top(t.k), jitter: false).fit(frame, columns: mi.columns, target: "target")
            #expect(fitted.kept == mi.columns.indices.filter { t.support[$0] }.map { mi.columns[$0] }, "top \(t.k) as SelectKBest")
        }
        let wine = try SelectionFixtures.load("selection_mi.json", as: SelectionFixtures.MI.self).wine
        let wineScores = try MutualInformationSelection(jitter: false).scores(try wine.frame(), columns: wine.names, target: "target")
        for (j, name) in wine.names.enumerated() { #expect(abs(wineScores[j] - wine.ross[j]) <= 1e-9, "\(name)") }
    }

    @Test("with jitter (the default) the values follow scikit-learn's over random states, on tied real data")
    func jitterFollowsScikitLearn() throws {
        let fixture = try SelectionFixtures.load("selection_breast_cancer.json", as: SelectionFixtures.BreastCancer.self)
        let wine = try SelectionFixtures.load("selection_mi.json", as: SelectionFixtures.MI.self).wine
        let sets: [(DataFrame, [String], [Double], [Double])] = [
            (try fixture.frame(), fixture.mutualInformation.columns, fixture.mutualInformation.sklearnMeanOf30,
             fixture.mutualInformation.sklearnSdOf30),
            (try wine.frame(), wine.names, wine.sklearnMeanOf30, wine.sklearnSdOf30),
        ]
        for (frame, names, theirMean, theirSd) in sets {
            var sums = [Double](repeating: 0, count: names.count)
            for seed in 0..<30 {
                let scores = try MutualInformationSelection(seed: UInt64(seed)).scores(frame, columns: names, target: "target")
                for j in names.indices { sums[j] += scores[j] / 30 }
            }
            for j in names.indices {
                // Two means of 30 draws each: their difference has sd ≈ sd·√(2/30).
                let allowed = 5 * theirSd[j] * (2.0 / 30).squareRoot() + 1e-9
                #expect(abs(sums[j] - theirMean[j]) <= allowed, "\(names[j]): Pareto \(sums[j]), scikit-learn \(theirMean[j]) ± \(theirSd[j])")
            }
        }
    }

    @Test("without ties the jittered values equal mutual_info_classif's to 1e-9; a class of one row is left out")
    func tieFreeMatchesPublicFunction() throws {
        let s = try SelectionFixtures.load("selection_mi.json", as: SelectionFixtures.MI.self).synthetic
        let frame = try s.frame(s.target)
        let names = s.columns.indices.map { "s\($0)" }
        for (threads, seed) in [(1, 0), (2, 9)] {
            let jittered = try MutualInformationSelection(seed: UInt64(seed), threads: threads).scores(frame, columns: names, target: "target")
            let five = try MutualInformationSelection(neighbours: 5, seed: UInt64(seed)).scores(frame, columns: names, target: "target")
            for j in names.indices {
                #expect(abs(jittered[j] - s.sklearn[j]) <= 1e-9 && abs(jittered[j] - s.ross[j]) <= 1e-9, "s\(j)")
                #expect(abs(five[j] - s.sklearnFiveNeighbours[j]) <= 1e-9, "s\(j), 5 neighbours")
            }
        }
        #expect(s.ross[2] == 0, "an uninformative column floors at 0")
        // A class of two rows: k drops to 1. The exact reference decides; scikit-learn's brute force is within rounding here.
        let small = try MutualInformationSelection(jitter: false).scores(try s.frame(s.smallClassTarget), columns: names, target: "target")
        for j in names.indices {
            #expect(abs(small[j] - s.smallClassExact[j]) <= 1e-9, "s\(j), small class")
            #expect(abs(small[j] - s.smallClassSklearn[j]) <= 1e-9)
        }
    }

    @Test("discrete columns: the plug-in estimate equals mutual_info_score / mutual_info_classif(discrete) to 1e-9")
    func discreteMatchesScikitLearn() throws {
        let mi = try SelectionFixtures.load("selection_mi.json", as: SelectionFixtures.MI.self)
        let adult = try mi.adult.frame()
        let scores = try MutualInformationSelection().scores(adult, columns: mi.adult.names, target: "income")
        for (j, name) in mi.adult.names.enumerated() { #expect(abs(scores[j] - mi.adult.mutualInformation[j]) <= 1e-9, "\(name)") }
        let top = try MutualInformationSelection(rule: .top(3)).fit(adult, columns: mi.adult.names, target: "income")
        let order = mi.adult.names.indices.sorted { mi.adult.mutualInformation[$0] > mi.adult.mutualInformation[$1] }
        #expect(Set(top.kept) == Set(order.prefix(3).map { mi.adult.names[$0] }))
        #expect(top.dropped.allSatisfy { $0.reason.contains("only the top 3 are kept") })
        // Wine's integer columns read as discrete by name.
        let wine = try mi.wine.frame()
        let selector = MutualInformationSelection(discreteColumns: mi.wine.discrete)
        let wineScores = try selector.scores(wine, columns: mi.wine.names, target: "target")
        for name in mi.wine.discrete {
            let j = mi.wine.names.firstIndex(of: name)!
            #expect(abs(wineScores[j] - mi.wine.discreteValues[name]!) <= 1e-9 && abs(wineScores[j] - mi.wine.sklearnWithDiscrete[j]) <= 1e-9)
        }
        // Booleans are discrete too: a flag equal to the class carries the class's entropy.
        let flags = try DataFrame([.boolean("f", [true, false, true, false]), .categorical("y", ["a", "b", "a", "b"])])
        #expect(abs(try MutualInformationSelection().scores(flags, columns: ["f"], target: "y")[0] - log(2.0)) <= 1e-15)
    }

    @Test("bad input is refused: one class, a continuous target, missing values, other kinds, unknown discrete names")
    func refusals() throws {
        let frame = try DataFrame([.numeric("a", [1, 2, 3, 4]), .numeric("gap", [1, .nan, 3, 4]), .text("t", ["x", "y", "z", "w"]),
                                   .categorical("one", ["k", "k", "k", "k"]), .numeric("price", [1.5, 2.25, 3.125, 9.75]),
                                   .categorical("y", ["a", "b", "a", "b"])])
        let mi = MutualInformationSelection()
        #expect(usageMessage { try mi.scores(frame, columns: ["a"], target: "one") }.contains("holds only \"k\""))
        #expect(usageMessage { try mi.scores(frame, columns: ["a"], target: "price") }.contains("looks continuous"))
        #expect(usageMessage { try mi.scores(frame, columns: ["gap"], target: "y") }.contains("column \"gap\" has a missing value in row 2"))
        #expect(usageMessage { try mi.scores(frame, columns: ["t"], target: "y") }.contains("\"t\" is text"))
        #expect(usageMessage { try MutualInformationSelection(discreteColumns: ["y2"]).scores(frame, columns: ["a"], target: "y") }
            .contains("\"y2\""))
        #expect(usageMessage { try MutualInformationSelection(neighbours: 0).scores(frame, columns: ["a"], target: "y") }.contains("1 or more"))
        #expect(usageMessage { try mi.fit(frame, columns: ["a"], target: nil) }.contains("needs the target"))
        #expect(usageMessage { try MutualInformationSelection(rule: .top(-1)).fit(frame, columns: ["a"], target: "y") }.contains("-1"))
    }

    @Test("digamma matches known values to a few units in the last place")
    func digamma() {
        let eulerGamma = 0.57721566490153286
        #expect(abs(MutualInformationSelection.digamma(1) + eulerGamma) < 4e-15)
        #expect(abs(MutualInformationSelection.digamma(0.5) - (-eulerGamma - 2 * log(2.0))) < 4e-15)
        var harmonic = 0.0
        for n in 1..<1000 { harmonic += 1 / Double(n) }
        #expect(abs(MutualInformationSelection.digamma(1000) - (harmonic - eulerGamma)) < 1e-13)
    }
}

/// y = 1 exactly when x > 0; "noise" and "id" carry nothing the rule uses.
private func signData(_ n: Int, seed: UInt64) throws -> DataFrame {
    var rng = Xoshiro256(seed: seed)
    let x = (0..<n).map { _ in rng.uniformDouble() * 2 - 1 }
    return try DataFrame([.numeric("x", x), .numeric("noise", (0..<n).map { _ in rng.uniformDouble() }),
                          .numeric("id", (0..<n).map(Double.init)), .numeric("y", x.map { $0 > 0 ? 1 : 0 })])
}

@Suite("Importance-based selection")
struct ImportanceSelectionTests {
    @Test("model importance: the closure sees the candidates and the target; the rule keeps the known columns")
    func modelImportance() throws {
        let frame = try signData(100, seed: 1)
        let importance: ModelImportanceSelection.Importance = { rows, target in
            guard rows.columnNames == ["x", "noise", "id", "y"], target == "y" else {
                throw UsageError("unexpected columns \(rows.columnNames)")
            }
            return ["x": 5, "noise": 0.5, "id": 0]
        }
        let above = try ModelImportanceSelection(importance: importance).fit(frame, columns: ["x", "noise", "id"], target: "y")
        #expect(above.kept == ["x", "noise"] && above.dropped == [DroppedColumn(column: "id", reason: "importance 0 ≤ threshold 0", value: 0)])
        let top = try ModelImportanceSelection(rule: .top(1), importance: importance).fit(frame, columns: ["x", "noise", "id"], target: "y")
        #expect(top.kept == ["x"] && top.scores.map(\.score) == [5, 0.5, 0])
        #expect(top.dropped.map(\.reason) == ["importance 0.5 ranks 2 of 3; only the top 1 are kept, the last of them \"x\" (5)",
                                               "importance 0 ranks 3 of 3; only the top 1 are kept, the last of them \"x\" (5)"])
        // Ties in the top k go to the earlier column.
        let tied = try ModelImportanceSelection(rule: .top(1)) { _, _ in ["x": 1, "noise": 1, "id": 1] }
            .fit(frame, columns: ["x", "noise", "id"], target: "y")
        #expect(tied.kept == ["x"])
        let missing = ModelImportanceSelection { _, _ in ["x": 1] }
        #expect(usageMessage { try missing.fit(frame, columns: ["x", "noise"], target: "y") }.contains("no importance for column \"noise\""))
        let extra = ModelImportanceSelection { _, _ in ["x": 1, "noise": 1, "other": 2] }
        #expect(usageMessage { try extra.fit(frame, columns: ["x", "noise"], target: "y") }.contains("\"other\", which is not a candidate"))
        let nan = ModelImportanceSelection { _, _ in ["x": .nan] }
        #expect(usageMessage { try nan.fit(frame, columns: ["x"], target: "y") }.contains("not a finite number"))
    }

    @Test("permutation importance: the rule's column loses about half its accuracy, unused columns exactly nothing")
    func permutationImportance() throws {
        let frame = try signData(1000, seed: 2)
        let fitAndScore: PermutationImportanceSelection.FitAndScore = { train, target in
            // The "model" is the known rule; it only checks what it was given.
            guard train.rowCount == 750, train.columnNames == ["x", "noise", "id", "y"] else {
                throw UsageError("fitted on \(train.rowCount) rows of \(train.columnNames)")
            }
            let trainIDs = Set(train["id"]!.numeric!.values.array)
            return { rows in
                let ids = rows["id"]!.numeric!.values
                // Validation rows are never training rows (a shuffled id column is a permutation of the same ids).
                guard rows.rowCount == 250, !ids.contains(where: trainIDs.contains) else { throw UsageError("scored a training row") }
                let x = rows["x"]!.numeric!.values, y = rows["y"]!.numeric!.values
                var right = 0
                for i in 0..<rows.rowCount where (x[i] > 0 ? 1.0 : 0.0) == y[i] { right += 1 }
                return Double(right) / Double(rows.rowCount)
            }
        }
        let selector = PermutationImportanceSelection(repeats: 10, seed: 4, fitAndScore: fitAndScore)
        let fitted = try selector.fit(frame, columns: ["x", "noise", "id"], target: "y")
        let importance = fitted.scores.map(\.score)
        // Shuffled x agrees with y half the time: 2500 draws, sd 0.01.
        #expect(abs(importance[0] - 0.5) < 0.05 && importance[1] == 0 && importance[2] == 0)
        #expect(fitted.kept == ["x"] && fitted.dropped.map(\.column) == ["noise", "id"])
        #expect(fitted.dropped[0].reason == "permutation importance 0 ≤ threshold 0")
        // Seeded: the same for any thread count; another seed shuffles differently.
        for threads in [1, 2, 3] {
            var again = selector
            again.threads = threads
            #expect(try again.fit(frame, columns: ["x", "noise", "id"], target: "y") == fitted)
        }
        var other = selector
        other.seed = 5
        #expect(try other.fit(frame, columns: ["x", "noise", "id"], target: "y").scores[0].score != importance[0])
        var bad = selector
        bad.validationFraction = 1
        #expect(usageMessage { try bad.fit(frame, columns: ["x"], target: "y") }.contains("(0, 1)"))
        bad = selector
        bad.repeats = 0
        #expect(usageMessage { try bad.fit(frame, columns: ["x"], target: "y") }.contains("1 or more repeats"))
        let tiny = try signData(1, seed: 1)
        #expect(usageMessage { try selector.fit(tiny, columns: ["x"], target: "y") }.contains("cannot hold out"))
    }

    @Test("selectors and their fitted selections survive a JSON round trip; decoded closures are absent and refused")
    func codable() throws {
        let frame = try signData(200, seed: 3)
        let columns: ColumnSelection = .named(["x", "noise", "id"])
        let pipeline = Pipeline([
            .init(columns, VarianceThreshold(threshold: 0.01)), .init(.numeric, CorrelationPruning(threshold: 0.9, drop: .higherMeanCorrelation)),
            .init(.numeric, MutualInformationSelection(rule: .top(2), neighbours: 4, discreteColumns: ["id"], seed: 3)),
        ])
        let decoded = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(pipeline))
        let (fitted, out) = try pipeline.fitTransform(frame, target: "y")
        #expect(try decoded.fitTransform(frame, target: "y").1 == out)
        let back = try JSONDecoder().decode(FittedPipeline.self, from: JSONEncoder().encode(fitted))
        #expect(try back.transform(frame) == out)
        for (a, b) in zip(fitted.steps, back.steps) { #expect(a.transform.base as? SelectedColumns == b.transform.base as? SelectedColumns) }

        let model = ModelImportanceSelection(rule: .top(1)) { _, _ in ["x": 2, "noise": 1] }
        let permutation = PermutationImportanceSelection(rule: .above(0.1), repeats: 3, validationFraction: 0.3, seed: 8) { _, _ in { _ in 1 } }
        let restored = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(Pipeline([
            .init(.named(["x", "noise"]), model), .init(.named(["x", "noise"]), permutation),
        ])))
        let m = try #require(restored.steps[0].transformer.base as? ModelImportanceSelection)
        let p = try #require(restored.steps[1].transformer.base as? PermutationImportanceSelection)
        #expect(m.rule == .top(1) && m.importance == nil)
        #expect(p.rule == .above(0.1) && p.repeats == 3 && p.validationFraction == 0.3 && p.seed == 8 && p.fitAndScore == nil)
        #expect(usageMessage { try restored.fitTransform(frame, target: "y") }.contains("closures are not saved"))
        let (fittedModel, _) = try Pipeline([.init(.named(["x", "noise"]), model)]).fitTransform(frame, target: "y")
        let reloaded = try JSONDecoder().decode(FittedPipeline.self, from: JSONEncoder().encode(fittedModel))
        #expect(try reloaded.transform(frame).columnNames == ["x", "id", "y"])
    }
}
