import Foundation
import Testing
import ParetoCore
import ParetoData
import ParetoEval
@testable import ParetoFeatures

/// The message of the `UsageError` `body` throws, or a recorded issue.
func usageMessage(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        try body()
        Issue.record("expected a UsageError", sourceLocation: sourceLocation)
    } catch let error as UsageError {
        return error.message
    } catch {
        Issue.record("expected a UsageError, got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

func numbers(_ frame: DataFrame, _ name: String) throws -> [Double] {
    try #require(frame[name]?.numeric, "no numeric column \(name)").values.array
}

/// NaN-aware equality of number lists.
func same(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

@Suite("One-hot, ordinal and frequency encoders: rules and bad input")
struct CategoricalEncoderTests {
    let train = try! DataFrame([
        .numeric("a", [1, 2, 3, 4, 5]),
        .categorical("color", ["red", "blue", nil, "red", "green"]),
        .numeric("b", [0, 0, 1, 1, 0]),
    ])
    let test = try! DataFrame([
        .numeric("a", [1, 2, 3]),
        .categorical("color", ["green", "mauve", nil]),
        .numeric("b", [0, 1, 0]),
    ])

    @Test("one-hot columns replace the column in place, categories sorted, missing its own column")
    func oneHotInPlace() throws {
        let fitted = try OneHotEncoder().fit(train, columns: ["color"], target: nil)
        let out = try fitted.transform(train)
        #expect(out.columnNames == ["a", "color=blue", "color=green", "color=red", "color=(missing)", "b"])
        #expect(try numbers(out, "color=red") == [1, 0, 0, 1, 0])
        #expect(try numbers(out, "color=(missing)") == [0, 0, 1, 0, 0])
        // Unseen "mauve" with no infrequent column: zeros everywhere.
        let new = try fitted.transform(test)
        #expect(try ["color=blue", "color=green", "color=red", "color=(missing)"].map { try numbers(new, $0)[1] } == [0, 0, 0, 0])
        #expect(try numbers(new, "color=(missing)") == [0, 0, 1])
    }

    @Test("missing: .zeros leaves missing rows all zero and makes no column for them")
    func oneHotMissingZeros() throws {
        let fitted = try OneHotEncoder(missing: .zeros).fit(train, columns: ["color"], target: nil)
        let out = try fitted.transform(train)
        #expect(out.columnNames == ["a", "color=blue", "color=green", "color=red", "b"])
        #expect(try ["color=blue", "color=green", "color=red"].map { try numbers(out, $0)[2] } == [0, 0, 0])
        // Even with unknown: .error, a missing value is not an unseen category here.
        let strict = try OneHotEncoder(unknown: .error, missing: .zeros).fit(train, columns: ["color"], target: nil)
        _ = try strict.transform(try DataFrame([.categorical("color", [nil, "red"])]))
    }

    @Test("unknown: .error names the column, the row and the value; a missing value never seen in training too")
    func oneHotUnknownError() throws {
        let fitted = try OneHotEncoder(unknown: .error).fit(train, columns: ["color"], target: nil)
        let message = usageMessage { _ = try fitted.transform(test) }
        #expect(message == "column \"color\" has the category \"mauve\" in row 2 that was not seen in training")
        let complete = try DataFrame([.categorical("color", ["red", "blue"])])
        let noMissing = try OneHotEncoder(unknown: .error).fit(complete, columns: ["color"], target: nil)
        #expect(usageMessage { _ = try noMissing.transform(try DataFrame([.categorical("color", ["red", nil])])) }
            == "column \"color\" has a missing value in row 2 that was not seen in training")
        // With .ignore the same rows are zeros.
        let ignoring = try OneHotEncoder(unknown: .ignore).fit(complete, columns: ["color"], target: nil)
        #expect(try numbers(try ignoring.transform(try DataFrame([.categorical("color", [nil])])), "color=red") == [0])
    }

    @Test("unseen categories go to the infrequent column when there is one")
    func oneHotUnknownToInfrequent() throws {
        let fitted = try OneHotEncoder(minFrequency: .count(2), unknown: .infrequent).fit(train, columns: ["color"], target: nil)
        #expect(fitted.features[0].infrequentLevels == ["blue", "green", "(missing)"])
        let out = try fitted.transform(test)
        #expect(out.columnNames == ["a", "color=red", "color=(infrequent)", "b"])
        #expect(try numbers(out, "color=(infrequent)") == [1, 1, 1])
    }

    @Test("booleans encode as false/true; a column boolean in training may be categorical later")
    func oneHotBoolean() throws {
        let frame = try DataFrame([.boolean("ok", [true, false, nil, true])])
        let fitted = try OneHotEncoder().fit(frame, columns: ["ok"], target: nil)
        let out = try fitted.transform(frame)
        #expect(out.columnNames == ["ok=false", "ok=true", "ok=(missing)"])
        #expect(try numbers(out, "ok=true") == [1, 0, 0, 1])
        let asText = try fitted.transform(try DataFrame([.categorical("ok", ["true", "false"])]))
        #expect(try numbers(asText, "ok=true") == [1, 0] && numbers(asText, "ok=false") == [0, 1])
    }

    @Test("categories are the levels present in the training rows, not every level of the parent frame")
    func levelsOfSelectedRows() throws {
        let subset = train.rows([0, 1, 3])  // keeps "green" among the column's levels, with no rows
        let out = try OneHotEncoder().fit(subset, columns: ["color"], target: nil).transform(subset)
        #expect(out.columnNames == ["a", "color=blue", "color=red", "b"])
    }

    @Test("categories sort by code point, as scikit-learn sorts strings")
    func codePointOrder() throws {
        let frame = try DataFrame([.categorical("c", ["b", "B", "é", "a", "10", "9"])])
        let fitted = try OrdinalEncoder().fit(frame, columns: ["c"], target: nil)
        #expect(fitted.categories["c"] == ["10", "9", "B", "a", "b", "é"])
    }

    @Test("bad input: a numeric column, an all-missing column, no rows, a name collision, bad settings")
    func oneHotBadInput() throws {
        #expect(usageMessage { _ = try OneHotEncoder().fit(train, columns: ["a"], target: nil) }
            == "column \"a\" is numeric; one-hot encoding encodes categorical and boolean columns")
        let empty = try DataFrame([.categorical("c", [nil, nil])])
        for encoder in [OneHotEncoder() as any Transformer, OrdinalEncoder(), FrequencyEncoder(), TargetEncoder()] {
            let frame = try DataFrame([.categorical("c", [nil, nil]), .numeric("y", [0, 1])])
            #expect(usageMessage { _ = try encoder.fit(frame, columns: ["c"], target: "y") }
                == "column \"c\" has only missing values in the training rows", "\(type(of: encoder))")
        }
        #expect(usageMessage { _ = try OneHotEncoder().fit(empty.rows(0..<0), columns: ["c"], target: nil) }
            == "one-hot encoding cannot be fitted on zero rows")
        let clash = try DataFrame([.categorical("color", ["red", "blue"]), .numeric("color=red", [1, 2])])
        #expect(usageMessage { _ = try OneHotEncoder().fit(clash, columns: ["color"], target: nil) }
            == "one-hot encoding makes a column named \"color=red\", but the frame already has one")
        #expect(throws: UsageError.self) { try OneHotEncoder(maxCategories: 0).fit(train, columns: ["color"], target: nil) }
        #expect(throws: UsageError.self) { try OneHotEncoder(minFrequency: .fraction(1.5)).fit(train, columns: ["color"], target: nil) }
        #expect(throws: UsageError.self) { try OneHotEncoder(minFrequency: .count(0)).fit(train, columns: ["color"], target: nil) }
        let fitted = try OneHotEncoder().fit(train, columns: ["color"], target: nil)
        #expect(usageMessage { _ = try fitted.transform(try DataFrame([.numeric("a", [1])])) }
            == "one-hot encoding was fitted on a column \"color\" that these rows lack")
        #expect(usageMessage { _ = try fitted.transform(try DataFrame([.numeric("color", [1])])) }
            == "column \"color\" is numeric; one-hot encoding encodes categorical and boolean columns")
    }

    @Test("ordinal: a missing value stays missing even when training had none; unknown as a value or an error")
    func ordinalRules() throws {
        let complete = try DataFrame([.categorical("c", ["b", "a", "b"])])
        let fitted = try OrdinalEncoder().fit(complete, columns: ["c"], target: nil)
        let out = try fitted.transform(try DataFrame([.categorical("c", ["a", nil, "z", "b"])]))
        #expect(same(try numbers(out, "c"), [0, .nan, -1, 1]))
        let asMissing = try OrdinalEncoder(unknown: .value(.nan)).fit(complete, columns: ["c"], target: nil)
        #expect(same(try numbers(try asMissing.transform(try DataFrame([.categorical("c", ["z"])])), "c"), [.nan]))
        let strict = try OrdinalEncoder(unknown: .error).fit(complete, columns: ["c"], target: nil)
        #expect(usageMessage { _ = try strict.transform(try DataFrame([.categorical("c", ["a", "z"])])) }
            == "column \"c\" has the category \"z\" in row 2 that was not seen in training")
    }

    @Test("frequency: statistics of the training rows only; unseen and never-seen-missing values are 0")
    func frequencyRules() throws {
        let complete = try DataFrame([.categorical("c", ["b", "a", "b", "b"])])
        let counts = try FrequencyEncoder().fit(complete, columns: ["c"], target: nil)
        let out = try counts.transform(try DataFrame([.categorical("c", ["a", "b", "z", nil])]))
        #expect(try numbers(out, "c") == [1, 3, 0, 0])
        let shares = try FrequencyEncoder(measure: .frequency).fit(complete, columns: ["c"], target: nil)
        #expect(try numbers(try shares.transform(complete), "c") == [0.75, 0.25, 0.75, 0.75])
    }
}

