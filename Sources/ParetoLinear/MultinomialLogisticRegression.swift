#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore

/// Multinomial (softmax) logistic regression for k ≥ 2 classes with an L2,
/// L1 or elastic-net penalty on every class's coefficients.
///
/// ```swift
/// let model = try MultinomialLogisticRegression(c: 1).fit(x: x, rows: n, columns: p, y: classIndices)
/// let p = try model.probabilities(x: x, rows: n)  // rows × k, row-major
/// ```
///
/// Minimizes scikit-learn's multinomial objective:
/// C · Σᵢ wᵢ · (log Σₖ e^ηᵢₖ − ηᵢ,yᵢ) + Σₖ (ρ‖βₖ‖₁ + ½(1 − ρ)‖βₖ‖²), with
/// ηᵢₖ = bₖ + xᵢ·βₖ. Intercepts are unpenalized and only defined up to a
/// common shift; they are returned summing to zero, as scikit-learn's do.
///
/// Solver: for a pure L2 penalty, Newton–CG on all classes at once
/// (conjugate gradients with Hessian–vector products, then backtracking):
/// a handful of iterations, each O(rows × columns × k × CG steps). With an
/// L1 part, block proximal Newton over the classes (each class in turn gets
/// the quadratic model with curvature wᵢpᵢₖ(1 − pᵢₖ), coordinate descent,
/// and backtracking on the full objective; one iteration per sweep over all
/// classes), which converges linearly and is slow when the penalty is weak.
/// Stopping rule and warning as `LogisticRegression`.
///
/// Cost: no allocation inside the iterations. Deterministic.
public struct MultinomialLogisticRegression: Codable, Sendable, Hashable {
    /// Inverse penalty strength C > 0 (finite).
    public var c: Double
    /// Share of the penalty that is L1, in [0, 1].
    public var l1Ratio: Double
    /// Fit unpenalized intercepts. Default `true`.
    public var fitIntercept: Bool
    /// Relative parameter-change tolerance per sweep. Default 1e-8.
    public var tolerance: Double
    /// The most sweeps over the classes. Default 1000: block updates
    /// converge linearly, not quadratically.
    public var maxIterations: Int
    /// Class weights (explicit ones: one per class). Default `.none`.
    public var classWeight: ClassWeight

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(c: Double = 1, l1Ratio: Double = 0, fitIntercept: Bool = true, tolerance: Double = 1e-8,
                maxIterations: Int = 1000, classWeight: ClassWeight = .none) {
        self.c = c
        self.l1Ratio = l1Ratio
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.classWeight = classWeight
    }

