#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore

/// How much each class counts in the logistic loss, on top of sample weights.
public enum ClassWeight: Codable, Sendable, Hashable {
    /// Every class counts the same (weight 1).
    case none
    /// Class c gets W / (k · W_c), with k classes, W the total sample weight
    /// and W_c that of class c (row counts without sample weights, as
    /// scikit-learn), so every class carries equal total weight.
    case balanced
    /// Weight of class c at index c (one per class); each finite and ≥ 0.
    case explicit([Double])

    /// The factor for each class, from the total sample weight of each class
    /// (`totals[c]`); checks explicit ones.
    func factors(totals counts: [Double]) throws -> [Double] {
        let n = counts.reduce(0, +), k = Double(counts.count)
        switch self {
        case .none: return counts.map { _ in 1 }
        case .balanced:
            if let empty = counts.firstIndex(where: { $0 <= 0 }) {
                throw UsageError("class \(empty) has zero total weight; balanced class weights need every class to count")
            }
            return counts.map { n / (k * $0) }
        case let .explicit(values):
            guard values.count == counts.count else {
                throw UsageError("class weights has \(values.count) values but there are \(counts.count) classes")
            }
            for (c, v) in values.enumerated() where !(v.isFinite && v >= 0) {
                throw UsageError("class weight of class \(c) is \(v); class weights must be finite and ≥ 0")
            }
            return values
        }
    }
}

/// Binary logistic regression with an L2, L1 or mixed (elastic-net) penalty.
///
/// ```swift
/// let model = try LogisticRegression(c: 1).fit(x: x, rows: n, columns: p, y: labels)
/// let p1 = try model.probabilities(x: x, rows: n)
/// ```
///
/// Minimizes scikit-learn's objective for `LogisticRegression(C, l1_ratio)`:
/// C · Σᵢ wᵢ · logloss(yᵢ, b + xᵢ·β) + ρ‖β‖₁ + ½(1 − ρ)‖β‖², with ρ =
/// `l1Ratio` and wᵢ the sample weight times the class weight. The intercept
/// b is not penalized.
///
/// Solver: proximal Newton (IRLS). Each outer iteration builds the quadratic
/// model of the loss at the current point and minimizes it plus the penalty,
/// then backtracks along the step until the objective does not increase —
/// the backtracking keeps nearly separable data from diverging. When the
/// weighted Gram matrix XᵀHX is cheap (up to ~512 dense columns, more for
/// sparse one-hot designs) the model is minimized exactly: a Cholesky solve
/// for L2, coordinate descent on the Gram matrix with an L1 part. Otherwise
/// by cyclic coordinate descent over the data (exact for the L1 part, so
/// zeros are exact).
///
/// Stopping rule: the largest change of any parameter in an outer iteration
/// is at most `tolerance` × max(1, largest |parameter|). A fit that runs out
/// of outer iterations is still returned with `converged == false` and a
/// warning.
///
/// Cost: one column-major copy of X; per outer iteration O(rows × columns ×
/// inner passes). No allocation inside the iterations. Deterministic.
public struct LogisticRegression: Codable, Sendable, Hashable {
    /// Inverse penalty strength C > 0 (finite); larger C, weaker penalty.
    public var c: Double
    /// Share of the penalty that is L1, in [0, 1] (0: L2, 1: L1).
    public var l1Ratio: Double
    /// Fit an unpenalized intercept. Default `true`.
    public var fitIntercept: Bool
    /// Relative parameter-change tolerance of the outer iterations. Default
    /// 1e-8: Newton steps converge quadratically, so tight is cheap.
    public var tolerance: Double
    /// The most outer (Newton) iterations. Default 100.
    public var maxIterations: Int
    /// Class weights, multiplied into the sample weights. Default `.none`.
    public var classWeight: ClassWeight

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(c: Double = 1, l1Ratio: Double = 0, fitIntercept: Bool = true, tolerance: Double = 1e-8,
                maxIterations: Int = 100, classWeight: ClassWeight = .none) {
        self.c = c
        self.l1Ratio = l1Ratio
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.classWeight = classWeight
    }