@Suite("Target encoding: rules, folds and bad input")
struct TargetEncoderTests {
    @Test("fixed smoothing by hand: (k·mean + Σy) / (k + n); unseen categories get the mean")
    func byHand() throws {
        let frame = try DataFrame([.categorical("c", ["a", "a", "b", "a", nil]), .numeric("y", [1, 0, 1, 1, 0])])
        let fitted = try TargetEncoder(smoothing: .fixed(1), task: .binary).fit(frame, columns: ["c"], target: "y")
        let mean = 3.0 / 5
        #expect(fitted.targetMeans == [mean])
        #expect(fitted.features[0].levels == ["a", "b"])
        #expect(fitted.features[0].encodings[0] == [(mean + 2) / 4, (mean + 1) / 2])
        #expect(fitted.features[0].missingEncodings == [(mean + 0) / 2])
        let out = try fitted.transform(try DataFrame([.categorical("c", ["z", "b"])]))
        #expect(try numbers(out, "c") == [mean, (mean + 1) / 2])
    }

    @Test("rows without a target add nothing to the statistics but are still encoded")
    func missingTargets() throws {
        let frame = try DataFrame([.categorical("c", ["a", "a", "b", "b"]), .numeric("y", [1, .nan, 0, 2])])
        let fitted = try TargetEncoder(smoothing: .fixed(0), task: .regression).fit(frame, columns: ["c"], target: "y")
        #expect(fitted.targetMeans == [1] && fitted.features[0].encodings[0] == [1, 1])
        #expect(try numbers(try fitted.transform(frame), "c") == [1, 1, 1, 1])
    }