    /// Fits to a dense row-major `x`, class indices `y` (0, 1, …, k − 1 as
    /// whole numbers, every class present, k = largest + 1 ≥ 2) and optional
    /// non-negative `weights`.
    ///
    /// Throws `UsageError` for bad hyperparameters, mismatched lengths,
    /// non-finite values, labels that are not class indices (naming the row),
    /// a missing or single class, or negative weights.
    public func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil) throws -> MultinomialLogisticModel {
        try fit(x: x, rows: rows, columns: columns, y: y, weights: weights, solver: .automatic)
    }

    /// Which solver `fit` uses (tests pin each one).
    enum Solver: Sendable, CaseIterable {
        /// Newton–CG for a pure L2 penalty, block proximal Newton otherwise.
        case automatic
        /// Newton–CG on all classes at once (L2 only).
        case newtonCG
        /// Block proximal Newton with coordinate descent, class by class.
        case blockCoordinateDescent
    }

    func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]?, solver choice: Solver) throws
        -> MultinomialLogisticModel {
        try LogisticRegression(c: c, l1Ratio: l1Ratio, fitIntercept: fitIntercept, tolerance: tolerance,
                               maxIterations: maxIterations).validate()
        guard rows > 0, columns > 0 else {
            throw UsageError("logistic regression needs at least one row and one column, got \(rows) × \(columns)")
        }
        guard x.count == rows * columns else {
            throw UsageError("x has \(x.count) values but rows × columns is \(rows) × \(columns) = \(rows * columns)",
                             hint: "x is row-major: row i, column j is x[i * columns + j]")
        }
        guard y.count == rows else { throw UsageError("y has \(y.count) values but x has \(rows) rows") }
        var largest = 0
        for i in 0..<rows {
            for j in 0..<columns where !x[i * columns + j].isFinite {
                throw UsageError("x is not finite (\(x[i * columns + j])) at row \(i), column \(j) (0-based)",
                                 hint: "impute or drop missing values before fitting a linear model")
            }
            guard y[i] >= 0, y[i] < 1e9, y[i] == y[i].rounded() else {
                throw UsageError("label at row \(i) (0-based) is \(y[i]); labels must be class indices 0, 1, 2, …")
            }
            largest = max(largest, Int(y[i]))
        }
        var counts = [Int](repeating: 0, count: largest + 1)
        for i in 0..<rows { counts[Int(y[i])] += 1 }
        guard counts.count >= 2 else { throw UsageError("y has only class 0; logistic regression needs at least two classes") }
        if let missing = counts.firstIndex(of: 0) {
            throw UsageError("class \(missing) has no rows; labels must be 0 … \(largest) with every class present")
        }
        var w = [Double](repeating: 1, count: rows)
        if let weights {
            guard weights.count == rows else { throw UsageError("weights has \(weights.count) values but x has \(rows) rows") }
            for (i, value) in weights.enumerated() where !(value.isFinite && value >= 0) {
                throw UsageError("weight at row \(i) (0-based) is \(value); weights must be finite and ≥ 0")
            }
            w = weights
        }
        var totals = [Double](repeating: 0, count: counts.count)
        for i in 0..<rows { totals[Int(y[i])] += w[i] }
        let factor = try classWeight.factors(totals: totals)
        for i in 0..<rows { w[i] *= factor[Int(y[i])] }
        guard w.reduce(0, +) > 0 else { throw UsageError("the weights sum to 0; at least one row must count") }

        let k = counts.count
        if choice == .newtonCG || (choice == .automatic && l1Ratio == 0) {
            var solver = MultinomialNewtonCG(x: x, rows: rows, columns: columns, classes: k, label: y.map { Int($0) },
                                             weights: w, c: c, fitIntercept: fitIntercept)
            let (iterations, converged) = solver.solve(tolerance: tolerance, maxIterations: maxIterations)
            let intercepts = fitIntercept ? Array(solver.theta[(k * columns)...]) : [Double](repeating: 0, count: k)
            let mean = intercepts.reduce(0, +) / Double(k)
            return MultinomialLogisticModel(
                coefficients: (0..<k).map { Array(solver.theta[$0 * columns ..< ($0 + 1) * columns]) },
                intercepts: intercepts.map { fitIntercept ? $0 - mean : 0 },
                iterations: iterations, converged: converged,
                warning: converged ? nil
                    : "multinomial logistic regression did not converge in \(maxIterations) Newton iterations; raise maxIterations or lower C")
        }
        var columnMajor = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows { for j in 0..<columns { columnMajor[j * rows + i] = x[i * columns + j] } }
        var solver = MultinomialSolver(x: columnMajor, rows: rows, columns: columns, classes: counts.count,
                                       label: y.map { Int($0) }, weights: w, c: c, l1Ratio: l1Ratio, fitIntercept: fitIntercept)
        let (iterations, converged) = solver.solve(tolerance: tolerance, maxIterations: maxIterations)
        let mean = solver.intercepts.reduce(0, +) / Double(k)
        return MultinomialLogisticModel(
            coefficients: (0..<k).map { Array(solver.beta[$0 * columns ..< ($0 + 1) * columns]) },
            intercepts: solver.intercepts.map { fitIntercept ? $0 - mean : 0 },
            iterations: iterations, converged: converged,
            warning: converged ? nil
                : "multinomial logistic regression did not converge in \(maxIterations) sweeps; raise maxIterations or lower C")
    }
}