    func validate() throws {
        guard c.isFinite, c > 0 else { throw UsageError("C must be finite and > 0, got \(c)") }
        guard l1Ratio >= 0, l1Ratio <= 1 else { throw UsageError("l1Ratio must be in [0, 1], got \(l1Ratio)") }
        guard tolerance.isFinite, tolerance >= 0 else { throw UsageError("tolerance must be finite and ≥ 0, got \(tolerance)") }
        guard maxIterations >= 1 else { throw UsageError("maxIterations must be ≥ 1, got \(maxIterations)") }
    }

    /// Fits the model to a dense row-major matrix `x` (row i, column j at
    /// `x[i * columns + j]`), labels `y` (each exactly 0 or 1, both present)
    /// and optional non-negative `weights`.
    ///
    /// Throws `UsageError` for bad hyperparameters, mismatched lengths,
    /// non-finite values or labels other than 0/1 (naming row and column),
    /// a single class, or negative weights.
    public func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil) throws -> LogisticModel {
        try fit(x: x, rows: rows, columns: columns, y: y, weights: weights, solver: .automatic)
    }

    /// Which inner solver `fit` uses (tests pin each one).
    enum Solver: Sendable, CaseIterable {
        /// The Gram path when it is cheap, else coordinate descent on the data.
        case automatic
        /// Newton on the full Hessian (`GramNewtonSolver`).
        case gram
        /// Coordinate descent on the data (`LogisticSolver`).
        case dataCoordinateDescent
    }

    func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]?, solver choice: Solver) throws
        -> LogisticModel {
        try validate()
        guard rows > 0, columns > 0 else {
            throw UsageError("logistic regression needs at least one row and one column, got \(rows) × \(columns)")
        }
        guard x.count == rows * columns else {
            throw UsageError("x has \(x.count) values but rows × columns is \(rows) × \(columns) = \(rows * columns)",
                             hint: "x is row-major: row i, column j is x[i * columns + j]")
        }
        guard y.count == rows else { throw UsageError("y has \(y.count) values but x has \(rows) rows") }
        var counts = [0, 0]
        for i in 0..<rows {
            for j in 0..<columns where !x[i * columns + j].isFinite {
                throw UsageError("x is not finite (\(x[i * columns + j])) at row \(i), column \(j) (0-based)",
                                 hint: "impute or drop missing values before fitting a linear model")
            }
            guard y[i] == 0 || y[i] == 1 else {
                throw UsageError("label at row \(i) (0-based) is \(y[i]); binary labels must be 0 or 1")
            }
            counts[Int(y[i])] += 1
        }
        guard counts[0] > 0, counts[1] > 0 else {
            throw UsageError("y has only class \(counts[0] > 0 ? 0 : 1); logistic regression needs both 0 and 1")
        }
        var w = [Double](repeating: 1, count: rows)
        if let weights {
            guard weights.count == rows else { throw UsageError("weights has \(weights.count) values but x has \(rows) rows") }
            for (i, value) in weights.enumerated() where !(value.isFinite && value >= 0) {
                throw UsageError("weight at row \(i) (0-based) is \(value); weights must be finite and ≥ 0")
            }
            w = weights
        }
        var totals = [0.0, 0.0]
        for i in 0..<rows { totals[Int(y[i])] += w[i] }
        let classFactor = try classWeight.factors(totals: totals)
        for i in 0..<rows { w[i] *= classFactor[Int(y[i])] }
        guard w.reduce(0, +) > 0 else { throw UsageError("the weights sum to 0; at least one row must count") }

        // Full-Hessian Newton when the Gram matrix is cheap to form and
        // store (up to ~512 dense columns, more when sparse); otherwise
        // coordinate descent on the data, which never forms it.
        let sparse = SparseRows(x: x, rows: rows, columns: columns)
        let gramIsCheap = columns < 1024 && sparse.gramCost <= 256 * (sparse.value.count + rows)
        if choice == .gram || (choice == .automatic && gramIsCheap) {
            var solver = GramNewtonSolver(data: sparse, y: y, weights: w, c: c, l1Ratio: l1Ratio,
                                          fitIntercept: fitIntercept)
            let (iterations, converged) = solver.solve(tolerance: tolerance, maxIterations: maxIterations)
            return LogisticModel(
                coefficients: solver.beta, intercept: solver.intercept, iterations: iterations, converged: converged,
                warning: converged ? nil
                    : "logistic regression did not converge in \(maxIterations) Newton iterations; raise maxIterations or lower C")
        }
        var columnMajor = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows { for j in 0..<columns { columnMajor[j * rows + i] = x[i * columns + j] } }
        var solver = LogisticSolver(x: columnMajor, rows: rows, columns: columns, y: y, weights: w,
                                    c: c, l1Ratio: l1Ratio, fitIntercept: fitIntercept)
        let (iterations, converged) = solver.solve(tolerance: tolerance, maxIterations: maxIterations)
        return LogisticModel(
            coefficients: solver.beta, intercept: solver.intercept, iterations: iterations, converged: converged,
            warning: converged ? nil
                : "logistic regression did not converge in \(maxIterations) Newton iterations; raise maxIterations or lower C")
    }
}

