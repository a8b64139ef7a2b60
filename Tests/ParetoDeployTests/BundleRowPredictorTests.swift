import Foundation
import ParetoCore
import ParetoData
import ParetoEval
import ParetoFeatures
import ParetoLinear
import ParetoNeural
import ParetoTrees
import Testing
@testable import ParetoDeploy

/// The row path against the frame path (`ModelBundle.predict` on a
/// one-row table, then `labels`), which is the independent reference: every
/// family, every calibration kind, thresholds, missing values, unseen
/// levels and bad input.
@Suite struct BundleRowPredictorTests {
    /// Mixed columns: two numbers (one with gaps), a category with a rare
    /// level and gaps, a boolean with gaps; three targets.
    static func table(seed: UInt64, rows: Int, unseen: Bool = false) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        let cities = ["Berlin", "Paris", "Rome", "Oslo", "Lima"]
        var x1: [Double] = [], x2: [Double] = [], city: [String?] = [], flag: [Bool?] = []
        var binary: [String] = [], classes: [String] = [], value: [Double] = []
        for i in 0..<rows {
            let a = Double.random(in: -2...2, using: &g), b = Double.random(in: 0...50, using: &g)
            let u = Double.random(in: 0...1, using: &g)
            var c: String? = cities[Int(u * 4.999)]
            if u > 0.97 { c = "Quito" }  // rare: below the one-hot encoder's 5-row floor in small fits
            if Double.random(in: 0...1, using: &g) < 0.08 { c = nil }
            if unseen && i % 7 == 3 { c = "Atlantis" }
            let f: Bool? = Double.random(in: 0...1, using: &g) < 0.1 ? nil : Double.random(in: 0...1, using: &g) < 0.4
            let cityEffect = c == "Paris" ? 1.0 : c == "Rome" ? -0.8 : c == nil ? 0.5 : 0
            let score = a + 0.04 * b - 1 + cityEffect + (f == true ? 0.7 : 0) + Double.random(in: -1...1, using: &g)
            x1.append(Double.random(in: 0...1, using: &g) < 0.1 ? .nan : a)
            x2.append(b)
            city.append(c)
            flag.append(f)
            binary.append(score > 0 ? "yes" : "no")
            classes.append(score < -0.7 ? "low" : score < 0.7 ? "mid" : "high")
            value.append(3 * a + 0.1 * b + cityEffect + Double.random(in: -0.5...0.5, using: &g))
        }
        return try DataFrame([.numeric("x1", x1), .numeric("x2", x2), .categorical("city", city), .boolean("flag", flag),
                              .categorical("y", binary), .categorical("k", classes), .numeric("v", value)])
    }

    static let targets = ["y", "k", "v"]

    static func features(_ frame: DataFrame) throws -> DataFrame { try frame.dropping(targets) }

    /// A bundle of `model` for `target` trained on `training`.
    static func bundle(_ model: BundledModel, target: String, training: DataFrame,
                       calibration: BundleCalibration = .none, threshold: DecisionThreshold? = nil) throws -> ModelBundle {
        let inputs = try features(training)
        let task = model.task
        let labels = task == .regression ? [] : try training.classLabels(target)
        return ModelBundle(target: target, task: task, classLabels: labels,
                           inputSchema: inputs.columns.map { BundleColumn(name: $0.name, kind: $0.kind) }, model: model,
                           family: "test", calibration: calibration, threshold: threshold, dataFingerprint: "",
                           trainingRows: training.rowCount, metrics: [:], seed: 1, references: [])
    }

    static func trees(_ training: DataFrame, target: String, task: TaskKind) throws -> BundledModel {
        var boosting = GradientBoosting(objective: task == .regression ? .regression : .binary)
        boosting.numTrees = 25
        boosting.tree.numLeaves = 12
        boosting.tree.minDataInLeaf = 5
        boosting.threads = 1
        let data = try training.dropping(targets.filter { $0 != target })
        return .trees(try TreeEnsembleLearner(boosting, task: task).fit(data, target: target, validation: nil, observer: nil))
    }

    static func logistic(_ training: DataFrame, target: String) throws -> BundledModel {
        let data = try training.dropping(targets.filter { $0 != target })
        return .logistic(try PipelineLearner(pipeline: .linearPreprocessing(), base: LogisticRegressionLearner(c: 0.5))
            .fit(data, target: target, validation: nil, observer: nil))
    }

    static func linear(_ training: DataFrame) throws -> BundledModel {
        let data = try training.dropping(["y", "k"])
        return .linear(try PipelineLearner(pipeline: .linearPreprocessing(), base: LinearRegressionLearner(alpha: 0.01))
            .fit(data, target: "v", validation: nil, observer: nil))
    }

    /// Sets every cell of `row` of `frame` (features only) as a caller
    /// would: numbers as numbers, categories and booleans as text.
    static func fill(_ predictor: BundleRowPredictor, _ frame: DataFrame, row: Int) throws {
        for (position, column) in predictor.columns.enumerated() {
            let source = try frame.column(column.name)
            switch source.values {
            case .numeric(let c):
                if c.isMissing(row) { predictor.setMissing(at: position) } else { try predictor.setNumber(c.values[row], at: position) }
            default:
                if let text = source.formattedValue(row) { try predictor.setText(text, at: position) } else {
                    predictor.setMissing(at: position)
                }
            }
        }
    }

    /// Compares the row path with the frame path on every row of `rows`;
    /// `exact`: bit for bit, otherwise within 1e-12 relative.
    static func compare(_ bundle: ModelBundle, _ rows: DataFrame, exact: Bool,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let predictor = try bundle.makeRowPredictor()
        let inputs = try features(rows)
        var checked = 0
        for i in 0..<inputs.rowCount {
            let one = inputs.rows([i])
            let reference = try bundle.predict(one, threads: 1)
            let label = bundle.labels(reference)[0]
            try fill(predictor, inputs, row: i)
            let row = try predictor.predict()
            let expected = reference.values[0]
            #expect(Array(row.probabilities).count == expected.count, sourceLocation: sourceLocation)
            for (got, want) in zip(row.probabilities, expected) {
                if exact {
                    #expect(got.bitPattern == want.bitPattern, "row \(i): \(got) vs \(want)", sourceLocation: sourceLocation)
                } else {
                    #expect(abs(got - want) <= 1e-12 * max(abs(want), 1e-300), "row \(i): \(got) vs \(want)",
                            sourceLocation: sourceLocation)
                }
            }
            if bundle.task == .regression {
                #expect(row.label == nil && row.value == expected[0], sourceLocation: sourceLocation)
            } else {
                #expect(row.label == label, "row \(i)", sourceLocation: sourceLocation)
                #expect(predictor.classLabels[row.classIndex] == label, sourceLocation: sourceLocation)
            }
            checked += 1
        }
        #expect(checked == rows.rowCount, sourceLocation: sourceLocation)
    }

    let training: DataFrame
    let test: DataFrame

    init() throws {
        training = try Self.table(seed: 7, rows: 600)
        test = try Self.table(seed: 8, rows: 120, unseen: true)
    }

    @Test("trees: binary, several classes and regression with missing values and unseen levels, bit for bit")
    func trees() throws {
        for (target, task) in [("y", TaskKind.binary), ("k", .multiclass), ("v", .regression)] {
            let bundle = try Self.bundle(try Self.trees(training, target: target, task: task), target: target, training: training)
            let predictor = try bundle.makeRowPredictor()
            #expect(predictor.isAllocationFree && predictor.fallbackReasons.isEmpty)
            try Self.compare(bundle, test, exact: true)
        }
    }

    @Test("logistic (binary and multinomial) and linear regression behind the linear preprocessing match the frame path")
    func linearFamilies() throws {
        let binary = try Self.bundle(try Self.logistic(training, target: "y"), target: "y", training: training)
        let several = try Self.bundle(try Self.logistic(training, target: "k"), target: "k", training: training)
        let regression = try Self.bundle(try Self.linear(training), target: "v", training: training)
        for bundle in [binary, several, regression] {
            #expect(try bundle.makeRowPredictor().isAllocationFree)
            // Within the brief's 1e-12, and in fact bit for bit (same operations, same order).
            try Self.compare(bundle, test, exact: false)
            try Self.compare(bundle, test, exact: true)
        }
        // The test rows do reach the unseen-level and missing-value branches.
        let city = try test.column("city")
        #expect((0..<test.rowCount).contains { city.formattedValue($0) == "Atlantis" })
        #expect((0..<test.rowCount).contains { city.isMissing($0) })
    }

    @Test("the prior, a blend of trees and logistic regression, networks, and a pipeline on the fallback path match")
    func priorBlendNetwork() throws {
        let prior = BundledModel.prior(try DummyLearner().fit(try training.dropping(["k", "v"]), target: "y",
                                                              validation: nil, observer: nil))
        try Self.compare(try Self.bundle(prior, target: "y", training: training), test, exact: true)
        let blend = BundledModel.blend(members: [try Self.trees(training, target: "k", task: .multiclass),
                                                 try Self.logistic(training, target: "k")], weights: [0.7, 0.3])
        let blended = try Self.bundle(blend, target: "k", training: training)
        #expect(try blended.makeRowPredictor().isAllocationFree)
        try Self.compare(blended, test, exact: true)

        var mlp = MLPLearner()
        mlp.hidden = [8]
        mlp.epochs = 3
        mlp.earlyStoppingPatience = nil
        mlp.seed = 3
        mlp.threads = 1
        for target in Self.targets {
            mlp.task = target == "y" ? .binary : target == "k" ? .multiclass : .regression
            let network = BundledModel.mlp(try mlp.fit(try training.dropping(Self.targets.filter { $0 != target }),
                                                       target: target, validation: nil, observer: nil))
            let bundle = try Self.bundle(network, target: target, training: training)
            #expect(try bundle.makeRowPredictor().isAllocationFree)
            try Self.compare(bundle, test, exact: true)
        }

        // A step the row path does not compile (min-max scaling): that part
        // goes through the frame path, says so, and still agrees.
        let pipeline = Pipeline([
            .init(.numeric, SimpleImputer(strategy: .median)),
            .init(.numeric, MinMaxScaler()),
            .init(.categorical, OneHotEncoder(unknown: .ignore)),
            .init(.boolean, OneHotEncoder(unknown: .ignore)),
        ])
        let custom = BundledModel.logistic(try PipelineLearner(pipeline: pipeline, base: LogisticRegressionLearner())
            .fit(try training.dropping(["k", "v"]), target: "y", validation: nil, observer: nil))
        let fallback = try Self.bundle(.blend(members: [custom, try Self.trees(training, target: "y", task: .binary)],
                                              weights: [0.4, 0.6]), target: "y", training: training)
        let predictor = try fallback.makeRowPredictor()
        #expect(!predictor.isAllocationFree)
        #expect(predictor.fallbackReasons == ["logistic: the pipeline holds a step the row path does not compile"])
        try Self.compare(fallback, test, exact: true)
    }

    @Test("every calibration kind and a tuned threshold give the frame path's probabilities and labels")
    func calibrationAndThreshold() throws {
        let model = try Self.trees(training, target: "y", task: .binary)
        let scores = try model.predict(try Self.features(training), threads: 1).values.map { $0[1] }
        let labels = try training.targetValues("y", task: .binary, classLabels: ["no", "yes"])
        // A threshold well away from 0.5, so labels differ from the argmax on some rows.
        let threshold = try DecisionThreshold.tune(scores: scores, labels: labels, rule: .bestRecall(minimumPrecision: 0.5))
        #expect(abs(threshold.threshold - 0.5) > 0.02)
        let calibrations: [BundleCalibration] = [
            .none, .platt(try PlattCalibrator.fit(scores: scores.map(BundleCalibration.logOdds), labels: labels, weights: nil)),
            .beta(try BetaCalibrator.fit(scores: scores, labels: labels, weights: nil)),
            .isotonic(try IsotonicCalibrator.fit(scores: scores, labels: labels, weights: nil)),
        ]
        var thresholdDecided = 0
        for calibration in calibrations {
            let bundle = try Self.bundle(model, target: "y", training: training, calibration: calibration, threshold: threshold)
            try Self.compare(bundle, test, exact: true)
            let predictor = try bundle.makeRowPredictor()
            let inputs = try Self.features(test)
            for i in 0..<inputs.rowCount {
                try Self.fill(predictor, inputs, row: i)
                let row = try predictor.predict()
                if (row.value >= threshold.threshold) != (row.value >= 0.5) { thresholdDecided += 1 }
            }
        }
        #expect(thresholdDecided > 0)

        // Temperature scaling of a three-class logistic model.
        let several = try Self.logistic(training, target: "k")
        let temperature = BundleCalibration.temperature(try TemperatureCalibrator(temperature: 1.7, classCount: 3))
        try Self.compare(try Self.bundle(several, target: "k", training: training, calibration: temperature), test, exact: true)
    }

    @Test("bad input fails as the frame path fails, naming the column")
    func badInput() throws {
        let bundle = try Self.bundle(try Self.logistic(training, target: "y"), target: "y", training: training)
        let predictor = try bundle.makeRowPredictor()
        #expect(throws: UsageError.self) { try predictor.column(named: "nope") }
        do { _ = try predictor.column(named: "nope") } catch let error as UsageError {
            #expect(error.message.contains("\"nope\""))
        }
        let x1 = try predictor.column(named: "x1"), city = try predictor.column(named: "city")
        do {
            try predictor.setText("12abc", at: x1)
            Issue.record("text that is no number was accepted")
        } catch let error as UsageError {
            #expect(error.message.contains("\"x1\"") && error.message.contains("12abc"))
        }
        #expect(throws: UsageError.self) { try predictor.setNumber(1, at: city) }
        // Texts that are numbers, missing tokens and booleans parse as the CSV reader reads them.
        try predictor.setText(" 1.5e0 ", at: x1)
        try predictor.setText("NA", at: city)
        try predictor.setText("TRUE", at: try predictor.column(named: "flag"))
        try predictor.setNumber(10, at: try predictor.column(named: "x2"))
        let parsed = try predictor.predict().value
        let reference = try bundle.predict(try DataFrame([.numeric("x1", [1.5]), .numeric("x2", [10]),
                                                          .categorical("city", [nil]), .boolean("flag", [true])]),
                                           threads: 1)
        #expect(parsed == reference.values[0][1])

        // Infinity: the pipeline refuses it on both paths, naming the column.
        try predictor.setNumber(.infinity, at: x1)
        var rowMessage = "", frameMessage = ""
        do { _ = try predictor.predict() } catch let error as UsageError { rowMessage = error.message }
        do {
            _ = try bundle.predict(try DataFrame([.numeric("x1", [.infinity]), .numeric("x2", [10]),
                                                  .categorical("city", [nil]), .boolean("flag", [true])]), threads: 1)
        } catch let error as UsageError { frameMessage = error.message }
        #expect(rowMessage.contains("\"x1\"") && rowMessage.contains("infinity"))
        #expect(frameMessage.contains("\"x1\"") && frameMessage.contains("infinity"))
    }
}
