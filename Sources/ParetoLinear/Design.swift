import ParetoCore

/// The training data after the checks, in the form every solver here wants:
/// columns stored contiguously, centred on their weighted means when an
/// intercept is fitted, and scaled by √weight so that a weighted problem is an
/// unweighted one on these rows.
///
/// Cost: one copy of X (rows × columns doubles) and O(rows × columns) time.
/// Built once per fit, and once for a whole regularization path.
struct Design {
    let rows: Int
    let columns: Int
    /// Column j occupies `x[j * rows ..< (j + 1) * rows]`.
    var x: [Double]
    var y: [Double]
    /// Weighted means used for centring (zeros without an intercept).
    let xMean: [Double]
    let yMean: Double
    /// ‖X̃ⱼ‖² of each prepared column.
    var columnNorms: [Double]

    /// Checks the input and prepares it.
    ///
    /// - Parameter normalizeWeights: rescale weights to sum to `rows`, so that
    ///   the 1/(2n) data term of the penalized objectives becomes
    ///   1/(2·Σw)·Σwᵢrᵢ² (the weighted mean squared error). Closed-form ridge
    ///   and least squares use the weights as given.
    init(
        x raw: [Double], rows: Int, columns: Int, y target: [Double], weights: [Double]?,
        fitIntercept: Bool, normalizeWeights: Bool
    ) throws {
        guard rows > 0, columns > 0 else {
            throw UsageError("a linear model needs at least one row and one column, got \(rows) × \(columns)")
        }
        guard raw.count == rows * columns else {
            throw UsageError(
                "x has \(raw.count) values but rows × columns is \(rows) × \(columns) = \(rows * columns)",
                hint: "x is row-major: row i, column j is x[i * columns + j]")
        }
        guard target.count == rows else {
            throw UsageError("y has \(target.count) values but x has \(rows) rows")
        }
        for i in 0..<rows {
            for j in 0..<columns where !raw[i * columns + j].isFinite {
                throw UsageError("x is not finite (\(raw[i * columns + j])) at row \(i), column \(j) (0-based)",
                    hint: "impute or drop missing values before fitting a linear model")
            }
            if !target[i].isFinite {
                throw UsageError("y is not finite (\(target[i])) at row \(i) (0-based)")
            }
        }
        var w = [Double](repeating: 1, count: rows)
        if let weights {
            guard weights.count == rows else {
                throw UsageError("weights has \(weights.count) values but x has \(rows) rows")
            }
            for (i, value) in weights.enumerated() where !(value.isFinite && value >= 0) {
                throw UsageError("weight at row \(i) (0-based) is \(value); weights must be finite and ≥ 0")
            }
            let total = weights.reduce(0, +)
            guard total > 0 else { throw UsageError("the weights sum to 0; at least one row must count") }
            w = normalizeWeights ? weights.map { $0 * Double(rows) / total } : weights
        }
        let totalWeight = w.reduce(0, +)
        var xMean = [Double](repeating: 0, count: columns)
        var yMean = 0.0
        if fitIntercept {
            for i in 0..<rows {
                yMean += w[i] * target[i]
                for j in 0..<columns { xMean[j] += w[i] * raw[i * columns + j] }
            }
            yMean /= totalWeight
            for j in 0..<columns { xMean[j] /= totalWeight }
        }
        let root = w.map { $0.squareRoot() }
        var x = [Double](repeating: 0, count: rows * columns)
        var norms = [Double](repeating: 0, count: columns)
        for j in 0..<columns {
            var norm = 0.0
            for i in 0..<rows {
                let value = (raw[i * columns + j] - xMean[j]) * root[i]
                x[j * rows + i] = value
                norm += value * value
            }
            norms[j] = norm
        }
        self.rows = rows
        self.columns = columns
        self.x = x
        self.y = (0..<rows).map { (target[$0] - yMean) * root[$0] }
        self.xMean = xMean
        self.yMean = yMean
        self.columnNorms = norms
    }

    /// The intercept that goes with `coefficients` on the original scale.
    func intercept(for coefficients: [Double]) -> Double {
        var value = yMean
        for j in 0..<columns { value -= xMean[j] * coefficients[j] }
        return value
    }

    /// X̃ᵀX̃ (columns × columns, symmetric, row-major) and X̃ᵀỹ.
    func normalEquations() -> (gram: [Double], rhs: [Double]) {
        var gram = [Double](repeating: 0, count: columns * columns)
        var rhs = [Double](repeating: 0, count: columns)
        x.withUnsafeBufferPointer { x in
            for a in 0..<columns {
                for b in a..<columns {
                    var sum = 0.0
                    for i in 0..<rows { sum += x[a * rows + i] * x[b * rows + i] }
                    gram[a * columns + b] = sum
                    gram[b * columns + a] = sum
                }
                var sum = 0.0
                for i in 0..<rows { sum += x[a * rows + i] * y[i] }
                rhs[a] = sum
            }
        }
        return (gram, rhs)
    }
}
