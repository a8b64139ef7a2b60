import Pareto

/// `pareto-bench logistic --data FILE --target COL [--c X] [--l1-ratio X] [--tolerance X] [--repeat N]
/// [--coefficients FILE]`: fits `LogisticRegression` (binary) or `MultinomialLogisticRegression` (more
/// classes, labels 0…k−1) to an all-numeric CSV (the design matrix, prepared by bench/logistic.py) and
/// prints the median fit seconds (reading excluded), iterations and convergence; writes the intercept(s)
/// and coefficients, one class per line, to FILE.
func logisticSpeed(_ arguments: [String]) throws {
    guard let path = option(arguments, "--data"), let target = option(arguments, "--target")
    else { fail("usage: pareto-bench logistic --data FILE --target COL [--c X] [--repeat N] [--coefficients FILE]") }
    let repeats = option(arguments, "--repeat").flatMap(Int.init) ?? 5
    let c = option(arguments, "--c").flatMap(Double.init) ?? 1
    let l1Ratio = option(arguments, "--l1-ratio").flatMap(Double.init) ?? 0
    let tolerance = option(arguments, "--tolerance").flatMap(Double.init) ?? 1e-8
    let frame = try CSVReader().read(path: path)
    let features = try frame.dropping([target])
    let rows = frame.rowCount, columns = features.columnCount
    var x = [Double](repeating: 0, count: rows * columns)
    for (j, column) in features.columns.enumerated() {
        guard let values = column.numeric?.values else { fail("column \(column.name) is not numeric") }
        for i in 0..<rows { x[i * columns + j] = values[i] }
    }
    guard let y = try frame.column(target).numeric?.values.array else { fail("target is not numeric") }
    let classes = Int(y.max() ?? 1) + 1
    var times: [Double] = []
    var lines: [String] = []
    var iterations = 0, converged = true
    for _ in 0..<repeats {
        let clock = Stopwatch()
        if classes <= 2 {
            let model = try LogisticRegression(c: c, l1Ratio: l1Ratio, tolerance: tolerance)
                .fit(x: x, rows: rows, columns: columns, y: y)
            times.append(clock.seconds)
            lines = [([model.intercept] + model.coefficients).map { "\($0)" }.joined(separator: ",")]
            iterations = model.iterations
            converged = model.converged
        } else {
            let model = try MultinomialLogisticRegression(c: c, l1Ratio: l1Ratio, tolerance: tolerance)
                .fit(x: x, rows: rows, columns: columns, y: y)
            times.append(clock.seconds)
            lines = model.intercepts.indices.map { k in
                ([model.intercepts[k]] + model.coefficients[k]).map { "\($0)" }.joined(separator: ",")
            }
            iterations = model.iterations
            converged = model.converged
        }
    }
    times.sort()
    if let out = option(arguments, "--coefficients") {
        try writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: out)
    }
    print(JSONValue.object([
        ("rows", .int(rows)), ("features", .int(columns)), ("classes", .int(classes)),
        ("seconds", .number(times[times.count / 2])), ("min_seconds", .number(times[0])),
        ("iterations", .int(iterations)), ("converged", .bool(converged)),
    ]).serialized())
}
