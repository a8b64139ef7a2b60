import ParetoCore

/// Ridge regression solved in closed form: β = (X̃ᵀX̃ + αI)⁻¹X̃ᵀỹ by Cholesky.
///
/// ```swift
/// let model = try Ridge(alpha: 1).fit(x: x, rows: n, columns: p, y: y)
/// ```
///
/// Minimizes Σᵢ wᵢ(yᵢ − xᵢ·β − b)² + α‖β‖², as scikit-learn's
/// `Ridge(solver: "cholesky")`: note the data term is a sum, not a mean, so α
/// is not comparable with `ElasticNet`'s. Weights are used as given.
///
/// Cost: O(rows × columns²) to form X̃ᵀX̃, O(columns³) to factor it; memory
/// columns² doubles beside a copy of X. Throws `UsageError` when α is 0 and
/// the columns are collinear (use `LinearRegression`, which reports them).
public struct Ridge: Codable, Sendable, Hashable {
    /// Penalty strength α ≥ 0.
    public var alpha: Double
    /// Fit an unpenalized intercept (by centring). Default `true`.
    public var fitIntercept: Bool

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(alpha: Double = 1, fitIntercept: Bool = true) {
        self.alpha = alpha
        self.fitIntercept = fitIntercept
    }

    /// Fits the model; input rules as `ElasticNet.fit`.
    public func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil) throws -> LinearModel {
        guard alpha.isFinite, alpha >= 0 else { throw UsageError("alpha must be finite and ≥ 0, got \(alpha)") }
        let design = try Design(x: x, rows: rows, columns: columns, y: y, weights: weights,
                                fitIntercept: fitIntercept, normalizeWeights: false)
        var (gram, rhs) = design.normalEquations()
        for j in 0..<columns { gram[j * columns + j] += alpha }
        if let bad = choleskyFactor(&gram, size: columns) {
            throw UsageError("X̃ᵀX̃ + αI is singular at column \(bad) (0-based)",
                             hint: "use alpha > 0, or LinearRegression, which names collinear columns")
        }
        let beta = choleskySolve(gram, size: columns, rhs)
        return LinearModel(coefficients: beta, intercept: design.intercept(for: beta))
    }
}

/// Ordinary least squares: minimizes Σᵢ wᵢ(yᵢ − xᵢ·β − b)², as scikit-learn's
/// `LinearRegression`.
///
/// ```swift
/// let model = try LinearRegression().fit(x: x, rows: n, columns: p, y: y)
/// ```
///
/// Rank deficiency, the documented choice: a column that is constant (after
/// centring, or all zero without an intercept) gets coefficient 0, which is
/// what the minimum-norm solution scikit-learn returns gives it too. Any other
/// exact (or numerically exact, relative 1e-10) linear dependence throws a
/// `UsageError` naming the column that the earlier ones already explain,
/// rather than pick one of infinitely many answers silently.
///
/// Cost: as `Ridge`, O(rows × columns² + columns³).
public struct LinearRegression: Codable, Sendable, Hashable {
    /// Fit an intercept (by centring). Default `true`.
    public var fitIntercept: Bool

    /// Stores the hyperparameter as given.
    public init(fitIntercept: Bool = true) {
        self.fitIntercept = fitIntercept
    }

    /// Fits the model; input rules as `ElasticNet.fit`.
    public func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil) throws -> LinearModel {
        try fit(x: x, rows: rows, columns: columns, y: y, weights: weights, columnNames: nil)
    }

    /// As `fit`, naming a collinear column by `columnNames` when given.
    func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]?, columnNames: [String]?) throws
        -> LinearModel {
        let design = try Design(x: x, rows: rows, columns: columns, y: y, weights: weights,
                                fitIntercept: fitIntercept, normalizeWeights: false)
        let (gram, rhs) = design.normalEquations()
        let kept = (0..<columns).filter { design.columnNorms[$0] > 0 }
        let k = kept.count
        var sub = [Double](repeating: 0, count: k * k)
        for (a, ja) in kept.enumerated() {
            for (b, jb) in kept.enumerated() { sub[a * k + b] = gram[ja * columns + jb] }
        }
        if let bad = choleskyFactor(&sub, size: k, relativePivot: 1e-10) {
            let name = columnNames.map { "\"\($0[kept[bad]])\"" } ?? "\(kept[bad]) (0-based)"
            throw UsageError("column \(name) is a linear combination of earlier columns"
                             + (fitIntercept ? " and the intercept" : "") + "; least squares has no unique solution",
                             hint: "drop the column, or add a small L2 penalty (Ridge)")
        }
        let solved = choleskySolve(sub, size: k, kept.map { rhs[$0] })
        var beta = [Double](repeating: 0, count: columns)
        for (a, j) in kept.enumerated() { beta[j] = solved[a] }
        return LinearModel(coefficients: beta, intercept: design.intercept(for: beta))
    }
}

/// In-place Cholesky factor (lower triangle, row-major) of a symmetric matrix.
/// Returns the first column whose pivot is not positive, or not above
/// `relativePivot` × its original diagonal (a numerically dependent column);
/// `nil` on success.
func choleskyFactor(_ a: inout [Double], size n: Int, relativePivot: Double = 0) -> Int? {
    let diagonal = (0..<n).map { a[$0 * n + $0] }
    for j in 0..<n {
        var pivot = a[j * n + j]
        for k in 0..<j { pivot -= a[j * n + k] * a[j * n + k] }
        guard pivot > relativePivot * diagonal[j], pivot > 0 else { return j }
        let root = pivot.squareRoot()
        a[j * n + j] = root
        for i in (j + 1)..<max(n, j + 1) {
            var sum = a[i * n + j]
            for k in 0..<j { sum -= a[i * n + k] * a[j * n + k] }
            a[i * n + j] = sum / root
        }
    }
    return nil
}

/// Solves L·Lᵀ·z = b with L from `choleskyFactor`.
func choleskySolve(_ l: [Double], size n: Int, _ b: [Double]) -> [Double] {
    var z = b
    for i in 0..<n {
        var sum = z[i]
        for k in 0..<i { sum -= l[i * n + k] * z[k] }
        z[i] = sum / l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
        var sum = z[i]
        for k in (i + 1)..<max(n, i + 1) { sum -= l[k * n + i] * z[k] }
        z[i] = sum / l[i * n + i]
    }
    return z
}