    @Test("a constant regression target: auto smoothing gives every category the mean (λ undefined)")
    func constantTarget() throws {
        let frame = try DataFrame([.categorical("c", ["a", "b", "a"]), .numeric("y", [2, 2, 2])])
        let fitted = try TargetEncoder(task: .regression).fit(frame, columns: ["c"], target: "y")
        #expect(fitted.features[0].encodings[0] == [2, 2])
    }

    /// Rows with a categorical feature and a three-class target.
    static func classes(_ n: Int, seed: UInt64) throws -> DataFrame {
        var rng = Xoshiro256(seed: seed)
        let c = (0..<n).map { _ -> String? in rng.uniformInt(below: 20) == 0 ? nil : "k\(rng.uniformInt(below: 12))" }
        let y = (0..<n).map { _ in ["low", "mid", "high"][rng.uniformInt(below: 3)] }
        let v = (0..<n).map { _ in rng.uniformDouble() * 10 }
        return try DataFrame([.categorical("c", c), .categorical("y", y), .numeric("v", v)])
    }

    @Test("fitTransform: each row's encoding comes from an encoder fitted on the other folds' rows only (stratified, seeded)")
    func outOfFoldByHand() throws {
        let frame = try Self.classes(240, seed: 9)
        let encoder = TargetEncoder(folds: 4, seed: 21)
        let (_, out) = try encoder.fitTransform(frame, columns: ["c"], target: "y")
        let labels = try frame.classEncoding("y").codes
        let folds = try StratifiedKFold(k: 4, labels: labels, seed: 21).folds(rowCount: frame.rowCount)
        let names = ["c_high", "c_low", "c_mid"]
        #expect(out.columnNames == names + ["y", "v"])
        for fold in folds {
            let trained = try encoder.fit(frame.rows(fold.train), columns: ["c"], target: "y")
            let expected = try trained.transform(frame.rows(fold.validation))
            for name in names {
                let all = try numbers(out, name)
                #expect(same(fold.validation.map { all[$0] }, try numbers(expected, name)), "\(name)")
            }
        }
        // Regression folds are shuffled k-fold.
        let regression = try DataFrame([frame["c"]!, frame["v"]!])
        let (_, encoded) = try encoder.fitTransform(regression, columns: ["c"], target: "v")
        for fold in try KFold(k: 4, shuffle: true, seed: 21).folds(rowCount: regression.rowCount) {
            let trained = try encoder.fit(regression.rows(fold.train), columns: ["c"], target: "v")
            let all = try numbers(encoded, "c")
            #expect(same(fold.validation.map { all[$0] }, try numbers(try trained.transform(regression.rows(fold.validation)), "c")))
        }
    }

