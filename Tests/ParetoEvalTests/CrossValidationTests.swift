import Testing
import ParetoCore
import ParetoData
@testable import ParetoEval

/// A baseline learner whose folds can be scored by hand: regression
/// predicts the training mean; classification predicts the training class
/// shares. With `memorize`, it instead predicts 1 for rows whose `group`
/// value it saw in training and 0 otherwise (to detect leaks).
struct BaselineLearner: TabularLearner {
    var threads: Int?
    var memorize = false
    /// Regression predicts the training mean times this.
    var shrink = 1.0

    struct Model: TabularModel {
        var task: TaskKind
        var labels: [String]
        var values: [Double]
        var seenGroups: Set<String>?

        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            if let seenGroups {
                let group = try frame.column("group")
                return Predictions(task: .regression, classLabels: [], values: (0..<frame.rowCount).map {
                    [seenGroups.contains(group.formattedValue($0) ?? "") ? 1 : 0]
                })
            }
            return Predictions(task: task, classLabels: labels, values: Array(repeating: values, count: frame.rowCount))
        }
    }

    func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
             observer: (any TrainingObserver)?) throws -> Model {
        let column = try frame.column(target)
        if memorize {
            let group = try frame.column("group")
            return Model(task: .regression, labels: [], values: [],
                         seenGroups: Set((0..<frame.rowCount).compactMap { group.formattedValue($0) }))
        }
        if let numeric = column.numeric, TargetSummary(column).task == .regression {
            let values = numeric.values.array
            return Model(task: .regression, labels: [], values: [shrink * values.reduce(0, +) / Double(values.count)])
        }
        let labels = try frame.classLabels(target)
        var counts = [String: Double]()
        for i in 0..<frame.rowCount { counts[column.formattedValue(i)!, default: 0] += 1 }
        return Model(task: labels.count == 2 ? .binary : .multiclass, labels: labels,
                     values: labels.map { counts[$0]! / Double(frame.rowCount) })
    }
}

/// Root mean squared error, written out here so the runner's bookkeeping
/// is checked independently of the metrics module.
struct TestRMSE: Metric {
    var name: String { "rmse" }
    var direction: MetricDirection { .lowerIsBetter }
    func evaluate(_ o: Outcomes) throws -> Double {
        (zip(o.targets, o.predictions).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(o.count)).squareRoot()
    }
}

/// The mean probability given to the true class.
struct TestTrueClassProbability: Metric {
    var name: String { "p_true" }
    var direction: MetricDirection { .higherIsBetter }
    func evaluate(_ o: Outcomes) throws -> Double {
        let k = o.outputsPerRow
        return o.targets.indices.reduce(0) { $0 + o.predictions[$1 * k + Int(o.targets[$1])] } / Double(o.count)
    }
}

@Suite("Cross-validation")
struct CrossValidationTests {
    func regressionFrame(_ n: Int = 103) throws -> DataFrame {
        var rng = Xoshiro256(seed: 5)
        let y = (0..<n).map { _ in rng.uniformDouble() * 10 }
        let x = (0..<n).map { Double($0) }
        let group = (0..<n).map { "g\($0 % 7)" as String? }
        return try DataFrame([.numeric("x", x), .numeric("y", y), .categorical("group", group)])
    }