/// Block proximal Newton for the penalized softmax loss; scratch allocated once.
struct MultinomialSolver {
    let x: [Double]
    let rows: Int
    let columns: Int
    let classes: Int
    let label: [Int]
    let w: [Double]
    let c: Double
    let l1: Double
    let l2: Double
    let fitIntercept: Bool
    var beta: [Double]       // class k at beta[k * columns ..< (k + 1) * columns]
    var intercepts: [Double]
    var eta: [Double]        // class k at eta[k * rows ..< (k + 1) * rows]
    var h: [Double], g: [Double], u: [Double]
    var trial: [Double], curvature: [Double]

    init(x: [Double], rows: Int, columns: Int, classes: Int, label: [Int], weights: [Double],
         c: Double, l1Ratio: Double, fitIntercept: Bool) {
        self.x = x; self.rows = rows; self.columns = columns; self.classes = classes; self.label = label
        self.w = weights; self.c = c; self.l1 = l1Ratio; self.l2 = 1 - l1Ratio; self.fitIntercept = fitIntercept
        beta = [Double](repeating: 0, count: classes * columns)
        intercepts = [Double](repeating: 0, count: classes)
        eta = [Double](repeating: 0, count: classes * rows)
        h = [Double](repeating: 0, count: rows); g = h; u = h
        trial = [Double](repeating: 0, count: columns); curvature = trial
    }

    /// The objective with class k's predictor moved to eta + s·u and its
    /// coefficients to β + s·(β' − β).
    func objective(klass k: Int, step s: Double) -> Double {
        var loss = 0.0
        for i in 0..<rows {
            var top = -Double.infinity
            for m in 0..<classes { top = max(top, eta[m * rows + i] + (m == k ? s * u[i] : 0)) }
            var sum = 0.0
            for m in 0..<classes { sum += exp(eta[m * rows + i] + (m == k ? s * u[i] : 0) - top) }
            let own = eta[label[i] * rows + i] + (label[i] == k ? s * u[i] : 0)
            loss += w[i] * (top + log(sum) - own)
        }
        var penalty = 0.0
        for m in 0..<classes {
            for j in 0..<columns {
                let b = m == k ? beta[m * columns + j] + s * (trial[j] - beta[m * columns + j]) : beta[m * columns + j]
                penalty += l1 * abs(b) + 0.5 * l2 * b * b
            }
        }
        return c * loss + penalty
    }

