import Pareto

/// A class-prior baseline (scikit-learn's `DummyClassifier(strategy="prior")`):
/// fitting counts classes, predicting repeats their shares. Nearly free, so
/// a cross-validation of it measures the runner's own bookkeeping.
struct PriorLearner: TabularLearner {
    var threads: Int?

    struct Model: TabularModel {
        var task: TaskKind
        var labels: [String]
        var shares: [Double]
        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            Predictions(task: task, classLabels: labels, values: Array(repeating: shares, count: frame.rowCount))
        }
    }

    func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
             observer: (any TrainingObserver)?) throws -> Model {
        let classes = try frame.classEncoding(target)
        var counts = [Int](repeating: 0, count: classes.labels.count)
        for code in classes.codes where code >= 0 { counts[code] += 1 }
        return Model(task: classes.labels.count == 2 ? .binary : .multiclass, labels: classes.labels,
                     shares: counts.map { Double($0) / Double(frame.rowCount) })
    }
}

/// `pareto-bench cv --data FILE --target COL [--repeat N]`: stratified
/// 5-fold cross-validation of the prior baseline scored by AUC and log
/// loss; prints the median wall time (reading the CSV excluded).
func crossValidationOverhead(_ arguments: [String]) throws {
    guard let path = option(arguments, "--data"), let target = option(arguments, "--target")
    else { fail("usage: pareto-bench cv --data FILE --target COL [--repeat N]") }
    let repeats = option(arguments, "--repeat").flatMap(Int.init) ?? 5
    let frame = try CSVReader().read(path: path)
    let cv = CrossValidation(folds: 5, strategy: .stratified, metrics: [try Metrics.named("auc"), try Metrics.named("logloss")],
                             task: .binary)
    var times: [Double] = []
    var report: CrossValidationReport? = nil
    for _ in 0..<repeats {
        let clock = Stopwatch()
        report = try cv.run(PriorLearner(), on: frame, target: target)
        times.append(clock.seconds)
    }
    times.sort()
    print(JSONValue.object([
        ("rows", .int(frame.rowCount)), ("seconds", .number(times[times.count / 2])),
        ("auc_mean", .number(report!.mean[0])), ("logloss_mean", .number(report!.mean[1])),
    ]).serialized())
}