    @Test("fitTransform is deterministic for a seed and changes with it")
    func deterministic() throws {
        let frame = try Self.classes(200, seed: 4)
        let a = try TargetEncoder(seed: 1).fitTransform(frame, columns: ["c"], target: "y").1
        let b = try TargetEncoder(seed: 1).fitTransform(frame, columns: ["c"], target: "y").1
        let c = try TargetEncoder(seed: 2).fitTransform(frame, columns: ["c"], target: "y").1
        #expect(a == b && a != c)
    }

    @Test("bad input: no target, one class, too many classes for binary, an infinite target, bad folds, bad smoothing")
    func badInput() throws {
        let frame = try DataFrame([.categorical("c", ["a", "b", "a"]), .categorical("y", ["x", "x", "x"]),
                                   .numeric("r", [1, .infinity, 2]), .categorical("k", ["p", "q", "s"])])
        #expect(usageMessage { _ = try TargetEncoder().fit(frame, columns: ["c"], target: nil) }
            == "target encoding needs a target column")
        #expect(usageMessage { _ = try TargetEncoder().fit(frame, columns: ["c"], target: "y") }
            == "the target \"y\" has only one class in the training rows")
        #expect(usageMessage { _ = try TargetEncoder(task: .binary).fit(frame, columns: ["c"], target: "k") }
            == "the target \"k\" has 3 classes, not 2")
        #expect(usageMessage { _ = try TargetEncoder(task: .regression).fit(frame, columns: ["c"], target: "r") }
            == "column \"r\" holds an infinite value in row 2")
        #expect(usageMessage { _ = try TargetEncoder(task: .regression).fit(frame, columns: ["c"], target: "k") }
            == "the target \"k\" is categorical; a regression target must be numeric")
        #expect(usageMessage { _ = try TargetEncoder().fit(frame, columns: ["c", "k"], target: "k") }
            == "target encoding cannot encode the target \"k\" itself")
        #expect(throws: UsageError.self) { try TargetEncoder(smoothing: .fixed(-1)).fit(frame, columns: ["c"], target: "k") }
        let good = try DataFrame([.categorical("c", ["a", "b", "a", "b"]), .numeric("y", [0, 1, 1, 0])])
        let overlapping = [Fold(train: [2, 3], validation: [0, 1]), Fold(train: [0, 1], validation: [1, 2, 3])]
        #expect(usageMessage { _ = try TargetEncoder().fitTransform(good, columns: ["c"], target: "y", folds: overlapping) }
            == "row 1 is in the validation rows of folds 1 and 2")
        let uncovered = [Fold(train: [2, 3], validation: [0, 1]), Fold(train: [0, 1], validation: [2])]
        #expect(usageMessage { _ = try TargetEncoder().fitTransform(good, columns: ["c"], target: "y", folds: uncovered) }
            == "row 3 is in no fold's validation rows")
        let leaky = [Fold(train: [0, 2, 3], validation: [0, 1]), Fold(train: [0, 1], validation: [2, 3])]
        #expect(usageMessage { _ = try TargetEncoder().fitTransform(good, columns: ["c"], target: "y", folds: leaky) }
            == "fold 1 trains on row 0, which it also validates")
        #expect(throws: UsageError.self) { try TargetEncoder(folds: 5).fitTransform(good, columns: ["c"], target: "y") }
    }
}