/// The binary objective C·Σᵢ wᵢ·logloss(yᵢ, ηᵢ + s·uᵢ) + Σⱼ (l1·|bⱼ| + ½·l2·bⱼ²)
/// at bⱼ = βⱼ + s·(β'ⱼ − βⱼ): the current point moved by s along the step to
/// `trial` (β'; entries past β's count, such as an intercept, are ignored).
func penalizedLogisticObjective(eta: [Double], u: [Double], y: [Double], w: [Double], beta: [Double], trial: [Double],
                                c: Double, l1: Double, l2: Double, step s: Double) -> Double {
    var loss = 0.0
    for i in eta.indices {
        let t = eta[i] + s * u[i]
        loss += w[i] * (softplus(t) - y[i] * t)
    }
    var penalty = 0.0
    for j in beta.indices {
        let b = beta[j] + s * (trial[j] - beta[j])
        penalty += l1 * abs(b) + 0.5 * l2 * b * b
    }
    return c * loss + penalty
}

/// log(1 + eᵗ) without overflow or loss of precision for large |t|.
@inline(__always) func softplus(_ t: Double) -> Double {
    max(t, 0) + log1p(exp(-abs(t)))
}

/// 1 / (1 + e⁻ᵗ), evaluated on the side that cannot overflow.
@inline(__always) func sigmoid(_ t: Double) -> Double {
    if t >= 0 { return 1 / (1 + exp(-t)) }
    let e = exp(t)
    return e / (1 + e)
}

/// Proximal Newton for the penalized weighted logistic loss; all scratch
/// buffers are allocated once here.
struct LogisticSolver {
    let x: [Double]  // column j at x[j * rows ..< (j + 1) * rows]
    let rows: Int
    let columns: Int
    let y: [Double]
    let w: [Double]
    let c: Double
    let l1: Double
    let l2: Double
    let fitIntercept: Bool
    var beta: [Double]
    var intercept = 0.0
    var eta: [Double]        // b + x·β at the current point
    var h: [Double]          // C·wᵢ·pᵢ(1 − pᵢ): curvature of the quadratic model
    var g: [Double]          // C·wᵢ·(pᵢ − yᵢ): slope of the quadratic model
    var u: [Double]          // X·(β' − β) + (b' − b) for the candidate β', b'
    var trial: [Double]      // candidate parameters β'
    var curvature: [Double]  // Σᵢ hᵢxᵢⱼ² per column