    mutating func solve(tolerance: Double, maxIterations: Int) -> (Int, Bool) {
        // Centred intercepts after the last sweep, to measure their change.
        var previous = intercepts
        for iteration in 1...maxIterations {
            var change = 0.0
            for k in 0..<classes {
                for i in 0..<rows {
                    var top = -Double.infinity
                    for m in 0..<classes { top = max(top, eta[m * rows + i]) }
                    var sum = 0.0
                    for m in 0..<classes { sum += exp(eta[m * rows + i] - top) }
                    let p = exp(eta[k * rows + i] - top) / sum
                    // Floor as in the binary solver: strictly convex model.
                    h[i] = max(c * w[i] * p * (1 - p), 1e-300)
                    g[i] = c * w[i] * (p - (label[i] == k ? 1 : 0))
                    u[i] = 0
                }
                var hSum = 0.0
                for i in 0..<rows { hSum += h[i] }
                var scale = 1.0
                for j in 0..<columns {
                    var sum = 0.0
                    for i in 0..<rows { let v = x[j * rows + i]; sum += h[i] * v * v }
                    curvature[j] = sum
                    trial[j] = beta[k * columns + j]
                    scale = max(scale, abs(trial[j]))
                }
                var trialIntercept = intercepts[k]
                penalizedQuadraticStep(x: x, rows: rows, columns: columns, g: g, h: h, curvature: curvature, hSum: hSum,
                                       l1: l1, l2: l2, fitIntercept: fitIntercept, scale: scale,
                                       u: &u, trial: &trial, intercept: &trialIntercept)
                let current = objective(klass: k, step: 0)
                var s = 1.0
                while s > 1e-10 && objective(klass: k, step: s) > current + 1e-12 * abs(current) { s *= 0.5 }
                for j in 0..<columns {
                    let delta = s * (trial[j] - beta[k * columns + j])
                    change = max(change, abs(delta))
                    beta[k * columns + j] = s == 1 ? trial[j] : beta[k * columns + j] + delta
                }
                let db = s * (trialIntercept - intercepts[k])
                if !fitIntercept { change = max(change, abs(db)) }
                intercepts[k] = s == 1 ? trialIntercept : intercepts[k] + db
                for i in 0..<rows { eta[k * rows + i] += s * u[i] }
            }
            if fitIntercept {
                // A common shift of the intercepts leaves the loss unchanged;
                // pin their mean at zero so that the flat direction neither
                // drifts nor counts as change.
                var mean = 0.0
                for v in intercepts { mean += v }
                mean /= Double(classes)
                for m in 0..<classes {
                    intercepts[m] -= mean
                    for i in 0..<rows { eta[m * rows + i] -= mean }
                }
                for m in 0..<classes {
                    change = max(change, abs(intercepts[m] - previous[m]))
                    previous[m] = intercepts[m]
                }
            }
            var scale = 1.0
            for v in beta { scale = max(scale, abs(v)) }
            for v in intercepts { scale = max(scale, abs(v)) }
            if change <= tolerance * scale { return (iteration, true) }
        }
        return (maxIterations, false)
    }
}

/// A fitted multinomial logistic model: P(class k | x) ∝ exp(intercepts[k] + x·coefficients[k]).
public struct MultinomialLogisticModel: Codable, Sendable, Hashable {
    /// coefficients[k][j]: class k, column j.
    public var coefficients: [[Double]]
    /// One intercept per class, summing to zero (all 0 without intercepts).
    public var intercepts: [Double]
    /// Sweeps over the classes that the solver made.
    public var iterations: Int
    /// Whether the stopping rule was met before `maxIterations` ran out.
    public var converged: Bool
    /// Why the result may be inaccurate (non-convergence); `nil` when fine.
    public var warning: String?

    /// Creates a model from its parts.
    public init(coefficients: [[Double]], intercepts: [Double], iterations: Int = 1, converged: Bool = true, warning: String? = nil) {
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.iterations = iterations
        self.converged = converged
        self.warning = warning
    }

    /// Class probabilities, rows × classes, row-major (each row sums to 1).
    ///
    /// Cost: O(rows × columns × classes). Throws `UsageError` if the shape
    /// does not match.
    public func probabilities(x: [Double], rows: Int) throws -> [Double] {
        let k = intercepts.count
        let columns = coefficients.first?.count ?? 0
        guard x.count == rows * columns else {
            throw UsageError("x has \(x.count) values but the model expects \(rows) rows × \(columns) columns")
        }
        var out = [Double](repeating: 0, count: rows * k)
        for i in 0..<rows {
            var top = -Double.infinity
            for m in 0..<k {
                var eta = intercepts[m]
                for j in 0..<columns { eta += x[i * columns + j] * coefficients[m][j] }
                out[i * k + m] = eta
                top = max(top, eta)
            }
            var sum = 0.0
            for m in 0..<k { out[i * k + m] = exp(out[i * k + m] - top); sum += out[i * k + m] }
            for m in 0..<k { out[i * k + m] /= sum }
        }
        return out
    }

    /// The most probable class index per row (lowest index on ties).
    public func predict(x: [Double], rows: Int) throws -> [Double] {
        let k = intercepts.count
        let p = try probabilities(x: x, rows: rows)
        return (0..<rows).map { i in
            var best = 0
            for m in 1..<k where p[i * k + m] > p[i * k + best] { best = m }
            return Double(best)
        }
    }
}