@Suite("Polynomial features, ratios and group aggregates: rules and bad input")
struct DerivedFeatureTests {
    @Test("polynomial terms follow the last input; the bias precedes the first; missing and overflow give missing")
    func polynomialLayout() throws {
        let frame = try DataFrame([.numeric("a", [2, .nan, 1e200]), .categorical("k", ["x", "y", "z"]),
                                   .numeric("b", [3, 1, 1e200]), .numeric("y", [0, 1, 0])])
        let fitted = try PolynomialFeatures(degree: 3, includeBias: true).fit(frame, columns: ["a", "b"], target: "y")
        let out = try fitted.transform(frame)
        #expect(out.columnNames == ["1", "a", "k", "b", "a^2", "a*b", "b^2", "a^3", "a^2*b", "a*b^2", "b^3", "y"])
        #expect(same(try numbers(out, "a^2*b"), [12, .nan, .nan]))
        #expect(same(try numbers(out, "b^3"), [27, 1, .nan]))
        let interactions = try PolynomialFeatures(degree: 2, interactionOnly: true).fit(frame, columns: ["a", "b"], target: "y")
        #expect(interactions.names == ["a*b"])
    }

    @Test("polynomial bad input: degree 0, an explosion of columns, an infinite value, a categorical column")
    func polynomialBadInput() throws {
        let frame = try DataFrame([.numeric("a", [1, .infinity]), .categorical("k", ["x", "y"])])
        #expect(throws: UsageError.self) { try PolynomialFeatures(degree: 0).fit(frame, columns: ["a"], target: nil) }
        #expect(usageMessage { _ = try PolynomialFeatures().fit(frame, columns: ["a"], target: nil) }
            == "column \"a\" holds an infinite value in row 2")
        #expect(throws: UsageError.self) { try PolynomialFeatures().fit(frame, columns: ["k"], target: nil) }
        let wide = try DataFrame((0..<30).map { Column.numeric("x\($0)", [1]) })
        #expect(usageMessage { _ = try PolynomialFeatures(degree: 4).fit(wide, columns: wide.columnNames, target: nil) }
            == "polynomial features of degree 4 on 30 columns would add more than 10000 columns")
    }

    @Test("ratios: division by zero, 0/0 and missing values give missing; columns are appended")
    func ratios() throws {
        let frame = try DataFrame([.numeric("a", [1, 0, 3, .nan, -2]), .numeric("b", [2, 0, 0, 1, 4]),
                                   .numeric("c", [1, 1, 1, 1, 1]), .numeric("y", [0, 1, 0, 1, 0])])
        let out = try Ratios([("a", "b")]).fit(frame, columns: ["a", "b"], target: "y").transform(frame)
        #expect(out.columnNames == ["a", "b", "c", "y", "a/b"])
        #expect(same(try numbers(out, "a/b"), [0.5, .nan, .nan, .nan, -0.5]))
        let every = try Ratios().fit(frame, columns: ["a", "b", "c"], target: "y")
        #expect(every.pairs.map(\.name) == ["a/b", "a/c", "b/c"])
        #expect(usageMessage { _ = try Ratios([("a", "y")]).fit(frame, columns: ["a", "b"], target: "y") }
            == "column \"y\" of the ratio a/y is not among the step's columns (it is the target)")
        let infinite = try DataFrame([.numeric("a", [1, -.infinity]), .numeric("b", [1, 1])])
        #expect(usageMessage { _ = try Ratios([("a", "b")]).fit(infinite, columns: ["a", "b"], target: nil) }
            == "column \"a\" holds an infinite value in row 2")
    }

    @Test("group aggregates: missing groups are a group; unseen ones (and missing never seen) get the overall statistic")
    func groupRules() throws {
        let frame = try DataFrame([.categorical("g", ["a", "a", "b", nil]), .numeric("v", [1, 3, 10, 7]),
                                   .numeric("y", [0, 1, 0, 1])])
        let fitted = try GroupAggregates(groupBy: "g", statistics: [.mean, .count, .std]).fit(frame, columns: ["v"], target: "y")
        let out = try fitted.transform(try DataFrame([.categorical("g", ["a", "b", nil, "new"])]))
        #expect(out.columnNames == ["g", "v_mean_by_g", "v_count_by_g", "v_std_by_g"])
        #expect(try numbers(out, "v_mean_by_g") == [2, 10, 7, 21.0 / 4])
        #expect(try numbers(out, "v_count_by_g") == [2, 1, 1, 0])
        let std = try numbers(out, "v_std_by_g")
        #expect(std[0] == 2.0.squareRoot() && std[1].isNaN && std[2].isNaN)
        let deviations: [Double] = [1 - 5.25, 3 - 5.25, 10 - 5.25, 7 - 5.25]
        let overall = deviations.map { $0 * $0 }.reduce(0, +) / 3
        #expect(abs(std[3] - overall.squareRoot()) < 1e-12)
        // Training without missing groups: a missing group is unseen.
        let complete = try GroupAggregates(groupBy: "g").fit(frame.rows([0, 1, 2]), columns: ["v"], target: "y")
        #expect(try numbers(try complete.transform(try DataFrame([.categorical("g", [nil])])), "v_mean_by_g") == [14.0 / 3])
    }

    @Test("group aggregates bad input: grouping by the target, a numeric group column, no value column")
    func groupBadInput() throws {
        let frame = try DataFrame([.categorical("g", ["a", "b"]), .numeric("v", [1, 2]), .numeric("y", [0, 1])])
        #expect(usageMessage { _ = try GroupAggregates(groupBy: "y").fit(frame, columns: ["v"], target: "y") }
            == "group aggregates cannot group by the target \"y\"")
        #expect(usageMessage { _ = try GroupAggregates(groupBy: "v").fit(frame, columns: ["v"], target: "y") }
            == "column \"v\" is numeric; grouping encodes categorical and boolean columns")
        #expect(throws: UsageError.self) { try GroupAggregates(groupBy: "g").fit(frame, columns: ["g"], target: "y") }
    }
}