    init(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double], c: Double, l1Ratio: Double, fitIntercept: Bool) {
        self.x = x; self.rows = rows; self.columns = columns; self.y = y; self.w = weights; self.c = c
        self.l1 = l1Ratio; self.l2 = 1 - l1Ratio; self.fitIntercept = fitIntercept
        beta = [Double](repeating: 0, count: columns)
        eta = [Double](repeating: 0, count: rows)
        h = eta; g = eta; u = eta
        trial = beta; curvature = beta
    }

    /// The objective at β + s·(β' − β) (and the intercept moved alike), where
    /// the linear predictor is eta + s·u; the intercept is unpenalized, so it
    /// enters only through u.
    func objective(step s: Double) -> Double {
        penalizedLogisticObjective(eta: eta, u: u, y: y, w: w, beta: beta, trial: trial, c: c, l1: l1, l2: l2, step: s)
    }

    mutating func solve(tolerance: Double, maxIterations: Int) -> (Int, Bool) {
        for iteration in 1...maxIterations {
            for i in 0..<rows {
                let p = sigmoid(eta[i])
                // A floor on the curvature keeps the quadratic model strictly
                // convex where probabilities saturate.
                h[i] = max(c * w[i] * p * (1 - p), 1e-300)
                g[i] = c * w[i] * (p - y[i])
                u[i] = 0
            }
            for j in 0..<columns {
                var sum = 0.0
                for i in 0..<rows { let v = x[j * rows + i]; sum += h[i] * v * v }
                curvature[j] = sum
                trial[j] = beta[j]
            }
            var hSum = 0.0
            for i in 0..<rows { hSum += h[i] }
            var trialIntercept = intercept
            // Coordinate descent on the quadratic model plus penalty. The
            // model's gradient at the candidate is gᵢ + hᵢuᵢ summed against
            // each column.
            var scale = 1.0
            for j in 0..<columns { scale = max(scale, abs(beta[j])) }
            penalizedQuadraticStep(x: x, rows: rows, columns: columns, g: g, h: h, curvature: curvature, hSum: hSum,
                                   l1: l1, l2: l2, fitIntercept: fitIntercept, scale: scale,
                                   u: &u, trial: &trial, intercept: &trialIntercept)
            // Backtrack: the full step can overshoot where the quadratic
            // model is poor (large margins).
            let current = objective(step: 0)
            var s = 1.0
            while s > 1e-10 && objective(step: s) > current + 1e-12 * abs(current) {
                s *= 0.5
            }
            var change = 0.0
            for j in 0..<columns {
                let delta = s * (trial[j] - beta[j])
                change = max(change, abs(delta))
                // Keep exact zeros from the L1 step exact.
                beta[j] = s == 1 ? trial[j] : beta[j] + delta
            }
            let db = s * (trialIntercept - intercept)
            change = max(change, abs(db))
            intercept = s == 1 ? trialIntercept : intercept + db
            for i in 0..<rows { eta[i] += s * u[i] }
            scale = 1.0
            for j in 0..<columns { scale = max(scale, abs(beta[j])) }
            scale = max(scale, abs(intercept))
            if change <= tolerance * scale { return (iteration, true) }
        }
        return (maxIterations, false)
    }
}

/// A fitted binary logistic model: P(y = 1 | x) = σ(intercept + Σⱼ coefficients[j]·x[j]).
public struct LogisticModel: Codable, Sendable, Hashable {
    /// One coefficient per column.
    public var coefficients: [Double]
    /// The constant term (0 when fitted without one).
    public var intercept: Double
    /// Outer (Newton) iterations the solver made.
    public var iterations: Int
    /// Whether the stopping rule was met before `maxIterations` ran out.
    public var converged: Bool
    /// Why the result may be inaccurate (non-convergence); `nil` when fine.
    public var warning: String?

    /// Creates a model from its parts.
    public init(coefficients: [Double], intercept: Double, iterations: Int = 1, converged: Bool = true, warning: String? = nil) {
        self.coefficients = coefficients
        self.intercept = intercept
        self.iterations = iterations
        self.converged = converged
        self.warning = warning
    }

    /// The linear predictor b + x·β (log-odds of class 1) per row.
    ///
    /// Cost: O(rows × columns). Throws `UsageError` if the shape does not match.
    public func decisionFunction(x: [Double], rows: Int) throws -> [Double] {
        // The same affine map as a linear regression's prediction.
        try LinearModel(coefficients: coefficients, intercept: intercept).predict(x: x, rows: rows)
    }

    /// P(y = 1) per row. Cost and rules as `decisionFunction`.
    public func probabilities(x: [Double], rows: Int) throws -> [Double] {
        try decisionFunction(x: x, rows: rows).map(sigmoid)
    }

    /// Predicted label (1 where P(y = 1) > ½, else 0) per row.
    public func predict(x: [Double], rows: Int) throws -> [Double] {
        try decisionFunction(x: x, rows: rows).map { $0 > 0 ? 1 : 0 }
    }
}
