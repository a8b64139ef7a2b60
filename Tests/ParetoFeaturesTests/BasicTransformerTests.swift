import Foundation
import Testing
import ParetoCore
import ParetoData
import ParetoEval
@testable import ParetoFeatures

/// Checks every basic transformer passes: saved pipelines, bad input,
/// determinism over row chunks, and fitting inside cross-validation folds.
@Suite("Basic transformers together")
struct BasicTransformerTests {
    /// Every numeric-column transformer, with non-default settings where they exist.
    static let numericTransformers: [any Transformer] = [
        SimpleImputer(strategy: .median, indicators: .all, indicatorValues: .number),
        StandardScaler(), StandardScaler(withMean: false), MinMaxScaler(low: -1, high: 1, clip: true),
        RobustScaler(lowerPercentile: 10, upperPercentile: 90), MaxAbsScaler(), PowerTransformer(),
        PowerTransformer(standardize: false), Discretizer(bins: 7), Discretizer(bins: 4, strategy: .uniform),
    ]

    /// Rows with every kind the transformers handle, missing values included.
    static func mixedFrame(rows n: Int, seed: UInt64) throws -> DataFrame {
        var rng = Xoshiro256(seed: seed)
        func gap(_ v: Double) -> Double { rng.uniformDouble() < 0.1 ? .nan : v }
        let a = (0..<n).map { _ in gap(rng.uniformDouble() * 10 - 5) }
        let b = (0..<n).map { _ in gap(exp(rng.uniformDouble() * 4)) }
        let c = (0..<n).map { _ in gap(Double(Int(rng.uniformDouble() * 4))) }
        let city = (0..<n).map { _ in rng.uniformDouble() < 0.1 ? nil : ["Oslo", "Lima", "Pune"][Int(rng.uniformDouble() * 3)] }
        let when = (0..<n).map { _ -> Int64? in rng.uniformDouble() < 0.1 ? nil : Int64(rng.uniformDouble() * 2e15) - 5 * 10_000_000_000_000 }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .numeric("c", c), .categorical("city", city),
                              Column(name: "when", values: .datetime(DateTimeColumn(microseconds: when, hasTime: true))),
                              .numeric("target", (0..<n).map { Double($0 % 2) })])
    }

    static let fullPipeline = Pipeline([
        .init(.datetime, DateParts(parts: DateParts.Part.allCases)),
        .init(.categorical, SimpleImputer(strategy: .mostFrequent, indicators: .missingInTraining)),
        .init(.boolean, SimpleImputer(strategy: .mostFrequent)),
        .init(.numeric, SimpleImputer(strategy: .median, indicators: .missingInTraining, indicatorValues: .number)),
        .init(.named(["a"]), RobustScaler()),
        .init(.named(["b"]), PowerTransformer()),
        .init(.named(["c"]), MinMaxScaler(clip: true)),
        .init(.named(["when_year"]), MaxAbsScaler()),
        .init(.named(["when_day_of_year"]), Discretizer(bins: 4)),
        .init(.named(["when_minute"]), StandardScaler()),
    ])

    @Test("a fitted pipeline of every basic transformer survives a JSON round trip and transforms new rows the same")
    func codableRoundTrip() throws {
        let train = try Self.mixedFrame(rows: 400, seed: 1), test = try Self.mixedFrame(rows: 50, seed: 2)
        let (fitted, trainOut) = try Self.fullPipeline.fitTransform(train, target: "target")
        let json = try JSONEncoder().encode(fitted)
        let decoded = try JSONDecoder().decode(FittedPipeline.self, from: json)
        let expected = try fitted.transform(test)
        #expect(try decoded.transform(test) == expected)
        #expect(expected.columnNames == trainOut.columnNames)
        let text = String(decoding: json, as: UTF8.self)
        for kind in ["date_parts", "simple_imputer", "robust_scaler", "power_transformer", "min_max_scaler",
                     "max_abs_scaler", "discretizer", "standard_scaler"] {
            #expect(text.contains("\"kind\":\"\(kind)\""), "\(kind) is saved under its kind")
        }
        // Settings round-trip too: the decoded pipeline fits to the same result.
        let settings = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(Self.fullPipeline))
        #expect(try settings.fitTransform(train, target: "target").1 == trainOut)
        // Every output is a number or boolean without missing values: ready for a feature matrix.
        let matrix = try FeatureMatrix(expected.dropping(["city"]))
        #expect(matrix.values.allSatisfy(\.isFinite) && matrix.columnCount == expected.columnCount - 1)
    }

    @Test("each fitted transformer alone round-trips through JSON to an equal value")
    func fittedValuesRoundTrip() throws {
        let frame = try Self.mixedFrame(rows: 200, seed: 3)
        func check<T: Transformer & Equatable>(_ transformer: T, _ columns: [String]) throws where T.Fitted: Equatable {
            let fitted = try transformer.fit(frame, columns: columns, target: nil)
            #expect(try JSONDecoder().decode(T.Fitted.self, from: JSONEncoder().encode(fitted)) == fitted, "\(T.kind)")
            #expect(try JSONDecoder().decode(T.self, from: JSONEncoder().encode(transformer)) == transformer, "\(T.kind)")
        }
        try check(SimpleImputer(strategy: .mostFrequent, indicators: .all), ["a", "city"])
        try check(StandardScaler(withStd: false), ["a", "b"])
        try check(MinMaxScaler(clip: true), ["a", "b"])
        try check(RobustScaler(), ["a", "b"])
        try check(MaxAbsScaler(), ["a", "b"])
        try check(PowerTransformer(), ["a", "b"])
        try check(Discretizer(binsPerColumn: ["a": 3]), ["a", "b"])
        try check(DateParts(parts: [.hourCycle]), ["when"])
    }

    @Test("a damaged saved transform is refused, not a crash")
    func damagedFile() throws {
        let damaged = StandardScaler.Fitted(columns: ["a", "b"], means: [0], scales: [1, 1])
        #expect(throws: UsageError.self) { try damaged.transform(try Self.mixedFrame(rows: 3, seed: 1)) }
        let json = Data(#"{"columns":["a","b"],"scales":[2]}"#.utf8)
        let maxAbs = try JSONDecoder().decode(MaxAbsScaler.Fitted.self, from: json)
        do {
            _ = try maxAbs.transform(try Self.mixedFrame(rows: 3, seed: 1))
            Issue.record("a fitted transform with too few parameters must be refused")
        } catch let error as UsageError {
            #expect(error.message.contains("lists 2 columns but 1 parameters"))
        }
        let inverted = Data(#"{"columns":[],"minimums":[],"maximums":[],"scales":[],"offsets":[],"clipRange":[1,0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MinMaxScaler.Fitted.self, from: inverted) }
    }

    @Test("a fitted column the rows lack, or hold with another kind, is refused by name",
          arguments: numericTransformers.indices)
    func missingOrChangedColumns(_ index: Int) throws {
        let transformer = Self.numericTransformers[index]
        let frame = try DataFrame([.numeric("x", [1, 2, .nan, 4]), .numeric("y", [3, 1, 2, 2])])
        let (fitted, _) = try BasicFixtures.fitTransform(transformer, frame, ["x", "y"])
        let kind = type(of: transformer).kind
        for bad in [try DataFrame([.numeric("x", [1])]), try DataFrame([.numeric("x", [1]), .categorical("y", ["a"])])] {
            do {
                _ = try fitted.transform(bad)
                Issue.record("\(kind) must refuse \(bad.columnNames)")
            } catch let error as UsageError {
                #expect(error.message.contains("column \"y\""), "\(kind): \(error)")
            }
        }
        do {
            _ = try BasicFixtures.fitTransform(transformer, try DataFrame([.numeric("x", [1]), .text("y", ["a"])]), ["x", "y"])
            Issue.record("\(kind) must refuse a text column")
        } catch let error as UsageError {
            #expect(error.message.contains("column \"y\" is text"), "\(kind): \(error)")
        }
    }

    @Test("infinity is refused with its column and row, in training and in later rows",
          arguments: numericTransformers.indices)
    func infinities(_ index: Int) throws {
        let transformer = Self.numericTransformers[index]
        let kind = type(of: transformer).kind
        let infinite = try DataFrame([.numeric("x", [1, 2, .infinity, 4])])
        do {
            _ = try BasicFixtures.fitTransform(transformer, infinite, ["x"])
            Issue.record("\(kind) must refuse infinity when fitting")
        } catch let error as UsageError {
            #expect(error.message.contains("column \"x\" holds +infinity in row 3"), "\(kind): \(error)")
        }
        let (fitted, _) = try BasicFixtures.fitTransform(transformer, try DataFrame([.numeric("x", [1, 2, 3, 4])]), ["x"])
        do {
            _ = try fitted.transform(try DataFrame([.numeric("x", [-.infinity])]))
            Issue.record("\(kind) must refuse infinity in later rows")
        } catch let error as UsageError {
            #expect(error.message.contains("column \"x\" holds -infinity in row 1"), "\(kind): \(error)")
        }
    }

    @Test("values near the largest Double: refused by name when statistics overflow, else finite and savable",
          arguments: numericTransformers.indices)
    func extremeValues(_ index: Int) throws {
        let transformer = Self.numericTransformers[index]
        let kind = type(of: transformer).kind
        let frame = try DataFrame([.numeric("x", [-1e308, 0, 1e308, .nan, 1e308])])
        do {
            let (fitted, out) = try BasicFixtures.fitTransform(transformer, frame, ["x"])
            // A median or a largest magnitude cannot overflow; sums, variances and ranges do.
            #expect([SimpleImputer.kind, MaxAbsScaler.kind].contains(kind), "\(kind) must refuse an overflowing statistic")
            #expect(try BasicFixtures.values(out, "x").allSatisfy { !$0.isInfinite }, "\(kind)")
            _ = try JSONEncoder().encode(AnyFittedTransformer(kind: kind, fitted))
        } catch let error as UsageError {
            #expect(error.message.contains("column \"x\" spans too wide a range for \(kind)"), "\(kind): \(error)")
        }
    }

    @Test("a later value that a narrow training spread scales to infinity is refused with its row")
    func outputOverflow() throws {
        let narrow = try DataFrame([.numeric("x", [1, 1 + 1e-9, 1 + 2e-9])])
        for transformer in [StandardScaler(), MinMaxScaler(), RobustScaler()] as [any Transformer] {
            let (fitted, _) = try BasicFixtures.fitTransform(transformer, narrow, ["x"])
            let kind = type(of: transformer).kind
            do {
                _ = try fitted.transform(try DataFrame([.numeric("x", [1, 1e306])]))
                Issue.record("\(kind) must refuse an output that overflows")
            } catch let error as UsageError {
                #expect(error.message.contains("column \"x\" value 1e+306 in row 2 becomes infinite under the fitted \(kind)"),
                        "\(kind): \(error)")
            }
        }
    }

    @Test("large frames: the parallel transform equals the transform of small slices, and refits are identical",
          arguments: numericTransformers.indices)
    func deterministicOverChunks(_ index: Int) throws {
        let transformer = Self.numericTransformers[index]
        let frame = try Self.mixedFrame(rows: 100_000, seed: 4)
        let (fitted, whole) = try BasicFixtures.fitTransform(transformer, frame, ["a", "b", "c"])
        let (again, _) = try BasicFixtures.fitTransform(transformer, frame, ["a", "b", "c"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(AnyFittedTransformer(kind: "x", fitted)) == encoder.encode(AnyFittedTransformer(kind: "x", again)))
        for range in [0..<1000, 61_000..<62_000, 99_000..<100_000] {
            #expect(try fitted.transform(frame.rows(range)) == whole.rows(range), "\(type(of: transformer).kind) rows \(range)")
        }
    }

    @Test("date parts of a large frame equal those of its slices")
    func datePartsOverChunks() throws {
        let frame = try Self.mixedFrame(rows: 100_000, seed: 5)
        let (fitted, whole) = try DateParts(parts: DateParts.Part.allCases).fitTransform(frame, columns: ["when"], target: nil)
        for range in [0..<1000, 70_000..<71_000] {
            #expect(try fitted.transform(frame.rows(range)) == whole.rows(range))
        }
    }

    @Test("inside cross-validation each fold fits the imputer, power transform and scalers on its own rows")
    func foldsFitTheirOwnTransformers() throws {
        var rng = Xoshiro256(seed: 9)
        let n = 90
        let x = (0..<n).map { i in i % 9 == 0 ? Double.nan : exp(3 * rng.uniformDouble()) }
        let data = try DataFrame([.numeric("x", x), .numeric("t", (0..<n).map { Double($0 % 5) })])
        let cv = CrossValidation(folds: 3, metrics: [Echo()], task: .regression)
        for steps in [[Pipeline.Step(.numeric, SimpleImputer(strategy: .median)), .init(.numeric, PowerTransformer())],
                      [.init(.numeric, SimpleImputer()), .init(.numeric, StandardScaler())]] {
            let report = try cv.run(PipelineLearner(pipeline: Pipeline(steps), base: MeanOfX()), on: data, target: "t")
            // Standardized on its own training rows, every fold's model sees mean 0.
            #expect(report.folds.allSatisfy { $0.scores[0].magnitude < 1e-12 }, "\(report.folds.map { $0.scores[0] })")
            // Fitting the same steps on all rows first (the leak) does not.
            let (_, leaked) = try Pipeline(steps).fitTransform(data, target: "t")
            let naive = try cv.run(MeanOfX(), on: leaked, target: "t")
            #expect(naive.folds.contains { $0.scores[0].magnitude > 1e-3 })
        }
        // Min-max scaling on the fold's own rows spans exactly [0, 1].
        let span = try cv.run(PipelineLearner(pipeline: Pipeline([.init(.numeric, SimpleImputer()), .init(.numeric, MinMaxScaler())]),
                                              base: SpanOfX()), on: data, target: "t")
        #expect(span.folds.allSatisfy { $0.scores[0].magnitude < 1e-12 })
    }
}

/// Predicts min(x) + max(x) − 1 of its training rows: 0 when x spans [0, 1].
struct SpanOfX: TabularLearner {
    var threads: Int?
    struct Model: TabularModel {
        var task: TaskKind { .regression }
        var value: Double
        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            Predictions(task: .regression, classLabels: [], values: Array(repeating: [value], count: frame.rowCount))
        }
    }
    func fit(_ frame: DataFrame, target: String, validation: DataFrame?, observer: (any TrainingObserver)?) throws -> Model {
        let x = try frame.column("x").numeric!.values.array
        return Model(value: x.min()! + x.max()! - 1)
    }
}