@Suite("Every new transformer keeps the transformer contract")
struct TransformerContractTests {
    static let frame: DataFrame = {
        var rng = Xoshiro256(seed: 77)
        let n = 120
        let color = (0..<n).map { _ -> String? in rng.uniformInt(below: 15) == 0 ? nil : ["red", "blue", "green", "teal", "k"][rng.uniformInt(below: 5)] }
        let flag = (0..<n).map { _ -> Bool? in rng.uniformInt(below: 2) == 0 }
        let a = (0..<n).map { _ in rng.uniformDouble() * 4 - 2 }
        let b = (0..<n).map { _ in rng.uniformDouble() + 0.5 }
        let y = (0..<n).map { _ in Double(rng.uniformInt(below: 2)) }
        return try! DataFrame([.categorical("color", color), .boolean("flag", flag), .numeric("a", a), .numeric("b", b),
                               .numeric("y", y)])
    }()

    static let steps: [(any Transformer, ColumnSelection)] = [
        (OneHotEncoder(minFrequency: .count(10), drop: .ifBinary), .named(["color", "flag"])),
        (OrdinalEncoder(), .named(["color", "flag"])),
        (FrequencyEncoder(measure: .frequency), .named(["color", "flag"])),
        (TargetEncoder(folds: 3, seed: 4), .named(["color", "flag"])),
        (PolynomialFeatures(degree: 2), .named(["a", "b"])),
        (Ratios([("a", "b")]), .named(["a", "b"])),
        (GroupAggregates(groupBy: "color", statistics: GroupAggregates.Statistic.allCases), .named(["a", "b"])),
    ]