    @Test("each fold's score equals the hand-computed baseline on the same folds")
    func regressionByHand() throws {
        let frame = try regressionFrame()
        let y = try frame.column("y").numeric!.values.array
        let report = try CrossValidation(folds: 5, seed: 9, metrics: [TestRMSE()])
            .run(BaselineLearner(), on: frame, target: "y")
        let folds = try RepeatedFolds(KFold(k: 5, seed: 9), repeats: 1, seed: 9).folds(rowCount: y.count)
        #expect(report.folds.count == 5 && report.task == .regression)
        var expected: [Double] = []
        for (fold, result) in zip(folds, report.folds) {
            let mean = fold.train.reduce(0) { $0 + y[$1] } / Double(fold.train.count)
            let rmse = (fold.validation.reduce(0) { $0 + (y[$1] - mean) * (y[$1] - mean) } / Double(fold.validation.count))
                .squareRoot()
            expected.append(rmse)
            #expect(abs(result.scores[0] - rmse) < 1e-12)
            #expect(result.trainRows == fold.train.count && result.validationRows == fold.validation.count)
            // Out-of-fold predictions are the fold's training mean.
            for row in fold.validation { #expect(abs(report.outOfFold[row] - mean) < 1e-12) }
        }
        let mean = expected.reduce(0, +) / 5
        let sd = (expected.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 4).squareRoot()
        #expect(abs(report.mean[0] - mean) < 1e-12 && abs(report.standardDeviation[0] - sd) < 1e-12)
        #expect(report.summary(ofMetric: 0).contains(" ± "))
        let outcomes = try report.outOfFoldOutcomes()
        #expect(outcomes.count == y.count)
    }

    @Test("classes follow label order; a class absent from a fold's training gets probability 0")
    func classification() throws {
        // 20 rows of "b", 19 of "a", one "c": the fold validating "c" never saw it.
        let labels: [String?] = (0..<40).map { $0 == 39 ? "c" : ($0 % 2 == 0 ? "b" : "a") }
        let frame = try DataFrame([.numeric("x", (0..<40).map(Double.init)), .categorical("label", labels)])
        let report = try CrossValidation(folds: 4, strategy: .kfold, seed: 1, metrics: [TestTrueClassProbability()])
            .run(BaselineLearner(), on: frame, target: "label")
        #expect(report.classLabels == ["a", "b", "c"] && report.task == .multiclass && report.outputsPerRow == 3)
        #expect(report.outOfFold[39 * 3 + 2] == 0, "the row of class c: its fold's model never saw c")
        let folds = try RepeatedFolds(KFold(k: 4, seed: 1), repeats: 1, seed: 1).folds(rowCount: 40)
        let training = try #require(folds.first { $0.validation.contains(39) }).train
        let bShare = Double(training.count { labels[$0] == "b" }) / Double(training.count)
        #expect(abs(report.outOfFold[39 * 3 + 1] - bShare) < 1e-12, "b's share among that fold's training rows")
        #expect(report.targets[39] == 2 && report.targets[0] == 1)
    }

    @Test("the report does not depend on how many folds run at once")
    func concurrency() throws {
        let frame = try regressionFrame()
        func run(_ concurrent: Int) throws -> CrossValidationReport {
            var report = try CrossValidation(folds: 4, repeats: 2, seed: 3, metrics: [TestRMSE()], threads: 2,
                                             concurrentFolds: concurrent).run(BaselineLearner(), on: frame, target: "y")
            for i in report.folds.indices {
                report.folds[i].fitSeconds = 0
                report.folds[i].predictSeconds = 0
            }
            report.concurrentFolds = 0
            report.threadsPerFold = 0
            return report
        }
        let one = try run(1), two = try run(2)
        #expect(one == two)
        #expect(one.folds.count == 8 && one.folds.map(\.repetition) == [0, 0, 0, 0, 1, 1, 1, 1])
        // Every row is validated once per repeat: its out-of-fold value is the mean of two training means.
        #expect(one.outOfFold.allSatisfy { !$0.isNaN })
    }

    @Test("group folds never validate on a group seen in training; plain k-fold does")
    func groups() throws {
        let frame = try regressionFrame()
        let grouped = try CrossValidation(folds: 3, strategy: .group(column: "group"), metrics: [TestRMSE()])
            .run(BaselineLearner(memorize: true), on: frame, target: "y")
        #expect(grouped.outOfFold.allSatisfy { $0 == 0 })
        let plain = try CrossValidation(folds: 3, metrics: [TestRMSE()])
            .run(BaselineLearner(memorize: true), on: frame, target: "y")
        #expect(plain.outOfFold.contains(1))
    }

    @Test("time-series folds train on the past only; the earliest rows are never validated")
    func timeOrder() throws {
        // Time runs backwards through the file: row n-1 is the earliest.
        let n = 60
        let frame = try DataFrame([.numeric("t", (0..<n).map { Double(n - $0) }), .numeric("y", (0..<n).map { Double($0 % 5) })])
        let report = try CrossValidation(folds: 5, strategy: .time(column: "t"), metrics: [TestRMSE()], task: .regression)
            .run(BaselineLearner(), on: frame, target: "y")
        #expect(report.folds.map(\.trainRows) == [10, 20, 30, 40, 50])
        #expect(report.folds.allSatisfy { $0.validationRows == 10 })
        let unvalidated = (0..<n).filter { report.outOfFold[$0].isNaN }
        #expect(unvalidated == Array(50..<60), "the 10 earliest rows are the file's last")
        #expect(throws: UsageError.self) {
            try CrossValidation(folds: 5, strategy: .time(column: "t"), repeats: 2, metrics: [TestRMSE()])
                .run(BaselineLearner(), on: frame, target: "y")
        }
    }

