#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore

/// Linear regression with a mixed L1/L2 penalty, fitted by cyclic coordinate
/// descent.
///
/// ```swift
/// let model = try ElasticNet(alpha: 0.1, l1Ratio: 0.5).fit(x: x, rows: n, columns: p, y: y)
/// let yHat = try model.predict(x: x, rows: n)
/// ```
///
/// Minimizes, as scikit-learn's `ElasticNet` does,
/// 1/(2·Σw)·Σᵢ wᵢ(yᵢ − xᵢ·β − b)² + α·ρ·‖β‖₁ + ½·α·(1 − ρ)·‖β‖²
/// with ρ = `l1Ratio` (w = 1 without weights). The intercept b is not
/// penalized: X and y are centred on their weighted means first.
///
/// Stopping rule (scikit-learn's): after a pass whose largest coefficient
/// change is at most `tolerance` × the largest coefficient, compute the
/// duality gap; stop when it is at most `tolerance` × ‖ỹ‖². A fit that runs
/// out of passes is still returned, with `converged == false` and a warning.
///
/// Cost: one copy of X, then O(rows × columns) per pass; no allocation
/// inside the passes. Deterministic (coordinates in column order).
public struct ElasticNet: Codable, Sendable, Hashable {
    /// Overall penalty strength α ≥ 0.
    public var alpha: Double
    /// Share of the penalty that is L1, in [0, 1] (1 is the lasso, 0 ridge).
    public var l1Ratio: Double
    /// Fit an unpenalized intercept (by centring). Default `true`.
    public var fitIntercept: Bool
    /// Relative tolerance of the stopping rule. Default 1e-4, as scikit-learn.
    public var tolerance: Double
    /// The most passes over the coordinates. Default 1000, as scikit-learn.
    public var maxIterations: Int

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(alpha: Double = 1, l1Ratio: Double = 0.5, fitIntercept: Bool = true, tolerance: Double = 1e-4, maxIterations: Int = 1000) {
        self.alpha = alpha
        self.l1Ratio = l1Ratio
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    func validate() throws {
        guard alpha.isFinite, alpha >= 0 else { throw UsageError("alpha must be finite and ≥ 0, got \(alpha)") }
        guard l1Ratio >= 0, l1Ratio <= 1 else { throw UsageError("l1Ratio must be in [0, 1], got \(l1Ratio)") }
        guard tolerance.isFinite, tolerance >= 0 else { throw UsageError("tolerance must be finite and ≥ 0, got \(tolerance)") }
        guard maxIterations >= 1 else { throw UsageError("maxIterations must be ≥ 1, got \(maxIterations)") }
    }

    /// Fits the model to a dense row-major matrix `x` (row i, column j at
    /// `x[i * columns + j]`), targets `y` and optional non-negative `weights`.
    ///
    /// Throws `UsageError` for bad hyperparameters, mismatched lengths,
    /// non-finite values (naming row and column) or negative weights.
    public func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil) throws -> LinearModel {
        try validate()
        let design = try Design(x: x, rows: rows, columns: columns, y: y, weights: weights,
                                fitIntercept: fitIntercept, normalizeWeights: true)
        var solver = CoordinateDescent(design: design)
        let result = solver.solve(alpha: alpha, l1Ratio: l1Ratio, tolerance: tolerance, maxIterations: maxIterations)
        return solver.model(result)
    }

    /// The default decreasing grid of penalties, as scikit-learn's `enet_path`
    /// builds it: `count` values spaced evenly in log from α_max, the smallest
    /// α at which every coefficient is 0 (max |X̃ᵀỹ| / (Σw · l1Ratio)), down to
    /// `eps` × α_max.
    ///
    /// Throws `UsageError` when `l1Ratio` is 0 (α_max is infinite then).
    public func alphaGrid(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil,
                          count: Int = 100, eps: Double = 1e-3) throws -> [Double] {
        try validate()
        let design = try Design(x: x, rows: rows, columns: columns, y: y, weights: weights,
                                fitIntercept: fitIntercept, normalizeWeights: true)
        return try Self.alphaGrid(design: design, l1Ratio: l1Ratio, count: count, eps: eps)
    }