    @Test("deterministic, Codable inside a pipeline, and row by row: a row's output does not depend on the other rows",
          arguments: steps.indices)
    func contract(_ index: Int) throws {
        let (transformer, columns) = Self.steps[index]
        let frame = Self.frame
        let pipeline = Pipeline([.init(columns, transformer)])
        let (fitted, train) = try pipeline.fitTransform(frame, target: "y")
        let (_, again) = try pipeline.fitTransform(frame, target: "y")
        #expect(train == again, "deterministic")
        #expect(train["y"] == frame["y"], "the target passes through")

        let decodedPipeline = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(pipeline))
        #expect(try decodedPipeline.fitTransform(frame, target: "y").1 == train)
        let decoded = try JSONDecoder().decode(FittedPipeline.self, from: JSONEncoder().encode(fitted))
        let test = frame.rows(Array(stride(from: 0, to: frame.rowCount, by: 3)))
        let expected = try fitted.transform(test)
        #expect(try decoded.transform(test) == expected, "a saved fitted pipeline transforms the same")
        // Transforming rows one at a time gives the same rows.
        for row in [0, 5, 17] {
            #expect(try fitted.transform(test.rows(row..<(row + 1))) == expected.rows(row..<(row + 1)))
        }
    }

    @Test("encoded categorical rows are complete numbers a feature matrix accepts")
    func featureMatrix() throws {
        let pipeline = Pipeline([.init(.categorical, OneHotEncoder()), .init(.boolean, TargetEncoder()),
                                 .init(.named(["a", "b"]), PolynomialFeatures())])
        let (fitted, train) = try pipeline.fitTransform(Self.frame, target: "y")
        let matrix = try FeatureMatrix(try fitted.transform(Self.frame).dropping(["y"]))
        #expect(matrix.columnCount == train.columnCount - 1 && matrix.values.allSatisfy(\.isFinite))
    }
}