    @Test("any fold generator can replace the strategy")
    func customGenerator() throws {
        let frame = try regressionFrame(40)
        var cv = CrossValidation(metrics: [TestRMSE()], task: .regression)
        cv.generator = TimeSeriesSplit(k: 3, gap: 2)
        let report = try cv.run(BaselineLearner(), on: frame, target: "y")
        // 40 rows, 3 folds of 10: training ends 2 rows before each test block.
        #expect(report.folds.map(\.trainRows) == [8, 18, 28] && report.folds.map(\.validationRows) == [10, 10, 10])
    }

    @Test("nested: the tuning step sees only the outer training rows")
    func nested() throws {
        let frame = try regressionFrame()
        let n = frame.rowCount
        let cv = CrossValidation(folds: 4, seed: 2, metrics: [TestRMSE()], concurrentFolds: 1)
        final class Seen: @unchecked Sendable {
            let lock = Lock()
            var ids: [Int: Set<Double>] = [:]
        }
        let seen = Seen()
        let result = try cv.runNested(on: frame, target: "y") { training, fold in
            let ids = Set(try training.column("x").numeric!.values.array)
            seen.lock.withLock { seen.ids[fold] = ids }
            return BaselineLearner(threads: fold)  // the fold's "choice", to check it is kept in order
        }
        let folds = try RepeatedFolds(KFold(k: 4, seed: 2), repeats: 1, seed: 2).folds(rowCount: n)
        let recorded = seen.lock.withLock { seen.ids }
        for (i, fold) in folds.enumerated() {
            #expect(recorded[i] == Set(fold.train.map(Double.init)), "fold \(i) tuned on exactly its training rows")
        }
        #expect(result.chosen.count == 4)
        let plain = try cv.run(BaselineLearner(), on: frame, target: "y")
        #expect(result.outer.mean == plain.mean)
    }

    @Test("rows without a target are left out; errors name the fold")
    func missingTargetsAndErrors() throws {
        var y = (0..<30).map { Double($0 % 4) }
        y[3] = .nan
        y[17] = .nan
        let frame = try DataFrame([.numeric("x", (0..<30).map(Double.init)), .numeric("y", y)])
        let report = try CrossValidation(folds: 3, strategy: .kfold, metrics: [TestRMSE()], task: .regression)
            .run(BaselineLearner(), on: frame, target: "y")
        #expect(report.droppedRows == 2 && report.rows.count == 28 && !report.rows.contains(3) && !report.rows.contains(17))

        struct Failing: Metric {
            var name: String { "failing" }
            var direction: MetricDirection { .higherIsBetter }
            func evaluate(_ o: Outcomes) throws -> Double { throw EvaluationError("only one class in this fold") }
        }
        do {
            _ = try CrossValidation(folds: 3, metrics: [Failing()], task: .regression).run(BaselineLearner(), on: frame, target: "y")
            Issue.record("a failing metric must throw")
        } catch {
            #expect("\(error)".contains("fold 1 of 3: only one class in this fold"), "\(error)")
        }
        #expect(throws: UsageError.self) { try CrossValidation(metrics: [TestRMSE()]).run(BaselineLearner(), on: frame, target: "nope") }
        #expect(throws: UsageError.self) {
            try CrossValidation(strategy: .stratified, metrics: [TestRMSE()], task: .regression).run(BaselineLearner(), on: frame, target: "y")
        }
        #expect(throws: UsageError.self) { try CrossValidation(metrics: []).run(BaselineLearner(), on: frame, target: "y") }
    }
}