    static func alphaGrid(design: Design, l1Ratio: Double, count: Int, eps: Double) throws -> [Double] {
        guard l1Ratio > 0 else {
            throw UsageError("the automatic alpha grid needs l1Ratio > 0", hint: "pass alphas explicitly for ridge-like paths")
        }
        guard count >= 1 else { throw UsageError("the alpha grid needs at least one value, got \(count)") }
        guard eps > 0, eps.isFinite else { throw UsageError("eps must be positive, got \(eps)") }
        var largest = 0.0
        for j in 0..<design.columns {
            var dot = 0.0
            for i in 0..<design.rows { dot += design.x[j * design.rows + i] * design.y[i] }
            largest = max(largest, abs(dot))
        }
        let alphaMax = largest / (Double(design.rows) * l1Ratio)
        // An all-zero correlation would make every α zero; scikit-learn uses
        // the float resolution (1e-15) instead, and so do we.
        guard alphaMax > 1e-15 else { return [Double](repeating: 1e-15, count: count) }
        if count == 1 { return [alphaMax] }
        let logMax = log(alphaMax), logMin = log(alphaMax * eps)
        return (0..<count).map { k in
            if k == 0 { return alphaMax }
            if k == count - 1 { return alphaMax * eps }
            return exp(logMax + (logMin - logMax) * Double(k) / Double(count - 1))
        }
    }

    /// Fits the model along a decreasing sequence of penalties, each fit
    /// starting from the previous one's coefficients (warm start), which is
    /// much faster than independent fits.
    ///
    /// `alphas` defaults to `alphaGrid(…, count: alphaCount, eps: eps)`; given
    /// alphas are sorted into decreasing order. Every other setting (l1Ratio,
    /// tolerance, maxIterations, fitIntercept) comes from `self`; `alpha` is
    /// ignored. Cost: one copy of X, then the passes of every fit.
    public func path(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil,
                     alphas: [Double]? = nil, alphaCount: Int = 100, eps: Double = 1e-3) throws -> RegularizationPath {
        try validate()
        let design = try Design(x: x, rows: rows, columns: columns, y: y, weights: weights,
                                fitIntercept: fitIntercept, normalizeWeights: true)
        var grid: [Double]
        if let alphas {
            for a in alphas where !(a.isFinite && a >= 0) { throw UsageError("alphas must be finite and ≥ 0, got \(a)") }
            grid = alphas.sorted(by: >)
        } else {
            grid = try Self.alphaGrid(design: design, l1Ratio: l1Ratio, count: alphaCount, eps: eps)
        }
        var solver = CoordinateDescent(design: design)
        var models: [LinearModel] = []
        models.reserveCapacity(grid.count)
        for a in grid {
            let result = solver.solve(alpha: a, l1Ratio: l1Ratio, tolerance: tolerance, maxIterations: maxIterations)
            models.append(solver.model(result))
        }
        return RegularizationPath(alphas: grid, models: models)
    }
}

/// Fits along a regularization path: `models[k]` was fitted with `alphas[k]`;
/// alphas decrease.
public struct RegularizationPath: Codable, Sendable, Hashable {
    /// The penalties, largest first.
    public var alphas: [Double]
    /// One fitted model per penalty.
    public var models: [LinearModel]
}

/// The lasso: `ElasticNet` with `l1Ratio == 1`, which sets coefficients
/// exactly to zero.
///
/// Minimizes 1/(2·Σw)·Σᵢ wᵢ(yᵢ − xᵢ·β − b)² + α·‖β‖₁, as scikit-learn's
/// `Lasso`. Cost and rules as `ElasticNet`.
public struct Lasso: Codable, Sendable, Hashable {
    /// Penalty strength α ≥ 0.
    public var alpha: Double
    /// Fit an unpenalized intercept. Default `true`.
    public var fitIntercept: Bool
    /// Relative tolerance of the duality-gap stopping rule. Default 1e-4.
    public var tolerance: Double
    /// The most passes over the coordinates. Default 1000.
    public var maxIterations: Int

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(alpha: Double = 1, fitIntercept: Bool = true, tolerance: Double = 1e-4, maxIterations: Int = 1000) {
        self.alpha = alpha
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    /// The equivalent elastic net.
    public var elasticNet: ElasticNet {
        ElasticNet(alpha: alpha, l1Ratio: 1, fitIntercept: fitIntercept, tolerance: tolerance, maxIterations: maxIterations)
    }

    /// Fits the lasso; see `ElasticNet.fit`.
    public func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double]? = nil) throws -> LinearModel {
        try elasticNet.fit(x: x, rows: rows, columns: columns, y: y, weights: weights)
    }
}

