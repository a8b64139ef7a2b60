import Pareto

/// `pareto-bench features --data adult.csv [--repeat N]`: fit and transform
/// of a scale + one-hot + target-encode pipeline on the adult data (see
/// bench/features.py); prints the median seconds (reading excluded) and the
/// number of feature columns out (the target excluded).
func featurePipeline(_ arguments: [String]) throws {
    guard let path = option(arguments, "--data") else { fail("usage: pareto-bench features --data FILE [--repeat N]") }
    let repeats = option(arguments, "--repeat").flatMap(Int.init) ?? 7
    var csv = CSVOptions()
    csv.missingTokens = []  // "?" is a category of its own, as in the scikit-learn run
    let frame = try CSVReader(options: csv).read(path: path)
    let pipeline = Pipeline([
        .init(.named(["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]), StandardScaler()),
        .init(.named(["workclass", "marital-status", "relationship", "race", "sex"]), OneHotEncoder(unknown: .ignore)),
        .init(.named(["education", "occupation", "native-country"]), TargetEncoder()),
    ])
    var times: [Double] = []
    var columns = 0
    for _ in 0..<repeats {
        let clock = Stopwatch()
        let (_, out) = try pipeline.fitTransform(frame, target: "income")
        times.append(clock.seconds)
        columns = out.columnCount - 1
    }
    times.sort()
    print(JSONValue.object([("rows", .int(frame.rowCount)), ("seconds", .number(times[times.count / 2])),
                            ("columns", .int(columns))]).serialized())
}
